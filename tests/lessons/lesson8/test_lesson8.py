"""Lesson 8: the learner's image exists under its name, is built from the current Dockerfile, and its
size and layers are reported. Every diagnosis is produced for real on the engine."""

from __future__ import annotations

import json
import shutil

import pytest

from support import run_checks
from learner_engine import (  # noqa: F401  (fixtures)
    forget_progress,
    IMAGE, assert_sample, containers, docker, images, learner_image, learner_workspace, sh, snippets,
    unique,
)

from checks.checkers.lesson8 import normalise_step

pytestmark = pytest.mark.docker


def lesson8(workspace, *options: str):
    run = run_checks("lesson8", "--json", "--path", str(workspace), *options)
    forget_progress(workspace)
    assert run.code in (0, 1), run.err
    return run


@pytest.fixture
def edited_workspace(learner_workspace, tmp_path):
    """A copy of the learner's workspace whose Dockerfile changes after the image was built."""
    folder = tmp_path / "together"
    shutil.copytree(learner_workspace, folder)
    return folder


def test_reference_commands_pass(learner_image, learner_workspace):
    listed = sh(snippets("lesson8")["list"], cwd=learner_workspace)
    assert "together" in listed.stdout and "0.0.1" in listed.stdout
    history = sh(snippets("lesson8")["history"], cwd=learner_workspace)
    assert "pip install" in history.stdout
    checked = sh(snippets("lesson8")["check"], cwd=learner_workspace, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Lesson 8 passed" in checked.stdout
    assert_sample("lesson8-pass", snippets("lesson8")["check"], checked.stdout, learner_workspace)


def test_image_exists(learner_image, learner_workspace):
    run = lesson8(learner_workspace)
    assert run.status("image-exists") == "passed"
    assert IMAGE in run.check("image-exists")["message"]


def test_image_exists_catches_a_missing_image_and_lists_look_alikes(learner_image, learner_workspace):
    run = lesson8(learner_workspace, "--image", "together:0.0.2")
    assert run.code == 1
    message = run.check("image-exists")["message"]
    assert run.status("image-exists") == "failed"
    assert "together:0.0.2" in message and "look like yours" in message and IMAGE in message
    assert run.status("image-current") == "skipped"


def test_image_exists_catches_no_image_at_all(learner_image, edited_workspace):
    # a Dockerfile no image on this engine was built from, so no untagged image matches it either
    dockerfile = edited_workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + f"ENV BUILD_NOTE={unique('never-built')}\n")
    run = lesson8(edited_workspace, "--image", "qqxz-nothing-like-it:1")
    assert run.status("image-exists") == "failed"
    assert "no image that looks like it" in run.check("image-exists")["message"]


def test_image_exists_catches_an_untagged_image(learner_image, edited_workspace, images):
    # the learner forgot -t: `docker build .` leaves an image with no name (<none>)
    dockerfile = edited_workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + f"ENV BUILD_NOTE={unique('untagged')}\n")
    built = sh("docker build -q .", cwd=edited_workspace)
    untagged = built.stdout.strip().splitlines()[-1]
    images.append(untagged)
    assert docker("image", "inspect", "--format", "{{.RepoTags}}", untagged).stdout.strip() == "[]"
    wanted = unique("never-tagged") + ":0.0.1"
    run = lesson8(edited_workspace, "--image", wanted)
    message = run.check("image-exists")["message"]
    assert run.status("image-exists") == "failed", message
    assert "untagged (<none>)" in message and untagged.removeprefix("sha256:")[:12] in message
    assert f"docker tag {untagged.removeprefix('sha256:')[:12]} {wanted}" in message


def test_image_current(learner_image, learner_workspace):
    run = lesson8(learner_workspace)
    assert run.status("image-current") == "passed", run.check("image-current")


def test_image_current_catches_a_dockerfile_edited_after_the_build(learner_image, edited_workspace):
    dockerfile = edited_workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "ENV FLASK_DEBUG=0\n")
    run = lesson8(edited_workspace)
    message = run.check("image-current")["message"]
    assert run.status("image-current") == "failed", message
    assert "older" in message and "FLASK_DEBUG=0" in message and "docker build . -t together:0.0.1" in message


