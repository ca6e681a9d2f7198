#!/usr/bin/env python3
"""Golden-output tests: every command in every format, compared byte for byte with
tests/data/golden/.  Set OSP_UPDATE_GOLDEN=1 to rewrite the golden files after a
deliberate change (then review the diff).  Also checks each output is well-formed for
its format (JSON parses, JUnit/HTML shape, SARIF version, folded line syntax).

usage: golden_test.py <osp-leakview> <tests/data directory>
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

FORMATS = {"text": "txt", "json": "json", "markdown": "md", "junit": "xml",
           "sarif": "sarif", "folded": "folded", "html": "html"}


def cases():
    """(name, arguments, expected exit code); paths are relative to the snapshots dir."""
    result = []
    for fmt in FORMATS:
        result.append((f"summary-base.{fmt}", ["summary", "base.json", "--format", fmt], 0))
        result.append((f"summary-next.{fmt}", ["summary", "next.json", "--format", fmt], 0))
        result.append((f"diff-base-next.{fmt}", ["diff", "base.json", "next.json", "--format", fmt], 0))
        result.append((f"gate-next-baseline.{fmt}",
                       ["gate", "next.json", "--baseline", "base.json", "--max-bytes", "1000",
                        "--format", fmt], 1))
    # Snapshots of real runs (tests/leakview/programs, regenerate_real_snapshots.sh). Not
    # symbolized here: offline symbolization would use this machine's system libraries.
    for fmt in FORMATS:
        real = ["--no-symbolize", "--format", fmt]
        result.append((f"summary-real-v1.{fmt}", ["summary", "real/shop_v1.json"] + real, 0))
        result.append((f"summary-real-v2.{fmt}", ["summary", "real/shop_v2.json"] + real, 0))
        result.append((f"diff-real-v1-v2.{fmt}", ["diff", "real/shop_v1.json", "real/shop_v2.json"] + real, 0))
        result.append((f"gate-real-v2-baseline.{fmt}",
                       ["gate", "real/shop_v2.json", "--baseline", "real/shop_v1.json"] + real, 1))
    result += [
        ("summary-base-by-count-top3.text", ["summary", "base.json", "--sort", "count", "--top", "3"], 0),
        # Reachable (and possible) sites are listed only when asked.
        ("summary-base-show-reachable.text", ["summary", "base.json", "--show-reachable"], 0),
        ("summary-base-all-kinds.json", ["summary", "base.json", "--kinds", "all", "--format", "json"], 0),
        ("summary-real-v1-show-reachable.folded",
         ["summary", "real/shop_v1.json", "--no-symbolize", "--show-reachable", "--format", "folded"], 0),
        ("summary-real-v1-show-reachable.html",
         ["summary", "real/shop_v1.json", "--no-symbolize", "--show-reachable", "--format", "html"], 0),
        ("summary-clean.text", ["summary", "clean.json"], 0),
        ("diff-identical.text", ["diff", "base.json", "base.json"], 0),
        ("gate-clean.text", ["gate", "clean.json"], 0),
        ("gate-clean.junit", ["gate", "clean.json", "--format", "junit"], 0),
        ("gate-base-limits.text", ["gate", "base.json", "--max-bytes", "20000", "--max-blocks", "100"], 0),
        ("gate-base-all-kinds.text", ["gate", "base.json", "--kinds", "definite,indirect,possible,reachable"], 1),
        ("gate-next-suppressed.text",
         ["gate", "next.json", "--baseline", "base.json", "--suppressions", "../suppressions/shop.supp",
          "--allow-errors"], 0),
        ("gate-next-suppressed.json",
         ["gate", "next.json", "--baseline", "base.json", "--suppressions", "../suppressions/shop.supp",
          "--allow-errors", "--format", "json"], 0),
        ("gate-next-errors-allowed.text",
         ["gate", "next.json", "--baseline", "base.json", "--max-bytes", "5000", "--max-blocks", "10",
          "--allow-errors"], 0),
    ]
    return result


def check_well_formed(name, text):
    fmt = name.rsplit(".", 1)[1]
    if fmt in ("json", "sarif"):
        document = json.loads(text)
        if fmt == "sarif":
            assert document["version"] == "2.1.0", name
            for result in document["runs"][0]["results"]:
                assert result["ruleId"].startswith("osp/"), name
    elif fmt == "junit":
        root = ElementTree.fromstring(text.encode("utf-8"))
        suite = root.find("testsuite")
        cases_found = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases_found), name
        assert int(suite.get("failures")) == len([c for c in cases_found if c.find("failure") is not None]), name
        if name.startswith("gate-"):
            assert [c.get("name") for c in cases_found] == ["errors", "leaked bytes", "leaked blocks"], name
    elif fmt == "folded":
        for line in text.splitlines():
            assert re.fullmatch(r"[^;]+(;[^;]+)* [0-9]+", line), f"{name}: bad folded line {line!r}"
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "</html>" in text, name
        assert "://" not in text, f"{name}: the page must not reference the network"
        assert "</script" not in text.split('id="report">', 1)[1].split("</script>", 1)[0], name
    if fmt != "text":
        assert "\033[" not in text, f"{name}: colour codes outside a terminal"


def run(leakview, arguments, cwd):
    environment = dict(os.environ, NO_COLOR="1")
    return target_command.run([leakview] + arguments, cwd=cwd, capture_output=True, text=True, env=environment,
                              timeout=60)


def compare(name, actual, golden_dir, update, failures):
    path = os.path.join(golden_dir, name)
    if update:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(actual)
        return
    if not os.path.exists(path):
        failures.append(f"{name}: no golden file (run with OSP_UPDATE_GOLDEN=1)")
        return
    with open(path, encoding="utf-8") as stream:
        expected = stream.read()
    if expected != actual:
        failures.append(f"{name}: output differs from {path}")


def merge_cases(leakview, snapshots, golden_dir, update, failures):
    with tempfile.TemporaryDirectory() as work:
        inputs = [os.path.join(snapshots, name) for name in ("next.json", "next-shard2.json", "base.json")]
        result = run(leakview, ["merge", *inputs, "-o", "merged.json"], work)
        if result.returncode != 0:
            failures.append(f"merge: exit {result.returncode}: {result.stderr}")
            return
        compare("merge-stdout.text", result.stdout, golden_dir, update, failures)
        with open(os.path.join(work, "merged.json"), encoding="utf-8") as stream:
            merged_text = stream.read()
        compare("merge-next-shard2-base.json", merged_text, golden_dir, update, failures)
        merged = json.loads(merged_text)
        assert merged["process"]["merged_from"] == 3 and len(merged["process"]["runs"]) == 3
        keys = [site["key"] for site in merged["leaks"]]
        assert len(keys) == len(set(keys)), "merged keys must be unique"
        order = [(-site["bytes"], site["key"]) for site in merged["leaks"]]
        assert order == sorted(order), "merged leaks must be sorted"
        # The merged file is itself a snapshot every command accepts.
        summary = run(leakview, ["summary", "merged.json", "--top", "0"], work)
        if summary.returncode != 0:
            failures.append(f"summary of merged snapshot: exit {summary.returncode}: {summary.stderr}")
        compare("summary-merged.text", summary.stdout, golden_dir, update, failures)
        # Merging one merged snapshot with another input flattens the runs.
        again = run(leakview, ["merge", "merged.json", os.path.join(snapshots, "clean.json"), "-o", "again.json"], work)
        with open(os.path.join(work, "again.json"), encoding="utf-8") as stream:
            assert json.load(stream)["process"]["merged_from"] == 4, again.stderr


def terminal_output(leakview, arguments, cwd, environment):
    """Runs with stdout on a pseudo-terminal and returns what it printed."""
    import pty
    primary, secondary = pty.openpty()
    command, environment = target_command.command_and_environment([leakview] + arguments, environment)
    process = subprocess.Popen(command, cwd=cwd, stdout=secondary, stderr=subprocess.DEVNULL,
                               env=environment)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    process.wait(timeout=60)
    return b"".join(chunks).decode("utf-8", "replace")


def colour_cases(leakview, snapshots, failures):
    """Colour on a terminal only, and never when NO_COLOR is set or the format is not text."""
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    if "\033[" not in terminal_output(leakview, ["summary", "next.json"], snapshots, environment):
        failures.append("text on a terminal should be coloured")
    if "\033[" in terminal_output(leakview, ["summary", "next.json"], snapshots, dict(environment, NO_COLOR="1")):
        failures.append("NO_COLOR must turn colour off")
    if "\033[" in terminal_output(leakview, ["summary", "next.json", "--format", "markdown"], snapshots, environment):
        failures.append("only the text format uses colour")


def main():
    leakview, data = sys.argv[1], os.path.abspath(sys.argv[2])
    snapshots = os.path.join(data, "snapshots")
    golden_dir = os.path.join(data, "golden")
    update = os.environ.get("OSP_UPDATE_GOLDEN") == "1"
    failures = []
    for name, arguments, expected_status in cases():
        result = run(leakview, arguments, snapshots)
        if result.returncode != expected_status:
            failures.append(f"{name}: exit {result.returncode}, expected {expected_status}; stderr: {result.stderr}")
            continue
        if result.stderr:
            failures.append(f"{name}: unexpected stderr: {result.stderr}")
        try:
            check_well_formed(name, result.stdout)
        except (AssertionError, ValueError, ElementTree.ParseError) as problem:
            failures.append(f"{name}: malformed output: {problem}")
        compare(name, result.stdout, golden_dir, update, failures)
    merge_cases(leakview, snapshots, golden_dir, update, failures)
    colour_cases(leakview, snapshots, failures)
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(cases()) + 3} golden outputs checked, {len(failures)} failures" + (" (updated)" if update else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
