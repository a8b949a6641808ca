#!/usr/bin/env bash
# Consume-only throughput: Shannon's Swift consumer vs kcat on the same pre-filled topic.
#
#   ops/bench/consume.sh [MESSAGES] [PARTITIONS]      (defaults: 1000000 3)
#
# Starts `shannon dev-broker --produce-demo` in the background (an embedded mock cluster filled
# with small zstd-compressed JSON records), then times
#   1. `shannon bench consume --bootstrap …`  (assign, no group; the rate from first to last record
#      and end to end including connect), and
#   2. `kcat -C -b … -t … -o beginning -e -q > /dev/null`  (wall time of the whole process),
# and prints both rates and the ratio Swift / kcat (end to end vs kcat's wall time, like for like).
set -euo pipefail

MESSAGES=${1:-1000000}
PARTITIONS=${2:-3}
TOPIC=bench-consume
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHANNON="$ROOT/.build/release/shannon"

command -v kcat >/dev/null || { echo "kcat not found (apt-get install kcat)" >&2; exit 1; }
if [[ ! -x "$SHANNON" || "${REBUILD:-1}" == 1 ]]; then
  (cd "$ROOT" && swift build -c release --product shannon >/dev/null)
fi

LOG=$(mktemp)
"$SHANNON" dev-broker --topic "$TOPIC:$PARTITIONS" --produce-demo "$MESSAGES" >"$LOG" 2>&1 &
BROKER_PID=$!
cleanup() { kill -TERM "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT

for _ in $(seq 1 600); do
  grep -q '^ready' "$LOG" && break
  kill -0 "$BROKER_PID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.2
done
grep -q '^ready' "$LOG" || { echo "broker never became ready" >&2; cat "$LOG" >&2; exit 1; }
ADDR=$(awk '/^bootstrap:/ {print $2}' "$LOG")
grep '^ready' "$LOG"

echo "== swift (shannon bench consume, assign)"
SWIFT_OUT=$("$SHANNON" bench consume --bootstrap "$ADDR" --topic "$TOPIC" --messages "$MESSAGES" ${GROUP:+--group})
echo "$SWIFT_OUT"
SWIFT_E2E=$(echo "$SWIFT_OUT" | awk '/swift assign/ {f=1} f && /end to end/ {print $5; exit}')
SWIFT_STREAM=$(echo "$SWIFT_OUT" | awk '/swift assign/ {f=1} f && /streaming/ {print $4; exit}')

echo "== kcat"
# The count first (untimed): kcat must see exactly the same records.
KCAT_COUNT=$(kcat -C -b "$ADDR" -t "$TOPIC" -o beginning -e -q | wc -l)
[[ "$KCAT_COUNT" == "$MESSAGES" ]] || { echo "kcat read $KCAT_COUNT of $MESSAGES records" >&2; exit 1; }
START=$(date +%s.%N)
kcat -C -b "$ADDR" -t "$TOPIC" -o beginning -e -q >/dev/null
END=$(date +%s.%N)
KCAT_SECONDS=$(echo "$END - $START" | bc -l)
KCAT_RATE=$(echo "$MESSAGES / $KCAT_SECONDS / 1000000" | bc -l)
printf 'kcat: %d records in %.3f s  %.3f M msg/s\n' "$MESSAGES" "$KCAT_SECONDS" "$KCAT_RATE"

echo "== summary ($MESSAGES records, $PARTITIONS partitions)"
printf 'swift end to end  %.3f M msg/s   (streaming %.3f M msg/s)\n' "$SWIFT_E2E" "$SWIFT_STREAM"
printf 'kcat  wall time   %.3f M msg/s\n' "$KCAT_RATE"
printf 'ratio swift/kcat  %.2f   (streaming/kcat %.2f)\n' "$(echo "$SWIFT_E2E / $KCAT_RATE" | bc -l)" "$(echo "$SWIFT_STREAM / $KCAT_RATE" | bc -l)"
