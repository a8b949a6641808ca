#!/usr/bin/env bash
# Runs the built test suite (called by `make test` after `swift build --build-tests`).
#
# No retry. A run that has not finished within SHANNON_TEST_TIMEOUT seconds (default 900; the
# suite takes about 90 s on 2 cores) fails loudly — and first prints every thread's stack of
# each test process (gdb), so that a hang says where it hangs instead of eating CI's time.
set -uo pipefail
cd "$(dirname "$0")/../.."

limit=${SHANNON_TEST_TIMEOUT:-900}

descendants() { # pid → every descendant pid
    local c
    for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}

dump_and_kill() { # pid
    echo "!! the test run did not finish within ${limit}s: a hang, not a failing test. Stacks:" >&2
    local p
    for p in $(descendants "$1"); do
        echo "== process $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-200)" >&2
        if command -v gdb >/dev/null; then
            timeout 60 gdb -p "$p" -batch -nx -ex "set pagination off" -ex "thread apply all bt 25" 2>&1 \
                | grep -E '^(Thread|#)' >&2
        fi
    done
    kill -9 "$1" $(descendants "$1") 2>/dev/null
}

swift test --skip-build "$@" &
pid=$!
( sleep "$limit" && dump_and_kill "$pid" ) &
watchdog=$!
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
pkill -P "$watchdog" sleep 2>/dev/null
wait "$watchdog" 2>/dev/null
exit "$rc"
