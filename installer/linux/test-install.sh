#!/usr/bin/env bash
# The clean-root install test (issue 13): installs build/paas_*.deb into a
# fresh Debian 12 minbase root and runs it there.
#
#   installer/linux/test-install.sh [BUILD_DIR]      (as root; make test-install)
#
# 1. A pristine `debootstrap --variant=minbase bookworm` root, from the mirror
#    apt already uses (/etc/apt/sources.list{,.d/*.sources}), cached under
#    BUILD_DIR/install-test/bookworm-minbase (a rerun reuses it).
# 2. A scratch copy of it; /proc and /dev mounted; the host's apt sources;
#    downloaded .debs cached in BUILD_DIR/install-test/apt-archives.
# 3. `apt-get install --no-install-recommends ./paas_*.deb`: every Depends
#    (nats-server included) must resolve from the mirror alone.
# 4. `paas --headless --image-builder-mode artifact` on a free loopback
#    port: /healthz must be ok, /api/system must name the package's version,
#    and a project must be created and built (its create op completes).
# Prints the installed size and the wall times. A trap always kills what ran
# in the root and unmounts it.
set -euo pipefail

BUILD_DIR=$(cd "${1:-build}" && pwd -P)   # physical: compared with /proc/<pid>/root
WORK="$BUILD_DIR/install-test"
PRISTINE="$WORK/bookworm-minbase"
ROOT="$WORK/root"
ARCHIVES="$WORK/apt-archives"
T0=$(date +%s)
log() { echo "test-install: $*"; }
die() { log "FAIL: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap, chroot, mount)"
DEB=$(ls -t "$BUILD_DIR"/paas_*.deb 2>/dev/null | head -n1 || true)
[[ -n "$DEB" ]] || die "no $BUILD_DIR/paas_*.deb: run make package first"
command -v debootstrap >/dev/null || die "debootstrap missing: installer/deps-debian.sh --test"

# The first deb.debian.org-style URI of the host's apt sources (one-line or deb822).
host_mirror() {
  local uri
  uri=$(grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        grep -v security | sed -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1; exit}')
  if [[ -z "$uri" ]]; then
    uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' \
          /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

prepare_pristine() {
  if [[ -f "$PRISTINE/.paas-complete" ]]; then
    log "debootstrap root: cached ($PRISTINE)"
    return
  fi
  local mirror t; mirror=$(host_mirror); t=$(date +%s)
  log "debootstrap --variant=minbase bookworm from $mirror (cold, a few minutes)"
  rm -rf "$PRISTINE.tmp"
  debootstrap --variant=minbase bookworm "$PRISTINE.tmp" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 20 "$WORK/debootstrap.log"; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
  touch "$PRISTINE.tmp/.paas-complete"
  rm -rf "$PRISTINE"; mv "$PRISTINE.tmp" "$PRISTINE"
  log "debootstrap took $(( $(date +%s) - t ))s"
}

PAAS_PID=""
cleanup() {
  local pid link
  # Every process whose root is the scratch root (paas, its nats-server, apt).
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    link=$(readlink "/proc/$pid/root" 2>/dev/null || true)
    [[ "$link" == "$ROOT" ]] && kill -9 "$pid" 2>/dev/null || true
  done
  sleep 0.2
  for m in "$ROOT/var/cache/apt/archives" "$ROOT/dev/pts" "$ROOT/dev" "$ROOT/proc"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true
  done
}
trap cleanup EXIT

# Never delete through a mount (the bind-mounted /dev above all).
remove_root() {
  if grep -q " $ROOT/" /proc/mounts; then die "$ROOT still has mounts: not removing it"; fi
  rm -rf --one-file-system "$ROOT"
}

mkdir -p "$WORK" "$ARCHIVES/partial"
prepare_pristine
cleanup
remove_root
cp -a "$PRISTINE" "$ROOT"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind "$ARCHIVES" "$ROOT/var/cache/apt/archives"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
# The host's apt sources (bookworm, -updates, -security): the package was
# built against them. Disabled files and third-party keyrings stay out.
rm -f "$ROOT/etc/apt/sources.list"
cp /etc/apt/sources.list "$ROOT/etc/apt/" 2>/dev/null || true
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [[ -f "$f" ]] && grep -q 'debian' "$f" && cp "$f" "$ROOT/etc/apt/sources.list.d/"
done
echo 'APT::Keep-Downloaded-Packages "true";' >"$ROOT/etc/apt/apt.conf.d/90paas-keep"

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

t_install=$(date +%s)
before=$(in_root dpkg-query -W -f '${Installed-Size}\n' | awk '{s += $1} END {print s}')
cp "$DEB" "$ROOT/tmp/"
in_root apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log"; die "apt-get update in the root failed"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" \
  >>"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log"; die "apt-get install ./$(basename "$DEB") did not resolve"; }
after=$(in_root dpkg-query -W -f '${Installed-Size}\n' | awk '{s += $1} END {print s}')
own=$(in_root dpkg-query -W -f '${Installed-Size}' paas)
log "installed in $(( $(date +%s) - t_install ))s: paas ${own} KiB, with its dependencies $(( (after - before) / 1024 )) MiB"
for f in /usr/bin/paas /usr/sbin/nats-server /usr/share/man/man1/paas.1.gz /usr/lib/systemd/user/paas.service; do
  [[ -e "$ROOT$f" ]] || die "$f missing after the install"
done

in_root paas --version | tee "$WORK/version.txt"
grep -q "^paas " "$WORK/version.txt" || die "paas --version printed no version"

# start_paas LOG ENV... -- ARGS...: paas in the root on a free loopback port
# chosen by the kernel (port 0); sets PAAS_PID and url (read from LOG). A
# regular user's PATH, without /usr/sbin where Debian puts nats-server: paas
# must find it as it would in a desktop session.
start_paas() {
  local logfile=$1; shift
  # chroot itself in the background (not the in_root function, which would
  # be a subshell): chroot and env exec, so $! is paas.
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@" \
    --listen 127.0.0.1:0 >"$logfile" 2>&1 &
  PAAS_PID=$!
  url=""
  for _ in $(seq 1 150); do
    url=$(sed -n 's/^API listening on \(http:[^ ]*\).*/\1/p' "$logfile" | head -n1)
    [[ -n "$url" ]] && return 0
    kill -0 "$PAAS_PID" 2>/dev/null || { cat "$logfile"; die "paas exited at startup"; }
    sleep 0.2
  done
  cat "$logfile"; die "paas did not print its API URL within 30 s"
}

start_paas "$WORK/paas.log" paas --headless --image-builder-mode artifact --artifacts-root /root/paas-artifacts
log "paas --headless runs in the root at $url"
health=$(curl -fsS "$url/healthz") || die "/healthz failed"
grep -q '"status":"ok"' <<<"$health" || die "/healthz not ok: $health"
system=$(curl -fsS "$url/api/system")
version=$(in_root dpkg-query -W -f '${Version}' paas)
log "/api/system version: $(jq -r '.version + " commit " + .commit' <<<"$system")"
[[ "$(jq -r .commit <<<"$system")" =~ ^[0-9a-f]{40}$ ]] || die "/api/system has no commit: $system"

spec='{"action":"create","spec":{"apiVersion":"platform.example.com/v2","kind":"App","name":"install-check",
  "runtime":"static","capabilities":["http"],"environments":{"dev":{"vars":{"LOG_LEVEL":"info"}}},
  "networkPolicies":{"ingress":"internal","egress":"internal"}}}'
