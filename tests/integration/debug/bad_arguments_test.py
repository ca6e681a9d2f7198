#!/usr/bin/env python3
"""One rule for requests no allocator can satisfy (allocator_may_return_null, as in ASan),
checked on a program of such requests (cases/bad_arguments.c, bad_new.cpp or
bad_requests.cpp), linked or preloaded:
 - defaults (allocator_may_return_null=0, halt_on_error=1): the first request is reported
   and the program aborts;
 - halt_on_error=0: every request is reported and recorded in the snapshot's errors, the
   calls fail the documented way (the program checks errno, return codes, bad_alloc), and
   each counts in counters.failed_allocations;
 - allocator_may_return_null=1: the same failures, with no report and no error in the
   snapshot, still counted in counters.failed_allocations.
The program prints failing_calls=N, the number of requests that must fail.

  bad_arguments_test.py PROGRAM [--preload LIBRARY]
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

KINDS = {"invalid-allocation-alignment", "calloc-overflow", "reallocarray-overflow",
         "allocation-size-too-big"}
# The snapshot's names for the same errors (docs/snapshot-format.md).
SNAPSHOT_KINDS = {"invalid-alignment", "calloc-overflow", "allocation-size-too-big"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("program")
    parser.add_argument("--preload")
    arguments = parser.parse_args()
    failures = []

    def run(options):
        environment = dict(os.environ, OSP_OPTIONS=options)
        if arguments.preload:
            environment["LD_PRELOAD"] = arguments.preload
        return target_command.run([arguments.program], env=environment, capture_output=True,
                                  text=True, timeout=120)

    def check(condition, message, result=None):
        if not condition:
            if result is not None:
                message += f"\n---- stdout ----\n{result.stdout}---- stderr ----\n{result.stderr[-3000:]}"
            failures.append(message)

    halted = run("")
    check(halted.returncode == -signal.SIGABRT,
          f"defaults: expected an abort, got status {halted.returncode}", halted)
    check(len(re.findall(r"^==\d+==ERROR: osp: ", halted.stderr, re.M)) == 1,
          "defaults: expected exactly one report before the abort", halted)
    check("ABORTING (halt_on_error=1)" in halted.stderr, "defaults: no ABORTING line", halted)

    with tempfile.TemporaryDirectory() as directory:
        reported_path = os.path.join(directory, "reported.json")
        reported = run(f"halt_on_error=0:report_path={reported_path}")
        silent_path = os.path.join(directory, "silent.json")
        silent = run(f"allocator_may_return_null=1:report_path={silent_path}")
        snapshots = {}
        for label, result, path in (("halt_on_error=0", reported, reported_path),
                                    ("allocator_may_return_null=1", silent, silent_path)):
            check(result.returncode == 0, f"{label}: exit status {result.returncode}", result)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as stream:
                    snapshots[label] = json.load(stream)
            else:
                check(False, f"{label}: no snapshot written", result)

    match = re.search(r"failing_calls=(\d+)", reported.stdout)
    check(match is not None, "the program did not print failing_calls=N", reported)
    expected = int(match.group(1)) if match else -1

    reports = re.findall(r"^==\d+==ERROR: osp: ([a-z-]+)", reported.stderr, re.M)
    check(len(reports) == expected and set(reports) <= KINDS,
          f"halt_on_error=0: expected {expected} bad-request reports, got {reports}", reported)
    snapshot = snapshots.get("halt_on_error=0")
    if snapshot:
        kinds = [error["kind"] for error in snapshot["errors"]]
        check(len(kinds) == expected and set(kinds) <= SNAPSHOT_KINDS,
              f"halt_on_error=0: snapshot errors {kinds}, expected {expected} bad requests")
        check(snapshot["counters"]["failed_allocations"] == expected,
              f"halt_on_error=0: failed_allocations {snapshot['counters']['failed_allocations']}, "
              f"expected {expected}")

    check("ERROR: osp" not in silent.stderr and "osp:" not in silent.stderr,
          "allocator_may_return_null=1: something was reported", silent)
    snapshot = snapshots.get("allocator_may_return_null=1")
    if snapshot:
        check(snapshot["errors"] == [],
              f"allocator_may_return_null=1: snapshot errors {snapshot['errors']}")
        check(snapshot["counters"]["failed_allocations"] == expected,
              f"allocator_may_return_null=1: failed_allocations "
              f"{snapshot['counters']['failed_allocations']}, expected {expected}")
        check(snapshot["options"].get("allocator_may_return_null") is True,
              "allocator_may_return_null=1: the snapshot's options do not say so")

    mode = "LD_PRELOAD" if arguments.preload else "linked"
    if failures:
        print(f"FAILED: {os.path.basename(arguments.program)} ({mode})")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(f"ok: {os.path.basename(arguments.program)} ({mode}): {expected} bad requests "
          "abort, are reported and recorded, or fail silently and are counted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
