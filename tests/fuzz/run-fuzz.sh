#!/usr/bin/env bash
# make fuzz: runs each libFuzzer target of a PAAS_FUZZ build for
# FUZZ_SECONDS (default 60) on a scratch copy of its seed corpus
# (<build>/fuzz-run/<target>, so runs never dirty the repo), prints one
# summary line per target, and fails when any target finds a crash, a hang
# (-timeout) or runs out of memory (-rss_limit_mb), naming the input file.
#   tests/fuzz/run-fuzz.sh [build-fuzz]      FUZZ_TARGETS="webhook contextwalk" to pick
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-fuzz}
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"specparser webhook artifactpath requestguard sseparams contextwalk"}
declare -A DICT=([specparser]=json [webhook]=json [artifactpath]=path [requestguard]=http [sseparams]=query [contextwalk]=path)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen

failed=0
for t in $TARGETS; do
  bin="$BUILD/fuzz/fuzz_$t"
  work="$BUILD/fuzz-run/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/found"
  cp -R "tests/fuzz/corpus/$t/." "$work/corpus/"
  seeds=$(find "$work/corpus" -type f | wc -l)
  dict=()
  [[ -n "${DICT[$t]:-}" ]] && dict=(-dict="tests/fuzz/dict/${DICT[$t]}.dict")
  "$bin" "$work/corpus" "${dict[@]}" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/found/" >"$work/log" 2>&1
  rc=$?
  stat() { grep -m1 "^stat::$1:" "$work/log" | awk '{print $2}'; }
  found=$(find "$work/found" -type f | sort)
  printf 'fuzz %-13s %4ss  execs=%-9s exec/s=%-6s corpus=%s (seeds %s)  crashes=%s\n' "$t" "$SECS" \
    "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
    "$(find "$work/corpus" -type f | wc -l)" "$seeds" "$(printf '%s' "$found" | grep -c . || true)"
  if [[ $rc -ne 0 || -n "$found" ]]; then
    failed=1
    echo "fuzz $t FAILED (rc $rc); log: $work/log"
    grep -E "ERROR: |SUMMARY: |FUZZ_CHECK|runtime error|==[0-9]+==" "$work/log" | head -20
    for f in $found; do echo "fuzz $t input: $f"; done
  fi
done
exit $failed
