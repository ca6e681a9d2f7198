#!/usr/bin/env bash
# Sets up, builds and runs every test: the release build's full suite, the concurrency
# tests under ThreadSanitizer and the pool and CLI tests under ASan+UBSan.
#   scripts/test.sh [release|tsan|asan ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core

jobs=$(nproc 2>/dev/null || echo 2)
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(release tsan asan)
for preset in "${presets[@]}"; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test"
  ctest --preset "$preset" -j "$jobs"
done
echo "== all tests passed (${presets[*]})"
