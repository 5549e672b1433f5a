"""The copy of the site that the wheel carries, opened from the file system in Debian's chromium.

A learner who installed `checks` follows a `docs:` link: a file:// page with an anchor. It must
render, ask nothing of any other host, scroll to its anchor, link to the other pages as files, and
its search must work (browsers refuse Web Workers on file://; the vendored iframe-worker shim
stands in).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from checks.catalogue import load
from support import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser
if not CHROMIUM.exists() and os.environ.get("REQUIRE_BROWSER") != "1":
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(
            reason=f"{CHROMIUM} is missing: `apt-get install chromium` (set REQUIRE_BROWSER=1 to make this a failure)"
        ),
    ]


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    """Built as setup.py builds it into the wheel."""
    site = tmp_path_factory.mktemp("offline") / "site"
    env = {**os.environ, "OFFLINE": "true", "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return site


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = chromium.new_page(viewport={"width": 1280, "height": 900})
        yield tab
        chromium.close()


def test_a_docs_link_opens_from_the_file_system_with_its_anchor_and_search(offline_site, page, monkeypatch):
    monkeypatch.setenv("CHECKS_DOCS_URL", offline_site.as_uri())
    lesson = load().lessons[0]
    check = next(info for info in lesson.checks if info.section)
    link = lesson.docs_link(check)  # what `checks lesson1` prints for this check
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: errors.append(f"{request.failure} {request.url}"))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link, wait_until="load")
    assert not errors, errors
    assert all(url.startswith(("file:", "data:", "blob:", "about:")) for url in requests), requests
    assert lesson.title in page.locator("article h1").first.inner_text()
    # the theme's stylesheet applied: the header is a coloured bar, not unstyled text
    assert page.locator("header.md-header").evaluate("e => getComputedStyle(e).position") in ("sticky", "fixed")
    anchor = page.locator(f"[id='{check.section}']")
    assert anchor.count() == 1
    anchor.wait_for()
    assert page.evaluate("() => window.scrollY") > 0, "the page did not scroll to its anchor"
    # the navigation links to the other pages as files
    hrefs = page.eval_on_selector_all("nav.md-nav--primary a[href]", "links => links.map(a => a.href)")
    assert any(href.endswith("lessons/lesson2.html") for href in hrefs), hrefs
    # search, from file://
    page.locator("input.md-search__input").click()
    page.keyboard.type("musl", delay=30)  # said only in lesson 1's body
    results = page.locator(".md-search-result__item a, a.md-search-result__link")
    results.first.wait_for(timeout=15000)
    found = results.evaluate_all("links => links.map(a => a.href)")
    assert any("lessons/lesson1.html" in href for href in found), found
    assert not errors, errors


def test_the_404_page_links_within_the_copy(offline_site, page):
    """404.html opened from the file system: its stylesheet, scripts and links are files of the copy."""
    errors = []
    page.on("requestfailed", lambda request: errors.append(f"{request.failure} {request.url}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((offline_site / "404.html").as_uri(), wait_until="load")
    assert not errors, errors
    assert page.locator("header.md-header").evaluate("e => getComputedStyle(e).position") in ("sticky", "fixed")
    targets = page.eval_on_selector_all("a[href], link[href], script[src]", "nodes => nodes.map(n => n.href || n.src)")
    local = [target for target in targets if target.startswith("file:")]
    assert any(target.endswith("/lessons/lesson1.html") for target in local), local
    for target in local:
        path = Path(unquote(urlsplit(target).path))
        assert path.is_relative_to(offline_site) and path.exists(), target
