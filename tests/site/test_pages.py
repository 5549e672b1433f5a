"""Pages paste no code: every code block on a page is included from a file that a test runs or writes.

Dockerfiles and commands come from the lessons' solutions and docs/commands/ (run by tests), and
`checks` output from docs/samples/ (written by scripts/regen_samples.py, checked by
tests/test_samples.py); the lesson hook adds the solution and mistake files itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def code_blocks(text: str):
    """(line number, info string, body lines) of each fenced code block."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, start, body = opening.group("fence"), index + 1, []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index])
            index += 1
        yield start, opening.group("info").strip(), body
        index += 1


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT / "docs").as_posix() for p in PAGES])
def test_code_blocks_only_include_tested_files(page):
    pasted = []
    for line, info, body in code_blocks(page.read_text(encoding="utf-8")):
        typed = [text for text in body if text.strip() and not re.match(r'\s*-{1,2}8<-{1,2}\s+"[^"]+"\s*$', text)]
        if typed:
            pasted.append(f"{page.relative_to(ROOT)}:{line}: ```{info} holds typed lines, e.g. {typed[0].strip()!r}")
    assert not pasted, "include the tested file with --8<-- instead of pasting it:\n" + "\n".join(pasted)


def test_every_included_sample_is_written_by_a_script_or_test():
    included = set()
    for page in PAGES:
        included |= set(re.findall(r'--8<--\s+"(docs/samples/[^"]+)"', page.read_text(encoding="utf-8")))
    written_by_bench = {"docs/samples/production.txt": "bench/production.py"}
    for path in included:
        if path in written_by_bench:
            assert path in (ROOT / written_by_bench[path]).read_text(encoding="utf-8"), path
        else:
            assert re.fullmatch(r"docs/samples/lesson\d+-[a-z0-9-]+\.txt", path), (
                f"{path}: samples are named lessonN-<what>.txt, as scripts/regen_samples.py writes them"
            )
        assert (ROOT / path).is_file(), f"{path} is included but missing: run python scripts/regen_samples.py"


def test_every_tested_mistake_is_on_its_lesson_page(built_site):
    """tests/test_fixtures.py grades each fixture of checks/fixtures.py; its lesson's page shows each one."""
    import html

    from checks.catalogue import load
    from checks.fixtures import mistake_fixtures
    from checks.site.lessons import mistake_title

    assert built_site.code == 0, built_site.log
    missing = []
    for lesson in load().lessons:
        fixtures = mistake_fixtures(lesson)
        if not fixtures:
            continue
        page = built_site.site / lesson.page.removesuffix(".md") / "index.html"
        summaries = {
            " ".join(re.sub(r"<[^>]+>", "", html.unescape(found)).split())
            for found in re.findall(r"<summary>(.*?)</summary>", page.read_text(encoding="utf-8"), re.S)
        }
        for fixture in fixtures:
            title = mistake_title(fixture.mistake)
            shown = " ".join(title.replace("`", "").replace('"', "'").split())
            if shown not in summaries:
                missing.append(f"{lesson.page}: {fixture.path.relative_to(ROOT)} ({shown!r})")
    assert not missing, "tested mistakes missing from their page:\n" + "\n".join(missing)


def test_the_clean_up_page_names_the_folders_checks_keeps(monkeypatch, tmp_path):
    """docs/next.md: what `checks` leaves on the machine (checks/facts.py's cache) is where the page says."""
    from checks import facts

    page = (ROOT / "docs" / "next.md").read_text(encoding="utf-8")
    for name in ("CHECKS_CACHE_DIR", "CHECKS_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    said = {
        "linux": ("~/.cache/docker-lessons", tmp_path / ".cache" / "docker-lessons"),
        "darwin": ("~/Library/Caches/docker-lessons", tmp_path / "Library" / "Caches" / "docker-lessons"),
        "win32": ("%LOCALAPPDATA%\\docker-lessons", tmp_path / "Local" / "docker-lessons"),
    }
    for platform, (shown, folder) in said.items():
        monkeypatch.setattr(facts.sys, "platform", platform)
        assert f"`{shown}`" in page, shown
        assert facts.cache_folder().is_relative_to(folder), (platform, facts.cache_folder())
    monkeypatch.setenv("CHECKS_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert facts.cache_folder() == tmp_path / "elsewhere" and "`CHECKS_CACHE_DIR`" in page
    assert '--8<-- "docs/commands/cleanup.sh:uninstall"' in page and "uv tool uninstall docker-lessons" in page
