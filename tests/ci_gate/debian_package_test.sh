#!/usr/bin/env bash
# The Debian package CPack builds: its dependencies and contents, then the package
# extracted into a temporary root and examples/ci-gate built and run against it (CMake
# functions and gate, pkg-config, osp-leakview and its man page).
#   debian_package_test.sh <osp build dir> <osp source dir> <cpack>
set -euo pipefail
build_dir=$(cd "$1" && pwd)
source_dir=$2
cpack=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && "$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/package" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(find "$work/package" -maxdepth 1 -name 'osp_*.deb' | head -n 1)
[ -n "$deb" ] || fail "cpack wrote no osp_*.deb"

echo "== dependencies: $(dpkg-deb -f "$deb" Depends)"
depends=$(dpkg-deb -f "$deb" Depends)
for library in libc6 libstdc++6 libunwind8; do
  grep -q "$library" <<<"$depends" || fail "Depends lacks $library: $depends"
done
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "wrong Architecture"

dpkg-deb -c "$deb" | awk '{print $6}' > "$work/contents"
for path in 'usr/bin/osp-leakview$' 'usr/lib/.*libospdebug\.so' 'usr/lib/.*libosp\.so' 'usr/lib/.*libospdebug\.a$' \
            'usr/include/osp/global_allocator_api\.hpp$' 'usr/include/osp/osp/osp\.h$' \
            'usr/lib/.*cmake/osp/ospConfig\.cmake$' 'usr/lib/.*cmake/osp/OspLeakCheck\.cmake$' \
            'usr/lib/.*cmake/osp/OspLeakGate\.cmake$' 'usr/lib/.*pkgconfig/ospdebug\.pc$' \
            'usr/share/man/man1/osp-leakview\.1' 'usr/share/doc/osp/copyright$'; do
  grep -q "$path" "$work/contents" || fail "the package lacks $path"
done

root=$work/root
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/osp-leakview" --help | grep -q "baseline" || fail "osp-leakview --help from the package"
grep -q "osp-leakview" "$(find "$root/usr/share/man" -name 'osp-leakview.1*' | head -n 1)" 2>/dev/null ||
  zgrep -q "osp-leakview" "$(find "$root/usr/share/man" -name 'osp-leakview.1*' | head -n 1)" || fail "man page"

echo "== the sample project against the extracted package"
cp -r "$source_dir/examples/ci-gate" "$work/sample"
cmake -S "$work/sample" -B "$work/sample/build" -DCMAKE_PREFIX_PATH="$root/usr" >/dev/null
cmake --build "$work/sample/build" >/dev/null
ctest --test-dir "$work/sample/build" --output-on-failure > "$work/ctest.log" 2>&1 || { cat "$work/ctest.log"; fail "sample failed"; }
grep -q "osp_leak_gate .*Passed" "$work/ctest.log" || fail "the gate did not run"
grep -q "$root/usr/bin/osp-leakview" "$work/sample/build/osp-leaks/default.gate.cmake" || fail "the gate does not use the package's osp-leakview"

libdir=$(dirname "$(find "$root/usr" -name libospdebug.so | head -n 1)")
# shellcheck disable=SC2046
g++ -std=c++20 "$source_dir/tests/install/consumer.cpp" $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs ospdebug) \
  -o "$work/pkgconfig_consumer"
LD_LIBRARY_PATH=$libdir "$work/pkgconfig_consumer" >/dev/null || fail "pkg-config consumer"
echo "debian package test: passed ($(basename "$deb"))"
