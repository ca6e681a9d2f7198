#!/usr/bin/env python3
"""The CI side of osp-leakview: --format github and --format codeclimate (golden outputs
in tests/data/golden/ plus format and schema checks), the `baseline` command (golden,
deterministic, read by gate like a snapshot), gate and diff over several snapshots (shell
globs, quoted patterns, folders), and bad input to each, one line and exit 2.
Set OSP_UPDATE_GOLDEN=1 to rewrite the golden files (then review the diff).

usage: ci_formats_test.py <osp-leakview> <tests/data directory>
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_test import compare  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

# A workflow command as GitHub's runner parses it (actions/toolkit command.ts): escaped
# properties (no raw ':' or ','), then '::' and the escaped message, one line each.
GITHUB_LINE = re.compile(r"::(error|warning|notice)( (file=[^,:\r\n]+,(line=[0-9]+,)?)?title=[^,:\r\n]*)?::[^\r\n]*")

# The fields GitLab reads from a Code Quality report (docs.gitlab.com, "Code Quality
# report format"), as a JSON Schema.
CODECLIMATE_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "type": {"const": "issue"},
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "pattern": "^osp/(leak|error)/"},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "categories": {"type": "array", "items": {"type": "string"}},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def run(leakview, arguments, cwd, **environment):
    env = {key: value for key, value in os.environ.items()
           if key not in ("GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "CI_PROJECT_DIR")}
    env.update(NO_COLOR="1", **environment)
    return target_command.run([leakview] + arguments, cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def check_github(name, text):
    lines = text.splitlines()
    for line in lines:
        assert GITHUB_LINE.fullmatch(line), f"{name}: not a workflow command: {line!r}"


def check_codeclimate(name, text):
    issues = json.loads(text)
    jsonschema.validate(issues, CODECLIMATE_SCHEMA)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(fingerprints) == len(set(fingerprints)), f"{name}: fingerprints must be unique"


def golden_cases():
    real = ["--no-symbolize"]
    result = []
    for fmt in ("github", "codeclimate"):
        result += [
            (f"summary-base.{fmt}", ["summary", "base.json", "--format", fmt], 0),
            (f"diff-base-next.{fmt}", ["diff", "base.json", "next.json", "--format", fmt], 0),
            (f"gate-next-baseline.{fmt}",
             ["gate", "next.json", "--baseline", "base.json", "--max-bytes", "1000", "--format", fmt], 1),
            (f"gate-real-v2-baseline.{fmt}",
             ["gate", "real/shop_v2.json", "--baseline", "real/shop_v1.json", "--format", fmt] + real, 1),
            (f"gate-clean.{fmt}", ["gate", "clean.json", "--format", fmt], 0),
        ]
    return result


def golden(leakview, snapshots, golden_dir, update, failures):
    for name, arguments, status in golden_cases():
        result = run(leakview, arguments, snapshots)
        if result.returncode != status or result.stderr:
            failures.append(f"{name}: exit {result.returncode} (expected {status}), stderr {result.stderr!r}")
            continue
        try:
            (check_github if name.endswith(".github") else check_codeclimate)(name, result.stdout)
        except (AssertionError, ValueError, jsonschema.ValidationError) as problem:
            failures.append(f"{name}: malformed: {problem}")
        compare(name, result.stdout, golden_dir, update, failures)
    # The failing gate annotates each counted site as an error at its top user frame.
    gate = run(leakview, ["gate", "next.json", "--baseline", "base.json", "--format", "github"], snapshots)
    if "::error file=/src/shop/worker_pool.cpp,line=64,title=osp leak (definite)::new over the baseline" not in gate.stdout:
        failures.append("github: the new site is not an error annotation at its top user frame")


def ci_environment(leakview, snapshots, failures):
    with tempfile.TemporaryDirectory() as work:
        summary = os.path.join(work, "summary.md")
        result = run(leakview, ["gate", "next.json", "--baseline", "base.json", "--format", "github"], snapshots,
                     GITHUB_STEP_SUMMARY=summary, GITHUB_WORKSPACE="/src/shop/")
        with open(summary, encoding="utf-8") as stream:
            markdown = stream.read()
        if not markdown.startswith("## osp leak gate: ❌ failed") or "Sites over the limits" not in markdown:
            failures.append(f"github: job summary is not the Markdown gate report: {markdown[:80]!r}")
        if "file=worker_pool.cpp,line=64" not in result.stdout:
            failures.append("github: paths are not relative to GITHUB_WORKSPACE")
        if "::error" in markdown or "::warning" in markdown:
            failures.append("github: workflow commands in the job summary")
    result = run(leakview, ["gate", "next.json", "--baseline", "base.json", "--format", "codeclimate"], snapshots,
                 CI_PROJECT_DIR="/src/shop")
    paths = {issue["location"]["path"] for issue in json.loads(result.stdout)}
    if "worker_pool.cpp" not in paths or any(path.startswith("/src/shop/") for path in paths):
        failures.append(f"codeclimate: paths are not relative to CI_PROJECT_DIR: {paths}")


def baseline_cases(leakview, snapshots, golden_dir, update, failures):
    with tempfile.TemporaryDirectory() as work:
        for name in ("base.json", "next.json", "next-shard2.json", "clean.json"):
            shutil.copy(os.path.join(snapshots, name), work)
        result = run(leakview, ["baseline", "next.json", "next-shard2.json", "-o", "one.json"], work)
        if result.returncode != 0 or result.stderr:
            failures.append(f"baseline: exit {result.returncode}: {result.stderr}")
            return
        with open(os.path.join(work, "one.json"), encoding="utf-8") as stream:
            text = stream.read()
        compare("baseline-next-shard2.json", text, golden_dir, update, failures)
        document = json.loads(text)
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs/baseline.schema.json"),
                  encoding="utf-8") as stream:
            schema = json.load(stream)
        jsonschema.validate(document, schema)
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../examples/ci-gate/leaks.baseline.json"),
                  encoding="utf-8") as stream:
            jsonschema.validate(json.load(stream), schema)
        keys = [site["key"] for site in document["sites"]]
        if keys != sorted(keys) or len(keys) != len(set(keys)):
            failures.append("baseline: sites are not sorted by unique key")
        if len(text.splitlines()) != len(keys) + 7:
            failures.append("baseline: not one line per site")
        if re.search(r'"pid"|_time|"address"|0x[0-9a-f]{6,}|/src/', text):
            failures.append("baseline: run-specific data (pid, time, address or directory) in it")
        # The same sites from the inputs in another order: the same bytes.
        run(leakview, ["baseline", "next-shard2.json", "next.json", "-o", "two.json"], work)
        with open(os.path.join(work, "two.json"), encoding="utf-8") as stream:
            if stream.read() != text:
                failures.append("baseline: depends on the order of its inputs")
        summary = run(leakview, ["summary", "one.json"], work)
        if summary.returncode != 0 or "process: none recorded (a baseline: leak sites only)" not in summary.stdout:
            failures.append(f"summary of a baseline: {summary.stdout[:200]!r} {summary.stderr!r}")
        # gate reads a baseline as it reads the snapshot it came from.
        run(leakview, ["baseline", "base.json", "-o", "base.baseline.json", "--kinds", "all"], work)
        from_snapshot = run(leakview, ["gate", "next.json", "--baseline", "base.json", "--format", "json",
                                       "--allow-errors"], work)
        from_baseline = run(leakview, ["gate", "next.json", "--baseline", "base.baseline.json", "--format", "json",
                                       "--allow-errors"], work)
        checks = [json.loads(result.stdout)["checks"] for result in (from_snapshot, from_baseline)]
        keys = [[site["key"] for site in json.loads(result.stdout)["sites"]] for result in (from_snapshot, from_baseline)]
        if from_baseline.returncode != from_snapshot.returncode or checks[0] != checks[1] or keys[0] != keys[1]:
            failures.append(f"gate: a baseline file and its snapshot give different results: {checks}")


def multi_file_cases(leakview, snapshots, failures):
    """The docs' recipe `gate --baseline base.*.json next.*.json` with several files per glob."""
    with tempfile.TemporaryDirectory() as work:
        for source, target in (("base.json", "base.101.json"), ("clean.json", "base.7.json"),
                               ("next.json", "next.101.json"), ("next-shard2.json", "next.7.json")):
            shutil.copy(os.path.join(snapshots, source), os.path.join(work, target))
        os.mkdir(os.path.join(work, "next"))
        for name in ("next.101.json", "next.7.json"):
            shutil.copy(os.path.join(work, name), os.path.join(work, "next", name))
        run(leakview, ["merge", "base.101.json", "base.7.json", "-o", "base-merged.json"], work)
        run(leakview, ["merge", "next.101.json", "next.7.json", "-o", "next-merged.json"], work)
        options = ["--format", "json", "--allow-errors"]
        expected = run(leakview, ["gate", "next-merged.json", "--baseline", "base-merged.json"] + options, work)
        forms = {
            "shell-expanded globs": ["gate", "--baseline", "base.101.json", "base.7.json", "next.101.json",
                                     "next.7.json"],
            "quoted patterns": ["gate", "--baseline", "base.*.json", "next.*.json"],
            "snapshots first": ["gate", "next.101.json", "next.7.json", "--baseline", "base.101.json", "base.7.json"],
            "a folder": ["gate", "next", "--baseline", "base.*.json"],
        }
        for form, arguments in forms.items():
            result = run(leakview, arguments + options, work)
            if result.returncode != expected.returncode or result.stderr:
                failures.append(f"gate with {form}: exit {result.returncode}, stderr {result.stderr!r}")
                continue
            if json.loads(result.stdout)["checks"] != json.loads(expected.stdout)["checks"]:
                failures.append(f"gate with {form}: not the gate of the merged snapshots")
        diff = run(leakview, ["diff", "base.*.json", "next", "--format", "json"], work)
        merged_diff = run(leakview, ["diff", "base-merged.json", "next-merged.json", "--format", "json"], work)
        if diff.returncode != 0 or json.loads(diff.stdout)["sites"] != json.loads(merged_diff.stdout)["sites"]:
            failures.append(f"diff over patterns and folders: {diff.stderr}")


