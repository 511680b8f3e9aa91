#!/usr/bin/env bash
# Scale: 1,000,000 shops with 5,000,000 open orders in one depositd: resident
# memory (VmRSS, VmHWM) and restart-to-serving time, after a clean stop
# (final checkpoint) and after kill -9 (checkpoint + log replay).
#
# depositd-loadgen --mode populate registers every shop (deposit, refund
# account) and spreads the orders Zipf-wise (shop-0 has ~12% of them), 30%
# shipped, all open. Restart-to-serving is measured from the launch of the
# process to its first answered GetShop (health SERVING shortly before).
#
#   bench/scale.sh                                  # the full size, minutes
#   SCALE_SHOPS=100000 SCALE_ORDERS=500000 bench/scale.sh
#
# Environment (besides bench/lib.sh's): SCALE_SHOPS, SCALE_ORDERS,
# BENCH_SYNC (fsync), BENCH_TAG (suffix of the file names, e.g. "_50k").
#
# Writes bench/results/scale$BENCH_TAG.csv (metric,value),
# scale$BENCH_TAG_load.csv and scale$BENCH_TAG_stats.txt.
source "$(dirname "$0")/lib.sh"

shops="${SCALE_SHOPS:-1000000}"
orders="${SCALE_ORDERS:-5000000}"
sync="${BENCH_SYNC:-fsync}"
tag="${BENCH_TAG:-}"
csv="$RESULTS/scale$tag.csv"
load_csv="$RESULTS/scale${tag}_load.csv"
rm -f "$csv" "$load_csv"
machine_info | tee "$RESULTS/scale$tag.env"
echo "metric,value" >"$csv"
record() {
  echo "$1,$2" | tee -a "$csv"
}

start_depositd scale --sync="$sync"
record shops "$shops"
record open_orders "$orders"
loadgen --mode populate --target "$SERVER_ADDR" --shops "$shops" \
  --open-orders "$orders" --concurrency 2 --batch 1000 --csv "$load_csv"
# Let a checkpoint pass (every 5 s), as a running daemon would: every shop
# is still live (they were all written in the last half minute).
sleep 7
loadgen --mode stats --target "$SERVER_ADDR" | tee "$RESULTS/scale${tag}_stats.txt"
record populated_vmrss_kib "$(proc_kib "$SERVER_PID" VmRSS)"
record populated_vmhwm_kib "$(proc_kib "$SERVER_PID" VmHWM)"
# Then the steady state: shops idle for --pack-idle-seconds (default 60)
# are packed by the checkpoint rounds. Wait until 99% are (at most 240 s).
t_pack=$(date +%s%N)
packed=0
for _ in $(seq 1 240); do
  packed=$(loadgen --mode stats --target "$SERVER_ADDR" |
    sed -n 's/.*packed_shops=\([0-9]*\).*/\1/p')
  if [ "${packed:-0}" -ge $((shops * 99 / 100)) ]; then break; fi
  sleep 1
done
record packed_shops "${packed:-0}"
record pack_wait_s "$(awk -v a="$t_pack" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
record packed_vmrss_kib "$(proc_kib "$SERVER_PID" VmRSS)"

t0=$(date +%s%N)
stop_server "$SERVER_PID"
record clean_stop_s "$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
record data_dir_kib "$(du -sk "$SERVER_DIR/data" | cut -f1)"

# Clean restart: load the checkpoints.
launch_depositd
loadgen --mode serving --port-file "$SERVER_DIR/port" \
  --since-unix-ns "$SERVER_START_NS" --timeout 600s --csv "$load_csv" \
  --label clean-restart | tee "$SERVER_DIR/serving.txt"
record clean_restart_to_serving_s "$(csv_field "$load_csv" p50_ms | awk '{ printf "%.3f", $1 / 1000 }')"
SERVER_ADDR="127.0.0.1:$(cat "$SERVER_DIR/port")"
loadgen --mode stats --target "$SERVER_ADDR"
record restarted_vmrss_kib "$(proc_kib "$SERVER_PID" VmRSS)"
record restarted_vmhwm_kib "$(proc_kib "$SERVER_PID" VmHWM)"
grep -o 'recovered .*' "$SERVER_LOG" | tail -1 || true

# Crash restart: 5 s of the ingest mix on the big population, kill -9 right
# after its last ack (the log after the last checkpoint must be replayed).
loadgen --mode ingest --target "$SERVER_ADDR" --shops "$shops" --duration 5s \
  --warmup 0s --batch 1000 --concurrency 2 --run-id crash --csv "$load_csv" \
  --label before-kill
kill_server "$SERVER_PID"
launch_depositd
loadgen --mode serving --port-file "$SERVER_DIR/port" \
  --since-unix-ns "$SERVER_START_NS" --timeout 600s --csv "$load_csv" \
  --label crash-restart
record crash_restart_to_serving_s "$(csv_field "$load_csv" p50_ms | awk '{ printf "%.3f", $1 / 1000 }')"
grep -o 'recovered .*' "$SERVER_LOG" | tail -1 || true
record crash_restarted_vmhwm_kib "$(proc_kib "$SERVER_PID" VmHWM)"
stop_server "$SERVER_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/scale$tag.env"
echo "wrote $csv"
