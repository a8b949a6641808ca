#!/usr/bin/env bash
# The shannon rows of ops/bench/e2e.sh under several settings, side by side in one time slot:
# worker count (`--workers`), prefetch bounds (`-X queued.min.messages=…`), anything `shannon run`
# takes. How the defaults of `workers:` and of the consumer's prefetch were chosen
# (docs/benchmarks.md).
#
#   CONFIGS='--workers 1;--workers 2' ops/bench/workers.sh      (RECORDS=1000000 RUNS=3)
#
# One embedded broker (`shannon dev-broker`), one 3-partition topic of RECORDS records shaped as in
# e2e.sh (ops/bench/produce.py, zstd, count checked), then RUNS rounds; each round runs every
# CONFIG (';'-separated argument lists) once, in an order that reverses every other round, as
#   shannon run --until-caught-up --log-format json CONFIG ops/bench/psi-pipeline.yaml
# with a fresh group and checkpoint directory, measured by ops/bench/measure.py. Prints, per
# CONFIG, the median steady rate (first assignment to summary, as e2e_report.py), peak RSS and
# user CPU, every round's rate, and the load average. Output in bench-out/workers/ (git-ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
CONFIGS=${CONFIGS:-"--workers 1;--workers 2"}
SHANNON=${SHANNON:-"$ROOT/.build/release/shannon"}
OUT="$ROOT/bench-out/workers"
TOPIC=bench-score
VENV=${VENV:-"$ROOT/.build-bench-venv"}
PY="$VENV/bin/python"
[[ -x "$SHANNON" ]] || swift build -c release --product shannon >/dev/null
"$PY" -c 'import confluent_kafka, numpy' 2>/dev/null || { echo "run ops/bench/e2e.sh once: it creates $VENV" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
source ops/bench/broker.sh
trap stop_broker EXIT
start_broker "$OUT/broker.log" --topic "$TOPIC:3"
"$PY" ops/bench/produce.py --bootstrap "$ADDR" --topic "$TOPIC" --partitions 3 --records "$RECORDS" \
  --shape score --reference "$OUT/reference.csv" >&2

IFS=';' read -r -a configs <<<"$CONFIGS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$RUNS"); do
  order=$(seq 0 $((${#configs[@]} - 1)))
  (( round % 2 )) || order=$(echo "$order" | tac)
  for i in $order; do
    printf '  round %d: %s\n' "$round" "${configs[$i]}" >&2
    export BENCH_TOPIC=$TOPIC BENCH_GROUP="bench-workers-$i-$round" BENCH_REFERENCE="$OUT/reference.csv"
    # shellcheck disable=SC2086 # a CONFIG is an argument list
    python3 ops/bench/measure.py "$OUT/c$i-$round.json" --stderr "$OUT/c$i-$round.err" -- \
      "$SHANNON" run --until-caught-up --log-format json --checkpoint-dir "$OUT/checkpoints-$i-$round" \
      ${configs[$i]} ops/bench/psi-pipeline.yaml \
      || { echo "config '${configs[$i]}' (round $round) failed; see $OUT/c$i-$round.err" >&2; tail -5 "$OUT/c$i-$round.err" >&2; exit 1; }
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$OUT" "$RECORDS" "$RUNS" "$LOAD_BEFORE" "$LOAD_AFTER" "${configs[@]}" <<'EOF'
import json, os, statistics, sys
sys.path.insert(0, os.path.join(os.getcwd(), "ops/bench"))
from e2e_report import shannon_span
out, n, runs, before, after, configs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
print(f"\nshannon run psi-pipeline.yaml: {n} records, 3 partitions; median of {runs}; load average {before} -> {after}")
print(f"| {'settings':<44} | {'steady records/s':>16} | {'peak RSS':>10} | {'user CPU':>9} | rates per round")
for i, config in enumerate(configs):
    rows = []
    for r in range(1, runs + 1):
        m = json.load(open(os.path.join(out, f"c{i}-{r}.json")))
        _, seconds, _ = shannon_span(os.path.join(out, f"c{i}-{r}.err"), n)
        rows.append((n / seconds, m["peak_rss_kib"] / 1024, m["user_s"]))
    rate, rss, user = (statistics.median(c) for c in zip(*rows))
    print(f"| {config or '(defaults)':<44} | {rate:>16,.0f} | {rss:>6.1f} MiB | {user:>7.2f} s | "
          + " ".join(f"{x[0]:,.0f}/{x[1]:.0f}M" for x in rows))
EOF
