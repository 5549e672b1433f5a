"""The engine fixtures of the lessons whose tests drive the learner's own commands (lesson 7's things
to try, lessons 8–10, the last page's clean-up): the learner's workspace and image, built once per
session, and containers and images removed after the test (or the module) that made them.

The helpers they use are plain functions in tests/learner_engine.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from learner_engine import IMAGE, Containers, docker, image_id, make_workspace, sh, snippets


@pytest.fixture(scope="session")
def learner_workspace(tmp_path_factory) -> Path:
    """A workspace as the learner has it after lesson 7."""
    return make_workspace(tmp_path_factory.mktemp("learner") / "together")


@pytest.fixture(scope="session")
def learner_image(learner_workspace) -> Iterator[str]:
    """together:0.0.1, built once per session with lesson 8's `build` command; BuildKit's cache makes
    every later build of the same Dockerfile (by `checks` too) a cache hit. The tag is put back as it was."""
    before = image_id(IMAGE) or ""
    sh(snippets("lesson8")["build"], cwd=learner_workspace)
    built = image_id(IMAGE)
    yield IMAGE
    if image_id(IMAGE) is None:
        return
    if before and before != image_id(IMAGE):
        docker("tag", before, IMAGE, check=False)
        if built:
            docker("image", "rm", built, check=False)  # ours, and now nameless
    elif not before:
        docker("image", "rm", IMAGE, check=False)


@pytest.fixture
def containers() -> Iterator[Containers]:
    """Start containers as the learner does; every one is removed after the test, pass or fail."""
    started = Containers()
    yield started
    started.remove_all()


@pytest.fixture(scope="module")
def module_containers() -> Iterator[Containers]:
    """Containers that several tests of a module look at (each graded once); removed after the module."""
    started = Containers()
    yield started
    started.remove_all()


@pytest.fixture
def images() -> Iterator[list[str]]:
    """Images a test builds, removed afterwards."""
    ids: list[str] = []
    yield ids
    for image in ids:
        docker("image", "rm", "-f", image, check=False)
