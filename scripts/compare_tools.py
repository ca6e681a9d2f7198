#!/usr/bin/env python3
"""Runs the same programs under osp (libospdebug), ASan+LSan, valgrind memcheck and
heaptrack and writes what each one found to docs/comparison-results.md.

The programs are the error cases of tests/integration/debug/cases (one per error kind) and
the demo program in examples/. Each is built twice with the system compiler: plainly (for
osp through LD_PRELOAD, valgrind and heaptrack) and with -fsanitize=address. A tool "finds"
an error when its report names the error (osp: "ERROR: osp:", ASan: "ERROR: AddressSanitizer",
valgrind: "Invalid"/"Mismatched"/"definitely lost"...). Nothing in the output is edited by hand.

    scripts/compare_tools.py --build build/release [--output docs/comparison-results.md]
"""
import argparse
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "integration" / "debug" / "cases"
GUARD_CASES = ROOT / "tests" / "integration" / "debug" / "guard_cases"
DEMO = ROOT / "examples" / "leak_and_overflow.cpp"

OSP_PATTERN = re.compile(r"ERROR: osp: ([A-Za-z-]+)")
ASAN_PATTERN = re.compile(r"ERROR: (?:AddressSanitizer|LeakSanitizer): (.*?)(?: on address| on unknown| \(| for|:|$)", re.M)
VALGRIND_PATTERN = re.compile(
    r"(Invalid free\(\) / delete / delete\[\] / realloc\(\)|Invalid write|Invalid read|"
    r"Mismatched free\(\) / delete / delete \[\]|Argument 'size' of function \w+ has a fishy|"
    r"definitely lost in [0-9,]+ blocks|Source and destination overlap|"
    r"posix_memalign\(\) invalid|Illegal memory pool address)")


def compile_program(source, output, sanitize):
    compiler = "g++" if source.suffix == ".cpp" else "gcc"
    flags = ["-O0", "-g", "-fno-omit-frame-pointer", "-w", f"-I{ROOT / 'runtime' / 'include'}"]
    if sanitize:
        flags.append("-fsanitize=address")
    extra = []
    if "ALLOCATE" in source.read_text() or "osp" in source.read_text().split("*/", 1)[0]:
        return False  # needs the osp API: not comparable with other tools
    result = subprocess.run([compiler, *flags, str(source), "-o", str(output), "-lpthread", *extra],
                            capture_output=True, text=True)
    return result.returncode == 0


def case_options(source):
    match = re.search(r"options:\s*(\S+)", source.read_text())
    return match.group(1) if match else ""


def run(command, env_extra, timeout=120):
    env = dict(os.environ)
    env.update(env_extra)
    start = time.monotonic()
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
        output = result.stdout + result.stderr
    except subprocess.TimeoutExpired:
        output = "timeout"
    return output, time.monotonic() - start


def first(pattern, text):
    match = pattern.search(text)
    return match.group(1) if match else "—"


def built_cases(folder, work):
    """(source, plain build, ASan build, the case's OSP_OPTIONS) for every comparable case."""
    for source in sorted(folder.iterdir()):
        plain, asan = work / f"{source.stem}_plain", work / f"{source.stem}_asan"
        if compile_program(source, plain, False) and compile_program(source, asan, True):
            yield source, plain, asan, case_options(source)


def compare_cases(build, work, rows):
    osp_library = build / "runtime" / "libospdebug.so"
    for source, plain, asan, options in built_cases(CASES, work):
        osp_out, osp_time = run([str(plain)], {"LD_PRELOAD": str(osp_library), "OSP_OPTIONS": options})
        asan_out, asan_time = run([str(asan)], {"ASAN_OPTIONS": "detect_leaks=1"})
        vg_out, vg_time = run(["valgrind", "--error-exitcode=99", "--leak-check=no", str(plain)], {})
        rows.append((f"{source.name}", first(OSP_PATTERN, osp_out), first(ASAN_PATTERN, asan_out),
                     first(VALGRIND_PATTERN, vg_out).split(" in ")[0]))


def error_line(source):
    return next(number for number, line in enumerate(source.read_text().splitlines(), 1)
                if "@error" in line)


def found_at(pattern, output, source):
    """The kind a tool reported, and whether its report names the faulting line."""
    kind = first(pattern, output)
    if kind == "—":
        return kind
    named = f"{source.name}:{error_line(source)}" in output
    return f"{kind}, {'at' if named else 'not at'} line {error_line(source)}"


def compare_guard_cases(build, work, rows):
    """The bad accesses that only an at-access check catches: osp by default, osp with
    guard_pages=all, ASan and valgrind."""
    osp_library = build / "runtime" / "libospdebug.so"
    for source, plain, asan, options in built_cases(GUARD_CASES, work):
        default_out, _ = run([str(plain)], {"LD_PRELOAD": str(osp_library), "OSP_OPTIONS": options})
        guard_options = "guard_pages=all" + (":" + options if options else "")
        guard_out, _ = run([str(plain)], {"LD_PRELOAD": str(osp_library), "OSP_OPTIONS": guard_options})
        asan_out, _ = run([str(asan)], {"ASAN_OPTIONS": "detect_leaks=0"})
        vg_out, _ = run(["valgrind", "--error-exitcode=99", "--leak-check=no", str(plain)], {})
        rows.append((source.name, first(OSP_PATTERN, default_out), found_at(OSP_PATTERN, guard_out, source),
                     found_at(ASAN_PATTERN, asan_out, source),
                     found_at(VALGRIND_PATTERN, vg_out, source).split(" in ")[0]))


