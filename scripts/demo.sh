#!/usr/bin/env bash
# Sets up, builds and runs the demo: a program with leaks and a heap-buffer-overflow runs
# under the debug runtime (linked with -lospdebug), which reports the overflow with its
# stacks and writes a JSON leak snapshot at exit; run again with guard pages, the overflow
# is stopped at the instruction; osp-leakview then summarizes the snapshot and gates on it
# as a CI job would.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target osp_leak_demo osp-leakview

out=build/demo
mkdir -p "$out"
rm -f "$out/leaks.json"
leakview=build/release/tools/leakview/osp-leakview

echo "== 1. the program, under libospdebug (halt_on_error=0: report and go on)"
OSP_OPTIONS="halt_on_error=0:detect_leaks=1:report_path=$out/leaks.json" build/release/examples/osp_leak_demo || true

echo
echo "== 1b. the same program with guard_pages=all: the overflow stops at the faulting strcpy"
OSP_OPTIONS="guard_pages=all:halt_on_error=0:detect_leaks=0" build/release/examples/osp_leak_demo 2>&1 \
  | sed -n '/ERROR: osp:/,/^SUMMARY/p' || true

echo
echo "== 2. osp-leakview summary $out/leaks.json"
"$leakview" summary "$out/leaks.json"

echo
echo "== 3. osp-leakview gate $out/leaks.json --max-bytes 0 (what CI runs; exit 1 = the change leaks)"
set +e
"$leakview" gate "$out/leaks.json" --max-bytes 0
status=$?
set -e
echo "gate exit status: $status"
[ "$status" -eq 1 ] || { echo "demo: the gate should have failed on these leaks" >&2; exit 1; }
echo
echo "demo done: snapshot in $out/leaks.json (try --format html > leaks.html)"
