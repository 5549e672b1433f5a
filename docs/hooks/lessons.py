"""MkDocs hook: before each build (`mkdocs serve`'s rebuilds too), write the generated parts of the
pages and check the lessons' navigation against the catalogue.

The parts (a lesson's header, checks, hints, mistakes, solution and next step; the reference
tables) are rendered by checks/site/ from the files the tests use, into generated/, which the pages
include with snippets (`--8<-- "generated/lessons/lesson3/checks.md"`); checks/site/build.py says
how. Zensical reads the same mkdocs.yml and the same snippets but runs no hook: `python -m
checks.site` writes the same parts before `zensical build`.

The "Lessons" section of mkdocs.yml's nav is written out (Zensical reads it as it is); this hook
stops the build when it differs from the catalogue (a lesson missing, out of order, or titled
otherwise than its lesson.toml), and prints the section to write. It also takes the site's public
address (site_url) from lessons/course.toml, where `checks` reads it too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the site image builds from a plain copy of the repository
    sys.path.insert(0, str(ROOT))

from checks.catalogue import load  # noqa: E402
from checks.site import SiteError  # noqa: E402
from checks.site.build import write_parts  # noqa: E402

NAV_SECTION = "Lessons"


def catalogue():
    """The catalogue, read afresh for each build (so `mkdocs serve` shows an edited lesson.toml)."""
    return load.__wrapped__()


def lessons_nav(course, docs_dir: Path) -> list[dict[str, str]]:
    """The "Lessons" section as it must be: every lesson whose page exists, in order, numbered.

    A lesson whose page is still being written stays out (the catalogue tests fail for it instead),
    so that the strict build is not broken by a missing file."""
    return [
        {f"{lesson.number}. {lesson.title}": lesson.page}
        for lesson in course.lessons
        if (docs_dir / lesson.page).is_file()
    ]


def check_nav(config, course) -> None:
    expected = lessons_nav(course, Path(config["docs_dir"]))
    for entry in config["nav"] or []:
        if isinstance(entry, dict) and NAV_SECTION in entry:
            if entry[NAV_SECTION] == expected:
                return
            lines = "\n".join(
                f"      - {json.dumps(title)}: {page}" for item in expected for title, page in item.items()
            )
            raise PluginError(
                f"mkdocs.yml: the nav's '{NAV_SECTION}' section differs from the lessons' "
                f"lesson.toml files; write it as:\n  - {NAV_SECTION}:\n{lines}"
            )
    raise PluginError(f"mkdocs.yml: the nav needs a '{NAV_SECTION}' section listing the lessons' pages")


def on_config(config):
    course = catalogue()
    if course.course.site_url and not config.get("site_url"):
        config["site_url"] = course.course.site_url.rstrip("/") + "/"
    check_nav(config, course)
    try:
        write_parts(course)
    except SiteError as problem:
        raise PluginError(str(problem)) from None
    return config
