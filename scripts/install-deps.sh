#!/usr/bin/env bash
# Installs the Debian 12 packages osp needs. Idempotent: when everything is present it
# only runs dpkg-query and exits. Groups: core (build + tests, always), bench, cross.
#   scripts/install-deps.sh [core] [bench] [cross] [browser]
set -euo pipefail

core=(build-essential cmake ninja-build pkg-config libunwind-dev libc6-dbg
      nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
      python3 python3-jsonschema python3-yaml clang libclang-rt-14-dev sqlite3 git
      help2man dpkg-dev libpython3.11-testsuite)
bench=(libjemalloc2 libgoogle-perftools4 libmimalloc2.0 valgrind electric-fence python3-matplotlib time
       hyperfine)
cross=(g++-mingw-w64-x86-64-posix wine64 g++-aarch64-linux-gnu qemu-user)
# The debug runtime for arm64 links libunwind and runs with the arm64 C library, libstdc++
# and debug files, all from Debian's arm64 packages (multiarch: same versions as amd64).
cross_arm64=(libunwind-dev:arm64 libc6-dbg:arm64 libstdc++6:arm64)
browser=(chromium)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(core)

wanted=()
for group in "${groups[@]}"; do
  case "$group" in
    core) wanted+=("${core[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    cross) wanted+=("${cross[@]}" "${cross_arm64[@]}") ;;
    browser) wanted+=("${browser[@]}") ;;
    *) echo "install-deps: unknown group '$group' (core, bench, cross, browser)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages named package:arm64 need the architecture enabled first (once; apt-get update
# below then fetches its package lists).
if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
   ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
