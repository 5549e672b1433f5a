"""The built site on a phone and in dark mode, in Debian's chromium (see test_browser.py).

No page scrolls sideways at a phone's width (390 px) nor on a desktop, and no element's content is
clipped: code blocks (terminal samples and commands) wrap, tables fit the column, diagrams scale
with it, so nothing needs scrolling sideways to be read; copying a wrapped block gives its lines
unchanged. Every diagram is on its page, fits the screen, and is drawn in the theme's text colour.
Screenshots of every page, at desktop and phone width, light and dark, go to
test-artifacts/screenshots/ (not committed), for a person to look at before a release: `make screenshots`
(SCREENSHOTS=1) takes them; the test run leaves them out (two minutes of CI, for pictures no test reads)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browsing import ARTIFACTS, CHROMIUM, page_urls

ROOT = Path(__file__).resolve().parents[2]
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}

pytestmark = pytest.mark.browser
if not CHROMIUM.exists():
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"{CHROMIUM} is missing")]


def pages_with_diagrams() -> dict[str, list[str]]:
    """{page URL path: [diagram names]} from the pages' own includes."""
    found: dict[str, list[str]] = {}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        names = [
            line.split("docs/diagrams/")[1].split(".svg")[0]
            for line in page.read_text(encoding="utf-8").splitlines()
            if '--8<-- "docs/diagrams/' in line
        ]
        if names:
            found[page.relative_to(ROOT / "docs").with_suffix("").as_posix() + "/"] = names
    return found


OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('article *')].filter(element => {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) return false;
        // inside a box that scrolls by itself (a code block, a table's wrapper): fine
        for (let up = element.parentElement; up; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (['auto', 'scroll'].includes(style.overflowX) && up.getBoundingClientRect().right <= width + 1) return false;
        }
        return true;
    });
    return {scroll: document.documentElement.scrollWidth, width,
            wide: wide.slice(0, 5).map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 60))};
}"""


@pytest.mark.parametrize("screen", SCREENS)
def test_no_page_scrolls_sideways(browser, server, built_site, screen):
    context = browser.new_context(**SCREENS[screen])
    problems = []
    try:
        page = context.new_page()
        for url in page_urls(built_site.site, server):
            page.goto(url, wait_until="networkidle")
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["width"] + 1 or found["wide"]:
                problems.append(f"{url}: {found}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# what must show its whole content without scrolling: code blocks, tables, figures and their
# diagrams, tab labels and panels, folded blocks and notes
CLIPPED = """() => {
    const width = document.documentElement.clientWidth;
    const selector = ['pre > code', 'table', '.md-typeset__table', '.md-typeset__scrollwrap', 'figure', 'figure svg',
                      '.tabbed-labels', '.tabbed-content', 'details', '.admonition'].map(s => 'article ' + s).join(', ');
    const found = [];
    for (const element of document.querySelectorAll(selector)) {
        const box = element.getBoundingClientRect();
        if (box.width === 0) continue;  // in a closed <details>: checked when open (see below)
        const hidden = element.scrollWidth - element.clientWidth;
        if (hidden > 1 || box.left < -1 || box.right > width + 1) {
            found.push(`${element.tagName.toLowerCase()}.${element.className}: ${hidden} px hidden, ` +
                       `${Math.round(box.left)}..${Math.round(box.right)} of ${width}: ` +
                       (element.textContent || '').trim().slice(0, 60));
        }
    }
    return found;
}"""

# Copying a code block (Material's button copies its innerText) gives its lines, however they wrap.
COPIED = """() => [...document.querySelectorAll('article pre > code')].filter(code => code.offsetWidth > 0).map(code =>
    ({copied: code.innerText.replace(/\\n$/, ''), lines: [...code.querySelectorAll('.code-line')].map(l => l.textContent)}))"""


@pytest.mark.parametrize("screen", SCREENS)
def test_no_content_is_clipped(browser, server, built_site, screen):
    context = browser.new_context(**SCREENS[screen])
    problems = []
    wrapped = 0
    try:
        page = context.new_page()
        for url in page_urls(built_site.site, server):
            page.goto(url, wait_until="networkidle")
            # open every folded block (mistakes, hints, solutions), as a reader would
            page.evaluate("() => document.querySelectorAll('article details').forEach(d => d.open = true)")
            problems += [f"{url}: {found}" for found in page.evaluate(CLIPPED)]
            for block in page.evaluate(COPIED):
                assert block["lines"], (url, block["copied"][:80])  # every block is laid out line by line
                assert block["copied"] == "\n".join(block["lines"]), (url, block["copied"][:200])
            wrapped += page.evaluate(
                "() => [...document.querySelectorAll('article .code-line')].filter(l => l.getClientRects()[0]"
                " && l.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(l).lineHeight)).length"
            )
    finally:
        context.close()
    assert not problems, "\n".join(problems[:30])
    assert wrapped > 0, "no line wrapped at all: the test would not notice code that scrolls"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
def test_every_diagram_is_on_its_page_fits_and_follows_the_theme(browser, server, screen, scheme):
    context = browser.new_context(**SCREENS[screen], color_scheme=scheme)
    try:
        page = context.new_page()
        for path, names in pages_with_diagrams().items():
            page.goto(server + path, wait_until="networkidle")
            diagrams = page.locator("article figure.diagram svg")
            assert diagrams.count() == len(names), (path, names)
            for index in range(diagrams.count()):
                diagram = diagrams.nth(index)
                diagram.scroll_into_view_if_needed()
                box = diagram.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100, (path, box)
                # the figure stays on the screen (a diagram wider than a phone scrolls inside it)
                figure = diagram.locator("xpath=..").bounding_box()
                assert figure["x"] >= 0 and figure["x"] + figure["width"] <= SCREENS[screen]["viewport"]["width"] + 1, (
                    path,
                    figure,
                )
                # and its text is big enough to read: at least 10 CSS pixels high, on a phone too
                height = diagram.locator("text").first.evaluate("t => t.getBoundingClientRect().height")
                assert height >= 10, (path, screen, height)
                # the text is drawn in the page's text colour: dark on light, light on dark
                fill = diagram.locator("text").first.evaluate("t => getComputedStyle(t).fill")
                text = page.evaluate("() => getComputedStyle(document.querySelector('article p')).color")
                assert fill == text, (path, fill, text)
                channels = [int(part) for part in fill[fill.index("(") + 1 :].rstrip(")").split(",")[:3]]
                assert (sum(channels) / 3 > 128) == (scheme == "dark"), (path, scheme, fill)
    finally:
        context.close()


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="pictures for a person: `make screenshots`")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screenshots(browser, server, built_site, screen, scheme):
    """Every page, whole, with its folded blocks closed as a reader first sees it, for a person to check."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(**SCREENS[screen], color_scheme=scheme)
    try:
        page = context.new_page()
        for url in page_urls(built_site.site, server):
            response = page.goto(url, wait_until="networkidle")
            assert response and response.status == 200, url
            name = url.removeprefix(server).strip("/").replace("/", "-") or "home"
            target = folder / f"{name}-{screen}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000, target
    finally:
        context.close()
