#!/usr/bin/env python3
"""With suppressions for both of leak_sites' origins, neither site is reported, and the
summary counts them as suppressed.  suppression_test.py PROGRAM SUPPRESSIONS_FILE"""
import os
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

program, suppressions = sys.argv[1:3]
environment = dict(os.environ, OSP_OPTIONS=f"detect_leaks=1:leak_kinds=all:exitcode=0:suppressions={suppressions}")
result = target_command.run([program], env=environment, capture_output=True, text=True, timeout=60)
failures = []
if result.returncode != 0:
    failures.append(f"exit status {result.returncode}")
if "leak_sites.cpp:24" in result.stderr or "leak_from_malloc" in result.stderr:
    failures.append("a suppressed site was reported")
if "suppressed" not in result.stderr:
    failures.append("the report does not count suppressed blocks")
if "osp: warning" in result.stderr:
    failures.append("warning while reading the suppressions")
if failures:
    print("FAILED: " + "; ".join(failures) + "\n---- stderr ----\n" + result.stderr)
    sys.exit(1)
print("ok: suppressions")
