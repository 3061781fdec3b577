#!/bin/sh
# fuzz/run.sh [SECONDS] — builds the libFuzzer targets (fuzz/build.sh), then
# runs each for SECONDS (default 45), one at a time, and prints one summary
# line per target.  Exits non-zero if any target crashed, leaked, timed out
# or ran out of memory; the reproducer goes to build/fuzz-artifacts/.
#
#   fuzz/run.sh 60                      one minute per target
#   FUZZ_TARGETS=fuzz_parsers fuzz/run.sh 30
#
# Each target reads its seed corpus fuzz/corpus/<target>/ (never written)
# and keeps what it finds in a scratch corpus, build/fuzz-corpus/<target>/
# (FUZZ_SCRATCH to move it; kept between runs, `make clean` removes it).
# The full libFuzzer output of each target is in build/fuzz-artifacts/<target>.log.
# Reproduce a finding with: build/fuzz/<target> build/fuzz-artifacts/<file>
set -u
cd "$(dirname "$0")/.."

SECS=${1:-45}
case $SECS in
    '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac
OUT=build/fuzz
ART=build/fuzz-artifacts
SCRATCH=${FUZZ_SCRATCH:-build/fuzz-corpus}
TARGETS=${FUZZ_TARGETS:-fuzz_decode_msg fuzz_authority fuzz_agentx fuzz_lua_values fuzz_parsers}

fuzz/build.sh "$OUT" || exit 1
mkdir -p "$ART"

# LeakSanitizer on (libFuzzer checks after inputs that allocate more than
# they free); UBSan stops at the first report with a stack.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

stat() { # stat NAME LOG: the last value of libFuzzer's stat::NAME
    sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

status=0
summary=""
for target in $TARGETS; do
    seeds=fuzz/corpus/$target
    scratch=$SCRATCH/$target
    log=$ART/$target.log
    mkdir -p "$scratch"
    echo "== $target: $SECS s (seeds $seeds, scratch corpus $scratch)"
    before=$(ls "$ART" | grep -c "^$target-" || true)
    start=$(date +%s)
    dict=
    case $target in fuzz_decode_msg | fuzz_authority | fuzz_lua_values) dict=-dict=fuzz/snmp.dict ;; esac
    # Seeds last: libFuzzer writes new inputs only to the first directory.
    # shellcheck disable=SC2086
    # FUZZ_SEED fixes libFuzzer's random seed and FUZZ_RUNS the number of
    # inputs, so that a run is the same sequence of inputs each time (CI
    # does both: it checks what passed here, and a slower machine that hits
    # the time limit runs a prefix of it).  Unset, every run explores anew.
    "$OUT/$target" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        ${FUZZ_SEED:+-seed=$FUZZ_SEED} ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -artifact_prefix="$ART/$target-" $dict \
        "$scratch" "$seeds" >"$log" 2>&1
    rc=$?
    elapsed=$(($(date +%s) - start))
    execs=$(stat number_of_executed_units "$log")
    execs=${execs:-0}
    rate=$((execs / (elapsed > 0 ? elapsed : 1)))
    corpus=$(ls "$scratch" | wc -l)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    grep '^stat::' "$log" | sed "s/^/   $target /"
    after=$(ls "$ART" | grep -c "^$target-" || true)
    if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
        status=1
        what=$(grep -m 1 -o 'ERROR: [A-Za-z]*Sanitizer: [a-z-]*\|ERROR: libFuzzer: [a-z-]*\|FUZZ CHECK FAILED.*\|runtime error: .*' "$log")
        echo "   $target FAILED (exit $rc): ${what:-see $log}"
        ls -t "$ART" | grep "^$target-" | head -n 3 | sed "s|^|   artifact: $ART/|"
        tail -n 40 "$log" | sed 's/^/   | /'
        line=$(printf '%-16s FAILED  %10s executions in %3ss (%6s/s)  %s' "$target" "$execs" "$elapsed" "$rate" "${what:-exit $rc}")
    else
        line=$(printf '%-16s ok      %10s executions in %3ss (%6s/s)  coverage %s, scratch corpus %s' "$target" "$execs" "$elapsed" "$rate" "${cov:-?}" "$corpus")
    fi
    summary="$summary$line
"
done

echo "== summary"
printf '%s' "$summary"
exit $status
