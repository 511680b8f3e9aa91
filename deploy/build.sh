#!/usr/bin/env bash
# Configures and builds depositd into ./build (or $DEPOSITD_BUILD_DIR).
# Usage: deploy/build.sh [extra cmake targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${DEPOSITD_BUILD_DIR:-build}
build_type=${DEPOSITD_BUILD_TYPE:-RelWithDebInfo}
jobs=${DEPOSITD_JOBS:-$(nproc)}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build "$build_dir" -j "$jobs" "$@"
