#!/usr/bin/env bash
# Readiness.GetShop queries/s and latency with N calls in flight (ghz-like,
# from depositd-loadgen), depositd beside the no-op server in the same run.
# depositd is first filled with BENCH_SHOPS shops (registration, deposit and
# 5 open orders each); queries pick shops uniformly.
#
#   bench/getshop.sh
#   BENCH_CONCURRENCY="1 8 32" BENCH_DURATION=5s bench/getshop.sh
#
# Environment (besides bench/lib.sh's): BENCH_CONCURRENCY (default
# "1 4 16 64"), BENCH_DURATION (10s), BENCH_SHOPS (100000),
# BENCH_CONNECTIONS (1).
#
# Writes bench/results/getshop.csv, getshop_latency_{depositd,noop}.csv (at
# the highest concurrency) and getshop_latency.png.
source "$(dirname "$0")/lib.sh"

levels=(${BENCH_CONCURRENCY:-1 4 16 64})
duration="${BENCH_DURATION:-10s}"
shops="${BENCH_SHOPS:-100000}"
connections="${BENCH_CONNECTIONS:-1}"
csv="$RESULTS/getshop.csv"
rm -f "$csv"

machine_info | tee "$RESULTS/getshop.env"
echo "getshop: concurrency ${levels[*]}, $duration each after 1s warm-up, $shops shops, $connections connections"

common=(--mode getshop --shops "$shops" --duration "$duration" --warmup 1s
  --connections "$connections" --csv "$csv")

start_noop noop
noop_pid=$SERVER_PID
noop_addr=$SERVER_ADDR
start_depositd getshop
d_pid=$SERVER_PID
d_addr=$SERVER_ADDR

prefill=true
last=${levels[$((${#levels[@]} - 1))]}
for c in "${levels[@]}"; do
  extra_n=() extra_d=()
  if [[ "$c" == "$last" ]]; then
    extra_n=(--latency-csv "$RESULTS/getshop_latency_noop.csv")
    extra_d=(--latency-csv "$RESULTS/getshop_latency_depositd.csv")
  fi
  loadgen "${common[@]}" --target "$noop_addr" --concurrency "$c" \
    --prefill=false --label noop "${extra_n[@]}"
  # The first depositd run fills the shops (not measured).
  loadgen "${common[@]}" --target "$d_addr" --concurrency "$c" \
    --prefill="$prefill" --label depositd "${extra_d[@]}"
  prefill=false
done
echo "depositd: VmRSS $(proc_kib "$d_pid" VmRSS) KiB with $shops shops"
stop_server "$d_pid"
stop_server "$noop_pid"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/getshop.env"

echo
echo "in flight  depositd q/s  no-op q/s  ratio  depositd p50 ms  p99 ms  no-op p99 ms"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { q[$c["label"], $c["concurrency"]] = $c["per_s"]; p50[$c["label"], $c["concurrency"]] = $c["p50_ms"];
    p99[$c["label"], $c["concurrency"]] = $c["p99_ms"]; k[$c["concurrency"]] = 1 }
  END { for (n in k) if (q["noop", n] > 0)
      printf "%9d  %12.0f  %9.0f  %5.1f%%  %15.3f  %6.3f  %12.3f\n", n, q["depositd", n], q["noop", n],
        100 * q["depositd", n] / q["noop", n], p50["depositd", n], p99["depositd", n], p99["noop", n] }' \
  "$csv" | sort -n | tee "$RESULTS/getshop_summary.txt"

plot latency_distribution.gp "$RESULTS/getshop_latency.png" \
  -e "a='$RESULTS/getshop_latency_depositd.csv'" -e "alabel='depositd'" \
  -e "b='$RESULTS/getshop_latency_noop.csv'" -e "blabel='no-op'" \
  -e "title_text='Readiness.GetShop latency, $last calls in flight, $shops shops'"
echo "wrote $csv and $RESULTS/getshop_latency.png"
