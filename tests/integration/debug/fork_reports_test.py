#!/usr/bin/env python3
"""After fork, reports go to <log_path>.<pid> of the process that made them.
  fork_reports_test.py PROGRAM"""
import os
import re
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

with tempfile.TemporaryDirectory() as directory:
    base = os.path.join(directory, "reports")
    environment = dict(os.environ, OSP_OPTIONS=f"halt_on_error=0:log_path={base}")
    result = target_command.run([sys.argv[1]], env=environment, capture_output=True, text=True,
                                timeout=60)
    failures = []
    match = re.search(r"parent=(\d+) child=(\d+)", result.stdout)
    if result.returncode != 0 or match is None:
        failures.append(f"program failed: status {result.returncode}, stdout {result.stdout!r}")
    else:
        for role, pid in (("parent", match.group(1)), ("child", match.group(2))):
            path = f"{base}.{pid}"
            if not os.path.exists(path):
                failures.append(f"no report file for the {role} ({path})")
                continue
            text = open(path, encoding="utf-8").read()
            if text.count("ERROR: osp: double-free") != 1:
                failures.append(f"the {role}'s file does not hold exactly its one report")
            if not text.startswith(f"=={pid}=="):
                failures.append(f"the {role}'s report does not carry its pid")
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("ok: reports of parent and child in their own files")
