"""Starts a Windows program under wine for the Windows test runners."""
import os
import subprocess


def run_emulated(command, environment=None, timeout=300):
    """Runs command (wine, program, arguments...) and returns the completed process.

    A run that fails without printing a byte is wine failing to start the program: every
    program these tests start prints why it fails (a case program its report, osp-leakview
    its error). That happened once among the thousands of starts of the CI runs so far, on a
    loaded machine, so such a run is repeated once, and the log says so."""
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 and not result.stdout and not result.stderr:
        print(f"note: {os.path.basename(command[1])} under wine ended with status {result.returncode} "
              "and printed nothing; run once more")
        result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout)
    return result
