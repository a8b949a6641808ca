#!/usr/bin/env bash
# Boundary-detector quality on the TCPD development series (F1, margin 5) beside the published
# default-parameter F1 of TCPDBench, from a release build.
#   ops/bench/boundary-quality.sh [DATA_DIR]   (default: $SHANNON_CHANGEPOINTS_DIR or ../shared/data/changepoints)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product shannon >/dev/null
exec .build/release/shannon bench boundaries "$@"
