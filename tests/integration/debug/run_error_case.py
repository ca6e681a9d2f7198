#!/usr/bin/env python3
"""Runs one error-case program under libospdebug and checks its report.

The case's source declares what must happen, in comments:
  expect-kind: <kind>        (one or more; each must be reported)
  expect-exit: abort | <code>
  expect-function: <name>    (must appear in the "allocated by" stack)
  expect-text: <text>        (must appear in the report)
  options: <OSP_OPTIONS>
and marks lines: @alloc (allocation site), @free (first free), @error (where the error
is detected: the current stack and the SUMMARY line must name it).
The program prints "block=0x..." with the address the first report must name.
"""
import argparse
import os
import re
import signal
import subprocess
import sys

from case_markers import marked_lines
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)


def parse_case(source_path):
    marked, lines = marked_lines(source_path)
    expectations = {"kinds": [], "exit": "abort", "functions": [], "texts": [], "options": "",
                    "lines": marked}
    for line in lines:
        match = re.search(r"expect-(kind|exit|function|text): (.+?)\s*(\*/)?\s*$", line)
        if match:
            key, value = match.group(1), match.group(2)
            if key == "kind":
                expectations["kinds"].append(value)
            elif key == "exit":
                expectations["exit"] = value
            elif key == "function":
                expectations["functions"].append(value)
            else:
                expectations["texts"].append(value)
        match = re.search(r"options: (\S+)", line)
        if match:
            expectations["options"] = match.group(1)
    if not expectations["kinds"]:
        sys.exit(f"{source_path}: no 'expect-kind:' line")
    return expectations


def section(report, title):
    """The lines of `report` from the one starting with `title` up to the next section."""
    lines = report.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(title):
            body = []
            for following in lines[index + 1:]:
                if not following.startswith("    #"):
                    break
                body.append(following)
            return "\n".join([line] + body)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--program", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--preload", help="run with LD_PRELOAD of this library")
    arguments = parser.parse_args()

    case = parse_case(arguments.source)
    environment = dict(os.environ)
    environment["OSP_OPTIONS"] = case["options"]
    if arguments.preload:
        environment["LD_PRELOAD"] = arguments.preload
    result = target_command.run([arguments.program], env=environment, capture_output=True,
                                text=True, timeout=120)
    report = result.stderr
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    if case["exit"] == "abort":
        check(result.returncode == -signal.SIGABRT,
              f"expected an abort, got exit status {result.returncode}")
    else:
        check(result.returncode == int(case["exit"]),
              f"expected exit status {case['exit']}, got {result.returncode}")
    for kind in case["kinds"]:
        check(f"ERROR: osp: {kind}" in report, f"no '{kind}' report")
        check(re.search(rf"^SUMMARY: osp: {re.escape(kind)}", report, re.M) is not None,
              f"no SUMMARY line for '{kind}'")
    first_line = next((line for line in report.splitlines() if "ERROR: osp:" in line), "")
    check(re.match(r"^==\d+==ERROR: osp: ", first_line) is not None,
          f"first report line is not in '==PID==ERROR: osp:' form: {first_line!r}")
    check(re.search(r" thread T\d+$", first_line) is not None,
          f"first report line does not name the thread: {first_line!r}")
    block = re.search(r"block=(0x[0-9a-f]+)", result.stdout)
    if block and int(block.group(1), 16) != 0:
        address = int(block.group(1), 16)
        named = [int(value, 16) for value in re.findall(r"0x[0-9a-f]+", first_line)]
        check(any(abs(value - address) < 64 for value in named),
              f"report does not name the block {block.group(1)}: {first_line!r}")
    source_name = os.path.basename(arguments.source)
    lines = case["lines"]
    if "@alloc" in lines:
        allocated = section(report, "allocated by")
        check(allocated is not None, "no 'allocated by' section")
        if allocated:
            check(f"{source_name}:{lines['@alloc']}" in allocated,
                  f"allocation stack does not name {source_name}:{lines['@alloc']}")
            for function in case["functions"]:
                check(function in allocated, f"allocation stack does not name {function}")
    if "@free" in lines:
        freed = section(report, "freed by")
        check(freed is not None and f"{source_name}:{lines['@free']}" in freed,
              f"'freed by' stack does not name {source_name}:{lines['@free']}")
    if "@error" in lines:
        current = section(report, "current stack:")
        check(current is not None and f"{source_name}:{lines['@error']}" in current,
              f"current stack does not name {source_name}:{lines['@error']}")
        check(re.search(rf"^SUMMARY: osp: \S+ \S*{re.escape(source_name)}:{lines['@error']}\b",
                        report, re.M) is not None,
              f"SUMMARY does not name {source_name}:{lines['@error']}")
    for text in case["texts"]:
        check(text in report, f"report does not contain {text!r}")

    if failures:
        print(f"FAILED: {arguments.program} ({'LD_PRELOAD' if arguments.preload else 'linked'})")
        for failure in failures:
            print(f"  - {failure}")
        print("---- stdout ----\n" + result.stdout + "---- stderr ----\n" + report)
        return 1
    print(f"ok: {os.path.basename(arguments.program)}: " + ", ".join(case["kinds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
