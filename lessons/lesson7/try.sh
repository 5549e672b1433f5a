#!/bin/sh
# Lesson 7, a thing to try: how long `docker stop` takes with each form of CMD. Run these in the
# workspace, in bash or zsh (for `time`). The lesson page shows each section;
# tests/lessons/lesson7/test_try.py runs them and writes what they print to docs/samples/.

# With CMD in exec form, CMD ["./bin/run_dev.sh"], as the lesson asks:
# --8<-- [start:exec-run]
docker build . -t together:exec
docker run -d --name exec-form together:exec
# --8<-- [end:exec-run]

# A few seconds later, once the app has started:
# --8<-- [start:exec-stop]
time docker stop exec-form
# --8<-- [end:exec-stop]

# Now change the last line of the Dockerfile to the shell form, CMD ./bin/run_dev.sh, and again:
# --8<-- [start:shell-run]
docker build . -t together:shell
docker run -d --name shell-form together:shell
# --8<-- [end:shell-run]

# --8<-- [start:shell-stop]
time docker stop shell-form
# --8<-- [end:shell-stop]

# Clean up, and put the exec form back in the Dockerfile:
# --8<-- [start:clean]
docker rm exec-form shell-form
docker image rm together:exec together:shell
# --8<-- [end:clean]
