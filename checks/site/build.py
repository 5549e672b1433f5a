"""Write the generated parts of the pages into generated/, before the site is built.

A page asks for a part with a snippet line, which MkDocs and Zensical both include:

    --8<-- "generated/lessons/lesson3/checks.md"      (a part of lessons/lesson3.md)
    --8<-- "generated/reference/cli.md"               (a part of reference.md)

that is, `generated/<the page's path without .md>/<part>.md`: a lesson page (the `page` of a
lesson.toml) may ask for the parts of checks/site/lessons.py and of checks/site/reference.py (for
`checks`, which both have, its own checks), any other page for those of checks/site/reference.py. The parts are rendered for the page that
includes them (links are relative to it), from the files the tests use.

The parts are written at build time, never committed: they hold facts that change without a commit
(the Python versions' status today) and facts of every lesson (`Lesson 3 of 13`), which would turn
each new lesson into a change to every page's parts. MkDocs writes them itself (docs/hooks/lessons.py
calls `write_parts` before each build, `mkdocs serve` included); for Zensical, which runs no hook,
`python -m checks.site` writes them first (`make site-zensical`).

An unknown part, a part of another page, a lesson part on a page that is not a lesson's, or a
marker of the old hook (`<!-- lesson:header -->`) stops with a SiteError that says what to write.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import ROOT, SiteError, lessons, reference

DOCS = ROOT / "docs"
PARTS_DIR = ROOT / "generated"
INCLUDE = re.compile(
    r'^[ \t]*-{1,2}8<-{1,2}[ \t]+"generated/(?P<page>[^"]+)/(?P<part>[^"/]+)\.md"[ \t]*$', re.MULTILINE
)
OLD_MARKER = re.compile(r"<!--\s*(?P<kind>lesson|reference):(?P<name>[\w-]+)\s*-->")
NOT_PAGES = ("hooks", "samples", "diagrams")  # mkdocs.yml's exclude_docs


@dataclass(frozen=True)
class Part:
    page: str  # the page that includes it, its path under docs/
    name: str  # header, checks, cli, …

    def path(self, out: Path = PARTS_DIR) -> Path:
        return out / self.page.removesuffix(".md") / f"{self.name}.md"


def include_line(page: str, name: str) -> str:
    return f'--8<-- "generated/{page.removesuffix(".md")}/{name}.md"'


def pages(docs: Path = DOCS) -> list[str]:
    return sorted(
        path.relative_to(docs).as_posix()
        for path in docs.rglob("*.md")
        if path.relative_to(docs).parts[0] not in NOT_PAGES
    )


def parts_of(page: str, text: str, catalogue) -> list[Part]:
    """The parts a page includes, checked against what can be generated for it."""
    lesson = lesson_of(page, catalogue)
    old = OLD_MARKER.search(text)
    if old:
        raise SiteError(
            f"docs/{page}: {old.group(0)} is no longer expanded (Zensical runs no hooks); "
            f"include the generated part instead: {include_line(page, old.group('name'))}"
        )
    found = []
    for match in INCLUDE.finditer(text):
        owner, name = match.group("page") + ".md", match.group("part")
        if owner != page:
            raise SiteError(
                f"docs/{page}: {match.group(0).strip()} is a part of {owner}; this page's is {include_line(page, name)}"
            )
        known = list(dict.fromkeys([*(lessons.PARTS if lesson else ()), *reference.PARTS]))
        if name not in known and name in lessons.PARTS:
            raise SiteError(f"docs/{page}: the part `{name}` is only for lesson pages (the `page` of a lesson.toml)")
        if name not in known:
            raise SiteError(
                f"docs/{page}: unknown part `{name}` in {match.group(0).strip()}; known: " + ", ".join(known)
            )
        found.append(Part(page, name))
    return found


def lesson_of(page: str, catalogue):
    return next((lesson for lesson in catalogue.lessons if lesson.page == page), None)


def render(part: Part, page_text: str, catalogue) -> str:
    lesson = lesson_of(part.page, catalogue)
    if part.name == "header":
        return lessons.header(catalogue, lesson, has_title=re.search(r"^# ", page_text, re.MULTILINE) is not None)
    if lesson is not None and part.name in lessons.PARTS:  # a lesson page's `checks` is its own checks
        return lessons.PARTS[part.name](catalogue, lesson)
    return reference.PARTS[part.name](catalogue, part.page)


def write_if_changed(path: Path, text: str) -> bool:
    """Write atomically (a build running at the same time never reads half a file); False if unchanged."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, 0o644)  # mkstemp's file is the owner's only; a part is as readable as a page
    os.replace(temporary, path)
    return True


def write_parts(catalogue=None, docs: Path = DOCS, out: Path = PARTS_DIR) -> tuple[list[Path], list[Path]]:
    """Render every part the pages of `docs` include into `out`; (every part's file, the files that changed).

    A file in `out` that no page includes any more is removed."""
    from checks.catalogue import load

    catalogue = catalogue or load.__wrapped__()  # read afresh: `mkdocs serve` shows an edited lesson.toml
    rendered = {}
    for page in pages(docs):
        text = (docs / page).read_text(encoding="utf-8")
        for part in parts_of(page, text, catalogue):
            rendered[part.path(out)] = render(part, text, catalogue)
    changed = [path for path, text in rendered.items() if write_if_changed(path, text)]
    for stale in out.rglob("*.md") if out.is_dir() else ():
        if stale not in rendered:  # a part no page includes any more
            stale.unlink()
    return list(rendered), changed
