#!/usr/bin/env python3
"""Runs the GoogleTest leak-listener program one test at a time: the leaking tests fail
and its output names the leaking function; the clean ones pass; a test failing on its own
is not blamed for leaks.  gtest_listener_test.py PROGRAM"""
import subprocess
import sys
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

program = sys.argv[1]
failures = []


def run(test):
    return target_command.run([program, f"--gtest_filter=LeakListener.{test}"], capture_output=True,
                              text=True, timeout=120)


leaking = run("LeaksABlock")
if leaking.returncode == 0:
    failures.append("LeaksABlock passed")
if "[  FAILED  ] LeakListener.LeaksABlock" not in leaking.stdout:
    failures.append("LeaksABlock not reported as FAILED")
if "definite leak: 48 byte(s) in 1 block(s) allocated at" not in leaking.stdout or \
        "forget_a_block" not in leaking.stdout:
    failures.append("the failure does not name the 48-byte block and forget_a_block")
worker = run("LeaksFromAWorkerThread")
if worker.returncode == 0 or \
        "definite leak: 72 byte(s) in 1 block(s) allocated at" not in worker.stdout or \
        "forget_from_worker" not in worker.stdout:
    failures.append("LeaksFromAWorkerThread: the worker thread's 72-byte block is not "
                    f"reported:\n{worker.stdout}")
for test in ("FreesEverything", "KeepsACache"):
    result = run(test)
    if result.returncode != 0 or "osp: this test leaked" in result.stdout:
        failures.append(f"{test} failed:\n{result.stdout}")
own = run("FailsOnItsOwn")
if own.returncode == 0 or "osp: this test leaked" in own.stdout:
    failures.append(f"FailsOnItsOwn: expected its own failure only:\n{own.stdout}")
everything = target_command.run([program], capture_output=True, text=True, timeout=120)
if "3 FAILED TESTS" not in everything.stdout:
    failures.append("the full run should fail exactly LeaksABlock, LeaksFromAWorkerThread "
                    "and FailsOnItsOwn")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures) + "\n---- LeaksABlock ----\n" + leaking.stdout)
    sys.exit(1)
print("ok: gtest leak listener")
