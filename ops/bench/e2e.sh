#!/usr/bin/env bash
# End to end, in one run: the real `shannon run` binary against kcat and a tuned Python consumer
# on the same topic of one embedded broker, each tool in its own process.
#
#   ops/bench/e2e.sh            (RECORDS=1000000 RUNS=3; SHANNON_BENCH_PYTHON=0 skips Python)
#
# 1. `shannon dev-broker` runs in the background with two topics: bench-score (3 partitions, the
#    issue's {"id","score","bad","group","ts"} records) and credit-scores (the record shape of
#    pipelines/credit-psi.yaml, ⌈RECORDS/150,000⌉ partitions: its records are twice as long and
#    the broker keeps only ~5 MiB per partition). ops/bench/produce.py fills both (zstd) and
#    fails unless the watermarks add up to RECORDS on each.
# 2. RUNS rounds, the order of the tools reversed every other round; each run measured by
#    ops/bench/measure.py (wait4: wall, user CPU, peak RSS of that process alone):
#      kcat    kcat -C -b ADDR -t bench-score -o beginning -e -q > /dev/null   (raw consume, no group)
#      python  ops/bench/python_baseline.py (confluent-kafka + orjson + numpy, PSI per 10,000 per partition)
#      shannon shannon run --until-caught-up --log-format json ops/bench/psi-pipeline.yaml (defaults, no -X)
#      credit  shannon run … pipelines/credit-psi.yaml (three stages) on credit-scores
#    Every Shannon run gets a fresh checkpoint directory and consumer group, and must read
#    exactly RECORDS records.
# 3. ops/bench/e2e_report.py prints the table (medians) and the ratios.
# Everything lands in bench-out/e2e/ (git-ignored); nothing is committed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
CREDIT_PARTITIONS=${CREDIT_PARTITIONS:-$(( (RECORDS + 149999) / 150000 ))}
SHANNON=${SHANNON:-"$ROOT/.build/release/shannon"}
OUT="$ROOT/bench-out/e2e"
TOPIC=bench-score

command -v kcat >/dev/null || { echo "kcat not found (ops/dev/install-deps.sh installs it)" >&2; exit 1; }
[[ -x "$SHANNON" ]] || swift build -c release --product shannon >/dev/null

# Python with confluent-kafka, orjson and numpy: the producer needs it, and so does the baseline.
VENV="$ROOT/.build-bench-venv"
PY_CHECK='import confluent_kafka, orjson, numpy'
if ! "$VENV/bin/python" -c "$PY_CHECK" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q confluent-kafka orjson numpy
fi
PY="$VENV/bin/python"

rm -rf "$OUT"
mkdir -p "$OUT"
source ops/bench/broker.sh
trap stop_broker EXIT
start_broker "$OUT/broker.log" --topic "$TOPIC:3" --topic "credit-scores:$CREDIT_PARTITIONS"

"$PY" ops/bench/produce.py --bootstrap "$ADDR" --topic "$TOPIC" --partitions 3 --records "$RECORDS" \
  --shape score --reference "$OUT/reference.csv"
"$PY" ops/bench/produce.py --bootstrap "$ADDR" --topic credit-scores --partitions "$CREDIT_PARTITIONS" \
  --records "$RECORDS" --shape credit
# kcat's count, untimed: it must see exactly the records the others do.
KCAT_COUNT=$(kcat -C -b "$ADDR" -t "$TOPIC" -o beginning -e -q | wc -l)
[[ "$KCAT_COUNT" == "$RECORDS" ]] || { echo "kcat read $KCAT_COUNT of $RECORDS records" >&2; exit 1; }

measure() { # name round command…
  local name=$1 round=$2; shift 2
  python3 ops/bench/measure.py "$OUT/$name-$round.json" --stdout "${STDOUT:-$OUT/$name-$round.out}" \
    --stderr "$OUT/$name-$round.err" -- "$@" \
    || { echo "$name (round $round) failed; see $OUT/$name-$round.err" >&2; tail -5 "$OUT/$name-$round.err" >&2; exit 1; }
}
run_kcat() { STDOUT=/dev/null measure kcat "$1" kcat -C -b "$ADDR" -t "$TOPIC" -o beginning -e -q; }
run_python() {
  [[ "${SHANNON_BENCH_PYTHON:-1}" == 0 ]] && return 0
  measure python "$1" "$PY" ops/bench/python_baseline.py --bootstrap "$ADDR" --topic "$TOPIC" \
    --records "$RECORDS" --reference "$OUT/reference.csv"
}
run_shannon() {
  export BENCH_TOPIC=$TOPIC BENCH_GROUP="bench-psi-$1" BENCH_REFERENCE="$OUT/reference.csv"
  measure shannon "$1" "$SHANNON" run --until-caught-up --log-format json \
    --checkpoint-dir "$OUT/checkpoints-shannon-$1" ops/bench/psi-pipeline.yaml
}
run_credit() {
  # The file's group id is fixed; -X group.id gives each run a fresh group (offsets committed by one
  # run would make the next read nothing). No other property is changed.
  measure credit "$1" "$SHANNON" run --until-caught-up --log-format json -X "group.id=bench-credit-$1" \
    --checkpoint-dir "$OUT/checkpoints-credit-$1" pipelines/credit-psi.yaml
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$RUNS"); do
  if (( round % 2 )); then order=(kcat python shannon credit); else order=(credit shannon python kcat); fi
  for tool in "${order[@]}"; do
    printf '  round %d: %s\n' "$round" "$tool" >&2
    "run_$tool" "$round"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 ops/bench/e2e_report.py "$OUT" --records "$RECORDS" --runs "$RUNS" \
  --credit-partitions "$CREDIT_PARTITIONS" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER"
