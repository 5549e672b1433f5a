"""The `checks` command as a learner meets it: init, list, lesson1, hint, progress, exit codes, output."""

from __future__ import annotations

import io
import json
import os

import pytest

from checks import progress
from support import ROOT, checks_process, run_checks

SCHEMA_KEYS = {"id", "title", "status", "goal", "message", "hint", "file", "line", "docs"}


def test_init_creates_a_workspace_without_dockerfile(tmp_path):
    run = run_checks("init", str(tmp_path / "together"))
    assert run.code == 0, run.err
    folder = tmp_path / "together"
    assert (folder / "requirements.txt").is_file()
    assert os.access(folder / "bin" / "run_dev.sh", os.X_OK)
    assert not (folder / "Dockerfile").exists()
    assert b"\r\n" not in (folder / "bin" / "run_dev.sh").read_bytes()
    assert "checks lesson1" in run.out


def test_init_defaults_to_together_in_the_current_folder(tmp_path):
    run = run_checks("init", cwd=tmp_path)
    assert run.code == 0 and (tmp_path / "together" / "requirements.txt").is_file()


def test_init_refuses_a_non_empty_folder_and_changes_nothing(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    run = run_checks("init", str(tmp_path / "mine"))
    assert run.code == 2 and run.err.startswith("Error: ") and "not empty" in run.err
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_init_into_an_empty_folder_is_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run_checks("init", str(tmp_path / "empty")).code == 0


def test_list_shows_every_lesson_and_this_workspaces_status(workspace):
    folder = workspace("FROM python:3.13-slim\n")
    run_checks("lesson1", "--path", str(folder))
    run = run_checks("list", "--path", str(folder))
    assert run.code == 0
    from checks.catalogue import load

    for lesson in load().lessons:
        assert lesson.id in run.out and lesson.title in run.out
    # one line per lesson of lessons/*/lesson.toml, in order: the count is the catalogue's, never a number here
    listed = [line.split()[0] for line in run.out.splitlines()[1:] if line.startswith("lesson")]
    assert listed == [lesson.id for lesson in load().lessons]
    assert "lesson1" in run.out.splitlines()[1] and run.out.splitlines()[1].rstrip().endswith("passed")


def test_lesson1_human_output_on_a_mistake(workspace):
    folder = workspace("FROM python:3.8-slim\n")
    run = run_checks("lesson1", "--path", str(folder))
    assert run.code == 1
    assert "✗ The Python version is still supported [base-image-supported]" in run.out
    assert "Dockerfile:1: expected a supported Python; found Python 3.8" in run.out
    assert "why:" in run.out and "hint:" in run.out and "docs: http" in run.out and "#supported-versions" in run.out
    assert "Lesson 1 not passed" in run.out
    assert "Next: fix what is marked ✗" in run.out
    assert "\033[" not in run.out  # not a terminal: no colour


def test_lesson1_passes_and_names_the_next_step(workspace):
    run = run_checks("lesson1", "--path", str(workspace("FROM python:3.13-slim\n")))
    assert run.code == 0
    assert "✓ The base image has an explicit tag, not latest" in run.out
    assert "Lesson 1 passed" in run.out and "Next: checks lesson2" in run.out


def test_json_is_exactly_one_object_with_the_documented_fields(workspace):
    run = run_checks("lesson1", "--json", "--path", str(workspace("FROM python:latest\n")))
    data = json.loads(run.out)  # the whole of stdout is one JSON document
    assert set(data) == {"lesson", "title", "passed", "checks"}
    assert data["lesson"] == "lesson1" and data["passed"] is False and run.code == 1
    for item in data["checks"]:
        assert set(item) == SCHEMA_KEYS
        assert item["status"] in ("passed", "failed", "warning", "skipped", "error")
    tag = next(c for c in data["checks"] if c["id"] == "base-image-tag")
    assert tag["status"] == "failed" and tag["file"] == "Dockerfile" and tag["line"] == 1


def test_no_color_and_force_color(workspace, monkeypatch):
    folder = workspace("FROM python:latest\n")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[31m" in run_checks("lesson1", "--path", str(folder)).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run_checks("lesson1", "--path", str(folder)).out


def test_unknown_lesson_is_a_usage_error(workspace):
    run = run_checks("lesson42", "--path", str(workspace()))
    assert run.code == 2 and run.err.startswith("Error: there is no lesson 'lesson42'")
    assert "checks list" in run.err


def test_unknown_command_and_option(workspace):
    assert run_checks("lessen1").code == 2
    run = run_checks("lesson1", "--colour")
    assert run.code == 2 and run.err.startswith("Error: ")


def test_no_command_prints_help():
    run = run_checks()
    assert run.code == 2 and "init" in run.out and "doctor" in run.out


def test_missing_path(tmp_path):
    run = run_checks("lesson1", "--path", str(tmp_path / "nope"))
    assert run.code == 2 and "does not exist" in run.err


def test_a_folder_that_is_not_a_workspace_points_to_the_workspace(tmp_path):
    run_checks("init", str(tmp_path / "together"))
    run = run_checks("progress", "--path", str(tmp_path))
    assert run.code == 2 and "cd " in run.err and "together" in run.err


def test_lesson_number_forms(workspace):
    folder = workspace("FROM python:3.13-slim\n")
    assert run_checks("lesson01", "--json", "--path", str(folder)).json["lesson"] == "lesson1"


def test_hint_gives_one_more_each_time_then_the_solution(workspace):
    from checks.catalogue import load

    lesson = load().get("lesson1")
    folder = workspace()
    outputs = [run_checks("hint", "lesson1", "--path", str(folder)).out for _ in range(len(lesson.hints) + 2)]
    assert "Hint 1 of" in outputs[0] and "Hint 2 of" not in outputs[0]
    assert "Hint 2 of" in outputs[1]
    assert "The solution" not in outputs[len(lesson.hints) - 1]
    assert "The solution" in outputs[len(lesson.hints)]
    assert lesson.solution_path.read_text().strip() in outputs[len(lesson.hints)]
    assert outputs[-1] == outputs[-2]  # the solution is the last step


def test_hint_for_an_unknown_lesson():
    run = run_checks("hint", "lesson99")
    assert run.code == 2 and "Error: there is no lesson" in run.err


def test_progress_records_last_result_per_lesson(workspace):
    folder = workspace("FROM python:latest\n")
    run_checks("lesson1", "--path", str(folder))
    run = run_checks("progress", "--path", str(folder))
    assert run.code == 0 and "0 of" in run.out and "failing: base-image-tag" in run.out
    (folder / "Dockerfile").write_text("FROM python:3.13-slim\n")
    run_checks("lesson1", "--path", str(folder))
    run = run_checks("progress", "--path", str(folder))
    assert "1 of" in run.out and "Next: checks lesson2" in run.out


def test_progress_file_is_not_rewritten_when_nothing_changed(workspace):
    """The file is in the build context: rewriting it on every run would bust Docker's cache."""
    folder = workspace("FROM python:3.13-slim\n")
    run_checks("lesson1", "--path", str(folder))
    path = progress.path_of(folder)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    run_checks("lesson1", "--path", str(folder))
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_the_progress_file_stays_out_of_the_build_context(tmp_path):
    run_checks("init", str(tmp_path / "ws"))
    ignored = (tmp_path / "ws" / ".dockerignore").read_text().split()
    assert progress.FILENAME in ignored


def test_a_read_only_workspace_still_gets_graded():
    """A workspace the learner cannot write to (as user `nobody`, for real): graded, no progress kept."""
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from support import APP

    if os.geteuid() == 0 and shutil.which("setpriv"):
        # root writes anywhere: become nobody, allowed only to read (the venv lives under /root)
        runner = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=+dac_read_search",
            "--ambient-caps=+dac_read_search",
            "--",
        ]
    elif os.geteuid() != 0:
        runner = []
    else:
        pytest.skip("needs setpriv to drop root")
    folder = Path(tempfile.mkdtemp(prefix="checks-ro-"))
    try:
        shutil.copytree(APP, folder / "together", ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "together" / "Dockerfile").write_text("FROM python:3.13-slim\n")
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        checks = str(Path(sys.executable).parent / "checks")
        process = subprocess.run(
            [*runner, checks, "lesson1", "--path", str(folder / "together")],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": str(folder)},
        )
        assert process.returncode == 0, process.stdout + process.stderr
        assert "Lesson 1 passed" in process.stdout and "Traceback" not in process.stderr
        assert not (folder / "together" / progress.FILENAME).exists()
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        ("FROM python:3.13-slim\n".encode("utf-16"), "UTF-16"),
        (b"FROM python:3.13-slim\n# \xff\xfe\n", "not UTF-8"),
        (b"# x\n" * 300_000, "MB"),
        (b"FROM python:3.13-slim\nCOPY . .\nEXPOSE\n", "EXPOSE needs arguments"),
    ],
)
def test_bad_dockerfiles_get_a_clear_message_and_no_traceback(workspace, data, words):
    folder = workspace()
    (folder / "Dockerfile").write_bytes(data)
    process = checks_process("lesson1", cwd=folder)
    assert process.returncode == 1
    assert words in process.stdout
    assert "Traceback" not in process.stdout + process.stderr


