#!/usr/bin/env bash
# The CI leak gate on examples/ci-gate, built against osp installed into a temporary
# prefix: the gate passes as is, fails when a leak is added (naming the test and the
# site), passes again once the baseline is rewritten — and that rewrite's git diff is
# exactly the new site. Then bad arguments to the CMake functions and a gate without
# snapshots, each one clear line and a failure.
#   sample_project_test.sh <osp build dir> <osp source dir>
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
sample=$work/sample
cp -r "$source_dir/examples/ci-gate" "$sample"
git -C "$sample" init -q && git -C "$sample" add -A
git -C "$sample" -c user.name=test -c user.email=test@example.org commit -qm sample

configure() { cmake -S "$sample" -B "$sample/build" -DCMAKE_PREFIX_PATH="$prefix" "$@" >/dev/null; }
build() { cmake --build "$sample/build" >/dev/null; }

echo "== as committed: the gate passes"
configure && build
ctest --test-dir "$sample/build" --output-on-failure > "$work/pass.log" 2>&1 || { cat "$work/pass.log"; fail "gate failed on the committed sample"; }
grep -q "osp_leak_gate .*Passed" "$work/pass.log" || fail "the gate test did not run"
for report in junit.xml leaks.sarif codeclimate.json; do
  [ -s "$sample/build/osp-leaks/$report" ] || fail "no $report written"
done
python3 - "$sample/build/osp-leaks" <<'PYTHON'
import json, sys, xml.etree.ElementTree as ElementTree
folder = sys.argv[1]
suite = ElementTree.parse(f"{folder}/junit.xml").getroot().find("testsuite")
assert suite.get("failures") == "0", "junit: the passing gate has failures"
assert json.load(open(f"{folder}/leaks.sarif"))["version"] == "2.1.0"
assert isinstance(json.load(open(f"{folder}/codeclimate.json")), list)
PYTHON

# Site keys hash the allocation stack, which a change of the runtime's unwinder can alter;
# the gate above matched such sites by function names. From here on the baseline is this
# build's own, so its diff below shows what the new leak changes and nothing else.
OSP_UPDATE_LEAK_BASELINE=1 ctest --test-dir "$sample/build" -R osp_leak_gate >/dev/null 2>&1 || fail "baseline update failed"
git -C "$sample" -c user.name=test -c user.email=test@example.org commit -qm "this build's baseline" --allow-empty -a

echo "== with a new leak: the gate fails and names the test and the site"
configure -DSAMPLE_NEW_LEAK=ON && build
if ctest --test-dir "$sample/build" --output-on-failure > "$work/fail.log" 2>&1; then
  cat "$work/fail.log"; fail "gate passed with a new leak"
fi
grep -q "new leak site format_report.* in test inventory" "$work/fail.log" || { cat "$work/fail.log"; fail "the failure does not name the site and the test"; }
grep -q "inventory .*Passed" "$work/fail.log" || fail "the leaking test itself must pass; the gate decides"
grep -q 'failures="1"\|failures="2"' "$sample/build/osp-leaks/junit.xml" || fail "junit does not show the failure"
grep -q "format_report" "$sample/build/osp-leaks/leaks.sarif" || fail "sarif does not name the new site"

echo "== GITHUB: annotations in the gate's output, the Markdown report in the job summary"
config=$sample/build/osp-leaks/default.gate.cmake
sed 's/^set(OSP_GATE_GITHUB .*/set(OSP_GATE_GITHUB [==[TRUE]==])/' "$config" > "$work/github.gate.cmake"
if GITHUB_STEP_SUMMARY=$work/summary.md GITHUB_WORKSPACE=$sample cmake -DOSP_GATE_CONFIG="$work/github.gate.cmake" \
     -P "$prefix"/lib*/cmake/osp/OspLeakGate.cmake > "$work/github.log" 2>&1; then
  fail "the GITHUB gate passed with a new leak"
fi
grep -q "^::error file=inventory.cpp,line=[0-9]*,title=osp leak (definite)::new over the baseline" "$work/github.log" ||
  { cat "$work/github.log"; fail "no annotation at the new site"; }
grep -q "^## osp leak gate: ❌ failed" "$work/summary.md" || fail "no job summary"

echo "== baseline update: its diff is exactly the new site, then the gate passes"
OSP_UPDATE_LEAK_BASELINE=1 ctest --test-dir "$sample/build" -R osp_leak_gate > "$work/update.log" 2>&1 || { cat "$work/update.log"; fail "baseline update failed"; }
git -C "$sample" diff -U0 leaks.baseline.json | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
added = {l[1:].rstrip(",") for l in lines if l.startswith("+") and not l.startswith("+++")}
removed = {l[1:].rstrip(",") for l in lines if l.startswith("-") and not l.startswith("---")}
changed = added - removed
assert len(changed) == 1 and "format_report" in next(iter(changed)), f"baseline diff is not one new site: {changed}"
assert removed <= added, f"baseline lost or changed sites: {removed - added}"
'
ctest --test-dir "$sample/build" --output-on-failure > "$work/pass2.log" 2>&1 || { cat "$work/pass2.log"; fail "gate failed after the baseline update"; }

