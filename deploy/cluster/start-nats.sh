#!/usr/bin/env bash
# Starts a local 3-node NATS JetStream cluster on 127.0.0.1 for depositd's
# cluster mode (Debian nats-server 2.9.10), in the background, and waits
# until JetStream has a meta leader.
#
#   deploy/cluster/start-nats.sh            # start (idempotent)
#   deploy/cluster/start-nats.sh status     # who runs, who leads
#   deploy/cluster/start-nats.sh stop       # stop all three (SIGTERM)
#
# Servers n1, n2, n3: clients on 127.0.0.1:4222, 4223, 4224 (give depositd
# --cluster-nats nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224),
# routes on 6222-6224, monitoring on http://127.0.0.1:8222-8224 (/jsz,
# /healthz). Stores, configs, logs and pid files in $NATS_DIR (default
# ./var/nats). Set NATS_BASE_PORT to shift the client ports (routes and
# monitoring move with it: +2000 and +4000).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${NATS_DIR:-var/nats}
base=${NATS_BASE_PORT:-4222}
server=$(command -v nats-server || echo /usr/sbin/nats-server)
if [[ ! -x $server ]]; then
  echo "start-nats: nats-server is not installed (apt-get install nats-server)" >&2
  exit 1
fi

pid_of() {
  local f="$dir/n$1.pid"
  [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

leader() {
  # The meta leader as server n$1 sees it ("" if none or not answering).
  local json
  json=$(exec 3<>"/dev/tcp/127.0.0.1/$((base + 4000 + $1 - 1))" &&
         printf 'GET /jsz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
         cat <&3) 2>/dev/null || return 0
  sed -n 's/.*"leader": *"\([^"]*\)".*/\1/p' <<<"$json" | head -n1
}

case ${1:-start} in
  stop)
    for i in 1 2 3; do
      if pid=$(pid_of $i); then
        kill "$pid"
        for _ in $(seq 1 100); do
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.1
        done
        echo "stopped n$i (pid $pid)"
      fi
      rm -f "$dir/n$i.pid"
    done
    exit 0
    ;;
  status)
    for i in 1 2 3; do
      if pid=$(pid_of $i); then
        echo "n$i: running (pid $pid), client nats://127.0.0.1:$((base + i - 1)), meta leader: $(leader $i)"
      else
        echo "n$i: not running"
      fi
    done
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|status|stop]" >&2
    exit 2
    ;;
esac

mkdir -p "$dir"
routes=""
for i in 1 2 3; do
  routes+="    nats-route://127.0.0.1:$((base + 2000 + i - 1))"$'\n'
done
for i in 1 2 3; do
  if pid=$(pid_of $i); then
    echo "n$i already running (pid $pid)"
    continue
  fi
  conf="$dir/n$i.conf"
  cat >"$conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((base + i - 1))
http: 127.0.0.1:$((base + 4000 + i - 1))
jetstream {
  store_dir: "$(realpath -m "$dir")/n$i"
}
cluster {
  name: depositd
  listen: 127.0.0.1:$((base + 2000 + i - 1))
  routes: [
$routes  ]
}
CONF
  nohup "$server" -c "$conf" >>"$dir/n$i.log" 2>&1 &
  echo $! >"$dir/n$i.pid"
  echo "started n$i (pid $!), client nats://127.0.0.1:$((base + i - 1)), log $dir/n$i.log"
done

for _ in $(seq 1 300); do
  l=$(leader 1)
  if [[ -n $l ]]; then
    echo "JetStream meta leader: $l"
    echo "depositd: --cluster-nats nats://127.0.0.1:$base,nats://127.0.0.1:$((base + 1)),nats://127.0.0.1:$((base + 2))"
    exit 0
  fi
  sleep 0.1
done
echo "start-nats: no JetStream meta leader after 30 s; see $dir/n*.log" >&2
exit 1
