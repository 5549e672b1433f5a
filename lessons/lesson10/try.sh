#!/bin/sh
# Lesson 10, things to try. The lesson page shows each section; tests/lessons/lesson10 runs them
# and writes what they print to docs/samples/lesson10-try-*.txt.

# With the sidecar's shell open in your second terminal, restart the app in the first:
# --8<-- [start:restart]
docker restart together
docker ps
# --8<-- [end:restart]
