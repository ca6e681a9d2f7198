"""The ratio ranges of the benchmark reports: which ratios a workload's runs allow, and a
target verdict marked as within the noise when that range holds the limit.
Usage: ratio_range_test.py <bench directory>"""
import sys
import unittest

sys.path.insert(0, sys.argv.pop(1))

from harness import targets  # noqa: E402
from harness.summary import Cell, ratio_range  # noqa: E402


def cell(median, fastest, slowest):
    return Cell(seconds=median, seconds_range=(fastest, slowest), cpu_seconds=median,
                cpu_range=(fastest, slowest), runs=3)


class RatioRange(unittest.TestCase):
    def test_the_range_pairs_each_fastest_run_with_the_other_slowest(self):
        table = {("w", "a"): cell(4.3, 4.2, 9.4), ("w", "b"): cell(8.8, 8.7, 8.9)}
        low, high = ratio_range(table, "w", "a", "b", "cpu_seconds")
        self.assertAlmostEqual(low, 4.2 / 8.9)
        self.assertAlmostEqual(high, 9.4 / 8.7)

    def test_no_range_without_both_cells_or_for_a_field_without_ranges(self):
        table = {("w", "a"): cell(1.0, 0.9, 1.1), ("w", "b"): Cell(skipped="not built")}
        self.assertIsNone(ratio_range(table, "w", "a", "b", "cpu_seconds"))
        self.assertIsNone(ratio_range(table, "w", "a", "missing", "seconds"))
        table[("w", "b")] = cell(1.0, 0.9, 1.1)
        self.assertIsNone(ratio_range(table, "w", "a", "b", "peak_rss_kib"))


class NoiseNote(unittest.TestCase):
    def verdict(self, value, spread, limit=0.6):
        result = targets.TargetResult("t", f"≤ {limit}×")
        targets._check(result, value, limit, True, targets._times)
        targets._note_noise(result, spread, limit)
        return result

    def test_a_range_across_the_limit_is_called_noise(self):
        result = self.verdict(0.49, (0.47, 1.08))
        self.assertEqual(result.status, "met")
        self.assertIn("within this run's noise", result.detail)
        self.assertIn("0.47–1.08×", result.detail)

    def test_a_range_on_one_side_of_the_limit_is_not(self):
        for value, spread in ((0.49, (0.45, 0.55)), (0.85, (0.70, 0.95))):
            result = self.verdict(value, spread)
            self.assertNotIn("noise", result.detail)
        self.assertNotIn("noise", self.verdict(0.49, None).detail)


if __name__ == "__main__":
    unittest.main()
