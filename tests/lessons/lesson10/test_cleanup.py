"""The last page's clean-up commands (docs/commands/cleanup.sh) remove what the course created.

They run on a container and image names of the test's own (a shared engine has other users): the
app's container, the image under a name of its own, and names of its own for the base images, so
that `docker image rm` takes away only those names. The `cache` section (`docker image prune`,
`docker builder prune`) would empty the whole engine's cache, so it is checked for its syntax only.
"""

from __future__ import annotations

import re

import pytest

from learner_engine import (
    IMAGE,
    ROOT,
    SIDECAR_IMAGE,
    docker,
    sections_of,
    snippets,
    transcript,
    unique,
    wait_for_workers,
)

pytestmark = pytest.mark.docker
CLEANUP = ROOT / "docs" / "commands" / "cleanup.sh"


def test_cleanup_removes_the_course_containers_and_images(learner_image, containers):
    sections = sections_of(CLEANUP)
    own = unique("together")
    names = {
        "rm -f together": f"rm -f {own}",
        "together:0.0.1": f"{own}:0.0.1",
        "python:3.13-slim busybox": f"{own}-python:1 {own}-busybox:1",
        "name=together": f"name={own}",
        "images together": f"images {own}",
    }
    docker("tag", IMAGE, f"{own}:0.0.1")
    docker("tag", "python:3.13-slim", f"{own}-python:1")
    docker("tag", SIDECAR_IMAGE, f"{own}-busybox:1")
    containers.track(own)
    # as the learner has it after lesson 10: the app container running
    transcript(
        snippets("lesson9")["run"].replace("-p 127.0.0.1:4000:4000 ", ""),
        rename={"--name together": f"--name {own}", "together:0.0.1": f"{own}:0.0.1"},
    )
    wait_for_workers(own)
    transcript(sections["containers"], rename=names)
    assert docker("container", "inspect", own, check=False).returncode != 0
    transcript(sections["images"], rename=names)
    for name in (f"{own}:0.0.1", f"{own}-python:1", f"{own}-busybox:1"):
        assert docker("image", "inspect", name, check=False).returncode != 0, name
    shown, _ = transcript(sections["verify"], rename=names)
    # two headers, no row: nothing of the course is left
    assert [line.split()[0] for line in shown.splitlines() if not line.startswith("$")] == [
        "CONTAINER",
        "REPOSITORY",
    ], shown


def test_cleanup_cache_commands_are_docker_commands():
    for command in sections_of(CLEANUP)["cache"].splitlines():
        words = command.split()
        assert words[0] == "docker" and words[-1] == "prune", command
        helped = docker(*words[1:], "--help")
        assert re.search(r"^Usage:\s+docker \S+ prune", helped.stdout, re.MULTILINE), helped.stdout  # builder: buildx


def test_cleanup_cache_commands_ask_first_and_say_they_take_what_is_dangling():
    """docs/next.md: each asks (`y` to confirm); what they take is what their question calls dangling.
    Answered `n`, and filtered to what is unused for a century, they remove nothing from the shared engine."""
    import subprocess

    page = " ".join((ROOT / "docs" / "next.md").read_text(encoding="utf-8").split())
    assert "each after asking you (`y` to confirm)" in page and 'its question calls it "dangling"' in page
    asked = {
        "docker image prune": "WARNING! This will remove all dangling images.",
        "docker builder prune": "WARNING! This will remove all dangling build cache.",
    }
    for command in sections_of(CLEANUP)["cache"].splitlines():
        run = subprocess.run(
            [*command.split(), "--filter", "until=876000h"], input="n\n", capture_output=True, text=True, timeout=60
        )
        shown = run.stdout + run.stderr
        assert asked[command] in shown and "[y/N]" in shown, shown
        assert "Total reclaimed space" not in shown and "Deleted" not in shown, shown
