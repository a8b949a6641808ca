#!/usr/bin/env bash
# End to end vs consume only (and vs a tuned Python consumer when one can be installed).
#
#   ops/bench/pipeline.sh [RECORDS] [extra `shannon bench pipeline` options…]   (default 1000000)
#
# Builds release, then runs `shannon bench pipeline`: an embedded broker filled with RECORDS
# credit-score records (zstd), consume-only and end-to-end rates and peak RSS, each measured in
# its own child process on the same topic. If Python with confluent_kafka + orjson + numpy is
# available — the system python3, else a venv under .build-bench-venv/ installed from PyPI —
# it also runs ops/bench/python_baseline.py on that topic and prints Shannon / Python.
# Otherwise it prints a "python baseline: skipped: …" line; no number is ever made up.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RECORDS=${1:-1000000}
shift || true

if [[ "${REBUILD:-1}" == 1 || ! -x .build/release/shannon ]]; then
  swift build -c release --product shannon >/dev/null
fi

PY_CHECK='import confluent_kafka, orjson, numpy'
PYTHON=""
SKIP=""
if [[ "${SHANNON_BENCH_PYTHON:-1}" == 0 ]]; then
  SKIP="disabled (SHANNON_BENCH_PYTHON=0)"
elif python3 -c "$PY_CHECK" 2>/dev/null; then
  PYTHON=$(command -v python3)
else
  VENV="$ROOT/.build-bench-venv"
  if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv --system-site-packages "$VENV" >/dev/null 2>&1 || true
  fi
  if [[ -x "$VENV/bin/python" ]] && ! "$VENV/bin/python" -c "$PY_CHECK" 2>/dev/null; then
    "$VENV/bin/pip" install -q confluent-kafka orjson numpy >/dev/null 2>&1 || true
  fi
  if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "$PY_CHECK" 2>/dev/null; then
    PYTHON="$VENV/bin/python"
  else
    SKIP="cannot import confluent_kafka, orjson and numpy (pip install into .build-bench-venv failed)"
  fi
fi

ARGS=(bench pipeline --records "$RECORDS" "$@")
if [[ -n "$PYTHON" ]]; then
  ARGS+=(--python "$PYTHON")
fi
.build/release/shannon "${ARGS[@]}"
if [[ -n "$SKIP" ]]; then
  echo "python baseline: skipped: $SKIP"
fi
