"""A grading asked for by a lesson page under `checks serve` reaches the progress board, as one from
the terminal does: the board is a real `checks classroom serve`, the pages' server a real `checks serve`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "serve"))

from serving import build_site, start_serve  # noqa: E402
from support import LESSONS, checks_process  # noqa: E402


def test_a_grading_from_the_page_reports_to_the_board(board, workspace, tmp_path):
    folder = workspace(name="Ana")
    assert checks_process("join", board.url, "--code", board.code, "--name", "Ana", cwd=folder).returncode == 0
    (folder / "Dockerfile").write_text((LESSONS / "lesson1" / "solution" / "Dockerfile").read_text())
    served = start_serve(folder, build_site(tmp_path / "site"))
    try:
        status, _, body = served.api("grade/lesson1", "POST", b"{}")
        assert status == 200 and b'"passed": true' in body
        deadline = time.monotonic() + 10  # the board hears after the page has its verdict
        while "lesson1" not in board.learner("Ana")["lessons"] and time.monotonic() < deadline:
            time.sleep(0.1)
        cell = board.learner("Ana")["lessons"]["lesson1"]
        assert (cell["passed"], cell["failed"], cell["runs"]) == (True, [], 1)
    finally:
        served.stop()
