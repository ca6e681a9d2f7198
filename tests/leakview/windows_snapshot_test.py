#!/usr/bin/env python3
"""A snapshot written by libospdebug on Windows (under wine64, by the indirect_leak case
linked statically; its folder renamed C:\\osp-sample) read by this build's osp-leakview:
it follows schema v1 and the site-key rule, summary names its frames by module+offset
after the Windows path's last '\\', gate fails on its 144 leaked bytes and passes with
them allowed, and a diff with itself finds no change.
  windows_snapshot_test.py OSP_LEAKVIEW SNAPSHOT"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "report"))
from snapshot_check import load_and_check  # noqa: E402

leakview, snapshot_path = sys.argv[1], sys.argv[2]
failures = []
snapshot, problems = load_and_check(snapshot_path)
failures += problems
totals = snapshot["totals"]["by_kind"]
if (totals["definite"]["bytes"], totals["indirect"]["bytes"]) != (48, 96):
    failures.append(f"unexpected totals {totals}")
if not all(module["build_id"] for module in snapshot["modules"]):
    failures.append("a module without a build identity")


def run(*arguments):
    return subprocess.run([leakview, *arguments], capture_output=True, text=True, timeout=60)


summary = run("summary", snapshot_path)
if summary.returncode != 0 or "indirect_leak.exe+0x" not in summary.stdout or "C:\\osp-sample\\indirect_leak.exe+" in summary.stdout:
    failures.append(f"summary (exit {summary.returncode}) does not name frames as indirect_leak.exe+0x...:\n{summary.stdout}")
gate = run("gate", snapshot_path)
if gate.returncode != 1:
    failures.append(f"gate exit {gate.returncode}, expected 1 (144 bytes leaked)")
allowed = run("gate", "--max-bytes", "144", "--max-blocks", "3", snapshot_path)
if allowed.returncode != 0:
    failures.append(f"gate with the leaks allowed: exit {allowed.returncode}\n{allowed.stdout}")
diff = run("diff", snapshot_path, snapshot_path)
if diff.returncode != 0 or "No changes in leak sites." not in diff.stdout:
    failures.append(f"diff with itself (exit {diff.returncode}):\n{diff.stdout}")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok: Windows snapshot read, gated and diffed")
