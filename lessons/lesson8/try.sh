#!/bin/sh
# Lesson 8, things to try: learn how the build cache works by breaking it. Run these in the
# workspace. The lesson page shows each section; tests/lessons/lesson8 runs them in this order and
# writes what they print to docs/samples/lesson8-try-*.txt.

# Change a file of the app, and build again: COPY . . runs again, and so does every step after it.
# --8<-- [start:edit]
echo "# edited at $(date)" >> together/app.py
docker build . -t together:0.0.1
# --8<-- [end:edit]

# With the Dockerfile of lessons/lesson8/try/Dockerfile (requirements.txt copied first), build once:
# --8<-- [start:reorder]
docker build . -t together:0.0.1
# --8<-- [end:reorder]

# then change the app again and build: apt-get and pip install stay CACHED.
# --8<-- [start:edit-again]
echo "# edited at $(date)" >> together/app.py
docker build . -t together:0.0.1
# --8<-- [end:edit-again]

# What `apt-get clean` would free in your image: the downloaded packages are gone already; the lists
# of `apt-get update` are not.
# --8<-- [start:apt-clean]
docker run --rm together:0.0.1 \
    cat /etc/apt/apt.conf.d/docker-clean
docker run --rm together:0.0.1 \
    du -sh /var/cache/apt /var/lib/apt/lists
docker run --rm together:0.0.1 sh -c "apt-get clean && \
    du -sh /var/cache/apt /var/lib/apt/lists"
# --8<-- [end:apt-clean]
