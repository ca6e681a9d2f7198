"""Writes docs/benchmarks.md from one run's numbers. Every number in the document comes
from the run; nothing is typed in by hand."""
import os
import platform
import subprocess

from . import micro
from .summary import best_peer, geometric_mean, ratio, ratio_range, ratios

PEERS = ["glibc", "jemalloc", "tcmalloc", "mimalloc"]
QUIET_LOAD_AVERAGE = 1.5
POOL_PAIR_SIZES = [16, 64, 256, 1024, 4096, 65536, 1 << 20, 4 << 20, 64 << 20]


def _format_bytes(count):
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count // size} {unit}"
    return f"{count} B"


def _number(value, pattern="{:.3f}"):
    return pattern.format(value) if value is not None else "—"


def _ratio_text(value, spread):
    """A ratio, and in brackets the range its runs allow when they differ."""
    if value is None:
        return "—"
    if spread is None or spread[0] == spread[1]:
        return f"{value:.2f}×"
    return f"{value:.2f}× ({spread[0]:.2f}–{spread[1]:.2f})"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_description():
    model, cores = "unknown CPU", 0
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("processor"):
                    cores += 1
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal"):
                    memory = f"{int(line.split()[1]) // 1024} MiB RAM"
    except OSError:
        pass
    compiler = subprocess.run(["gcc", "--version"], capture_output=True, text=True,
                              check=False).stdout.splitlines()[:1]
    return [f"CPU: {model}, {cores} logical cores ({os.cpu_count()} usable)",
            f"Memory: {memory}" if memory else "Memory: unknown",
            f"Kernel: {' '.join(platform.uname())}",
            f"Compiler: {compiler[0] if compiler else 'unknown'}"]


def _busy(load_average_text):
    try:
        return float(load_average_text.split()[0]) > QUIET_LOAD_AVERAGE
    except (ValueError, IndexError):
        return False


def _cell_text(cell, field, pattern):
    if cell is None:
        return "—"
    if cell.skipped:
        return "skipped"
    if cell.failures:
        return "failed"
    value = getattr(cell, field)
    return pattern(value) if value is not None else "—"


def _spread_text(cell, field, range_field):
    """Median with the (min–max) of the runs, e.g. `1.234 (1.201–1.290)`."""
    text = _cell_text(cell, field, lambda v: f"{v:.3f}")
    spread = getattr(cell, range_field, None) if cell is not None else None
    if spread and cell.runs > 1 and not cell.failures:
        text += f" ({spread[0]:.3f}–{spread[1]:.3f})"
    return text


def _result_tables(table, labels, speed_labels, names, metric):
    metric_text = "CPU time (user + system)" if metric == "cpu_seconds" else "Wall time"
    parts = ["### CPU time: user + system, median seconds (min–max)", ""]
    rows = [[label] + [_spread_text(table.get((label, name)), "cpu_seconds", "cpu_range")
                       for name in names] for label in labels]
    parts.append(_table(["workload"] + names, rows))
    parts += ["", "### Wall time: median seconds (min–max)", ""]
    rows = [[label] + [_spread_text(table.get((label, name)), "seconds", "seconds_range")
                       for name in names] for label in labels]
    parts.append(_table(["workload"] + names, rows))

    parts += ["", f"### {metric_text} relative to glibc (lower is better)", "",
              "Each ratio divides two medians; the geometric mean is over the speed workloads "
              f"({len(speed_labels)}: all but the exit-phase one).", ""]
    rows = []
    for label in labels:
        rows.append([label] + [_number(ratio(table, label, name, "glibc", metric), "{:.2f}×")
                               for name in names])
    rows.append(["**geometric mean**"] + [
        _number(geometric_mean(ratios(table, speed_labels, name, "glibc", metric).values()),
                "**{:.2f}×**") for name in names])
    parts.append(_table(["workload"] + names, rows))

    parts += ["", "### osp against the best peer, the debug runtime against ASan's runtime", "",
              "Best peer = the fastest of glibc, jemalloc, tcmalloc and mimalloc on that "
              "workload. `asan-rt` is gcc's libasan preloaded into the same binaries as the "
              "others (its allocator and interceptors, no instrumentation).", ""]
    parts += ["In brackets, the ratios the runs allow (the fastest run against the other's "
              "slowest, and the reverse): a limit inside that range is within this run's "
              "noise.", ""]
    rows = []
    osp_vs_best, debug_vs_runtime = [], []
    for label in speed_labels:
        peer = best_peer(table, label, PEERS, metric)
        against_peer = ratio(table, label, "osp", peer, metric) if peer else None
        against_runtime = ratio(table, label, "ospdebug", "asan-rt", metric)
        if against_peer is not None:
            osp_vs_best.append(against_peer)
        if against_runtime is not None:
            debug_vs_runtime.append(against_runtime)
        rows.append([label, peer or "—",
                     _ratio_text(against_peer,
                                 ratio_range(table, label, "osp", peer, metric) if peer else None),
                     _ratio_text(against_runtime,
                                 ratio_range(table, label, "ospdebug", "asan-rt", metric))])
    rows.append(["**geometric mean**", "", _number(geometric_mean(osp_vs_best), "**{:.2f}×**"),
                 _number(geometric_mean(debug_vs_runtime), "**{:.2f}×**")])
    parts.append(_table(["workload", "best peer", "osp / best peer", "ospdebug / asan-rt"], rows))

    parts += ["", "### Peak RSS (median MiB)", ""]
    rows = [[label] + [_cell_text(table.get((label, name)), "peak_rss_kib",
                                  lambda v: f"{v / 1024:.1f}") for name in names]
            for label in labels]
    rows.append(["**geometric mean vs glibc**"] + [
        _number(geometric_mean(ratios(table, speed_labels, name, "glibc", "peak_rss_kib").values()),
                "**{:.2f}×**") for name in names])
    parts.append(_table(["workload"] + names, rows))
    return parts


