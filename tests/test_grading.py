"""The grading pipeline's own promises (checks/grading.py); the front ends are tested in test_cli.py,
test_watch.py and classroom/test_watch_board.py."""

from __future__ import annotations

from checks import grading
from checks.catalogue import load
from checks.classroom import client


def test_the_board_file_is_the_clients():
    assert grading.BOARD_FILE == client.FILENAME


def test_grade_streams_each_result_then_the_report_and_records_progress(workspace):
    from checks import progress

    folder = workspace("FROM python:latest\n")
    catalogue = load()
    seen: list[grading.Status] = []
    report = grading.grade(folder, catalogue, catalogue.get("lesson1"), on_status=seen.append)
    phases = [status.phase for status in seen]
    assert phases[0] == "grading" and phases[-2:] == ["cleaning up", "done"]
    checked = [status.result.id for status in seen if status.phase == "checked"]
    assert checked == [result.id for result in report.results]
    assert seen[-1].report is report and not report.passed
    assert progress.read(folder)["lessons"]["lesson1"]["failed"] == report.failed_ids == ["base-image-tag"]


def test_the_question_is_asked_before_grading_unless_answered():
    lesson10 = load().get("lesson10")
    asked = []

    def ask(question: str, kind: str) -> str:
        asked.append((question, kind))
        return "7"

    options = grading.ask_answers(lesson10, grading.Options(), ask)
    assert options.answer == "7" and asked[0][1] == "PID" and "PID of one worker" in asked[0][0]
    assert grading.ask_answers(lesson10, grading.Options(answer="8"), ask).answer == "8"
    assert grading.ask_answers(load().get("lesson1"), grading.Options(), ask).answer is None
    assert len(asked) == 1
