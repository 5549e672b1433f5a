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


def test_boards_started_together_on_an_empty_database_all_start(start_board, postgresql_server):
    """Before, the second board died on pg_type_typname_nsp_index in 2 of 4 tries: creating the tables raced."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    for attempt in range(4):
        name = f"together_{attempt}_{int(time.time() * 1000)}"
        with psycopg.connect(f"{postgresql_server}/postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        with ThreadPoolExecutor(max_workers=3) as starting:
            boards = list(starting.map(start_board, [f"{postgresql_server}/{name}"] * 3))
        assert len({(board.code, board.key) for board in boards}) == 1
        for board in boards:
            board.stop()


def wait_for(condition, seconds: float = 20) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not within the time allowed"
        time.sleep(0.1)
    return time.monotonic() - started


def test_boards_ride_out_a_postgresql_restart(start_board, restartable_postgresql, workspace):
    """Before, both boards answered 500 "the connection is closed" until restarted, while /api/health said ok."""
    import psycopg

    server = restartable_postgresql
    with psycopg.connect(f"{server.url}/postgres", autocommit=True) as connection:
        connection.execute("CREATE DATABASE board")
    first, second = start_board(f"{server.url}/board"), start_board(f"{server.url}/board")
    token = first.join("Ben")
    ana = workspace(name="ana")
    assert checks_process("join", first.url, "--code", first.code, "--name", "Ana", cwd=ana).returncode == 0

    server.stop()
    for board in (first, second):
        health = board.get("/api/health")
        assert health.status == 503 and health.json["ok"] is False and int(health.headers["retry-after"]) >= 1
    away = second.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])]}, token)
    assert away.status == 503 and int(away.headers["retry-after"]) >= 1 and "away" in away.json["error"]
    assert checks_process("lesson1", cwd=ana).returncode == 1  # its report waits in the workspace
    assert len(json.loads((ana / ".checks-classroom.json").read_text())["queue"]) == 1

    server.start()
    for board in (first, second):  # each reconnects by itself
        wait_for(lambda board=board: board.get("/api/health").status == 200)
    assert second.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])]}, token).status == 200
    assert checks_process("list", cwd=ana).returncode == 0  # sends what waited
    assert json.loads((ana / ".checks-classroom.json").read_text())["queue"] == []
    for board in (first, second):
        assert board.learner("Ana")["lessons"]["lesson1"]["failed"] == ["dockerfile-present"]
        assert board.learner("Ben")["lessons"]["lesson1"]["passed"] is True
