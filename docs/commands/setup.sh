#!/bin/sh
# Installing `checks` on Linux and macOS, as the home page shows it, one section at a time.
# tests/site/test_setup.py runs this file in a fresh HOME next to a copy of the course.
set -eu

# --8<-- [start:venv]
python3 -m venv ~/.venvs/docker-lessons
. ~/.venvs/docker-lessons/bin/activate
# --8<-- [end:venv]

# --8<-- [start:install]
python -m pip install ./docker-lessons
# --8<-- [end:install]

# --8<-- [start:verify]
checks --version
checks list
# --8<-- [end:verify]
