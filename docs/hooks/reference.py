"""MkDocs hook: the reference parts any page can ask for with a marker, rendered by checks/site/reference.py:

    <!-- reference:cli -->               the help of `checks` and of each of its commands
    <!-- reference:checks -->            every lesson with every check id and title
    <!-- reference:final-dockerfile -->  the Dockerfile the lessons end with, folded
    <!-- reference:exit-codes -->        the exit codes, from checks/cli.py's EXIT_CODES
    <!-- reference:lessons -->           a table of the lessons: number, title, instruction, minutes, total
    <!-- reference:python-versions -->   the Python versions `checks` knows, with their end of life

An unknown reference marker stops the build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the site image builds from a plain copy of the repository
    sys.path.insert(0, str(ROOT))

from checks.catalogue import load  # noqa: E402
from checks.site import SiteError  # noqa: E402
from checks.site.reference import PARTS  # noqa: E402

MARKER = re.compile(r"<!--\s*(?P<kind>reference[\w-]*):(?P<name>[\w-]+)\s*-->")


_catalogue = None


def on_config(config):
    global _catalogue
    _catalogue = load.__wrapped__()  # read afresh for each build, so that `mkdocs serve` shows an edited lesson.toml
    return config


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    catalogue = _catalogue or load()

    def replace(match: re.Match) -> str:
        kind, name = match.group("kind"), match.group("name")
        if kind != "reference":
            raise PluginError(f"{src}: unknown marker {match.group(0)}: use <!-- lesson:… --> or <!-- reference:… -->")
        if name not in PARTS:
            raise PluginError(f"{src}: unknown marker {match.group(0)}; known: "
                              + ", ".join(f"<!-- reference:{n} -->" for n in PARTS))
        try:
            return PARTS[name](catalogue, src)
        except SiteError as problem:
            raise PluginError(str(problem)) from None

    return MARKER.sub(replace, markdown)
