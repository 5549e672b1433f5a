"""The generated parts of the pages (checks/site), and the MkDocs hook that writes them before each build."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from checks.catalogue import load
from checks.site import SiteError
from checks.site.build import include_line, parts_of
from checks.site.build import render as render_part
from checks.site.markdown import fence

ROOT = Path(__file__).resolve().parents[2]


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_hook", ROOT / "docs" / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = load_hook("lessons")
LESSON = load().lessons[0]


def include(*names: str, page: str = LESSON.page) -> str:
    return "\n".join(include_line(page, name) for name in names)


def render(markdown: str, src_uri: str = LESSON.page) -> str:
    """The page's include lines replaced by the parts checks/site writes for them."""
    catalogue = load()
    text = markdown
    for part in parts_of(src_uri, markdown, catalogue):
        text = text.replace(include_line(src_uri, part.name), render_part(part, markdown, catalogue))
    return text


def test_markers_become_lesson_content():
    out = render(include("header", "checks", "hints", "solution"))
    assert LESSON.goal in out
    assert all(check.title in out and f"`{check.id}`" in out for check in LESSON.checks)
    assert all(hint in out for hint in LESSON.hints)
    assert LESSON.solution_path.read_text(encoding="utf-8").strip() in out
    assert "<!--" not in out


def test_unknown_part_stops_the_build():
    with pytest.raises(SiteError, match="unknown part `solutions`"):
        render(include("solutions"))
    with pytest.raises(SiteError, match="unknown part `exit-code`"):
        render(include("exit-code", page="reference.md"), "reference.md")
    with pytest.raises(SiteError, match="is a part of lessons/lesson2.md"):
        render(include("header", page="lessons/lesson2.md"))


def test_a_marker_of_the_old_hook_says_what_to_write():
    with pytest.raises(
        SiteError, match='include the generated part instead: --8<-- "generated/lessons/lesson1/hints.md"'
    ):
        render("<!-- lesson:hints -->")


def test_lesson_marker_on_another_page_stops_the_build():
    with pytest.raises(SiteError, match="only for lesson pages"):
        render(include("hints", page="troubleshooting.md"), "troubleshooting.md")


def test_ordinary_comments_are_kept():
    assert render("<!-- note: keep me -->", "index.md") == "<!-- note: keep me -->"


def test_reference_shows_the_cli_help_and_every_check():
    out = render(include("cli", "checks", page="reference.md"), "reference.md")
    assert "usage: checks" in out and "### checks doctor" in out
    for lesson in load().lessons:
        assert f"### Lesson {lesson.number}: {lesson.title}" in out
        assert all(f"`{check.id}`" in out for check in lesson.checks)


def test_fences_survive_backticks_in_the_file():
    assert fence("echo ```", "sh").startswith("````sh\n")


def test_mistakes_show_each_fixture_and_what_checks_said():
    fixtures = sorted((ROOT / "tests" / "lessons" / LESSON.id / "fixtures").glob("*.Dockerfile"))
    assert fixtures
    out = render(include("mistakes"))
    for fixture in fixtures:
        for line in fixture.read_text(encoding="utf-8").strip().splitlines():
            assert f"    {line}" in out, (fixture.name, line)  # indented inside its folded block
        sample = ROOT / "docs" / "samples" / f"{LESSON.id}-mistake-{fixture.stem.lower()}.txt"
        if sample.is_file():
            assert sample.read_text(encoding="utf-8").strip().splitlines()[1] in out, sample.name


def test_home_and_guide_tables_come_from_the_catalogue():
    out = render(include("lessons", "final-dockerfile", "exit-codes", page="index.md"), "index.md")
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
        out = render(include("solution", page=lesson.page), lesson.page)
        assert "8<--" not in out, lesson.id
        commands = [line for line in text.splitlines() if line.strip() and "8<--" not in line]
        assert all(f"    {line}".rstrip() in out for line in commands), lesson.id


