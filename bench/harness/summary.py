"""Turns repeated measurements into medians, ratios and geometric means.
`table` maps (workload label, allocator name) to a Cell."""
import dataclasses
import math
import statistics


@dataclasses.dataclass
class Cell:
    seconds: float = None         # median wall time of the successful runs
    seconds_range: tuple = None   # (min, max) wall time
    cpu_seconds: float = None     # median user + system CPU time
    cpu_range: tuple = None       # (min, max) CPU time
    peak_rss_kib: float = None    # median peak RSS
    exit_phase_seconds: float = None
    runs: int = 0
    failures: list = dataclasses.field(default_factory=list)
    skipped: str = ""             # why this combination did not run

    @property
    def ok(self):
        return self.seconds is not None


def summarize(measurements):
    cell = Cell(runs=len(measurements))
    good = [m for m in measurements if m.ok]
    cell.failures = [m.error for m in measurements if not m.ok]
    if good and not cell.failures:
        walls = [m.seconds for m in good]
        cell.seconds = statistics.median(walls)
        cell.seconds_range = (min(walls), max(walls))
        cpus = [m.cpu_seconds for m in good if m.cpu_seconds is not None]
        if cpus:
            cell.cpu_seconds = statistics.median(cpus)
            cell.cpu_range = (min(cpus), max(cpus))
        cell.peak_rss_kib = statistics.median(m.peak_rss_kib for m in good)
        phases = [m.exit_phase_seconds for m in good if m.exit_phase_seconds is not None]
        if phases:
            cell.exit_phase_seconds = statistics.median(phases)
    return cell


def geometric_mean(values):
    values = [value for value in values if value is not None and value > 0]
    if not values:
        return None
    return math.exp(sum(math.log(value) for value in values) / len(values))


def ratio(table, label, allocator, baseline, field="seconds"):
    """allocator's field divided by baseline's on one workload, or None."""
    mine = table.get((label, allocator))
    theirs = table.get((label, baseline))
    if not mine or not theirs or not mine.ok or not theirs.ok:
        return None
    numerator = getattr(mine, field)
    denominator = getattr(theirs, field)
    if numerator is None or not denominator:
        return None
    return numerator / denominator


_RANGE_OF = {"seconds": "seconds_range", "cpu_seconds": "cpu_range"}


def ratio_range(table, label, allocator, baseline, field="seconds"):
    """The ratios one workload's runs allow: (allocator's fastest / baseline's slowest,
    allocator's slowest / baseline's fastest), or None without both ranges. A limit inside
    it is within the run's noise."""
    range_field = _RANGE_OF.get(field)
    mine = table.get((label, allocator))
    theirs = table.get((label, baseline))
    if not range_field or not mine or not theirs or not mine.ok or not theirs.ok:
        return None
    own, base = getattr(mine, range_field), getattr(theirs, range_field)
    if not own or not base or not base[0] or not base[1]:
        return None
    return own[0] / base[1], own[1] / base[0]


def ratios(table, labels, allocator, baseline, field="seconds"):
    """{label: ratio} over the workloads where both ran."""
    found = {}
    for label in labels:
        value = ratio(table, label, allocator, baseline, field)
        if value is not None:
            found[label] = value
    return found


def best_peer(table, label, peers, field="seconds"):
    """Name of the fastest of `peers` on one workload, or None."""
    timed = [(getattr(table[(label, peer)], field), peer) for peer in peers
             if (label, peer) in table and table[(label, peer)].ok
             and getattr(table[(label, peer)], field) is not None]
    return min(timed)[1] if timed else None
