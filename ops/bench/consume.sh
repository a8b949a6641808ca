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

RUNS=${RUNS:-3}
rate_after() { awk -v label="$1" '{for (i = 1; i <= NF; i++) if ($i == "M" && index($0, label)) print $(i - 1)}'; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "== swift (shannon bench consume, assign), $RUNS runs"
SWIFT_E2E_ALL=""; SWIFT_STREAM_ALL=""
for _ in $(seq 1 "$RUNS"); do
  OUT=$("$SHANNON" bench consume --bootstrap "$ADDR" --topic "$TOPIC" --messages "$MESSAGES" ${GROUP:+--group})
  echo "$OUT"
  SWIFT_E2E_ALL+="$(echo "$OUT" | rate_after "end to end" | head -1)"$'\n'
  SWIFT_STREAM_ALL+="$(echo "$OUT" | rate_after "streaming" | head -1)"$'\n'
done
SWIFT_E2E=$(printf '%s' "$SWIFT_E2E_ALL" | median)
SWIFT_STREAM=$(printf '%s' "$SWIFT_STREAM_ALL" | median)

echo "== kcat, $RUNS runs"
# The count first (untimed): kcat must see exactly the same records.
KCAT_COUNT=$(kcat -C -b "$ADDR" -t "$TOPIC" -o beginning -e -q | wc -l)
[[ "$KCAT_COUNT" == "$MESSAGES" ]] || { echo "kcat read $KCAT_COUNT of $MESSAGES records" >&2; exit 1; }
KCAT_ALL=""
for _ in $(seq 1 "$RUNS"); do
  START=$(date +%s.%N)
  kcat -C -b "$ADDR" -t "$TOPIC" -o beginning -e -q >/dev/null
  END=$(date +%s.%N)
  SECONDS_TAKEN=$(echo "$END - $START" | bc -l)
  RATE=$(echo "$MESSAGES / $SECONDS_TAKEN / 1000000" | bc -l)
  printf 'kcat: %d records in %.3f s  %.3f M msg/s\n' "$MESSAGES" "$SECONDS_TAKEN" "$RATE"
  KCAT_ALL+="$RATE"$'\n'
done
KCAT_RATE=$(printf '%s' "$KCAT_ALL" | median)

echo "== summary ($MESSAGES records, $PARTITIONS partitions, median of $RUNS)"
printf 'swift end to end  %.3f M msg/s   (streaming, first to last record: %.3f M msg/s)\n' "$SWIFT_E2E" "$SWIFT_STREAM"
printf 'kcat  wall time   %.3f M msg/s\n' "$KCAT_RATE"
printf 'ratio swift/kcat  %.2f   (streaming/kcat %.2f)\n' "$(echo "$SWIFT_E2E / $KCAT_RATE" | bc -l)" "$(echo "$SWIFT_STREAM / $KCAT_RATE" | bc -l)"
