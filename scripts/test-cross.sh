#!/usr/bin/env bash
# Builds the pool, its API and their tests for another platform and runs the tests there
# through an emulator:
#   windows  mingw-w64 (x86_64-w64-mingw32, posix threads) + wine64   build/windows-cross
#   arm64    aarch64-linux-gnu + qemu-aarch64 (user mode)            build/arm64-cross
#   arm64-lse  the concurrency tests again, built for ARMv8.1-A so the 16-byte CAS is
#            CASPAL instead of an LDAXP/STLXP loop                    build/arm64-lse-cross
# Windows also builds libospdebug and runs its error and leak cases under wine64; when the
# host's osp-leakview is built (build/release), it gates the snapshots written there.
# arm64 also builds and tests the debug runtime and osp-leakview (a representative subset
# under qemu: ctest --preset arm64-cross-full runs them all).
#   scripts/test-cross.sh [windows|arm64|arm64-lse ...]   (default: windows arm64)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core cross

jobs=$(nproc 2>/dev/null || echo 2)
platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=(windows arm64)

prepare_wine() {
  export WINEDEBUG=-all
  export WINEPREFIX="$PWD/build/windows-cross/wine-prefix"
  local wine
  wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
  # A fresh prefix takes a few seconds to create; do it once, outside the test timings.
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    "$wine" wineboot -i >/dev/null 2>&1
  fi
  # One wine server for the whole run: left to itself it exits seconds after its last
  # client, and a test starting while it shut down lost its connection ("recvmsg:
  # Connection reset by peer"). The prefix's services start here, not in a test, so no
  # test's output pipe is held open by them.
  wineserver=$(command -v wineserver64 || command -v wineserver || echo /usr/lib/wine/wineserver64)
  # A server still running (the one that created the prefix, or one a killed run left)
  # refuses -p: end it first.
  "$wineserver" -k 2>/dev/null || true
  "$wineserver" -w
  "$wineserver" -p
  trap '"$wineserver" -k 2>/dev/null || true' EXIT
  "$wine" wineboot >/dev/null 2>&1
}

for platform in "${platforms[@]}"; do
  case "$platform" in
    windows) preset=windows-cross; prepare_wine ;;
    arm64) preset=arm64-cross ;;
    arm64-lse) preset=arm64-lse-cross ;;
    *) echo "test-cross: unknown platform '$platform' (windows, arm64, arm64-lse)" >&2; exit 2 ;;
  esac
  started=$(date +%s)
  echo "== $platform: configure and build ($preset)"
  configure_options=()
  if [ "$platform" = windows ]; then
    host_leakview="$PWD/build/release/tools/leakview/osp-leakview"
    [ -x "$host_leakview" ] || host_leakview=""
    configure_options=(-DOSP_HOST_LEAKVIEW="$host_leakview")
  fi
  cmake --preset "$preset" "${configure_options[@]}" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  built=$(date +%s)
  if [ "$platform" = arm64-lse ]; then
    # The point of this build: the stacks' compare-and-swap must be the LSE instruction.
    # (grep -c reads the whole listing: grep -q would stop early and fail the pipe.)
    aarch64-linux-gnu-objdump -d "build/$preset/tests/unit/pool/osp_pool_concurrency_tests" |
      grep -c caspal >/dev/null || { echo "test-cross: no CASPAL in the ARMv8.1-A build" >&2; exit 1; }
  fi
  echo "== $platform: test"
  ctest --preset "$preset" -j "$jobs"
  finished=$(date +%s)
  echo "== $platform: passed (build $((built - started)) s, tests $((finished - built)) s)"
done
echo "== cross tests passed (${platforms[*]})"
