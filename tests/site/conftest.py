"""The site, built once per test session with `mkdocs build --strict` into a temporary folder; for
the browser tests, served on a free port and opened in Debian's chromium (browsing.py)."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from browsing import CHROMIUM, CHROMIUM_ARGS, QuietHandler

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Build:
    site: Path
    code: int
    log: str


def mkdocs_build(site_dir: Path) -> Build:
    # Material prints a banner about MkDocs 2.0 on every build; it is news, not a warning about our pages
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Build(site_dir, run.returncode, run.stdout + run.stderr)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Build:
    return mkdocs_build(tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="module")
def server(built_site):
    """The built site served on 127.0.0.1 at a free port, as `python -m http.server` would."""
    assert built_site.code == 0, built_site.log
    handler = functools.partial(QuietHandler, directory=str(built_site.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
