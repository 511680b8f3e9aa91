#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything and
# runs every test (all CTest labels: domain, engine, integration, crash, alerts,
# tools, ops, feeds, console, cluster, fuzz). Arguments go to ctest (e.g. -L
# domain). Tests run two at a time (DEPOSITD_TEST_JOBS, default 2: the
# machine's cores; every test picks free ports and its own temp dirs).
#
# The fuzz targets need clang (libFuzzer), so after the main build and its
# tests a second, clang-only build of just the fuzz targets and the
# libraries they test (DEPOSITD_FUZZ_ONLY) runs the "fuzz" label: each
# fuzzer for a bounded time, then its regressions (fuzz/README.md). It runs
# when no arguments are given or when they mention fuzz (e.g. -L fuzz);
# DEPOSITD_SKIP_FUZZ=1 skips it. Any failure fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
DEPOSITD_TEST_DEPS=1 deploy/install-deps.sh
deploy/build.sh
# The console's browser tests: playwright-core from the committed lockfile
# (npm ci, no install scripts, no browser download; Debian's chromium runs).
console/tests/run.sh install
build_dir=${DEPOSITD_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 \
  --parallel "${DEPOSITD_TEST_JOBS:-2}" "$@"

run_fuzz=0
if [ "$#" -eq 0 ]; then run_fuzz=1; fi
case " $* " in *fuzz*) run_fuzz=1 ;; esac
if [ "${DEPOSITD_SKIP_FUZZ:-0}" = 1 ]; then run_fuzz=0; fi
if [ "$run_fuzz" = 1 ]; then
  fuzz_dir=${DEPOSITD_FUZZ_BUILD_DIR:-$build_dir/fuzz-clang}
  jobs=${DEPOSITD_JOBS:-$(nproc)}
  CC=clang CXX=clang++ cmake -S . -B "$fuzz_dir" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEPOSITD_FUZZ_ONLY=ON >/dev/null
  cmake --build "$fuzz_dir" -j "$jobs" --target depositd_fuzzers
  ctest --test-dir "$fuzz_dir" -L fuzz --output-on-failure -j "$jobs"
fi