def test_the_console_script_reports_version():
    process = checks_process("--version")
    assert process.returncode == 0 and process.stdout.startswith("checks ")


def _result(lesson: str, check_id: str, status: str, goal: bool = False, message: str = ""):
    from checks.result import Result

    return Result(
        id=check_id,
        title=check_id,
        status=status,
        message=message,
        hint="h",
        file=None,
        line=None,
        docs="d",
        lesson=lesson,
        goal=goal,
    )


def test_a_skipped_goal_check_means_not_passed_and_summaries_never_count_skipped_as_passed():
    from checks.catalogue import load
    from checks.output import Style, render
    from checks.result import Report

    catalogue = load()
    lesson1, lesson2 = catalogue.get("lesson1"), catalogue.get("lesson2")
    report = Report(
        lesson="lesson2",
        title=lesson2.title,
        results=[
            *(_result("lesson1", info.id, "passed", info.goal) for info in lesson1.checks[:-2]),
            _result("lesson1", lesson1.checks[-2].id, "warning", message="w"),
            _result("lesson1", lesson1.checks[-1].id, "skipped", message="needs x"),
            _result("lesson2", "workdir-set", "passed", True),
            _result("lesson2", "workdir-absolute", "skipped", True, message="needs y"),
        ],
    )
    assert report.passed is False
    text = render(report, catalogue, lesson2, "/ws", Style(io.StringIO()))
    summary = text.splitlines()[2]
    assert summary.endswith(f"(Choose a base image): 1 warning, 1 skipped, {len(lesson1.checks) - 2} passed"), summary
    assert "checks passed" not in summary
    assert "Lesson 2 not passed" in text
    report.results[-1].status = "passed"
    assert report.passed is True
    assert "Lesson 2 passed" in render(report, catalogue, lesson2, "/ws", Style(io.StringIO()))


