#!/bin/sh
# Lesson 8: build the image. Run these in the workspace, the folder with the Dockerfile.
# The lesson page shows each section; the tests run them in this order.

# --8<-- [start:build]
docker build . -t together:0.0.1
# --8<-- [end:build]

# --8<-- [start:list]
docker images together
# --8<-- [end:list]

# --8<-- [start:history]
docker image history together:0.0.1
# --8<-- [end:history]

# --8<-- [start:check]
checks lesson8
# --8<-- [end:check]
