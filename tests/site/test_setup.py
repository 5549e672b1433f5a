"""The install commands on the home page (docs/commands/setup.sh) work on a fresh account."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "commands" / "setup.sh"


def test_setup_commands_install_checks(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    course = tmp_path / "docker-lessons"  # what the learner downloaded: the course without its tests
    course.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, course / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".checks-progress.json")
    for name in ("checks", "lessons"):
        shutil.copytree(ROOT / name, course / name, ignore=ignore)
    # python3 is the interpreter running the tests, as a learner's `python3` would be
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {"HOME": str(home), "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
                 "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"):
        if name in os.environ:
            env[name] = os.environ[name]
    run = subprocess.run(["sh", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "checks 0." in run.stdout
    assert "lesson1" in run.stdout and "Choose a base image" in run.stdout
    assert (home / ".venvs" / "docker-lessons" / "bin" / "checks").is_file()
