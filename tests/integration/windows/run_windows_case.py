#!/usr/bin/env python3
"""Runs one error or leak case program built for Windows under wine64 and checks it.

  run_windows_case.py error --source CASE --program PROG.exe --emulator WINE --addr2line A2L
  run_windows_case.py leak  --source CASE --program PROG.exe --emulator WINE --addr2line A2L
                            [--leakview OSP_LEAKVIEW] [--options MORE]

Error cases use the markers of tests/integration/debug (run_error_case.py): the kinds and
SUMMARY lines must be there, and the @alloc, @free and @error lines must be what the
module+offset frames of the allocated-by, freed-by and current stacks resolve to. Leak
cases use the expectations of tests/integration/report (run_leak_case.py), checked on the
snapshot after its frames are resolved; with --leakview, osp-leakview (built for Linux)
must read and gate that snapshot.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "debug"))
sys.path.insert(0, os.path.join(HERE, "..", "report"))
from pe_frames import Resolver, base_name, pe_build_id  # noqa: E402
from run_error_case import parse_case, section  # noqa: E402
from snapshot_check import count_sites, load_and_check  # noqa: E402
from wine_run import run_emulated  # noqa: E402

# abort() in the Microsoft C runtime ends the process with status 3.
ABORT_STATUS = 3


def run(arguments, environment):
    return run_emulated([arguments.emulator, arguments.program], environment)


def check_error_case(arguments, failures):
    case = parse_case(arguments.source)
    environment = dict(os.environ, OSP_OPTIONS=case["options"])
    result = run(arguments, environment)
    report = result.stderr
    expected_status = ABORT_STATUS if case["exit"] == "abort" else int(case["exit"])
    if result.returncode != expected_status:
        failures.append(f"exit status {result.returncode}, expected {expected_status}")
    for kind in case["kinds"]:
        if f"ERROR: osp: {kind}" not in report:
            failures.append(f"no '{kind}' report")
        if re.search(rf"^SUMMARY: osp: {re.escape(kind)}", report, re.M) is None:
            failures.append(f"no SUMMARY line for '{kind}'")
    first_line = next((line for line in report.splitlines() if "ERROR: osp:" in line), "")
    if re.match(r"^==\d+==ERROR: osp: .* thread T\d+$", first_line) is None:
        failures.append(f"first report line is not '==PID==ERROR: osp: ... thread T<n>': {first_line!r}")
    block = re.search(r"block=(?:0x)?([0-9a-fA-F]+)", result.stdout)
    if block and int(block.group(1), 16) != 0:
        address = int(block.group(1), 16)
        named = [int(value, 16) for value in re.findall(r"0x[0-9a-f]+", first_line)]
        if not any(abs(value - address) < 64 for value in named):
            failures.append(f"report does not name the block 0x{address:x}: {first_line!r}")
    resolver = Resolver(arguments.program, arguments.addr2line)
    source_name = os.path.basename(arguments.source)
    lines = case["lines"]
    for marker, title in (("@alloc", "allocated by"), ("@free", "freed by"), ("@error", "current stack:")):
        if marker not in lines:
            continue
        text = section(report, title)
        if text is None:
            failures.append(f"no '{title}' section")
            continue
        wanted = f"{source_name}:{lines[marker]}"
        # ALLOCATE's origin is its file:line, in the section's first line.
        origin = text.splitlines()[0]
        if f"/{wanted} " not in origin and wanted not in resolver.report_locations(text):
            failures.append(f"'{title}' stack does not resolve to {wanted}: {resolver.report_locations(text)}")
    if "@error" in lines:
        summary = next((line for line in report.splitlines() if line.startswith("SUMMARY: osp:")), "")
        if f"{source_name}:{lines['@error']}" not in resolver.report_locations(summary):
            failures.append(f"SUMMARY does not resolve to {source_name}:{lines['@error']}: {summary!r}")
    for text in case["texts"]:
        if text not in report:
            failures.append(f"report does not contain {text!r}")
    return result


def check_with_leakview(command, directory, path, leaked, failures):
    """osp-leakview built for Windows, under wine: summary, gate (the snapshot and the
    folder's *.json pattern) and a diff of the snapshot with itself."""
    def run(*more):
        return run_emulated(command + list(more), timeout=120)
    expected = 1 if leaked else 0
    summary = run("summary", path)
    if summary.returncode != 0 or "Totals" not in summary.stdout:
        failures.append(f"Windows osp-leakview summary (exit {summary.returncode}): {summary.stdout}{summary.stderr}")
    for target in (path, os.path.join(directory, "*.json")):
        gate = run("gate", target)
        if gate.returncode != expected:
            failures.append(f"Windows osp-leakview gate {target}: exit {gate.returncode}, expected {expected}: {gate.stdout}{gate.stderr}")
    diff = run("diff", path, path)
    if diff.returncode != 0 or "No changes in leak sites." not in diff.stdout:
        failures.append(f"Windows osp-leakview diff (exit {diff.returncode}): {diff.stdout}{diff.stderr}")


def check_leak_case(arguments, failures):
    source = open(arguments.source, encoding="utf-8").read()
    expectations = re.findall(r"//\s*expect\s+kind=(\w+)\s+blocks=(\d+)\s+bytes=(\d+)\s+where=(\S+)", source)
    totals = re.findall(r"//\s*expect-total\s+kind=(\w+)\s+blocks=(\d+)\s+bytes=(\d+)", source)
    exit_match = re.search(r"//\s*expect-exit\s+(\d+)", source)
    extra = re.search(r"//\s*options\s+(\S+)", source)
    with tempfile.TemporaryDirectory() as directory:
        # Wine maps the Unix root to drive Z:, so the Unix path works unchanged.
        options = f"detect_leaks=1:report_path={directory}/leaks.%p.json"
        for more in (extra.group(1) if extra else "", arguments.options):
            if more:
                options += ":" + more
        result = run(arguments, dict(os.environ, OSP_OPTIONS=options))
        expected_exit = int(exit_match.group(1)) if exit_match else 23
        if result.returncode != expected_exit:
            failures.append(f"exit status {result.returncode}, expected {expected_exit}")
        snapshots = [name for name in os.listdir(directory) if name.endswith(".json")]
        if len(snapshots) != 1:
            failures.append(f"expected one snapshot, found {snapshots}")
            return result
        path = os.path.join(directory, snapshots[0])
        snapshot, problems = load_and_check(path)
        failures.extend(problems)
        if not snapshot["scan"]["complete"]:
            failures.append("scan incomplete")
        program_modules = [module for module in snapshot["modules"]
                           if base_name(module["path"]).lower() == base_name(arguments.program).lower()]
        expected_id = pe_build_id(arguments.program)
        if [module["build_id"] for module in program_modules] != [expected_id]:
            failures.append(f"the program's module entry {program_modules} should have build_id {expected_id}")
        Resolver(arguments.program, arguments.addr2line).symbolize_snapshot(snapshot)
        for kind, blocks, size, where in expectations:
            found = count_sites(snapshot, kind, where)
            if found != (int(blocks), int(size)):
                failures.append(f"{kind} at {where}: {found[0]} blocks / {found[1]} bytes, expected {blocks} / {size}")
        for kind, blocks, size in totals:
            found = snapshot["totals"]["by_kind"][kind]
            if (found["blocks"], found["bytes"]) != (int(blocks), int(size)):
                failures.append(f"total {kind}: {found}, expected {blocks} blocks / {size} bytes")
        leaked = sum(int(size) for kind, _, size in totals if kind in ("definite", "indirect"))
        if leaked and f"SUMMARY: osp: {leaked} byte(s) leaked in" not in result.stderr:
            failures.append(f"no SUMMARY line for {leaked} bytes")
        if arguments.windows_leakview:
            check_with_leakview([arguments.emulator, arguments.windows_leakview], directory, path, leaked, failures)
        if arguments.leakview:
            gate = subprocess.run([arguments.leakview, "gate", path], capture_output=True, text=True)
            if gate.returncode != (1 if leaked else 0):
                failures.append(f"osp-leakview gate exit {gate.returncode} for {leaked} leaked bytes: {gate.stdout}{gate.stderr}")
            summary = subprocess.run([arguments.leakview, "summary", path], capture_output=True, text=True)
            if summary.returncode != 0:
                failures.append(f"osp-leakview summary failed: {summary.stderr}")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["error", "leak"])
    parser.add_argument("--source", required=True)
    parser.add_argument("--program", required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--addr2line", required=True)
    parser.add_argument("--leakview", help="osp-leakview built for the build machine")
    parser.add_argument("--windows-leakview", help="osp-leakview built for Windows (run under the emulator)")
    parser.add_argument("--options", default="")
    arguments = parser.parse_args()
    failures = []
    check = check_error_case if arguments.mode == "error" else check_leak_case
    result = check(arguments, failures)
    if failures:
        print(f"FAILED: {os.path.basename(arguments.program)}")
        for failure in failures:
            print(f"  - {failure}")
        print("---- stdout ----\n" + result.stdout[-4000:] + "\n---- stderr ----\n" + result.stderr[-6000:])
        return 1
    print(f"ok: {os.path.basename(arguments.program)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
