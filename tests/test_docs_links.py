"""Every link `checks` can print opens a page of the site, with its anchor, and without a server.

The site is built as the wheel carries it (setup.py: `mkdocs build --strict` with OFFLINE=true), and
each link is followed to its file, whose HTML must hold the anchor as an id.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from checks import docs
from checks.catalogue import load
from support import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LINK = re.compile(r"file://[^\s)\"']+")


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id" and value)


def ids_of(page: Path) -> set[str]:
    parser = Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("offline") / "site"
    env = {**os.environ, "OFFLINE": "true", "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return site


def assert_opens(url: str, site: Path) -> None:
    """The link is a file of the built site, and its #anchor, if any, is an id on that page."""
    parts = urlsplit(url)
    assert parts.scheme == "file", url
    page = Path(unquote(parts.path))
    assert page.is_relative_to(site), f"{url} is not in the site at {site}"
    assert page.is_file(), f"{url}: no such page in the built site"
    if parts.fragment:
        assert parts.fragment in ids_of(page), f"{url}: the page has no anchor #{parts.fragment}"


def test_the_offline_site_opens_from_the_file_system(offline_site):
    # no directory URLs: a browser opening file:// shows lessons/lesson1.html, not a folder listing
    assert (offline_site / "lessons" / "lesson1.html").is_file()
    assert not (offline_site / "lessons" / "lesson1").exists()
    # search works without fetch(): its index is a script, its worker runs in an iframe (the shim)
    assert (offline_site / "search" / "search_index.js").is_file()
    home = (offline_site / "index.html").read_text(encoding="utf-8")
    assert 'href="lessons/lesson1.html"' in home
    assert '<script src="assets/vendor/iframe-worker-shim.js"' in home
    # and nothing comes from another host: no script or stylesheet but the site's own
    for page in offline_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        outside = re.findall(r'<(?:script|link)[^>]*(?:src|href)="(?:https?:)?//[^"]*"', html)
        assert not [tag for tag in outside if "stylesheet" in tag or "<script" in tag], (page, outside)


def test_every_check_links_to_its_page_and_section(offline_site, monkeypatch):
    monkeypatch.setenv("CHECKS_DOCS_URL", offline_site.as_uri())
    catalogue = load()
    links = [catalogue.course.home_url]
    for lesson in catalogue.lessons:
        links.append(lesson.page_url)
        links += [lesson.docs_link(check) for check in lesson.checks]
    for link in links:
        assert_opens(link, offline_site)
    assert sum(1 for link in links if "#" in link) >= sum(len(lesson.checks) for lesson in catalogue.lessons) * 0.9


def test_links_the_cli_prints_open(offline_site, workspace):
    """`checks init`, `hint`, `docs`, and a failed and a passed lesson, as a learner runs them."""
    env = {
        **os.environ,
        "CHECKS_DOCS_URL": offline_site.as_uri(),
        "BROWSER": "false",
        "NO_COLOR": "1",
        "PYTHONPATH": str(ROOT),
    }
    folder = workspace("FROM python:latest\nWORKDIR app\n")

    def printed(*args: str, cwd: Path = folder) -> str:
        run = subprocess.run(
            [sys.executable, "-m", "checks", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )
        assert run.returncode in (0, 1), run.stdout + run.stderr
        return run.stdout

    outputs = [
        printed("init", "fresh", cwd=folder.parent),
        printed("hint", "lesson3"),
        printed("docs"),
        printed("docs", "lesson7"),
        printed("lesson1"),  # fails: python:latest
        printed("lesson2"),  # lesson 2's checks fail too: a relative WORKDIR
    ]
    (folder / "Dockerfile").write_text((ROOT / "lessons" / "lesson1" / "solution" / "Dockerfile").read_text())
    outputs.append(printed("lesson1"))  # passes: "Next: … lesson 2's page"
    links = [link for output in outputs for link in LINK.findall(output)]
    assert len([link for link in links if "#" in link]) >= 2, outputs
    assert any(link.endswith("lessons/lesson2.html") for link in links), outputs
    for link in links:
        assert_opens(link, offline_site)


def test_links_point_to_the_room_then_the_published_site_then_the_bundled_copy_then_make_serve(monkeypatch, tmp_path):
    monkeypatch.delenv("CHECKS_DOCS_URL", raising=False)
    monkeypatch.setattr(docs, "BUNDLED_SITE", tmp_path / "none")
    serve = "http://127.0.0.1:8000/"
    assert docs.docs_base("", serve).url == serve
    assert docs.page_link(serve, "lessons/lesson3.md", "copy-the-app") == serve + "lessons/lesson3/#copy-the-app"
    assert docs.page_link(serve, "index.md") == serve
    bundled = tmp_path / "_site"
    bundled.mkdir()
    (bundled / "index.html").write_text("<html></html>")
    monkeypatch.setattr(docs, "BUNDLED_SITE", bundled)
    base = docs.docs_base("", serve)
    assert base.url == bundled.as_uri() + "/" and "installed with checks" in base.where
    assert docs.page_link(base.url, "lessons/lesson3.md") == bundled.as_uri() + "/lessons/lesson3.html"
    published = "https://example.org/docker-lessons"
    assert docs.docs_base(published, serve).url == published + "/"
    monkeypatch.setenv("CHECKS_DOCS_URL", "http://10.0.0.5:8000")
    assert docs.docs_base(published, serve).url == "http://10.0.0.5:8000/"


def test_the_course_leaves_a_place_for_the_published_address():
    course = tomllib.loads((ROOT / "lessons" / "course.toml").read_text(encoding="utf-8"))
    assert "site_url" in course and "serve_url" in course
    assert course["site_url"] == "" or course["site_url"].startswith("https://")


def test_the_wheel_builds_the_site_with_the_pinned_site_packages():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {
        line.strip()
        for line in (ROOT / "docs" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert pins <= set(pyproject["build-system"]["requires"]), (
        "pyproject's build requires differ from docs/requirements.txt"
    )


def test_checks_docs_hands_the_page_to_the_browser(offline_site, tmp_path):
    """`checks docs lesson4` gives the browser (BROWSER, as Python's webbrowser reads it) the page's address."""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    browser.chmod(0o755)
    env = {**os.environ, "CHECKS_DOCS_URL": offline_site.as_uri(), "BROWSER": str(browser), "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "checks", "docs", "lesson4"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "Opened in your browser" in run.stdout, run.stdout + run.stderr
    url = opened.read_text()
    assert url == offline_site.as_uri() + "/lessons/lesson4.html" and url in run.stdout
    assert_opens(url, offline_site)
    unknown = subprocess.run(
        [sys.executable, "-m", "checks", "docs", "lesson99"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2 and unknown.stderr.startswith("Error: there is no lesson 'lesson99'")
