"""Lesson 8's sentences on the build context, measured on the engine with a folder that holds a 4 MB
file beside a small one:

- BuildKit sends only the files the COPY lines ask for (`transferring context:`), and `COPY . .` asks
  for everything;
- the older builder sends the whole folder, whatever the COPY lines use (`Sending build context`).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from learner_engine import sh
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson8.md"
BIG = 4 * 2**20
UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "KiB": 2**10, "MB": 1e6, "MiB": 2**20, "GB": 1e9, "GiB": 2**30}


def bytes_of(amount: str, unit: str) -> float:
    return float(amount) * UNITS[unit]


def folder_with_a_big_file(folder: Path, copy: str) -> Path:
    folder.mkdir()
    (folder / "small.txt").write_text("a few bytes\n")
    (folder / "big.bin").write_bytes(os.urandom(BIG))  # random: no compression makes it small
    (folder / "Dockerfile").write_text(f"FROM busybox\n{copy}\n")
    return folder


def build(folder: Path, images: list[str], buildkit: str) -> str:
    """`docker build .` in `folder`; the build's output (BuildKit's plain progress, or the older builder's)."""
    progress = "--progress=plain " if buildkit == "1" else ""
    run = sh(f"DOCKER_BUILDKIT={buildkit} docker build {progress}--iidfile iid . 2>&1", cwd=folder)
    images.append((folder / "iid").read_text().strip())
    return run.stdout


def buildkit_sent(output: str) -> float:
    """The largest `transferring context: 4.20MB` of BuildKit's output, in bytes."""
    sizes = re.findall(r"transferring context: ([\d.]+)([kKMG]?i?B)", output)
    assert sizes, output
    return max(bytes_of(amount, unit) for amount, unit in sizes)


def page_says(words: str) -> bool:
    return " ".join(words.split()) in " ".join(PAGE.read_text(encoding="utf-8").split())


def test_buildkit_sends_only_what_the_copy_lines_ask_for(tmp_path, images):
    assert page_says("BuildKit, today's builder, sends only the files the `COPY` lines ask for")
    one_file = build(folder_with_a_big_file(tmp_path / "one", "COPY small.txt /"), images, "1")
    assert buildkit_sent(one_file) < 100_000, one_file
    assert page_says("`COPY . .` asks for everything.")
    everything = build(folder_with_a_big_file(tmp_path / "all", "COPY . /context/"), images, "1")
    assert buildkit_sent(everything) >= BIG, everything


def test_the_older_builder_sends_the_whole_folder(tmp_path, images):
    assert page_says("The older builder sent all of it, whether a `COPY` used it or not")
    output = build(folder_with_a_big_file(tmp_path / "one", "COPY small.txt /"), images, "0")
    sent = re.search(r"Sending build context to Docker daemon\s+([\d.]+)([kKMG]?i?B)", output)
    assert sent, output
    assert bytes_of(*sent.groups()) >= BIG, output


@pytest.mark.parametrize("ignored", [True, False], ids=["dockerfile-ignored", "dockerfile-in-context"])
def test_editing_an_ignored_dockerfile_leaves_copy_cached(tmp_path, images, ignored):
    """Lesson 3: with the Dockerfile in .dockerignore, editing it does not change what `COPY . .` copies,
    so the COPY (and the slow steps after it) stay cached; without that line, the COPY runs again."""
    lesson3 = " ".join((ROOT / "docs" / "lessons" / "lesson3.md").read_text(encoding="utf-8").split())
    assert "editing the Dockerfile does not change what `COPY . .` copies" in lesson3
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "app.py").write_text(f"print('{uuid.uuid4()}')\n")  # new content: no earlier run's cache
    (folder / ".dockerignore").write_text("Dockerfile\n.dockerignore\niid\n" if ignored else "iid\n")
    (folder / "Dockerfile").write_text("FROM busybox\nWORKDIR /app\nCOPY . .\n")
    build(folder, images, "1")
    (folder / "Dockerfile").write_text("FROM busybox\nWORKDIR /app\nCOPY . .\nLABEL edited=yes\n")
    again = build(folder, images, "1")
    copy = re.search(r"^#\d+ (CACHED )?\[\d/\d\] COPY \. \.", again, re.MULTILINE)
    cached = re.search(r"^#(\d+) \[\d/\d\] COPY \. \.\n#\1 CACHED", again, re.MULTILINE) or (copy and copy.group(1))
    assert bool(cached) == ignored, again
