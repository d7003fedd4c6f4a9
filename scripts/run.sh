#!/usr/bin/env bash
# Runs the web app, one Celery worker and Celery beat in the foreground; Ctrl-C stops all three.
set -euo pipefail
PY=${VENV:-.venv}/bin
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$PY/celery" -A saima worker --loglevel=INFO --concurrency=2 &
pids+=($!)
"$PY/celery" -A saima beat --loglevel=INFO &
pids+=($!)

cat <<MSG

  Saima is starting on http://127.0.0.1:8000/
    pages        http://127.0.0.1:8000/
    API docs     http://127.0.0.1:8000/api/docs/
    admin        http://127.0.0.1:8000/admin/
  Demo logins are printed above by seed_demo (run '$PY/python manage.py seed_demo --logins' to show them again).
  Ctrl-C stops the web app, the worker and beat.

MSG
"$PY/python" manage.py runserver 127.0.0.1:8000 --noreload &
pids+=($!)
wait -n "${pids[@]}"
