"""The built site on a phone and in dark mode, in Debian's chromium (see test_browser.py).

No page scrolls sideways at a phone's width (390 px) nor on a desktop: wide tables and terminal
samples scroll inside their own box. Every diagram is on its page, fits the screen, and is drawn in
the theme's text colour. Screenshots of the lessons with samples and diagrams, at desktop and phone
width, light and dark, go to test-artifacts/ (not committed)."""

from __future__ import annotations

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
SHOTS = ["lessons/lesson8/", "lessons/lesson9/", "lessons/lesson10/", "next/"]

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


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screenshots(browser, server, screen, scheme):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(**SCREENS[screen], color_scheme=scheme)
    try:
        page = context.new_page()
        for path in SHOTS:
            response = page.goto(server + path, wait_until="networkidle")
            assert response and response.status == 200, path
            name = path.strip("/").replace("/", "-")
            target = ARTIFACTS / f"{name}-{screen}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
    finally:
        context.close()
