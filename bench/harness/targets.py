"""The project's performance targets, each checked against one run's numbers.
A target is met, missed (with by how much) or not measured (with why)."""
import dataclasses

from . import micro
from .summary import best_peer, geometric_mean, ratio, ratio_range, ratios

ASAN_PUBLISHED_PAIR_NS = 161.0


@dataclasses.dataclass
class TargetResult:
    name: str
    limit: str
    measured: str = ""
    status: str = "not measured"  # met, missed, not measured
    detail: str = ""              # how much to spare / over, or why not measured


def _check(result, value, limit, at_most, unit_format):
    """Fills `result` for value against limit (at_most: value must be <= limit)."""
    if value is None:
        result.detail = result.detail or "no data in this run"
        return result
    result.measured = unit_format(value)
    met = value <= limit if at_most else value >= limit
    result.status = "met" if met else "missed"
    if at_most:
        factor = value / limit if limit else float("inf")
        result.detail = (f"{(1 - factor) * 100:.0f}% under the limit" if met
                         else f"{factor:.2f}× the limit")
    else:
        factor = value / limit if limit else float("inf")
        result.detail = (f"{factor:.2f}× the required value" if met
                         else f"reaches {factor * 100:.0f}% of the required value")
    return result


def _note_noise(result, spread, limit):
    """Says so when the runs behind a ratio allow a verdict on either side of the limit."""
    if spread and spread[0] <= limit <= spread[1]:
        result.detail += (f"; its runs allow {spread[0]:.2f}–{spread[1]:.2f}×, on both sides "
                          "of the limit: within this run's noise")


def _times(value):
    return f"{value:.2f}×"


def _missing_allocator(result, table, labels, name):
    if not any((label, name) in table and table[(label, name)].ok for label in labels):
        result.detail = f"{name} did not run"
        return True
    return False


PEERS = ("jemalloc", "tcmalloc", "mimalloc")


def evaluate(table, workloads, micro_results, live_block_count, metric="cpu_seconds"):
    """Targets on `metric` (a Cell field: cpu_seconds or seconds) over the speed
    workloads (every workload but the exit-phase one)."""
    speed = [workload.label for workload in workloads if not workload.measures_exit]
    reduced = [workload.label for workload in workloads if workload.in_reduced_set]
    results = []

    def geomean_ratio(allocator, baseline, over, field=metric):
        return geometric_mean(ratios(table, over, allocator, baseline, field).values())

    def ran(target, over, *names):
        return not any(_missing_allocator(target, table, over, name)
                       for name in names if name != "glibc")

    def geomean_target(name, limit_text, allocator, baseline, limit, over=speed,
                       field=metric, at_most=True):
        target = TargetResult(name, limit_text)
        if ran(target, over, allocator, baseline):
            _check(target, geomean_ratio(allocator, baseline, over, field), limit, at_most,
                   _times)
        results.append(target)

    def worst_target(name, limit_text, allocator, baseline, limit, over=speed):
        """Every workload's ratio within the limit: checks the worst one."""
        target = TargetResult(name, limit_text)
        found = ratios(table, over, allocator, baseline, metric) if ran(
            target, over, allocator, baseline) else {}
        if found:
            label = max(found, key=found.get)
            _check(target, found[label], limit, True, lambda v: f"worst {v:.2f}× ({label})")
            _note_noise(target, ratio_range(table, label, allocator, baseline, metric), limit)
        results.append(target)

    geomean_target("libosp: geometric-mean time vs glibc", "≤ 0.55×", "osp", "glibc", 0.55)

    for peer in PEERS:
        target = TargetResult(f"libosp: ahead of {peer} (geometric mean vs glibc)",
                              f"osp's < {peer}'s")
        results.append(target)
        if not ran(target, speed, "osp", peer):
            continue
        # Over the workloads both ran, so a failure of one does not flatter the other.
        both = [label for label in speed
                if all(table.get((label, name)) and table[(label, name)].ok
                       for name in ("osp", peer, "glibc"))]
        ours, theirs = geomean_ratio("osp", "glibc", both), geomean_ratio(peer, "glibc", both)
        if ours is not None and theirs:
            _check(target, ours / theirs, 1.0, True,
                   lambda v, o=ours, t=theirs: f"{o:.3f}× vs {t:.3f}× (osp / {peer} {v:.2f})")
            if target.status == "met" and ours == theirs:
                target.status = "missed"

    target = TargetResult("libosp: within 10% of the best peer on every workload",
                          "every osp / best ≤ 1.10×")
    if ran(target, speed, "osp"):
        found = {}
        for label in speed:
            peer = best_peer(table, label, ("glibc",) + PEERS, metric)
            value = ratio(table, label, "osp", peer, metric) if peer else None
            if value is not None:
                found[label] = (value, peer)
        if found:
            label = max(found, key=lambda key: found[key][0])
            value, peer = found[label]
            _check(target, value, 1.10, True, lambda v: f"worst {v:.2f}× ({label}, vs {peer})")
            _note_noise(target, ratio_range(table, label, "osp", peer, metric), 1.10)
    results.append(target)

    geomean_target("libosp: peak RSS vs glibc (geometric mean)", "≤ 1.2×", "osp", "glibc", 1.2,
                   field="peak_rss_kib")
    geomean_target("libospdebug: geometric-mean time vs glibc", "≤ 2×", "ospdebug", "glibc", 2.0)
    geomean_target("libospdebug: geometric-mean time vs ASan's runtime preloaded (asan-rt)",
                   "≤ 0.4×", "ospdebug", "asan-rt", 0.4)
    worst_target("libospdebug: each workload vs ASan's runtime preloaded (asan-rt)",
                 "every ratio ≤ 0.6×", "ospdebug", "asan-rt", 0.6)
    geomean_target("libospdebug: geometric-mean time vs -fsanitize=address builds", "≤ 0.4×",
                   "ospdebug", "asan", 0.4)
    geomean_target("libospdebug: speed-up over valgrind memcheck (reduced set, geometric mean)",
                   "≥ 20×", "valgrind", "ospdebug", 20.0, over=reduced, at_most=False)
    geomean_target("libospdebug: peak RSS vs glibc (geometric mean)", "≤ 2×", "ospdebug", "glibc",
                   2.0, field="peak_rss_kib")

    target = TargetResult("Stack capture, depth 16, frame-pointer walk", "≤ 100 ns")
    _check(target, micro.find(micro_results, "osp_trace_benchmark", "BM_CaptureFramePointer/16"),
           100.0, True, lambda v: f"{v:.1f} ns")
    results.append(target)

    target = TargetResult("libospdebug malloc+free pair, 64 B, 10-frame stack "
                          f"(ASan's published figure: {ASAN_PUBLISHED_PAIR_NS:.0f} ns)", "< 80 ns")
    _check(target, micro.find(micro_results, "osp_pair_benchmark_debug", "BM_MallocFreePair/64"),
           80.0, True, lambda v: f"{v:.1f} ns")
    results.append(target)

    target = TargetResult(f"Leak snapshot at exit: 100k live blocks from 50 sites (this run: "
                          f"{live_block_count:,})", "≤ 0.3 s")
    cell = table.get(("live_blocks_at_exit", "ospdebug"))
    _check(target, cell.exit_phase_seconds if cell and cell.ok else None, 0.3, True,
           lambda v: f"{v:.3f} s")
    results.append(target)
    return results