def test_next_names_the_lesson_at_hand_when_its_own_line_broke_an_earlier_check():
    from checks.catalogue import load
    from checks.output import Style, render
    from checks.result import Report

    catalogue = load()
    lesson3, lesson11 = catalogue.get("lesson3"), catalogue.get("lesson11")
    broken = _result("lesson3", "copy-whole-app", "failed", True, message="bin/run_dev.sh is missing")
    broken.caused_by = ("[Bb]in/", "lesson11")
    report = Report(lesson="lesson11", title=lesson11.title, results=[broken])
    text = render(report, catalogue, lesson11, "/ws", Style(io.StringIO()))
    next_line = text.splitlines()[-1]
    assert next_line.startswith(
        "Next: `[Bb]in/`, which breaks lesson 3's copy-whole-app, is part of this lesson's step"
    )
    assert lesson3.page_url in next_line and "checks lesson11" in next_line
    broken.caused_by = None  # a cause of lesson 3's own: back to lesson 3
    text = render(report, catalogue, lesson11, "/ws", Style(io.StringIO()))
    assert text.splitlines()[-1].startswith("Next: this is lesson 3's step")


# -- the workspace is found upward from the current folder, as git finds its repository -----------
def test_init_marks_the_workspace_and_checks_finds_it_from_a_folder_inside(tmp_path):
    result = checks_process("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "together"
    assert progress.path_of(folder).is_file(), "checks init leaves the marker"
    (folder / "Dockerfile").write_text("FROM python:3.13-slim\n")
    inside = checks_process("lesson1", cwd=folder / "bin")
    assert inside.returncode == 0, inside.stdout + inside.stderr
    assert f"(workspace: {folder.resolve()})" in inside.stdout
    assert not (folder / "bin" / progress.FILENAME).exists()
    assert progress.read(folder)["lessons"]["lesson1"]["passed"] is True


def test_outside_a_workspace_checks_says_what_to_do_and_writes_nothing(tmp_path):
    for args in (["lesson1"], ["lesson4"], ["progress"], ["hint", "lesson1"]):
        result = checks_process(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout)
        assert result.stderr.startswith("Error: ") and "checks init" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing may be written outside a workspace"


def test_next_to_a_workspace_checks_says_cd_into_it(tmp_path):
    checks_process("init", cwd=tmp_path)
    result = checks_process("lesson1", cwd=tmp_path)
    assert result.returncode == 2 and "`cd together`" in result.stderr, result.stderr
    assert not (tmp_path / progress.FILENAME).exists()


def test_the_course_repository_is_not_a_workspace():
    """In the course's own root, lesson 1 would grade the site's Dockerfile: it refuses instead."""
    for folder in (ROOT, ROOT / "lessons" / "together", ROOT / "lessons" / "together" / "bin", ROOT / "docs"):
        before = sorted(p.name for p in folder.iterdir())
        result = checks_process("lesson1", cwd=folder)
        assert result.returncode == 2, (folder, result.stdout)
        assert "course's own files" in result.stderr and "checks init" in result.stderr
        assert sorted(p.name for p in folder.iterdir()) == before


def test_a_workspace_from_before_the_marker_still_works(workspace):
    """Made by an older `checks init` (no progress file yet): the sample app's files mark it."""
    folder = workspace("FROM python:3.13-slim\n")
    assert not progress.path_of(folder).exists()
    result = checks_process("lesson1", cwd=folder / "together")
    assert result.returncode == 0, result.stdout + result.stderr
    assert progress.path_of(folder).is_file()


def test_list_works_outside_a_workspace_without_statuses(tmp_path):
    result = checks_process("list", cwd=tmp_path)
    assert result.returncode == 0 and "lesson1" in result.stdout and "not tried" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_hint_counts_what_is_left_in_words(workspace):
    from checks.catalogue import load

    lesson = load().get("lesson1")
    folder = workspace()
    said = [run_checks("hint", "lesson1", "--path", str(folder)).out for _ in range(len(lesson.hints))]
    assert "(s)" not in "".join(said)
    if len(lesson.hints) >= 3:
        assert f"{len(lesson.hints) - 1} more hints, then the solution" in said[0]
    if len(lesson.hints) >= 2:
        assert "1 more hint, then the solution" in said[-2], said[-2]
    assert "again shows the solution" in said[-1]


def test_a_lesson_written_as_two_words_gets_the_one_word_name(tmp_path):
    run = run_checks("lesson", "3", cwd=tmp_path)
    assert run.code == 2 and "did you mean `checks lesson3`?" in run.err
    assert "invalid choice" not in run.err  # not argparse's list of every command


def test_json_outside_a_workspace_prints_one_json_error_object(tmp_path):
    run = run_checks("lesson3", "--json", cwd=tmp_path)
    assert run.code == 2
    answer = json.loads(run.out)
    assert answer["exit_code"] == 2 and "not inside a workspace" in answer["error"]
