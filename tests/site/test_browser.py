"""The built site in a real browser: Debian's chromium, headless, driven by Playwright.

Every page loads with no console error and no failed request, and asks nothing of any host but the
local server (a classroom may have no internet); the navigation reaches every lesson; search finds
a lesson by a word of its body; code blocks have copy buttons; every internal link and anchor
resolves. Screenshots of the home page and lesson 1 go to test-artifacts/ (not committed).
The `browser` and `server` fixtures are in conftest.py (test_phone.py uses them too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from browsing import ARTIFACTS, CHROMIUM, page_urls
from checks.catalogue import load

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load()

pytestmark = pytest.mark.browser

if not CHROMIUM.exists() and os.environ.get("REQUIRE_BROWSER") != "1":
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(
            reason=f"{CHROMIUM} is missing: `apt-get install chromium` (set REQUIRE_BROWSER=1 to make this a failure)"
        ),
    ]


@dataclass
class Visit:
    """What happened while one page loaded, and what it contains."""

    url: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


def watch(page, visit: Visit, origin: str):
    def on_response(response):
        if response.status >= 400:
            visit.failed.append(f"{response.status} {response.url}")

    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("requestfailed", lambda request: visit.failed.append(f"{request.failure} {request.url}"))
    page.on("response", on_response)
    page.on("console", lambda message: message.type == "error" and visit.errors.append(message.text))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))


def outside(url: str, origin: str) -> bool:
    """A request to anything but the local server (data: and blob: URLs never leave the page)."""
    scheme = urlparse(url).scheme
    if scheme in ("data", "blob", "about"):
        return False
    return not url.startswith(origin)


@pytest.fixture(scope="module")
def visits(browser, server, built_site) -> dict[str, Visit]:
    """Every page of the site, loaded once in a fresh tab, with everything it requested."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    result = {}
    try:
        for url in page_urls(built_site.site, server):
            visit = Visit(url)
            page = context.new_page()
            watch(page, visit, server)
            response = page.goto(url, wait_until="networkidle")
            visit.status = response.status if response else None
            visit.links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            visit.ids = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
            if url == server:
                screenshot(page, "site-home.png")
            elif url.endswith(CATALOGUE.lessons[0].page.removesuffix(".md") + "/"):
                screenshot(page, "site-lesson1.png")
            page.close()
            result[url] = visit
    finally:
        context.close()
    return result


def screenshot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_every_page_loads_cleanly_and_stays_local(visits, server):
    assert len(visits) >= 4 + 1, list(visits)  # home, three guides, at least one lesson
    problems = []
    for url, visit in visits.items():
        if visit.status != 200:
            problems.append(f"{url}: HTTP {visit.status}")
        problems += [f"{url}: console error: {text}" for text in visit.errors]
        problems += [f"{url}: failed request: {text}" for text in visit.failed]
        problems += [
            f"{url}: request outside the site: {request}" for request in visit.requests if outside(request, server)
        ]
        assert any(request.endswith(".js") for request in visit.requests), f"{url}: no script loaded"
    assert not problems, "\n".join(problems)


def test_internal_links_and_anchors_resolve(visits, server):
    broken = []
    for url, visit in visits.items():
        for link in visit.links:
            if not link.startswith(server):
                continue  # links to other sites are for the reader to follow, never fetched
            target, fragment = urldefrag(link)
            if target.endswith((".json", ".xml", ".gz", ".txt", ".png", ".svg", ".ico")):
                continue
            if target not in visits:
                broken.append(f"{url}: link to {link}: no such page")
            elif fragment and fragment not in visits[target].ids:
                broken.append(f"{url}: link to {link}: no element with id {fragment!r}")
    assert not broken, "\n".join(broken)


def test_navigation_reaches_every_lesson(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(server, wait_until="networkidle")
        for lesson in CATALOGUE.lessons:
            if not (ROOT / "docs" / lesson.page).is_file():
                pytest.fail(f"{lesson.id}: {lesson.page} does not exist, so no navigation reaches it")
            link = page.locator("nav.md-nav--primary a.md-nav__link", has_text=f"{lesson.number}. {lesson.title}")
            assert link.count() >= 1, f"{lesson.id} is not in the navigation"
            link.first.click()
            page.wait_for_load_state("networkidle")
            assert page.url == urljoin(server, lesson.page.removesuffix(".md") + "/"), page.url
            heading = page.locator("article h1").first.inner_text()
            assert lesson.title in heading, heading
    finally:
        page.close()


def test_search_finds_a_lesson_by_a_word_in_its_body(browser, server):
    lesson = CATALOGUE.lessons[0]
    word = "musl"  # said only in lesson 1's body (the Alpine variant), in no title
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(server, wait_until="networkidle")
        page.locator("input.md-search__input").click()
        page.keyboard.type(word, delay=30)  # typed key by key, as the search box listens to keys
        results = page.locator(".md-search-result__item a, a.md-search-result__link")
        results.first.wait_for(timeout=15000)
        hrefs = results.evaluate_all("links => links.map(a => a.href)")
        expected = urljoin(server, lesson.page.removesuffix(".md") + "/")
        assert any(href.startswith(expected) for href in hrefs), hrefs
    finally:
        page.close()


def test_code_blocks_have_copy_buttons(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(urljoin(server, CATALOGUE.lessons[0].page.removesuffix(".md") + "/"), wait_until="networkidle")
        blocks = page.locator("article pre > code")
        assert blocks.count() >= 3
        missing = page.eval_on_selector_all(
            "article pre",
            "pres => pres.filter(pre => !pre.querySelector('button[data-md-type=copy], button.md-clipboard'))"
            ".map(pre => pre.innerText.slice(0, 60))",
        )
        assert not missing, f"code blocks without a copy button: {missing}"
        # and it copies: the clipboard gets the block's text
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
        first = page.locator("article pre").first
        first.hover()
        first.locator("button[data-md-type=copy], button.md-clipboard").first.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.strip() and copied.strip() in first.locator("code").inner_text()
    finally:
        page.close()


def test_a_phone_reaches_a_lesson_through_the_menu(browser, server):
    """On a narrow screen the navigation folds into a drawer; the lessons are still one tap away."""
    lesson = CATALOGUE.lessons[-1]
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(server, wait_until="networkidle")
        page.locator("label.md-header__button[for=__drawer]").click()
        link = page.locator("nav.md-nav--primary a.md-nav__link", has_text=f"{lesson.number}. {lesson.title}").first
        if not link.is_visible():  # on a phone a section is a level of its own: tap "Lessons" first
            page.locator("nav.md-nav--primary label.md-nav__link", has_text="Lessons").first.click()
        link.wait_for(state="visible")
        link.click()
        page.wait_for_load_state("networkidle")
        assert page.url == urljoin(server, lesson.page.removesuffix(".md") + "/"), page.url
    finally:
        page.close()
