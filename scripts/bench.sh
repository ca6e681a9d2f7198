#!/usr/bin/env bash
# The one command for the benchmarks: installs what they need, builds the bench preset (release + benchmarks)
# and runs the allocator comparison, which regenerates docs/benchmarks.md and docs/img/.
#   scripts/bench.sh            full comparison (about 45 minutes on 2 cores)
#   scripts/bench.sh --quick    smoke test: one repetition, small inputs, output under
#                               the build directory
# Other arguments go to bench/run_comparison.py (see --help). OSP_BENCH_BUILD_DIR picks
# another build directory (configured with the bench preset's settings).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core bench

build_dir="${OSP_BENCH_BUILD_DIR:-build/bench}"
jobs=$(nproc 2>/dev/null || echo 2)
echo "== configure and build the bench preset in $build_dir"
cmake --preset bench -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j "$jobs" --target osp_bench_all
# The plots need matplotlib: prefer an interpreter that has it (Debian's python3-matplotlib
# belongs to the system interpreter, which another python3 on PATH may shadow).
python=python3
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import matplotlib' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
echo "== run the comparison"
exec "$python" bench/run_comparison.py --build-dir "$build_dir" "$@"
