#!/usr/bin/env bash
# Provision Podman beside Docker for the tests of `checks` on Podman (tests/test_podman.py), on a
# Debian 12 machine (root, no systemd, no registry): the way a learner with Podman uses the
# course, the Docker CLI talking to Podman's Docker-compatible API through DOCKER_HOST.
#
#   * installs Debian's podman (4.3) if it is missing
#   * copies the images the lessons use from Docker (`docker save | podman load`: the stand-ins
#     scripts/docker-engine.sh made) under their docker.io names, as a pull would name them
#   * where this machine cannot raise a container's limits (no CAP_SYS_RESOURCE, as in a sandbox),
#     gives containers the limits it has (/etc/containers/containers.conf); a learner's machine
#     needs none of this
#   * starts `podman system service` on $PODMAN_SOCKET (default /run/podman-lessons.sock)
#
# Idempotent; every wait is bounded. Prints `DOCKER_HOST=unix://…` on its last line.
# Needs scripts/docker-engine.sh to have run (the images come from Docker).
set -euo pipefail

SOCKET=${PODMAN_SOCKET:-/run/podman-lessons.sock}
LOG=${PODMAN_LOG:-/tmp/podman-service.log}
IMAGES=(python:3.13-slim busybox:latest)
T0=$SECONDS
log() { printf '[podman-engine %3ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { printf '[podman-engine %3ds] ERROR: %s\n' "$((SECONDS - T0))" "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, starts the service)"
export DEBIAN_FRONTEND=noninteractive
if ! command -v podman >/dev/null; then
    log "apt-get install podman"
    timeout 600 apt-get -o DPkg::Lock::Timeout=120 -q -y --no-install-recommends install podman </dev/null >/dev/null \
        || die "apt-get install podman failed"
fi

# runc sets every limit it is given; without CAP_SYS_RESOURCE it may not raise one, and Podman asks
# for nofile 1048576 and nproc beyond what a sandbox allows ("error setting rlimit type 7")
cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
if (( (16#$cap_eff >> 24 & 1) == 0 )); then
    nofile=$(ulimit -Hn)
    mkdir -p /etc/containers
    if ! grep -q "nofile=$nofile" /etc/containers/containers.conf 2>/dev/null; then
        log "no CAP_SYS_RESOURCE: containers get nofile=$nofile, nproc=32768"
        printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=32768:32768"]\n' "$nofile" "$nofile" \
            >/etc/containers/containers.conf
        pkill -f "podman system service" 2>/dev/null || true  # it reads the file when it starts
    fi
fi

for image in "${IMAGES[@]}"; do
    full=docker.io/library/$image
    want=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) || die "Docker has no $image: run scripts/docker-engine.sh first"
    have=$(podman image inspect -f '{{.Id}}' "$full" 2>/dev/null || true)
    if [[ sha256:$have != "$want" ]]; then
        log "podman load $image (from docker save)"
        loaded=$(docker save "$image" | timeout 300 podman load 2>/dev/null | awk '/^Loaded image/ {print $NF}' | tail -n 1)
        [[ -n $loaded ]] || die "podman load of $image failed"
        podman tag "$loaded" "$full"
        [[ $loaded == "$full" ]] || podman untag "$loaded" "$loaded" 2>/dev/null || true
    fi
done

export DOCKER_HOST=unix://$SOCKET
if ! timeout 10 docker version >/dev/null 2>&1; then
    pkill -f "podman system service" 2>/dev/null || true
    rm -f "$SOCKET"
    log "podman system service on $SOCKET (log in $LOG)"
    setsid podman system service --time=0 "unix://$SOCKET" >"$LOG" 2>&1 </dev/null &
    for _ in $(seq 60); do
        timeout 10 docker version >/dev/null 2>&1 && break
        sleep 0.5
    done
    timeout 10 docker version >/dev/null 2>&1 || die "Podman's API does not answer on $SOCKET (see $LOG)"
fi
log "ready: $(podman --version)"
echo "DOCKER_HOST=$DOCKER_HOST"