def test_the_site_takes_its_public_address_from_the_course(monkeypatch):
    """site_url is written once, in lessons/course.toml, for `checks`' links and for the site alike."""
    import dataclasses

    real = load()
    published = real.with_course(dataclasses.replace(real.course, site_url="https://example.org/lessons"))
    monkeypatch.setattr(hook, "catalogue", lambda: published)
    nav = [{"Lessons": hook.lessons_nav(real, ROOT / "docs")}]
    config = hook.on_config({"site_url": None, "nav": nav, "docs_dir": str(ROOT / "docs")})
    assert config["site_url"] == "https://example.org/lessons/"
    unset = real.with_course(dataclasses.replace(real.course, site_url=""))
    monkeypatch.setattr(hook, "catalogue", lambda: unset)
    assert hook.on_config({"site_url": None, "nav": nav, "docs_dir": str(ROOT / "docs")})["site_url"] is None


def test_a_lessons_nav_that_differs_from_the_catalogue_stops_the_build():
    """Zensical reads the nav as mkdocs.yml writes it: the MkDocs build says when it is out of date."""
    nav = hook.lessons_nav(load(), ROOT / "docs")
    with pytest.raises(PluginError, match=r"write it as:\n  - Lessons:\n      - \"1\. "):
        hook.on_config({"site_url": None, "nav": [{"Lessons": nav[1:]}], "docs_dir": str(ROOT / "docs")})


def test_the_site_config_lists_every_lesson_in_order():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !ENV and friends
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    section = next(entry["Lessons"] for entry in config["nav"] if isinstance(entry, dict) and "Lessons" in entry)
    assert section == hook.lessons_nav(load(), ROOT / "docs")


def test_parts_are_written_for_the_pages_that_include_them(tmp_path):
    from checks.site.build import write_parts

    docs, out = tmp_path / "docs", tmp_path / "generated"
    (docs / "lessons").mkdir(parents=True)
    (docs / LESSON.page).write_text("Intro\n\n" + include("header", "next") + "\n", encoding="utf-8")
    (docs / "index.md").write_text(include("exit-codes", page="index.md") + "\n", encoding="utf-8")
    (out / "old" / "gone.md").parent.mkdir(parents=True)
    (out / "old" / "gone.md").write_text("a part no page includes", encoding="utf-8")
    written, changed = write_parts(load(), docs=docs, out=out)
    lesson_dir = out / LESSON.page.removesuffix(".md")
    assert sorted(written) == sorted(
        [lesson_dir / "header.md", lesson_dir / "next.md", out / "index" / "exit-codes.md"]
    )
    assert sorted(changed) == sorted(written)
    assert (lesson_dir / "header.md").read_text(encoding="utf-8").startswith(f"# Lesson 1: {LESSON.title}")
    assert not (out / "old" / "gone.md").exists()
    assert write_parts(load(), docs=docs, out=out)[1] == []  # unchanged parts are not rewritten


def test_the_build_step_takes_no_arguments():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "checks.site", "--nav"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2 and run.stderr.startswith("Error: ") and "Traceback" not in run.stderr


def test_a_mistake_that_starts_with_a_command_keeps_its_case_in_code():
    from checks.site.lessons import mistake_title

    assert mistake_title("apt-get install without -y: the build cannot answer its question") == (
        "`apt-get install` without -y: the build cannot answer its question"
    )
    assert mistake_title("sudo, as on a desktop") == "`sudo`, as on a desktop"
    assert mistake_title("apt, the interactive front end") == "`apt`, the interactive front end"
    assert mistake_title("$HOME, a shell variable") == "`$HOME`, a shell variable"
    assert mistake_title("/tmp, a folder for temporary files") == "`/tmp`, a folder for temporary files"
    # a sentence still starts with a capital; a title that starts with code is left as it is
    assert mistake_title("a relative WORKDIR (no leading /)") == "A relative WORKDIR (no leading /)"
    assert mistake_title("`slim` names no Python version") == "`slim` names no Python version"
    lesson4 = next(lesson for lesson in load().lessons if lesson.id == "lesson4")
    out = render(include("mistakes", page=lesson4.page), lesson4.page)
    assert '"`apt-get install` without -y' in out and '"`sudo`, as on a desktop' in out
    assert "Apt-get" not in out and "Sudo" not in out