def compare_leaks(build, work, lines):
    """The demo program: leaks by kind from each tool, and the leak check under gdb."""
    plain, asan = work / "demo_plain", work / "demo_asan"
    include = f"-I{ROOT / 'runtime' / 'include'}"
    library = build / "runtime"
    subprocess.run(["g++", "-O1", "-g", "-fno-omit-frame-pointer", include, str(DEMO), "-o", str(plain),
                    f"-L{library}", "-lospdebug", f"-Wl,-rpath,{library}"], check=True)
    subprocess.run(["g++", "-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address", include, str(DEMO),
                    "-o", str(asan), str(library / "libosp.a"), "-lpthread"], check=True)
    snapshot = work / "demo.json"
    osp_out, osp_time = run([str(plain)], {"OSP_OPTIONS": f"halt_on_error=0:detect_leaks=1:exitcode=0:report_path={snapshot}"})
    asan_out, asan_time = run([str(asan)], {"ASAN_OPTIONS": "halt_on_error=0:detect_leaks=1"})
    lines.append("### The demo program (examples/leak_and_overflow.cpp)\n")
    lines.append("osp's summary line:\n\n```\n" + "\n".join(
        l for l in osp_out.splitlines() if l.startswith("SUMMARY")) + "\n```\n")
    lines.append("(osp's total includes the 256-byte block from `ALLOCATE`; the ASan build takes "
                 "`ALLOCATE` from libosp's pool, which LeakSanitizer does not see.)\n")
    lines.append("ASan's summary lines:\n\n```\n" + "\n".join(
        l for l in asan_out.splitlines() if "SUMMARY" in l or "Direct leak" in l or "Indirect leak" in l)
        + "\n```\n")
    if shutil.which("gdb"):
        gdb = ["gdb", "-batch", "-ex", "run", "--args"]
        osp_gdb, _ = run([*gdb, str(plain)],
                         {"OSP_OPTIONS": f"halt_on_error=0:detect_leaks=1:exitcode=0:report_path={work / 'gdb.json'}"})
        asan_gdb, _ = run([*gdb, str(asan)], {"ASAN_OPTIONS": "halt_on_error=0:detect_leaks=1"})
        lines.append("Under `gdb -batch -ex run`:\n")
        lines.append(f"- osp wrote its snapshot: **{'yes' if (work / 'gdb.json').exists() else 'no'}**; "
                     f"summary: `{next((l for l in osp_gdb.splitlines() if 'leaked' in l), 'none')}`")
        lsan_line = next((l for l in asan_gdb.splitlines() if "LeakSanitizer" in l), "no LeakSanitizer output")
        lines.append(f"- LeakSanitizer: `{lsan_line.strip()}`\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build/release", type=pathlib.Path)
    parser.add_argument("--output", default=ROOT / "docs" / "comparison-results.md", type=pathlib.Path)
    args = parser.parse_args()
    build = args.build.resolve()
    if not (build / "runtime" / "libospdebug.so").exists():
        sys.exit(f"compare_tools: {build}/runtime/libospdebug.so not found: build the release preset first")
    missing = [tool for tool in ("valgrind", "gdb") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"compare_tools: missing {', '.join(missing)} (scripts/install-deps.sh bench)")
    rows, guard_rows, leak_lines = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        work = pathlib.Path(scratch)
        compare_cases(build, work, rows)
        compare_guard_cases(build, work, guard_rows)
        compare_leaks(build, work, leak_lines)
    text = ["# osp, ASan and valgrind on the same programs (generated)\n",
            f"Generated by `scripts/compare_tools.py` on {platform.machine()} Linux "
            f"{platform.release()}, gcc {subprocess.run(['gcc', '-dumpversion'], capture_output=True, text=True).stdout.strip()}. "
            "Each error case of `tests/integration/debug/cases` built plainly (osp by LD_PRELOAD, valgrind) "
            "and with `-fsanitize=address`; the cell is the error kind the tool reported, — when it "
            "reported none. See docs/comparison.md for what this means.\n",
            "| program | osp (libospdebug) | ASan | valgrind memcheck |", "|---|---|---|---|"]
    text += [f"| {name} | {osp} | {asan} | {valgrind} |" for name, osp, asan, valgrind in rows]
    text.append("")
    text += ["### Bad accesses caught at the instruction (tests/integration/debug/guard_cases)\n",
             "Reads past a block, reads and writes after free, and overflows followed by `_exit`: "
             "osp by default (guard bytes) and with `guard_pages=all`; a cell names the kind and "
             "whether the report names the faulting line.\n",
             "| program | osp (default) | osp guard_pages=all | ASan | valgrind memcheck |",
             "|---|---|---|---|---|"]
    text += [f"| {' | '.join(row)} |" for row in guard_rows]
    text.append("")
    text += leak_lines
    # Paths of this checkout are written relative to it: the page must not name a machine.
    args.output.write_text(("\n".join(text) + "\n").replace(str(ROOT) + "/", ""))
    print(f"compare_tools: wrote {args.output} ({len(rows)} programs)")


if __name__ == "__main__":
    main()