echo "== a second run writes the same baseline (nothing run-specific in it)"
cp "$sample/leaks.baseline.json" "$work/first.json"
OSP_UPDATE_LEAK_BASELINE=1 ctest --test-dir "$sample/build" -R osp_leak_gate >/dev/null 2>&1
cmp -s "$work/first.json" "$sample/leaks.baseline.json" || fail "the baseline differs between two runs"
if grep -Eq '"pid"|_time|0x[0-9a-f]{6,}|/tmp/' "$sample/leaks.baseline.json"; then fail "run-specific data in the baseline"; fi

echo "== a gate never passes without its snapshots"
rm -rf "$sample/build/osp-leaks/default"
if cmake -DOSP_GATE_CONFIG="$config" -P "$prefix"/lib*/cmake/osp/OspLeakGate.cmake > "$work/missing.log" 2>&1; then
  fail "the gate passed without snapshots"
fi
tr -s " \n" "  " < "$work/missing.log" | grep -q "no snapshots found: .*osp-leaks/default does not exist" || { cat "$work/missing.log"; fail "no clear message for missing snapshots"; }

echo "== every test of a directory; tests that never load libospdebug fail the gate, by name"
unlinked=$work/unlinked
mkdir -p "$unlinked"
cat > "$unlinked/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(unlinked C)
find_package(osp REQUIRED)
enable_testing()
add_test(NAME first COMMAND true)
add_test(NAME second COMMAND true)
osp_leak_check_tests()  # linked mode, but `true` does not link osp::ospdebug
osp_add_leak_gate(BASELINE leaks.baseline.json)
CMAKE
cp "$sample/leaks.baseline.json" "$unlinked/"
cmake -S "$unlinked" -B "$unlinked/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
if ctest --test-dir "$unlinked/build" --output-on-failure > "$work/unlinked.log" 2>&1; then
  fail "the gate passed although no test wrote a snapshot"
fi
tr -s ' \n' '  ' < "$work/unlinked.log" | grep -q "no snapshots found for: first (.*/osp-leaks/default/first), second (" ||
  { cat "$work/unlinked.log"; fail "the gate does not name the tests without snapshots"; }

echo "== bad arguments to the CMake functions: one clear line, configure fails"
bad=$work/bad
mkdir -p "$bad"
check_bad() {  # <expected text> <cmake lines>
  local expected=$1
  printf 'cmake_minimum_required(VERSION 3.22)\nproject(bad CXX)\nfind_package(osp REQUIRED)\nenable_testing()\nadd_test(NAME t COMMAND true)\n%s\n' "$2" > "$bad/CMakeLists.txt"
  rm -rf "$bad/build"
  if cmake -S "$bad" -B "$bad/build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/bad.log" 2>&1; then
    fail "configure passed with: $2"
  fi
  # CMake wraps a message over lines: compare with the whitespace collapsed.
  tr -s ' \n' '  ' < "$work/bad.log" | grep -qF "osp leak check: $expected" || { cat "$work/bad.log"; fail "no clear message for: $2"; }
}
check_bad "osp_leak_check_tests: MODE must be linked or preload" 'osp_leak_check_tests(TESTS t MODE sometimes)'
check_bad 'osp_leak_check_tests: no test named "missing"' 'osp_leak_check_tests(TESTS missing)'
check_bad 'osp_leak_check_tests: unknown arguments' 'osp_leak_check_tests(BOGUS TESTS t)'
check_bad "osp_add_leak_gate: BASELINE <file> is required" 'osp_leak_check_tests(TESTS t)
osp_add_leak_gate()'
check_bad "osp_add_leak_gate: no tests are leak-checked" 'osp_add_leak_gate(BASELINE b.json)'
check_bad 'osp_add_leak_gate: MAX_BYTES takes a count' 'osp_leak_check_tests(TESTS t)
osp_add_leak_gate(BASELINE b.json MAX_BYTES lots)'
check_bad 'osp_add_leak_gate: KINDS: unknown leak kind "everything"' 'osp_leak_check_tests(TESTS t)
osp_add_leak_gate(BASELINE b.json KINDS everything)'
check_bad 'osp_add_leak_gate: SUPPRESSIONS file' 'osp_leak_check_tests(TESTS t)
osp_add_leak_gate(BASELINE b.json SUPPRESSIONS none.supp)'
echo "ci gate sample test: passed"
