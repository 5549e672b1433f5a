"""The catalogue tests itself: every lesson is complete, its starter fails and its solution passes."""

from __future__ import annotations

import shutil

import pytest

from checks.catalogue import CatalogueError, load
from checks.fixtures import mistake_fixtures
from checks.runner import functions_of
from support import ROOT, lesson_workspace, run_checks

CATALOGUE = load()


def lesson_params():
    for lesson in CATALOGUE.lessons:
        steps = (*CATALOGUE.before(lesson), lesson)
        marks = [pytest.mark.docker] if any(step.evidence != "dockerfile" for step in steps) else []
        yield pytest.param(lesson, id=lesson.id, marks=marks)


@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.id) for lesson in CATALOGUE.lessons])
def test_lesson_is_complete(lesson):
    assert functions_of(lesson), lesson.id  # raises if lesson.toml and the module disagree
    for info in lesson.checks:
        assert info.title and info.hint and info.why, info
        function = functions_of(lesson)[info.id]
        assert function.__doc__, f"{info.id}: say in a docstring what the check proves"
    tests = ROOT / "tests" / "lessons" / lesson.id
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in tests.rglob("test_*.py"))
    fixtures = {fixture.check_id for fixture in mistake_fixtures(lesson)}
    for info in lesson.checks:
        test_name = "def test_" + info.id.replace("-", "_")
        assert test_name in text, f"{lesson.id}: check {info.id} has no unit test ({test_name}…)"
        assert info.id in fixtures or lesson.evidence == "engine", (
            f"{lesson.id}: check {info.id} has no mistake fixture tests/lessons/{lesson.id}/fixtures/{info.id}.Dockerfile"
        )


@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.id) for lesson in CATALOGUE.lessons])
def test_lesson_page_exists(lesson):
    page = ROOT / "docs" / lesson.page
    assert page.is_file(), f"{lesson.id}: docs page {lesson.page} is missing"


def dockerfile_lessons():
    """The lessons graded on the workspace (lessons 8-10 grade the engine: their tests run their commands)."""
    return [p for p in lesson_params() if p.values[0].evidence != "engine"]


@pytest.mark.parametrize("lesson", list(dockerfile_lessons()))
def test_solution_passes(lesson, workspace):
    folder = lesson_workspace(workspace, lesson.id, solved=True)
    run = run_checks(lesson.id, "--json", "--path", str(folder))
    assert run.code == 0, [c for c in run.json["checks"] if c["status"] not in ("passed", "warning")]
    assert run.json["passed"] is True


@pytest.mark.parametrize("lesson", list(dockerfile_lessons()))
def test_starter_fails(lesson, workspace):
    folder = lesson_workspace(workspace, lesson.id, solved=False)
    run = run_checks(lesson.id, "--json", "--path", str(folder))
    assert run.code == 1
    assert any(c["status"] == "failed" for c in run.json["checks"])
    own = {c.id for c in lesson.checks}
    assert any(c["status"] == "failed" and c["id"] in own for c in run.json["checks"]), (
        "the starter must fail the lesson's own checks, not only earlier ones"
    )


def test_unknown_field_fails_loudly(tmp_path):
    shutil.copytree(ROOT / "lessons", tmp_path / "lessons", ignore=shutil.ignore_patterns("together"))
    toml = tmp_path / "lessons" / "lesson1" / "lesson.toml"
    toml.write_text(toml.read_text() + '\n[[checks]]\nid = "x"\ntitle = "t"\nwhy = "w"\nhint = "h"\ncolour = "red"\n')
    with pytest.raises(CatalogueError, match="unknown field.*colour"):
        load.__wrapped__(tmp_path / "lessons")


def test_missing_field_fails_loudly(tmp_path):
    shutil.copytree(ROOT / "lessons", tmp_path / "lessons", ignore=shutil.ignore_patterns("together"))
    toml = tmp_path / "lessons" / "lesson1" / "lesson.toml"
    toml.write_text(toml.read_text().replace("minutes = 15\n", ""))
    with pytest.raises(CatalogueError, match="missing field.*minutes"):
        load.__wrapped__(tmp_path / "lessons")


@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.id) for lesson in CATALOGUE.lessons])
def test_every_lesson_has_goal_checks(lesson):
    assert any(info.goal for info in lesson.checks), f"{lesson.id}: mark the checks that prove its goal (goal = true)"


def test_a_lesson_without_goal_checks_fails_loudly(tmp_path):
    shutil.copytree(ROOT / "lessons", tmp_path / "lessons", ignore=shutil.ignore_patterns("together"))
    toml = tmp_path / "lessons" / "lesson2" / "lesson.toml"
    toml.write_text(toml.read_text().replace("goal = true\n", ""))
    with pytest.raises(CatalogueError, match="lesson2.*goal = true"):
        load.__wrapped__(tmp_path / "lessons")


def test_a_goal_that_is_not_true_or_false_fails_loudly(tmp_path):
    shutil.copytree(ROOT / "lessons", tmp_path / "lessons", ignore=shutil.ignore_patterns("together"))
    toml = tmp_path / "lessons" / "lesson2" / "lesson.toml"
    toml.write_text(toml.read_text().replace("goal = true\n", 'goal = "yes"\n', 1))
    with pytest.raises(CatalogueError, match="goal must be a bool"):
        load.__wrapped__(tmp_path / "lessons")


def test_lessons_are_numbered_without_gaps():
    assert [lesson.number for lesson in CATALOGUE.lessons] == list(range(1, len(CATALOGUE.lessons) + 1))


def test_check_ids_are_unique_across_lessons():
    ids = [info.id for lesson in CATALOGUE.lessons for info in lesson.checks]
    assert len(ids) == len(set(ids))
