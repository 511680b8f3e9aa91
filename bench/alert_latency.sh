#!/usr/bin/env bash
# Event -> alert latency on Alerts.Watch: depositd-loadgen sends disputes due
# in 1 hour (inside the 6-hour lead, so DISPUTE_RESPONSE_DUE fires at once),
# one event per batch at BENCH_RATE/s, and times each from the write to the
# FIRING alert's arrival on a Watch stream. Run idle and under a background
# ingest load (the realistic mix at BENCH_BG_RATE events/s), for depositd
# (fsync) and for the no-op server (which echoes each dispute as an alert at
# once: the transport floor).
#
#   bench/alert_latency.sh
#
# Environment (besides bench/lib.sh's): BENCH_RATE (200), BENCH_DURATION
# (20s), BENCH_BG_RATE (50000), BENCH_SHOPS (10000).
#
# Writes bench/results/alert_latency.csv,
# alert_latency_{depositd,depositd_bg,noop,noop_bg}.csv (percentile curves),
# alert_latency_samples_depositd{,_bg}.csv (every alert), alert_latency.png
# and alert_latency_timeline.png.
source "$(dirname "$0")/lib.sh"

rate="${BENCH_RATE:-200}"
duration="${BENCH_DURATION:-20s}"
bg="${BENCH_BG_RATE:-50000}"
shops="${BENCH_SHOPS:-10000}"
csv="$RESULTS/alert_latency.csv"
rm -f "$csv"

machine_info | tee "$RESULTS/alert_latency.env"
echo "alert latency: $rate disputes/s for $duration, idle and with $bg events/s background ingest"
common=(--mode alert-latency --rate "$rate" --duration "$duration" --warmup 1s
  --shops "$shops" --batch 1000 --concurrency 2 --csv "$csv")

start_noop noop
loadgen "${common[@]}" --target "$SERVER_ADDR" --label noop --run-id n \
  --latency-csv "$RESULTS/alert_latency_noop.csv"
loadgen "${common[@]}" --target "$SERVER_ADDR" --label noop-bg --run-id nb \
  --background-rate "$bg" --latency-csv "$RESULTS/alert_latency_noop_bg.csv"
stop_server "$SERVER_PID"

start_depositd alerts
loadgen "${common[@]}" --target "$SERVER_ADDR" --label depositd --run-id d \
  --latency-csv "$RESULTS/alert_latency_depositd.csv" \
  --samples-csv "$RESULTS/alert_latency_samples_depositd.csv"
loadgen "${common[@]}" --target "$SERVER_ADDR" --label depositd-bg --run-id db \
  --background-rate "$bg" --latency-csv "$RESULTS/alert_latency_depositd_bg.csv" \
  --samples-csv "$RESULTS/alert_latency_samples_depositd_bg.csv"
stop_server "$SERVER_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/alert_latency.env"

echo
echo "run          alerts  p50 ms  p90 ms  p99 ms  p99.9 ms  max ms"
awk -F, 'NR > 1 { printf "%-12s %6d  %6.2f  %6.2f  %6.2f  %8.2f  %6.2f\n", $2, $9, $11, $12, $13, $14, $15 }' \
  "$csv" | tee "$RESULTS/alert_latency_summary.txt"

plot latency_distribution.gp "$RESULTS/alert_latency.png" \
  -e "a='$RESULTS/alert_latency_depositd.csv'" -e "alabel='depositd, idle'" \
  -e "b='$RESULTS/alert_latency_depositd_bg.csv'" -e "blabel='depositd, $bg events/s background'" \
  -e "c='$RESULTS/alert_latency_noop.csv'" -e "clabel='no-op echo (transport floor)'" \
  -e "title_text='Event -> alert on Alerts.Watch, $rate disputes/s'"
plot latency_timeline.gp "$RESULTS/alert_latency_timeline.png" \
  -e "a='$RESULTS/alert_latency_samples_depositd.csv'" -e "alabel='depositd, idle'" \
  -e "b='$RESULTS/alert_latency_samples_depositd_bg.csv'" -e "blabel='depositd, $bg events/s background'" \
  -e "title_text='Event -> alert latency of each dispute over the run (depositd checkpoints every 5 s)'"
echo "wrote $csv, $RESULTS/alert_latency.png and $RESULTS/alert_latency_timeline.png"
