#!/usr/bin/env python3
"""A fault caught at the access reaches the CI gate: the snapshot written before the abort
is read by osp-leakview, whose summary shows the error with READ/WRITE and the faulting
frame, whose SARIF result points at the faulting line, and whose gate fails on it.

  guard_leakview_test.py OSP_LEAKVIEW PROGRAM SOURCE
"""
import json
import os
import re
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)


def main():
    leakview, program, source = sys.argv[1:4]
    source_name = os.path.basename(source)
    error_line = next(number for number, line in enumerate(open(source, encoding="utf-8"), 1)
                      if "@error" in line)
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    # qemu-user's signal frames carry no esr_context: the access is ACCESS (unknown) there.
    access = "ACCESS" if target_command.emulated() else "READ"
    with tempfile.TemporaryDirectory() as folder:
        snapshot = os.path.join(folder, "fault.json")
        environment = dict(os.environ, OSP_OPTIONS=f"guard_pages=all:report_path={snapshot}")
        target_command.run([program], env=environment, capture_output=True, timeout=120)
        check(os.path.exists(snapshot), "no snapshot")
        if not failures:
            text = target_command.run([leakview, "summary", snapshot], capture_output=True, text=True)
            check(text.returncode == 0, f"summary exit {text.returncode}: {text.stderr}")
            check(re.search(rf"heap-buffer-overflow \({access}, stopped at the access\)", text.stdout),
                  "summary does not show the access")
            faulting = text.stdout.split("faulting access:", 1)[-1].split("\n")[1]
            check(f"{source_name}:{error_line}" in faulting,
                  f"summary's faulting frame is not {source_name}:{error_line}: {faulting!r}")
            sarif = target_command.run([leakview, "summary", snapshot, "--format", "sarif"],
                                       capture_output=True, text=True)
            results = [result for result in json.loads(sarif.stdout)["runs"][0]["results"]
                       if result["ruleId"] == "osp/error/heap-buffer-overflow"]
            check(len(results) == 1, "SARIF has no heap-buffer-overflow result")
            if results:
                location = results[0]["locations"][0]["physicalLocation"]
                check(location["artifactLocation"]["uri"].endswith(source_name) and
                      location["region"]["startLine"] == error_line,
                      f"SARIF location is not the faulting line: {location}")
                check(f"({access})" in results[0]["message"]["text"], f"SARIF message lacks {access}")
            gate = target_command.run([leakview, "gate", snapshot], capture_output=True, text=True)
            check(gate.returncode == 1, f"gate exit {gate.returncode}, expected 1 (an error)")
    if failures:
        print("FAILED:\n  - " + "\n  - ".join(failures))
        return 1
    print("ok: the fault reaches summary, SARIF and the gate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
