#!/usr/bin/env bash
# Lints the newest BUILD_DIR/paas_*.deb (make package-check):
#   lintian              no errors; the warnings it prints are each explained
#                        in installer/README.md ("lintian")
#   desktop-file-validate  the .desktop file as packaged
#   appstreamcli validate  the metainfo as packaged (--no-net: CI has only the
#                        Debian mirror, so the screenshot URL is not fetched)
# Prints the package's size and the lintian tag counts.
set -euo pipefail
BUILD_DIR=$(cd "${1:-build}" && pwd)
DEB=$(ls -t "$BUILD_DIR"/paas_*.deb 2>/dev/null | head -n1 || true)
[[ -n "$DEB" ]] || { echo "check-package: no $BUILD_DIR/paas_*.deb: run make package" >&2; exit 1; }
OUT="$BUILD_DIR/package-check"
rm -rf "$OUT"; mkdir -p "$OUT/root"
dpkg-deb -x "$DEB" "$OUT/root"
fail=0

echo "check-package: $(basename "$DEB"), $(stat -c %s "$DEB") bytes, installed size $(dpkg-deb -f "$DEB" Installed-Size) KiB"
dpkg-deb -f "$DEB" Depends Recommends | sed 's/^/check-package: /'

desktop=$(ls "$OUT"/root/usr/share/applications/*.desktop)
desktop-file-validate "$desktop" && echo "check-package: desktop-file-validate ok ($(basename "$desktop"))" || fail=1
metainfo=$(ls "$OUT"/root/usr/share/metainfo/*.metainfo.xml)
appstreamcli validate --no-net "$metainfo" >"$OUT/appstream.txt" 2>&1 &&
  echo "check-package: appstreamcli validate ok ($(basename "$metainfo"))" || { cat "$OUT/appstream.txt"; fail=1; }

# The tags go to a file; only errors and warnings are printed.
lintian --tag-display-limit 0 "$DEB" >"$OUT/lintian.txt" 2>&1 || true
grep -E '^[EWIPX]: ' "$OUT/lintian.txt" | grep -E '^[EW]: ' | sed 's/^/check-package: lintian /' || true
for level in E W I; do
  echo "check-package: lintian $level: $(grep -c "^$level: " "$OUT/lintian.txt" || true)"
done
if grep -q '^E: ' "$OUT/lintian.txt"; then echo "check-package: FAIL: lintian errors (full output: $OUT/lintian.txt)"; fail=1; fi
[[ $fail -eq 0 ]] && echo "check-package: PASS"
exit $fail
