"""The release: `python -m build` gives an sdist and a wheel that PyPI accepts, and the wheel,
installed with pipx as the README tells a learner, gives a working `checks` whose links open the
site it carries."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import checks
from learner_engine import sections_of
from support import ROOT

PASSED_ON_ENV = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_CERT",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
)


def learner_env(home: Path, **extra: str) -> dict[str, str]:
    """A learner's clean account: its own HOME, the system PATH, no virtualenv, no docs address."""
    env = {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"}
    env.update({name: os.environ[name] for name in PASSED_ON_ENV if name in os.environ})
    env.update(extra)
    return env


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_sdist_and_wheel_pass_twine_check_strict(built_dist):
    run = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, built_dist)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("PASSED") == 2, run.stdout


def test_wheel_has_full_metadata_and_one_version(built_dist):
    sdist, wheel = built_dist
    meta = wheel_metadata(wheel)
    # one version number: the package's, which `checks --version` prints
    assert meta["Version"] == checks.__version__
    assert wheel.name.startswith(f"docker_lessons-{checks.__version__}-py3-none-any")
    assert meta["License-Expression"] == "MIT"
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "## Install" in meta.get_payload(), "the README is the long description"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.13" in classifiers and "Topic :: Education" in classifiers
    urls = dict(value.split(", ", 1) for value in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls), urls
    assert all(url.startswith("https://") for url in urls.values())
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"CHANGELOG.md", "LICENSE", "README.md", "pyproject.toml"} <= names
    # the changelog has an entry for the version being released
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(checks.__version__)}\]", changelog, re.M), "CHANGELOG.md lacks this version"


def test_wheel_contents_ship_the_lessons_and_nothing_of_a_working_copy(built_dist):
    _, wheel = built_dist
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "checks/_lessons/course.toml" in names
    assert "checks/_lessons/together/bin/run_dev.sh" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or ".checks-progress" in n]
    assert not [n for n in names if n.startswith(("tests/", "docs/"))]
    # the site, built at wheel-build time from the sdist, browsable from the file system
    assert "checks/_site/index.html" in names
    assert {f"checks/_site/{lesson}.html" for lesson in ("lessons/lesson1", "lessons/lesson10")} <= set(names)
    assert "checks/_site/search/search_index.js" in names
    assert not [
        n
        for n in names
        if n.startswith("checks/_site/") and n.endswith("/index.html") and n != "checks/_site/index.html"
    ], "the bundled site must not use directory URLs"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths of the pipx environment")
def test_pipx_install_of_the_wheel_runs_init_and_lesson1(built_dist, tmp_path):
    """What a learner does, on a clean account: `pipx install`, `checks init`, `checks lesson1`."""
    _, wheel = built_dist
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = home / ".local" / "bin"
    env = learner_env(home, PIPX_HOME=str(home / "pipx"), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(home / "man"))
    pipx = Path(sys.executable).parent / "pipx"
    install = subprocess.run(
        [str(pipx), "install", "--python", sys.executable, str(wheel)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    checks_bin = bin_dir / "checks"
    assert checks_bin.exists(), install.stdout + install.stderr

    def run(*args, cwd=tmp_path, env=env):
        return subprocess.run([str(checks_bin), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

    version = run("--version")
    assert version.stdout.strip() == f"checks {checks.__version__}", version.stdout + version.stderr
    # the installed package leans on nothing in the source tree
    python = home / "pipx" / "venvs" / "docker-lessons" / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import checks.catalogue as c; print(c.data_dir())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert str(home / "pipx") in where.stdout, where.stdout + where.stderr

    init = run("init", "ws")
    assert init.returncode == 0, init.stderr
    workspace = tmp_path / "ws"
    assert os.access(workspace / "bin" / "run_dev.sh", os.X_OK)
    assert (workspace / "requirements.txt").is_file() and (workspace / "together" / "app.py").is_file()
    assert (workspace / "tests").is_dir()
    # lesson 1 reads the Dockerfile only: no engine needed. First as the learner starts, then solved.
    missing = run("lesson1", cwd=workspace)
    assert missing.returncode == 1 and "Lesson 1 not passed" in missing.stdout, missing.stdout + missing.stderr
    # its docs: links open the copy of the site inside the installed package, no server needed
    links = re.findall(r"docs: (file://\S+)", missing.stdout)
    assert links, missing.stdout
    for link in links:
        parts = urlsplit(link)
        page = Path(unquote(parts.path))
        assert page.is_file() and page.is_relative_to(home / "pipx"), link
        assert f'id="{parts.fragment}"' in page.read_text(encoding="utf-8"), link
    docs = run("docs", "lesson1", cwd=workspace, env={**env, "BROWSER": "false"})
    assert docs.returncode == 0 and "No browser could be opened" in docs.stdout, docs.stdout + docs.stderr
    (page_url,) = re.findall(r"file://\S+", docs.stdout)
    assert Path(unquote(urlsplit(page_url).path)).name == "lesson1.html"
    assert Path(unquote(urlsplit(page_url).path)).is_file()
    (workspace / "Dockerfile").write_text((ROOT / "lessons" / "lesson1" / "solution" / "Dockerfile").read_text())
    lesson = run("lesson1", cwd=workspace)
    assert lesson.returncode == 0 and "Lesson 1 passed" in lesson.stdout, lesson.stdout + lesson.stderr
    listing = run("list", cwd=workspace)
    assert listing.returncode == 0 and re.search(r"lesson1 .* passed", listing.stdout), listing.stdout
    hint = run("hint", "lesson1", cwd=workspace)
    assert hint.returncode == 0 and "Hint 1" in hint.stdout
    # the learner's install has no web server: the board asks for its extra, joining needs none
    serve = run("classroom", "serve", "--port", "0", "--db", str(tmp_path / "board.db"))
    assert serve.returncode == 2 and "pip install '.[classroom]'" in serve.stderr, serve.stderr
    join = run("join", "http://127.0.0.1:9", "--code", "X", "--name", "Ana", cwd=workspace)
    assert join.returncode == 2 and "does not answer" in join.stderr, join.stderr
    # the last page's uninstall line removes it
    uninstall = subprocess.run(
        ["sh", "-c", sections_of(ROOT / "docs" / "commands" / "cleanup.sh")["uninstall"]],
        env={**env, "PATH": f"{pipx.parent}:{env['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert uninstall.returncode == 0, uninstall.stdout + uninstall.stderr
    assert not checks_bin.exists() and not (home / "pipx" / "venvs" / "docker-lessons").exists()
