#!/usr/bin/env bash
# Provision a working Docker engine for docker-lessons' tests on a Debian 12 machine
# (root, no systemd, no container registry reachable).
#
#   * installs Debian's docker.io (Engine 20.10) if `dockerd` is missing
#   * starts dockerd (setsid, log in /tmp/dockerd.log) if `docker info` fails
#   * installs the buildx CLI plugin (BuildKit front end) from Debian trixie's docker-buildx
#   * builds LOCAL STAND-INS for the images the lessons use, because nothing can be pulled
#     here: debian:trixie-slim, python:3.13-slim (+ tag python:3.12-slim) and busybox:latest,
#     each the way its official Dockerfile builds it (scripts/standins/: the recipes, and
#     README.md: what still differs and why it does not matter). Real learners pull the
#     official images; with a registry, DOCKER_LESSONS_IMAGES=official pulls them instead.
#     Stand-ins are cached with `docker save` under ${DOCKER_LESSONS_CACHE:-/var/cache/docker-lessons}
#     and `docker load`ed next time.
#
# Idempotent: every step checks first and is a no-op when already done. Safe to re-run.
# Every wait has a timeout. Exits non-zero with a message on the first failure.
#
# Environment: DOCKER_LESSONS_IMAGES (standin, the default, or official), DOCKER_LESSONS_CACHE
# (image tarball cache dir), DOCKERD_TIMEOUT (seconds to wait for the daemon, default 60),
# DOCKERD_LOG (default /tmp/dockerd.log).
# Typical times on a 2-core machine: first run ~9 min (Python and BusyBox are compiled), with a
# warm cache ~15 s, re-run <1 s.
set -euo pipefail

CACHE_DIR=${DOCKER_LESSONS_CACHE:-/var/cache/docker-lessons}
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
DOCKERD_PIDFILE=${DOCKERD_PIDFILE:-/var/run/docker.pid}
# Bump when the stand-in recipe changes: images/caches built by an older recipe are rebuilt.
DEB_RECIPE=1
# standin (default): build local stand-ins, as no registry is reachable here; official: pull the real images
IMAGES=${DOCKER_LESSONS_IMAGES:-standin}
[[ $IMAGES == standin || $IMAGES == official ]] || { echo "DOCKER_LESSONS_IMAGES must be standin or official, not '$IMAGES'" >&2; exit 2; }
PY_RECIPE=3
BB_RECIPE=2
STANDIN_LABEL=org.docker-lessons.standin
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
# 3. BuildKit: buildx CLI plugin from Debian trixie (runs on Debian 12, talks to Engine 20.10)
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
# 4. Stand-ins for the official images, each built the way its official Dockerfile builds it
#    (scripts/standins/: the recipes, and README.md: what still differs and why it does not matter)
# ---------------------------------------------------------------------------------------------
STANDINS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/standins

# the CA certificates this host trusts beyond Debian's own (an intercepting TLS proxy), one file each
host_extra_cas() {
    local out=$1
    mkdir -p "$out"
    python3 - "$HOST_CA" "$out" <<'PY'
import pathlib, re, sys
bundle, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
pem = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
known = set()
for f in pathlib.Path("/usr/share/ca-certificates").rglob("*.crt"):
    known.update(m.group(0) for m in pem.finditer(f.read_text(errors="replace")))
extra = [c for c in pem.findall(bundle.read_text(errors="replace")) if c not in known]
for i, c in enumerate(extra):
    (out / f"docker-lessons-host-{i}.crt").write_text(c + "\n")
print(len(extra))
PY
}

