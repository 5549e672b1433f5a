#!/usr/bin/env bash
# Provision a working Docker engine for docker-lessons' tests on a Debian 12 machine
# (root, no systemd, no container registry reachable).
#
#   * the CURRENT engine (the default): Debian testing's docker.io, containerd and docker-buildx
#     (Docker Engine 28 or newer), unpacked into /opt/docker-lessons/engine-current and run beside
#     the system's runc; DOCKER_LESSONS_STORE=containerd runs it with the containerd image store
#     (Docker Engine 29's default for new installations, Docker Desktop's), classic = overlay2
#   * the OLDEST engine the course is tested on (DOCKER_LESSONS_ENGINE=oldest): Debian 12's
#     docker.io, Engine 20.10
#   * one daemon at a time: a running daemon of another kind is stopped first; each kind keeps its
#     own data root, so switching back finds its images (DOCKER_LESSONS_PRUNE_BUILD_CACHE=1 first
#     empties the build cache of the engine it stops, as .ci/run does)
#   * BuildKit: the buildx CLI plugin from Debian testing, in /usr/local/libexec/docker/cli-plugins
#   * builds LOCAL STAND-INS for the images the lessons use, because nothing can be pulled
#     here: debian:trixie-slim, python:3.13-slim (+ tag python:3.12-slim) and busybox:latest,
#     each the way its official Dockerfile builds it (scripts/standins/: the recipes, and
#     README.md: what still differs and why it does not matter). Real learners pull the
#     official images; with a registry, DOCKER_LESSONS_IMAGES=official pulls them instead.
#     Stand-ins are cached with `docker save` under ${DOCKER_LESSONS_CACHE:-/var/cache/docker-lessons}
#     and `docker load`ed into each engine's store.
#
# Idempotent: every step checks first and is a no-op when already done. Safe to re-run.
# Every wait has a timeout. Exits non-zero with a message on the first failure.
#
# Environment: DOCKER_LESSONS_ENGINE (current, the default, or oldest), DOCKER_LESSONS_STORE
# (classic, the default, or containerd), DOCKER_LESSONS_IMAGES (standin, the default, or official),
# DOCKER_LESSONS_CACHE (image tarball cache dir), DOCKERD_TIMEOUT (seconds to wait for the daemon,
# default 60), DOCKERD_LOG (default /tmp/dockerd.log).
# Typical times on a 2-core machine: first run ~10 min (Python and BusyBox are compiled), with a
# warm cache ~20 s, switching engines ~15 s, re-run <1 s.
set -euo pipefail

CACHE_DIR=${DOCKER_LESSONS_CACHE:-/var/cache/docker-lessons}
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
DOCKERD_PIDFILE=${DOCKERD_PIDFILE:-/var/run/docker.pid}
ENGINE=${DOCKER_LESSONS_ENGINE:-current}
STORE=${DOCKER_LESSONS_STORE:-classic}
[[ $ENGINE == current || $ENGINE == oldest ]] || { echo "DOCKER_LESSONS_ENGINE must be current or oldest, not '$ENGINE'" >&2; exit 2; }
[[ $STORE == classic || $STORE == containerd ]] || { echo "DOCKER_LESSONS_STORE must be classic or containerd, not '$STORE'" >&2; exit 2; }
CURRENT_DIR=/opt/docker-lessons/engine-current
BUILDX_PLUGIN=/usr/local/libexec/docker/cli-plugins/docker-buildx
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
# Debian 12's docker.io (Engine 20.10, with containerd 1.6 and runc): the oldest engine the course
# is tested on, and the runc and iptables that the current engine uses too.
if [[ -x /usr/sbin/dockerd ]]; then
    log "Debian 12's engine present: $(/usr/sbin/dockerd --version)"
else
    # iptables etc. are hard dependencies; recommends (apparmor, needrestart, ...) are not needed.
    apt_install docker.io
    [[ -x /usr/sbin/dockerd ]] || die "docker.io installed but /usr/sbin/dockerd is missing"
fi

