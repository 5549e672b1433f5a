"""`checks doctor` on a real engine, and on the faults it must name."""

from __future__ import annotations

import json
import os
import socket

import pytest

from checks.doctor import crlf_files, engine_age_finding, port_free, version_tuple
from checks.engine import Engine
from support import checks_process, run_checks


@pytest.mark.docker
def test_doctor_on_a_ready_machine(workspace):
    run = run_checks("doctor", "--path", str(workspace()))
    assert "✓ engine: Docker Engine" in run.out or "✓ engine:" in run.out
    assert "✓ docker build: works, with BuildKit" in run.out and "base image" in run.out
    assert "✓ docker run -p: works: a container answered on its published port" in run.out, run.out
    assert "image store) via" in run.out, run.out
    assert "paste this block" in run.out and "engine_version:" in run.out and "endpoint:" in run.out
    # ready unless something else holds port 4000 or a script has CRLF
    assert run.code == 0, run.out


@pytest.mark.docker
def test_doctor_json(workspace):
    run = run_checks("doctor", "--json", "--path", str(workspace()))
    data = json.loads(run.out)
    assert data["ok"] is True and data["facts"]["engine"] in (
        "Docker Engine",
        "Docker Desktop",
        "rootless Docker",
        "Podman",
    )
    assert {f["name"] for f in data["findings"]} >= {"engine", "docker build", "base image", "line endings"}
    assert data["facts"]["buildkit"] is True


def test_doctor_without_an_engine_is_not_ready(workspace, tmp_path):
    process = checks_process("doctor", "--path", str(workspace()), env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert process.returncode == 1
    assert "✗ engine: Docker is not running" in process.stdout and "Not ready" in process.stdout
    assert "Traceback" not in process.stderr


def test_doctor_names_crlf_scripts(workspace, tmp_path):
    folder = workspace()
    script = folder / "bin" / "run_dev.sh"
    script.write_bytes(script.read_bytes().replace(b"\n", b"\r\n"))
    assert crlf_files(folder) == ["bin/run_dev.sh"]
    process = checks_process("doctor", "--path", str(folder), env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert "CRLF" in process.stdout and "bin/run_dev.sh" in process.stdout


def test_port_free_sees_a_listener():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert not port_free(port)
    assert port_free(port)


@pytest.mark.docker
def test_doctor_follows_docker_cli_contexts(tmp_path, workspace):
    """Docker Desktop is reached through a CLI context: doctor uses and names the current one."""
    import shutil
    import subprocess

    config = tmp_path / "docker-config"
    config.mkdir()
    env = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": ""}
    docker = shutil.which("docker")

    def cli(*args):
        subprocess.run([docker, *args], env={**os.environ, **env}, check=True, capture_output=True)

    cli("context", "create", "class-laptop", "--docker", "host=unix:///var/run/docker.sock")
    cli("context", "create", "broken", "--docker", f"host=unix://{tmp_path}/gone.sock")
    folder = workspace()
    cli("context", "use", "class-laptop")
    good = checks_process("doctor", "--path", str(folder), env=env)
    assert "via unix:///var/run/docker.sock (context class-laptop)" in good.stdout, good.stdout
    cli("context", "use", "broken")
    bad = checks_process("doctor", "--path", str(folder), env=env)
    assert bad.returncode == 1 and f"nothing answers at unix://{tmp_path}/gone.sock" in bad.stdout
    chosen = checks_process("doctor", "--path", str(folder), env={**env, "DOCKER_CONTEXT": "class-laptop"})
    assert chosen.returncode == 0 and "(context class-laptop)" in chosen.stdout


@pytest.mark.docker
def test_doctor_is_not_ready_when_docker_run_fails_although_build_works(workspace, tmp_path):
    """Seen in a workshop: `docker build` worked, `docker run -p` failed (the engine's bridge was gone).
    A `docker` on PATH that refuses `run` with the engine's words stands in for that engine."""
    import shutil

    real = shutil.which("docker")
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = run ]; then\n'
        "  echo 'docker: Error response from daemon: failed to set up container networking: "
        "Link not found (docker0).' >&2\n"
        "  exit 125\n"
        "fi\n"
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    process = checks_process("doctor", "--path", str(workspace()), env={"PATH": f"{fake.parent}:{os.environ['PATH']}"})
    assert "✓ docker build: works" in process.stdout, process.stdout
    assert "✗ docker run -p: a container with a published port does not start" in process.stdout, process.stdout
    assert "Link not found (docker0)" in process.stdout and "restart Docker" in process.stdout
    assert process.returncode == 1 and "Not ready" in process.stdout


@pytest.mark.docker
def test_doctor_names_the_image_store_the_engine_really_uses(workspace):
    data = json.loads(run_checks("doctor", "--json", "--path", str(workspace())).out)
    if data["facts"]["engine"] == "Podman":
        return
    store = data["facts"]["image_store"]
    driver = data["facts"]["storage_driver"]
    # the containerd image store shows as a snapshotter ("overlayfs"); the classic one as a graph driver ("overlay2")
    assert (store, driver) in (("containerd", "overlayfs"), ("classic", "overlay2"), ("classic", "fuse-overlayfs")), (
        data
    )
    expected = os.environ.get("DOCKER_LESSONS_STORE")  # set by .ci/run's phase on the containerd image store
    if expected:
        assert store == expected


def test_image_store_from_the_engine_s_driver_status():
    containerd = {"Driver": "overlayfs", "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}
    classic = {"Driver": "overlay2", "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]]}
    assert Engine.image_store(containerd) == "containerd"
    assert Engine.image_store(classic) == "classic"
    assert Engine.image_store({}) == "classic"


def test_an_engine_older_than_the_oldest_tested_is_named():
    assert version_tuple("28.5.2+dfsg4") == (28, 5) and version_tuple("20.10.24+dfsg1") == (20, 10)
    assert version_tuple("dev") is None
    old = engine_age_finding("Docker Engine", "19.03.15")
    assert old is not None and old.status == "warning" and "older than 20.10" in old.detail
    assert engine_age_finding("Docker Engine", "20.10.24+dfsg1") is None
    assert engine_age_finding("Docker Desktop", "29.1.0") is None
    assert engine_age_finding("Podman", "4.3.1") is None
