#!/usr/bin/env python3
"""The GoogleTest leak listener on Windows, under wine64 (as gtest_listener_test.py on
Linux): the leaking tests fail and their output names the 48-byte block, whose frames
resolve to forget_a_block, and the worker thread's 72-byte one; the clean tests pass; a test failing on its own is not blamed.
  gtest_listener_windows.py --emulator WINE --addr2line A2L PROGRAM.exe"""
import argparse
import os
import sys

from pe_frames import Resolver
from wine_run import run_emulated

parser = argparse.ArgumentParser()
parser.add_argument("--emulator", required=True)
parser.add_argument("--addr2line", required=True)
parser.add_argument("program")
arguments = parser.parse_args()
failures = []


# No exit-time leak check: mingw-w64's start-up code copies argv into blocks from malloc
# and GoogleTest takes its own flags out of argv, so each --gtest_filter string is a
# definite leak at exit. The listener's per-test checks are what this test is about.
ENVIRONMENT = dict(os.environ, OSP_OPTIONS="detect_leaks=0")


def run(*extra):
    return run_emulated([arguments.emulator, arguments.program, *extra], ENVIRONMENT, timeout=120)


leaking = run("--gtest_filter=LeakListener.LeaksABlock")
if leaking.returncode == 0:
    failures.append("LeaksABlock passed")
if "[  FAILED  ] LeakListener.LeaksABlock" not in leaking.stdout:
    failures.append("LeaksABlock not reported as FAILED")
if "definite leak: 48 byte(s) in 1 block(s) allocated at" not in leaking.stdout:
    failures.append("the failure does not name the 48-byte block")
functions = Resolver(arguments.program, arguments.addr2line).report_functions(leaking.stdout)
if not any("forget_a_block" in function for function in functions):
    failures.append(f"the block's frames do not resolve to forget_a_block: {functions}")
worker = run("--gtest_filter=LeakListener.LeaksFromAWorkerThread")
if worker.returncode == 0 or \
        "definite leak: 72 byte(s) in 1 block(s) allocated at" not in worker.stdout:
    failures.append(f"the worker thread's 72-byte block is not reported:\n{worker.stdout}")
elif not any("forget_from_worker" in function for function in
             Resolver(arguments.program, arguments.addr2line).report_functions(worker.stdout)):
    failures.append("the worker thread's block does not resolve to forget_from_worker")
for test in ("FreesEverything", "KeepsACache"):
    result = run(f"--gtest_filter=LeakListener.{test}")
    if result.returncode != 0 or "osp: this test leaked" in result.stdout:
        failures.append(f"{test} failed:\n{result.stdout}")
own = run("--gtest_filter=LeakListener.FailsOnItsOwn")
if own.returncode == 0 or "osp: this test leaked" in own.stdout:
    failures.append(f"FailsOnItsOwn: expected its own failure only:\n{own.stdout}")
everything = run()
if "3 FAILED TESTS" not in everything.stdout:
    failures.append("the full run should fail exactly LeaksABlock, LeaksFromAWorkerThread "
                    "and FailsOnItsOwn")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures) + "\n---- LeaksABlock ----\n" + leaking.stdout)
    sys.exit(1)
print("ok: gtest leak listener")