def _scaling_table(scaling, cores):
    parts = [f"Wall time, total work fixed; speed-up = time at 1 / time at n. This machine "
             f"has {cores} logical cores, so above {cores} threads (larson ×4; producer_consumer "
             "×2 and ×4, which are 4 and 8 threads) the threads share cores: those columns "
             "measure what contention and cross-thread frees cost, not parallel speed-up. On "
             "a machine with a core per thread, an allocator whose time holds steady here "
             "(no shared lock or cache line per allocation) would scale with the cores; one "
             "whose time grows would grow further."]
    for name, by_allocator in scaling.items():
        parts += ["", f"**{name}**", ""]
        rows = []
        for allocator, points in by_allocator.items():
            base = points[0][1]
            row = [allocator]
            for _, seconds in points:
                row.append(f"{seconds:.3f} s" if seconds else "—")
            for _, seconds in points[1:]:
                row.append(f"{base / seconds:.2f}×" if base and seconds else "—")
            rows.append(row)
        parts.append(_table(["allocator", "1", "2", "4", "speed-up 2", "speed-up 4"], rows))
    return parts


def _micro_tables(results):
    find = micro.find
    parts = ["### Pool vs system malloc in one binary (ns per operation)", ""]
    rows = []
    for size in POOL_PAIR_SIZES:
        pool = find(results, "osp_pool_benchmark", f"pair/pool/{size}")
        system = find(results, "osp_pool_benchmark", f"pair/malloc/{size}")
        rows.append([f"allocate+free {_format_bytes(size)}", _number(pool, "{:.1f}"),
                     _number(system, "{:.1f}"),
                     _number(pool / system if pool and system else None, "{:.2f}×")])
    for threads in (1, 2, 4):
        name = f"medium_pair_threads/{{}}/{2 << 20}/real_time/threads:{threads}"
        pool = find(results, "osp_pool_benchmark", name.format("pool"))
        system = find(results, "osp_pool_benchmark", name.format("malloc"))
        rows.append([f"allocate+free 2 MiB, {threads} thread{'s' if threads > 1 else ''} at once",
                     _number(pool, "{:.1f}"), _number(system, "{:.1f}"),
                     _number(pool / system if pool and system else None, "{:.2f}×")])
    for title, name in (("1e6 × 64 B then free (ms per batch)", "batch_1e6"),
                        ("cross-thread free, 4096 × 128 B per batch (ns per batch)", "cross_thread_free"),
                        ("realloc growth 16 B → 1 MiB (ns per growth series)", f"realloc_growth/{{}}/16/{1 << 20}"),
                        ("realloc growth 2 MiB → 256 MiB (ns per growth series)",
                         f"realloc_growth/{{}}/{2 << 20}/{256 << 20}"),
                        ("the same, a 4 MiB block allocated first (ns per growth series)",
                         f"realloc_growth_past_block/{{}}/{2 << 20}/{256 << 20}")):
        suffix = "/real_time" if name == "cross_thread_free" else ""
        if "{}" in name:
            pool = find(results, "osp_pool_benchmark", name.format("pool"))
            system = find(results, "osp_pool_benchmark", name.format("malloc"))
        else:
            pool = find(results, "osp_pool_benchmark", f"{name}/pool{suffix}")
            system = find(results, "osp_pool_benchmark", f"{name}/malloc{suffix}")
        divisor = 1e6 if name == "batch_1e6" else 1.0
        rows.append([title, _number(pool / divisor if pool else None, "{:.1f}"),
                     _number(system / divisor if system else None, "{:.1f}"),
                     _number(pool / system if pool and system else None, "{:.2f}×")])
    for alignment in (64, 4096, 65536):
        pool = find(results, "osp_pool_benchmark", f"aligned_pair/pool/{alignment}")
        system = find(results, "osp_pool_benchmark", f"aligned_pair/malloc/{alignment}")
        rows.append([f"aligned 256 B at {_format_bytes(alignment)}", _number(pool, "{:.1f}"),
                     _number(system, "{:.1f}"),
                     _number(pool / system if pool and system else None, "{:.2f}×")])
    parts.append(_table(["operation", "osp pool", "system malloc", "pool / malloc"], rows))

    parts += ["", "### malloc+free pair from a 10-frame stack (ns per pair)", "",
              "The same source built three ways: glibc, linked with libospdebug "
              "(OSP_OPTIONS=stack_depth=10, default quarantine), and -fsanitize=address. "
              "ASan's published figure is 161 ns per pair.", ""]
    rows = []
    for name in ("BM_MallocFreePair/16", "BM_MallocFreePair/64", "BM_MallocFreePair/256",
                 "BM_MallocFreePair/4096", "BM_NewDeleteString"):
        glibc = find(results, "osp_pair_benchmark_glibc", name)
        debug = find(results, "osp_pair_benchmark_debug", name)
        asan = find(results, "osp_pair_benchmark_asan", name)
        rows.append([name, _number(glibc, "{:.1f}"), _number(debug, "{:.1f}"),
                     _number(asan, "{:.1f}"),
                     _number(debug / asan if debug and asan else None, "{:.2f}×")])
    parts.append(_table(["benchmark", "glibc", "libospdebug", "ASan", "libospdebug / ASan"], rows))

    parts += ["", "### Debug runtime and trace parts (ns per operation)", ""]
    rows = []
    for program, names in (("osp_debug_internals_benchmark",
                            ["BM_CanaryCheck/64", "BM_CanaryCheck/4096", "BM_QuarantinePush",
                             "BM_StackDepotInternKnown"]),
                           ("osp_trace_benchmark", sorted(results.get("osp_trace_benchmark", {})))):
        for name in names:
            rows.append([f"{program}: {name}", _number(find(results, program, name), "{:.1f}")])
    parts.append(_table(["benchmark", "ns"], rows))
    return parts


