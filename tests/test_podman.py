"""`checks` on Podman, as a learner with Podman uses the course: the Docker CLI talking to Podman's
Docker-compatible API through DOCKER_HOST (scripts/podman-engine.sh provisions it; .ci/run sets
PODMAN_HOST to its socket).

The same Dockerfiles get the same verdicts as on Docker; where Podman differs the difference is
named: `docker build` needs DOCKER_BUILDKIT=0 (Podman has no BuildKit), Podman's Docker API leaves
an image's HEALTHCHECK out (checks asks Podman's own API), and Podman runs no health probe without
systemd. Without PODMAN_HOST these tests are skipped, unless REQUIRE_PODMAN=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from other_engines import (
    CORPUS,
    SOLUTION_7,
    case_workspace,
    graded,
    learner_on,
    lessons_8_to_10_as_the_pages_type_them,
    needs,
    reported,
)
from support import ROOT, checks_process

PODMAN_HOST = os.environ.get("PODMAN_HOST", "")
# marked `docker` too: the system's Docker answers the side-by-side verdicts
pytestmark = needs(PODMAN_HOST, "REQUIRE_PODMAN", "scripts/podman-engine.sh")


@pytest.fixture
def podman():
    yield from learner_on(PODMAN_HOST, "Podman", "scripts/podman-engine.sh")


def test_doctor_names_podman_and_what_docker_build_needs_there(podman, workspace):
    folder = workspace()
    without = checks_process("doctor", "--path", str(folder), env={**podman, "DOCKER_BUILDKIT": ""}, timeout=300)
    assert "✓ engine: Podman" in without.stdout
    assert "✗ docker build: fails" in without.stdout and "DOCKER_BUILDKIT=0" in without.stdout
    assert without.returncode == 1
    with_legacy = checks_process("doctor", "--path", str(folder), env={**podman, "DOCKER_BUILDKIT": "0"}, timeout=300)
    assert "✓ docker build: works, with Podman's own builder (Buildah)" in with_legacy.stdout
    assert with_legacy.returncode == 0, with_legacy.stdout


@pytest.mark.parametrize(
    "dockerfile",
    [
        SOLUTION_7,
        CORPUS / "mistakes" / "068-cmd-script-no-path.Dockerfile",  # the engine's own words for a missing program
        CORPUS / "mistakes" / "082-crlf-script.Dockerfile",  # the kernel's: `#!/bin/sh\r` is no interpreter
    ],
    ids=lambda path: path.name if path != SOLUTION_7 else "lesson7-solution",
)
def test_a_dockerfile_gets_the_same_verdicts_on_podman_as_on_docker(podman, tmp_path, dockerfile):
    on_docker = graded(case_workspace(tmp_path / "on-docker", dockerfile), "lesson7", {})
    on_podman = graded(case_workspace(tmp_path / "on-podman", dockerfile), "lesson7", podman)
    assert on_podman == on_docker


def test_lessons_8_to_10_with_the_pages_commands_on_podman(podman, tmp_path):
    learner = {**podman, "DOCKER_BUILDKIT": "0"}  # as `checks doctor` says for Podman
    lessons_8_to_10_as_the_pages_type_them(learner, case_workspace(tmp_path / "together", SOLUTION_7))


def test_lesson15_reads_the_healthcheck_podman_keeps_and_names_why_no_probe_runs(podman, tmp_path):
    folder = case_workspace(tmp_path / "together", ROOT / "lessons" / "lesson15" / "solution" / "Dockerfile")
    found = reported(folder, "lesson15", podman)
    assert found["healthcheck-in-image"]["status"] == "passed"  # from Podman's own API: its Docker API leaves it out
    assert found["deps-cached-after-code-change"]["status"] == "passed"  # Buildah's "--> Using cache" read
    if Path("/run/systemd/system").is_dir():  # Podman probes from systemd timers
        assert found["container-healthy"]["status"] == found["unhealthy-when-broken"]["status"] == "passed"
    else:
        assert found["container-healthy"]["status"] == "failed"
        assert "Podman runs HEALTHCHECK probes from systemd timers" in found["container-healthy"]["message"]
        assert "systemd=true" in found["container-healthy"]["hint"]
