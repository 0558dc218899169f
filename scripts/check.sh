#!/usr/bin/env bash
# make check: the fast preflight (AGENTS.md, "Definition of done").
# Steps: clang-format, build, clang-tidy on changed files, task audit of the
# whole TASKMAP, unit tests (ctest -L unit: layering, taskmap, api_contracts,
# the unit suites and fuzz corpus replays). Every step runs even when an
# earlier one failed, so one run shows everything; each prints its wall time;
# the exit status is non-zero when any step failed.
set -u
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
failed=()
times=()
step() {
  local name=$1; shift
  local t0=$SECONDS
  echo "=== check: $name"
  "$@"
  local rc=$?
  times+=("$name $((SECONDS - t0))s rc=$rc")
  [ $rc -eq 0 ] || failed+=("$name")
}
step format make --no-print-directory format-check BUILD_DIR="$BUILD_DIR"
step build cmake --build "$BUILD_DIR"
step tidy scripts/tidy-changed.sh "$BUILD_DIR"
step task-audit python3 scripts/taskmap.py --build-dir "$BUILD_DIR" audit all
# CHECK_SKIP_UNIT=1: CI runs them in its next stage (make test), so not twice.
if [ "${CHECK_SKIP_UNIT:-0}" != 1 ]; then
  step unit-tests ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 300 -L unit
fi
echo "=== check: wall times"
printf '    %s\n' "${times[@]}"
echo "    total ${SECONDS}s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "check: FAILED: ${failed[*]}"
  exit 1
fi
echo "check: ok"
