#!/usr/bin/env bash
# deploy/cluster/start-nats.sh starts a 3-node JetStream cluster with a meta
# leader, says so in `status`, is idempotent, and `stop` stops every server.
# Runs in a temporary folder on ports nothing listens on (label cluster).
# Usage: cluster_start_nats_test.sh SOURCE_ROOT
set -euo pipefail
root=$1
dir=$(mktemp -d)
script="$root/deploy/cluster/start-nats.sh"
export NATS_DIR="$dir/nats"

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  base=$((20000 + RANDOM % 20000))
  busy=0
  for off in 0 1 2 2000 2001 2002 4000 4001 4002; do
    if in_use $((base + off)); then busy=1; fi
  done
  ((busy == 0)) && break
done
export NATS_BASE_PORT=$base
cleanup() {
  "$script" stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"$script" | tee "$dir/start.out"
grep -q "JetStream meta leader: n[123]" "$dir/start.out"
status=$("$script" status)
echo "$status"
[[ $(grep -c "running (pid" <<<"$status") == 3 ]]
grep -q "meta leader: n[123]" <<<"$status"
again=$("$script")
grep -q "n1 already running" <<<"$again"
"$script" stop
status=$("$script" status)
[[ $(grep -c "not running" <<<"$status") == 3 ]]
for off in 0 1 2; do
  if in_use $((base + off)); then
    echo "port $((base + off)) still served after stop" >&2
    exit 1
  fi
done
echo "start-nats.sh: start, status, restart and stop OK"
