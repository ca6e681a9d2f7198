"""An allocation-heavy Python program for the allocator comparison: builds and drops
dicts, lists, tuples, strings and small objects, the way ordinary Python code does.
Usage: allocation_heavy.py <rounds> (a positive integer)."""
import sys


class Record:
    __slots__ = ("key", "values", "label")

    def __init__(self, key, values, label):
        self.key = key
        self.values = values
        self.label = label


def one_round(seed):
    table = {}
    for index in range(20000):
        key = f"item-{seed}-{index}"
        values = [index * step for step in range(index % 17)]
        table[key] = Record(key, values, key.upper() + "/" + str(len(values)))
    joined = ",".join(record.label for record in table.values() if record.values)
    pairs = sorted((len(record.values), record.key) for record in table.values())
    return len(joined) + len(pairs) + sum(len(record.values) for record in table.values())


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.stderr.write("usage: allocation_heavy.py <rounds: positive integer>\n")
        return 2
    checksum = 0
    for seed in range(int(sys.argv[1])):
        checksum += one_round(seed)
    print(f"allocation_heavy checksum={checksum}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
