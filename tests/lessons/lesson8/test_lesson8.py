"""Lesson 8: the learner's image exists under its name, is built from the current Dockerfile, and its
size and layers are reported. Every diagnosis is produced for real on the engine."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from checks.checkers.lesson8 import normalise_step
from learner_engine import (
    IMAGE,
    ROOT,
    assert_sample,
    assert_terminal_sample,
    containerd_store,
    docker,
    forget_progress,
    image_id,
    number_steps,
    sh,
    shorten_build,
    snippets,
    transcript,
    try_sections,
    unique,
)
from support import run_checks

pytestmark = pytest.mark.docker


def lesson8(workspace, *options: str):
    run = run_checks("lesson8", "--json", "--path", str(workspace), *options)
    forget_progress(workspace)
    assert run.code in (0, 1), run.err
    return run


@pytest.fixture(scope="module")
def graded(learner_image, learner_workspace):
    """`checks lesson8` on the learner's workspace and image as the page leaves them, graded once."""
    return lesson8(learner_workspace)


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
    # the page: WORKDIR records a layer (listed at 0B; on the containerd store, the disk space of a folder,
    # some 16kB), EXPOSE and CMD only configuration
    workdir = next(line for line in history.stdout.splitlines() if "WORKDIR /usr/src/app" in line)
    listed = re.search(r"\s(0B|[\d.]+kB)\s", workdir)
    assert listed and (listed.group(1) == "0B" or (containerd_store() and float(listed.group(1)[:-2]) < 64)), workdir
    layers = json.loads(docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", IMAGE).stdout)
    base = json.loads(docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", "python:3.13-slim").stdout)
    assert len(layers) - len(base) == 4  # WORKDIR, COPY, RUN apt-get, RUN pip: not EXPOSE, not CMD
    checked = sh(snippets("lesson8")["check"], cwd=learner_workspace, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Lesson 8 passed" in checked.stdout
    assert_sample("lesson8-pass", snippets("lesson8")["check"], checked.stdout, learner_workspace)


def test_image_exists(graded):
    run = graded
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


def test_image_current(graded):
    run = graded
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


def test_image_size(graded):
    run = graded
    inspected = json.loads(docker("image", "inspect", IMAGE).stdout)[0]
    layers = len(inspected["RootFS"]["Layers"])
    message = run.check("image-size")["message"]
    assert run.status("image-size") == "passed"
    assert f"{inspected['Size'] / 1e6:.0f} MB in {layers} layers" in message
    base_layers = len(json.loads(docker("image", "inspect", "python:3.13-slim").stdout)[0]["RootFS"]["Layers"])
    assert f"{base_layers} from the base image" in message


@pytest.mark.parametrize(
    "classic, buildkit",
    [
        ("/bin/sh -c #(nop) WORKDIR /usr/src/app", "WORKDIR /usr/src/app"),
        ("/bin/sh -c #(nop) COPY dir:0a1b2c3d in . ", "COPY . . # buildkit"),
        (
            "/bin/sh -c apt-get update && apt-get install -y gcc",
            "RUN /bin/sh -c apt-get update && apt-get install -y gcc # buildkit",
        ),
        ("/bin/sh -c #(nop)  EXPOSE 4000", "EXPOSE map[4000/tcp:{}]"),
        ('/bin/sh -c #(nop)  CMD ["./bin/run_dev.sh"]', 'CMD ["./bin/run_dev.sh"]'),
    ],
)
def test_steps_read_the_same_from_both_builders(classic, buildkit):
    assert normalise_step(classic) == normalise_step(buildkit)


def test_labels_are_not_steps():
    assert normalise_step("LABEL org.docker-lessons.checks.run=abc") is None
    assert normalise_step("RUN /bin/sh -c true # buildkit") != normalise_step("RUN /bin/sh -c false # buildkit")


# What the page shows the learner, generated here: docs/samples/lesson8-*.txt.


def test_the_pages_build_list_and_history_outputs(learner_image, learner_workspace):
    commands = snippets("lesson8")
    # `checks lesson7` and this session's fixture built the same steps already: every step is CACHED,
    # as it is for a learner whose first `docker build` follows `checks lesson7`
    built, _ = transcript(commands["build"], cwd=learner_workspace)
    assert re.search(r"\[5/5\] RUN pip install.*\n#\d+ CACHED", built), built
    built = number_steps(built, learner_workspace / "Dockerfile")
    assert_terminal_sample("lesson8-build", commands["build"], shorten_build(built), built=True)
    listed, _ = transcript(commands["list"], cwd=learner_workspace)
    size = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Size"]
    assert re.search(rf"together\s+0\.0\.1\s+{image_id(IMAGE).removeprefix('sha256:')[:12]}", listed), listed
    shown = float(re.search(r"together\s+0\.0\.1\s+\S+\s+.*?\s([\d.]+)MB\s*$", listed, re.MULTILINE).group(1))
    if containerd_store():
        # the containerd image store adds the layers as downloaded or built (compressed) to the unpacked ones
        assert shown > size / 1e6 + 1, (size, listed)
    else:
        assert f"{size / 1e6:.0f}MB" in listed.replace(" ", ""), (size, listed)
    assert_terminal_sample("lesson8-images", commands["list"], listed)
    history, _ = transcript(commands["history"], cwd=learner_workspace)
    assert "pip install" in history and "apt-get update" in history
    # the sample stops at the learner's first step: the base image's own lines differ between the
    # official python:3.13-slim and the stand-in the tests run on
    lines = history.splitlines()
    own = next(index for index, line in enumerate(lines) if "WORKDIR /usr/src/app" in line)
    assert len(lines) > own + 1, history  # the base image's steps follow
    history = "\n".join([*lines[: own + 1], "[… the base image's own steps: docker image history python:3.13-slim …]"])
    assert_terminal_sample("lesson8-history", commands["history"], history)


@pytest.fixture
def try_workspace(learner_image, learner_workspace, tmp_path):
    """A copy of the learner's workspace to break things in; its images are tagged with a name of the
    test's own (never the learner's together:0.0.1) and removed afterwards."""
    folder = tmp_path / "together"
    shutil.copytree(learner_workspace, folder)
    tag = unique("together-try") + ":0.0.1"
    yield folder, {IMAGE: tag}
    docker("image", "rm", tag, check=False)


def build_steps(text: str) -> dict[str, str]:
    """{step: CACHED or DONE} of the last build in a transcript."""
    last = text.rsplit("$ docker build", 1)[-1]
    names = dict(re.findall(r"^#(\d+) \[\d+/\d+\] (.*)$", last, re.MULTILINE))
    outcomes = dict(re.findall(r"^#(\d+) (CACHED|DONE)\b", last, re.MULTILINE))
    return {name: outcomes.get(number, "") for number, name in names.items()}


def test_try_edit_the_app_and_every_step_after_copy_runs_again(try_workspace):
    folder, rename = try_workspace
    section = try_sections("lesson8")["edit"]
    text, _ = transcript(section, cwd=folder, rename=rename)
    text = number_steps(text, folder / "Dockerfile")
    steps = build_steps(text)
    assert steps["WORKDIR /usr/src/app"] == "CACHED", steps
    for step in (
        "COPY . .",
        "RUN apt-get update && apt-get install -y gcc",
        "RUN pip install --no-cache-dir -r requirements.txt",
    ):
        assert steps[step] == "DONE", (step, steps)
    assert_terminal_sample("lesson8-try-edit", section, shorten_build(text), built=True)


def test_try_copy_requirements_first_and_pip_stays_cached(try_workspace):
    folder, rename = try_workspace
    shutil.copyfile(ROOT / "lessons" / "lesson8" / "try" / "Dockerfile", folder / "Dockerfile")
    sections = try_sections("lesson8")
    transcript(sections["reorder"], cwd=folder, rename=rename)  # the first build runs what is not cached yet
    text, _ = transcript(sections["edit-again"], cwd=folder, rename=rename)
    text = number_steps(text, folder / "Dockerfile")
    steps = build_steps(text)
    for step in (
        "COPY requirements.txt .",
        "RUN apt-get update && apt-get install -y gcc",
        "RUN pip install --no-cache-dir -r requirements.txt",
    ):
        assert steps[step] == "CACHED", (step, steps)
    assert steps["COPY . ."] == "DONE", steps
    assert_terminal_sample("lesson8-try-edit-again", sections["edit-again"], shorten_build(text), built=True)


def test_try_apt_get_clean_has_nothing_left_to_clean(learner_image):
    """The page on the article's `apt-get clean`: the official images delete the downloaded packages
    after every install already (debuerreotype's docker-clean); the apt lists stay, and clean keeps them."""
    section = try_sections("lesson8")["apt-clean"]
    text, results = transcript(section)
    config, before, after = (result.stdout for result in results)
    assert 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb' in config
    sizes = [dict(reversed(line.split("\t")) for line in printed.splitlines()) for printed in (before, after)]
    # apt-get clean freed nothing worth a byte of thought: /var/cache/apt holds only folders, a few kB (20K here on
    # the classic store; the containerd store's snapshots count 12K after clean, 20K before)
    assert all(size["/var/cache/apt"].endswith("K") and int(size["/var/cache/apt"][:-1]) <= 64 for size in sizes), sizes
    assert sizes[0]["/var/lib/apt/lists"] == sizes[1]["/var/lib/apt/lists"], sizes
    assert sizes[0]["/var/lib/apt/lists"].endswith("M"), sizes  # megabytes of lists are still there
    assert_terminal_sample("lesson8-try-apt-clean", section, text)  # du's figures compared loosely
