"""The base images the lessons run on have the properties the lessons rely on.

Each assertion is a fact about the *official* image, taken from its Dockerfile (cited beside it),
so this test passes on the real images and fails when a local stand-in drifts from them
(scripts/standins/README.md lists the differences that remain, and why they do not matter).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from support import ROOT

pytestmark = pytest.mark.docker

PYTHON = "python:3.13-slim"  # docker-library/python 3.13/slim-trixie/Dockerfile
BUSYBOX = "busybox:latest"  # docker-library/busybox latest/glibc Dockerfile.builder
APT_LISTS_MB = 20  # what `apt-get update` leaves in /var/lib/apt/lists, as lesson 4 states it (21.7 MB measured)


def sh(image: str, script: str, network: bool = False) -> subprocess.CompletedProcess:
    """Run `sh -c script` in a throwaway container of `image`."""
    network_args = [] if network else ["--network", "none"]
    return subprocess.run(
        ["docker", "run", "--rm", *network_args, "--entrypoint", "sh", image, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )


def config(image: str) -> dict:
    out = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]["Config"]


@pytest.fixture(scope="module", autouse=True)
def images_present():
    for image in (PYTHON, BUSYBOX):
        if subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode:
            pytest.fail(f"{image} is missing: run scripts/docker-engine.sh (or pull the official image)")


# -- python:3.13-slim -------------------------------------------------------------------------
def test_python_has_no_compiler():
    # the build dependencies (gcc, make, ...) are purged after compiling Python (`apt-get purge --auto-remove`)
    run = sh(PYTHON, "command -v gcc cc make || echo none")
    assert run.stdout.strip() == "none", run.stdout


def test_python_has_no_c_headers():
    # libc6-dev is a build dependency, purged with the rest: no /usr/include/stdio.h. (Lesson 4 depends
    # on this: Debian's gcc only recommends libc6-dev.)
    run = sh(PYTHON, "dpkg -s libc6-dev >/dev/null 2>&1 && echo installed; ls /usr/include/stdio.h 2>&1")
    assert "installed" not in run.stdout and "No such file" in run.stdout


def test_python_has_no_sudo_and_no_debugging_tools():
    # debian:trixie-slim's minbase has neither sudo nor procps/net-tools/iputils, and the Python
    # Dockerfile installs only ca-certificates, netbase, tzdata (lesson 4: no sudo; lesson 10: no ps)
    run = sh(PYTHON, "for tool in sudo ps netstat ping ss vi; do command -v $tool; done; echo end")
    assert run.stdout.strip() == "end", run.stdout


def test_python_has_no_curl_or_wget_but_pcre2_for_uwsgi():
    # wget is a build dependency of the Python Dockerfile, purged with the rest; curl is never installed
    # (lesson 15: probe with Python's urllib). grep, an essential package of debian:trixie-slim,
    # pre-depends on libpcre2-8-0: a uWSGI built against libpcre2-dev runs without another package.
    run = sh(
        PYTHON,
        "command -v curl wget; dpkg-query -W -f '${Status}' libpcre2-8-0; echo; "
        "ls /usr/lib/*/libpcre2-8.so.0; dpkg-query -W -f '${Pre-Depends}' grep",
    )
    lines = run.stdout.splitlines()
    assert lines[0] == "install ok installed", run.stdout  # no path from `command -v` before it
    assert lines[1].endswith("/libpcre2-8.so.0") and "libpcre2-8-0" in lines[2], run.stdout


def test_python_lives_under_usr_local():
    # `./configure --enable-shared ... && make install` into the default prefix /usr/local, and the
    # symlinks python, pip, python-config made by the last RUN; Debian's own python3 is not installed
    run = sh(
        PYTHON,
        "readlink /usr/local/bin/python /usr/local/bin/pip; python3 -c 'import sys; print(sys.prefix, "
        "sys.version_info[:2])'; ls /usr/local/include/python3.13/Python.h /usr/local/lib/libpython3.13.so; "
        "ls /usr/bin/python3 2>&1",
    )
    lines = run.stdout.splitlines()
    assert lines[:3] == ["python3", "pip3", "/usr/local (3, 13)"], run.stdout
    assert "/usr/local/include/python3.13/Python.h" in run.stdout and "/usr/local/lib/libpython3.13.so" in run.stdout
    assert "No such file" in run.stdout  # no /usr/bin/python3


def test_python_pip_installs_as_root_without_complaint():
    # python.org's Python, not Debian's: no EXTERNALLY-MANAGED marker, so `pip install` needs no venv
    run = sh(
        PYTHON,
        'python3 -c \'import sysconfig, os; print(os.path.exists(os.path.join(sysconfig.get_path("stdlib"), '
        '"EXTERNALLY-MANAGED")))\'; pip --version',
    )
    assert run.stdout.startswith("False") and "python 3.13" in run.stdout


def test_python_apt_settings_of_debian_slim():
    # debian:trixie-slim is made by debuerreotype: its minimizing config and the slim dpkg excludes
    run = sh(
        PYTHON,
        "cat /etc/apt/apt.conf.d/docker-clean /etc/apt/apt.conf.d/docker-gzip-indexes "
        "/etc/apt/apt.conf.d/docker-no-languages /etc/apt/apt.conf.d/docker-autoremove-suggests "
        "/etc/dpkg/dpkg.cfg.d/docker",
    )
    text = run.stdout
    assert 'Dir::Cache::pkgcache "";' in text and "/var/cache/apt/archives/*.deb" in text
    assert 'Acquire::GzipIndexes "true";' in text
    assert 'Acquire::Languages "none";' in text
    assert 'Apt::AutoRemove::SuggestsImportant "false";' in text
    assert "path-exclude /usr/share/doc/*" in text and "path-include /usr/share/doc/*/copyright" in text


def test_python_ships_without_apt_lists_and_stores_them_compressed():
    # `apt-get dist-clean` ends each RUN of the official Dockerfile: no package lists in the image
    # (apt keeps only the Release files). After a learner's `apt-get update`, docker-gzip-indexes
    # keeps the lists compressed on disk.
    before = sh(PYTHON, "ls /var/lib/apt/lists | grep -c _Packages")
    assert before.stdout.strip() == "0", before.stdout
    after = sh(
        PYTHON, "apt-get update -qq >/dev/null && cd /var/lib/apt/lists && ls *_Packages* && du -sk .", network=True
    )
    assert after.returncode == 0, after.stderr
    packages = [name for name in after.stdout.split() if "_Packages" in name]
    assert packages and all(name.endswith((".lz4", ".gz", ".xz", ".zst")) for name in packages), packages
    # lesson 4's page and apt-lists-removed say how much the lists weigh: keep it true
    megabytes = int(after.stdout.split()[-2]) / 1024
    assert 0.6 * APT_LISTS_MB <= megabytes <= 1.5 * APT_LISTS_MB, megabytes
    assert f"about {APT_LISTS_MB} MB" in (ROOT / "docs" / "lessons" / "lesson4.md").read_text(encoding="utf-8")


def test_python_configuration():
    cfg = config(PYTHON)
    assert cfg["Cmd"] == ["python3"]
    assert not cfg.get("User") and not cfg.get("WorkingDir") and not cfg.get("Entrypoint")
    env = dict(item.split("=", 1) for item in cfg["Env"])
    assert env["PATH"].startswith("/usr/local/bin:")  # ENV PATH /usr/local/bin:$PATH
    assert env["PYTHON_VERSION"].startswith("3.13.")
    assert not cfg.get("ExposedPorts")


def test_python_users_as_lessons_2_and_14_say():
    # lesson 14: `useradd --system` gives an id below 1000 and no password (SYS_UID_MAX 999 in Debian's
    # login.defs; the password field is locked), Debian's nobody (65534) exists and owns nothing, and a
    # numeric user needs no entry in /etc/passwd
    run = sh(
        PYTHON,
        "useradd --system --no-create-home --shell /usr/sbin/nologin together && id -u together && "
        "grep '^together:' /etc/shadow | cut -d: -f2; id -u nobody; "
        "find / -xdev -user nobody 2>/dev/null | wc -l; stat -c %a /root",
    )
    uid, password, nobody, owned, root_home = run.stdout.split()
    assert int(uid) < 1000 and password in ("!", "*", "!*"), run.stdout + run.stderr
    assert (nobody, owned) == ("65534", "0"), run.stdout
    assert root_home == "700", run.stdout  # lesson 2: a later non-root user cannot read /root
    numeric = subprocess.run(
        ["docker", "run", "--rm", "--user", "10001", PYTHON, "python3", "-c", "import os; print(os.getuid())"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert numeric.stdout.strip() == "10001", numeric.stderr


# -- busybox:latest ---------------------------------------------------------------------------
def test_busybox_netstat_names_processes():
    # `make defconfig` enables FEATURE_NETSTAT_PRG: the source article's `netstat -ltnp` works
    run = sh(BUSYBOX, "nc -l -p 4000 & sleep 1; netstat -ltnp")
    assert re.search(r":4000\s.*LISTEN\s+\d+/nc", run.stdout), run.stdout + run.stderr


def test_busybox_has_the_lessons_tools():
    run = sh(BUSYBOX, "for tool in ps netstat wget ls cat nslookup; do command -v $tool; done; ls -l /bin/ps")
    assert run.stdout.split()[:6] == [f"/bin/{t}" for t in ("ps", "netstat", "wget", "ls", "cat", "nslookup")]
    assert "->" not in run.stdout.splitlines()[-1]  # `busybox --install /bin`: links, not symlinks


def test_busybox_has_hundreds_of_tools_in_one_program():
    # lesson 10: "busybox, hundreds of small tools in one program" (404 applets in 1.37's defconfig)
    run = sh(
        BUSYBOX, "busybox --list | wc -l; ls -i /bin/ps /bin/wget /bin/busybox | awk '{print $1}' | sort -u | wc -l"
    )
    applets, programs = (int(word) for word in run.stdout.split())
    assert applets >= 200 and programs == 1, run.stdout + run.stderr


def test_busybox_configuration():
    cfg = config(BUSYBOX)
    assert cfg["Cmd"] == ["sh"] and not cfg.get("User") and not cfg.get("Entrypoint")
    run = sh(BUSYBOX, "id -u; grep -c '^nobody:' /etc/passwd; ls /usr/local 2>&1")
    assert run.stdout.splitlines()[:2] == ["0", "1"], run.stdout
