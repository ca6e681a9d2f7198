#!/usr/bin/env python3
"""What the guard-page modes cost, measured side by side in one run.

Two tables, each with its runs interleaved (every allocator once, then again) and
reported as median seconds and peak RSS with the min-max spread:
  1. guard_pages=sampled at its default rate against libospdebug without it, on every
     workload at the comparison's full scale;
  2. guard_pages=all against Electric Fence (LD_PRELOAD libefence) and valgrind memcheck
     on the reduced set (and python3) at the full scale.
Writes docs/guard-pages-results.md (or --output).

  bench/guard_pages.py --build-dir build/bench [--repetitions 3] [--output FILE]
"""
import argparse
import dataclasses
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import allocators as allocator_catalogue  # noqa: E402
from harness import measure, workloads as workload_catalogue  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# The guard option of each libospdebug variant, added to whatever OSP_OPTIONS the
# workload sets (the exit-phase workload sets its own leak-report options).
GUARD_OPTIONS = {}


def debug_runtime(build_dir, name, description, guard):
    library = allocator_catalogue.find_build_library(build_dir, "libospdebug.so")
    GUARD_OPTIONS[name] = guard
    return allocator_catalogue.Allocator(
        name, description, preload=library,
        env={"OSP_OPTIONS": "stack_depth=16:exitcode=0" + (":" + guard if guard else "")},
        missing="" if library else "libospdebug.so is not built")


def contenders(build_dir):
    off = debug_runtime(build_dir, "ospdebug", "libospdebug, guard_pages=off", "")
    sampled = debug_runtime(build_dir, "sampled", "libospdebug, guard_pages=sampled (default rate)",
                            "guard_pages=sampled")
    every = debug_runtime(build_dir, "all", "libospdebug, guard_pages=all", "guard_pages=all")
    efence_library = allocator_catalogue.find_system_library(["libefence.so.0.0", "libefence.so.0"])
    efence = allocator_catalogue.Allocator(
        "efence", "Electric Fence by LD_PRELOAD (libefence, Debian electric-fence)",
        preload=efence_library,
        missing="" if efence_library else "libefence not found (scripts/install-deps.sh bench)")
    valgrind = next(entry for entry in allocator_catalogue.discover(build_dir)
                    if entry.name == "valgrind")
    return [off, sampled], [every, efence, valgrind]


def measure_table(allocators, chosen_workloads, scale_of, build_dir, repetitions, work_dir,
                  timeout_seconds):
    """{(workload label, allocator name): [Measurement, ...]}, runs interleaved."""
    results = {}
    for repetition in range(repetitions):
        for workload in chosen_workloads:
            for allocator in allocators:
                if not allocator.available:
                    continue
                # Every libospdebug variant runs the exit-phase workload as ospdebug does.
                as_catalogued = (dataclasses.replace(allocator, name="ospdebug")
                                 if allocator.name in GUARD_OPTIONS else allocator)
                launch = workload_catalogue.launch_for(workload, as_catalogued, build_dir,
                                                       scale_of(workload), work_dir)
                if launch.missing:
                    continue
                if GUARD_OPTIONS.get(allocator.name) and workload.measures_exit:
                    launch.env["OSP_OPTIONS"] += ":" + GUARD_OPTIONS[allocator.name]
                outcome = measure.run(launch.argv, launch.env, launch.stdin_path,
                                      timeout_seconds=timeout_seconds)
                results.setdefault((workload.label, allocator.name), []).append(outcome)
                summary = (f"{outcome.seconds:.3f} s wall, {outcome.cpu_seconds:.3f} s CPU"
                           if outcome.ok else outcome.error[:80])
                print(f"  [{repetition + 1}/{repetitions}] {workload.label:24} {allocator.name:9} "
                      f"{summary}", flush=True)
    return results


def cell(runs, field, unit_format):
    good = [getattr(run, field) for run in runs if run.ok]
    if not runs:
        return "not run"
    if len(good) < len(runs):
        return "failed: " + next(run.error for run in runs if not run.ok)[:60].replace("|", "/")
    values = sorted(good)
    return (f"{unit_format(statistics.median(values))} "
            f"({unit_format(values[0])}–{unit_format(values[-1])})")


