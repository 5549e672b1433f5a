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
    cell = board.learner("Ana")["lessons"]["lesson1"]
    assert (cell["passed"], cell["failed"], cell["runs"]) == (False, ["dockerfile-present"], 1)

    (folder / "Dockerfile").write_text((LESSONS / "lesson1" / "solution" / "Dockerfile").read_text())
    child.expect("Lesson 1 passed")
    child.expect("save a change to grade lesson 2")
    deadline = time.monotonic() + 10  # the report is sent after the verdict is printed
    while board.learner("Ana")["lessons"]["lesson1"]["runs"] < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    cell = board.learner("Ana")["lessons"]["lesson1"]
    assert (cell["passed"], cell["failed"], cell["runs"]) == (True, [], 2)
    stop(child)