def bad_input_cases(leakview, snapshots, failures):
    with tempfile.TemporaryDirectory() as work:
        for name in ("base.json", "next.json"):
            shutil.copy(os.path.join(snapshots, name), work)
        os.mkdir(os.path.join(work, "empty"))

        def write(name, document):
            with open(os.path.join(work, name), "w", encoding="utf-8") as stream:
                json.dump(document, stream)

        site = {"key": "0123456789abcdef", "kind": "definite", "blocks": 1, "bytes": 8, "frames": []}
        write("version.json", {"format": "osp-leak-baseline", "version": 9, "sites": []})
        write("twice.json", {"format": "osp-leak-baseline", "version": 1, "sites": [site, site]})
        write("badkey.json", {"format": "osp-leak-baseline", "version": 1, "sites": [dict(site, key="XYZ")]})
        write("nosites.json", {"format": "osp-leak-baseline", "version": 1})
        cases = [
            (["baseline", "-o", "out.json"], "snapshots is required"),
            (["baseline", "next.json"], "--output is required"),
            (["baseline", "next.json", "-o", "out.json", "--kinds", "leaky"], "--kinds: unknown leak kind \"leaky\""),
            (["baseline", "next.json", "-o", "missing/out.json"], "missing/out.json: write: cannot create"),
            (["baseline", "nothing.*.json", "-o", "out.json"], "nothing.*.json: open: no snapshots match this pattern"),
            (["baseline", "empty", "-o", "out.json"], "empty: open: no snapshots (*.json) found in this folder"),
            (["gate", "empty", "--baseline", "base.json"], "empty: open: no snapshots (*.json) found"),
            (["gate", "next.*.jsn", "--baseline", "base.json"], "next.*.jsn: open: no snapshots match"),
            (["gate", "--baseline", "base.json"], "gate: name the snapshots to check"),
            (["gate", "--baseline", "base.json", "a.json", "b.json"], "cannot tell the baseline files from the snapshots"),
            (["gate", "next.json", "--baseline", "version.json"], "version.json: $.version: unknown baseline version 9"),
            (["gate", "next.json", "--baseline", "twice.json"], "twice.json: $.sites[1].key: site key 0123456789abcdef appears twice"),
            (["gate", "next.json", "--baseline", "badkey.json"], "badkey.json: $.sites[0].key: expected 16 lowercase hex digits"),
            (["gate", "next.json", "--baseline", "nosites.json"], "nosites.json: $: missing member \"sites\""),
            (["summary", "next.json", "--format", "gitlab"], "--format"),
        ]
        for arguments, expected in cases:
            result = run(leakview, arguments, work)
            lines = result.stderr.strip().splitlines()
            cli_usage = len(lines) == 2 and lines[1].startswith("Run with --help")
            if result.returncode != 2 or result.stdout or not lines or (len(lines) != 1 and not cli_usage) \
                    or expected not in lines[0]:
                failures.append(f"{arguments}: exit {result.returncode}, stdout {result.stdout[:60]!r}, "
                                f"stderr {result.stderr!r}; expected one line with {expected!r}")
        if os.path.exists(os.path.join(work, "out.json")):
            failures.append("a failed baseline command left an output file")


def main():
    leakview, data = sys.argv[1], os.path.abspath(sys.argv[2])
    snapshots = os.path.join(data, "snapshots")
    golden_dir = os.path.join(data, "golden")
    update = os.environ.get("OSP_UPDATE_GOLDEN") == "1"
    failures = []
    golden(leakview, snapshots, golden_dir, update, failures)
    ci_environment(leakview, snapshots, failures)
    baseline_cases(leakview, snapshots, golden_dir, update, failures)
    multi_file_cases(leakview, snapshots, failures)
    bad_input_cases(leakview, snapshots, failures)
    for failure in failures:
        print("FAIL", failure)
    print(f"ci formats: {len(failures)} failures" + (" (updated)" if update else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
