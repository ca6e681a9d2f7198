#!/usr/bin/env bash
# Rebuilds tests/leakview/programs/shop_v1.cpp and shop_v2.cpp against libospdebug, runs
# them with the exit-time leak report, and writes their normalized snapshots to
# tests/data/snapshots/real/. Then review the change and refresh the golden outputs:
#   OSP_UPDATE_GOLDEN=1 ctest -R leakview.golden
# usage: tests/leakview/regenerate_real_snapshots.sh <build directory with libospdebug> [output folder]
# The ARM64 copies (tests/data/snapshots/arm64, for cross_architecture_test.py) come from
# the arm64-cross build, its compiler and qemu:
#   CXX=aarch64-linux-gnu-g++ OSP_TEST_EMULATOR="qemu-aarch64 -L /" \
#     tests/leakview/regenerate_real_snapshots.sh build/arm64-cross tests/data/snapshots/arm64
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: $0 <build directory with libospdebug>}" && pwd)
library=$(find "$build" -name 'libospdebug.so' -print -quit)
[ -n "$library" ] || { echo "regenerate_real_snapshots: no libospdebug.so under $build (build target ospdebug)" >&2; exit 2; }
library_dir=$(dirname "$library")
compiler=${CXX:-g++}
output=$(mkdir -p "${2:-$root/tests/data/snapshots/real}" && cd "${2:-$root/tests/data/snapshots/real}" && pwd)
read -r -a emulator <<< "${OSP_TEST_EMULATOR:-}"

run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
for version in v1 v2; do
  program="shop_$version"
  "$compiler" -std=c++20 -g -O0 -fno-omit-frame-pointer -fdebug-prefix-map="$root/=" \
    "$here/programs/$program.cpp" -o "$run_dir/$program" "$library" -Wl,-rpath,"$library_dir"
  (cd "$run_dir" && OSP_OPTIONS="detect_leaks=1:report_path=$run_dir/$program.raw.json:exitcode=0" ${emulator[@]+"${emulator[@]}"} "./$program")
  python3 "$here/normalize_real_snapshot.py" "$run_dir/$program.raw.json" \
    "$output/$program.json" --name "$program" \
    --source-root "$root" --build-root "$build" --run-dir "$run_dir"
  echo "wrote $output/$program.json"
done
