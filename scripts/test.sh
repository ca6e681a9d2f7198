#!/usr/bin/env bash
# Sets up, builds and runs every test: the release build's full suite, the concurrency
# tests under ThreadSanitizer, the pool and CLI tests under ASan+UBSan, the snapshot
# loader under libFuzzer (clang), osp-leakview's HTML pages in headless Chromium (after
# release), and the pool's tests built for Windows (wine64) and ARM64 (qemu-aarch64).
#   scripts/test.sh [release|tsan|asan|fuzz|browser|windows|arm64 ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core

jobs=$(nproc 2>/dev/null || echo 2)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(release tsan asan fuzz browser windows arm64)
cross=()
for target in "${targets[@]}"; do
  case "$target" in
    windows|arm64|arm64-lse) cross+=("$target"); continue ;;
    browser)
      scripts/install-deps.sh browser
      [ -d build/release ] || { cmake --preset release >/dev/null && cmake --build --preset release -j "$jobs"; }
      echo "== browser: osp-leakview's HTML in headless Chromium"
      ctest --test-dir build/release -L browser --output-on-failure
      continue ;;
  esac
  echo "== $target: configure and build"
  cmake --preset "$target" >/dev/null
  cmake --build --preset "$target" -j "$jobs"
  echo "== $target: test"
  ctest --preset "$target" -j "$jobs"
done
if [ ${#cross[@]} -gt 0 ]; then
  scripts/test-cross.sh "${cross[@]}"
fi
echo "== all tests passed (${targets[*]})"
