#!/usr/bin/env bash
# The console's API calls (/api/v1 on the HTTP edge) over a depositd holding
# BENCH_SHOPS shops (loadgen's population: registration, deposit and open
# orders each), beside the no-op ceiling of the same edge (/livez) in the
# same run. Each path is asked BENCH_CALLS times, one at a time, with curl
# (its own time_total: connect, request, answer); the first call of each
# path is reported apart (the first ListShops after the fill evaluates the
# verdicts the fill made stale, see daemon/shop_index.h), then p50/p99/max
# of the rest.
#
#   bench/console_api.sh
#   BENCH_SHOPS=100000 BENCH_CALLS=100 bench/console_api.sh
#
# Environment (besides bench/lib.sh's): BENCH_SHOPS (1000000),
# BENCH_OPEN_ORDERS (5 per shop), BENCH_CALLS (200), BENCH_SETTLE (seconds
# to wait after the fill, 120: the fill leaves checkpoint rounds and the
# packing of every shop going, which hold the shard threads and so every
# query behind them; the figures are for a daemon at rest).
#
# Writes bench/results/console_api.txt (and .env).
source "$(dirname "$0")/lib.sh"

shops="${BENCH_SHOPS:-1000000}"
orders="${BENCH_OPEN_ORDERS:-$((shops * 5))}"
calls="${BENCH_CALLS:-200}"
out="$RESULTS/console_api.txt"

machine_info | tee "$RESULTS/console_api.env"
start_depositd console --http-port-file "$BENCH_WORK/console/http_port"
d_pid=$SERVER_PID
loadgen --mode populate --target "$SERVER_ADDR" --shops "$shops" \
  --open_orders "$orders" --connections 2
http="http://127.0.0.1:$(cat "$BENCH_WORK/console/http_port")"
echo "settling ${BENCH_SETTLE:-120} s after the fill"
sleep "${BENCH_SETTLE:-120}"

# measure PATH: one line "first_ms p50_ms p99_ms max_ms bytes PATH".
measure() {
  local path="$1" url="$http$1" first times
  first=$(curl -s -o "$BENCH_WORK/body" -w '%{time_total}' "$url")
  times=$(for ((i = 0; i < calls; i++)); do
    curl -s -o /dev/null -w '%{time_total}\n' "$url"
  done | sort -n)
  awk -v first="$first" -v bytes="$(wc -c <"$BENCH_WORK/body")" \
    -v path="$path" '{ t[NR] = $1 * 1000 } END {
      p50 = t[int(NR * 0.50 + 0.5)]; p99 = t[int(NR * 0.99 + 0.5)];
      printf "%9.2f %8.2f %8.2f %8.2f %9d  %s\n", first * 1000, p50, p99,
        t[NR], bytes, path }' <<<"$times"
}

{
  echo "console API over $shops shops ($orders open orders), $calls calls per path after the first"
  echo "depositd: VmRSS $(proc_kib "$d_pid" VmRSS) KiB"
  echo " first_ms   p50_ms   p99_ms   max_ms     bytes  path"
  for path in \
    /livez \
    /api/v1/overview \
    "/api/v1/shops?page_size=50" \
    "/api/v1/shops?verdict=READY&page_size=50" \
    "/api/v1/shops?verdict=READY_AT&page_size=50" \
    "/api/v1/shops?risk=BALANCE_SHORT&page_size=50" \
    "/api/v1/shops?sort=risk&page_size=50" \
    "/api/v1/shops?profile=no-such-profile" \
    "/api/v1/shops?tenant=loadgen&q=shop-99999&page_size=50" \
    /api/v1/shops/loadgen/shop-12345 \
    /api/v1/shops/loadgen/shop-12345/explain \
    "/api/v1/alerts?kind=BALANCE_SHORT" \
    "/api/v1/alerts/transitions?from_sequence=1&limit=100"; do
    measure "$path"
  done
  echo "depositd: VmRSS $(proc_kib "$d_pid" VmRSS) KiB after the calls"
} | tee "$out"
stop_server "$d_pid"
