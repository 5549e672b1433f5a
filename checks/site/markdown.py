"""Markdown helpers for the generated parts: fences, folded blocks, links between pages."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from . import ROOT, SiteError

LANGUAGES = {"Dockerfile": "dockerfile", ".sh": "sh", ".py": "python", ".toml": "toml", ".txt": "text"}


def fence(text: str, language: str = "", title: str = "") -> str:
    """A fenced code block that cannot be closed early by backticks inside `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    info = language + (f' title="{title}"' if title else "")
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.splitlines())


def folded(kind: str, title: str, body: str, open_: bool = False) -> str:
    """A pymdownx.details block: `??? kind "title"` with an indented body."""
    marks = "???+" if open_ else "???"
    return f'{marks} {kind} "{title.replace(chr(34), chr(39))}"\n\n{indent(body)}\n'


def language_of(path: Path) -> str:
    return LANGUAGES.get(path.name) or LANGUAGES.get(path.suffix, "")


def repo_path(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def read(path: Path, why: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SiteError(f"{why}: cannot read {path}: {exc.strerror or exc}") from None


def relative_link(from_src: str, to_src: str) -> str:
    """A link from one page to another, both named by their path under docs/."""
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def page_written(page_src: str) -> bool:
    """Whether docs/<page_src> exists: a lesson whose page is still being written gets no link."""
    return (ROOT / "docs" / page_src).is_file()


def help_text(parser) -> str:
    """argparse's help at a stable width (it otherwise follows the terminal's $COLUMNS)."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        return parser.format_help()
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous
