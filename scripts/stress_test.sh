#!/usr/bin/env bash
# The whole test suite (scripts/test.sh) while every core is kept busy by a CPU hog, to show that
# no test depends on timing: a test that waits for a fixed time instead of for its event fails
# here. Arguments go to pytest, as with scripts/test.sh. No test is retried.
#
#   bash scripts/stress_test.sh                  # the suite, one hog per core
#   STRESS_HOGS=4 bash scripts/stress_test.sh -k tui
#
# Prints the wall time and pytest's pass/fail summary; exits with the suite's status.
set -uo pipefail
cd "$(dirname "$0")/.."

hogs="${STRESS_HOGS:-$(nproc)}"
hog_pids=()
suite_pid=""
log="$(mktemp "${TMPDIR:-/tmp}/ospo-stress.XXXXXX")"

# A hog spins until this script is gone, even if it is killed too hard to run its trap.
HOG='
import os
parent = os.getppid()
while os.getppid() == parent:
    for _ in range(200_000):
        pass
'

descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}

stop_hogs() {
    if [ "${#hog_pids[@]}" -gt 0 ]; then
        kill "${hog_pids[@]}" 2>/dev/null
        wait "${hog_pids[@]}" 2>/dev/null
        hog_pids=()
    fi
}

stop_suite() {  # on an interrupt: the suite and everything it started (pytest, tee)
    if [ -n "$suite_pid" ] && kill -0 "$suite_pid" 2>/dev/null; then
        # shellcheck disable=SC2046  # one pid per word
        kill -TERM "$suite_pid" $(descendants "$suite_pid") 2>/dev/null
        wait "$suite_pid" 2>/dev/null
    fi
    suite_pid=""
}

cleanup() {
    stop_suite
    stop_hogs
    rm -f "$log"
}
trap cleanup EXIT
trap 'echo "stress: interrupted" >&2; exit 130' INT
trap 'echo "stress: terminated" >&2; exit 143' TERM

for _ in $(seq 1 "$hogs"); do
    python3 -c "$HOG" &
    hog_pids+=("$!")
done
echo "stress: $hogs CPU hog(s) running (pids ${hog_pids[*]}) on $(nproc) core(s)"

start=$(date +%s)
# In the background, so that a signal reaches the trap at once rather than after the suite.
{
    bash scripts/test.sh "$@" 2>&1 | tee "$log"
    exit "${PIPESTATUS[0]}"
} &
suite_pid=$!
wait "$suite_pid"
status=$?
suite_pid=""
end=$(date +%s)
stop_hogs

# pytest's last line: "=== 3 failed, 500 passed in 812.34s (0:13:32) ===" (no "=" with -q).
summary="$(grep -E '(passed|failed|errors?|skipped|no tests ran).* in [0-9.]+s( \([0-9:]+\))?( =+)?$' "$log" |
    tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
elapsed=$((end - start))
echo
echo "stress: wall time ${elapsed}s ($((elapsed / 60))m $((elapsed % 60))s) with $hogs CPU hog(s)"
echo "stress: ${summary:-no pytest summary (the suite stopped before or during pytest)}"
if [ "$status" = 0 ]; then
    echo "stress: PASSED"
else
    echo "stress: FAILED (exit status $status)"
fi
exit "$status"
