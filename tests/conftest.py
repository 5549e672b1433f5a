"""Shared fixtures: learner workspaces, running `checks`, and a real Docker engine.

Docker tests are marked `docker`. Without a reachable engine they are skipped, unless
REQUIRE_DOCKER=1 (set by .ci/run), which turns a missing engine into a failure. After every
Docker test, nothing labelled by `checks` may be left on the engine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
APP = LESSONS / "together"
REQUIRE_DOCKER = os.environ.get("REQUIRE_DOCKER") == "1"

sys.path.insert(0, str(ROOT))
# what `checks` creates during this session carries this prefix in its run label (see Engine)
SESSION_PREFIX = f"t{os.getpid()}-"
os.environ["CHECKS_RUN_PREFIX"] = SESSION_PREFIX


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def status(self, check_id: str) -> str:
        """The status of one check in a --json run."""
        for item in self.json["checks"]:
            if item["id"] == check_id:
                return item["status"]
        raise AssertionError(f"no check {check_id} in {[c['id'] for c in self.json['checks']]}")

    def check(self, check_id: str) -> dict:
        return next(item for item in self.json["checks"] if item["id"] == check_id)


def run_checks(*args: str, cwd: Path | None = None) -> Run:
    """Run `checks ARGS` in this process (fast) and capture what it prints and returns."""
    from checks.cli import run

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(list(args))
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def checks_process(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 900,
                   input: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed `checks` console script as a learner would."""
    executable = shutil.which("checks", path=str(Path(sys.executable).parent)) or shutil.which("checks")
    assert executable, "the checks console script is not installed (pip install -e .)"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([executable, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout, input=input)


@pytest.fixture
def workspace(tmp_path):
    """A fresh learner workspace (the sample app, no Dockerfile); call it with Dockerfile text to add one."""

    def make(dockerfile: str | None = None, name: str = "together") -> Path:
        folder = tmp_path / name
        shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        if dockerfile is not None:
            (folder / "Dockerfile").write_text(dockerfile, encoding="utf-8")
        return folder

    return make


def solution(lesson_id: str) -> Path:
    from checks.catalogue import load

    return load().get(lesson_id).solution_path


def engine_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=10).ping()
        return True
    except Exception:
        return False


_ENGINE = None


def pytest_collection_modifyitems(config, items):
    global _ENGINE
    if not any(item.get_closest_marker("docker") for item in items):
        return
    _ENGINE = engine_available()
    if _ENGINE or REQUIRE_DOCKER:
        return
    skip = pytest.mark.skip(reason="no Docker engine reachable (set REQUIRE_DOCKER=1 to make this a failure)")
    for item in items:
        if item.get_closest_marker("docker"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _docker_hygiene(request):
    """Docker tests need the engine (or fail under REQUIRE_DOCKER=1) and must leave nothing of ours behind."""
    if not request.node.get_closest_marker("docker"):
        yield
        return
    if not _ENGINE:
        pytest.fail("REQUIRE_DOCKER=1 but no Docker engine is reachable: run scripts/docker-engine.sh")
    import docker

    client = docker.from_env(timeout=60)
    yield
    from checks.engine import RUN_LABEL

    def ours(thing) -> bool:  # only this session's: other sessions may be building right now
        return (thing.labels or {}).get(RUN_LABEL, "").startswith(SESSION_PREFIX)

    left = [c for c in client.containers.list(all=True, filters={"label": RUN_LABEL}) if ours(c)]
    images = [i for i in client.images.list(filters={"label": RUN_LABEL}) if ours(i)]
    for container in left:
        container.remove(force=True)
    for image in images:
        with contextlib.suppress(Exception):
            client.images.remove(image.id, force=True)
    assert not left, f"checks left containers behind: {[c.name for c in left]}"
    assert not images, f"checks left images behind: {[i.tags or i.id for i in images]}"
