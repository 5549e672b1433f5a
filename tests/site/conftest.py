"""The site, built once per test session with `mkdocs build --strict` into a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Build:
    site: Path
    code: int
    log: str


def mkdocs_build(site_dir: Path) -> Build:
    # Material prints a banner about MkDocs 2.0 on every build; it is news, not a warning about our pages
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return Build(site_dir, run.returncode, run.stdout + run.stderr)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Build:
    return mkdocs_build(tmp_path_factory.mktemp("site") / "site")
