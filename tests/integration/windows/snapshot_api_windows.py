#!/usr/bin/env python3
"""osp_write_snapshot on Windows, under wine64: the program writes two snapshots to one
path, the second after a second leak; the file left is the second (trigger "api", two
definite 333-byte blocks), valid against the schema, with no temporary file beside it, and
a path in a missing folder fails without a crash.
  snapshot_api_windows.py --emulator WINE PROGRAM.exe"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "report"))
from snapshot_check import load_and_check  # noqa: E402
from wine_run import run_emulated  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--emulator", required=True)
parser.add_argument("program")
arguments = parser.parse_args()
failures = []
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "snapshot.json")
    environment = dict(os.environ, OSP_OPTIONS="detect_leaks=0")
    result = run_emulated([arguments.emulator, arguments.program, path], environment, timeout=120)
    if result.returncode != 0 or "snapshots written" not in result.stdout:
        failures.append(f"exit status {result.returncode}")
    if os.listdir(directory) != ["snapshot.json"]:
        failures.append(f"the folder holds {os.listdir(directory)}, expected the snapshot alone")
    elif not failures:
        snapshot, problems = load_and_check(path)
        failures += problems
        if snapshot["process"]["trigger"] != "api":
            failures.append(f"trigger {snapshot['process']['trigger']}, expected api")
        definite = snapshot["totals"]["by_kind"]["definite"]
        if (definite["blocks"], definite["bytes"]) != (2, 666):
            failures.append(f"definite {definite}, expected the second snapshot's 2 blocks / 666 bytes")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        print("---- stdout ----\n" + result.stdout + "---- stderr ----\n" + result.stderr[-4000:])
        sys.exit(1)
print("ok: osp_write_snapshot replaces the snapshot")
