#!/bin/sh
# Lesson 10: attach a debugging sidecar to the running app container (lesson 9's `together`).
# The lesson page shows each section; the tests type them as a learner would.

# --8<-- [start:no-tools]
docker exec together ps
# --8<-- [end:no-tools]

# --8<-- [start:sidecar]
docker run --rm -it --pid=container:together \
    --net=container:together busybox sh
# --8<-- [end:sidecar]

# At the sidecar's prompt:
# --8<-- [start:inside]
ps
netstat -ltnp
ls /proc/1/root/usr/src/app
wget -qO- http://127.0.0.1:4000/statz
# --8<-- [end:inside]

# What needs a capability: an app that runs as another user than the sidecar's root.
# --8<-- [start:capabilities]
docker run -d --name quiet --user nobody \
    busybox sleep 3600
docker run --rm --pid=container:quiet \
    busybox ls /proc/1/root
docker run --rm --pid=container:quiet \
    --cap-add SYS_ADMIN busybox ls /proc/1/root
docker run --rm --pid=container:quiet \
    --cap-add SYS_PTRACE busybox ls /proc/1/root
docker rm -f quiet
# --8<-- [end:capabilities]

# In a second terminal, while the sidecar's shell is open:
# --8<-- [start:check]
checks lesson10
# --8<-- [end:check]
