#!/usr/bin/env bash
# Runs the built suite N times in a row (default 20) and stops at the first failure or hang,
# keeping each run's output in soak-out/RUN.log: the check that the suite neither hangs nor
# flakes. SHANNON_TEST_TIMEOUT bounds each run as in run-tests.sh (default here 600 s).
#
#   swift build --build-tests && ops/dev/soak-tests.sh 20
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
export SHANNON_TEST_TIMEOUT=${SHANNON_TEST_TIMEOUT:-600}
mkdir -p soak-out
for i in $(seq 1 "$runs"); do
    t0=$SECONDS
    if ops/dev/run-tests.sh >"soak-out/$i.log" 2>&1; then
        echo "run $i/$runs: passed in $((SECONDS - t0)) s ($(grep -Eo 'with [0-9]+ tests' "soak-out/$i.log" | tail -1))"
    else
        echo "run $i/$runs: FAILED after $((SECONDS - t0)) s — see soak-out/$i.log"
        grep -E '^✘|did not finish|error:' "soak-out/$i.log" | head -20
        exit 1
    fi
done
echo "$runs runs in a row passed"
