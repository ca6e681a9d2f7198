#!/usr/bin/env python3
"""What each check of libospdebug costs, measured side by side in one run.

libospdebug runs with its defaults (16-frame stacks, freed-block fill, quarantine) and
with one check turned off at a time, then with the presets that turn several off, beside
glibc and libosp_malloc (the pool alone, no checks). Runs are interleaved (every variant
once per workload, then again); cells are the median CPU seconds with the min-max spread.
A reader can see what a knob buys: which check the time goes to on each kind of program,
and how far from glibc a build with fewer checks is.
Writes docs/check-cost.md (or --output).

  bench/check_cost.py --build-dir build/bench [--repetitions 3] [--output FILE]
"""
import argparse
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import allocators as allocator_catalogue  # noqa: E402
from harness import variants, workloads as workload_catalogue  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, extra OSP_OPTIONS, what the variant leaves out). The base of every variant is
# stack_depth=16, the default.
DEBUG_VARIANTS = [
    ("ospdebug", "", "defaults: 16-frame allocation stacks, 8-frame free stacks, fill, "
                     "quarantine"),
    ("no-free-stack", "free_stack_depth=0", "no stack where a block is freed"),
    ("stack-8", "stack_depth=8", "8-frame allocation stacks"),
    ("no-stack", "stack_depth=0", "no stacks at all"),
    ("no-fill", "fill=0", "no fill of fresh and freed blocks (so no check of the freed fill)"),
    ("no-quarantine", "quarantine_mb=0", "freed blocks go back to the pool at once"),
    ("leaks", "mode=leaks", "mode=leaks: stacks, no fill or quarantine, and the leak scan "
                             "at exit"),
    ("hardened", "mode=hardened:stack_depth=0",
     "mode=hardened: guards and the double-free gate only (no stacks, fill or quarantine)"),
]

# One workload of each kind: churn in and beyond the caches, STL, cross-thread frees,
# and the two real programs.
WORKLOADS = ["small_object_churn", "working_set_churn", "stl_heavy", "larson ×2",
             "producer_consumer ×2", "mixed_sizes_realloc", "python3", "sqlite3"]


def contenders(build_dir):
    catalogue = {entry.name: entry for entry in allocator_catalogue.discover(build_dir)}
    debug = [variants.debug_variant(build_dir, name, description, options)
             for name, options, description in DEBUG_VARIANTS]
    return [catalogue["glibc"], catalogue["osp"]] + debug


def geometric_mean(values):
    values = [value for value in values if value is not None]
    if not values:
        return None
    return math.exp(sum(math.log(value) for value in values) / len(values))


def ratio_text(ratio):
    return "–" if ratio is None else f"{ratio:.2f}×"


def write_tables(out, allocators, chosen, results):
    names = [allocator.name for allocator in allocators if allocator.available]
    out.write("### CPU seconds, user + system: median (min–max)\n\n")
    out.write("| workload | " + " | ".join(names) + " |\n|" + "---|" * (len(names) + 1) + "\n")
    for workload in chosen:
        cells = [variants.cell(results.get((workload.label, name), []), "cpu_seconds",
                               lambda v: f"{v:.3f}") for name in names]
        out.write(f"| {workload.label} | " + " | ".join(cells) + " |\n")
    out.write("\n### Relative to glibc (ratio of medians)\n\n")
    out.write("| workload | " + " | ".join(names[1:]) + " |\n|" + "---|" * len(names) + "\n")
    by_name = {name: [] for name in names[1:]}
    for workload in chosen:
        row = []
        for name in names[1:]:
            ratio = variants.median_ratio(results.get((workload.label, name), []),
                                          results.get((workload.label, "glibc"), []),
                                          "cpu_seconds")
            by_name[name].append(ratio)
            row.append(ratio_text(ratio))
        out.write(f"| {workload.label} | " + " | ".join(row) + " |\n")
    out.write("| **geometric mean** | " +
              " | ".join(f"**{ratio_text(geometric_mean(by_name[name]))}**"
                         for name in names[1:]) + " |\n\n")
    out.write("### What turning one check off saves (share of the default's CPU time)\n\n")
    singles = [name for name, options, _ in DEBUG_VARIANTS[1:]]
    out.write("| workload | " + " | ".join(singles) + " |\n|" + "---|" * (len(singles) + 1) +
              "\n")
    for workload in chosen:
        row = []
        for name in singles:
            ratio = variants.median_ratio(results.get((workload.label, name), []),
                                          results.get((workload.label, "ospdebug"), []),
                                          "cpu_seconds")
            row.append("–" if ratio is None else f"{(1 - ratio) * 100:+.0f}%")
        out.write(f"| {workload.label} | " + " | ".join(row) + " |\n")
    out.write("\nA positive share is time saved; one within the spread of the first table is "
              "noise.\n\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "check-cost.md"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds per run")
    parser.add_argument("--quick", action="store_true",
                        help="the workloads' quick scales, one repetition: a smoke test")
    arguments = parser.parse_args()
    allocators = contenders(arguments.build_dir)
    missing = [f"{allocator.name}: {allocator.missing}" for allocator in allocators
               if not allocator.available]
    if missing:
        print("cannot run: " + "; ".join(missing), file=sys.stderr)
        return 1
    catalogue = {workload.label: workload for workload in workload_catalogue.all_workloads()}
    chosen = [catalogue[label] for label in WORKLOADS]
    repetitions = 1 if arguments.quick else arguments.repetitions
    scale_of = (lambda w: w.quick_scale) if arguments.quick else (lambda w: w.full_scale)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as work_dir:
        results = variants.measure_table(allocators, chosen, scale_of, arguments.build_dir,
                                         repetitions, work_dir, arguments.timeout)
    load_after = os.getloadavg()
    with open(arguments.output, "w", encoding="utf-8") as out:
        out.write("# What each check of libospdebug costs\n\n")
        out.write("Generated by `bench/check_cost.py` (see docs/debug-runtime.md, \"What the "
                  "checks cost\"). Every workload under every variant in turn, "
                  f"{repetitions} repetitions interleaved, at the "
                  f"{'quick' if arguments.quick else 'full'} scales of docs/benchmarks.md; "
                  f"{os.cpu_count()} cores; load average {load_before[0]:.1f} before and "
                  f"{load_after[0]:.1f} after the run.\n\n")
        out.write("Variants (each is libospdebug preloaded with `OSP_OPTIONS=stack_depth=16` "
                  "and the options shown):\n\n")
        for allocator in allocators:
            options = next((opts for name, opts, _ in DEBUG_VARIANTS if name == allocator.name),
                           None)
            shown = f" (`{options}`)" if options else ""
            out.write(f"- `{allocator.name}`{shown}: {allocator.description}\n")
        out.write("\n")
        write_tables(out, allocators, chosen, results)
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
