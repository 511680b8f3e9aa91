# Shared helpers of the bench/*.sh scripts (sourced, not run).
#
# Environment:
#   DEPOSITD_BUILD_DIR  build folder with depositd, depositd-loadgen and
#                       depositd-noop-server (default: ./build)
#   DEPOSITD_BIN        the depositd to measure (default: the build's)
#   DEPOSITD_COMMIT     the commit it was built from, for the results
#                       (default: the repo's HEAD)
#   BENCH_RESULTS       where CSV and PNG files go (default: bench/results)
#   BENCH_TMP           parent of the temporary data dirs (default: $TMPDIR
#                       or /tmp)
#
# Every server a script starts is stopped on exit (by its pid), and its
# temporary data dir removed unless BENCH_KEEP=1.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DEPOSITD_BUILD_DIR:-$REPO/build}"
DEPOSITD="${DEPOSITD_BIN:-$BUILD/daemon/depositd}"
LOADGEN="$BUILD/tools/loadgen/depositd-loadgen"
NOOP="$BUILD/bench/depositd-noop-server"
RESULTS="${BENCH_RESULTS:-$REPO/bench/results}"
PLOTS="$REPO/bench/plots"
mkdir -p "$RESULTS"

for bin in "$DEPOSITD" "$LOADGEN" "$NOOP"; do
  if [[ ! -x "$bin" ]]; then
    echo "bench: $bin is missing; build first, e.g." >&2
    echo "  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo &&" \
      "cmake --build build -j2 --target depositd depositd-loadgen" \
      "depositd-noop-server" >&2
    exit 1
  fi
done

# gnuplot (and perf) from Debian, as CI installs them.
DEPOSITD_BENCH_DEPS=1 "$REPO/deploy/install-deps.sh"

BENCH_WORK="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/depositd-bench.XXXXXX")"
declare -a BENCH_PIDS=()

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ "${BENCH_KEEP:-0}" != 1 ]]; then
    rm -rf "$BENCH_WORK"
  else
    echo "bench: kept $BENCH_WORK" >&2
  fi
}
trap bench_cleanup EXIT

# Waits up to 120 s for a port file; prints the port.
wait_port() {
  local file="$1" pid="$2" i
  for ((i = 0; i < 12000; i++)); do
    if [[ -s "$file" ]]; then
      cat "$file"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: the server exited before serving" >&2
      return 1
    fi
    sleep 0.01
  done
  echo "bench: no port file after 120 s" >&2
  return 1
}

# start_depositd NAME [depositd flags...]: a depositd on 127.0.0.1 with a
# fresh data dir $BENCH_WORK/NAME. Sets SERVER_PID, SERVER_ADDR, SERVER_DIR,
# SERVER_LOG. Restart the same data dir with restart_depositd.
start_depositd() {
  local name="$1"
  shift
  SERVER_DIR="$BENCH_WORK/$name"
  mkdir -p "$SERVER_DIR"
  DEPOSITD_ARGS=("$@")
  restart_depositd
}

# Starts depositd again on $SERVER_DIR with the same flags and waits for
# its port. Sets SERVER_START_NS (launch time) too.
restart_depositd() {
  launch_depositd
  SERVER_ADDR="127.0.0.1:$(wait_port "$SERVER_DIR/port" "$SERVER_PID")"
}

# As restart_depositd without waiting (for timing the start with
# `depositd-loadgen --mode serving`).
launch_depositd() {
  SERVER_LOG="$SERVER_DIR/depositd.log"
  rm -f "$SERVER_DIR/port"
  SERVER_START_NS=$(date +%s%N)
  "$DEPOSITD" --listen 127.0.0.1:0 --port-file "$SERVER_DIR/port" \
    --http-listen 127.0.0.1:0 \
    --data-dir "$SERVER_DIR/data" "${DEPOSITD_ARGS[@]}" \
    >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
}

# start_noop NAME [ARGS...]: the no-op server (ARGS: its flags, e.g.
# --work-ns-per-event). Sets SERVER_PID, SERVER_ADDR.
start_noop() {
  local name="$1"
  shift
  SERVER_DIR="$BENCH_WORK/$name"
  mkdir -p "$SERVER_DIR"
  SERVER_LOG="$SERVER_DIR/noop.log"
  "$NOOP" --listen 127.0.0.1:0 --port-file "$SERVER_DIR/port" "$@" \
    >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  SERVER_ADDR="127.0.0.1:$(wait_port "$SERVER_DIR/port" "$SERVER_PID")"
}

# stop_server PID: SIGTERM and wait (depositd drains and checkpoints).
stop_server() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# kill_server PID: SIGKILL (a crash).
kill_server() {
  local pid="$1"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# cpu_ticks PID: user + system CPU time of a process so far, in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# steal_ticks: CPU time the hypervisor gave other guests so far (all CPUs,
# clock ticks). A run's difference says how much of it the VM lost.
steal_ticks() {
  awk '$1 == "cpu" { print $9 }' /proc/stat
}

# proc_kib PID FIELD: a /proc/PID/status field in KiB (VmRSS, VmHWM).
proc_kib() {
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

loadgen() {
  "$LOADGEN" "$@"
}

# One CSV column from the last line of a loadgen CSV: csv_field FILE NAME.
csv_field() {
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { last = $0 } END { split(last, v, ","); print v[col[name]] }' "$1"
}

# The machine, commit and time, for the results' header.
machine_info() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: ${DEPOSITD_COMMIT:-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)}" \
    "(depositd binary: $DEPOSITD)"
  echo "cpu: $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2 }')," \
    "$(nproc) cores"
  echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# plot SCRIPT OUT.png [gnuplot -e assignments]: draws with bench/plots/SCRIPT.
plot() {
  local script="$1" out="$2"
  shift 2
  gnuplot -e "out='$out'" "$@" "$PLOTS/$script"
}