def test_image_current_catches_a_new_step_not_yet_built(learner_image, edited_workspace):
    dockerfile = edited_workspace / "Dockerfile"
    text = dockerfile.read_text().replace("EXPOSE 4000", "RUN useradd --no-create-home app\nEXPOSE 4000")
    dockerfile.write_text(text)
    run = lesson8(edited_workspace)
    message = run.check("image-current")["message"]
    assert run.status("image-current") == "failed", message
    assert "useradd --no-create-home app" in message and "lacks" in message


def test_image_current_catches_an_app_file_changed_after_the_build(learner_image, edited_workspace):
    """The Dockerfile is the same, the code it copies is not: the image has yesterday's app."""
    app = edited_workspace / "together" / "app.py"
    app.write_text(app.read_text() + "\n# changed after the build\n")
    run = lesson8(edited_workspace)
    message = run.check("image-current")["message"]
    assert run.status("image-current") == "failed", message
    assert "together/app.py has changed since the image was built" in message and "docker build" in message


def test_image_current_catches_a_label_added_after_the_build(learner_image, edited_workspace):
    dockerfile = edited_workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + 'LABEL org.opencontainers.image.version="0.0.1"\n')
    run = lesson8(edited_workspace)
    message = run.check("image-current")["message"]
    assert run.status("image-current") == "failed", message
    assert "Labels" in message and "org.opencontainers.image.version" in message


def test_image_exists_names_the_image_it_grades(learner_image, learner_workspace):
    """`--image together:latest`: the title does not claim together:0.0.1, the message names what was graded."""
    tag = unique("latest-test") + ":latest"
    docker("tag", IMAGE, tag)
    try:
        run = lesson8(learner_workspace, "--image", tag)
        result = run.check("image-exists")
        assert result["status"] == "passed" and tag in result["message"]
        assert IMAGE not in result["title"]
    finally:
        docker("image", "rm", tag, check=False)


def test_image_current_catches_not_a_rebuilt_image(learner_image, edited_workspace):
    # the learner edits, then rebuilds as the page says: current again
    dockerfile = edited_workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "ENV FLASK_DEBUG=0\n")
    tag = unique("rebuilt") + ":0.0.1"
    try:
        sh(f"docker build . -t {tag}", cwd=edited_workspace)
        run = lesson8(edited_workspace, "--image", tag)
        assert run.status("image-current") == "passed", run.check("image-current")
    finally:
        docker("image", "rm", tag, check=False)


def test_image_size(learner_image, learner_workspace):
    run = lesson8(learner_workspace)
    inspected = json.loads(docker("image", "inspect", IMAGE).stdout)[0]
    layers = len(inspected["RootFS"]["Layers"])
    message = run.check("image-size")["message"]
    assert run.status("image-size") == "passed"
    assert f"{inspected['Size'] / 1e6:.0f} MB in {layers} layers" in message
    base_layers = len(json.loads(docker("image", "inspect", "python:3.13-slim").stdout)[0]["RootFS"]["Layers"])
    assert f"{base_layers} from the base image" in message


@pytest.mark.parametrize("classic, buildkit", [
    ('/bin/sh -c #(nop) WORKDIR /usr/src/app', "WORKDIR /usr/src/app"),
    ('/bin/sh -c #(nop) COPY dir:0a1b2c3d in . ', "COPY . . # buildkit"),
    ("/bin/sh -c apt-get update && apt-get install -y gcc", "RUN /bin/sh -c apt-get update && apt-get install -y gcc # buildkit"),
    ('/bin/sh -c #(nop)  EXPOSE 4000', "EXPOSE map[4000/tcp:{}]"),
    ('/bin/sh -c #(nop)  CMD ["./bin/run_dev.sh"]', 'CMD ["./bin/run_dev.sh"]'),
])
def test_steps_read_the_same_from_both_builders(classic, buildkit):
    assert normalise_step(classic) == normalise_step(buildkit)


def test_labels_are_not_steps():
    assert normalise_step("LABEL org.docker-lessons.checks.run=abc") is None
    assert normalise_step("RUN /bin/sh -c true # buildkit") != normalise_step("RUN /bin/sh -c false # buildkit")
