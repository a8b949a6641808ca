# Sourced by the bench scripts: the embedded broker they all measure against.
#   start_broker LOG ARGS…  starts `$SHANNON dev-broker ARGS…` (output to LOG), waits until it
#                           is ready, sets BROKER_PID, ADDR and exports KAFKA_BOOTSTRAP;
#   stop_broker             stops it (safe to call from an EXIT trap before it started).
start_broker() {
  local log=$1
  shift
  "$SHANNON" dev-broker "$@" >"$log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 100); do
    grep -q '^ready' "$log" && break
    kill -0 "$BROKER_PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  ADDR=$(awk '/^bootstrap:/ {print $2}' "$log")
  [[ -n "$ADDR" ]] || { echo "the broker never printed its address" >&2; cat "$log" >&2; exit 1; }
  export KAFKA_BOOTSTRAP=$ADDR
}

stop_broker() {
  [[ -n "${BROKER_PID:-}" ]] || return 0
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
}
