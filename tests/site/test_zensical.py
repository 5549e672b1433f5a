"""Zensical, Material for MkDocs' successor, builds the same mkdocs.yml into the same lesson pages.

Zensical runs no MkDocs hook: `python -m checks.site` writes the generated parts the pages include
(checks/site/build.py), then `zensical build` reads mkdocs.yml and the pages as they are. The text
of every page's main content must be the text MkDocs gives it; the theme's chrome may differ.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# what the pages include with snippets, and the config: the build reads nothing else
NEEDED = ["mkdocs.yml", "Dockerfile", "docs", "lessons", "generated"]


def zensical() -> str:
    found = shutil.which("zensical", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("zensical is not installed (pip install -e '.[dev]')")
    return found


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory) -> Path:
    command = zensical()
    wrote = subprocess.run([sys.executable, "-m", "checks.site"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert wrote.returncode == 0, wrote.stderr
    # Zensical has no --site-dir: it builds into site_dir (site/) beside mkdocs.yml, so it builds a copy
    copy = tmp_path_factory.mktemp("zensical") / "repo"
    for name in NEEDED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    run = subprocess.run([command, "build", "--strict"], cwd=copy, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return copy / "site"


def main_text(page: Path) -> list[str]:
    """The text of a page's main content (the article), one normalised line per source line."""
    source = page.read_text(encoding="utf-8")
    start = source.index("<article")
    article = source[start : source.index("</article>", start)]
    article = re.sub(r"<script.*?</script>", "", article, flags=re.S)
    article = re.sub(r"<[^>]+>", " ", article)
    lines = (" ".join(html.unescape(line).split()) for line in article.split("\n"))
    return [line for line in lines if line]


def page_files(site: Path) -> list[Path]:
    return sorted(path.relative_to(site) for path in site.rglob("index.html"))


def test_zensical_builds_every_page_mkdocs_builds(built_site, zensical_site):
    assert built_site.code == 0, built_site.log
    assert page_files(zensical_site) == page_files(built_site.site)


def test_lesson_pages_have_the_same_text(built_site, zensical_site):
    from checks.catalogue import load

    assert built_site.code == 0, built_site.log
    lessons = [lesson for lesson in load().lessons if (ROOT / "docs" / lesson.page).is_file()]
    assert lessons
    for lesson in lessons:
        page = Path(lesson.page.removesuffix(".md")) / "index.html"
        by_mkdocs, by_zensical = main_text(built_site.site / page), main_text(zensical_site / page)
        assert f"Lesson {lesson.number}: {lesson.title}" in by_mkdocs[0], page  # the generated header is there
        assert by_zensical == by_mkdocs, page


def test_other_pages_have_the_same_text(built_site, zensical_site):
    assert built_site.code == 0, built_site.log
    for page in page_files(built_site.site):
        if page.parts[0] == "lessons":
            continue
        assert main_text(zensical_site / page) == main_text(built_site.site / page), page
