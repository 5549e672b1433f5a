#!/usr/bin/env bash
# Make a root file system like the official debian:trixie-slim in folder $1, from Debian's mirror
# $2, the way debuerreotype makes it: debootstrap's minbase variant, then debuerreotype's
# "minimizing config" (apt and dpkg settings for containers) and "slimify" (no docs, man pages or
# translations, now or in packages installed later). Sourced facts: scripts/standins/README.md.
# Optional $3: a folder of extra CA certificates (one per .crt file) for an intercepting TLS proxy,
# put where a corporate laptop's admin would put them, /usr/local/share/ca-certificates: the
# ca-certificates package (installed by the python image's first RUN) adds them to the bundle.
set -euo pipefail
root=$1 mirror=$2 cas=${3:-}

debootstrap --variant=minbase trixie "$root" "$mirror"

# apt's sources as debuerreotype writes them for trixie (deb822)
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# services never start during a build
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# dpkg need not sync after each package: a failed build starts again anyway
echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
conf=$root/etc/apt/apt.conf.d
# autoremove also removes what was only kept because something suggested it
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$conf/docker-autoremove-suggests"
# downloaded .deb files and apt's binary caches are deleted after every install and update
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
cat >"$conf/docker-clean" <<CLEAN
DPkg::Post-Invoke { $clean };
APT::Update::Post-Invoke { $clean };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
# package lists stay compressed on disk after `apt-get update`
echo 'Acquire::GzipIndexes "true";' >"$conf/docker-gzip-indexes"
# no translated package descriptions
echo 'Acquire::Languages "none";' >"$conf/docker-no-languages"
chmod 0644 "$conf"/docker-* "$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"

# slim: these paths are removed now and dpkg leaves them out of every package installed later
excludes=(/usr/share/doc/'*' /usr/share/groff/'*' /usr/share/info/'*' /usr/share/linda/'*'
          /usr/share/lintian/overrides/'*' /usr/share/locale/'*' /usr/share/man/'*')
includes=(/usr/share/doc/'*'/copyright /usr/share/locale/locale.alias)
{
    echo '# The "slim" variant: files normally unneeded in containers are left out.'
    for p in "${excludes[@]}"; do echo "path-exclude $p"; done
    for p in "${includes[@]}"; do echo "path-include $p"; done
} >"$root/etc/dpkg/dpkg.cfg.d/docker"
for p in "${excludes[@]}"; do
    d=$root/${p%/\*}
    [[ -d $d ]] || continue
    find "$d" -depth -mindepth 1 -not \( -path "$root/usr/share/doc/*/copyright" -o -path "$root/usr/share/locale/locale.alias" \) \
        -not \( -type d -o -type l \) -exec rm -f {} +
    find "$d" -depth -mindepth 1 \( -empty -o -xtype l \) -exec rm -rf {} + 2>/dev/null || true
done

# what debuerreotype leaves out of the tarball: caches, logs, lists, the debootstrap folder
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root/debootstrap" "$root"/tmp/* "$root"/var/tmp/*
: >"$root/etc/machine-id" 2>/dev/null || true
if [[ -n $cas ]]; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp "$cas"/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
fi