op=$(curl -fsS -X POST "$url/api/events/registration" -H 'content-type: application/json' -d "$spec" | jq -r .op.id)
[[ "$op" == op-* ]] || die "registration was not accepted"
status=""
for _ in $(seq 1 300); do
  status=$(curl -fsS "$url/api/ops/$op" | jq -r '.op.status // .status')
  [[ "$status" == completed || "$status" == failed || "$status" == cancelled ]] && break
  sleep 0.2
done
curl -fsS "$url/api/ops/$op" >"$WORK/op.json"
[[ "$status" == completed ]] || { jq -c '.op.steps // .steps' "$WORK/op.json"; tail -n 20 "$WORK/paas.log"; die "create op $op ended '$status'"; }
mode=$(jq -r '(.op.steps // .steps)[] | select(.name == "imageBuilder") | .status' "$WORK/op.json")
[[ "$mode" == completed || "$mode" == succeeded ]] || die "imageBuilder step: $mode"
log "project created and built (artifact mode): op $op completed"
kill -TERM "$PAAS_PID" && wait "$PAAS_PID" || die "paas --headless did not exit 0 on SIGTERM"

# The window's module from where the package put it (/usr/lib/<multiarch>/
# paas/, found from /usr/bin/paas): a windowed start on Qt's offscreen
# platform must map paas_desktop.so and QtWebEngine, and serve the API.
start_paas "$WORK/paas-window.log" QT_QPA_PLATFORM=offscreen paas --minimized --artifacts-root /root/paas-window
pid=$PAAS_PID   # chroot and env exec: this is paas itself
[[ -n "$pid" ]] && grep -q '/paas/paas_desktop.so$' "/proc/$pid/maps" || die "the windowed paas did not map paas_desktop.so"
grep -q 'libQt6WebEngineCore' "/proc/$pid/maps" || die "the windowed paas did not map QtWebEngine"
curl -fsS "$url/healthz" >/dev/null || die "/healthz of the windowed paas failed"
log "paas --minimized (offscreen) loaded $(grep -o '/usr/lib/[^ ]*/paas_desktop.so' "/proc/$pid/maps" | head -n1)"
kill -TERM "$PAAS_PID" && wait "$PAAS_PID" || die "the windowed paas did not exit 0 on SIGTERM"

# Uninstalling, even with purge, leaves user data; postrm says where it is.
purge=$(in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q paas 2>&1) || { echo "$purge"; die "apt-get purge paas failed"; }
grep -q "user data was left in place" <<<"$purge" || { echo "$purge"; die "postrm purge did not say where user data is"; }
[[ ! -e "$ROOT/usr/bin/paas" ]] || die "purge left /usr/bin/paas"
[[ -d "$ROOT/root/paas-artifacts/install-check/repos" && -d "$ROOT/root/paas-artifacts/.paas/nats" ]] ||
  die "purge touched user data under /root/paas-artifacts"
log "apt-get purge paas: the package went; the project, its repos and the NATS store stayed"
cleanup
remove_root   # the scratch copy only; the pristine root stays cached
log "PASS: package $version, $(stat -c %s "$DEB") bytes; the test took $(( $(date +%s) - T0 ))s"
