#!/usr/bin/env python3
"""Runs a command under libospdebug and checks it runs clean: the expected exit status,
no osp error report, no osp warning, and optionally text that must appear.

  run_clean.py [--preload LIB] [--options OSP_OPTIONS] [--exit N] [--stdout TEXT]...
               [--stderr REGEX]... [--stderr-count TEXT=N]... [--allow-errors] [--cwd DIR] -- command args...
"""
import argparse
import os
import re
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload")
    parser.add_argument("--options", default="")
    parser.add_argument("--exit", type=int, default=0)
    parser.add_argument("--stdout", action="append", default=[])
    parser.add_argument("--stderr", action="append", default=[])
    parser.add_argument("--stderr-count", action="append", default=[],
                        help="TEXT=N: TEXT appears exactly N times in stderr")
    parser.add_argument("--allow-errors", action="store_true")
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    environment = dict(os.environ)
    environment["OSP_OPTIONS"] = arguments.options
    if arguments.preload:
        environment["LD_PRELOAD"] = arguments.preload
    result = target_command.run(command, env=environment, capture_output=True, text=True,
                                timeout=arguments.timeout)
    failures = []
    if result.returncode != arguments.exit:
        failures.append(f"exit status {result.returncode}, expected {arguments.exit}")
    if not arguments.allow_errors and "ERROR: osp:" in result.stderr:
        failures.append("an osp error was reported")
    if "osp: warning" in result.stderr:
        failures.append("osp printed a warning")
    for text in arguments.stdout:
        if text not in result.stdout:
            failures.append(f"stdout lacks {text!r}")
    for pattern in arguments.stderr:
        if re.search(pattern, result.stderr, re.M) is None:
            failures.append(f"stderr does not match {pattern!r}")
    for expectation in arguments.stderr_count:
        text, _, count = expectation.rpartition("=")
        if result.stderr.count(text) != int(count):
            failures.append(f"stderr has {result.stderr.count(text)} of {text!r}, expected {count}")
    if failures:
        print(f"FAILED: {' '.join(command)}")
        for failure in failures:
            print(f"  - {failure}")
        print("---- stdout ----\n" + result.stdout[-4000:] + "---- stderr ----\n" +
              result.stderr[-8000:])
        return 1
    print(f"ok: {' '.join(command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
