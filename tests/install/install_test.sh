#!/usr/bin/env bash
# Installs osp from a build tree into a temporary prefix, then builds and runs a consumer
# three ways: find_package(osp), pkg-config, and plain `g++ app.cpp -lospdebug`.
#   install_test.sh <build-dir> <source-dir-of-this-test>
set -euo pipefail
build_dir=$1
here=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >/dev/null

mkdir -p "$work/consumer"
cp "$here/consumer.cpp" "$work/consumer/"
cp "$here/CMakeLists.txt.in" "$work/consumer/CMakeLists.txt"
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer/build" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'libosp.so' | head -n 1)")
for program in "$work"/consumer/build/consumer_*; do
  LD_LIBRARY_PATH=$libdir "$program"
done

export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
g++ -std=c++20 "$here/consumer.cpp" $(pkg-config --cflags --libs osp) -o "$work/pkgconfig_consumer"
LD_LIBRARY_PATH=$libdir "$work/pkgconfig_consumer"

if [ -e "$libdir/libospdebug.so" ]; then
  g++ -std=c++20 -I"$prefix/include/osp" "$here/consumer.cpp" -L"$libdir" -lospdebug -o "$work/plain_consumer"
  LD_LIBRARY_PATH=$libdir "$work/plain_consumer"
fi
echo "install test: find_package, pkg-config and -l consumers all ran"
