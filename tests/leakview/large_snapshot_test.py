#!/usr/bin/env python3
"""Summary of a large generated snapshot (about 20 MB, make_large_snapshot.py): the command
succeeds and its totals, site count and top sites match what the file says. No timing is
asserted here; docs/leakview.md ("Speed") has the measured figures.

usage: large_snapshot_test.py <osp-leakview> [megabytes]
"""
import json
import os
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = 5


def main():
    leakview = sys.argv[1]
    megabytes = sys.argv[2] if len(sys.argv) > 2 else "20"
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "large.json")
        subprocess.run([sys.executable, os.path.join(HERE, "make_large_snapshot.py"), path,
                        "--megabytes", megabytes], check=True)
        assert os.path.getsize(path) >= float(megabytes) * 1024 * 1024 * 0.95, "generator wrote too little"
        with open(path) as file:
            snapshot = json.load(file)
        result = target_command.run([leakview, "summary", path, "--format", "json", "--top", str(TOP)],
                                    capture_output=True, text=True)
        assert result.returncode == 0, f"summary failed ({result.returncode}): {result.stderr}"
        assert result.stderr == "", result.stderr
        summary = json.loads(result.stdout)

    leaks = snapshot["leaks"]
    by_kind = {kind: {"blocks": 0, "bytes": 0} for kind in ("definite", "indirect", "possible", "reachable")}
    for site in leaks:
        by_kind[site["kind"]]["blocks"] += site["blocks"]
        by_kind[site["kind"]]["bytes"] += site["bytes"]
    totals = summary["totals"]
    assert totals["sites"] == len(leaks), (totals["sites"], len(leaks))
    assert totals["by_kind"] == by_kind, (totals["by_kind"], by_kind)
    assert totals["live_bytes"] == sum(site["bytes"] for site in leaks)
    assert totals["live_blocks"] == sum(site["blocks"] for site in leaks)

    # Sites are listed for the kinds that count (no leak_kinds option: definite, indirect).
    counted = [site for site in leaks if site["kind"] in ("definite", "indirect")]
    others = [site for site in leaks if site["kind"] not in ("definite", "indirect")]
    assert summary["kinds"] == ["definite", "indirect"], summary["kinds"]
    largest = sorted(counted, key=lambda site: (-site["bytes"], site["key"]))
    assert [site["key"] for site in summary["sites"]] == [site["key"] for site in largest[:TOP]]
    assert summary["hidden_sites"] == len(counted) - TOP
    assert summary["hidden"] == {"blocks": sum(site["blocks"] for site in largest[TOP:]),
                                 "bytes": sum(site["bytes"] for site in largest[TOP:])}
    assert summary["unlisted"]["sites"] == len(others) > 0
    assert summary["unlisted"]["bytes"] == sum(site["bytes"] for site in others)
    print(f"large snapshot: {len(leaks)} sites, totals and top {TOP} sites match")


if __name__ == "__main__":
    main()
