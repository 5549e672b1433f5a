#!/usr/bin/env bash
# Provision a working Docker engine for docker-lessons' tests on a Debian 12 machine
# (root, no systemd, no container registry reachable).
#
#   * installs Debian's docker.io (Engine 20.10) if `dockerd` is missing
#   * starts dockerd (setsid, log in /tmp/dockerd.log) if `docker info` fails
#   * builds LOCAL STAND-INS for the base images the lessons use, because nothing can be
#     pulled here:  python:3.13-slim (+ tag python:3.12-slim) and busybox:latest.
#     Real learners pull the official images from Docker Hub; these stand-ins only exist so
#     the test suite can run offline. They are cached with `docker save` under
#     ${DOCKER_LESSONS_CACHE:-/var/cache/docker-lessons} and `docker load`ed next time.
#   * installs the buildx CLI plugin (BuildKit front end) from Debian trixie's docker-buildx
#
# Idempotent: every step checks first and is a no-op when already done. Safe to re-run.
# Every wait has a timeout. Exits non-zero with a message on the first failure.
#
# Environment: DOCKER_LESSONS_CACHE (image tarball cache dir), DOCKERD_TIMEOUT (seconds to wait
# for the daemon, default 60), DOCKERD_LOG (default /tmp/dockerd.log).
# Typical times on a 2-core machine: first run ~80 s, with a warm cache ~10 s, re-run <1 s.
set -euo pipefail

CACHE_DIR=${DOCKER_LESSONS_CACHE:-/var/cache/docker-lessons}
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
DOCKERD_PIDFILE=${DOCKERD_PIDFILE:-/var/run/docker.pid}
# Bump when the stand-in recipe changes: images/caches built by an older recipe are rebuilt.
PY_RECIPE=2
BB_RECIPE=1
STANDIN_LABEL=org.docker-lessons.standin
PY_SUITE=trixie   # Debian release whose python3 is 3.13, like the official python:3.13-slim
PY_PACKAGES=python3,python3-pip,python3-dev,python3-venv,ca-certificates
HOST_CA=/etc/ssl/certs/ca-certificates.crt

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=120 -o Acquire::Retries=3 -o Acquire::http::Timeout=30)
# for downloads into our private temp dirs, which the _apt sandbox user cannot write to
APT_DL_OPTS=(-o APT::Sandbox::User=root)

T0=$SECONDS
log()  { printf '[docker-engine %3ds] %s\n' "$((SECONDS - T0))" "$*"; }
die()  { printf '[docker-engine %3ds] ERROR: %s\n' "$((SECONDS - T0))" "$*" >&2; exit 1; }

