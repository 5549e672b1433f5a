"""The pages' diagrams: each SVG in docs/diagrams/ is rendered from its current Graphviz source, a
page includes it, and it takes the theme's colours (no fixed black, no fixed size)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts import render_diagrams  # noqa: E402

SOURCES = sorted((ROOT / "docs" / "diagrams").glob("*.dot"))


def test_there_are_the_three_diagrams_of_the_lessons():
    assert [source.stem for source in SOURCES] == ["layers", "namespaces", "port"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_svg_is_rendered_from_its_current_source(source):
    assert render_diagrams.main(["--check"]) == 0, "run `python scripts/render_diagrams.py` and commit the SVGs"
    assert render_diagrams.recorded_digest(source.with_suffix(".svg")) == render_diagrams.source_digest(source)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing: apt-get install graphviz")
@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_rendering_again_gives_the_same_diagram(source):
    # coordinates depend on the fonts of the machine; what the diagram says does not
    texts = lambda svg: re.findall(r"<text[^>]*>(.*?)</text>", svg)  # noqa: E731
    committed = source.with_suffix(".svg").read_text(encoding="utf-8")
    assert texts(render_diagrams.render(source)) == texts(committed)


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_svg_follows_the_theme_and_the_screen_width(source):
    svg = source.with_suffix(".svg").read_text(encoding="utf-8")
    assert svg.startswith('<svg class="diagram" role="img" aria-label="'), svg[:200]
    opening = svg[: svg.index(">")]
    assert "viewBox=" in opening and " width=" not in opening and " height=" not in opening
    assert not re.search(r'(fill|stroke)="(black|white|#000000|#ffffff)"', svg)
    assert "\n\n" not in svg  # a blank line would end the page's raw HTML block


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_a_page_includes_each_diagram(source):
    include = f'--8<-- "docs/diagrams/{source.stem}.svg"'
    pages = [page for page in (ROOT / "docs").rglob("*.md") if include in page.read_text(encoding="utf-8")]
    assert pages, f"no page includes {source.stem}.svg"
