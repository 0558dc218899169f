#!/bin/sh
# run-under-xvfb.sh CMD [ARGS...]
# Runs CMD on a fresh Xvfb display (xvfb-run -a) with trayer as the XEmbed
# system tray host and QT_QPA_PLATFORM=xcb (overriding the offscreen platform
# paas_add_test sets). Exit code: CMD's; 77 (ctest "skipped") when a tool is
# missing, except with CI set, where a missing tool is a failure (exit 1).
set -u
missing=""
for tool in xvfb-run Xvfb xauth trayer xwininfo; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  if [ -n "${CI:-}" ]; then
    echo "FAIL: the tray test needs:$missing (Debian: xvfb xauth trayer x11-utils)" >&2
    exit 1
  fi
  echo "SKIP: missing$missing (Debian: xvfb xauth trayer x11-utils); with CI set this fails" >&2
  exit 77
fi
export PAAS_UI_UNDER_XVFB=1 QT_QPA_PLATFORM=xcb
# No session bus: Qt must use the XEmbed tray protocol that trayer speaks.
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" sh -c '
  trayer --edge top --align right --widthtype request --height 32 \
         --SetDockType true --transparent false >/dev/null 2>&1 &
  tray=$!
  "$@"
  rc=$?
  kill "$tray" 2>/dev/null
  wait "$tray" 2>/dev/null
  exit "$rc"' sh "$@"
