#!/bin/sh
# Installing `checks` on Linux and macOS, as the home page shows it, one section at a time.
# tests/site/test_setup.py runs each way (pipx, a plain venv, a clone) on a fresh account.
set -eu

# --8<-- [start:pipx]
pipx install docker-lessons
# --8<-- [end:pipx]

# --8<-- [start:venv]
python3 -m venv ~/.venvs/docker-lessons
. ~/.venvs/docker-lessons/bin/activate
python -m pip install docker-lessons
# --8<-- [end:venv]

# --8<-- [start:clone]
pipx install ./docker-lessons
# --8<-- [end:clone]

# --8<-- [start:verify]
checks --version
checks list
# --8<-- [end:verify]
