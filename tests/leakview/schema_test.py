#!/usr/bin/env python3
"""Every snapshot the project ships (fixtures, the merged golden output, the example in
docs/snapshot-format.md) must satisfy docs/snapshot.schema.json and carry site keys
computed as the format document says; and the schema must reject what the format forbids.

usage: schema_test.py <repository root>
"""
import copy
import glob
import json
import os
import re
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from site_key import site_key  # noqa: E402


def documents(root):
    for path in sorted(glob.glob(os.path.join(root, "tests/data/snapshots/*.json")) +
                       glob.glob(os.path.join(root, "tests/data/snapshots/real/*.json"))):
        with open(path, encoding="utf-8") as stream:
            yield path, json.load(stream)
    merged = os.path.join(root, "tests/data/golden/merge-next-shard2-base.json")
    with open(merged, encoding="utf-8") as stream:
        yield merged, json.load(stream)
    with open(os.path.join(root, "docs/snapshot-format.md"), encoding="utf-8") as stream:
        example = re.search(r"## Example\n\n```json\n(.*?)```", stream.read(), re.S)
    yield "docs/snapshot-format.md example", json.loads(example.group(1))


def main():
    root = os.path.abspath(sys.argv[1])
    with open(os.path.join(root, "docs/snapshot.schema.json"), encoding="utf-8") as stream:
        schema = json.load(stream)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    count = 0
    base = None
    for name, document in documents(root):
        count += 1
        for error in validator.iter_errors(document):
            failures.append(f"{name}: {error.json_path}: {error.message}")
        for index, site in enumerate(document["leaks"]):
            if site["key"] != site_key(site):
                failures.append(f"{name}: leaks[{index}].key {site['key']} should be {site_key(site)}")
        order = [(-site["bytes"], site["key"]) for site in document["leaks"]]
        if order != sorted(order):
            failures.append(f"{name}: leaks are not sorted by bytes descending, then key")
        if name.endswith("base.json"):
            base = document

    # The schema must catch what the format forbids (guards against a too-lax schema).
    forbidden = {
        "newer version": lambda d: d.update(version=2),
        "numeric address": lambda d: d["leaks"][0].update(address=None) or d["leaks"][0]["samples"][0].update(address=4096),
        "uppercase key": lambda d: d["leaks"][0].update(key=d["leaks"][0]["key"].upper()),
        "unknown kind": lambda d: d["leaks"][0].update(kind="lost"),
        "zero blocks": lambda d: d["leaks"][0].update(blocks=0),
        "nine samples": lambda d: d["leaks"][0].update(samples=[{"address": "0x1", "size": 1}] * 9),
        "unknown tier": lambda d: d["leaks"][0].update(tiers={"tiny": {"blocks": 1, "bytes": 1}}),
        "missing errors": lambda d: d.pop("errors"),
        "option object": lambda d: d["options"].update(nested={"a": 1}),
        "multi-line message": lambda d: d["errors"].append({"kind": "double-free", "address": "0x1", "size": 1,
                                                            "thread": 1, "message": "a\nb", "stacks": {}}),
        "merged without runs": lambda d: d.update(process={"merged_from": 1, "trigger": "merge"}),
    }
    for what, mutate in forbidden.items():
        document = copy.deepcopy(base)
        mutate(document)
        count += 1
        if validator.is_valid(document):
            failures.append(f"schema accepts a snapshot with {what}")

    for failure in failures:
        print("FAIL", failure)
    print(f"{count} documents checked against the schema, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
