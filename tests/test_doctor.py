"""`checks doctor` on a real engine, and on the faults it must name."""

from __future__ import annotations

import json
import os
import socket

import pytest

from checks.doctor import crlf_files, port_free
from support import checks_process, run_checks


@pytest.mark.docker
def test_doctor_on_a_ready_machine(workspace):
    run = run_checks("doctor", "--path", str(workspace()))
    assert "✓ engine: Docker Engine" in run.out or "✓ engine:" in run.out
    assert "✓ docker build: works, with BuildKit" in run.out and "base image" in run.out
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
