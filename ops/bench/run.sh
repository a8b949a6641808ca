#!/usr/bin/env bash
# `make bench`: every benchmark, then one compact report. Nothing here is asserted; figures are
# printed, not committed. Full output of each part: bench-out/<name>.log (git-ignored).
#
#   ops/bench/run.sh      (RECORDS=1000000 RUNS=3 for the end-to-end part; SHANNON_BENCH_PYTHON=0 skips Python)
#
# Parts:
#   kernels           `swift package benchmark` (package-benchmark): Benchmarks/PSI, Entropy, Boundary
#   boundary-quality  ops/bench/boundary-quality.sh: F1 on the TCPD series
#   e2e               ops/bench/e2e.sh: shannon run vs kcat vs Python on one embedded broker
#   latency           ops/bench/latency.sh: record produced -> alert p50/p99/max at 50 k records/s (~30 s)
# Takes about 4 minutes after a release build on the 2-core machine (3.5 at load 8), more while
# it is busy or on the first run (the benchmark tool builds once): the report prints the load
# average, since every rate here moves with it.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/shannon
[ -x "$bin" ] || swift build -c release --product shannon >/dev/null || exit 1
out=bench-out
mkdir -p "$out"
failed=()

run() { # name command…
  local name=$1; shift
  printf 'running %-18s … ' "$name" >&2
  local t0=$SECONDS
  if "$@" >"$out/$name.log" 2>&1; then
    printf 'done (%d s)\n' $((SECONDS - t0)) >&2
  else
    printf 'FAILED (%d s, see %s)\n' $((SECONDS - t0)) "$out/$name.log" >&2
    failed+=("$name")
  fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run kernels           swift package --package-path Benchmarks benchmark --no-progress --grouping metric
run boundary-quality  ops/bench/boundary-quality.sh
run e2e               ops/bench/e2e.sh
run latency           ops/bench/latency.sh
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

section() { printf '\n== %s\n' "$1"; }
show() { # file grep-pattern
  [ -f "$1" ] && grep -E "$2" "$1" | sed 's/^/  /'
}

echo
echo "Shannon benchmark report — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $load_before → $load_after"
echo "(release builds; full logs in $out/)"

section "statistics kernels (package-benchmark; time per op, percentiles over the measured iterations)"
# The wall-clock and allocation tables as package-benchmark prints them (each ends at a blank line).
[ -f "$out/kernels.log" ] && awk '/^(Time \(wall clock\)|Malloc \(total\))/ {on = 1} on && /^$/ {on = 0; print ""} on && !/^├/ {print "  " $0}' "$out/kernels.log"

section "event boundaries on TCPD (F1, margin 5) vs published default-parameter F1"
show "$out/boundary-quality.log" '^(series|bank|brent|nile|run_log|seatbelts|us_pop|well_log|mean|shannon mean)'

section "end to end (ops/bench/e2e.sh)"
[ -f "$out/e2e.log" ] && sed -n '/^end to end:/,$p' "$out/e2e.log" | sed 's/^/  /'

section "alert latency (ops/bench/latency.sh)"
show "$out/latency.log" '^(offered|latency|alert latency)'

if ((${#failed[@]})); then
  printf '\nfailed: %s (see the logs above)\n' "${failed[*]}"
  exit 1
fi
