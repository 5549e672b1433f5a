"""`checks` on Podman, as a learner with Podman uses the course: the Docker CLI talking to Podman's
Docker-compatible API through DOCKER_HOST (scripts/podman-engine.sh provisions it; .ci/run sets
PODMAN_HOST to its socket).

The same Dockerfiles get the same verdicts as on Docker; where Podman differs the difference is
named: `docker build` needs DOCKER_BUILDKIT=0 (Podman has no BuildKit), Podman's Docker API leaves
an image's HEALTHCHECK out (checks asks Podman's own API), and Podman runs no health probe without
systemd. Without PODMAN_HOST these tests are skipped, unless REQUIRE_PODMAN=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import APP, ROOT, checks_process

PODMAN_HOST = os.environ.get("PODMAN_HOST", "")
pytestmark = [
    pytest.mark.docker,  # Docker answers the side-by-side verdicts
    pytest.mark.skipif(
        not PODMAN_HOST and os.environ.get("REQUIRE_PODMAN") != "1",
        reason="no Podman API (run scripts/podman-engine.sh, set PODMAN_HOST=unix://…)",
    ),
]
CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture
def podman(tmp_path):
    """The environment of a learner whose DOCKER_HOST is Podman; afterwards nothing of checks' is left there."""
    if not PODMAN_HOST:
        pytest.fail("REQUIRE_PODMAN=1 but PODMAN_HOST is not set: run scripts/podman-engine.sh")
    env = {"DOCKER_HOST": PODMAN_HOST, "DOCKER_CONTEXT": ""}
    yield env
    left = docker(env, "ps", "-aq", "--filter", "label=org.docker-lessons.checks.run").stdout.split()
    if left:
        docker(env, "rm", "-f", *left)
    assert not left, f"checks left {len(left)} container(s) on Podman"


def docker(env: dict, *args: str, check: bool = False, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout, check=check
    )


def reported(folder: Path, lesson: str, env: dict) -> dict[str, dict]:
    """`checks LESSON --json` in `folder` on the engine `env` names: check id -> what it reported."""
    process = checks_process(lesson, "--json", "--path", str(folder), env=env, timeout=900)
    return {c["id"]: c for c in json.loads(process.stdout)["checks"]}


def reported_with(folder: Path, lesson: str, env: dict, *args: str) -> dict[str, str]:
    """check id -> status of `checks LESSON --json ARGS`"""
    process = checks_process(lesson, "--json", "--path", str(folder), *args, env=env, timeout=900)
    return {c["id"]: c["status"] for c in json.loads(process.stdout)["checks"]}


def graded(folder: Path, lesson: str, env: dict) -> dict[str, str]:
    """check id -> status"""
    return {check: found["status"] for check, found in reported(folder, lesson, env).items()}


def case_workspace(folder: Path, dockerfile: Path) -> Path:
    """A workspace with this Dockerfile and, for a corpus case with a folder of its own, the learner's files."""
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copyfile(dockerfile, folder / "Dockerfile")
    if dockerfile.with_suffix("").is_dir():
        shutil.copytree(dockerfile.with_suffix(""), folder, dirs_exist_ok=True)
    return folder


def test_doctor_names_podman_and_what_docker_build_needs_there(podman, workspace):
    folder = workspace()
    without = checks_process("doctor", "--path", str(folder), env={**podman, "DOCKER_BUILDKIT": ""}, timeout=300)
    assert "✓ engine: Podman" in without.stdout
    assert "✗ docker build: fails" in without.stdout and "DOCKER_BUILDKIT=0" in without.stdout
    assert without.returncode == 1
    with_legacy = checks_process("doctor", "--path", str(folder), env={**podman, "DOCKER_BUILDKIT": "0"}, timeout=300)
    assert "✓ docker build: works, with Podman's own builder (Buildah)" in with_legacy.stdout
    assert with_legacy.returncode == 0, with_legacy.stdout


@pytest.mark.parametrize(
    "dockerfile",
    [
        ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile",
        CORPUS / "mistakes" / "068-cmd-script-no-path.Dockerfile",  # the engine's own words for a missing program
        CORPUS / "mistakes" / "082-crlf-script.Dockerfile",  # the kernel's: `#!/bin/sh\r` is no interpreter
    ],
    ids=lambda path: path.name if path.parent.name != "solution" else "lesson7-solution",
)
def test_a_dockerfile_gets_the_same_verdicts_on_podman_as_on_docker(podman, tmp_path, dockerfile):
    on_docker = graded(case_workspace(tmp_path / "on-docker", dockerfile), "lesson7", {})
    on_podman = graded(case_workspace(tmp_path / "on-podman", dockerfile), "lesson7", podman)
    assert on_podman == on_docker


def test_lessons_8_to_10_with_the_pages_commands_on_podman(podman, tmp_path):
    """The learner's own `docker build -t`, `docker run -p` and sidecar, typed as the pages say (DOCKER_BUILDKIT=0)."""
    folder = case_workspace(tmp_path / "together", ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile")
    learner = {**podman, "DOCKER_BUILDKIT": "0"}
    try:
        built = docker(learner, "build", str(folder), "-t", "together:0.0.1")
        assert built.returncode == 0, built.stderr[-800:]
        lesson8 = graded(folder, "lesson8", learner)
        assert {lesson8[c] for c in ("image-exists", "image-current", "image-size")} == {"passed"}, lesson8
        started = docker(learner, "run", "-d", "--name", "together", "-p", "127.0.0.1:4000:4000", "together:0.0.1")
        assert started.returncode == 0, started.stderr
        lesson9 = graded(folder, "lesson9", learner)
        assert not {c: s for c, s in lesson9.items() if s in ("failed", "error", "skipped")}, lesson9
        # the page's sidecar is an interactive shell (`-it … busybox sh`); one left running does as well here
        attach = ["--pid=container:together", "--net=container:together", "busybox", "sleep", "600"]
        assert docker(learner, "run", "-d", "--name", "sidecar", *attach).returncode == 0
        shown = docker(learner, "exec", "sidecar", "ps", "-o", "pid,args").stdout.splitlines()
        workers = [row.split()[0] for row in shown if "uwsgi" in row and row.split()[0] != "1"]
        assert workers, shown
        lesson10 = reported_with(folder, "lesson10", learner, "--answer", workers[0])
        assert not {c: s for c, s in lesson10.items() if s in ("failed", "error", "skipped")}, lesson10
    finally:
        docker(learner, "rm", "-f", "sidecar")  # first: Podman keeps a container others share namespaces with
        docker(learner, "rm", "-f", "together")
        docker(learner, "rmi", "together:0.0.1")


def test_lesson15_reads_the_healthcheck_podman_keeps_and_names_why_no_probe_runs(podman, tmp_path):
    folder = case_workspace(tmp_path / "together", ROOT / "lessons" / "lesson15" / "solution" / "Dockerfile")
    found = reported(folder, "lesson15", podman)
    assert found["healthcheck-in-image"]["status"] == "passed"  # from Podman's own API: its Docker API leaves it out
    assert found["deps-cached-after-code-change"]["status"] == "passed"  # Buildah's "--> Using cache" read
    if Path("/run/systemd/system").is_dir():  # Podman probes from systemd timers
        assert found["container-healthy"]["status"] == found["unhealthy-when-broken"]["status"] == "passed"
    else:
        assert found["container-healthy"]["status"] == "failed"
        assert "Podman runs HEALTHCHECK probes from systemd timers" in found["container-healthy"]["message"]
        assert "systemd=true" in found["container-healthy"]["hint"]
