#!/usr/bin/env python3
"""Runs every benchmark workload under every allocator (glibc, jemalloc, tcmalloc,
mimalloc, libosp_malloc, libospdebug, ASan, valgrind memcheck), interleaved over
repetitions, plus the micro-benchmarks, checks the project's performance targets and
writes docs/benchmarks.md with plots in docs/img/.

  bench/run_comparison.py --build-dir <release build>          full run (~15 min)
  bench/run_comparison.py --build-dir <build> --quick           smoke test: 1 repetition,
                                                                small inputs, output in
                                                                <build>/bench/smoke
Exit status: 0 when every run under glibc, libosp_malloc and libospdebug succeeded (a
failure of a peer allocator, ASan or valgrind is reported in the document, not an
error of osp), 1 when one of those failed or a micro-benchmark of osp failed, 2 on bad
usage."""
import argparse
import datetime
import glob
import json
import os
import shlex
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import allocators as allocator_registry  # noqa: E402
from harness import measure, micro, plots, profile, report, targets  # noqa: E402
from harness.summary import ratios, summarize  # noqa: E402
from harness.workloads import all_workloads, launch_for  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLOW_ALLOCATORS_FULL_RUN_LIMIT_SECONDS = 600
# Allocators whose failures fail the run: the baseline and osp's own libraries.
ACCOUNTABLE_ALLOCATORS = ("glibc", "osp", "ospdebug")
# What ratios and targets compare (a summary.Cell field): CPU time; see the page's Method.
METRIC = "cpu_seconds"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPOSITORY, "build", "release"),
                        help="CMake build directory with OSP_BUILD_BENCHMARKS=ON (built)")
    parser.add_argument("--output-dir", help="where benchmarks.md and img/ go "
                        "(default: docs/ of the repository; <build>/bench/smoke with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: one repetition, small inputs")
    parser.add_argument("--repetitions", type=int, help="repetitions per cell (default 3)")
    parser.add_argument("--valgrind-repetitions", type=int, default=1,
                        help="repetitions for valgrind memcheck (default 1)")
    parser.add_argument("--asan-repetitions", type=int,
                        help="repetitions for the two ASan columns (default: --repetitions)")
    parser.add_argument("--skip-micro", action="store_true", help="skip the micro-benchmarks")
    parser.add_argument("--no-profile", action="store_true",
                        help="do not profile the worst workload when a target is missed")
    arguments = parser.parse_args()
    if arguments.repetitions is None:
        arguments.repetitions = 1 if arguments.quick else 3
    if arguments.asan_repetitions is None:
        arguments.asan_repetitions = arguments.repetitions
    if min(arguments.repetitions, arguments.valgrind_repetitions, arguments.asan_repetitions) < 1:
        parser.error("repetitions must be at least 1")
    arguments.build_dir = os.path.abspath(arguments.build_dir)
    workload_dir = os.path.join(arguments.build_dir, "bench", "workloads")
    if not os.path.isdir(workload_dir):
        parser.error(f"{workload_dir} does not exist: configure with -DOSP_BUILD_BENCHMARKS=ON "
                     "and build the osp_bench_all target first (scripts/bench.sh does both)")
    if arguments.output_dir is None:
        arguments.output_dir = (os.path.join(arguments.build_dir, "bench", "smoke")
                                if arguments.quick else os.path.join(REPOSITORY, "docs"))
    return arguments


def load_average():
    try:
        with open("/proc/loadavg", encoding="utf-8") as loadavg:
            return " ".join(loadavg.read().split()[:3])
    except OSError:
        return "unknown"


