#!/usr/bin/env python3
"""A snapshot of a real program: python3 running a script under LD_PRELOAD=libospdebug.so
with report_path set (and PYTHONMALLOC=malloc). The program must behave as without the runtime, the snapshot must
be valid (schema and site keys), the scan complete, the process section describe python,
and a block the script leaks on purpose through ctypes must be a definite leak.

  real_program_test.py LIBRARY
"""
import os
import subprocess
import sys
import tempfile

from snapshot_check import load_and_check

SCRIPT = r"""
import ctypes, json, threading
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc(4321)                     # leaked: the address is dropped at once
data = {f"key{i}": [i, str(i) * 3] for i in range(20000)}
worker = threading.Thread(target=lambda: json.dumps(data))
worker.start(); worker.join()
print(len(json.loads(json.dumps(data))))
"""

library = sys.argv[1]
failures = []
with tempfile.TemporaryDirectory() as directory:
    # PYTHONMALLOC=malloc: Python's small-object allocator takes its arenas with mmap,
    # memory a leak scan does not read; with it off, every object is a scanned block.
    environment = dict(os.environ, LD_PRELOAD=library, PYTHONMALLOC="malloc",
                       OSP_OPTIONS=f"report_path={directory}/python.%p.json")
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=environment, capture_output=True,
                            text=True, timeout=600)
    if result.returncode != 0 or result.stdout.strip() != "20000":
        failures.append(f"python failed: status {result.returncode}, stderr {result.stderr[-2000:]}")
    names = [name for name in os.listdir(directory) if name.endswith(".json")]
    if len(names) != 1:
        failures.append(f"expected one snapshot, found {names}")
    else:
        snapshot, problems = load_and_check(os.path.join(directory, names[0]))
        failures += problems
        process = snapshot["process"]
        if "python" not in os.path.basename(process["executable"]):
            failures.append(f"executable is {process['executable']}")
        if process["command_line"][:2] != [sys.executable, "-c"] and process["command_line"][1:2] != ["-c"]:
            failures.append(f"command line is {process['command_line'][:3]}")
        if not snapshot["scan"]["complete"]:
            failures.append("scan incomplete")
        if not any("libc.so" in module["path"] for module in snapshot["modules"]):
            failures.append("libc missing from modules")
        sizes = {(site["kind"], sample["size"]) for site in snapshot["leaks"] for sample in site["samples"]}
        if ("definite", 4321) not in sizes:
            failures.append("the 4321-byte block dropped by the script is not a definite leak")
        if snapshot["totals"]["by_kind"]["reachable"]["blocks"] == 0:
            failures.append("no reachable blocks: the interpreter's globals were not scanned")
        if snapshot["totals"]["live_blocks"] < 100:
            failures.append("implausibly few live blocks for a Python process")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok: python snapshot")
