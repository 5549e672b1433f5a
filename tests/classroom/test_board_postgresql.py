"""The board on a PostgreSQL store: a real PostgreSQL server (Debian's package) started by the tests,
the board a real `checks classroom serve --db postgresql://…` process, learners real `checks` runs.
Several board processes share one database, as for a course bigger than one room."""

from __future__ import annotations

import json
import time
import urllib.request

from support import LESSONS, checks_process


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def report(lesson: str, passed: bool, failed: list[str], at: str | None = None) -> dict:
    return {"lesson": lesson, "passed": passed, "failed": failed, "at": at or now()}


def test_learners_report_and_a_restart_loses_nothing(start_board, postgresql_database, workspace):
    board = start_board(postgresql_database)
    assert "Store: postgresql://postgres@127.0.0.1" in "".join(board.printed)
    ana = workspace(name="ana")
    assert checks_process("join", board.url, "--code", board.code, "--name", "Ana", cwd=ana).returncode == 0
    assert checks_process("lesson1", cwd=ana).returncode == 1
    (ana / "Dockerfile").write_text((LESSONS / "lesson2" / "solution" / "Dockerfile").read_text())
    assert checks_process("lesson2", cwd=ana).returncode == 0
    before = board.state()
    lessons = board.learner("Ana")["lessons"]
    # lesson 2 ran lesson 1's checks again and passed them: lesson 1 is passed, not stuck on its first failure
    assert lessons["lesson1"]["passed"] is True and lessons["lesson2"]["passed"] is True
    assert before["summary"]["lesson1"] == {"tried": 1, "passed": 1, "failing": {}}
    code, key, port = board.code, board.key, board.port
    board.stop()

    again = start_board(postgresql_database, port)
    assert (again.code, again.key) == (code, key)
    assert again.state()["learners"] == before["learners"]
    (ana / "Dockerfile").write_text((LESSONS / "lesson1" / "solution" / "Dockerfile").read_text())
    assert checks_process("lesson1", cwd=ana).returncode == 0
    assert again.learner("Ana")["lessons"]["lesson1"]["runs"] == 2


def test_refusals_change_nothing(start_board, postgresql_database):
    board = start_board(postgresql_database)
    token = board.join("Ana")
    assert (
        board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", False, ["from-first"])]}, token).status
        == 200
    )
    before = board.state()
    assert board.post("/api/join", {"code": board.code, "name": "ANA"}).status == 409
    assert board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])]}, "forged").status == 401
    # a bad report after a good one: the whole request is refused, the good one is not stored either
    bad = {"sent": now(), "reports": [report("lesson2", True, []), report("lesson2", False, ["no-such-check"])]}
    assert board.post("/api/reports", bad, token).status == 422
    after = board.state()
    assert after["learners"] == before["learners"] and after["summary"] == before["summary"]


def test_two_board_processes_share_one_database(start_board, postgresql_database):
    first = start_board(postgresql_database)
    second = start_board(postgresql_database)
    assert (first.code, first.key) == (second.code, second.key)  # one room, one code, one key
    token = first.join("Ana")
    assert second.post("/api/join", {"code": second.code, "name": "ana"}).status == 409

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{first.url}/board/events?key={first.key}", timeout=10) as stream:
        assert stream.readline() == b"event: snapshot\n"
        stream.readline(), stream.readline()
        started = time.monotonic()
        assert (
            second.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])]}, token).status == 200
        )
        assert stream.readline() == b"event: update\n"
        update = json.loads(stream.readline().removeprefix(b"data: "))
        assert time.monotonic() - started < 1.5
    assert update["learners"][0]["name"] == "Ana" and update["learners"][0]["lessons"]["lesson1"]["passed"] is True
    assert first.learner("Ana") == second.learner("Ana")


def test_an_unreachable_database_is_a_clear_error(unused_port, tmp_path):
    run = checks_process(
        "classroom", "serve", "--port", "0", "--db", f"postgresql://someone:secret@127.0.0.1:{unused_port}/board"
    )
    assert run.returncode == 2 and "Error: cannot connect to the PostgreSQL store" in run.stderr
    assert "Traceback" not in run.stderr and "secret" not in run.stderr
