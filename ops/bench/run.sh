#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures as ratios against a baseline
# measured in the same run, then one compact report. Nothing here is asserted; results are
# printed, not committed. Full output of each bench: bench-out/<name>.log (git-ignored).
#
#   ops/bench/run.sh                 (RECORDS=1000000 for the end-to-end bench; SHANNON_BENCH_PYTHON=0 skips Python)
#
# Takes about 2-3 minutes on the 2-core machine (more while it is busy: the report prints the
# load average, since every rate here moves with it).
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/shannon
[ -x "$bin" ] || swift build -c release --product shannon >/dev/null || exit 1
out=bench-out
mkdir -p "$out"
export REBUILD=0
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
run psi               "$bin" bench psi
run entropy           "$bin" bench entropy
run boundaries-kernel "$bin" bench boundaries-kernel
run boundary-quality  ops/bench/boundary-quality.sh
run consume           ops/bench/consume.sh
run pipeline          ops/bench/pipeline.sh "${RECORDS:-1000000}"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

section() { printf '\n== %s\n' "$1"; }
show() { # file grep-pattern
  [ -f "$1" ] && grep -E "$2" "$1" | sed 's/^/  /'
}

echo
echo "Shannon benchmark report — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $load_before → $load_after"
echo "(release build; every ratio is against a baseline measured in this run; full logs in $out/)"

section "statistics kernels (updates/s on one core)"
show "$out/psi.log" '^(PSI add|IV add|PSI result|IV result)'
show "$out/entropy.log" 'M updates/s'
show "$out/boundaries-kernel.log" '^D='

section "event boundaries on TCPD (F1, margin 5) vs published default-parameter F1"
show "$out/boundary-quality.log" '^(series|bank|brent|nile|run_log|seatbelts|us_pop|well_log|mean|shannon mean)'

section "consume only: Swift consumer vs kcat, same topic (1 M records, median of 3)"
show "$out/consume.log" '^(swift end to end|kcat  wall time|ratio swift/kcat)'

section "end to end: pipelines/credit-psi.yaml vs consume only, same topic"
show "$out/pipeline.log" '^(  [0-9]+ records on|decode only|consume only|end to end|      |ratio|time per record|python baseline|goal)'

if ((${#failed[@]})); then
  printf '\nfailed: %s (see the logs above)\n' "${failed[*]}"
  exit 1
fi
