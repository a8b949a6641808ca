#!/usr/bin/env bash
# Runs the built test suite (called by `make test` after `swift build --build-tests`).
#
# The whole suite takes about 70 s on 2 cores. Once, in ~20 runs during development, a run
# stopped making progress near its end (cause not found; every other run passed). So that a
# hang cannot eat CI's 90 minutes, a run that exceeds 15 minutes is stopped and — only in that
# case, never after a failing test — run once more, saying so loudly.
set -uo pipefail
cd "$(dirname "$0")/../.."

limit=${SHANNON_TEST_TIMEOUT:-900}
timeout --kill-after=30 "$limit" swift test --skip-build "$@"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "!! the test run did not finish within ${limit}s (a hang, not a failing test); running it once more" >&2
    timeout --kill-after=30 "$limit" swift test --skip-build "$@"
    rc=$?
fi
exit "$rc"
