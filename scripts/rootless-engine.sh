#!/usr/bin/env bash
# Provision rootless Docker beside the system's Docker for tests/test_rootless.py, on a Debian 12
# machine (root, no systemd, no registry): the engine a learner gets from Docker's
# dockerd-rootless-setuptool.sh, run by an ordinary user, reached through DOCKER_HOST.
#
#   * installs uidmap, rootlesskit and slirp4netns, and makes the user `lessons-rootless`
#   * lets ordinary users open /dev/net/tun (0666, as on a stock Linux system; some sandboxes make
#     it root-only, and slirp4netns needs it for the containers' network)
#   * starts Debian's dockerd-rootless.sh as that user (log in $ROOTLESS_LOG)
#   * copies the images the lessons use from the system's Docker (`docker save | docker load`)
#
# Idempotent; every wait is bounded. Prints `DOCKER_HOST=unix://…` on its last line.
# Needs scripts/docker-engine.sh to have run (the engine's package and the images come from it).
set -euo pipefail

USER_NAME=${ROOTLESS_USER:-lessons-rootless}
LOG=${ROOTLESS_LOG:-/tmp/rootless-dockerd.log}
IMAGES=(python:3.13-slim busybox:latest)
CONTRIB=/usr/share/docker.io/contrib
T0=$SECONDS
log() { printf '[rootless-engine %3ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { printf '[rootless-engine %3ds] ERROR: %s\n' "$((SECONDS - T0))" "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, makes a user)"
[[ -x $CONTRIB/dockerd-rootless.sh ]] || die "no $CONTRIB/dockerd-rootless.sh: run scripts/docker-engine.sh first"
export DEBIAN_FRONTEND=noninteractive
missing=()
for tool in newuidmap rootlesskit slirp4netns; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
    log "apt-get install uidmap rootlesskit slirp4netns"
    timeout 600 apt-get -o DPkg::Lock::Timeout=120 -q -y --no-install-recommends install \
        uidmap rootlesskit slirp4netns </dev/null >/dev/null || die "apt-get install failed"
fi
id "$USER_NAME" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$USER_NAME"
uid=$(id -u "$USER_NAME")
grep -q "^$USER_NAME:" /etc/subuid || die "no subordinate uids for $USER_NAME in /etc/subuid"
[[ $(stat -c %a /dev/net/tun) == 666 ]] || chmod 666 /dev/net/tun

runtime=/run/user/$uid
install -d -m 700 -o "$USER_NAME" -g "$USER_NAME" "$runtime"
export DOCKER_HOST=unix://$runtime/docker.sock
if ! timeout 10 docker info >/dev/null 2>&1; then
    pkill -u "$USER_NAME" 2>/dev/null || true
    log "dockerd-rootless.sh as $USER_NAME (log in $LOG)"
    su - "$USER_NAME" -c "XDG_RUNTIME_DIR=$runtime PATH=$CONTRIB:/usr/sbin:/usr/bin:/sbin:/bin \
        setsid dockerd-rootless.sh >$LOG 2>&1 </dev/null &"
    for _ in $(seq 120); do
        timeout 10 docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    timeout 10 docker info >/dev/null 2>&1 || die "rootless dockerd does not answer on $DOCKER_HOST (see $LOG)"
fi
docker info --format '{{.SecurityOptions}}' | grep -q rootless || die "the engine on $DOCKER_HOST is not rootless"

for image in "${IMAGES[@]}"; do
    want=$(docker -H unix:///var/run/docker.sock image inspect -f '{{.Id}}' "$image" 2>/dev/null) \
        || die "the system's Docker has no $image: run scripts/docker-engine.sh first"
    if [[ $(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) != "$want" ]]; then
        log "docker load $image (from the system's Docker)"
        docker -H unix:///var/run/docker.sock save "$image" | timeout 300 docker load >/dev/null \
            || die "docker load of $image failed"
    fi
done
log "ready: rootless $(docker version --format '{{.Server.Version}}')"
echo "DOCKER_HOST=$DOCKER_HOST"
