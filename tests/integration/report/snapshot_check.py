#!/usr/bin/env python3
"""Shared checks for leak snapshots: schema validation (docs/snapshot.schema.json) and the
site-key rule (tests/leakview/site_key.py). Imported by the report test runners."""
import json
import os
import sys

import jsonschema

SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "leakview"))
import site_key  # noqa: E402  (reference implementation of the key)

with open(os.path.join(SOURCE_ROOT, "docs", "snapshot.schema.json"), encoding="utf-8") as stream:
    SCHEMA = json.load(stream)


def load_and_check(path):
    """Returns (snapshot, problems): the document and every schema or key violation."""
    problems = []
    with open(path, encoding="utf-8") as stream:
        snapshot = json.load(stream)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for error in validator.iter_errors(snapshot):
        problems.append(f"schema: {'/'.join(map(str, error.path))}: {error.message}")
    keys = set()
    for index, site in enumerate(snapshot.get("leaks", [])):
        expected = site_key.site_key(site)
        if site["key"] != expected:
            problems.append(f"leaks[{index}]: key {site['key']} should be {expected}")
        if site["key"] in keys:
            problems.append(f"leaks[{index}]: duplicate key {site['key']}")
        keys.add(site["key"])
    order = [(-site["bytes"], site["key"]) for site in snapshot.get("leaks", [])]
    if order != sorted(order):
        problems.append("leaks are not sorted by bytes descending, then key")
    return snapshot, problems


def site_mentions(site, where):
    """True when a frame's function or the origin file of the site contains `where`."""
    if site.get("origin") and where in site["origin"]["file"]:
        return True
    return any(where in frame.get("function", "") for frame in site["frames"])


def count_sites(snapshot, kind, where):
    blocks = sum(site["blocks"] for site in snapshot["leaks"]
                 if site["kind"] == kind and site_mentions(site, where))
    size = sum(site["bytes"] for site in snapshot["leaks"]
               if site["kind"] == kind and site_mentions(site, where))
    return blocks, size
