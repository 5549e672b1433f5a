"""What the browser tests share (test_browser.py, test_phone.py; conftest.py's `browser` and `server`):
Debian's chromium, where screenshots go, and the built site's page URLs."""

from __future__ import annotations

import http.server
from pathlib import Path

from support import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - the tests import them from here too

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def page_urls(site: Path, origin: str) -> list[str]:
    urls = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        urls.append(origin + ("" if relative == "." else relative + "/"))
    return urls
