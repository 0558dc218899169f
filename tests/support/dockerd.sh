#!/usr/bin/env bash
# dockerd.sh start|stop <dir>
#
# Provides a live Docker engine socket at <dir>/docker.sock for integration
# tests (CTest fixture "dockerd"). Resolution order for "start":
#   1. $PAAS_TEST_DOCKER_SOCK already answers /_ping  -> use it (symlink to
#      <dir>/docker.sock when it lives elsewhere);
#   2. running as root and dockerd is installed       -> start a private dockerd
#      (vfs storage, no bridge, no iptables) with data/exec roots under <dir>,
#      logging to <dir>/dockerd.log, and wait (bounded) for /_ping;
#   3. /var/run/docker.sock answers /_ping            -> symlink it;
#   otherwise exit non-zero with a clear message.
# "stop" kills only a dockerd this script started (recorded in <dir>/dockerd.pid
# together with the marker <dir>/started-by-us) and is a no-op otherwise.
set -u

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop <dir>" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/docker.sock"
pidfile="$dir/dockerd.pid"
marker="$dir/started-by-us"
wait_seconds=${PAAS_DOCKERD_WAIT:-60}

ping_sock() {
  [[ -S "$1" ]] || return 1
  [[ "$(curl -s --max-time 3 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" == "OK" ]]
}

link_sock() {
  local target=$1
  if [[ "$target" != "$sock" ]]; then
    rm -f "$sock"
    ln -s "$target" "$sock"
  fi
  echo "dockerd.sh: using existing Docker engine at $target"
}

our_pid_alive() {
  [[ -f "$marker" && -f "$pidfile" ]] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

start() {
  if [[ -n "${PAAS_TEST_DOCKER_SOCK:-}" && "${PAAS_TEST_DOCKER_SOCK}" != "$sock" ]] \
      && ping_sock "$PAAS_TEST_DOCKER_SOCK"; then
    link_sock "$PAAS_TEST_DOCKER_SOCK"; return 0
  fi
  if ping_sock "$sock"; then
    echo "dockerd.sh: Docker engine already answering at $sock"; return 0
  fi
  if [[ $(id -u) -eq 0 ]] && command -v dockerd >/dev/null 2>&1; then
    start_private && return 0
    echo "dockerd.sh: private dockerd failed to start; see $dir/dockerd.log" >&2
  fi
  if ping_sock /var/run/docker.sock; then
    link_sock /var/run/docker.sock; return 0
  fi
  echo "dockerd.sh: no Docker engine available: set PAAS_TEST_DOCKER_SOCK to a live socket," \
       "run as root with docker.io installed (apt-get install docker.io), or start the system dockerd" >&2
  return 1
}

start_private() {
  rm -f "$sock" "$marker"
  mkdir -p "$dir/data" "$dir/exec"
  # setsid: dockerd must outlive the CTest process that ran this script.
  setsid dockerd --storage-driver=vfs --bridge=none --iptables=false --ip6tables=false \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$pidfile" \
    -H "unix://$sock" >"$dir/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pidfile.launch"
  touch "$marker"
  local i
  for ((i = 0; i < wait_seconds * 4; i++)); do
    if ping_sock "$sock"; then
      echo "dockerd.sh: private dockerd (pid $pid) ready at $sock"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  echo "dockerd.sh: dockerd did not answer /_ping within ${wait_seconds}s; last log lines:" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  kill "$pid" 2>/dev/null
  rm -f "$marker"
  return 1
}

stop() {
  if ! our_pid_alive; then
    rm -f "$marker"
    if [[ -L "$sock" ]]; then rm -f "$sock"; fi
    echo "dockerd.sh: nothing of ours to stop in $dir"; return 0
  fi
  local pid i
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "dockerd.sh: dockerd $pid ignored SIGTERM, sending SIGKILL" >&2
    kill -KILL "$pid"
  fi
  # dockerd leaves its default network namespace mounted under the exec
  # root: unmount what it left under <dir>, so the folder can be removed.
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -f "$marker"
  echo "dockerd.sh: stopped dockerd $pid"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop <dir>" >&2; exit 2 ;;
esac
