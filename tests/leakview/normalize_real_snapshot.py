#!/usr/bin/env python3
"""Makes a snapshot written by a real run comparable across machines before it is kept in
tests/data/snapshots/real/: a fixed pid and times, the scan's duration zeroed, and the
absolute directories of the checkout, the build and the run replaced by relative paths.
Addresses, build ids and site keys stay as written (keys use file base names only).

usage: normalize_real_snapshot.py <raw.json> <output.json> --name shop_v1
           --source-root DIR --build-root DIR --run-dir DIR
"""
import argparse
import json


def relative(text, prefixes):
    for prefix, replacement in prefixes:
        if text.startswith(prefix):
            return replacement + text[len(prefix):]
    return text


def rewrite_strings(value, prefixes):
    if isinstance(value, str):
        return relative(value, prefixes)
    if isinstance(value, list):
        return [rewrite_strings(item, prefixes) for item in value]
    if isinstance(value, dict):
        return {name: rewrite_strings(item, prefixes) for name, item in value.items()}
    return value


def write_like_the_runtime(document, path):
    """One line per header member and per array element, as libospdebug writes."""
    arrays = ("leaks", "errors", "modules")
    lines = [f"{json.dumps(name)}: {json.dumps(value)}" for name, value in document.items() if name not in arrays]
    for name in arrays:
        items = document.get(name, [])
        body = "".join(("\n  " if index == 0 else ",\n  ") + json.dumps(item) for index, item in enumerate(items))
        lines.append(f"{json.dumps(name)}: [{body}{chr(10) if items else ''}]")
    with open(path, "w") as out:
        out.write("{\n" + ",\n".join(lines) + "\n}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw")
    parser.add_argument("output")
    parser.add_argument("--name", required=True)
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--build-root", required=True)
    parser.add_argument("--run-dir", required=True)
    arguments = parser.parse_args()
    with open(arguments.raw) as file:
        document = json.load(file)
    # Longest prefix first: the run and build directories may lie inside the checkout.
    prefixes = sorted([(arguments.run_dir.rstrip("/") + "/", ""),
                       (arguments.build_root.rstrip("/") + "/", "build/"),
                       (arguments.source_root.rstrip("/") + "/", "")], key=lambda entry: -len(entry[0]))
    document = rewrite_strings(document, prefixes)
    process = document["process"]
    process.update({"pid": 4242, "executable": arguments.name, "command_line": [f"./{arguments.name}"],
                    "start_time": "2026-01-01T00:00:00Z", "snapshot_time": "2026-01-01T00:00:01Z"})
    document["options"]["report_path"] = f"{arguments.name}.json"
    if "scan" in document:
        document["scan"]["duration_us"] = 0
    write_like_the_runtime(document, arguments.output)


if __name__ == "__main__":
    main()
