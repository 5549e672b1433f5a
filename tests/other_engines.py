"""What the tests of `checks` on other engines than the system's Docker share (tests/test_podman.py,
tests/test_rootless.py): a learner's environment pointing DOCKER_HOST at that engine, gradings read
from `--json`, corpus workspaces, and lessons 8-10 typed as the pages type them.

(`from other_engines import …`: tests/conftest.py puts this folder on sys.path, as for support.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import APP, ROOT, checks_process

CORPUS = ROOT / "tests" / "corpus"
SOLUTION_7 = ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile"
NOT_PASSED = ("failed", "error", "skipped")


def needs(host: str, require: str, script: str) -> list:
    """The marks of a test module for another engine: it runs when `host` is set, fails without it under `require`=1."""
    skip = not host and os.environ.get(require) != "1"
    return [pytest.mark.docker, pytest.mark.skipif(skip, reason=f"no such engine here (run {script}, set its host)")]


def learner_on(host: str, engine: str, script: str) -> Iterator[dict]:
    """The environment of a learner whose DOCKER_HOST is `host` (for a fixture to yield); afterwards nothing
    labelled by checks may be left on that engine."""
    if not host:
        pytest.fail(f"{engine} is required but its host is not set: run {script}")
    env = {"DOCKER_HOST": host, "DOCKER_CONTEXT": ""}
    yield env
    left = docker(env, "ps", "-aq", "--filter", "label=org.docker-lessons.checks.run").stdout.split()
    if left:
        docker(env, "rm", "-f", *left)
    assert not left, f"checks left {len(left)} container(s) on {engine}"


def docker(env: dict, *args: str) -> subprocess.CompletedProcess:
    """The learner's `docker` command, on the engine `env` names."""
    return subprocess.run(["docker", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=600)


def reported(folder: Path, lesson: str, env: dict, *args: str) -> dict[str, dict]:
    """`checks LESSON --json ARGS` in `folder` on the engine `env` names: check id -> what it reported."""
    process = checks_process(lesson, "--json", "--path", str(folder), *args, env=env, timeout=900)
    return {c["id"]: c for c in json.loads(process.stdout)["checks"]}


def graded(folder: Path, lesson: str, env: dict, *args: str) -> dict[str, str]:
    """check id -> status"""
    return {check: found["status"] for check, found in reported(folder, lesson, env, *args).items()}


def not_passed(verdicts: dict[str, str]) -> dict[str, str]:
    return {check: status for check, status in verdicts.items() if status in NOT_PASSED}


def case_workspace(folder: Path, dockerfile: Path) -> Path:
    """A workspace with this Dockerfile and, for a corpus case with a folder of its own, the learner's files."""
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copyfile(dockerfile, folder / "Dockerfile")
    if dockerfile.with_suffix("").is_dir():
        shutil.copytree(dockerfile.with_suffix(""), folder, dirs_exist_ok=True)
    return folder


def lessons_8_to_10_as_the_pages_type_them(learner: dict, folder: Path) -> None:
    """`docker build -t`, `docker run -p` and a sidecar, as the pages say, each lesson graded after its step.

    The page's sidecar is an interactive shell (`-it … busybox sh`); one left running does as well here."""
    try:
        built = docker(learner, "build", str(folder), "-t", "together:0.0.1")
        assert built.returncode == 0, built.stderr[-800:]
        lesson8 = not_passed(graded(folder, "lesson8", learner))
        assert not lesson8, lesson8
        started = docker(learner, "run", "-d", "--name", "together", "-p", "127.0.0.1:4000:4000", "together:0.0.1")
        assert started.returncode == 0, started.stderr
        lesson9 = not_passed(graded(folder, "lesson9", learner))
        assert not lesson9, lesson9
        attach = ["--pid=container:together", "--net=container:together", "busybox", "sleep", "600"]
        assert docker(learner, "run", "-d", "--name", "sidecar", *attach).returncode == 0
        shown = docker(learner, "exec", "sidecar", "ps", "-o", "pid,args").stdout.splitlines()
        workers = [row.split()[0] for row in shown if "uwsgi" in row and row.split()[0] != "1"]
        assert workers, shown
        lesson10 = not_passed(graded(folder, "lesson10", learner, "--answer", workers[0]))
        assert not lesson10, (lesson10, shown)
    finally:
        docker(learner, "rm", "-f", "sidecar")  # first: Podman keeps a container others share namespaces with
        docker(learner, "rm", "-f", "together")
        docker(learner, "rmi", "together:0.0.1")
