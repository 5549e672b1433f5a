"""`checks` on rootless Docker: an engine run by an ordinary user (Docker's dockerd-rootless.sh),
reached through DOCKER_HOST (scripts/rootless-engine.sh provisions it; .ci/run sets ROOTLESS_HOST).

The course's last solution passes every check of lessons 1-15 there, the learner's own commands of
lessons 8-10 work as the pages type them, and a mistake is named as on the system's Docker. Without
ROOTLESS_HOST these tests are skipped, unless REQUIRE_ROOTLESS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import APP, ROOT, checks_process

ROOTLESS_HOST = os.environ.get("ROOTLESS_HOST", "")
pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(
        not ROOTLESS_HOST and os.environ.get("REQUIRE_ROOTLESS") != "1",
        reason="no rootless Docker (run scripts/rootless-engine.sh, set ROOTLESS_HOST=unix://…)",
    ),
]


@pytest.fixture
def rootless():
    """The environment of a learner whose DOCKER_HOST is rootless Docker; afterwards nothing of checks' is left."""
    if not ROOTLESS_HOST:
        pytest.fail("REQUIRE_ROOTLESS=1 but ROOTLESS_HOST is not set: run scripts/rootless-engine.sh")
    env = {"DOCKER_HOST": ROOTLESS_HOST, "DOCKER_CONTEXT": ""}
    yield env
    left = docker(env, "ps", "-aq", "--filter", "label=org.docker-lessons.checks.run").stdout.split()
    if left:
        docker(env, "rm", "-f", *left)
    assert not left, f"checks left {len(left)} container(s) on rootless Docker"


def docker(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=600)


def workspace_with(folder: Path, dockerfile: Path) -> Path:
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copyfile(dockerfile, folder / "Dockerfile")
    if dockerfile.with_suffix("").is_dir():  # a corpus case's own files
        shutil.copytree(dockerfile.with_suffix(""), folder, dirs_exist_ok=True)
    return folder


def graded(folder: Path, lesson: str, env: dict, *args: str) -> dict[str, str]:
    process = checks_process(lesson, "--json", "--path", str(folder), *args, env=env, timeout=900)
    return {c["id"]: c["status"] for c in json.loads(process.stdout)["checks"]}


def bad(verdicts: dict[str, str]) -> dict[str, str]:
    return {check: status for check, status in verdicts.items() if status in ("failed", "error", "skipped")}


def test_doctor_names_rootless_docker(rootless, workspace):
    process = checks_process("doctor", "--path", str(workspace()), env=rootless, timeout=300)
    assert "✓ engine: rootless Docker" in process.stdout
    assert "✓ docker build: works, with BuildKit" in process.stdout
    assert process.returncode == 0, process.stdout


def test_the_last_solution_passes_every_check_on_rootless_docker(rootless, tmp_path):
    folder = workspace_with(tmp_path / "together", ROOT / "lessons" / "lesson15" / "solution" / "Dockerfile")
    verdicts = graded(folder, "lesson15", rootless)
    assert len(verdicts) > 70 and not bad(verdicts), bad(verdicts)


def test_a_mistake_is_named_as_on_the_system_docker(rootless, tmp_path):
    crlf = ROOT / "tests" / "corpus" / "mistakes" / "082-crlf-script.Dockerfile"
    on_docker = graded(workspace_with(tmp_path / "on-docker", crlf), "lesson7", {})
    on_rootless = graded(workspace_with(tmp_path / "on-rootless", crlf), "lesson7", rootless)
    assert on_rootless == on_docker and on_docker["script-line-endings"] == "failed"


def test_lessons_8_to_10_with_the_pages_commands_on_rootless_docker(rootless, tmp_path):
    folder = workspace_with(tmp_path / "together", ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile")
    try:
        assert docker(rootless, "build", str(folder), "-t", "together:0.0.1").returncode == 0
        assert not bad(graded(folder, "lesson8", rootless))
        started = docker(rootless, "run", "-d", "--name", "together", "-p", "127.0.0.1:4000:4000", "together:0.0.1")
        assert started.returncode == 0, started.stderr
        assert not bad(graded(folder, "lesson9", rootless))
        attach = ["--pid=container:together", "--net=container:together", "busybox", "sleep", "600"]
        assert docker(rootless, "run", "-d", "--name", "sidecar", *attach).returncode == 0
        shown = docker(rootless, "exec", "sidecar", "ps", "-o", "pid,args").stdout.splitlines()
        workers = [row.split()[0] for row in shown if "uwsgi" in row and row.split()[0] != "1"]
        assert workers, shown
        assert not bad(graded(folder, "lesson10", rootless, "--answer", workers[0]))
    finally:
        docker(rootless, "rm", "-f", "sidecar", "together")
        docker(rootless, "rmi", "together:0.0.1")
