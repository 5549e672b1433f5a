"""`checks` on rootless Docker: an engine run by an ordinary user (Docker's dockerd-rootless.sh),
reached through DOCKER_HOST (scripts/rootless-engine.sh provisions it; .ci/run sets ROOTLESS_HOST).

The course's last solution passes every check of lessons 1-15 there, the learner's own commands of
lessons 8-10 work as the pages type them, and a mistake is named as on the system's Docker. Without
ROOTLESS_HOST these tests are skipped, unless REQUIRE_ROOTLESS=1.
"""

from __future__ import annotations

import os

import pytest

from other_engines import (
    CORPUS,
    SOLUTION_7,
    case_workspace,
    graded,
    learner_on,
    lessons_8_to_10_as_the_pages_type_them,
    needs,
    not_passed,
)
from support import ROOT, checks_process

ROOTLESS_HOST = os.environ.get("ROOTLESS_HOST", "")
# marked `docker` too: the system's Docker answers the side-by-side verdicts
pytestmark = needs(ROOTLESS_HOST, "REQUIRE_ROOTLESS", "scripts/rootless-engine.sh")


@pytest.fixture
def rootless():
    yield from learner_on(ROOTLESS_HOST, "rootless Docker", "scripts/rootless-engine.sh")


def test_doctor_names_rootless_docker(rootless, workspace):
    process = checks_process("doctor", "--path", str(workspace()), env=rootless, timeout=300)
    assert "✓ engine: rootless Docker" in process.stdout
    assert "✓ docker build: works, with BuildKit" in process.stdout
    assert process.returncode == 0, process.stdout


def test_the_last_solution_passes_every_check_on_rootless_docker(rootless, tmp_path):
    folder = case_workspace(tmp_path / "together", ROOT / "lessons" / "lesson15" / "solution" / "Dockerfile")
    verdicts = graded(folder, "lesson15", rootless)
    assert len(verdicts) > 70 and not not_passed(verdicts), not_passed(verdicts)


def test_a_mistake_is_named_as_on_the_system_docker(rootless, tmp_path):
    crlf = CORPUS / "mistakes" / "082-crlf-script.Dockerfile"
    on_docker = graded(case_workspace(tmp_path / "on-docker", crlf), "lesson7", {})
    on_rootless = graded(case_workspace(tmp_path / "on-rootless", crlf), "lesson7", rootless)
    assert on_rootless == on_docker and on_docker["script-line-endings"] == "failed"


def test_lessons_8_to_10_with_the_pages_commands_on_rootless_docker(rootless, tmp_path):
    lessons_8_to_10_as_the_pages_type_them(rootless, case_workspace(tmp_path / "together", SOLUTION_7))
