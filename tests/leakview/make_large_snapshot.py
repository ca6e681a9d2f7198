#!/usr/bin/env python3
"""Writes a large, valid version-1 snapshot for measuring osp-leakview's speed and memory
(docs/leakview.md, "Speed") and for the large-input test.

    make_large_snapshot.py <output.json> [--megabytes 100] [--variant before|after]

Sites are drawn from a fixed vocabulary of modules, files and functions (as in a real
program, the same names repeat across many stacks). The site with index i is the same in
both variants, except that `after` drops every 10th site, doubles every 7th, and adds new
sites with indices past the end of `before`, so a diff of the two has every kind of change.
Output is deterministic: one line per site, like the runtime writes.
"""
import argparse
import json
import random

MODULE_COUNT = 24
FILE_COUNT = 300
FUNCTION_COUNT = 2000
KINDS = ("definite", "definite", "definite", "indirect", "possible", "reachable")
RUNTIME_MODULE = "/usr/lib/x86_64-linux-gnu/libospdebug.so.0"
APP = "/opt/bigapp/bin/bigapp-server"


def vocabulary():
    rng = random.Random(7)
    modules = [APP] + [f"/opt/bigapp/lib/libbigapp_component_{i:02d}.so" for i in range(MODULE_COUNT - 1)]
    files = [f"/src/bigapp/subsystem_{i % 17:02d}/module_file_{i:03d}.cpp" for i in range(FILE_COUNT)]
    functions = [f"bigapp::subsystem_{i % 17:02d}::Component{i % 61}::operation_{i}"
                 f"(std::vector<bigapp::Item, std::allocator<bigapp::Item> > const&, unsigned long)"
                 for i in range(FUNCTION_COUNT)]
    return modules, files, functions, rng


MODULES, FILES, FUNCTIONS, _ = vocabulary()


def frame(module_index, offset, function=None, file=None, line=None):
    base = 0x7f0000000000 + module_index * 0x1000000
    module = RUNTIME_MODULE if module_index < 0 else MODULES[module_index]
    result = {"address": hex(base + offset if module_index >= 0 else 0x7f3a2d0e0000 + offset),
              "module": module, "module_offset": hex(offset)}
    if function is not None:
        result["function"] = function
    if file is not None:
        result["file"] = file
    if line is not None:
        result["line"] = line
    return result


def site(index, scale):
    rng = random.Random(index * 7919 + 17)
    kind = KINDS[rng.randrange(len(KINDS))]
    blocks = rng.randint(1, 40) * scale
    size = rng.choice((16, 48, 128, 512, 2048, 8192))
    frames = [frame(-1, 0x1c2f0, "osp::debug::allocate_tracked(unsigned long, unsigned long, osp::debug::Origin)",
                    "runtime/src/debug/tracked_allocation.cpp", 77),
              frame(-1, 0x2a2b0, "operator new(unsigned long)", "runtime/src/api/new_delete.cpp", 31)]
    for _ in range(rng.randint(4, 12)):
        function_index = rng.randrange(FUNCTION_COUNT)
        frames.append(frame(function_index % MODULE_COUNT, 0x1000 + function_index * 0x40 + rng.randrange(0x40),
                            FUNCTIONS[function_index], FILES[function_index % FILE_COUNT], rng.randint(10, 900)))
    frames.append(frame(0, 0x9a10, "main", "/src/bigapp/main.cpp", 57))
    samples = [{"address": hex(0x7f3a00000000 + index * 0x10000 + i * size), "size": size}
               for i in range(min(blocks, 3))]
    key = f"{(index * 0x9E3779B97F4A7C15 + 0x1234567) & 0xFFFFFFFFFFFFFFFF:016x}"
    return {"key": key, "kind": kind, "blocks": blocks, "bytes": blocks * size, "samples": samples,
            "origin": None, "frames": frames, "tiers": {"small": {"blocks": blocks, "bytes": blocks * size}},
            "size_classes": [{"class": 7, "block_bytes": size, "blocks": blocks}]}


def sites(target_bytes, variant):
    """Yields (line, site) until the lines reach target_bytes."""
    written = 0
    index = 0
    while written < target_bytes:
        if variant == "after" and index % 10 == 0:
            index += 1
            continue
        scale = 2 if variant == "after" and index % 7 == 0 else 1
        current = site(index, scale)
        line = json.dumps(current, separators=(",", ":"))
        written += len(line) + 4
        index += 1
        yield line, current
    if variant == "after":  # new sites, unknown to `before`
        for extra in range(max(1, index // 50)):
            current = site(10_000_000 + extra, 1)
            yield json.dumps(current, separators=(",", ":")), current


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--variant", choices=("before", "after"), default="before")
    arguments = parser.parse_args()

    by_kind = {kind: {"blocks": 0, "bytes": 0} for kind in ("definite", "indirect", "possible", "reachable")}
    lines = []
    for line, current in sites(int(arguments.megabytes * 1024 * 1024), arguments.variant):
        by_kind[current["kind"]]["blocks"] += current["blocks"]
        by_kind[current["kind"]]["bytes"] += current["bytes"]
        lines.append((current["bytes"], current["key"], line))
    lines.sort(key=lambda entry: (-entry[0], entry[1]))  # the documented order
    live_blocks = sum(count["blocks"] for count in by_kind.values())
    live_bytes = sum(count["bytes"] for count in by_kind.values())
    header = {
        "format": "osp-leak-snapshot", "version": 1,
        "process": {"pid": 4242, "executable": APP, "command_line": ["bigapp-server"],
                    "start_time": "2026-11-25T15:00:00Z", "snapshot_time": "2026-11-25T15:30:00Z",
                    "exit_status": 0, "trigger": "exit"},
        "options": {"stack_depth": 16, "symbolize": True},
        "totals": {"live_blocks": live_blocks, "live_bytes": live_bytes, "by_kind": by_kind,
                   "suppressed": {"blocks": 0, "bytes": 0}},
        "counters": {"peak_bytes": live_bytes, "failed_allocations": 0,
                     "tiers": [{"tier": "small", "live_bytes": live_bytes, "peak_bytes": live_bytes,
                                "allocations": live_blocks * 3, "frees": live_blocks * 2}]},
    }
    with open(arguments.output, "w") as out:
        out.write("{\n")
        for name, value in header.items():
            out.write(f"{json.dumps(name)}: {json.dumps(value)},\n")
        out.write('"leaks": [\n  ')
        out.write(",\n  ".join(line for _, _, line in lines))
        out.write('\n],\n"errors": [],\n"modules": [\n  ')
        out.write(",\n  ".join(json.dumps({"path": module, "build_id": "", "base": hex(0x7f0000000000 + i * 0x1000000)})
                               for i, module in enumerate(MODULES)))
        out.write("\n]\n}\n")


if __name__ == "__main__":
    main()
