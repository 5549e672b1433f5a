#!/bin/sh
# Start the "together" app with uWSGI, in the foreground.
#
#   HOST  address to listen on (default 0.0.0.0: every interface, as a container needs)
#   PORT  port to listen on    (default 4000)
#
# The uWSGI options:
#   --http-socket       uWSGI itself speaks HTTP on HOST:PORT (no separate router process)
#   --module            the WSGI app to serve: the object "app" in together/app.py
#   --master            a master process that manages the workers
#   --processes 2       two worker processes
#   --need-app          exit with an error if the app cannot be loaded
#   --die-on-term       exit on SIGTERM (what `docker stop` sends), instead of reloading
#   --strict            refuse unknown options
#   --worker-reload-mercy 5
#                       a worker still busy 5 s after being told to stop is killed
#
# `exec` replaces this shell with uWSGI, so uWSGI gets the signals itself:
# in a container it is PID 1 and `docker stop` stops it in about a second.
set -eu

# Work from the app's root folder (the parent of bin/), wherever this is started from.
cd "$(dirname "$0")/.."

HOST="${HOST:-0.0.0.0}"
PORT="${PORT:-4000}"

echo "together: starting uWSGI on http://${HOST}:${PORT} (Ctrl+C to stop)"

exec uwsgi \
    --http-socket "${HOST}:${PORT}" \
    --module together.app:app \
    --master \
    --processes 2 \
    --need-app \
    --die-on-term \
    --strict \
    --worker-reload-mercy 5
