#!/usr/bin/env python3
"""Offline symbolization: a snapshot whose frames have only module + offset gets function,
file and line from addr2line when the module on disk has the recorded build id, and is
left alone when the build id differs or --no-symbolize is given.

usage: symbolize_test.py <osp-leakview> <fixture program> <tests/data directory>
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile


def build_id(path):
    notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True, check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", notes).group(1)


def function_offset(path, name):
    symbols = subprocess.run(["nm", "-C", path], capture_output=True, text=True, check=True).stdout
    for line in symbols.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[2].startswith(name):
            return int(parts[0], 16)
    raise SystemExit(f"{name} not found in {path}")


def leak_titles(leakview, snapshot_path, extra):
    # --kinds all: the fixture's site is a possible leak, which summary lists only when asked.
    result = subprocess.run([leakview, "summary", snapshot_path, "--format", "json", "--kinds", "all", *extra],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [site["title"] for site in json.loads(result.stdout)["sites"]], json.loads(result.stdout)


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
            if not frame.get("file", "").endswith("symbolize_fixture.cpp") or frame.get("line") != 8:
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
    for failure in failures:
        print("FAIL", failure)
    print(f"symbolization checks: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
