#!/usr/bin/env bash
# natscluster.sh start|stop|kill|restart|urls <dir> [node]
#
# A 3-node nats-server JetStream cluster on loopback, for the cluster tests
# (CTest fixture "natscluster") and `make cluster-up`. Node N (1..3) listens
# for clients on PAAS_CLUSTER_PORT+N-1 (default base 14222) and for routes
# on base+100+N-1; its store, config, log and pid live under <dir>/nN.
#   start        starts the nodes not running and waits until JetStream has
#                a meta leader (bounded); prints the client URL list
#   stop         stops every node this script started (SIGTERM, then KILL)
#   kill N       kill -9 node N (a fault)
#   restart N    starts node N again on its old store
#   urls         prints nats://127.0.0.1:P1,nats://...,nats://...
set -u
cmd=${1:-}
dir=${2:-}
node=${3:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop|kill|restart|urls <dir> [node]" >&2
  exit 2
fi
base=${PAAS_CLUSTER_PORT:-14222}
# As paas finds it: PATH, then Debian's /usr/sbin (not on a user's PATH).
bin=${PAAS_NATS_SERVER_BIN:-$(command -v nats-server || true)}
for candidate in /usr/local/sbin/nats-server /usr/sbin/nats-server; do
  [[ -n "$bin" ]] || { [[ -x "$candidate" ]] && bin=$candidate; }
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

urls() {
  echo "nats://127.0.0.1:$base,nats://127.0.0.1:$((base + 1)),nats://127.0.0.1:$((base + 2))"
}

alive() { [[ -f "$dir/n$1/pid" ]] && kill -0 "$(cat "$dir/n$1/pid")" 2>/dev/null; }

start_node() {
  local n=$1 port=$((base + $1 - 1)) route=$((base + 100 + $1 - 1))
  alive "$n" && return 0
  mkdir -p "$dir/n$n/store"
  cat >"$dir/n$n/nats.conf" <<CONF
server_name: paas-n$n
listen: 127.0.0.1:$port
jetstream { store_dir: "$dir/n$n/store", max_memory_store: 64MB, max_file_store: 2GB }
cluster {
  name: paas-test
  listen: 127.0.0.1:$route
  routes: [ nats-route://127.0.0.1:$((base + 100)), nats-route://127.0.0.1:$((base + 101)), nats-route://127.0.0.1:$((base + 102)) ]
}
CONF
  "$bin" -c "$dir/n$n/nats.conf" >>"$dir/n$n/log" 2>&1 &
  echo $! >"$dir/n$n/pid"
}

jetstream_ready() {
  # JetStream answers once the cluster elected its metadata leader: a node
  # logs "JetStream cluster new metadata leader" then.
  grep -q "metadata leader" "$dir"/n*/log 2>/dev/null
}

case "$cmd" in
  start)
    [[ -x "$bin" ]] || { echo "natscluster: nats-server not found (installer/deps-debian.sh installs it)" >&2; exit 1; }
    for n in 1 2 3; do start_node "$n"; done
    for _ in $(seq 1 150); do
      jetstream_ready && { urls; exit 0; }
      sleep 0.2
    done
    echo "natscluster: no JetStream meta leader after 30 s; logs in $dir/n*/log" >&2
    exit 1
    ;;
  stop)
    for n in 1 2 3; do
      alive "$n" && kill "$(cat "$dir/n$n/pid")"
    done
    for _ in $(seq 1 50); do
      alive 1 || alive 2 || alive 3 || exit 0
      sleep 0.1
    done
    for n in 1 2 3; do alive "$n" && kill -9 "$(cat "$dir/n$n/pid")"; done
    exit 0
    ;;
  kill) alive "$node" && kill -9 "$(cat "$dir/n$node/pid")"; exit 0 ;;
  restart) start_node "$node"; exit 0 ;;
  urls) urls ;;
  *) echo "natscluster: unknown command $cmd" >&2; exit 2 ;;
esac
