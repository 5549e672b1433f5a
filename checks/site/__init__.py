"""The parts of the site's pages that are generated from the files the tests use.

`checks.site.lessons` renders a lesson page's parts (header, checks, hints, mistakes, solution, next)
from its lesson.toml, its fixtures and its solution; `checks.site.reference` renders the reference
tables (the CLI's help, every check, the lessons, the exit codes, the Python versions);
`checks.site.build` writes the parts the pages include into generated/ (`python -m checks.site`).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class SiteError(Exception):
    """A page asks for something that cannot be generated: the message names the file and the fix."""
