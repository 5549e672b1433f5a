"""Every mistake fixture fails its lesson with its own diagnosis, and the earlier lessons still pass.

A fixture is tests/lessons/lessonN/fixtures/<check-id>[--variant].Dockerfile: a small Dockerfile
with one learner mistake. Its first comment lines say what the mistake is (`# mistake: …`) and,
when the diagnosis is a warning rather than a failure, `# expect: warning`.

A mistake that is not in the Dockerfile (a script saved with CRLF, a misnamed Dockerfile) is a
folder fixtures/<check-id>[--variant]/ whose files are laid over the sample app, with the same
`# mistake:` (and `# expect:`) lines in its `mistake.txt`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import ROOT, lesson_workspace, run_checks

FIXTURES = sorted([*(ROOT / "tests" / "lessons").glob("lesson*/fixtures/*.Dockerfile"),
                   *(p.parent for p in (ROOT / "tests" / "lessons").glob("lesson*/fixtures/*/mistake.txt"))])


def notes(path: Path) -> str:
    note = path / "mistake.txt" if path.is_dir() else path
    return note.read_text(encoding="utf-8", errors="replace")


def expectation(path: Path) -> tuple[str, str, str]:
    """(lesson id, check id, expected status) of a fixture."""
    lesson = path.parent.parent.name
    check_id = path.name.removesuffix(".Dockerfile").split("--")[0]
    found = re.search(r"^# expect: (\w+)", notes(path), re.MULTILINE)
    return lesson, check_id, found.group(1) if found else "failed"


def lay_over(fixture: Path, folder: Path) -> None:
    """Put the fixture's files into the workspace, byte for byte (CRLF stays CRLF)."""
    if fixture.is_file():
        (folder / "Dockerfile").write_bytes(fixture.read_bytes())
        return
    for source in fixture.rglob("*"):
        if source.is_file() and source.name != "mistake.txt":
            target = folder / source.relative_to(fixture)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)


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


# a step that never ends is stopped after CHECKS_STEP_SILENCE quiet seconds (45 by default): less here
QUICKER = {"run-finishes": {"CHECKS_STEP_SILENCE": "8"}}


@pytest.mark.parametrize("fixture", list(params()))
def test_fixture_is_diagnosed(fixture: Path, workspace, monkeypatch):
    lesson, check_id, status = expectation(fixture)
    for name, value in QUICKER.get(check_id, {}).items():
        monkeypatch.setenv(name, value)
    folder = lesson_workspace(workspace, lesson, solved=False)  # the lesson's starter, then the mistake
    lay_over(fixture, folder)
    run = run_checks(lesson, "--json", "--path", str(folder))
    assert run.code == 1 if status == "failed" else run.code in (0, 1), run.err
    assert run.status(check_id) == status, run.check(check_id)
    assert run.check(check_id)["message"], "a diagnosis says what it found"
    from checks.catalogue import load

    catalogue = load()
    # a mistake that really breaks an earlier step (a .dockerignore that keeps out requirements.txt)
    # says so in `# also fails: <check-id>` lines; any other earlier failure is a false alarm
    also = set(re.findall(r"^# also fails: ([\w-]+)", notes(fixture), re.MULTILINE))
    for earlier in catalogue.before(catalogue.get(lesson)):
        for info in earlier.checks:
            if info.id in also:
                continue
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
        assert re.search(r"^# mistake: .+", notes(path), re.MULTILINE), (
            f"{path}: say what the mistake is in a `# mistake: …` line")
