#!/usr/bin/env bash
# Runs one libFuzzer target for CTest (fuzz/CMakeLists.txt) or by hand.
#
#   run_fuzzer.sh run FUZZER WORKDIR CORPUS DICT SECONDS [extra libFuzzer flags]
#     Fuzzes for SECONDS over a fresh copy of CORPUS in WORKDIR/corpus (the
#     source corpus is never written), with DICT if that file exists. A crash,
#     leak, timeout or out-of-memory input is written to WORKDIR/artifacts/
#     and the script fails; keep it as fuzz/regressions/<name>/ after fixing.
#   run_fuzzer.sh replay FUZZER DIR...
#     Runs every file under each DIR once (regressions and seed corpus).
#     Fails if any input crashes.
set -euo pipefail

mode=$1
fuzzer=$2
shift 2
# Leaks are reported (and fail) too; symbolized stacks for the log.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

case "$mode" in
  run)
    workdir=$1 corpus=$2 dict=$3 seconds=$4
    shift 4
    rm -rf "$workdir/corpus"
    mkdir -p "$workdir/corpus" "$workdir/artifacts"
    if [ -d "$corpus" ]; then
      find "$corpus" -type f ! -name 'README*' -exec cp {} "$workdir/corpus/" \;
    fi
    dict_flag=()
    if [ -f "$dict" ]; then dict_flag=(-dict="$dict"); fi
    status=0
    "$fuzzer" "$workdir/corpus" "${dict_flag[@]}" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$workdir/artifacts/" "$@" || status=$?
    if [ "$status" -ne 0 ]; then
      echo "fuzzer $(basename "$fuzzer") failed (exit $status); inputs:" >&2
      ls -l "$workdir/artifacts/" >&2 || true
      echo "reproduce: $fuzzer <artifact>; after the fix keep the input in" \
           "fuzz/regressions/$(basename "$fuzzer")/" >&2
    fi
    exit "$status"
    ;;
  replay)
    files=()
    for dir in "$@"; do
      [ -d "$dir" ] || continue
      while IFS= read -r -d '' f; do files+=("$f"); done \
        < <(find "$dir" -type f ! -name 'README*' -print0 | sort -z)
    done
    if [ "${#files[@]}" -eq 0 ]; then
      echo "no inputs to replay in: $*"
      exit 0
    fi
    echo "replaying ${#files[@]} inputs"
    exec "$fuzzer" -rss_limit_mb=2048 -timeout=30 "${files[@]}"
    ;;
  *)
    echo "usage: $0 run|replay ..." >&2
    exit 2
    ;;
esac
