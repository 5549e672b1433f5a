# A stand-in for the official busybox:latest (the glibc variant), for machines that cannot pull it.
#
# It follows docker-library/busybox's glibc Dockerfile.builder: BusyBox 1.37 compiled with
# `make defconfig` and the same configuration changes, linked against glibc, its applets installed
# as links in /bin, buildroot's /etc/passwd and /etc/group, UTC as the time zone, and a final image
# made FROM scratch with only that root file system and CMD ["sh"].
# Differences, and why they do not matter for the lessons: scripts/standins/README.md.
FROM debian:trixie-slim AS build

RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends bzip2 dpkg-dev gcc libc6-dev make patch tzdata xz-utils

# The official build downloads busybox-$BUSYBOX_VERSION.tar.bz2 from busybox.net and checks its
# signature; the same upstream tarball comes here from Debian's busybox source package.
ARG DEBIAN_SOURCE_VERSION
RUN set -eux; \
	sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/standin-src.sources; \
	apt-get update; \
	mkdir -p /usr/src/download; \
	cd /usr/src/download; \
	apt-get source --download-only "busybox=$DEBIAN_SOURCE_VERSION"; \
	mkdir -p /usr/src/busybox; \
	tar -xf busybox_*.orig.tar.* -C /usr/src/busybox --strip-components=1; \
	rm -rf /usr/src/download

WORKDIR /usr/src/busybox

# The official configuration: defconfig (which has netstat with -p, ps, wget, nslookup, ...)
# with ar, inotifyd and no fancy sync; tc is left out here because its CBQ code no longer builds
# against trixie's kernel headers (the official build patches it out the same way).
RUN set -eux; \
	setConfs=' \
		CONFIG_AR=y \
		CONFIG_FEATURE_AR_CREATE=y \
		CONFIG_FEATURE_AR_LONG_FILENAMES=y \
		CONFIG_LAST_SUPPORTED_WCHAR=0 \
		CONFIG_INOTIFYD=y \
	'; \
	unsetConfs=' \
		CONFIG_FEATURE_SYNC_FANCY \
		CONFIG_TC \
		CONFIG_FEATURE_TC_INGRESS \
		CONFIG_SHA1_HWACCEL \
		CONFIG_SHA256_HWACCEL \
	'; \
	make defconfig; \
	for conf in $unsetConfs; do \
		sed -i -e "s!^$conf=.*\$!# $conf is not set!" .config; \
	done; \
	for confV in $setConfs; do \
		conf="${confV%=*}"; \
		sed -i -e "s!^$conf=.*\$!$confV!" -e "s!^# $conf is not set\$!$confV!" .config; \
		grep -q "^$confV\$" .config || echo "$confV" >> .config; \
	done; \
	yes '' | make oldconfig > /dev/null; \
	for conf in $unsetConfs; do ! grep -q "^$conf=" .config; done; \
	for confV in $setConfs; do grep -q "^$confV\$" .config; done; \
	grep -q '^CONFIG_FEATURE_NETSTAT_PRG=y$' .config

RUN set -eux; \
	make -j "$(nproc)" busybox; \
	./busybox --help > /dev/null; \
	mkdir -p rootfs/bin; \
	ln -vL busybox rootfs/bin/; \
	getconf="$(which getconf)"; \
	ln -vL "$getconf" rootfs/bin/getconf; \
# with glibc, busybox uses libnss for user and DNS lookups: copy it and what it links to
	mkdir -p rootfs/etc; \
	cp /etc/nsswitch.conf rootfs/etc/; \
	mkdir -p rootfs/lib; \
	ln -sT lib rootfs/lib64; \
	gccMultiarch="$(gcc -print-multiarch)"; \
	set -- rootfs/bin/busybox rootfs/bin/getconf /lib/"$gccMultiarch"/libnss*.so.* /lib/"$gccMultiarch"/libpthread*.so.*; \
	while [ "$#" -gt 0 ]; do \
		f="$1"; shift; \
		fn="$(basename "$f")"; \
		if [ -e "rootfs/lib/$fn" ]; then continue; fi; \
		if [ "${f#rootfs/}" = "$f" ]; then \
			if [ "${fn#ld-}" = "$fn" ]; then ln -vL "$f" "rootfs/lib/$fn"; else cp -v "$f" "rootfs/lib/$fn"; fi; \
		fi; \
		ldd="$(ldd "$f" | awk '$1 ~ /^\// { print $1; next } $2 == "=>" && $3 ~ /^\// { print $3; next }')"; \
		set -- "$@" $ldd; \
	done; \
	chroot rootfs /bin/getconf _NPROCESSORS_ONLN; \
	chroot rootfs /bin/busybox --install /bin

# buildroot's skeleton users and groups, as the official image has them (root locked)
RUN set -eux; \
	printf '%s\n' \
		'root:x:0:0:root:/root:/bin/sh' \
		'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
		'bin:x:2:2:bin:/bin:/bin/false' \
		'sys:x:3:3:sys:/dev:/bin/false' \
		'sync:x:4:100:sync:/bin:/bin/sync' \
		'mail:x:8:8:mail:/var/spool/mail:/bin/false' \
		'www-data:x:33:33:www-data:/var/www:/bin/false' \
		'operator:x:37:37:Operator:/var:/bin/false' \
		'nobody:x:65534:65534:nobody:/home:/bin/false' \
		> rootfs/etc/passwd; \
	printf '%s\n' root:x:0: daemon:x:1: bin:x:2: sys:x:3: adm:x:4: tty:x:5: disk:x:6: lp:x:7: \
		mail:x:8: kmem:x:9: wheel:x:10:root cdrom:x:11: dialout:x:18: floppy:x:19: video:x:28: \
		audio:x:29: tape:x:32: www-data:x:33: operator:x:37: utmp:x:43: plugdev:x:46: staff:x:50: \
		lock:x:54: netdev:x:82: users:x:100: nobody:x:65534: \
		> rootfs/etc/group; \
	awk -F: '{ printf "%s:*:::::::\n", $1 }' rootfs/etc/passwd > rootfs/etc/shadow; \
	chmod 600 rootfs/etc/shadow; \
	cd rootfs; \
	mkdir -p dev proc sys tmp var/spool/mail var/www root home usr/sbin; \
	chmod 1777 tmp; chmod 700 root; \
	mkdir -p usr/bin; ln -s ../../bin/env usr/bin/; \
	chroot . /usr/bin/env sh -xec 'true'; \
	ln -vL /usr/share/zoneinfo/UTC etc/localtime

FROM scratch
COPY --from=build /usr/src/busybox/rootfs/ /
CMD ["sh"]
