"""`checks watch` reports each grading to the progress board, as `checks lessonN` does (issue 20): the
board is a real `checks classroom serve` process, the watcher a real `checks watch` in a terminal."""

from __future__ import annotations

import time

from test_watch import spawn, stop

from support import LESSONS, checks_process


def test_watch_reports_every_grading_to_the_board(board, workspace):
    folder = workspace(name="Ana")
    assert checks_process("join", board.url, "--code", board.code, "--name", "Ana", cwd=folder).returncode == 0
    child = spawn(["watch", "lesson1"], folder)
    child.expect("Lesson 1 not passed")
    child.expect("each save grades lesson 1 again")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "lesson1" not in board.learner("Ana")["lessons"]:
        time.sleep(0.2)
    cell = board.learner("Ana")["lessons"]["lesson1"]
    assert (cell["passed"], cell["failed"], cell["runs"]) == (False, ["dockerfile-present"], 1)

    (folder / "Dockerfile").write_text((LESSONS / "lesson1" / "solution" / "Dockerfile").read_text())
    child.expect("Lesson 1 passed")
    child.expect("save a change to grade lesson 2")
    # on a loaded machine the board may answer later than the client waits (1.5 s): the report is then
    # queued and goes with the next grading's, as after `checks lessonN`
    (folder / "Dockerfile").write_text((LESSONS / "lesson2" / "solution" / "Dockerfile").read_text())
    child.expect("Lesson 2 passed")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "lesson2" not in board.learner("Ana")["lessons"]:
        time.sleep(0.2)
    lessons = board.learner("Ana")["lessons"]
    assert (lessons["lesson1"]["passed"], lessons["lesson1"]["failed"]) == (True, [])
    assert lessons["lesson1"]["runs"] >= 2  # the failed run and the passing one (lesson 2's may prove it too)
    assert (lessons["lesson2"]["passed"], lessons["lesson2"]["failed"]) == (True, [])
    stop(child)