# The newest Debian trixie source version of package $1, as apt in the debian stand-in sees it
debian_source_version() {
    docker run --rm debian:trixie-slim sh -ec '
        sed "s/^Types: deb\$/Types: deb-src/" /etc/apt/sources.list.d/debian.sources \
            > /etc/apt/sources.list.d/src.sources
        apt-get update -qq >/dev/null
        apt-cache showsrc "$1" | awk "/^Version:/ {print \$2}" | sort -V | tail -n 1' sh "$1"
}
upstream_version() { local v=${1#*:}; printf '%s\n' "${v%-*}"; }

build_debian_standin() {
    command -v debootstrap >/dev/null || apt_install debootstrap
    local work attempt ok=0
    mktmp; work=$MKTMP
    log "extra CA certificates of this host (intercepting TLS proxy): $(host_extra_cas "$work/host-ca")"
    for attempt in 1 2; do
        log "debootstrap trixie minbase, debuerreotype's settings (attempt $attempt; about a minute)"
        rm_tree "$work/rootfs"
        if timeout 900 bash "$STANDINS/debian-trixie-slim.sh" "$work/rootfs" "$(mirror)" "$work/host-ca" \
            >"$work/debootstrap.log" 2>&1 </dev/null; then
            ok=1; break
        fi
        tail -n 15 "$work/debootstrap.log" >&2 || true
        sleep 5
    done
    [[ $ok -eq 1 ]] || die "debootstrap of trixie failed twice (network?)"
    tar --numeric-owner -C "$work/rootfs" -c . | docker import \
        -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c "LABEL $STANDIN_LABEL=$DEB_RECIPE" \
        -c 'CMD ["bash"]' \
        - debian:trixie-slim >/dev/null || die "docker import of debian:trixie-slim failed"
    rm_tree "$work"
}

# build image $1 from scripts/standins/$2 with the build args that follow
build_standin() {
    local ref=$1 recipe_file=$2 recipe=$3 work
    shift 3
    mktmp; work=$MKTMP
    log "building $ref from scripts/standins/$recipe_file $* (several minutes the first time)"
    if ! timeout 3600 docker buildx build --load --progress plain \
        -f "$STANDINS/$recipe_file" --label "$STANDIN_LABEL=$recipe" \
        --label "org.opencontainers.image.description=docker-lessons offline stand-in for $ref, built like the official image. Real learners pull the official image." \
        "$@" -t "$ref" "$work" >"$work/build.log" 2>&1 </dev/null; then
        tail -n 40 "$work/build.log" >&2
        die "building the $ref stand-in failed"
    fi
    rm_tree "$work"
}

# ensure stand-in $1 (recipe $2, cache name $3) exists, built by the command that follows
ensure_standin() {
    local ref=$1 recipe=$2 name=$3 cache=$CACHE_DIR/$3.r$2.tar
    shift 3
    if needs_build "$ref" "$STANDIN_LABEL" "$recipe"; then
        if ! load_cached "$ref" "$cache" "$STANDIN_LABEL" "$recipe"; then
            "$@"
            save_cache "$ref" "$cache"
        fi
        # caches of older recipes are of no use any more
        find "$CACHE_DIR" -maxdepth 1 -name "$name.r*.tar" ! -name "${cache##*/}" -delete
        log "$ref ready ($(docker image inspect -f '{{.Size}}' "$ref" | awk '{printf "%d MB", $1/1e6}'))"
    fi
    [[ -s $cache ]] || { [[ -n $(image_label "$ref" "$STANDIN_LABEL") ]] && save_cache "$ref" "$cache"; } || true
}

build_python() {
    local src
    src=$(debian_source_version python3.13) || die "cannot read trixie's python3.13 source version"
    [[ $src == 3.13.* ]] || die "trixie's python3.13 source is '$src', expected 3.13.x"
    build_standin python:3.13-slim python-3.13-slim.Dockerfile "$PY_RECIPE" \
        --build-arg "PYTHON_VERSION=$(upstream_version "$src")" --build-arg "DEBIAN_SOURCE_VERSION=$src"
}
build_busybox() {
    local src
    src=$(debian_source_version busybox) || die "cannot read trixie's busybox source version"
    build_standin busybox:latest busybox.Dockerfile "$BB_RECIPE" --build-arg "DEBIAN_SOURCE_VERSION=$src"
}

if [[ $IMAGES == official ]]; then
    # a registry is reachable (the public CI): the suite runs on the real official images
    for ref in python:3.13-slim python:3.12-slim busybox:latest; do
        if [[ -n $(image_label "$ref" "$STANDIN_LABEL") ]]; then
            log "removing the stand-in $ref: the official image replaces it"
            docker image rm "$ref" >/dev/null
        fi
        log "docker pull $ref"
        timeout 600 docker pull -q "$ref" >/dev/null || die "docker pull $ref failed"
    done
else
    ensure_standin debian:trixie-slim "$DEB_RECIPE" debian-trixie-slim build_debian_standin
    ensure_standin python:3.13-slim "$PY_RECIPE" python-3.13-slim build_python
    ensure_standin busybox:latest "$BB_RECIPE" busybox build_busybox
fi

# python:3.12-slim: the tests use it as another supported base. Same stand-in, other tag
# (it still runs Python 3.13; only the name matters for the tests).
if [[ $IMAGES == official ]]; then
    :
elif [[ -z $(image_label python:3.12-slim "$STANDIN_LABEL") ]] && image_exists python:3.12-slim; then
    log "python:3.12-slim exists and is not a stand-in: keeping it"
elif [[ $(docker image inspect -f '{{.Id}}' python:3.12-slim 2>/dev/null || true) \
        != "$(docker image inspect -f '{{.Id}}' python:3.13-slim)" ]]; then
    docker tag python:3.13-slim python:3.12-slim
    log "tagged python:3.12-slim"
else
    log "python:3.12-slim present"
fi

# ---------------------------------------------------------------------------------------------
log "done in $((SECONDS - T0))s"
docker version
docker buildx version
