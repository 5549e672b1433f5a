# A stand-in for the official python:3.13-slim, for machines that cannot pull it (CI here).
#
# It follows docker-library/python's 3.13/slim-trixie/Dockerfile step by step: the same base
# (debian:trixie-slim, itself a stand-in made by scripts/docker-engine.sh the way debuerreotype
# makes the official one), the same runtime packages, Python compiled from source into /usr/local
# with the same configure flags, the build dependencies purged, the same symlinks, ENV and CMD.
# Where it differs, and why that does not matter for the lessons: scripts/standins/README.md.
FROM debian:trixie-slim

# ensure local python is preferred over distribution python
ENV PATH /usr/local/bin:$PATH

# runtime dependencies
RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		ca-certificates \
		netbase \
		tzdata \
	; \
	apt-get dist-clean

# The official image downloads Python-$PYTHON_VERSION.tar.xz from python.org and checks its
# signature; here the same upstream tarball comes from Debian's python3.13 source package
# (its .orig.tar.xz), checked by apt against Debian's signed Sources index.
ARG PYTHON_VERSION
ARG DEBIAN_SOURCE_VERSION
ENV PYTHON_VERSION $PYTHON_VERSION

RUN set -eux; \
	\
	savedAptMark="$(apt-mark showmanual)"; \
	sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/standin-src.sources; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		dpkg-dev \
		gcc \
		libbluetooth-dev \
		libbz2-dev \
		libc6-dev \
		libdb-dev \
		libffi-dev \
		libgdbm-dev \
		liblzma-dev \
		libncursesw5-dev \
		libreadline-dev \
		libsqlite3-dev \
		libssl-dev \
		make \
		tk-dev \
		uuid-dev \
		xz-utils \
		zlib1g-dev \
	; \
	\
	mkdir -p /usr/src/download; \
	cd /usr/src/download; \
	apt-get source --download-only "python3.13=$DEBIAN_SOURCE_VERSION"; \
	mkdir -p /usr/src/python; \
	tar --extract --directory /usr/src/python --strip-components=1 --file python3.13_*.orig.tar.xz; \
	cd /; \
	rm -rf /usr/src/download /etc/apt/sources.list.d/standin-src.sources; \
	\
	cd /usr/src/python; \
	gnuArch="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"; \
# The official image adds --enable-optimizations --with-lto (profile-guided: it runs the test
# suite, 20+ minutes on two cores) and --enable-experimental-jit=yes-off (needs clang-18 and
# llvm-18). They change how fast Python runs, not what is in the image.
	./configure \
		--build="$gnuArch" \
		--enable-loadable-sqlite-extensions \
		--enable-option-checking=fatal \
		--enable-shared \
		--with-ensurepip \
	; \
	nproc="$(nproc)"; \
	EXTRA_CFLAGS="$(dpkg-buildflags --get CFLAGS)"; \
	LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"; \
	LDFLAGS="${LDFLAGS:--Wl},--strip-all"; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:-}" \
	; \
	rm python; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:--Wl},-rpath='\$\$ORIGIN/../lib'" \
		python \
	; \
	make install; \
	\
	cd /; \
	rm -rf /usr/src/python; \
	\
	find /usr/local -depth \
		\( \
			\( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
			-o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \
		\) -exec rm -rf '{}' + \
	; \
	\
	ldconfig; \
	\
	apt-mark auto '.*' > /dev/null; \
	apt-mark manual $savedAptMark; \
	find /usr/local -type f -executable -not \( -name '*tkinter*' \) -exec ldd '{}' ';' \
		| awk '/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) { next }; gsub("^/(usr/)?", "", so); printf "*%s\n", so }' \
		| sort -u \
		| xargs -rt dpkg-query --search \
		| awk 'sub(":$", "", $1) { print $1 }' \
		| sort -u \
		| xargs -r apt-mark manual \
	; \
	apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
	apt-get dist-clean; \
	\
	export PYTHONDONTWRITEBYTECODE=1; \
	python3 --version; \
	pip3 --version

# make some useful symlinks that are expected to exist ("/usr/local/bin/python" and friends)
RUN set -eux; \
	for src in idle3 pip3 pydoc3 python3 python3-config; do \
		dst="$(echo "$src" | tr -d 3)"; \
		[ -s "/usr/local/bin/$src" ]; \
		[ ! -e "/usr/local/bin/$dst" ]; \
		ln -svT "$src" "/usr/local/bin/$dst"; \
	done

CMD ["python3"]