STACK_CAPTURE_BEGIN = "<!-- stack-capture:begin -->"
STACK_CAPTURE_END = "<!-- stack-capture:end -->"


def _kept_section(path):
    """The stack capture section bench/unwind_cost.py wrote into the page: a run of its
    own, kept as it is when the rest of the page is regenerated."""
    try:
        with open(path, encoding="utf-8") as document:
            text = document.read()
    except OSError:
        return ""
    if STACK_CAPTURE_BEGIN not in text or STACK_CAPTURE_END not in text:
        return ""
    start = text.index(STACK_CAPTURE_BEGIN)
    return text[start:text.index(STACK_CAPTURE_END) + len(STACK_CAPTURE_END)]


def write(path, context):
    """context: a dict with the run's data (see run_comparison.py)."""
    table, workloads = context["table"], context["workloads"]
    names = [allocator.name for allocator in context["allocators"] if allocator.available]
    labels = [workload.label for workload in workloads]
    cores = os.cpu_count() or 0
    parts = ["# Benchmarks",
             "",
             "Generated by `bench/run_comparison.py` (run through `scripts/bench.sh`). Every "
             "number below comes from the run described here; rerun the command to refresh "
             "the page rather than editing it.",
             "", "## Machine", ""]
    parts += [f"- {line}" for line in machine_description()]
    parts += [f"- Load average before / after the run: {context['load_before']} / "
              f"{context['load_after']}"]
    during = context.get("load_during")
    if during:
        parts.append(f"- 1-minute load average when each run started: {during[0]:.2f} to "
                     f"{during[2]:.2f}, median {during[1]:.2f}")
    parts.append(f"- Date: {context['date']}")
    if _busy(context["load_before"]) or _busy(context["load_after"]) or \
            (during and during[1] > QUIET_LOAD_AVERAGE):
        parts += [f"- **The machine was busy during this run** (1-minute load average above "
                  f"{QUIET_LOAD_AVERAGE} on {cores} cores, from other processes): absolute "
                  "times are inflated and ratios are noisier than on a quiet machine; the "
                  "round-robin order spreads the disturbance over all allocators."]
    parts += ["", "## Command", "", "```",
              context["command"], "```", "",
              "## Method", "",
              f"- Repetitions: {context['repetitions']}, interleaved: each repetition runs every "
              "workload under every allocator in turn (round-robin), so drifts in machine load "
              "touch all allocators alike. Cells show the median and, in brackets, the fastest "
              "and slowest run: where two allocators' ranges overlap, their difference is noise.",
              "- Ratios and targets use CPU time (user + system of the program and its threads): "
              "it is what the allocator costs, and other work on a shared machine inflates it "
              "far less than wall time. Wall time is shown too, and the thread-scaling tables "
              "use it.",
              "- Wall time from spawn to reap (this includes a few milliseconds of `/usr/bin/time`, "
              "which reports the peak RSS: its `%M`, the program's `ru_maxrss`). The allocator's "
              "environment (LD_PRELOAD, OSP_OPTIONS, ASAN_OPTIONS) is set by `env` for the "
              "program alone, not for `/usr/bin/time`.",
              "- Self-written workloads (`bench/workloads/`) are built with frame pointers; the ASan "
              "column runs their `-fsanitize=address` builds. python3 and sqlite3 are the installed "
              "binaries (python3 is the interpreter its `sys.executable` names, never a launcher "
              "script that would start other processes); ASan runs them with gcc's libasan "
              "preloaded (detect_leaks=1).",
              f"- valgrind memcheck runs only the reduced set ({', '.join(context['reduced_labels'])}) "
              f"with {context['valgrind_repetitions']} repetition(s) (its cells are that run, not a median): it is 20–100× slower than "
              "the others and would not fit the time budget otherwise.",
              "- Ratios divide medians; geometric means are over the workloads where both "
              "allocators ran.", "", "## Workloads", ""]
    rows = [[w.label, f"{context['scale_of'](w):g}", "yes" if w.allocation_heavy else "no",
             "yes" if w.in_reduced_set else "no", w.summary] for w in workloads]
    parts += [_table(["workload", "scale", "allocation-heavy", "valgrind set", "what"], rows),
              "", "Self-written workloads are in `bench/workloads/` and take `<scale> [threads]`; "
              "scale 1 is their nominal size.", "", "## Allocators", ""]
    rows = [[a.name, a.description, "used" if a.available else f"**skipped**: {a.missing}"]
            for a in context["allocators"]]
    parts += [_table(["name", "what", "status"], rows), "", "## Targets", ""]
    rows = [[t.name, t.limit, t.measured or "—", f"**{t.status}**", t.detail]
            for t in context["targets"]]
    parts += [_table(["target", "limit", "measured", "status", "margin"], rows), ""]
    parts += ["## Whole programs", ""]
    if "time_vs_glibc.png" in context["images"]:
        parts += ["![time relative to glibc](img/time_vs_glibc.png)", ""]
    parts += _result_tables(table, labels, context["speed_labels"], names, context["metric"])
    if "rss_vs_glibc.png" in context["images"]:
        parts += ["", "![peak RSS relative to glibc](img/rss_vs_glibc.png)"]
    parts += ["", "## Thread scaling", ""] + _scaling_table(context["scaling"], cores)
    if "scaling.png" in context["images"]:
        parts += ["", "![scaling](img/scaling.png)"]
    parts += ["", "## Exit phase of live_blocks_at_exit", "",
              f"{context['live_blocks']} live blocks from 50 call sites, never freed. The time "
              "from the end of main to the process being reaped: the debug runtime's leak report "
              "and JSON snapshot (OSP_OPTIONS=detect_leaks=1:report_path=…), ASan's leak check, "
              "plain process teardown for the others.", ""]
    rows = [[name, _cell_text(table.get(("live_blocks_at_exit", name)), "exit_phase_seconds",
                              lambda v: f"{v * 1000:.1f} ms")] for name in names]
    parts += [_table(["allocator", "exit phase"], rows)]
    if context.get("snapshot_check"):
        parts += ["", context["snapshot_check"]]
    parts += ["", "## Micro-benchmarks", "",
              "CPU time per operation of the timed thread (wall time where the work spans "
              "threads), from Google Benchmark: the median of 5 repetitions (one in a quick "
              "run).", ""] + _micro_tables(context["micro"])
    if context.get("profile"):
        parts += ["", "## Where the time goes", ""]
        for tool, target_name, label, lines in context["profile"]:
            parts += [f"`{target_name}` missed a target; its worst workload is **{label}**. "
                      f"Top functions by {tool}:", "", "```"] + lines + ["```", ""]
    kept = _kept_section(path)
    if kept:
        parts += ["", kept]
    problems = context["problems"]
    parts += ["", "## Skipped and failed runs", ""]
    parts += [f"- {problem}" for problem in problems] if problems else ["None."]
    parts.append("")
    with open(path, "w", encoding="utf-8") as document:
        document.write("\n".join(parts))
