#!/bin/sh
# Removing what the course created, as the last page (docs/next.md) shows it, one section at a time.
# tests/lessons/lesson10/test_cleanup.py runs the sections on containers and images of its own.

# The app's container (the sidecars went with --rm, the containers of the things to try with
# their own clean-up lines):
# --8<-- [start:containers]
docker rm -f together
# --8<-- [end:containers]

# The image you built, and the base images it was built from:
# --8<-- [start:images]
docker image rm together:0.0.1
docker image rm python:3.13-slim busybox
# --8<-- [end:images]

# Nothing of the course is left:
# --8<-- [start:verify]
docker ps -a --filter name=together
docker images together
# --8<-- [end:verify]

# The images left without a name by rebuilds, and the build cache:
# --8<-- [start:cache]
docker image prune
docker builder prune
# --8<-- [end:cache]

# `checks` itself, installed with pipx (tests/test_packaging.py runs it after its pipx install):
# --8<-- [start:uninstall]
pipx uninstall docker-lessons
# --8<-- [end:uninstall]