# The current engine: Debian testing's docker.io, containerd and docker-buildx, unpacked into
# $CURRENT_DIR (never over the system's packages). Their binaries need glibc 2.34 and run on
# Debian 12; testing's runc needs a newer glibc, so the system's runc (from docker.io) runs the
# containers. Whatever testing carries today is taken: the version in use is written to
# $CURRENT_DIR/VERSIONS and printed at the end, never pinned here.
fetch_current_engine() {
    local work suite=testing deb
    mktmp; work=$MKTMP
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
    echo "deb $(mirror) $suite main" >"$work/sources.list"
    local o=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
    log "fetching docker.io, containerd and docker-buildx from Debian $suite"
    timeout 300 apt-get "${APT_OPTS[@]}" "${APT_DL_OPTS[@]}" "${o[@]}" -q update </dev/null >/dev/null \
        || die "apt-get update of Debian $suite's lists failed"
    (cd "$work" && timeout 600 apt-get "${APT_OPTS[@]}" "${APT_DL_OPTS[@]}" "${o[@]}" -q download \
        docker.io containerd docker-buildx </dev/null >/dev/null) \
        || die "apt-get download of Debian $suite's docker.io, containerd, docker-buildx failed"
    for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/x"; done
    rm -rf "$CURRENT_DIR.new"; mkdir -p "$CURRENT_DIR.new/bin" "$CURRENT_DIR.new/cli-plugins"
    install -m 0755 "$work/x/usr/sbin/dockerd" "$work/x/usr/sbin/docker-proxy" \
        "$work/x/usr/bin/containerd" "$work/x/usr/bin/containerd-shim-runc-v2" "$work/x/usr/bin/ctr" \
        "$CURRENT_DIR.new/bin/"
    install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-buildx" "$CURRENT_DIR.new/cli-plugins/"
    "$CURRENT_DIR.new/bin/dockerd" --version >/dev/null 2>&1 \
        || die "Debian $suite's dockerd does not run on this machine (a newer glibc?): $("$CURRENT_DIR.new/bin/dockerd" --version 2>&1 | head -n 1)"
    for deb in "$work"/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd' '; done \
        | sed 's/^Package: //; s/ Version: / /' >"$CURRENT_DIR.new/VERSIONS"
    rm -rf "$CURRENT_DIR"; mv "$CURRENT_DIR.new" "$CURRENT_DIR"
    log "current engine unpacked in $CURRENT_DIR: $(paste -sd, "$CURRENT_DIR/VERSIONS")"
}
if [[ $ENGINE == current ]]; then
    if [[ -x $CURRENT_DIR/bin/dockerd && -s $CURRENT_DIR/VERSIONS ]]; then
        log "current engine present: $(paste -sd, "$CURRENT_DIR/VERSIONS")"
    else
        fetch_current_engine
    fi
fi

# BuildKit's front end for the CLI: testing's buildx, where every docker CLI looks before the
# system's plugins. It talks to Engine 20.10's BuildKit as well (tested by the 20.10 phase of CI).
if [[ ! -x $BUILDX_PLUGIN ]]; then
    [[ -x $CURRENT_DIR/cli-plugins/docker-buildx ]] || fetch_current_engine
    install -D -m 0755 "$CURRENT_DIR/cli-plugins/docker-buildx" "$BUILDX_PLUGIN"
fi
docker buildx version >/dev/null 2>&1 || die "'docker buildx version' fails with $BUILDX_PLUGIN"

# ---------------------------------------------------------------------------------------------
# 2. Start the wanted daemon (no systemd here), stopping another one first: two daemons on one
#    host share the docker0 bridge and iptables chains, and one removed the other's bridge here.
# ---------------------------------------------------------------------------------------------
case "$ENGINE/$STORE" in
    current/classic)    DATA_ROOT=/var/lib/docker-current ;;
    current/containerd) DATA_ROOT=/var/lib/docker-current-containerd ;;
    oldest/classic)     DATA_ROOT=/var/lib/docker ;;
    *) die "Engine 20.10 has no containerd image store: DOCKER_LESSONS_STORE=containerd needs DOCKER_LESSONS_ENGINE=current" ;;
