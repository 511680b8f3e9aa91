#!/usr/bin/env bash
# deploy/cluster/start-cluster.sh starts 3 NATS servers and 3 depositd
# nodes sharing every partition, `status` shows them, and `stop` hands the
# partitions over node by node and stops everything. Temporary folder,
# ports nothing listens on (label cluster).
# Usage: cluster_start_cluster_test.sh SOURCE_ROOT BUILD_DIR
set -euo pipefail
root=$1
export DEPOSITD_BUILD_DIR=$2
dir=$(mktemp -d)
script="$root/deploy/cluster/start-cluster.sh"
export CLUSTER_DIR="$dir/cluster" PARTITIONS=12

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_base() {  # a base port with base+0..2 (and the given offsets) unused
  local base busy
  for _ in $(seq 1 50); do
    base=$((20000 + RANDOM % 20000))
    busy=0
    for off in 0 1 2 "$@"; do
      if in_use $((base + off)); then busy=1; fi
    done
    if ((busy == 0)); then echo "$base"; return; fi
  done
  echo "no free ports" >&2
  exit 1
}
export NATS_BASE_PORT=$(free_base 2000 2001 2002 4000 4001 4002)
export NODE_BASE_PORT=$(free_base)
export HTTP_BASE_PORT=$(free_base)
cleanup() {
  (cd "$root" && "$script" stop >/dev/null 2>&1) || true
  rm -rf "$dir"
}
trap cleanup EXIT

out=$("$script")
echo "$out"
grep -q "partitions: 12" <<<"$out"
grep -q "unowned partitions: none" <<<"$out"
[[ $(grep -c "  active" <<<"$out") == 3 ]]
status=$("$script" status)
grep -q "nodes: 3" <<<"$status"
stopped=$("$script" stop)
echo "$stopped"
[[ $(grep -c "stopped depositd" <<<"$stopped") == 3 ]]
grep -q "partitions handed over" "$CLUSTER_DIR/n3.log"
for off in 0 1 2; do
  if in_use $((NODE_BASE_PORT + off)) || in_use $((NATS_BASE_PORT + off)); then
    echo "a port is still served after stop" >&2
    exit 1
  fi
done
echo "start-cluster.sh: start, status and stop OK"
