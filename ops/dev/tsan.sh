#!/usr/bin/env bash
# The thread sanitizer over the runtime and daemon tests (issue #8: the guarantees under the new
# threading). A separate scratch path, so the normal .build/ stays untouched.
#
#   ops/dev/tsan.sh                         (FILTER=ShannonDaemonTests by default)
#   FILTER=ConsumerGroup ops/dev/tsan.sh    (one suite)
#
# Heavy: a full instrumented debug build (~2x the normal one) and tests running 5-15x slower;
# on the 2-core machine run it once, not in a loop. Reports go to .build-tsan/tsan-report.log:
# TSan prints "WARNING: ThreadSanitizer: data race" blocks with both stacks; this script prints
# the count and each race's first frames in our sources, and exits 1 when there is any.
# The process tests start `shannon run` children: they use the instrumented binary at
# .build-tsan/debug/shannon (SHANNON_BIN), so races in the daemon process are reported too.
set -uo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=.build-tsan
FILTER=${FILTER:-ShannonDaemonTests}
swift build --build-tests --sanitize=thread --scratch-path "$SCRATCH" || exit 1
LOG="$SCRATCH/tsan-report.log"
: >"$LOG"
# halt_on_error=0: collect every race of the run; log_path: one file per process (the test
# runner and each `shannon run` child), gathered below.
rm -f "$SCRATCH"/tsan.*
export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 history_size=4 log_path=$PWD/$SCRATCH/tsan"
export SHANNON_BIN="$PWD/$SCRATCH/debug/shannon"
swift test --skip-build --sanitize=thread --scratch-path "$SCRATCH" \
  --filter "$FILTER" 2>&1 | tee "$SCRATCH/tests.log" | grep -E "(passed|failed|error:|Test run)" | tail -60
status=${PIPESTATUS[0]}
cat "$SCRATCH"/tsan.* >"$LOG" 2>/dev/null
races=$(grep -c 'WARNING: ThreadSanitizer' "$LOG")
echo "thread sanitizer: $races report(s) over --filter $FILTER (tests exit $status); full report $LOG"
# Each report's summary line and its first frames in Sources/.
awk '/WARNING: ThreadSanitizer/ {n++; print "--- " $0; k = 0} /Sources\// && k < 6 {print "   " $0; k++} /^SUMMARY/ {print "   " $0}' "$LOG" | head -200
(( races == 0 && status == 0 ))
