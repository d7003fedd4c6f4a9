#!/usr/bin/env bash
# Runs the web app, one Celery worker and Celery beat in the foreground (used by `make run`).
# Ctrl-C stops all three; if one of them dies, the other two are stopped and the script fails.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
HOST=127.0.0.1
PORT=${PORT:-8000}
GRACE=${STOP_GRACE_SECONDS:-10}  # how long the worker may finish its current task on shutdown

listening() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

if listening; then
  echo "Something already listens on $HOST:$PORT (another Saima?). Stop it, or choose a port: PORT=8001 make run" >&2
  exit 1
fi
logins=$("$BIN/python" manage.py seed_demo --logins) || exit 1

names=()
pids=()
# Each process gets its own process group (set -m), so a stop reaches the worker's children too,
# and Ctrl-C in the terminal reaches only this script, which then stops everything in order.
start() {
  local name=$1
  shift
  set -m
  "$@" &
  pids+=($!)
  set +m
  names+=("$name")
}

stopped=
stop_all() {
  [ -n "$stopped" ] && return
  stopped=1
  trap '' INT TERM
  local pid i alive
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for ((i = 0; i < GRACE * 10; i++)); do
    alive=
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  wait 2>/dev/null
  echo "Saima stopped (web app, worker and beat)."
}
trap 'echo; echo "Stopping Saima..."; stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# runserver is Daphne's (daphne is first in INSTALLED_APPS): ASGI, so the live walls' WebSockets are served too.
start "web app" "$BIN/python" manage.py runserver "$HOST:$PORT" --noreload
start "Celery worker" "$BIN/celery" -A saima worker --loglevel=INFO --concurrency=2
start "Celery beat" "$BIN/celery" -A saima beat --loglevel=INFO

first_dead() {
  local i
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "${names[$i]}"; return; }
  done
}

# Print where to go once the web app answers (or stop at once if something died while starting).
for ((i = 0; i < 600; i++)); do
  listening && break
  [ -n "$(first_dead)" ] && break
  sleep 0.1
done
if [ -z "$(first_dead)" ]; then
  cat <<MSG

  ==========================================================================
  Saima is running on http://$HOST:$PORT/
    API docs     http://$HOST:$PORT/api/docs/
    admin        http://$HOST:$PORT/admin/
    live walls   http://$HOST:$PORT/console/live/   (staff; the demo stream moves every 5 s)
MSG
  printf '%s\n' "$logins" | sed 's/^/  /'
  printf '  Ctrl-C stops the web app, the Celery worker and Celery beat.\n'
  printf '  ==========================================================================\n\n'
fi

# Watch until any of the three exits, then take the others down with it. (Polling, not `wait -n`:
# bash's `wait -n` misses a process that died before it was called, e.g. while starting.)
while [ -z "$(first_dead)" ]; do sleep 1; done
echo "The $(first_dead) stopped; stopping the others." >&2
stop_all
exit 1
