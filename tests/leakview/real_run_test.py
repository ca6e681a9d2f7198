#!/usr/bin/env python3
"""Builds the two shop programs (programs/shop_v1.cpp, shop_v2.cpp) against libospdebug,
runs them with the exit-time leak report, and checks osp-leakview on the fresh snapshots:
the diff has exactly one new site (spawn_worker), one gone (open_session), one grown
(grow_log_buffer), and Cache::insert, whose lines moved, matched rather than gone + new;
`gate v2 --baseline v1` fails (exit 1) and names the new site.

usage: real_run_test.py <osp-leakview> <libospdebug.so> <c++ compiler>
"""
import json
import os
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

HERE = os.path.dirname(os.path.abspath(__file__))


def build_and_run(compiler, library, directory, program):
    executable = os.path.join(directory, program)
    subprocess.run([compiler, "-std=c++20", "-g", "-O0", "-fno-omit-frame-pointer",
                    os.path.join(HERE, "programs", program + ".cpp"), "-o", executable, library,
                    "-Wl,-rpath," + os.path.dirname(library)], check=True)
    snapshot = os.path.join(directory, program + ".json")
    environment = dict(os.environ, OSP_OPTIONS=f"detect_leaks=1:report_path={snapshot}:exitcode=0")
    run = target_command.run([executable], env=environment, capture_output=True, text=True)
    assert run.returncode == 0, f"{program} exited {run.returncode}: {run.stderr}"
    assert os.path.exists(snapshot), f"{program} wrote no snapshot: {run.stderr}"
    return snapshot


def titles(sites, change):
    return [site["title"] for site in sites if site["change"] == change]


def main():
    leakview, library, compiler = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as directory:
        before = build_and_run(compiler, library, directory, "shop_v1")
        after = build_and_run(compiler, library, directory, "shop_v2")
        diff = target_command.run([leakview, "diff", before, after, "--format", "json"], capture_output=True, text=True)
        assert diff.returncode == 0, diff.stderr
        sites = json.loads(diff.stdout)["sites"]
        gate = target_command.run([leakview, "gate", after, "--baseline", before], capture_output=True, text=True)

    new, gone, grown = titles(sites, "new"), titles(sites, "gone"), titles(sites, "grown")
    assert len(new) == 1 and new[0].startswith("shop::spawn_worker"), f"new: {new}"
    assert len(gone) == 1 and gone[0].startswith("shop::open_session"), f"gone: {gone}"
    assert len(grown) == 1 and grown[0].startswith("shop::grow_log_buffer"), f"grown: {grown}"
    grown_site = next(site for site in sites if site["change"] == "grown")
    assert grown_site["before"]["blocks"] == 2 and grown_site["after"]["blocks"] == 5, grown_site
    assert titles(sites, "shrunk") == [], titles(sites, "shrunk")

    insert = [site for site in sites if site["title"].startswith("shop::Cache::insert")]
    assert len(insert) == 1, f"Cache::insert should be one matched site, found {len(insert)}"
    assert insert[0]["change"] == "unchanged", insert[0]
    assert insert[0]["before"]["blocks"] == 3 and insert[0]["after"]["blocks"] == 3, insert[0]
    assert insert[0]["previous_key"] is not None, "the file name changed, so the match is by function names"
    after_lines = [frame.get("line") for frame in insert[0]["frames"] if frame["function"].startswith("shop::Cache")]
    assert after_lines and after_lines[0] > 30, f"v2's Cache::insert line should have moved down: {after_lines}"

    assert gate.returncode == 1, f"gate should fail on the new leak, exit {gate.returncode}: {gate.stderr}"
    assert "shop::spawn_worker" in gate.stdout, gate.stdout
    print("real runs: new spawn_worker, gone open_session, grown grow_log_buffer, Cache::insert matched; gate fails")


if __name__ == "__main__":
    main()
