"""Every mistake fixture fails its lesson with its own diagnosis, and the earlier lessons still pass.

A fixture is tests/lessons/lessonN/fixtures/<check-id>[--variant].Dockerfile: a small Dockerfile
with one learner mistake, or a folder <check-id>[--variant]/ with a `mistake.txt` whose files are
laid over the sample app (a script saved with CRLF, a misnamed Dockerfile). Their rules (the
`# mistake:`, `# expect:` and `# also fails:` lines) are in checks/fixtures.py, which the lesson
pages read too: every fixture tested here is shown on its lesson's page.
"""

from __future__ import annotations

import os
import re

import pytest

from checks.catalogue import load
from checks.fixtures import MistakeFixture, all_mistake_fixtures
from support import ROOT, graded_fixture

# the same list the lesson pages show (checks/fixtures.py)
FIXTURES = all_mistake_fixtures(load())


def needs_engine(lesson_id: str) -> bool:
    from checks.catalogue import load

    catalogue = load()
    lesson = catalogue.get(lesson_id)
    return any(step.evidence != "dockerfile" for step in (*catalogue.before(lesson), lesson))


def params():
    # .ci/run's phase on the oldest engine grades the first few of each lesson (FIXTURES_PER_LESSON), the others all
    per_lesson = int(os.environ.get("FIXTURES_PER_LESSON") or 0)
    taken: dict[str, int] = {}
    for fixture in FIXTURES:
        taken[fixture.lesson_id] = taken.get(fixture.lesson_id, 0) + 1
        if per_lesson and taken[fixture.lesson_id] > per_lesson:
            continue
        marks = [pytest.mark.docker] if needs_engine(fixture.lesson_id) else []
        yield pytest.param(fixture, id=f"{fixture.lesson_id}/{fixture.path.name}", marks=marks)


# a step that never ends is stopped after CHECKS_STEP_SILENCE quiet seconds (45 by default): less here
QUICKER = {"run-finishes": {"CHECKS_STEP_SILENCE": "8"}}


@pytest.mark.parametrize("fixture", list(params()))
def test_fixture_is_diagnosed(fixture: MistakeFixture, workspace):
    lesson, check_id, status = fixture.lesson_id, fixture.check_id, fixture.expect
    # the lesson's starter, then the mistake; graded once per session (the lesson's own tests may read it too)
    run = graded_fixture(fixture, workspace, QUICKER.get(check_id))
    assert run.code == 1 if status == "failed" else run.code in (0, 1), run.err
    assert run.status(check_id) == status, run.check(check_id)
    assert run.check(check_id)["message"], "a diagnosis says what it found"
    catalogue = load()
    # a mistake that really breaks an earlier step (a .dockerignore that keeps out requirements.txt)
    # says so in `# also fails: <check-id>` lines; any other earlier failure is a false alarm
    also = set(fixture.also_fails)
    for earlier in catalogue.before(catalogue.get(lesson)):
        for info in earlier.checks:
            if info.id in also:
                continue
            assert run.status(info.id) not in ("failed", "error"), (
                f"false alarm from {earlier.id} on a {lesson} mistake: {run.check(info.id)}"
            )


def test_every_fixture_names_a_check_of_its_lesson():
    catalogue = load()
    for fixture in FIXTURES:
        path, lesson, check_id, status = fixture.path, fixture.lesson_id, fixture.check_id, fixture.expect
        assert catalogue.get(lesson) is not None, path
        assert check_id in {c.id for c in catalogue.get(lesson).checks}, f"{path}: no check {check_id} in {lesson}"
        assert status in ("failed", "warning"), path
        assert re.search(r"^# mistake: .+", fixture.notes, re.MULTILINE), (
            f"{path}: say what the mistake is in a `# mistake: …` line"
        )


def test_every_fixture_folder_entry_is_a_fixture():
    """A fixture the rules do not recognise would be neither tested nor shown: the folders hold only fixtures."""
    for folder in sorted((ROOT / "tests" / "lessons").glob("lesson*/fixtures")):
        listed = {fixture.path for fixture in FIXTURES if fixture.path.parent == folder}
        entries = {path for path in folder.iterdir() if not path.name.startswith(".") and path.name != "__pycache__"}
        assert entries == listed, folder