esac
# BuildKit's garbage collection: its default keeps 20 % of the disk free (Min Free Space: 47.5 GiB of
# this machine's 252 GB), and once the data roots, venvs and caches of a test run leave less than that,
# it empties the build cache after nearly every build, so that lesson 12's measured rebuild, and every
# build after it, runs apt-get and pip again (seen here). The current engine gets a cache of its own
# size instead (Engine 20.10 knows none of these settings, and its default keeps 10 % of the disk);
# .ci/run also empties the build cache of each engine it leaves, so runs cannot fill the disk
DAEMON_CONFIG=/etc/docker-lessons/daemon-$ENGINE-$STORE.json
mkdir -p "${DAEMON_CONFIG%/*}"
gc='"builder": {"gc": {"enabled": true, "defaultReservedSpace": "10GB", "defaultMaxUsedSpace": "40GB", "defaultMinFreeSpace": "5GB"}}'
case "$ENGINE/$STORE" in
    current/containerd) config="{\"features\": {\"containerd-snapshotter\": true}, $gc}" ;;
    current/classic)    config="{$gc}" ;;
    *)                  config='{}' ;;
esac
config_changed=0
[[ $(cat "$DAEMON_CONFIG" 2>/dev/null) == "$config" ]] || config_changed=1
printf '%s\n' "$config" >"$DAEMON_CONFIG"

# dockerd is alive if the process we started is, or the pid in its pid file is (setsid may
# fork, so $! is not always dockerd's own pid).
dockerd_alive() {
    local p
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null && return 0
    p=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
    [[ -n $p ]] && kill -0 "$p" 2>/dev/null
}

running_root=$(timeout 20 docker info -f '{{.DockerRootDir}}' 2>/dev/null || true)
if [[ -n $running_root && ( $running_root != "$DATA_ROOT" || $config_changed == 1 ) ]] || { [[ -z $running_root ]] && dockerd_alive; }; then
    p=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
    if [[ -n $running_root && ${DOCKER_LESSONS_PRUNE_BUILD_CACHE:-0} == 1 ]]; then
        log "emptying the build cache of the engine in $running_root: $(timeout 300 docker builder prune -af 2>&1 | tail -n 1)"
    fi
    log "stopping the running engine (${running_root:-not answering}, pid ${p:-?}) to start $ENGINE/$STORE"
    [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true
    deadline=$((SECONDS + 60))
    while dockerd_alive; do
        ((SECONDS < deadline)) || { kill -KILL "$p" 2>/dev/null || true; sleep 2; break; }
        sleep 1
    done
    running_root=""
fi

if [[ $running_root == "$DATA_ROOT" ]]; then
    log "engine already running ($ENGINE, $STORE image store)"
else
    if [[ $ENGINE == current ]]; then
        daemon=(env "PATH=$CURRENT_DIR/bin:$PATH" "$CURRENT_DIR/bin/dockerd")
    else
        daemon=(/usr/sbin/dockerd)
    fi
    log "starting dockerd: $ENGINE engine, $STORE image store, data in $DATA_ROOT (log: $DOCKERD_LOG)"
    setsid "${daemon[@]}" --data-root "$DATA_ROOT" --exec-root "/var/run/docker-$ENGINE" \
        --config-file "$DAEMON_CONFIG" --pidfile "$DOCKERD_PIDFILE" >"$DOCKERD_LOG" 2>&1 </dev/null &
    pid=$!
    sleep 1
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
[[ $(docker info -f '{{.DockerRootDir}}') == "$DATA_ROOT" ]] || die "the engine answering is not the one started (data root $(docker info -f '{{.DockerRootDir}}'))"

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
# 3. Stand-ins for the official images, each built the way its official Dockerfile builds it
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
docker info -f 'engine {{.ServerVersion}}, storage driver {{.Driver}}{{range .DriverStatus}} ({{index . 0}}: {{index . 1}}){{end}}, data root {{.DockerRootDir}}'
[[ $ENGINE == current ]] && { echo "Debian testing's packages in use:"; sed 's/^/  /' "$CURRENT_DIR/VERSIONS"; }
true
