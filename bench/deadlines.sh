#!/usr/bin/env bash
# Deadlines: 1,000,000 pending (one dispute deadline per shop, 30+ days
# ahead), then DEADLINE_FIRE of them moved so that their first alert stage
# (24 h before the response deadline) falls inside a 30-second window; how
# late do the DISPUTE_RESPONSE_DUE alerts arrive?
#
# Two methods (both from depositd-loadgen --mode deadlines):
#   real clock: depositd on the wall clock. Lateness = arrival of the alert
#     on Alerts.Watch minus the moment it was due; also the alert's own
#     processing time (Alert.at) minus the moment it was due (how late the
#     shard stepped, before the commit).
#   test clock: depositd --test-clock; Admin.AdvanceTestClock moves time
#     through the window in BENCH_STEPS steps, each crossing
#     DEADLINE_FIRE_TEST / steps deadlines at once (a burst). Lateness =
#     arrival minus the start of the advance call that crossed the deadline;
#     the call itself returns once all its firings are durable.
#
#   bench/deadlines.sh
#   DEADLINE_SHOPS=100000 bench/deadlines.sh
#
# Environment (besides bench/lib.sh's): DEADLINE_SHOPS (1000000),
# DEADLINE_FIRE (10000), DEADLINE_FIRE_TEST (100000), BENCH_STEPS (10).
#
# Writes bench/results/deadlines.csv, deadlines_{real,test}_latency.csv and
# deadlines.png.
source "$(dirname "$0")/lib.sh"

shops="${DEADLINE_SHOPS:-1000000}"
fire="${DEADLINE_FIRE:-10000}"
fire_test="${DEADLINE_FIRE_TEST:-100000}"
steps="${BENCH_STEPS:-10}"
csv="$RESULTS/deadlines.csv"
rm -f "$csv"
machine_info | tee "$RESULTS/deadlines.env"

start_depositd deadlines-real
loadgen --mode deadlines --clock real --target "$SERVER_ADDR" \
  --shops "$shops" --fire "$fire" --fire-after 20s --fire-window 30s \
  --concurrency 2 --batch 1000 --timeout 60s --csv "$csv" --label real \
  --latency-csv "$RESULTS/deadlines_real_latency.csv" \
  | tee "$RESULTS/deadlines_real.txt"
echo "depositd VmHWM $(proc_kib "$SERVER_PID" VmHWM) KiB"
stop_server "$SERVER_PID"

start_depositd deadlines-test --test-clock
loadgen --mode deadlines --clock test --target "$SERVER_ADDR" \
  --shops "$shops" --fire "$fire_test" --fire-window 30s \
  --advance-steps "$steps" --concurrency 2 --batch 1000 --timeout 120s \
  --csv "$csv" --label test \
  --latency-csv "$RESULTS/deadlines_test_latency.csv" \
  | tee "$RESULTS/deadlines_test.txt"
stop_server "$SERVER_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/deadlines.env"

plot latency_distribution.gp "$RESULTS/deadlines.png" \
  -e "a='$RESULTS/deadlines_real_latency.csv'" \
  -e "alabel='real clock: $fire due over 30 s, $shops pending'" \
  -e "b='$RESULTS/deadlines_test_latency.csv'" \
  -e "blabel='test clock: $fire_test crossed in $steps advances'" \
  -e "title_text='How late deadline alerts arrive on Alerts.Watch'"
echo "wrote $csv and $RESULTS/deadlines.png"
