#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures as ratios against a baseline
# measured in the same run. Nothing here is asserted; results are printed, not committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/shannon
[ -x "$bin" ] || swift build -c release --product shannon

section() { printf '\n=== %s ===\n' "$1"; }

section "statistics kernels"
"$bin" bench psi
"$bin" bench entropy
"$bin" bench boundaries-kernel

section "boundary quality on TCPD (F1, margin 5)"
ops/bench/boundary-quality.sh

section "consume only: Swift consumer vs kcat on the same topic"
ops/bench/consume.sh

section "end to end: consume → decode → stages → alerts vs consume only"
"$bin" bench pipeline
