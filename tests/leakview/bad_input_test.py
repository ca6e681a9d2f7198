#!/usr/bin/env python3
"""Bad input and exit codes: every broken file or argument must give exit 2, nothing on
stdout, and one line on stderr of the form `osp-leakview: <file>: <where>: <problem>`
(usage errors: `osp-leakview: <problem>` or CLI11's usage message).

usage: bad_input_test.py <osp-leakview> <tests/data directory>
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)


def run(leakview, arguments, cwd):
    return target_command.run([leakview] + arguments, cwd=cwd, capture_output=True, text=True,
                              env=dict(os.environ, NO_COLOR="1"), timeout=60)


def mutations(base):
    """(name, transform of a deep copy of base, expected text in the message)."""
    def set_path(path, value):
        def apply(document):
            target = document
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
            return document
        return apply

    def delete_path(path):
        def apply(document):
            target = document
            for part in path[:-1]:
                target = target[part]
            del target[path[-1]]
            return document
        return apply

    return [
        ("newer-version", set_path(["version"], 2), "$.version: snapshot version 2 is newer"),
        ("version-zero", set_path(["version"], 0), "$.version: unknown snapshot version 0"),
        ("version-string", set_path(["version"], "1"), "$.version: expected an integer, found string"),
        ("other-format", set_path(["format"], "heaptrack"), "$: not an osp leak snapshot"),
        ("no-format", delete_path(["format"]), "$: not an osp leak snapshot"),
        ("blocks-string", set_path(["leaks", 0, "blocks"], "2"), "$.leaks[0].blocks: expected a count"),
        ("bytes-negative", set_path(["leaks", 1, "bytes"], -5), "$.leaks[1].bytes: expected a count (integer >= 0), found a negative"),
        ("bytes-fraction", set_path(["leaks", 1, "bytes"], 1.5), "$.leaks[1].bytes: expected a count (integer >= 0), found a non-integer number"),
        ("blocks-zero", set_path(["leaks", 0, "blocks"], 0), "$.leaks[0].blocks: a leak site has at least one block"),
        ("address-number", set_path(["leaks", 0, "frames", 2, "address"], 12345), "$.leaks[0].frames[2].address: expected an address"),
        ("address-not-hex", set_path(["leaks", 0, "samples", 0, "address"], "0xZZ"), "$.leaks[0].samples[0].address: \"0xZZ\" is not a hex address"),
        ("address-too-long", set_path(["modules", 0, "base"], "0x12345678901234567"), "$.modules[0].base: expected an address"),
        ("line-string", set_path(["leaks", 0, "frames", 2, "line"], "88"), "$.leaks[0].frames[2].line: expected a count"),
        ("key-short", set_path(["leaks", 0, "key"], "abc"), "$.leaks[0].key: expected 16 lowercase hex digits"),
        ("duplicate-key", lambda d: (d["leaks"].__setitem__(1, copy.deepcopy(d["leaks"][0])), d)[1], "$.leaks[1].key: duplicate site key"),
        ("kind-unknown", set_path(["leaks", 0, "kind"], "lost"), "$.leaks[0].kind: \"lost\" is not one of"),
        ("tier-unknown", set_path(["leaks", 0, "tiers"], {"tiny": {"blocks": 1, "bytes": 1}}), "$.leaks[0].tiers.tiny: unknown tier"),
        ("leaks-object", set_path(["leaks"], {}), "$.leaks: expected an array, found object"),
        ("missing-totals", delete_path(["totals"]), "$: missing member \"totals\""),
        ("missing-by-kind-entry", delete_path(["totals", "by_kind", "possible"]), "$.totals.by_kind: missing member \"possible\""),
        ("error-kind", set_path(["errors"], [{"kind": "oops", "address": "0x1", "size": 1, "thread": 1, "message": "m", "stacks": {}}]), "$.errors[0].kind: \"oops\" is not one of"),
        ("error-stack-type", set_path(["errors"], [{"kind": "double-free", "address": "0x1", "size": 1, "thread": 1, "message": "m", "stacks": {"free": 3}}]), "$.errors[0].stacks.free: expected an array"),
        ("option-array", set_path(["options", "stack_depth"], [16]), "$.options.stack_depth: an option value must be"),
        ("trigger-unknown", set_path(["process", "trigger"], "cron"), "$.process.trigger: \"cron\" is not one of"),
        ("time-shape", set_path(["process", "start_time"], "yesterday"), "$.process.start_time: expected a UTC time"),
        ("merged-count", set_path(["process"], {"merged_from": 3, "runs": [], "trigger": "merge"}), "$.process.merged_from: says 3 runs"),
        ("too-many-samples", set_path(["leaks", 0, "samples"], [{"address": "0x10", "size": 1}] * 9), "$.leaks[0].samples: at most 8 samples"),
        ("build-id", set_path(["modules", 0, "build_id"], "XYZ"), "$.modules[0].build_id: a build id is lowercase hex"),
        ("top-level-array", lambda d: [d], "$: expected an osp leak snapshot"),
    ]


def expect_input_error(leakview, arguments, cwd, file_label, fragment, failures, name):
    result = run(leakview, arguments, cwd)
    lines = result.stderr.splitlines()
    if result.returncode != 2:
        failures.append(f"{name}: exit {result.returncode}, expected 2; stderr {result.stderr!r}")
    elif result.stdout:
        failures.append(f"{name}: wrote to stdout despite bad input: {result.stdout[:200]!r}")
    elif len(lines) != 1 or not lines[0].startswith(f"osp-leakview: {file_label}: "):
        failures.append(f"{name}: stderr should be one line about {file_label}, got {result.stderr!r}")
    elif fragment not in lines[0]:
        failures.append(f"{name}: message {lines[0]!r} lacks {fragment!r}")


def main():
    leakview, data = sys.argv[1], os.path.abspath(sys.argv[2])
    snapshots = os.path.join(data, "snapshots")
    with open(os.path.join(snapshots, "base.json"), encoding="utf-8") as stream:
        base_text = stream.read()
    base = json.loads(base_text)
    failures = []
    checked = 0
    with tempfile.TemporaryDirectory() as work:
        def write(name, text):
            with open(os.path.join(work, name), "w", encoding="utf-8") as stream:
                stream.write(text)
            return name

        file_cases = [
            ("missing", "missing.json", "open: No such file or directory"),
            ("directory", os.path.basename(work) and ".", "open: is a directory"),
            ("empty", write("empty.json", ""), "empty file, not JSON"),
            ("not-json", write("notes.json", "leaks: lots\n"), "not valid JSON"),
            ("truncated", write("truncated.json", base_text[: len(base_text) // 2]), "JSON ends early (truncated file?)"),
            ("trailing-garbage", write("garbage.json", base_text + "}"), "not valid JSON"),
            ("binary", write("binary.json", "\x00\x01\x02"), "not valid JSON"),
        ]
        for name, transform, fragment in mutations(base):
            file_cases.append((name, write(f"{name}.json", json.dumps(transform(copy.deepcopy(base)))), fragment))

        for name, file_name, fragment in file_cases:
            # The same loader serves every command; try each so none prints before checking.
            for arguments in (["summary", file_name], ["diff", file_name, os.path.join(snapshots, "base.json")],
                              ["diff", os.path.join(snapshots, "base.json"), file_name],
                              ["gate", file_name], ["gate", os.path.join(snapshots, "base.json"), "--baseline", file_name],
                              ["merge", os.path.join(snapshots, "base.json"), file_name, "-o", "out.json"]):
                # diff and gate read a folder's snapshots (ci_formats_test.py checks them).
                if name == "directory" and arguments[0] in ("diff", "gate"):
                    continue
                expect_input_error(leakview, arguments, work, file_name, fragment, failures, f"{name} {arguments[0]}")
                checked += 1
        if os.path.exists(os.path.join(work, "out.json")):
            failures.append("merge wrote its output although an input was bad")

        # Suppression files.
        for name, text, fragment in [
            ("supp-no-colon", "leak shop::*\n", "line 1: expected leak:<pattern>"),
            ("supp-type", "# ok\n\nrace:shop::*\n", "line 3: unknown suppression type \"race\""),
            ("supp-empty-pattern", "leak:   \n", "line 1: empty pattern after leak:"),
        ]:
            supp = write(f"{name}.supp", text)
            expect_input_error(leakview, ["gate", os.path.join(snapshots, "base.json"), "--suppressions", supp],
                               work, supp, fragment, failures, name)
            checked += 1

        # Usage errors: exit 2, nothing on stdout.
        base_path = os.path.join(snapshots, "base.json")
        for arguments in ([], ["frobnicate"], ["summary"], ["summary", base_path, "--format", "pdf"],
                          ["summary", base_path, "--top", "-1"], ["summary", base_path, "--sort", "size"],
                          ["summary", base_path, "--kinds", "cache"], ["summary", base_path, "--kinds", ""],
                          ["diff", base_path], ["gate", base_path, "--kinds", "definite,lost"],
                          ["gate", base_path, "--kinds", ""], ["gate", base_path, "--max-bytes", "lots"],
                          ["merge", base_path], ["merge", "-o", "x.json"]):
            result = run(leakview, arguments, work)
            checked += 1
            if result.returncode != 2 or result.stdout or not result.stderr:
                failures.append(f"usage {arguments}: exit {result.returncode}, stdout {result.stdout[:100]!r}, "
                                f"stderr {result.stderr[:200]!r}")

        # --help is success on every command.
        for arguments in (["--help"], ["summary", "--help"], ["diff", "--help"], ["gate", "--help"], ["merge", "--help"]):
            result = run(leakview, arguments, work)
            checked += 1
            if result.returncode != 0 or "Usage" not in result.stdout + result.stderr:
                failures.append(f"help {arguments}: exit {result.returncode}")

        # Exit codes of the gate: 0 within limits, 1 over them.
        for arguments, expected in ((["gate", "clean.json"], 0), (["gate", "base.json"], 1),
                                    (["gate", "base.json", "--max-bytes", "11520", "--max-blocks", "14",
                                      "--kinds", "definite"], 0),
                                    (["gate", "base.json", "--max-bytes", "11519", "--max-blocks", "14",
                                      "--kinds", "definite"], 1),
                                    (["gate", "next.json", "--baseline", "base.json", "--max-bytes", "100000",
                                      "--max-blocks", "1000"], 1),
                                    (["gate", "next.json", "--baseline", "next.json", "--allow-errors"], 0),
                                    (["gate", "base.json", "--baseline", "next.json"], 1),
                                    (["gate", "clean.json", "--baseline", "base.json"], 0)):
            result = run(leakview, arguments, snapshots)
            checked += 1
            if result.returncode != expected:
                failures.append(f"exit code {arguments}: {result.returncode}, expected {expected}")

    for failure in failures:
        print("FAIL", failure)
    print(f"{checked} bad-input and exit-code checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
