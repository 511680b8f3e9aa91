#!/usr/bin/env bash
# Reload: how long a live configuration reload takes with N shops
# (`depositctl config reload`, which returns once every shop the change
# moves was judged again under the new file and that is durable): a profile
# change for the tenant of every shop, first right after populating (shops
# idle for 5 s are packed already), then with every shop packed (each is
# unpacked to be judged); then a change for another tenant only (no shop
# judged). A shard judges its shops in one step, so ingest to that shard
# waits for about (reload time / shards) meanwhile.
#
#   bench/reload.sh                                  # 100,000 shops
#   RELOAD_SHOPS=20000 RELOAD_ORDERS=40000 bench/reload.sh
#
# Environment (besides bench/lib.sh's): RELOAD_SHOPS, RELOAD_ORDERS,
# BENCH_TAG (suffix of the file names).
#
# Writes bench/results/reload$BENCH_TAG.csv (metric,value) and .env.
source "$(dirname "$0")/lib.sh"

shops="${RELOAD_SHOPS:-100000}"
orders="${RELOAD_ORDERS:-200000}"
tag="${BENCH_TAG:-}"
csv="$RESULTS/reload$tag.csv"
ctl="$BUILD/tools/depositctl"
rm -f "$csv"
machine_info | tee "$RESULTS/reload$tag.env"
echo "metric,value" >"$csv"
record() {
  echo "$1,$2" | tee -a "$csv"
}

config="$BENCH_WORK/depositd.textproto"
echo 'tenants { tenant: "loadgen" }' >"$config"
start_depositd reload --config "$config" --sync=os --pack-idle-seconds 5
record shops "$shops"
record open_orders "$orders"
loadgen --mode populate --target "$SERVER_ADDR" --shops "$shops" \
  --open-orders "$orders" --concurrency 2 --batch 1000 >/dev/null

# reload NAME: applies the file now in $config, records its time and the
# shops judged again.
reload() {
  local out took_s
  out=$("$ctl" --addr "$SERVER_ADDR" --timeout 600 config reload --json)
  took_s=$(echo "$out" | sed -n 's/.*"took": *"\([0-9.]*\)s".*/\1/p')
  record "${1}_ms" "$(awk -v s="$took_s" 'BEGIN { printf "%.0f", s * 1000 }')"
  shops_out=$(echo "$out" | sed -n 's/.*"shopsReevaluated": *"\([0-9]*\)".*/\1/p')
  record "${1}_shops" "${shops_out:-0}"
}

# Live shops: a profile change for the tenant.
echo 'tenants { tenant: "loadgen" profile { closure_waiting_days: 45 } }' >"$config"
reload reload_live
# Packed shops: wait until 99% are packed (idle 5 s, then a round), then
# change back.
for _ in $(seq 1 240); do
  packed=$(loadgen --mode stats --target "$SERVER_ADDR" |
    sed -n 's/.*packed_shops=\([0-9]*\).*/\1/p')
  if [ "${packed:-0}" -ge $((shops * 99 / 100)) ]; then break; fi
  sleep 1
done
record packed_before_reload "${packed:-0}"
echo 'tenants { tenant: "loadgen" }' >"$config"
reload reload_packed
# A change for another tenant only: a new version that judges no shop here.
printf '%s\n' 'tenants { tenant: "loadgen" }' \
  'tenants { tenant: "other" profile { closure_waiting_days: 45 } }' >"$config"
reload reload_other_tenant
record vmhwm_kib "$(proc_kib "$SERVER_PID" VmHWM)"
stop_server "$SERVER_PID"