def run_workloads(arguments, allocators, workloads, work_dir, problems):
    """Interleaved runs. Returns {(label, allocator): [Measurement]} and skip reasons."""
    measurements = {}
    skipped = {}
    for repetition in range(arguments.repetitions):
        for workload in workloads:
            scale = workload.quick_scale if arguments.quick else workload.full_scale
            for allocator in allocators:
                key = (workload.label, allocator.name)
                if not allocator.available:
                    continue
                if allocator.reduced and not workload.in_reduced_set:
                    continue
                if allocator.reduced and repetition >= arguments.valgrind_repetitions:
                    continue
                if allocator.name.startswith("asan") and repetition >= arguments.asan_repetitions:
                    continue
                launch = launch_for(workload, allocator, arguments.build_dir, scale, work_dir)
                if launch.missing:
                    skipped[key] = launch.missing
                    continue
                result = measure.run(launch.argv, launch.env, launch.stdin_path,
                                     timeout_seconds=SLOW_ALLOCATORS_FULL_RUN_LIMIT_SECONDS)
                measurements.setdefault(key, []).append(result)
                status = (f"{result.seconds:7.3f} s {result.cpu_seconds or 0:7.3f} s cpu "
                          f"{result.peak_rss_kib / 1024:8.1f} MiB")
                if not result.ok:
                    status = "FAILED: " + result.error
                    problems.append(f"{workload.label} under {allocator.name} "
                                    f"(repetition {repetition + 1}): {result.error}")
                print(f"[{repetition + 1}/{arguments.repetitions}] {workload.label:24} "
                      f"{allocator.name:9} {status}", flush=True)
    return measurements, skipped


