#!/usr/bin/env python3
"""Runs the shell steps of docs/ci.md's GitHub Actions and GitLab CI files on
examples/ci-gate built against osp installed into a temporary prefix, so the documented
files cannot rot: every `run:` step (GitHub) and every script and after_script line
(GitLab) except the install step, in order, as the CI would, with its environment
variables. As committed, the steps pass; with a new leak, the test step fails and the
later steps still produce the annotations, the diff and every file the upload steps
name.

usage: ci_files_test.py <osp build dir> <osp source dir>
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import yaml


def documented_files(docs):
    """{first-line comment: parsed YAML} for each yaml block of docs/ci.md."""
    with open(docs, encoding="utf-8") as stream:
        text = stream.read()
    files = {}
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        files[block.splitlines()[0].lstrip("# ").strip()] = yaml.safe_load(block)
    assert set(files) == {".github/workflows/leaks.yml", ".gitlab-ci.yml"}, f"docs/ci.md has {set(files)}"
    return files


def github_steps(workflow):
    """(name, script, runs when an earlier step failed) of the job's run steps."""
    (job,) = workflow["jobs"].values()
    steps = []
    for step in job["steps"]:
        if "run" not in step or step.get("name", "").startswith("Install"):
            continue
        steps.append((step["name"], step["run"], "always()" in str(step.get("if", ""))))
    return steps


def gitlab_steps(pipeline):
    (job,) = pipeline.values()
    steps = [(line, line, False) for line in job["script"]]
    steps += [(line, line, True) for line in job["after_script"]]  # after_script runs whatever happened
    return steps


def run_steps(steps, sample, environment):
    """Runs the steps as CI does (bash -e, a failed step skips the rest but `always` ones);
    returns the names of the steps that failed."""
    failed = []
    for name, script, always in steps:
        if failed and not always:
            continue
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=sample,
                                env=environment, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            failed.append((name, result.stdout[-3000:] + result.stderr[-3000:]))
    return failed


def check_reports(sample, leaking, problems, label):
    reports = os.path.join(sample, "build", "osp-leaks")
    suite = ElementTree.parse(os.path.join(reports, "junit.xml")).getroot().find("testsuite")
    if (suite.get("failures") != "0") != leaking:
        problems.append(f"{label}: junit failures={suite.get('failures')}")
    sarif = json.load(open(os.path.join(reports, "leaks.sarif"), encoding="utf-8"))
    if sarif["version"] != "2.1.0":
        problems.append(f"{label}: SARIF version")
    issues = json.load(open(os.path.join(reports, "codeclimate.json"), encoding="utf-8"))
    if leaking and not any("format_report" in issue["description"] for issue in issues):
        problems.append(f"{label}: the Code Quality report lacks the new leak")
    diff = open(os.path.join(sample, "leak-diff.md"), encoding="utf-8").read()
    if not diff.startswith("## osp leak diff") or ("format_report" in diff) != leaking:
        problems.append(f"{label}: leak-diff.md is not the diff: {diff[:200]!r}")


def main():
    build_dir, source_dir = (os.path.abspath(path) for path in sys.argv[1:3])
    files = documented_files(os.path.join(source_dir, "docs", "ci.md"))
    problems = []
    with tempfile.TemporaryDirectory() as work:
        prefix = os.path.join(work, "prefix")
        subprocess.run(["cmake", "--install", build_dir, "--prefix", prefix], check=True, capture_output=True)
        base = {key: value for key, value in os.environ.items()
                if not key.startswith(("GITHUB_", "CI_", "OSP_"))}
        base.update(PATH=os.path.join(prefix, "bin") + os.pathsep + os.environ["PATH"], CMAKE_PREFIX_PATH=prefix)
        for leaking in (False, True):
            for ci, steps in ((".github/workflows/leaks.yml", github_steps(files[".github/workflows/leaks.yml"])),
                              (".gitlab-ci.yml", gitlab_steps(files[".gitlab-ci.yml"]))):
                label = f"{ci} ({'new leak' if leaking else 'as committed'})"
                sample = os.path.join(work, "sample")
                shutil.rmtree(sample, ignore_errors=True)
                shutil.copytree(os.path.join(source_dir, "examples", "ci-gate"), sample)
                environment = dict(base, CI="true")
                if leaking:
                    environment["CXXFLAGS"] = "-DSAMPLE_NEW_LEAK"  # read by the first configure
                summary = os.path.join(work, "step-summary.md")
                if ci.startswith(".github"):
                    open(summary, "w").close()
                    environment.update(GITHUB_ACTIONS="true", GITHUB_WORKSPACE=sample, GITHUB_STEP_SUMMARY=summary)
                else:
                    environment.update(GITLAB_CI="true", CI_PROJECT_DIR=sample)
                failed = run_steps(steps, sample, environment)
                names = [name for name, _ in failed]
                expected = []
                if leaking:
                    expected = ["Run the tests and the leak gate"] if ci.startswith(".github") else \
                        ["ctest --test-dir build --output-on-failure"]
                if names != expected:
                    problems.append(f"{label}: failed steps {names}, expected {expected}: {failed}")
                    continue
                check_reports(sample, leaking, problems, label)
                if ci.startswith(".github"):
                    markdown = open(summary, encoding="utf-8").read()
                    if not markdown.startswith("## osp leak gate: " + ("❌ failed" if leaking else "✅ passed")):
                        problems.append(f"{label}: job summary {markdown[:80]!r}")
                    if leaking:
                        annotate = run_steps([s for s in steps if s[0].startswith("Annotate")], sample, environment)
                        output = subprocess.run(["osp-leakview", "gate", "build/osp-leaks/default", "--baseline",
                                                 "leaks.baseline.json", "--format", "github"], cwd=sample,
                                                env=environment, capture_output=True, text=True).stdout
                        if annotate or "::error file=inventory.cpp,line=" not in output:
                            problems.append(f"{label}: no annotation at the new site: {output[:300]!r}")
    for problem in problems:
        print("FAIL", problem)
    print(f"ci files: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
