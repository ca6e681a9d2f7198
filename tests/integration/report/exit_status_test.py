#!/usr/bin/env python3
"""The exit snapshot records the status the program exited with: returned from main,
passed to exit() from a function, and for an unmodified program under LD_PRELOAD."""
import json
import os
import subprocess
import sys
import tempfile


def exit_status(command, env_extra):
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "snapshot.json")
        env = dict(os.environ, OSP_OPTIONS=f"report_path={path}:exitcode=0", **env_extra)
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        with open(path) as snapshot_file:
            return result.returncode, json.load(snapshot_file)["process"]["exit_status"]


def main():
    preload = sys.argv[1]
    failures = []
    cases = [
        (["python3", "-c", "pass"], 0),
        (["python3", "-c", "import sys; sys.exit(3)"], 3),
        (["bash", "-c", "exit 7"], 7),
    ]
    for command, expected in cases:
        returncode, recorded = exit_status(command, {"LD_PRELOAD": preload})
        if returncode != expected or recorded != expected:
            failures.append(f"{command}: exited {returncode}, snapshot says {recorded}, expected {expected}")
    for failure in failures:
        print("FAIL", failure)
    print(f"exit status: {len(cases) - len(failures)} of {len(cases)} cases right")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