def load_range(measurements):
    """(min, median, max) of the load average at the start of each run, or None."""
    loads = sorted(m.load_average for runs in measurements.values() for m in runs
                   if m.load_average is not None)
    return (loads[0], loads[len(loads) // 2], loads[-1]) if loads else None


def build_table(measurements, skipped):
    table = {key: summarize(values) for key, values in measurements.items()}
    for key, reason in skipped.items():
        table.setdefault(key, summarize([])).skipped = reason
    return table


def scaling_data(table, allocators):
    scaling = {}
    for name in ("larson", "producer_consumer"):
        by_allocator = {}
        for allocator in allocators:
            points = []
            for threads in (1, 2, 4):
                cell = table.get((f"{name} ×{threads}", allocator.name))
                points.append((threads, cell.seconds if cell and cell.ok else None))
            if any(seconds for _, seconds in points):
                by_allocator[allocator.name] = points
        scaling[name] = by_allocator
    return scaling


def check_snapshots(work_dir):
    """Reads the debug runtime's leak snapshots of live_blocks_at_exit: proof that the
    measured exit phase did write one, and what it found."""
    paths = sorted(glob.glob(os.path.join(work_dir, "leaks.*.json")))
    if not paths:
        return "No leak snapshot was written by the debug runtime (the exit phase above " \
               "then measures no snapshot)."
    try:
        with open(paths[-1], encoding="utf-8") as stream:
            document = json.load(stream)
        totals = document.get("totals", {})
        sites = len(document.get("leaks", []))
        definite = totals.get("by_kind", {}).get("definite", {}).get("blocks")
        return (f"The last of {len(paths)} snapshot(s) is {os.path.getsize(paths[-1])} bytes: "
                f"{totals.get('live_blocks')} live blocks, {definite} definite, in {sites} "
                "leak records.")
    except (OSError, ValueError) as error:
        return f"The leak snapshot {os.path.basename(paths[-1])} could not be read: {error}"


def profile_worst(arguments, target_results, table, workloads, allocators, work_dir):
    """Profiles the worst workload (against glibc) of each osp library that missed a
    target. Returns a list of (tool, library, workload, lines)."""
    by_name = {allocator.name: allocator for allocator in allocators}
    labels = [workload.label for workload in workloads if not workload.measures_exit]
    profiles = []
    for library, prefix in (("osp", "libosp:"), ("ospdebug", "libospdebug")):
        missed = any(result.status == "missed" and result.name.startswith(prefix)
                     for result in target_results)
        if not missed or not by_name[library].available:
            continue
        found = ratios(table, labels, library, "glibc", METRIC)
        if not found:
            continue
        label = max(found, key=found.get)
        workload = next(w for w in workloads if w.label == label)
        launch = launch_for(workload, by_name[library], arguments.build_dir,
                            workload.quick_scale, work_dir)
        print(f"profiling {label} under {library} ...", flush=True)
        tool, lines = profile.profile(launch)
        profiles.append((tool or "no profiler", f"lib{library}",
                         f"{label} ({found[label]:.2f}× glibc; profiled at the --quick input size)",
                         lines))
    return profiles


def command_line(arguments):
    """The command as a reader would type it, with the build directory relative to the
    repository when it lies inside it."""
    parts = ["bench/run_comparison.py"]
    build_dir = arguments.build_dir
    if os.path.commonpath([build_dir, REPOSITORY]) == REPOSITORY:
        build_dir = os.path.relpath(build_dir, REPOSITORY)
    else:
        build_dir = "<build directory>"
    skip_next = False
    for part in sys.argv[1:]:
        if skip_next:
            skip_next = False
            continue
        if part in ("--build-dir", "--output-dir"):
            skip_next = True
            continue
        if part.startswith(("--build-dir=", "--output-dir=")):
            continue
        parts.append(shlex.quote(part))
    parts += ["--build-dir", build_dir]
    return "scripts/bench.sh" + (" --quick" if arguments.quick else "") + \
        "\n# which runs, after building the bench preset:\n" + " ".join(parts)


def main():
    arguments = parse_arguments()
    allocators = allocator_registry.discover(arguments.build_dir)
    for allocator in allocators:
        if not allocator.available:
            print(f"skipping {allocator.name}: {allocator.missing}", flush=True)
    workloads = all_workloads()
    problems = [f"allocator {a.name} skipped: {a.missing}" for a in allocators if not a.available]
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="osp-bench-") as work_dir:
        measurements, skipped = run_workloads(arguments, allocators, workloads, work_dir,
                                              problems)
        snapshot_check = check_snapshots(work_dir)
        table = build_table(measurements, skipped)
        problems += [f"{label} under {name} skipped: {reason}"
                     for (label, name), reason in sorted(skipped.items())]
        micro_results = {}
        micro_problems = []
        if not arguments.skip_micro:
            print("running micro-benchmarks ...", flush=True)
            micro_results, micro_problems = micro.run_all(arguments.build_dir, arguments.quick)
            problems += micro_problems
        live_blocks = next(w for w in workloads if w.name == "live_blocks_at_exit")
        live_scale = live_blocks.quick_scale if arguments.quick else live_blocks.full_scale
        target_results = targets.evaluate(table, workloads, micro_results,
                                          int(100000 * live_scale), METRIC)
        profile_result = []
        if not arguments.quick and not arguments.no_profile:
            profile_result = profile_worst(arguments, target_results, table, workloads,
                                           allocators, work_dir)
    os.makedirs(arguments.output_dir, exist_ok=True)
    available = [allocator.name for allocator in allocators if allocator.available]
    scaling = scaling_data(table, allocators)
    images = plots.draw(table, workloads, available, os.path.join(arguments.output_dir, "img"),
                        scaling)
    if not images:
        problems.append(f"plots skipped: {sys.executable} cannot import matplotlib "
                        "(Debian: python3-matplotlib, for the system python3)")
    context = {
        "table": table, "workloads": workloads, "allocators": allocators,
        "targets": target_results, "micro": micro_results, "scaling": scaling,
        "images": images, "problems": problems, "profile": profile_result,
        "snapshot_check": snapshot_check,
        "live_blocks": f"{int(100000 * live_scale):,}",
        "repetitions": arguments.repetitions,
        "valgrind_repetitions": min(arguments.valgrind_repetitions, arguments.repetitions),
        "reduced_labels": [w.label for w in workloads if w.in_reduced_set],
        "load_before": load_before, "load_after": load_average(),
        "load_during": load_range(measurements), "metric": METRIC,
        "speed_labels": [w.label for w in workloads if not w.measures_exit],
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": command_line(arguments),
        "scale_of": lambda w: w.quick_scale if arguments.quick else w.full_scale,
    }
    output = os.path.join(arguments.output_dir, "benchmarks.md")
    report.write(output, context)
    print(f"wrote {output}")
    for result in target_results:
        print(f"target {result.status:12} {result.name}: {result.measured or '-'} "
              f"(limit {result.limit}) {result.detail}")
    failed = sorted(key for key, cell in table.items()
                    if cell.failures and key[1] in ACCOUNTABLE_ALLOCATORS)
    for label, name in failed:
        print(f"FAILED: {label} under {name}", file=sys.stderr)
    micro_failed = [problem for problem in micro_problems if "not built" not in problem]
    for problem in micro_failed:
        print(f"FAILED: micro-benchmark {problem}", file=sys.stderr)
    return 1 if failed or micro_failed else 0


if __name__ == "__main__":
    sys.exit(main())
