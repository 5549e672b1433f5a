#!/bin/sh
# Lesson 9: run the container. The lesson page shows each section; the tests run them in order.

# --8<-- [start:run]
docker run -d --name together \
    -p 127.0.0.1:4000:4000 together:0.0.1
# --8<-- [end:run]

# --8<-- [start:ps]
docker ps
# --8<-- [end:ps]

# --8<-- [start:logs]
docker logs together
# --8<-- [end:logs]

# --8<-- [start:curl]
curl http://127.0.0.1:4000/statz
# --8<-- [end:curl]

# --8<-- [start:check]
checks lesson9
# --8<-- [end:check]
