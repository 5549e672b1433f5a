#!/bin/sh
# Lesson 9, things to try. The lesson page shows each section; tests/lessons/lesson9 runs them and
# writes what they print to docs/samples/lesson9-try-*.txt.

# Start the app without -p: EXPOSE 4000 alone publishes nothing.
# --8<-- [start:no-publish]
docker rm -f together
docker run -d --name together together:0.0.1
docker ps
curl http://127.0.0.1:4000/statz
# --8<-- [end:no-publish]

# Put it back as the lesson left it:
# --8<-- [start:publish]
docker rm -f together
docker run -d --name together \
    -p 127.0.0.1:4000:4000 together:0.0.1
docker ps
# --8<-- [end:publish]
