#!/usr/bin/env bash
# clang-tidy-14 (.clang-tidy) over the C++ translation units changed since the
# merge-base with origin/main (else main), plus uncommitted changes. A changed
# header is checked through the .cpp of the same name. With nothing changed
# (e.g. on main itself) a small fixed set is checked, so the run is never
# empty. Every TU over the whole tree takes far too long on 2 cores; see
# AGENTS.md, "Static checks".
#   scripts/tidy-changed.sh BUILD_DIR [FILE...]   (files given: exactly those)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
tidy=${CLANG_TIDY:-clang-tidy-14}
fallback=(engine/core/atomicfile.cpp engine/api/queryparams.cpp)
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json (run make configure)" >&2; exit 1; }

if [ $# -gt 0 ]; then
  changed=("$@")
else
  base=$(git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main 2>/dev/null || true)
  mapfile -t changed < <({ [ -n "$base" ] && git diff --name-only --diff-filter=d "$base"; git diff --name-only --diff-filter=d HEAD; } | sort -u)
fi

units=()
for f in "${changed[@]}"; do
  case "$f" in app/*|engine/*|ui/*|tests/*|bench/*|tools/*) ;; *) continue ;; esac
  case "$f" in *.h) f=${f%.h}.cpp ;; *.cpp) ;; *) continue ;; esac
  [ -f "$f" ] || continue
  grep -qF "\"file\": \"$PWD/$f\"" "$build/compile_commands.json" || continue
  units+=("$f")
done
if [ ${#units[@]} -eq 0 ]; then
  echo "tidy: no changed C++ translation unit; checking the fixed set: ${fallback[*]}"
  units=("${fallback[@]}")
fi
mapfile -t units < <(printf '%s\n' "${units[@]}" | sort -u)
echo "tidy: $tidy over ${#units[@]} files: ${units[*]}"
"$tidy" -p "$build" --quiet "${units[@]}"
echo "tidy: ok"
