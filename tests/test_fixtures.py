"""Every mistake fixture fails its lesson with its own diagnosis, and the earlier lessons still pass.

A fixture is tests/lessons/lessonN/fixtures/<check-id>[--variant].Dockerfile: a small Dockerfile
with one learner mistake. Its first comment lines say what the mistake is (`# mistake: …`) and,
when the diagnosis is a warning rather than a failure, `# expect: warning`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, run_checks

FIXTURES = sorted((ROOT / "tests" / "lessons").glob("lesson*/fixtures/*.Dockerfile"))


def expectation(path: Path) -> tuple[str, str, str]:
    """(lesson id, check id, expected status) of a fixture."""
    lesson = path.parent.parent.name
    check_id = path.name.removesuffix(".Dockerfile").split("--")[0]
    found = re.search(r"^# expect: (\w+)", path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)
    return lesson, check_id, found.group(1) if found else "failed"


def needs_engine(lesson_id: str) -> bool:
    from checks.catalogue import load

    catalogue = load()
    lesson = catalogue.get(lesson_id)
    return any(step.evidence != "dockerfile" for step in (*catalogue.before(lesson), lesson))


def params():
    for path in FIXTURES:
        lesson, check_id, _ = expectation(path)
        marks = [pytest.mark.docker] if needs_engine(lesson) else []
        yield pytest.param(path, id=f"{lesson}/{path.name}", marks=marks)


@pytest.mark.parametrize("fixture", list(params()))
def test_fixture_is_diagnosed(fixture: Path, workspace):
    lesson, check_id, status = expectation(fixture)
    folder = workspace()
    (folder / "Dockerfile").write_bytes(fixture.read_bytes())
    run = run_checks(lesson, "--json", "--path", str(folder))
    assert run.code == 1 if status == "failed" else run.code in (0, 1), run.err
    assert run.status(check_id) == status, run.check(check_id)
    assert run.check(check_id)["message"], "a diagnosis says what it found"
    from checks.catalogue import load

    catalogue = load()
    for earlier in catalogue.before(catalogue.get(lesson)):
        for info in earlier.checks:
            assert run.status(info.id) not in ("failed", "error"), (
                f"false alarm from {earlier.id} on a {lesson} mistake: {run.check(info.id)}")


def test_every_fixture_names_a_check_of_its_lesson():
    from checks.catalogue import load

    catalogue = load()
    for path in FIXTURES:
        lesson, check_id, status = expectation(path)
        assert catalogue.get(lesson) is not None, path
        assert check_id in {c.id for c in catalogue.get(lesson).checks}, f"{path}: no check {check_id} in {lesson}"
        assert status in ("failed", "warning"), path
        assert re.search(r"^# mistake: .+", path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE), (
            f"{path}: say what the mistake is in a `# mistake: …` line")
