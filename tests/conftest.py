"""Shared fixtures: learner workspaces and a real Docker engine.

Docker tests are marked `docker`. Without a reachable engine they are skipped, unless
REQUIRE_DOCKER=1 (set by .ci/run), which turns a missing engine into a failure. After every
Docker test, nothing labelled by `checks` may be left on the engine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `from support import …` from any test folder

import support  # noqa: E402
from support import APP, REQUIRE_DOCKER, SESSION_PREFIX  # noqa: E402

# what images answered (checks/facts.py) is kept for this session only, never in the developer's cache
FACTS = os.environ.setdefault("CHECKS_CACHE_DIR", tempfile.mkdtemp(prefix="checks-facts-"))


def pytest_sessionfinish(session):
    if Path(FACTS).name.startswith("checks-facts-"):
        shutil.rmtree(FACTS, ignore_errors=True)


# seconds spent per test module (setup, call and teardown), printed at the end: where a run's time goes
_MODULE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    module = report.nodeid.split("::", 1)[0]
    _MODULE_SECONDS[module] = _MODULE_SECONDS.get(module, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _MODULE_SECONDS:
        return
    total = sum(_MODULE_SECONDS.values())
    terminalreporter.section("time per test module (the slowest 25)")
    for module, seconds in sorted(_MODULE_SECONDS.items(), key=lambda pair: -pair[1])[:25]:
        terminalreporter.write_line(f"{seconds:8.1f} s {100 * seconds / total:5.1f} %  {module}")
    terminalreporter.write_line(f"{total:8.1f} s in all {len(_MODULE_SECONDS)} modules")


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


@pytest.fixture
def context(workspace):
    """Make a Context for a fresh workspace with this Dockerfile: `context("FROM …")`."""
    from checks.catalogue import load
    from checks.context import Context

    made = []

    def make(dockerfile: str) -> Context:
        made.append(Context(workspace(dockerfile, name=f"together{len(made)}"), load()))
        return made[-1]

    return make


@pytest.fixture
def built(context):
    """`context(…)` whose Contexts are cleaned up after the test (the images and containers their checks made)."""
    made = []

    def make(dockerfile: str):
        made.append(context(dockerfile))
        return made[-1]

    yield make
    for ctx in made:
        ctx.cleanup()


@pytest.fixture
def outcome(context):
    """Call one Dockerfile-only check on a Dockerfile: `outcome(lesson3.copy_present, "FROM …")`.

    Afterwards it asserts that the check never touched the engine, so these stay fast.
    """
    made = []

    def run(check, dockerfile: str):
        made.append(context(dockerfile))
        return check(made[-1])

    yield run
    for ctx in made:
        assert ctx._engine is None, "a Dockerfile-only check used the engine"


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
def _engine_for_catches(request):
    """support.catches lets a check use the engine only in a test marked `docker`."""
    support.ENGINE_ALLOWED = request.node.get_closest_marker("docker") is not None
    yield
    support.ENGINE_ALLOWED = False


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

    def ours(summary: dict) -> bool:  # only this session's: other sessions may be building right now
        return (summary.get("Labels") or {}).get(RUN_LABEL, "").startswith(SESSION_PREFIX)

    # the API's summaries, not containers.list()/images.list(), which inspect every item one by one
    # and fail with 404 when another session removes its own container or image in between
    def listed(ask):  # the containerd image store answers 404 ("content digest … not found") for an image
        for attempt in range(3):  # another session removes while the engine lists: ask again
            try:
                return ask()
            except docker.errors.NotFound:
                if attempt == 2:
                    raise
        return []

    left = [c for c in listed(lambda: client.api.containers(all=True, filters={"label": RUN_LABEL})) if ours(c)]
    images = [i for i in listed(lambda: client.api.images(filters={"label": RUN_LABEL})) if ours(i)]
    for container in left:
        with contextlib.suppress(Exception):
            client.api.remove_container(container["Id"], force=True, v=True)
    for image in images:
        with contextlib.suppress(Exception):
            client.api.remove_image(image["Id"], force=True)
    assert not left, f"checks left containers behind: {[c.get('Names') or c['Id'] for c in left]}"
    assert not images, f"checks left images behind: {[i.get('RepoTags') or i['Id'] for i in images]}"


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory):
    """The sdist and the wheel of this tree, built once per session with `python -m build`."""
    from support import build_dist

    return build_dist(tmp_path_factory.mktemp("dist"))
