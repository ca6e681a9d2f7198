#!/usr/bin/env python3
"""Checks the options: docs/options.md documents every option of options.inc, help=1
lists them, bad input gives one clear warning line, and halt_on_error, log_path, mode and
unwind change what happens.

  options_test.py SOURCE_ROOT CLEAN_PROGRAM OVERFLOW_PROGRAM OVERFLOW_SOURCE
"""
import os
import re
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)


def run(program, options):
    environment = dict(os.environ, OSP_OPTIONS=options)
    return target_command.run([program], env=environment, capture_output=True, text=True, timeout=60)


def main():
    source_root, clean_program, overflow_program, overflow_source = sys.argv[1:5]
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    table = open(os.path.join(source_root, "runtime/src/debug/options.inc"), encoding="utf-8").read()
    options = re.findall(r"^OSP_OPTION\(([^,]+), (\w+), (\"[^\"]*\"|[^,]+),", table, re.M)
    check(len(options) >= 14, f"only {len(options)} options found in options.inc")
    docs = open(os.path.join(source_root, "docs/options.md"), encoding="utf-8").read()
    for option_type, name, default in options:
        row = re.search(rf"^\|\s*`{name}`\s*\|(.*)$", docs, re.M)
        check(row is not None, f"docs/options.md has no row for `{name}`")
        if row:
            shown_default = default.strip('"')
            check(shown_default in row.group(1) or (shown_default == "" and "(empty)" in row.group(1)),
                  f"docs/options.md row for `{name}` does not show its default {default}")
    for required in ("halt_on_error", "stack_depth", "unwind", "quarantine_mb", "fill",
                     "report_path", "verbosity", "exitcode", "log_path", "symbolize",
                     "suppressions", "check_on_exit", "mode"):
        check(any(name == required for _, name, _ in options), f"option {required} is missing")

    listing = run(clean_program, "help=1")
    check(listing.returncode == 0, "help=1 run failed")
    for _, name, _ in options:
        check(re.search(rf"^  {name} \(", listing.stderr, re.M) is not None,
              f"help=1 does not list {name}")

    unknown = run(clean_program, "foo=1:halt_on_error=1")
    check("osp: warning: unknown option 'foo' in OSP_OPTIONS (ignored)" in unknown.stderr,
          f"no warning for an unknown key: {unknown.stderr!r}")
    bad_value = run(clean_program, "stack_depth=deep")
    check(re.search(r"osp: warning: bad value for option 'stack_depth=deep' in OSP_OPTIONS "
                    r"\(expected an integer; keeping the default\)", bad_value.stderr) is not None,
          f"no warning for a bad value: {bad_value.stderr!r}")
    bad_unwind = run(clean_program, "unwind=magic")
    check("'unwind=magic'" in bad_unwind.stderr, "no warning for unwind=magic")
    check(unknown.returncode == 0 and bad_value.returncode == 0, "bad options broke the program")

    continued = run(overflow_program, "halt_on_error=0")
    check(continued.returncode == 0, f"halt_on_error=0 still stopped ({continued.returncode})")
    check("ERROR: osp: heap-buffer-overflow" in continued.stderr, "halt_on_error=0: no report")
    check("ABORTING" not in continued.stderr, "halt_on_error=0 printed ABORTING")

    with tempfile.TemporaryDirectory() as directory:
        base = os.path.join(directory, "osp-log")
        logged = run(overflow_program, f"log_path={base}")
        check("ERROR: osp" not in logged.stderr, "log_path: the report still went to stderr")
        files = [name for name in os.listdir(directory) if name.startswith("osp-log.")]
        check(len(files) == 1, f"log_path: expected one <log_path>.<pid> file, found {files}")
        if files:
            check(re.fullmatch(r"osp-log\.\d+", files[0]) is not None, f"bad log name {files[0]}")
            text = open(os.path.join(directory, files[0]), encoding="utf-8").read()
            check("ERROR: osp: heap-buffer-overflow" in text, "log_path: report missing in file")
        # A run with nothing to report (the leak check included) leaves no file behind.
        clean_base = os.path.join(directory, "clean-log")
        quiet = run(clean_program, f"log_path={clean_base}:detect_leaks=1")
        check(quiet.returncode == 0, f"log_path: the clean program failed ({quiet.returncode})")
        leftovers = [name for name in os.listdir(directory) if name.startswith("clean-log.")]
        check(not leftovers, f"log_path: a clean run created {leftovers}")

    hardened = run(overflow_program, "mode=hardened")
    check("ERROR: osp: heap-buffer-overflow" in hardened.stderr, "mode=hardened misses overflow")
    check("no stack captured" in hardened.stderr, "mode=hardened still captured stacks")
    override = run(overflow_program, "stack_depth=8:mode=hardened")
    check("no stack captured" not in override.stderr and "make_buffer" in override.stderr,
          "an explicit option did not override the preset")
    unwound = run(overflow_program, "unwind=libunwind")
    source_name = os.path.basename(overflow_source)
    check("make_buffer" in unwound.stderr and source_name in unwound.stderr,
          "unwind=libunwind: allocation stack lacks make_buffer")
    raw = run(overflow_program, "symbolize=0")
    check("make_buffer" not in raw.stderr and re.search(r"#0 0x[0-9a-f]+", raw.stderr),
          "symbolize=0 still symbolized")

    if failures:
        for failure in failures:
            print(f"FAILED: {failure}")
        return 1
    print(f"ok: {len(options)} options checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
