#!/bin/sh
# Lesson 11: what a developer's folder holds besides the app, made in a fresh workspace.
# The lesson page shows each section; the tests run this script in a fresh workspace, in this order.
# PYTHON: the Python to use (default python3).
set -eu
PYTHON="${PYTHON:-python3}"

# --8<-- [start:venv]
# a local virtualenv to run the app and its tests without Docker
"$PYTHON" -m venv .venv
# --8<-- [end:venv]

# --8<-- [start:pycache]
# the bytecode caches Python writes when it runs the app or its tests
"$PYTHON" -m compileall -q together tests
# --8<-- [end:pycache]

# --8<-- [start:data]
# a data file: a day's export of visits, kept next to the code to try things
mkdir -p data
"$PYTHON" -c 'print("\n".join(f"2026-11-{d:02d}T12:{n % 60:02d},{n},/statz" for d in range(1, 29) for n in range(4000)))' > data/visits.csv
# --8<-- [end:data]

# --8<-- [start:git]
# the folder is a git repository
git init -q
git add -A
git -c user.name=learner -c user.email=learner@example.com commit -q -m "the together app"
# --8<-- [end:git]
