#!/usr/bin/env bash
# Alert latency: record produced -> its alert on the alerts topic, at a steady offered load, through
# the real `shannon run` binary (defaults, no -X) on one embedded broker (`shannon dev-broker`).
#
#   ops/bench/latency.sh        (RATE=50000 SECONDS_=20; SHANNON=path/to/shannon)
#
# 1. `shannon dev-broker` with a fresh source topic (3 partitions) and alerts topic (1).
# 2. `shannon run --log-format json ops/bench/latency-pipeline.yaml` in the background; once it
#    owns the three partitions, ops/bench/latency.py produces at RATE records/s for SECONDS_ s
#    and times every alert (see its doc comment), then Shannon is stopped with SIGTERM.
# Prints the offered rate, p50/p99/max in ms and the load average. Output in bench-out/latency/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RATE=${RATE:-50000}
SECONDS_=${SECONDS_:-20}
SHANNON=${SHANNON:-"$ROOT/.build/release/shannon"}
OUT="$ROOT/bench-out/latency"
[[ -x "$SHANNON" ]] || swift build -c release --product shannon >/dev/null

# The same Python environment as ops/bench/e2e.sh.
VENV="$ROOT/.build-bench-venv"
if ! "$VENV/bin/python" -c 'import confluent_kafka, orjson' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q confluent-kafka orjson numpy
fi

rm -rf "$OUT"
mkdir -p "$OUT"
source ops/bench/broker.sh
SHANNON_PID=
cleanup() {
  [[ -n "$SHANNON_PID" ]] && { kill -TERM "$SHANNON_PID" 2>/dev/null || true; wait "$SHANNON_PID" 2>/dev/null || true; }
  stop_broker
}
trap cleanup EXIT
start_broker "$OUT/broker.log" --topic lat-src:3 --topic lat-alerts:1

export LAT_TOPIC=lat-src LAT_ALERTS=lat-alerts LAT_GROUP=bench-latency
"$SHANNON" run --log-format json --checkpoint-dir "$OUT/checkpoints" ops/bench/latency-pipeline.yaml \
  >"$OUT/shannon.log" 2>&1 &
SHANNON_PID=$!
for _ in $(seq 1 300); do
  (( $(grep -c 'partition assigned' "$OUT/shannon.log" || true) >= 3 )) && break
  kill -0 "$SHANNON_PID" 2>/dev/null || { tail -20 "$OUT/shannon.log" >&2; exit 1; }
  sleep 0.1
done
(( $(grep -c 'partition assigned' "$OUT/shannon.log" || true) >= 3 )) \
  || { echo "shannon did not own the 3 partitions within 30 s" >&2; tail -20 "$OUT/shannon.log" >&2; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
"$VENV/bin/python" ops/bench/latency.py --bootstrap "$ADDR" --topic lat-src --alerts lat-alerts \
  --partitions 3 --rate "$RATE" --seconds "$SECONDS_" | tee "$OUT/latency.txt"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$SHANNON_PID"
wait "$SHANNON_PID" || { echo "shannon exited non-zero; see $OUT/shannon.log" >&2; exit 1; }
SHANNON_PID=
echo "alert latency: shannon run (release, defaults) at $RATE records/s for $SECONDS_ s, $(nproc) cores, load $LOAD_BEFORE -> $LOAD_AFTER"
