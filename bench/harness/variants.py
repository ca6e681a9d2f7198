"""Side-by-side tables of libospdebug run with different options (and of other
allocators beside them): each variant is libospdebug preloaded with stack_depth=16 and
its own extra options; runs are interleaved (every allocator once per workload, then
again) and cells show the median with the min-max spread."""
import dataclasses
import statistics

from . import allocators as allocator_catalogue
from . import measure, workloads as workload_catalogue

# The extra options of each libospdebug variant, by name: added to whatever OSP_OPTIONS the
# workload sets (the exit-phase workload sets its own leak-report options).
_EXTRA_OPTIONS = {}


def debug_variant(build_dir, name, description, extra_options):
    library = allocator_catalogue.find_build_library(build_dir, "libospdebug.so")
    _EXTRA_OPTIONS[name] = extra_options
    return allocator_catalogue.Allocator(
        name, description, preload=library,
        env={"OSP_OPTIONS": "stack_depth=16:exitcode=0" + (":" + extra_options
                                                           if extra_options else "")},
        missing="" if library else "libospdebug.so is not built")


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
                                 if allocator.name in _EXTRA_OPTIONS else allocator)
                launch = workload_catalogue.launch_for(workload, as_catalogued, build_dir,
                                                       scale_of(workload), work_dir)
                if launch.missing:
                    continue
                if _EXTRA_OPTIONS.get(allocator.name) and workload.measures_exit:
                    launch.env["OSP_OPTIONS"] += ":" + _EXTRA_OPTIONS[allocator.name]
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


def median_ratio(runs, baseline_runs, field):
    """The ratio of the two medians, or None when either side has a failed or no run."""
    good = [getattr(run, field) for run in runs if run.ok]
    base = [getattr(run, field) for run in baseline_runs if run.ok]
    if not good or not base or len(good) < len(runs) or len(base) < len(baseline_runs):
        return None
    return statistics.median(good) / statistics.median(base)


def ratio_cell(runs, baseline_runs, field):
    ratio = median_ratio(runs, baseline_runs, field)
    return "–" if ratio is None else f"{ratio:.2f}×"


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
