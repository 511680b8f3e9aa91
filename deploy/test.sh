#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything and
# runs every test (all CTest labels: domain, integration, crash, alerts,
# fuzz). Arguments go to ctest (e.g. -L domain).
set -euo pipefail
cd "$(dirname "$0")/.."
DEPOSITD_TEST_DEPS=1 deploy/install-deps.sh
deploy/build.sh
build_dir=${DEPOSITD_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 "$@"
