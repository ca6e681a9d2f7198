#!/usr/bin/env python3
"""A snapshot of 300 leak sites and one site of 20,000 blocks (many_leak_sites.cpp) lists
every site once, with the blocks and bytes that site leaked.

  many_leak_sites_test.py PROGRAM
"""
import json
import os
import re
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

SITES = 300
CROWD_BLOCKS = 20000


def expected_sites():
    sites = {f"leak_at_site<{n}>": (n % 7 + 1, (n % 7 + 1) * 16 * (n % 5 + 1)) for n in range(SITES)}
    sites["leak_crowd"] = (CROWD_BLOCKS, CROWD_BLOCKS * 24)
    return sites


def site_name(leak):
    """The leaking function: the first frame named leak_at_site<N> or leak_crowd."""
    for frame in leak.get("frames", []):
        match = re.search(r"leak_at_site<(\d+)>|leak_crowd", frame.get("function") or "")
        if match:
            return match.group(0)
    return None


def main():
    program = sys.argv[1]
    with tempfile.TemporaryDirectory() as directory:
        snapshot = os.path.join(directory, "leaks.json")
        options = f"detect_leaks=1:exitcode=0:report_path={snapshot}:log_path={directory}/log"
        command, environment = target_command.command_and_environment(
            [program], dict(os.environ, OSP_OPTIONS=options))
        result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            sys.exit(f"FAIL: exit status {result.returncode}\n{result.stderr}")
        with open(snapshot, encoding="utf-8") as stream:
            document = json.load(stream)

    failures = []
    if not document["scan"]["complete"]:
        failures.append("the scan is not complete")
    found = {}
    for leak in document["leaks"]:
        name = site_name(leak)
        if name is None:
            continue
        if name in found:
            failures.append(f"{name} is listed twice")
        found[name] = (leak["blocks"], leak["bytes"])
    for name, counts in expected_sites().items():
        if name not in found:
            failures.append(f"{name} is missing")
        elif found[name] != counts:
            failures.append(f"{name}: {found[name]} (blocks, bytes), expected {counts}")
    if failures:
        sys.exit("FAIL:\n  " + "\n  ".join(failures[:20]))
    print(f"PASS: {len(found)} sites, each with its own blocks and bytes")


if __name__ == "__main__":
    main()