def ratio_cell(runs, baseline_runs, field):
    good = [getattr(run, field) for run in runs if run.ok]
    base = [getattr(run, field) for run in baseline_runs if run.ok]
    if not good or not base or len(good) < len(runs):
        return "–"
    return f"{statistics.median(good) / statistics.median(base):.2f}×"


def write_table(out, title, allocators, chosen_workloads, results, baseline):
    names = [allocator.name for allocator in allocators if allocator.available]
    out.write(f"### {title}\n\n")
    out.write("Median CPU seconds, user + system (min–max), the ratio of medians over "
              f"{baseline}'s, the same ratio for wall time, and peak RSS in MiB (min–max). CPU "
              "time is the figure to read on a loaded machine; wall time moves with the load.\n\n")
    header = ["workload"] + [f"{name} CPU s" for name in names] + \
             [f"{name} / {baseline} CPU" for name in names if name != baseline] + \
             [f"{name} / {baseline} wall" for name in names if name != baseline] + \
             [f"{name} MiB" for name in names]
    out.write("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
    for workload in chosen_workloads:
        row = [workload.label]
        row += [cell(results.get((workload.label, name), []), "cpu_seconds", lambda v: f"{v:.3f}")
                for name in names]
        for field in ("cpu_seconds", "seconds"):
            row += [ratio_cell(results.get((workload.label, name), []),
                               results.get((workload.label, baseline), []), field)
                    for name in names if name != baseline]
        row += [cell(results.get((workload.label, name), []), "peak_rss_kib",
                     lambda v: f"{v / 1024:.1f}") for name in names]
        out.write("| " + " | ".join(row) + " |\n")
    out.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--repetitions", type=int, default=5,
                        help="runs of each cell of the sampled table")
    parser.add_argument("--heavy-repetitions", type=int, default=1,
                        help="runs of each cell of the all / Electric Fence / valgrind table "
                             "(its ratios are large; one run of sqlite3 under them takes minutes)")
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "guard-pages-results.md"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds per run")
    arguments = parser.parse_args()
    cheap, heavy = contenders(arguments.build_dir)
    every_workload = workload_catalogue.all_workloads()
    reduced = [workload for workload in every_workload
               if workload.in_reduced_set or workload.name == "python3"]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as work_dir:
        print("== sampled against off, full scale")
        sampled_results = measure_table(cheap, every_workload, lambda w: w.full_scale,
                                        arguments.build_dir, arguments.repetitions, work_dir,
                                        arguments.timeout)
        print("== all against Electric Fence and valgrind, full scale")
        heavy_results = measure_table(heavy, reduced, lambda w: w.full_scale,
                                      arguments.build_dir, arguments.heavy_repetitions, work_dir,
                                      arguments.timeout)
    load_after = os.getloadavg()
    with open(arguments.output, "w", encoding="utf-8") as out:
        out.write("# Guard-page modes: measured cost\n\n")
        out.write("Generated by `bench/guard_pages.py` (see docs/debug-runtime.md, \"Stopping at "
                  "the faulting access\"). Runs interleaved, "
                  f"{arguments.repetitions} of each in the first table and "
                  f"{arguments.heavy_repetitions} in the second; {os.cpu_count()} cores; load average "
                  f"{load_before[0]:.1f} before and {load_after[0]:.1f} after the run.\n\n")
        write_table(out, "guard_pages=sampled against libospdebug without it (full scale)",
                    cheap, every_workload, sampled_results, "ospdebug")
        write_table(out, "guard_pages=all against Electric Fence and valgrind (full scale)",
                    heavy, reduced, heavy_results, "all")
        for allocator in cheap + heavy:
            out.write(f"- `{allocator.name}`: {allocator.description}"
                      f"{' — not run: ' + allocator.missing if allocator.missing else ''}\n")
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
