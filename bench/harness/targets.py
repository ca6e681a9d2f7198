"""The project's performance targets, each checked against one run's numbers.
A target is met, missed (with by how much) or not measured (with why)."""
import dataclasses

from . import micro
from .summary import best_peer, geometric_mean, ratio, ratios

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

    def worst_ratio(allocator, baseline, over, field=metric):
        found = ratios(table, over, allocator, baseline, field)
        if not found:
            return None, ""
        label = max(found, key=found.get)
        return found[label], label

    target = TargetResult("libosp: geometric-mean time vs glibc", "≤ 0.55×")
    if not _missing_allocator(target, table, speed, "osp"):
        _check(target, geomean_ratio("osp", "glibc", speed), 0.55, True, _times)
    results.append(target)

    for peer in PEERS:
        target = TargetResult(f"libosp: ahead of {peer} (geometric mean vs glibc)",
                              f"osp's < {peer}'s")
        if _missing_allocator(target, table, speed, "osp") or \
                _missing_allocator(target, table, speed, peer):
            results.append(target)
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
        results.append(target)

    target = TargetResult("libosp: within 10% of the best peer on every workload",
                          "every osp / best ≤ 1.10×")
    if not _missing_allocator(target, table, speed, "osp"):
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
    results.append(target)

    target = TargetResult("libosp: peak RSS vs glibc (geometric mean)", "≤ 1.2×")
    if not _missing_allocator(target, table, speed, "osp"):
        _check(target, geomean_ratio("osp", "glibc", speed, "peak_rss_kib"), 1.2, True, _times)
    results.append(target)

    target = TargetResult("libospdebug: geometric-mean time vs glibc", "≤ 2×")
    if not _missing_allocator(target, table, speed, "ospdebug"):
        _check(target, geomean_ratio("ospdebug", "glibc", speed), 2.0, True, _times)
    results.append(target)

    target = TargetResult("libospdebug: geometric-mean time vs ASan's runtime preloaded (asan-rt)",
                          "≤ 0.4×")
    if not _missing_allocator(target, table, speed, "ospdebug") and \
            not _missing_allocator(target, table, speed, "asan-rt"):
        _check(target, geomean_ratio("ospdebug", "asan-rt", speed), 0.4, True, _times)
    results.append(target)

    target = TargetResult("libospdebug: each workload vs ASan's runtime preloaded (asan-rt)",
                          "every ratio ≤ 0.6×")
    if not _missing_allocator(target, table, speed, "ospdebug") and \
            not _missing_allocator(target, table, speed, "asan-rt"):
        value, label = worst_ratio("ospdebug", "asan-rt", speed)
        _check(target, value, 0.6, True, lambda v: f"worst {v:.2f}× ({label})")
    results.append(target)

    target = TargetResult("libospdebug: geometric-mean time vs -fsanitize=address builds",
                          "≤ 0.4×")
    if not _missing_allocator(target, table, speed, "ospdebug"):
        _check(target, geomean_ratio("ospdebug", "asan", speed), 0.4, True, _times)
    results.append(target)

    target = TargetResult("libospdebug: speed-up over valgrind memcheck (reduced set, geometric mean)",
                          "≥ 20×")
    if not _missing_allocator(target, table, reduced, "valgrind"):
        _check(target, geomean_ratio("valgrind", "ospdebug", reduced), 20.0, False, _times)
    results.append(target)

    target = TargetResult("libospdebug: peak RSS vs glibc (geometric mean)", "≤ 2×")
    if not _missing_allocator(target, table, speed, "ospdebug"):
        _check(target, geomean_ratio("ospdebug", "glibc", speed, "peak_rss_kib"), 2.0, True, _times)
    results.append(target)

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
