#!/usr/bin/env python3
"""Offline symbolization: a snapshot whose frames have only module + offset gets function,
file and line when the module on disk has the recorded build id, and is left alone when the
build id differs or --no-symbolize is given. Names follow symbol extents only: a stripped
copy of the fixture gets names and lines from its separate debug file (found through
.gnu_debuglink beside it, in .debug/, or by build id under --debug-dir); without one, a
local function is shown as module+offset, never as its exported neighbour, and an address
inside a data object is never named after it.

usage: symbolize_test.py <osp-leakview> <fixture program> <tests/data directory>
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

# The binutils that write the target's ELF files (a cross build's own; CMake says which).
OBJCOPY = os.environ.get("OSP_OBJCOPY", "objcopy")
STRIP = os.environ.get("OSP_STRIP", "strip")


def build_id(path):
    notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True, check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", notes).group(1)


def function_offset(path, name):
    symbols = subprocess.run(["nm", "-C", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    for line in symbols.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[2].startswith(name):
            return int(parts[0], 16)
    raise SystemExit(f"{name} not found in {path}")


def leak_titles(leakview, snapshot_path, extra):
    # --kinds all: the fixture's site is a possible leak, which summary lists only when asked.
    result = target_command.run([leakview, "summary", snapshot_path, "--format", "json", "--kinds", "all", *extra],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [site["title"] for site in json.loads(result.stdout)["sites"]], json.loads(result.stdout)


def run(*command):
    subprocess.run(command, check=True, capture_output=True)


def strip_copy(program, stripped, debug_file=None, link=True):
    """Copies the program to `stripped`, keeps its debug info in `debug_file` and strips it."""
    os.makedirs(os.path.dirname(stripped), exist_ok=True)
    shutil.copy(program, stripped)
    if debug_file:
        os.makedirs(os.path.dirname(debug_file), exist_ok=True)
        run(OBJCOPY, "--only-keep-debug", stripped, debug_file)
    run(STRIP, "--strip-all", stripped)
    if debug_file and link:
        run(OBJCOPY, f"--add-gnu-debuglink={debug_file}", stripped)


def frames_snapshot(snapshot, module, offsets):
    """One site per offset, each with a single frame in `module`."""
    result = copy.deepcopy(snapshot)
    template = next(s for s in snapshot["leaks"] if s["kind"] == "possible")
    result["leaks"] = []
    for index, offset in enumerate(offsets):
        site = copy.deepcopy(template)
        site["key"] = f"{index + 1:016x}"
        site["bytes"] = 1000 - index
        site["frames"] = [{"address": hex(0x55d0c0000000 + offset), "module": module, "module_offset": hex(offset)}]
        result["leaks"].append(site)
    result["modules"] = [{"path": module, "build_id": build_id(module), "base": "0x55d0c0000000"}]
    return result


def stripped_checks(leakview, program, snapshot, work):
    failures = []
    exported = function_offset(program, "fixture::make_leaky_buffer") + 4
    local = function_offset(program, "local_step") + 4
    table = function_offset(program, "fixture_table") + 40
    expected_names = ["fixture::make_leaky_buffer(unsigned long)", "local_step(unsigned long)"]

    layouts = {
        "debuglink beside": (f"{work}/beside/fixture", f"{work}/beside/fixture.debug", True, []),
        "debuglink in .debug/": (f"{work}/dot/fixture", f"{work}/dot/.debug/fixture.debug", True, []),
        "build id under --debug-dir": (f"{work}/byid/fixture", f"{work}/byid/keep.debug", False,
                                       ["--debug-dir", f"{work}/nothing-here", "--debug-dir", f"{work}/root"]),
    }
    for label, (stripped, debug_file, link, extra) in layouts.items():
        strip_copy(program, stripped, debug_file, link)
        if not link:
            identity = build_id(stripped)
            target = f"{work}/root/.build-id/{identity[:2]}/{identity[2:]}.debug"
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(debug_file, target)
        path = f"{work}/{label.split()[0]}.json"
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(frames_snapshot(snapshot, stripped, [exported, local]), stream)
        titles, report = leak_titles(leakview, path, extra)
        if titles != expected_names:
            failures.append(f"{label}: titles {titles}")
            continue
        for site in report["sites"]:
            frame = site["frames"][0]
            if not frame.get("file", "").endswith("symbolize_fixture.cpp") or not frame.get("line"):
                failures.append(f"{label}: no line from the debug file: {frame}")

    bare = f"{work}/bare/fixture"
    strip_copy(program, bare)
    path = f"{work}/bare.json"
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(frames_snapshot(snapshot, bare, [exported, local, table]), stream)
    titles, _ = leak_titles(leakview, path, [])
    expected = ["fixture::make_leaky_buffer(unsigned long)", f"fixture+{hex(local)}", f"fixture+{hex(table)}"]
    if titles != expected:
        failures.append(f"stripped without debug file: titles {titles}, expected {expected}")
    return failures


def main():
    leakview, program, data = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    with open(os.path.join(data, "snapshots", "base.json"), encoding="utf-8") as stream:
        snapshot = json.load(stream)
    offset = function_offset(program, "fixture::make_leaky_buffer") + 4  # inside the function
    site = copy.deepcopy(next(s for s in snapshot["leaks"] if s["kind"] == "possible"))
    site["frames"] = [{"address": hex(0x55d0c0000000 + offset), "module": program, "module_offset": hex(offset)}]
    snapshot["leaks"] = [site]
    snapshot["modules"] = [{"path": program, "build_id": build_id(program), "base": "0x55d0c0000000"}]
    failures = []
    with tempfile.TemporaryDirectory() as work:
        matching = os.path.join(work, "matching.json")
        with open(matching, "w", encoding="utf-8") as stream:
            json.dump(snapshot, stream)
        titles, report = leak_titles(leakview, matching, [])
        if titles != ["fixture::make_leaky_buffer(unsigned long)"]:
            failures.append(f"matching build id: titles {titles}")
        else:
            frame = report["sites"][0]["frames"][0]
            if not frame.get("file", "").endswith("symbolize_fixture.cpp") or frame.get("line") != 10:
                failures.append(f"matching build id: location {frame}")
        titles, _ = leak_titles(leakview, matching, ["--no-symbolize"])
        if titles != [f"{os.path.basename(program)}+{hex(offset)}"]:
            failures.append(f"--no-symbolize: titles {titles}")

        snapshot["modules"][0]["build_id"] = "00" * 20
        other = os.path.join(work, "other-build.json")
        with open(other, "w", encoding="utf-8") as stream:
            json.dump(snapshot, stream)
        titles, _ = leak_titles(leakview, other, [])
        if titles != [f"{os.path.basename(program)}+{hex(offset)}"]:
            failures.append(f"different build id must not symbolize: titles {titles}")
        failures += stripped_checks(leakview, program, snapshot, work)
    for failure in failures:
        print("FAIL", failure)
    print(f"symbolization checks: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
