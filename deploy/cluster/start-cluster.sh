#!/usr/bin/env bash
# Starts a local cluster on 127.0.0.1 with one command: 3 NATS JetStream
# servers (deploy/cluster/start-nats.sh) and 3 depositd nodes joined to
# them, then waits until the nodes hold every partition between them.
#
#   deploy/cluster/start-cluster.sh            # start (build first: deploy/build.sh)
#   deploy/cluster/start-cluster.sh status     # depositctl cluster status
#   deploy/cluster/start-cluster.sh stop       # SIGTERM the nodes (they hand over), then NATS
#
# Nodes n1, n2, n3: gRPC on 127.0.0.1:50061-50063, HTTP edge on
# 127.0.0.1:9481-9483, data dirs, logs and pid files in $CLUSTER_DIR
# (default ./var/cluster), $PARTITIONS partitions (default 64; fixed when
# the cluster is first created). NATS as in start-nats.sh ($NATS_DIR,
# default $CLUSTER_DIR/nats; $NATS_BASE_PORT). Move the node ports with
# NODE_BASE_PORT and HTTP_BASE_PORT. Cluster mode is in progress
# (docs/cluster.md): the nodes share partition leases, while each engine
# still stores its own events.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${CLUSTER_DIR:-var/cluster}
export NATS_DIR=${NATS_DIR:-$dir/nats}
nats_base=${NATS_BASE_PORT:-4222}
node_base=${NODE_BASE_PORT:-50061}
http_base=${HTTP_BASE_PORT:-9481}
partitions=${PARTITIONS:-64}
build=${DEPOSITD_BUILD_DIR:-build}
depositd=$build/daemon/depositd
depositctl=$build/tools/depositctl
nats_urls="nats://127.0.0.1:$nats_base,nats://127.0.0.1:$((nats_base + 1)),nats://127.0.0.1:$((nats_base + 2))"

pid_of() {
  local f="$dir/n$1.pid"
  [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

case ${1:-start} in
  stop)
    # One node at a time, so each hands its partitions to the others.
    for i in 3 2 1; do
      if pid=$(pid_of $i); then
        kill "$pid"
        for _ in $(seq 1 300); do
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.1
        done
        echo "stopped depositd n$i (pid $pid)"
      fi
      rm -f "$dir/n$i.pid"
    done
    deploy/cluster/start-nats.sh stop
    exit 0
    ;;
  status)
    exec "$depositctl" cluster status --nats "$nats_urls"
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|status|stop]" >&2
    exit 2
    ;;
esac

if [[ ! -x $depositd || ! -x $depositctl ]]; then
  echo "start-cluster: no $depositd or $depositctl; build first: deploy/build.sh" >&2
  exit 1
fi
deploy/cluster/start-nats.sh
mkdir -p "$dir"
for i in 1 2 3; do
  if pid=$(pid_of $i); then
    echo "depositd n$i already running (pid $pid)"
    continue
  fi
  rm -f "$dir/n$i.port"
  nohup "$depositd" --listen "127.0.0.1:$((node_base + i - 1))" \
    --http-listen "127.0.0.1:$((http_base + i - 1))" \
    --data-dir "$dir/n$i" --port-file "$dir/n$i.port" \
    --cluster-nats "$nats_urls" --cluster-node-id "n$i" \
    --cluster-partitions "$partitions" >>"$dir/n$i.log" 2>&1 &
  echo $! >"$dir/n$i.pid"
  for _ in $(seq 1 300); do
    [[ -s $dir/n$i.port ]] && break
    if ! kill -0 "$(cat "$dir/n$i.pid")" 2>/dev/null; then
      echo "start-cluster: depositd n$i exited: $(tail -n 1 "$dir/n$i.log")" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "started depositd n$i (pid $(cat "$dir/n$i.pid")) on 127.0.0.1:$((node_base + i - 1)), log $dir/n$i.log"
done

for _ in $(seq 1 300); do
  status=$("$depositctl" cluster status --nats "$nats_urls" 2>/dev/null || true)
  if grep -q "unowned partitions: none" <<<"$status" &&
     [[ $(grep -c "  active" <<<"$status") == 3 ]]; then
    echo "$status"
    exit 0
  fi
  sleep 0.2
done
echo "start-cluster: the nodes did not share every partition within 60 s; see $dir/n*.log" >&2
exit 1
