"""The lesson hook turns markers into page content and stops the build on markers it does not know."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from checks.catalogue import load

ROOT = Path(__file__).resolve().parents[2]


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_hook", ROOT / "docs" / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = load_hook("lessons")
reference_hook = load_hook("reference")

LESSON = load().lessons[0]


def page(src_uri: str):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))


def render(markdown: str, src_uri: str = LESSON.page) -> str:
    """The page as mkdocs.yml's hooks leave it: the lesson markers, then the reference markers."""
    lessons = hook.on_page_markdown(markdown, page(src_uri), {}, None)
    return reference_hook.on_page_markdown(lessons, page(src_uri), {}, None)


def test_markers_become_lesson_content():
    out = render("<!-- lesson:header -->\n<!-- lesson:checks -->\n<!-- lesson:hints -->\n<!-- lesson:solution -->")
    assert LESSON.goal in out
    assert all(check.title in out and f"`{check.id}`" in out for check in LESSON.checks)
    assert all(hint in out for hint in LESSON.hints)
    assert LESSON.solution_path.read_text(encoding="utf-8").strip() in out
    assert "<!--" not in out


def test_unknown_marker_stops_the_build():
    with pytest.raises(PluginError, match="unknown marker <!-- lesson:solutions -->"):
        render("<!-- lesson:solutions -->")
    with pytest.raises(PluginError, match="unknown marker"):
        render("<!-- lessons:header -->")
    with pytest.raises(PluginError, match="unknown marker <!-- reference:exit-code -->"):
        render("<!-- reference:exit-code -->", "reference.md")


def test_lesson_marker_on_another_page_stops_the_build():
    with pytest.raises(PluginError, match="only for lesson pages"):
        render("<!-- lesson:hints -->", "troubleshooting.md")


def test_ordinary_comments_are_kept():
    assert render("<!-- note: keep me -->", "index.md") == "<!-- note: keep me -->"


def test_reference_shows_the_cli_help_and_every_check():
    out = render("<!-- reference:cli -->\n<!-- reference:checks -->", "reference.md")
    assert "usage: checks" in out and "### checks doctor" in out
    for lesson in load().lessons:
        assert f"### Lesson {lesson.number}: {lesson.title}" in out
        assert all(f"`{check.id}`" in out for check in lesson.checks)


def test_fences_survive_backticks_in_the_file():
    assert hook.fence("echo ```", "sh").startswith("````sh\n")


def test_mistakes_show_each_fixture_and_what_checks_said():
    fixtures = sorted((ROOT / "tests" / "lessons" / LESSON.id / "fixtures").glob("*.Dockerfile"))
    assert fixtures
    out = render("<!-- lesson:mistakes -->")
    for fixture in fixtures:
        for line in fixture.read_text(encoding="utf-8").strip().splitlines():
            assert f"    {line}" in out, (fixture.name, line)  # indented inside its folded block
        sample = ROOT / "docs" / "samples" / f"{LESSON.id}-mistake-{fixture.stem.lower()}.txt"
        if sample.is_file():
            assert sample.read_text(encoding="utf-8").strip().splitlines()[1] in out, sample.name


def test_home_and_guide_tables_come_from_the_catalogue():
    out = render("<!-- reference:lessons -->\n<!-- reference:final-dockerfile -->\n<!-- reference:exit-codes -->",
                 "index.md")
    catalogue = load()
    total = sum(lesson.minutes for lesson in catalogue.lessons)
    assert f"**all {len(catalogue.lessons)} lessons**" in out and f"**{total}**" in out
    last = [lesson for lesson in catalogue.lessons if lesson.solution_path.name == "Dockerfile"][-1]
    for line in last.solution_path.read_text(encoding="utf-8").strip().splitlines():
        assert f"    {line}".rstrip() in out
    assert "| 0 |" in out and "| 2 |" in out


def test_solution_hides_snippet_section_markers():
    for lesson in load().lessons:
        text = lesson.solution_path.read_text(encoding="utf-8")
        out = render("<!-- lesson:solution -->", lesson.page)
        assert "8<--" not in out, lesson.id
        commands = [line for line in text.splitlines() if line.strip() and "8<--" not in line]
        assert all(f"    {line}".rstrip() in out for line in commands), lesson.id


def test_the_site_takes_its_public_address_from_the_course(monkeypatch):
    """site_url is written once, in lessons/course.toml, for `checks`' links and for the site alike."""
    import dataclasses

    real = load()
    published = dataclasses.replace(real, course=dataclasses.replace(real.course, site_url="https://example.org/lessons"))
    monkeypatch.setattr(hook, "catalogue", lambda: published)
    config = hook.on_config({"site_url": None, "nav": [{"Lessons": []}], "docs_dir": str(ROOT / "docs")})
    assert config["site_url"] == "https://example.org/lessons/"
    unset = dataclasses.replace(real, course=dataclasses.replace(real.course, site_url=""))
    monkeypatch.setattr(hook, "catalogue", lambda: unset)
    assert hook.on_config({"site_url": None, "nav": [{"Lessons": []}], "docs_dir": str(ROOT / "docs")})["site_url"] is None
