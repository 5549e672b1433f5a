"""Debian's chromium as every browser test starts it (the site, the board, checks serve) and bench/pages_walk.py:
quiet, no network of its own. A module of its own, with no side effects, so that a bench can import it."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
