"""Lesson 2's sentences on what WORKDIR does, built on the engine: each WORKDIR line the page quotes
becomes the working directory the page says, in the image's configuration (`WorkingDir`) and on disk.

The pairs are read from the page, so a sentence that changes without the engine agreeing fails here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from learner_engine import APP, docker, sh
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson2.md"
FROM = "FROM python:3.13-slim\n"

# (the lines after FROM, the working directory they give, the page's words for it)
CASES = [
    ("WORKDIR ~/app", "/~/app", "`WORKDIR ~/app` makes a folder\n  literally named `~`, that is `/~/app`"),
    ("WORKDIR \\usr\\src\\app", "/usrsrcapp", "so `WORKDIR \\usr\\src\\app` becomes\n  `/usrsrcapp`"),
    ("WORKDIR C:\\app", "/C:app", "`WORKDIR C:\\app` becomes `/C:app`"),
    ("WORKDIR $HOME/app", "/app", "`WORKDIR $HOME/app` becomes `WORKDIR /app`"),
    ("ENV APP_HOME=/usr/src/app\nWORKDIR $APP_HOME", "/usr/src/app", "`WORKDIR $APP_HOME` is fine"),
    ("WORKDIR app", "/app", "the same line means `/app` with one base image"),
    ("WORKDIR /usr/src\nWORKDIR app", "/usr/src/app", "Docker joins it to the working directory before it"),
]


def build(dockerfile: str, folder: Path, images: list[str]) -> str:
    """`docker build` of `dockerfile` in `folder` (BuildKit, as the learner's shell has it); the image id."""
    (folder / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    sh("docker build --quiet --iidfile iid .", cwd=folder)
    image = (folder / "iid").read_text().strip()
    images.append(image)
    return image


def working_dir(image: str) -> str:
    return docker("image", "inspect", "--format", "{{.Config.WorkingDir}}", image).stdout.strip()


def page_text() -> str:
    return " ".join(PAGE.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("lines, expected, words", CASES, ids=[case[1] for case in CASES])
def test_a_workdir_line_gives_the_folder_the_page_names(lines, expected, words, tmp_path, images):
    assert " ".join(words.split()) in page_text(), f"lesson 2 no longer says: {words!r}"
    image = build(FROM + lines + "\n", tmp_path, images)
    assert working_dir(image) == expected
    # "If the folder does not exist, WORKDIR creates it."
    made = docker("run", "--rm", "--entrypoint", "sh", image, "-c", 'test -d "$PWD" && pwd')
    assert made.stdout.strip() == expected


def test_workdir_expands_the_base_image_s_env_too(tmp_path, images):
    """Variables come from ENV and ARG above the line and from the base image's ENV (PYTHON_VERSION)."""
    assert "and those the base image sets with `ENV`" in page_text()
    image = build(FROM + "WORKDIR /opt/python-$PYTHON_VERSION\n", tmp_path, images)
    version = docker("run", "--rm", image, "python3", "-c", "import platform; print(platform.python_version())")
    assert working_dir(image) == f"/opt/python-{version.stdout.strip()}"


@pytest.mark.parametrize("buildkit", ["1", "0"], ids=["buildkit", "older-builder"])
def test_copy_into_the_root_of_a_python_image_stops_the_build(tmp_path, images, buildkit):
    """Lessons 2 and 3: with no WORKDIR, `COPY . .` copies the app into /, and its bin/ folder collides
    with the image's /bin, a link to usr/bin since Debian merged /usr. BuildKit refuses the COPY; the older
    builder replaces the link with the app's folder, and the next RUN finds no /bin/sh."""
    folder = tmp_path / "together"
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    assert (folder / "bin" / "run_dev.sh").is_file()
    link = docker("run", "--rm", "python:3.13-slim", "readlink", "/bin").stdout.strip()
    assert link == "usr/bin", link
    (folder / "Dockerfile").write_text(FROM + "COPY . .\nRUN true\n", encoding="utf-8")
    remove = "" if buildkit == "1" else "--force-rm "  # the older builder keeps a failed step's container
    run = sh(f"DOCKER_BUILDKIT={buildkit} docker build {remove}--iidfile iid . 2>&1", cwd=folder, check=False)
    # the older builder keeps the image of each step after FROM (FROM's is python:3.13-slim itself)
    steps = run.stdout.split("Step 2/", 1)[-1] if buildkit == "0" else ""
    images.extend(line.split()[1] for line in steps.splitlines() if re.fullmatch(r" ---> [0-9a-f]{12}", line))
    assert run.returncode != 0, run.stdout
    if buildkit == "1":
        assert "cannot copy to non-directory" in run.stdout and "COPY . ." in run.stdout, run.stdout
        said = "BuildKit refuses to copy over it (`cannot copy to non-directory`)"
    else:
        assert "Step 3/3 : RUN true" in run.stdout and "/bin/sh" in run.stdout, run.stdout
        said = "the older builder replaces the link, so that the next `RUN` finds no `/bin/sh`"
    assert said in page_text()
    lesson3 = " ".join((ROOT / "docs" / "lessons" / "lesson3.md").read_text(encoding="utf-8").split())
    assert "the build even stops, because the app's `bin/` folder collides" in lesson3
