"""Where the `docs:` links of `checks` point, and `checks docs [lessonN]`, which opens a page.

The first of these that applies (lessons/course.toml says the same):
1. `CHECKS_DOCS_URL`: a room's copy of the site (an instructor serves it, or unpacks it);
2. `site_url` in lessons/course.toml: the published site, once there is one;
3. the copy of the site inside the installed package (checks/_site, built with the wheel by
   setup.py): a file:// URL, so every link opens without a server or a network;
4. `serve_url`: what `make serve` serves, for a clone that has no built copy.

A site on a web server has directory URLs (lessons/lesson1/); a copy on the file system was built
by Material's offline plugin, which has none (lessons/lesson1.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import settings

BUNDLED_SITE = Path(__file__).resolve().parent / "_site"


@dataclass(frozen=True)
class DocsBase:
    url: str  # ends with "/"
    where: str  # what it is, in the learner's words


def _slash(url: str) -> str:
    return url.rstrip("/") + "/"


def docs_base(site_url: str, serve_url: str) -> DocsBase:
    room = settings.value("CHECKS_DOCS_URL")
    if room:
        return DocsBase(_slash(room), "the room's copy of the site, set by CHECKS_DOCS_URL")
    if site_url.strip():
        return DocsBase(_slash(site_url.strip()), "the published site")
    if (BUNDLED_SITE / "index.html").is_file():
        return DocsBase(BUNDLED_SITE.as_uri() + "/", "the copy of the site installed with checks (no server needed)")
    return DocsBase(_slash(serve_url), "the site that `make serve` serves in your clone of the course")


def webbrowser():
    """The standard library's webbrowser, imported only by `checks docs` (it costs every run a few ms)."""
    import webbrowser as module

    return module


def page_link(base_url: str, page: str, anchor: str = "") -> str:
    """The address of a page of docs/ (`lessons/lesson1.md`) on the site at `base_url`."""
    stem = page.removesuffix(".md")
    if base_url.startswith("file:"):
        path = stem + ".html"
    elif stem == "index":
        path = ""
    elif stem.endswith("/index"):
        path = stem.removesuffix("index")
    else:
        path = stem + "/"
    return base_url + path + (f"#{anchor}" if anchor else "")


def show(catalogue, lesson=None) -> int:
    """Open a lesson's page (or the home page) in the browser; say where it is when none opens."""
    course = catalogue.course
    base = docs_base(course.site_url, course.serve_url)
    url = lesson.page_url if lesson else course.home_url
    print(f"Lesson {lesson.number}: {lesson.title}" if lesson else course.title)
    print(url)
    print(f"  ({base.where})")
    try:
        opened = webbrowser().open(url)
    except webbrowser().Error:
        opened = False
    if opened:
        print("Opened in your browser.")
    else:
        print("No browser could be opened from here: open the address above in one.")
    return 0