# remove a tree, first detaching anything mounted below it (an interrupted debootstrap can leave
# proc/sys mounted in its target)
rm_tree() {
    local m
    [[ -e $1 ]] || return 0
    while read -r m; do umount -l "$m" 2>/dev/null || true; done \
        < <(awk -v p="$1/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf --one-file-system "$1"
}
TMP_DIRS=()
cleanup() { local d; for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do rm_tree "$d" || true; done; }
trap cleanup EXIT
# sets $MKTMP (not via $(...): the cleanup list must be updated in this shell, not a subshell)
mktmp() { MKTMP=$(mktemp -d /var/tmp/docker-lessons.XXXXXX); TMP_DIRS+=("$MKTMP"); }

[[ $(id -u) -eq 0 ]] || die "must run as root (installs packages and starts dockerd)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian only"

mirror() {
    local m=""
    [[ -r /etc/apt/sources.list.d/debian.sources ]] &&
        m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

APT_UPDATED=0
apt_update_once() {
    [[ $APT_UPDATED -eq 1 ]] && return 0
    log "apt-get update"
    timeout 300 apt-get "${APT_OPTS[@]}" -q update </dev/null >/dev/null \
        || die "apt-get update failed or timed out"
    APT_UPDATED=1
}
apt_install() {
    apt_update_once
    log "apt-get install $*"
    timeout 900 apt-get "${APT_OPTS[@]}" -q -y --no-install-recommends install "$@" </dev/null >/dev/null \
        || die "apt-get install $* failed or timed out"
}

# label value of a local image, empty if the image or label is missing
image_label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------
# 1. Engine packages
# ---------------------------------------------------------------------------------------------
if command -v dockerd >/dev/null; then
    log "dockerd present: $(dockerd --version)"
else
    # iptables etc. are hard dependencies; recommends (apparmor, needrestart, ...) are not needed.
    apt_install docker.io
    command -v dockerd >/dev/null || die "docker.io installed but dockerd still not on PATH"
fi

# ---------------------------------------------------------------------------------------------
# 2. Start the daemon (no systemd here)
# ---------------------------------------------------------------------------------------------
# dockerd is alive if the process we started is, or the pid in its pid file is (setsid may
# fork, so $! is not always dockerd's own pid).
dockerd_alive() {
    local p
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null && return 0
    p=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
    [[ -n $p ]] && kill -0 "$p" 2>/dev/null
}

if docker info >/dev/null 2>&1; then
    log "engine already running"
else
    pid=""
    if dockerd_alive; then
        log "dockerd (pid $(cat "$DOCKERD_PIDFILE")) is already starting; waiting for it"
    else
        log "starting dockerd (log: $DOCKERD_LOG)"
        setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
        pid=$!
        sleep 1
    fi
    deadline=$((SECONDS + DOCKERD_TIMEOUT))
    until docker info >/dev/null 2>&1; do
        if ! dockerd_alive "$pid"; then
            tail -n 20 "$DOCKERD_LOG" >&2 || true
            die "dockerd exited during startup (see $DOCKERD_LOG)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$DOCKERD_LOG" >&2 || true
            die "dockerd not ready after ${DOCKERD_TIMEOUT}s (see $DOCKERD_LOG)"
        fi
        sleep 1
    done
    log "engine ready ($(docker info -f '{{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}'))"
fi

mkdir -p "$CACHE_DIR"

# load "$1" (image ref) from cache file "$2"; returns non-zero (and drops the file) if unusable
load_cached() {
    local ref=$1 file=$2 label=$3 recipe=$4
    [[ -s $file ]] || return 1
    log "loading $ref from cache $file"
    if timeout 300 docker load -q -i "$file" >/dev/null 2>&1 \
        && [[ $(image_label "$ref" "$label") == "$recipe" ]]; then
        return 0
    fi
    log "cache $file is corrupt or stale: removing it, rebuilding"
    rm -f "$file"
    return 1
}

save_cache() {
    local ref=$1 file=$2
    log "caching $ref -> $file"
    if timeout 300 docker save -o "$file.tmp.$$" "$ref"; then
        mv -f "$file.tmp.$$" "$file"
    else
        rm -f "$file.tmp.$$"
        log "warning: could not cache $ref (continuing)"
    fi
}

# Decide whether image $1 needs (re)building. Returns 0 = build needed.
# A same-named image WITHOUT our label (e.g. the real official one pulled by a developer) is
# left alone; one of ours from an older recipe is replaced.
needs_build() {
    local ref=$1 label=$2 recipe=$3 have
    image_exists "$ref" || return 0
    have=$(image_label "$ref" "$label")
    if [[ -z $have ]]; then
        log "$ref exists and is not a docker-lessons stand-in: keeping it"
        return 1
    fi
    if [[ $have != "$recipe" ]]; then
        log "$ref is a stand-in from recipe $have (current $recipe): rebuilding"
        return 0
    fi
    log "$ref present (stand-in, recipe $recipe)"
    return 1
}

# ---------------------------------------------------------------------------------------------
# 3. python:3.13-slim stand-in (Debian trixie's Python 3.13 via debootstrap)
# ---------------------------------------------------------------------------------------------
build_python_standin() {
    command -v debootstrap >/dev/null || apt_install debootstrap
    [[ -s $HOST_CA ]] || die "host CA bundle $HOST_CA missing (needed for TLS inside containers)"
    local work root attempt ok=0 mirror_url
    mktmp; work=$MKTMP; root=$work/rootfs
    mirror_url=$(mirror)
    for attempt in 1 2; do
        log "debootstrap $PY_SUITE (attempt $attempt; takes about a minute)"
        rm_tree "$root"
        if timeout 900 debootstrap --variant=minbase --include="$PY_PACKAGES" \
            "$PY_SUITE" "$root" "$mirror_url" >"$work/debootstrap.log" 2>&1 </dev/null; then
            ok=1; break
        fi
        tail -n 15 "$work/debootstrap.log" >&2 || true
        [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 15 "$root/debootstrap/debootstrap.log" >&2
        log "debootstrap attempt $attempt failed"
        sleep 5
    done
    [[ $ok -eq 1 ]] || die "debootstrap of $PY_SUITE failed twice (network?)"

    # The lessons teach `apt-get install gcc`: the base image must not already have a compiler.
    local cc
    for cc in gcc cc c++ g++; do
        [[ -e $root/usr/bin/$cc ]] && die "stand-in unexpectedly contains /usr/bin/$cc"
    done
    [[ -d $root/usr/include/python3.13 ]] || die "stand-in lacks Python headers (python3-dev)"

    # Make it behave like the official image for the lessons' purposes.
    rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED           # plain `pip install` works
    mkdir -p "$root/usr/local/bin"
    ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
    ln -sf /usr/bin/python3 "$root/usr/local/bin/python3"
    ln -sf /usr/bin/python3-config "$root/usr/local/bin/python3-config"
    ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"
    ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip3"
    cp "$HOST_CA" "$root/etc/ssl/certs/ca-certificates.crt"      # intercepting TLS proxy
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb \
        "$root"/var/cache/apt/*.bin "$root"/var/log/* "$root"/debootstrap
    find "$root" -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null || true

    local pyver
    pyver=$(chroot "$root" /usr/bin/python3 -c 'import platform; print(platform.python_version())') \
        || die "python3 does not run in the stand-in rootfs"
    [[ $pyver == 3.13.* ]] || die "stand-in has Python $pyver, expected 3.13.x"
    log "importing python:3.13-slim (Python $pyver)"

    tar --numeric-owner -C "$root" -c . | docker import \
        -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'ENV LANG=C.UTF-8' \
        -c "ENV PYTHON_VERSION=$pyver" \
        -c "LABEL $STANDIN_LABEL=$PY_RECIPE" \
        -c 'LABEL org.opencontainers.image.description="docker-lessons offline stand-in for python:3.13-slim (Debian trixie Python). Real learners pull the official image."' \
        -c 'CMD ["python3"]' \
        - python:3.13-slim >/dev/null || die "docker import of python:3.13-slim failed"
    rm_tree "$work"
}

PY_CACHE=$CACHE_DIR/python-3.13-slim.r$PY_RECIPE.tar
if needs_build python:3.13-slim "$STANDIN_LABEL" "$PY_RECIPE"; then
    if ! load_cached python:3.13-slim "$PY_CACHE" "$STANDIN_LABEL" "$PY_RECIPE"; then
        build_python_standin
        save_cache python:3.13-slim "$PY_CACHE"
    fi
    log "python:3.13-slim ready ($(docker image inspect -f '{{.Size}}' python:3.13-slim | awk '{printf "%d MB", $1/1e6}'))"
fi
[[ -s $PY_CACHE ]] || { [[ -n $(image_label python:3.13-slim "$STANDIN_LABEL") ]] && save_cache python:3.13-slim "$PY_CACHE"; } || true

# python:3.12-slim: the tests use it as another supported base. Same stand-in, other tag
# (it still runs Python 3.13; only the name matters for the tests).
if [[ -z $(image_label python:3.12-slim "$STANDIN_LABEL") ]] && image_exists python:3.12-slim; then
    log "python:3.12-slim exists and is not a stand-in: keeping it"
elif [[ $(docker image inspect -f '{{.Id}}' python:3.12-slim 2>/dev/null || true) \
        != "$(docker image inspect -f '{{.Id}}' python:3.13-slim)" ]]; then
    docker tag python:3.13-slim python:3.12-slim
    log "tagged python:3.12-slim"
else
    log "python:3.12-slim present"
fi

# ---------------------------------------------------------------------------------------------
# 4. busybox:latest stand-in (Debian's busybox-static), for the sidecar lesson
# ---------------------------------------------------------------------------------------------
build_busybox_standin() {
    local work root p
    mktmp; work=$MKTMP; root=$work/rootfs
    apt_update_once
    log "downloading busybox-static"
    (cd "$work" && timeout 300 apt-get "${APT_OPTS[@]}" "${APT_DL_OPTS[@]}" -q download busybox-static </dev/null >/dev/null) \
        || die "apt-get download busybox-static failed"
    dpkg -x "$work"/busybox-static_*.deb "$work/x"
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,sys,dev,var/run}
    chmod 1777 "$root/tmp"
    install -m 0755 "$work/x/bin/busybox" "$root/bin/busybox"
    # Equivalent of `busybox --install -s`: a symlink to /bin/busybox for every applet at its
    # standard path (computed with the static binary itself, no chroot needed).
    while read -r p; do
        [[ -z $p || $p == bin/busybox || -e $root/$p ]] && continue
        mkdir -p "$root/$(dirname "$p")"
        ln -s /bin/busybox "$root/$p"
    done < <("$root/bin/busybox" --list-full)
    [[ -L $root/bin/sh && -L $root/bin/ps ]] || die "busybox applet links missing"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    local ver
    ver=$(dpkg-deb -f "$work"/busybox-static_*.deb Version)
    log "importing busybox:latest (busybox-static $ver)"
    tar --numeric-owner -C "$root" -c . | docker import \
        -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c "LABEL $STANDIN_LABEL=$BB_RECIPE" \
        -c 'LABEL org.opencontainers.image.description="docker-lessons offline stand-in for busybox (Debian busybox-static). Real learners pull the official image."' \
        -c 'CMD ["sh"]' \
        - busybox:latest >/dev/null || die "docker import of busybox:latest failed"
    rm_tree "$work"
}

BB_CACHE=$CACHE_DIR/busybox.r$BB_RECIPE.tar
if needs_build busybox:latest "$STANDIN_LABEL" "$BB_RECIPE"; then
    if ! load_cached busybox:latest "$BB_CACHE" "$STANDIN_LABEL" "$BB_RECIPE"; then
        build_busybox_standin
        save_cache busybox:latest "$BB_CACHE"
    fi
    log "busybox:latest ready"
fi
[[ -s $BB_CACHE ]] || { [[ -n $(image_label busybox:latest "$STANDIN_LABEL") ]] && save_cache busybox:latest "$BB_CACHE"; } || true

# ---------------------------------------------------------------------------------------------
# 5. BuildKit: buildx CLI plugin from Debian trixie (runs on Debian 12, talks to Engine 20.10)
# ---------------------------------------------------------------------------------------------
if docker buildx version >/dev/null 2>&1; then
    log "buildx present"
else
    mktmp; work=$MKTMP
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
    echo "deb $(mirror) trixie main" >"$work/sources.list"
    tri=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
    log "fetching docker-buildx from trixie"
    timeout 300 apt-get "${APT_OPTS[@]}" "${APT_DL_OPTS[@]}" "${tri[@]}" -q update </dev/null >/dev/null \
        || die "apt-get update of trixie lists failed"
    (cd "$work" && timeout 300 apt-get "${APT_OPTS[@]}" "${APT_DL_OPTS[@]}" "${tri[@]}" -q download docker-buildx </dev/null >/dev/null) \
        || die "apt-get download docker-buildx failed"
    dpkg -x "$work"/docker-buildx_*.deb "$work/x"
    install -D -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-buildx" \
        /usr/libexec/docker/cli-plugins/docker-buildx || die "could not install the buildx plugin"
    docker buildx version >/dev/null 2>&1 || die "buildx plugin installed but 'docker buildx version' fails"
    log "buildx installed"
fi

# ---------------------------------------------------------------------------------------------
log "done in $((SECONDS - T0))s"
docker version
docker buildx version
