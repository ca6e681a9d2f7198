#!/usr/bin/env python3
"""Renders osp-leakview's html pages (summary, diff) in headless Chromium and checks the DOM
after the page's script ran: the heading, the totals, the site titles in order, and the
flame graph's bars, each as wide as its share of the bytes (so a bigger site is a wider
bar). Expected values come from the same command's json output, not from this file.
Exits 77 (skipped) when Chromium is not installed.

usage: html_in_browser_test.py <osp-leakview> <tests/data directory>
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIPPED = 77
WIDTH_TOLERANCE_PERCENT = 0.01


class Element:
    def __init__(self, tag, attributes):
        self.tag, self.attributes, self.children, self.text_parts = tag, dict(attributes), [], []

    def text(self):
        return "".join(part if isinstance(part, str) else part.text() for part in self.text_parts)

    def all(self):
        yield self
        for child in self.children:
            yield from child.all()

    def find_all(self, tag):
        return [element for element in self.all() if element.tag == tag]


class TreeBuilder(html.parser.HTMLParser):
    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self):
        super().__init__()
        self.root = Element("document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attributes):
        element = Element(tag, attributes)
        self.open[-1].children.append(element)
        self.open[-1].text_parts.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        self.open[-1].text_parts.append(data)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def rendered_dom(chromium, page, profile):
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--dump-dom", "file://" + page]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"chromium failed ({result.returncode}): {result.stderr[-2000:]}"
    builder = TreeBuilder()
    builder.feed(result.stdout)
    return builder.root


def leakview_output(leakview, arguments, cwd, expected_exit=0):
    result = subprocess.run([leakview] + arguments, capture_output=True, text=True, cwd=cwd)
    assert result.returncode == expected_exit, f"{arguments}: exit {result.returncode}: {result.stderr}"
    return result.stdout


def flame_bars(dom):
    flame = [element for element in dom.all() if element.attributes.get("id") == "flame"]
    assert len(flame) == 1, "the page has one flame graph"
    bars = []
    for bar in flame[0].children:
        style = bar.attributes.get("style", "")
        width = re.search(r"width:\s*([0-9.e+-]+)%", style)
        top = re.search(r"top:\s*([0-9.]+)px", style)
        value = re.search(r"\n(-?[0-9]+) bytes$", bar.attributes.get("title", ""))
        assert width and top and value, f"flame bar without width, row or value: {style!r}"
        bars.append({"name": bar.text(), "width": float(width.group(1)), "row": int(float(top.group(1))),
                     "bytes": int(value.group(1))})
    return bars


def check_flame(bars, total_bytes, expected_top_frames):
    assert bars, "the flame graph has bars"
    root = [bar for bar in bars if bar["row"] == 0]
    assert len(root) == 1 and root[0]["bytes"] == total_bytes and abs(root[0]["width"] - 100) < 1e-9, root
    for bar in bars:  # every bar as wide as its share of all bytes
        expected = 100.0 * bar["bytes"] / total_bytes
        assert abs(bar["width"] - expected) < WIDTH_TOLERANCE_PERCENT, (bar, expected)
    first_row = sorted((bar for bar in bars if bar["row"] > 0 and bar["row"] == min(b["row"] for b in bars if b["row"] > 0)),
                       key=lambda bar: -bar["bytes"])
    widths = [bar["width"] for bar in first_row]
    assert widths == sorted(widths, reverse=True), "more bytes, wider bar"
    names = {bar["name"] for bar in bars}
    for frame in expected_top_frames:
        assert frame in names, f"no flame bar for {frame!r}"


def check_summary(dom, report):
    headings = [element.text() for element in dom.find_all("h1")]
    assert headings == [f"osp leak summary: {report['snapshot']}"], headings
    tables = dom.find_all("table")
    totals_rows = [[cell.text() for cell in row.find_all("td")] for row in tables[0].find_all("tr")[1:]]
    for kind, count in report["totals"]["by_kind"].items():
        assert [kind, str(count["blocks"]), str(count["bytes"])] in totals_rows, (kind, totals_rows)
    site_rows = [[cell.text() for cell in row.find_all("td")] for row in tables[-1].find_all("tr")[1:]]
    assert [row[4] for row in site_rows] == [site["key"] for site in report["sites"]]
    assert [row[0] for row in site_rows] == [str(site["bytes"]) for site in report["sites"]]
    for row, site in zip(site_rows, report["sites"]):
        assert row[3].startswith(site["title"]), (row, site["title"])
    total = sum(site["bytes"] for site in report["sites"])
    leaves = [site["frames"][0]["function"] if site["frames"] else site["title"] for site in report["sites"]]
    check_flame(flame_bars(dom), total, leaves)


def check_diff(dom, report):
    headings = [element.text() for element in dom.find_all("h1")]
    assert headings == [f"osp leak diff: {report['before']} \u2192 {report['after']}"], headings
    totals = report["totals"]
    summary_line = dom.find_all("p")[0].text()
    assert summary_line.startswith(f"{totals['before']['bytes']} \u2192 {totals['after']['bytes']} bytes"), summary_line
    changed = [site for site in report["sites"] if site["change"] != "unchanged"]
    rows = dom.find_all("table")[-1].find_all("tr")[1:]
    assert [row.attributes.get("class") for row in rows] == [site["change"] for site in changed]
    for row, site in zip(rows, changed):
        cells = [cell.text() for cell in row.find_all("td")]
        assert cells[0] == site["change"] and cells[4].startswith(site["title"]), (cells, site)
    growth = [site for site in changed if site["delta_bytes"] > 0]
    leaves = [site["frames"][0]["function"] if site["frames"] else site["title"] for site in growth]
    check_flame(flame_bars(dom), sum(site["delta_bytes"] for site in growth), leaves)


def main():
    leakview, data = sys.argv[1], os.path.abspath(sys.argv[2])
    chromium = find_chromium()
    if chromium is None:
        print("chromium is not installed (scripts/install-deps.sh browser); skipped")
        return SKIPPED
    snapshots = os.path.join(data, "snapshots")
    pages = [("summary", ["summary", "base.json"], check_summary),
             ("summary", ["summary", "real/shop_v2.json", "--no-symbolize"], check_summary),
             ("diff", ["diff", "base.json", "next.json"], check_diff),
             ("diff", ["diff", "real/shop_v1.json", "real/shop_v2.json", "--no-symbolize"], check_diff)]
    with tempfile.TemporaryDirectory() as directory:
        for index, (_, arguments, check) in enumerate(pages):
            page = os.path.join(directory, f"page{index}.html")
            with open(page, "w", encoding="utf-8") as out:
                out.write(leakview_output(leakview, arguments + ["--format", "html"], snapshots))
            report = json.loads(leakview_output(leakview, arguments + ["--format", "json"], snapshots))
            dom = rendered_dom(chromium, page, os.path.join(directory, f"profile{index}"))
            check(dom, report)
            print(f"ok: {' '.join(arguments)} rendered in {os.path.basename(chromium)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
