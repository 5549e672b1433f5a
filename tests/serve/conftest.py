"""`checks serve` as a learner runs it: the real console script in a workspace, on the site built once
per session with `mkdocs build --strict`, and Debian's chromium to open its pages.

(`from serving import …`: the helpers are in serving.py; this folder is put on sys.path here.)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import CHROMIUM, CHROMIUM_ARGS, Served, build_site, start_serve  # noqa: E402


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("serve-site") / "site")


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> Path:
    """The site as the wheel carries it (checks/_site): built for file://, pages named lessons/lesson1.html."""
    return build_site(tmp_path_factory.mktemp("serve-offline") / "site", offline=True)


@pytest.fixture
def serve(site) -> Iterator:
    """serve(workspace, *arguments) starts `checks serve` there; it is stopped with Ctrl-C afterwards."""
    started: list[Served] = []

    def start(workspace: Path, *arguments: str) -> Served:
        started.append(start_serve(workspace, site, *arguments))
        return started[-1]

    yield start
    for served in started:
        served.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # a DNS rebinding: a name of the attacker's that resolves to this machine
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebound.test 127.0.0.1"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookie) and page; console errors and page errors are collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()
