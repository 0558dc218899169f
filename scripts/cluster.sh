#!/usr/bin/env bash
# cluster.sh up|down|status [dir]   (make cluster-up / cluster-down)
#
# A local paas cluster on one machine (docs/SCALING.md): a 3-node nats-server
# JetStream cluster on loopback (tests/support/natscluster.sh), one
# `--role api` instance on PAAS_LISTEN (default 127.0.0.1:8080) and two
# `--role worker` instances, all on one shared artifacts root under <dir>
# (default build/cluster). Logs: <dir>/<instance>.log.
set -u
cmd=${1:-}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$here/build/cluster}
bin=${PAAS_BIN:-$here/build/bin/paas}
nats="$here/tests/support/natscluster.sh"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

alive() { [[ -f "$dir/$1.pid" ]] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

start_instance() {
  local id=$1 role=$2
  alive "$id" && return 0
  PAAS_ROLE=$role PAAS_INSTANCE_ID=$id PAAS_NATS_URL=$urls PAAS_NATS_REPLICAS=3 \
    PAAS_ARTIFACTS_ROOT="$dir/artifacts" PAAS_LISTEN=${PAAS_LISTEN:-127.0.0.1:8080} \
    setsid "$bin" --headless >"$dir/$id.log" 2>&1 &
  echo $! >"$dir/$id.pid"
}

case "$cmd" in
  up)
    [[ -x "$bin" ]] || { echo "cluster: $bin is not built; run make build" >&2; exit 1; }
    urls=$("$nats" start "$dir/nats") || exit 1
    echo "NATS cluster: $urls"
    start_instance api1 api
    start_instance w1 worker
    start_instance w2 worker
    for _ in $(seq 1 100); do
      grep -q "API listening" "$dir/api1.log" 2>/dev/null && grep -q "Worker ready" "$dir/w1.log" 2>/dev/null &&
        grep -q "Worker ready" "$dir/w2.log" 2>/dev/null && break
      sleep 0.2
    done
    for id in api1 w1 w2; do
      alive "$id" || { echo "cluster: $id did not start; see $dir/$id.log" >&2; tail -5 "$dir/$id.log" >&2; exit 1; }
      echo "$id: pid $(cat "$dir/$id.pid"), log $dir/$id.log"
    done
    grep "API listening" "$dir/api1.log"
    ;;
  down)
    for id in api1 w1 w2; do alive "$id" && kill "$(cat "$dir/$id.pid")"; done
    for _ in $(seq 1 50); do
      alive api1 || alive w1 || alive w2 || break
      sleep 0.1
    done
    "$nats" stop "$dir/nats"
    echo "cluster stopped (state kept in $dir; remove it to start afresh)"
    ;;
  status)
    for id in api1 w1 w2; do
      if alive "$id"; then echo "$id: running (pid $(cat "$dir/$id.pid"))"; else echo "$id: stopped"; fi
    done
    ;;
  *) echo "usage: $0 up|down|status [dir]" >&2; exit 2 ;;
esac
