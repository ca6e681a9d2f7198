#!/usr/bin/env python3
"""Reference implementation of the leak-site key (docs/snapshot-format.md, "The site key").

Used by the tests to check that every fixture's keys follow the documented algorithm, and
by people writing fixtures by hand:  site_key.py snapshot.json  prints key, computed key.
"""
import json
import os
import sys

FNV_OFFSET_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
KEY_FRAME_COUNT = 4

RUNTIME_FUNCTION_PREFIXES = ("osp::", "os_memory::", "osp_", "operator new", "operator delete")
RUNTIME_FUNCTIONS = {"malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc",
                     "posix_memalign", "memalign", "valloc", "pvalloc"}


def fnv1a_64(data: bytes) -> int:
    value = FNV_OFFSET_BASIS
    for byte in data:
        value ^= byte
        value = (value * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return value


def base_name(path: str) -> str:
    """After the last '/' or '\\' (snapshots written on Windows have Windows paths)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def is_runtime_frame(frame) -> bool:
    if base_name(frame.get("module", "")).startswith("libosp"):
        return True
    function = frame.get("function")
    if function is None:
        return False
    return function.startswith(RUNTIME_FUNCTION_PREFIXES) or function in RUNTIME_FUNCTIONS


def frame_token(frame) -> str:
    if "function" in frame:
        return frame["function"] + "\t" + base_name(frame.get("file", ""))
    return base_name(frame["module"]) + "+" + frame["module_offset"]


def site_key(site) -> str:
    user_frames = [f for f in site["frames"] if not is_runtime_frame(f)][:KEY_FRAME_COUNT]
    tokens = [frame_token(f) for f in user_frames]
    if not tokens and site.get("origin"):
        tokens = ["ALLOCATE\t" + base_name(site["origin"]["file"])]
    text = site["kind"] + "".join("\n" + token for token in tokens)
    return "%016x" % fnv1a_64(text.encode("utf-8"))


def main(paths) -> int:
    mismatches = 0
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            snapshot = json.load(stream)
        for index, site in enumerate(snapshot["leaks"]):
            expected = site_key(site)
            if site["key"] != expected:
                mismatches += 1
                print(f"{path}: leaks[{index}]: key {site['key']} should be {expected}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
