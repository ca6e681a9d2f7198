#!/usr/bin/env python3
"""Leak-site stacks of real programs built without frame pointers (Debian's git and
python3): the same run under the default unwinder and under unwind=libunwind must give
stacks as deep, and every frame of every site must name a loaded module (no junk frame).
unwind=fp is run too, to show the programs really lack frame pointers (its stacks must
be much shallower, else the comparison would prove nothing).

  unwind_depth_test.py LIBRARY git|python
"""
import functools
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

PYTHON_SCRIPT = r"""
import json, collections, re
records = [json.dumps({"key": i, "values": list(range(i % 40))}) for i in range(20000)]
parsed = [json.loads(record) for record in records]
counts = collections.Counter(re.findall(r"\d+", " ".join(records)))
print(len(parsed), len(counts))
"""
# The default may lose at most this share of libunwind's average depth.
DEPTH_TOLERANCE = 0.95
# unwind=fp must stay under this share of libunwind's depth for the program to count
# as one without frame pointers.
FRAME_POINTER_SHARE = 0.5


def make_repository(directory):
    environment = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
                       GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    environment.pop("LD_PRELOAD", None)
    subprocess.run(["git", "init", "-q", directory], check=True, env=environment)
    for commit in range(40):
        for name in range(commit % 5 + 1):
            with open(os.path.join(directory, f"file{name}.txt"), "a", encoding="utf-8") as out:
                out.write(f"commit {commit} line for file {name}\n" * (commit % 3 + 1))
        subprocess.run(["git", "add", "-A"], cwd=directory, check=True, env=environment)
        subprocess.run(["git", "commit", "-q", "-m", f"change {commit}"], cwd=directory,
                       check=True, env=environment)


def leak_sites(command, library, method, directory, cwd):
    report = os.path.join(directory, f"sites.{method}.json")
    options = f"detect_leaks=1:leak_kinds=all:exitcode=0:report_path={report}"
    if method != "default":
        options += f":unwind={method}"
    environment = dict(os.environ, LD_PRELOAD=library, OSP_OPTIONS=options)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment,
                            timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(command)} under unwind={method}: exit status "
                         f"{result.returncode}\n{result.stderr[-3000:]}")
    with open(report, encoding="utf-8") as snapshot:
        return json.load(snapshot)["leaks"]


def average_depth(sites):
    return sum(len(site["frames"]) for site in sites) / max(1, len(sites))


@functools.lru_cache(maxsize=None)
def executable_segments(path):
    """[(start, end)] of the PT_LOAD segments with PF_X of a 64-bit ELF file, as
    virtual addresses (what module offsets are)."""
    with open(path, "rb") as elf:
        header = elf.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return []
        phoff, = struct.unpack_from("<Q", header, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        elf.seek(phoff)
        table = elf.read(phentsize * phnum)
    segments = []
    for index in range(phnum):
        kind, flags, _, vaddr, _, _, memsz, _ = struct.unpack_from("<IIQQQQQQ", table,
                                                                   index * phentsize)
        if kind == 1 and flags & 1:  # PT_LOAD, PF_X
            segments.append((vaddr, vaddr + memsz))
    return segments


def junk_frames(sites):
    """Frames whose return address is not in an executable segment of a module file."""
    junk = []
    for site in sites:
        for frame in site["frames"]:
            module = frame.get("module") or ""
            if module.startswith("linux-vdso"):
                continue
            offset = int(frame.get("module_offset") or "0", 16)
            if not os.path.isfile(module) or not any(
                    start <= offset - 1 < end for start, end in executable_segments(module)):
                junk.append(f"{frame.get('address')} in {module or 'no module'}+{offset:#x}")
    return junk


def main():
    library, program = os.path.abspath(sys.argv[1]), sys.argv[2]
    failures = []
    with tempfile.TemporaryDirectory() as directory:
        if program == "git":
            if shutil.which("git") is None:
                print("git is not installed")
                return 1
            repository = os.path.join(directory, "repository")
            make_repository(repository)
            command, cwd = ["git", "log", "-p", "-n", "50"], repository
        else:
            command, cwd = ["/usr/bin/python3", "-c", PYTHON_SCRIPT], directory
        results = {method: leak_sites(command, library, method, directory, cwd)
                   for method in ("default", "libunwind", "fp")}
    depths = {method: average_depth(sites) for method, sites in results.items()}
    for method, sites in results.items():
        print(f"{program} unwind={method}: {len(sites)} sites, average depth {depths[method]:.2f}")
        junk = junk_frames(sites)
        if junk:
            failures.append(f"unwind={method}: {len(junk)} frames outside any module's "
                            f"code, e.g. {junk[:3]}")
    if not results["libunwind"]:
        failures.append("unwind=libunwind found no leak sites: nothing to compare")
    if depths["default"] < DEPTH_TOLERANCE * depths["libunwind"]:
        failures.append(f"default stacks average {depths['default']:.2f} frames, libunwind's "
                        f"{depths['libunwind']:.2f}")
    if depths["fp"] > FRAME_POINTER_SHARE * depths["libunwind"]:
        failures.append(f"unwind=fp reaches {depths['fp']:.2f} frames of libunwind's "
                        f"{depths['libunwind']:.2f}: {program} has frame pointers, the test "
                        "proves nothing")
    for failure in failures:
        print("FAILED: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
