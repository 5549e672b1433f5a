"""The site builds with `mkdocs build --strict` and no warning, from the lesson data and tested files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checks.catalogue import load

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load()


class Ids(HTMLParser):
    """Every id= in a page: the anchors a link can point to."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)


def ids_of(path: Path) -> set[str]:
    parser = Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids


def page_html(site: Path, page: str) -> Path:
    return site / page.removesuffix(".md").removesuffix("index") / "index.html"


def test_strict_build_passes_without_warnings(built_site):
    assert built_site.code == 0, built_site.log
    warnings = [line for line in built_site.log.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert not warnings, "\n".join(warnings)


@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.id) for lesson in CATALOGUE.lessons])
def test_every_check_section_is_an_anchor_of_its_page(built_site, lesson):
    assert built_site.code == 0, built_site.log
    html = page_html(built_site.site, lesson.page)
    assert html.is_file(), f"{lesson.page} was not built"
    anchors = ids_of(html)
    for check in lesson.checks:
        if check.section:
            assert check.section in anchors, (
                f"{lesson.id}: check {check.id} links to #{check.section}, which {lesson.page} has no heading for"
            )


@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.id) for lesson in CATALOGUE.lessons])
def test_lesson_page_shows_its_metadata(built_site, lesson):
    """The hook put the lesson's goal, every check title and every hint on the page."""
    text = page_html(built_site.site, lesson.page).read_text(encoding="utf-8")
    import html as html_module

    plain = html_module.unescape(re.sub(r"<[^>]+>", "", text))

    def rendered(markdown: str) -> str:  # `code` is shown without its backticks
        return re.sub(r"`([^`]*)`", r"\1", markdown)

    assert rendered(lesson.goal) in plain
    for check in lesson.checks:
        assert rendered(check.title) in plain, check.id


def test_no_page_refers_to_another_host(built_site):
    """Nothing is fetched from the internet: no src= or stylesheet href= to another host."""
    outside = []
    for page in built_site.site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(
            r'<(script|img|link|iframe|source|video|audio)\b[^>]*?(?:src|href)="(https?:)?//[^"]+"', text
        ):
            tag = match.group(0)
            if match.group(1) == "link" and re.search(r'rel="(canonical|alternate)"', tag):
                continue
            outside.append(f"{page.relative_to(built_site.site)}: {tag}")
    assert not outside, "\n".join(outside)
