#!/usr/bin/env python3
"""Runs one leak case program under libospdebug and checks its snapshot against the
expectations written in the case's source:

  // expect kind=<kind> blocks=<n> bytes=<n> where=<function or file>   sites mentioning it
  // expect-total kind=<kind> blocks=<n> bytes=<n>                       totals.by_kind
  // expect-exit <status>        // expect-stdout <text>                 // options <extra>

  run_leak_case.py --source CASE.c --program PROGRAM [--preload LIB] [--gdb | --strace]
                   [--options MORE_OSP_OPTIONS]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from snapshot_check import count_sites, load_and_check
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--program", required=True)
    parser.add_argument("--preload")
    parser.add_argument("--gdb", action="store_true", help="run under gdb -batch -ex run")
    parser.add_argument("--strace", action="store_true", help="run under strace -f")
    parser.add_argument("--options", default="",
                        help="more OSP_OPTIONS (the expectations must hold with them too)")
    args = parser.parse_args()
    source = open(args.source, encoding="utf-8").read()
    expectations = re.findall(r"//\s*expect\s+kind=(\w+)\s+blocks=(\d+)\s+bytes=(\d+)\s+where=(\S+)", source)
    totals = re.findall(r"//\s*expect-total\s+kind=(\w+)\s+blocks=(\d+)\s+bytes=(\d+)", source)
    exit_match = re.search(r"//\s*expect-exit\s+(\d+)", source)
    stdout_match = re.search(r"//\s*expect-stdout\s+(.+)", source)
    extra = re.search(r"//\s*options\s+(\S+)", source)

    failures = []
    with tempfile.TemporaryDirectory() as directory:
        options = f"detect_leaks=1:report_path={directory}/leaks.%p.json"
        if extra:
            options += ":" + extra.group(1)
        if args.options:
            options += ":" + args.options
        environment = dict(os.environ, OSP_OPTIONS=options)
        command = [args.program]
        if args.gdb:
            if shutil.which("gdb") is None:
                print("gdb not installed: skipped")
                return 0
            # The runtime goes into the program only, not into gdb or a shell.
            command = ["gdb", "-nx", "-batch", "-ex", "set startup-with-shell off"]
            if args.preload:
                command += ["-ex", f"set environment LD_PRELOAD {args.preload}"]
            command += ["-ex", "run", "--args", args.program]
        elif args.preload:
            environment["LD_PRELOAD"] = args.preload
        if args.strace:
            if shutil.which("strace") is None:
                print("strace not installed: skipped")
                return 0
            command = ["strace", "-f", "-o", os.devnull] + command
        result = target_command.run(command, env=environment, capture_output=True, text=True, timeout=300)
        expected_exit = int(exit_match.group(1)) if exit_match else 23
        if args.gdb:
            # gdb prints the exit code in octal with a leading zero (23 -> 027).
            if f"exited with code 0{expected_exit:o}]" not in result.stdout and not (
                    expected_exit == 0 and "exited normally" in result.stdout):
                failures.append(f"gdb did not report exit code {expected_exit}")
        elif result.returncode != expected_exit:
            failures.append(f"exit status {result.returncode}, expected {expected_exit}")
        if stdout_match and stdout_match.group(1).strip() not in result.stdout:
            failures.append(f"stdout lacks {stdout_match.group(1).strip()!r}")
        snapshots = [name for name in os.listdir(directory) if name.endswith(".json")]
        if len(snapshots) != 1:
            failures.append(f"expected one snapshot, found {snapshots}")
        else:
            snapshot, problems = load_and_check(os.path.join(directory, snapshots[0]))
            failures += problems
            if not snapshot["scan"]["complete"]:
                failures.append("scan incomplete")
            if snapshot["process"]["trigger"] != "exit":
                failures.append("trigger is not exit")
            for kind, blocks, size, where in expectations:
                found = count_sites(snapshot, kind, where)
                if found != (int(blocks), int(size)):
                    failures.append(f"{kind} at {where}: {found[0]} blocks / {found[1]} bytes, "
                                    f"expected {blocks} / {size}")
            for kind, blocks, size in totals:
                found = snapshot["totals"]["by_kind"][kind]
                if (found["blocks"], found["bytes"]) != (int(blocks), int(size)):
                    failures.append(f"total {kind}: {found}, expected {blocks} blocks / {size} bytes")
        leaked_bytes = sum(int(size) for kind, _, size in totals if kind in ("definite", "indirect"))
        if leaked_bytes and f"SUMMARY: osp: {leaked_bytes} byte(s) leaked in" not in result.stderr:
            failures.append(f"no SUMMARY line for {leaked_bytes} bytes")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        print("---- stdout ----\n" + result.stdout[-4000:] + "\n---- stderr ----\n" + result.stderr[-6000:])
        return 1
    print("ok: " + os.path.basename(args.source))
    return 0


if __name__ == "__main__":
    sys.exit(main())
