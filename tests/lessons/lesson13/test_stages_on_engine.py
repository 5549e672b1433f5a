"""Lesson 13's sentences on stages, built on the engine with busybox:

- a stage inherits its FROM image and nothing else: not the ENV, WORKDIR, EXPOSE or CMD of another stage;
- BuildKit skips a stage the last one does not need, while the older builder builds every stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learner_engine import docker, sh
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson13.md"


def page_says(words: str) -> bool:
    return " ".join(words.split()) in " ".join(PAGE.read_text(encoding="utf-8").split())


def build(folder: Path, dockerfile: str, images: list[str], buildkit: str = "1"):
    folder.mkdir(exist_ok=True)
    (folder / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    (folder / "iid").unlink(missing_ok=True)
    remove = "" if buildkit == "1" else "--force-rm "  # the older builder keeps a failed step's container
    run = sh(f"DOCKER_BUILDKIT={buildkit} docker build {remove}--iidfile iid . 2>&1", cwd=folder, check=False)
    if (folder / "iid").exists():
        images.append((folder / "iid").read_text().strip())
    return run


def test_a_stage_inherits_its_from_image_and_nothing_else(tmp_path, images):
    assert page_says("A stage inherits its `FROM` image and nothing else: not the `ENV`, `WORKDIR`, `EXPOSE` or `CMD`")
    run = build(
        tmp_path,
        'FROM busybox AS build\nENV FROM_BUILD=1\nWORKDIR /from/build\nEXPOSE 4000\nCMD ["false"]\n'
        "RUN echo made > /made\n"
        "FROM busybox\nCOPY --from=build /made /made\n",
        images,
    )
    assert run.returncode == 0, run.stdout
    final = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", images[-1]).stdout)
    base = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", "busybox").stdout)
    assert not any(item.startswith("FROM_BUILD=") for item in final["Env"]), final["Env"]
    assert (final.get("WorkingDir") or "") == (base.get("WorkingDir") or "")
    assert not final.get("ExposedPorts") and final["Cmd"] == base["Cmd"], final


def test_buildkit_skips_a_stage_nothing_needs_and_the_older_builder_builds_it(tmp_path, images):
    assert page_says("BuildKit skips a stage that the last one does not need; the older builder builds every stage")
    dockerfile = "FROM busybox AS unused\nRUN echo building the unused stage && exit 3\nFROM busybox\nRUN true\n"
    skipped = build(tmp_path / "buildkit", dockerfile, images, buildkit="1")
    assert skipped.returncode == 0 and "building the unused stage" not in skipped.stdout, skipped.stdout
    built = build(tmp_path / "legacy", dockerfile, images, buildkit="0")
    assert built.returncode != 0 and "building the unused stage" in built.stdout, built.stdout
