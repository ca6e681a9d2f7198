#!/usr/bin/env bash
# Sets up, builds and runs the demo: a program with a leak and a heap error run under the
# debug runtime, then osp-leakview on the snapshot it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target osp_demo
build/release/examples/osp_demo
