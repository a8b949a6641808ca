#!/usr/bin/env bash
# Boundary-detector quality from a release build of the boundary-quality executable: per-series
# TCPD F1 (margin 5) of the defaults on the 19 series beside the published zero/bocpd/binseg/pelt
# figures, the leave-one-series-out cross-validated mean over the candidate grid, the synthetic
# Kinetics-GEBD protocol (D = 128, 512) and the kernel rate.
#   ops/bench/boundary-quality.sh [DATA_DIR] [--tcpd|--gebd|--kernel] [--updates N]
#   (DATA_DIR default: $SHANNON_CHANGEPOINTS_DIR, else ../shared/data/changepoints)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product boundary-quality >/dev/null
exec .build/release/boundary-quality "$@"
