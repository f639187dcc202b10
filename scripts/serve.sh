#!/usr/bin/env bash
# make serve: the production shape on one machine -- gunicorn (3 workers of 2 threads), a Celery
# worker and Celery beat -- against PostgreSQL and Redis, with DEBUG off and a generated SECRET_KEY.
# Local http only: SSL redirect and secure cookies are off (a TLS proxy turns them on in
# production). Ctrl-C (or SIGTERM) stops all three.
#
#   PORT=8000 SERVE_DB=jingdezhen_serve REDIS_URL=redis://127.0.0.1:6379/0 bash scripts/serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
BIN="$(dirname "$PY")"

export DEBUG=false
export SECRET_KEY="${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/${SERVE_DB:-jingdezhen_serve}}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false
export CELERY_TASK_ALWAYS_EAGER=false
export DJANGO_SETTINGS_MODULE=jingdezhen.settings
unset DJANGO_ALLOW_ASYNC_UNSAFE
PORT="${PORT:-8000}"
# Two cores: a few processes (one per core and one more, so a core never idles while a worker waits
# on PostgreSQL's commit), each with threads (gthread): a request waiting on the database or on a
# hot row's lock (a flash deal's) leaves the process free for the next one. Measured by make load.
WORKERS="${WEB_WORKERS:-3}"
THREADS="${WEB_THREADS:-2}"

# The database, created when missing.
"$PY" - <<'PYTHON'
import os

import dj_database_url
import psycopg2
from psycopg2 import sql

db = dj_database_url.parse(os.environ["DATABASE_URL"])
conn = psycopg2.connect(
    dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
    host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
)
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        print(f"created database {db['NAME']}")
conn.close()
PYTHON

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py seed_demo --force

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/gunicorn" jingdezhen.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --worker-class gthread --threads "$THREADS" --timeout 30 --graceful-timeout 10 --access-logfile - &
pids+=($!)
# One worker on both queues (the default one and "holds": payment holds, flash-deal endings); two
# processes, so a hold expires on time while the other one re-rolls a batch of turnover days.
"$BIN/celery" -A jingdezhen worker -Q celery,holds --loglevel=INFO --concurrency=2 \
  --without-gossip --without-mingle -n "main@%h" &
pids+=($!)
# Imports (files of hundreds of thousands of rows) on a worker of their own at a lower CPU
# priority: a long import never delays a hold, and the web keeps answering while it runs.
nice -n 10 "$BIN/celery" -A jingdezhen worker -Q imports --loglevel=INFO \
  --concurrency="${IMPORT_WORKERS:-2}" --without-gossip --without-mingle -n "imports@%h" &
pids+=($!)
"$BIN/celery" -A jingdezhen beat --loglevel=INFO &
pids+=($!)
echo "Serving on http://127.0.0.1:$PORT (DEBUG off; demo accounts, password jingdezhen-demo)"
# One of them stopping stops the rest.
wait -n
