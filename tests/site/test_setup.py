"""The install commands on the home page (docs/commands/setup.sh) work on a fresh account.

Each way is run on its own: `pipx install docker-lessons` and the plain venv resolve the package
from the wheel this tree builds (PIP_FIND_LINKS stands in for PyPI, which serves that very wheel),
and `pipx install ./docker-lessons` installs from a clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import checks

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "commands" / "setup.sh"


def section(name: str) -> str:
    text = SCRIPT.read_text(encoding="utf-8")
    found = re.search(rf"# --8<-- \[start:{name}\]\n(.*?)# --8<-- \[end:{name}\]", text, re.S)
    assert found, f"{SCRIPT.name} has no section {name}"
    return found.group(1)


def fresh_account(tmp_path: Path, find_links: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    # python3 and pipx are the ones running the tests, as a learner's would be on PATH
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    (bin_dir / "pipx").symlink_to(Path(sys.executable).parent / "pipx")
    # this tree's version, even if the index ever holds a newer one
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(f"docker-lessons=={checks.__version__}\n")
    env = {
        "HOME": str(home),
        "PATH": f"{home}/.local/bin:{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PIP_FIND_LINKS": str(find_links),
        "PIP_CONSTRAINT": str(constraints),
    }
    for name in (
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_CERT",
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
        "https_proxy",
        "http_proxy",
        "no_proxy",
    ):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run_sections(names: list[str], tmp_path: Path, env: dict[str, str]) -> str:
    script = "set -eu\n" + "".join(section(name) for name in names)
    run = subprocess.run(["sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"checks {checks.__version__}\n" in run.stdout
    assert "lesson1" in run.stdout and "Choose a base image" in run.stdout
    return run.stdout


@pytest.mark.parametrize("way", ["pipx", "venv"])
def test_install_from_the_package_index(way, built_dist, tmp_path):
    _, wheel = built_dist
    env = fresh_account(tmp_path, wheel.parent)
    run_sections([way, "verify"], tmp_path, env)
    home = Path(env["HOME"])
    installed = home / (".local/bin/checks" if way == "pipx" else ".venvs/docker-lessons/bin/checks")
    assert installed.is_file()


def test_install_from_a_clone(tmp_path):
    course = tmp_path / "docker-lessons"  # a clone: the files git tracks, as they are in this tree
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, tracked.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, course / name)
    env = fresh_account(tmp_path, tmp_path / "no-wheels-here")
    run_sections(["clone", "verify"], tmp_path, env)
    assert (Path(env["HOME"]) / ".local/bin/checks").is_file()
