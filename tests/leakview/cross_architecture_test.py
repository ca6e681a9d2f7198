#!/usr/bin/env python3
"""Snapshots are portable between architectures: shop_v1 and shop_v2
(tests/leakview/programs) are built and run here, and this build's osp-leakview reads,
diffs and gates them against the committed snapshots of the same programs written on the
other architecture (tests/data/snapshots/real: x86-64, tests/data/snapshots/arm64: ARM64).
Every definite site's key matches across the two (same functions, same files), so v1
against the other's v1 is clean and the gate passes; v2 against the other's v1 fails on
exactly the new site.

  cross_architecture_test.py LEAKVIEW LIBOSPDEBUG COMPILER OTHER_SNAPSHOT_DIR
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
import target_command  # noqa: E402  (programs of the target, emulated or not)
from real_run_test import build_and_run  # noqa: E402


def definite_keys(snapshot_path):
    with open(snapshot_path, encoding="utf-8") as stream:
        snapshot = json.load(stream)
    return {site["key"]: site for site in snapshot["leaks"] if site["kind"] == "definite"}


def leakview_json(leakview, *arguments):
    result = target_command.run([leakview, *arguments, "--format", "json"], capture_output=True, text=True)
    assert result.returncode in (0, 1), f"osp-leakview {' '.join(arguments)}: exit {result.returncode}: {result.stderr}"
    return result.returncode, json.loads(result.stdout)


def main():
    leakview, library, compiler, other_dir = sys.argv[1:5]
    other_v1 = os.path.join(other_dir, "shop_v1.json")
    other_v2 = os.path.join(other_dir, "shop_v2.json")
    with tempfile.TemporaryDirectory() as directory:
        here_v1 = build_and_run(compiler, library, directory, "shop_v1")
        here_v2 = build_and_run(compiler, library, directory, "shop_v2")

        # The keys themselves: the same definite sites on both architectures.
        for here, other in ((here_v1, other_v1), (here_v2, other_v2)):
            here_keys, other_keys = definite_keys(here), definite_keys(other)
            assert len(here_keys) >= 3, f"{here}: expected the program's definite sites, got {list(here_keys)}"
            assert set(here_keys) == set(other_keys), (
                f"definite site keys differ between {here} and {other}:\n"
                f"  only here: {[here_keys[k]['frames'][0].get('function') for k in set(here_keys) - set(other_keys)]}\n"
                f"  only there: {[other_keys[k]['frames'][0].get('function') for k in set(other_keys) - set(here_keys)]}")
            for key, site in here_keys.items():
                assert (site["blocks"], site["bytes"]) == (other_keys[key]["blocks"], other_keys[key]["bytes"]), (
                    f"site {key}: {site['blocks']} blocks / {site['bytes']} bytes here, "
                    f"{other_keys[key]['blocks']} / {other_keys[key]['bytes']} there")

        # This architecture's osp-leakview on the other's snapshot, in both directions.
        for baseline, current in ((other_v1, here_v1), (here_v1, other_v1)):
            status, gate = leakview_json(leakview, "gate", current, "--baseline", baseline)
            assert status == 0, f"gate {current} against {baseline} failed: {json.dumps(gate)[:2000]}"
        _, summary = leakview_json(leakview, "summary", other_v2)
        functions = [site["title"] for site in summary["sites"]]
        assert any(title.startswith("shop::spawn_worker") for title in functions), functions

        # shop_v2 here against shop_v1 there: the new leak, and only it, fails the gate.
        status, diff = leakview_json(leakview, "diff", other_v1, here_v2)
        new = [site["title"] for site in diff["sites"] if site["change"] == "new" and site["kind"] == "definite"]
        assert len(new) == 1 and new[0].startswith("shop::spawn_worker"), f"new definite sites: {new}"
        status, _ = leakview_json(leakview, "gate", here_v2, "--baseline", other_v1)
        assert status == 1, "the gate must fail on shop_v2's new leak against the other architecture's shop_v1"
    print("cross-architecture: definite site keys match, gates pass both ways, v2's new leak fails the gate")


if __name__ == "__main__":
    main()
