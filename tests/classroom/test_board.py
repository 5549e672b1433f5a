"""The progress board over a real socket: learners are real `checks` runs (lessons 1 and 2 read only
the Dockerfile, so no engine is needed) and plain HTTP clients; the server is a real
`checks classroom serve` process on 127.0.0.1."""

from __future__ import annotations

import calendar
import csv
import io
import json
import time
from pathlib import Path

from checks.classroom.client import FILENAME
from support import LESSONS, checks_process, run_checks


def solution(lesson: str) -> str:
    return (LESSONS / lesson / "solution" / "Dockerfile").read_text()


def joined(board, workspace, name: str) -> Path:
    folder = workspace(name=name.replace(" ", "_"))
    run = checks_process("join", board.url, "--code", board.code, "--name", name, cwd=folder)
    assert run.returncode == 0, run.stderr
    assert f"as {name!r}" in run.stdout
    return folder


def report(lesson: str, passed: bool, failed: list[str], at: str | None = None) -> dict:
    return {"lesson": lesson, "passed": passed, "failed": failed, "at": at or now()}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def ago(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))


def test_learners_report_every_lesson_run(board, workspace):
    ana, ben = joined(board, workspace, "Ana"), joined(board, workspace, "Ben")
    assert checks_process("lesson1", cwd=ana).returncode == 1  # no Dockerfile yet
    (ben / "Dockerfile").write_text(solution("lesson2"))
    assert checks_process("lesson2", cwd=ben).returncode == 0

    cell = board.learner("Ana")["lessons"]["lesson1"]
    assert (cell["passed"], cell["failed"], cell["runs"]) == (False, ["dockerfile-present"], 1)
    assert board.learner("Ben")["lessons"]["lesson2"]["passed"] is True
    # Ben's lesson 2 ran lesson 1's checks too: it proved lesson 1, without a run of its own
    assert board.learner("Ben")["lessons"]["lesson1"]["passed"] is True
    assert board.learner("Ben")["lessons"]["lesson1"]["runs"] == 0
    assert board.state()["summary"]["lesson1"] == {"tried": 2, "passed": 1, "failing": {"dockerfile-present": 1}}

    (ana / "Dockerfile").write_text(solution("lesson1"))
    assert checks_process("lesson1", cwd=ana).returncode == 0
    cell = board.learner("Ana")["lessons"]["lesson1"]
    assert (cell["passed"], cell["failed"], cell["runs"]) == (True, [], 2)
    assert not json.loads((ana / FILENAME).read_text())["queue"]


def test_reports_carry_no_files_or_paths(board, workspace):
    ana = joined(board, workspace, "Ana")
    (ana / "Dockerfile").write_text("FROM python:latest\n")
    checks_process("lesson1", cwd=ana)
    stored = json.dumps(board.state()) + board.get(f"/board/export.csv?key={board.key}&history=1").body.decode()
    assert "lesson1" in stored and "base-image-tag" in stored
    for private in (str(ana), "python:latest", "Dockerfile:1", "FROM"):
        assert private not in stored


def test_reporting_changes_neither_output_nor_exit_code(board, workspace):
    alone = workspace(name="alone")
    ana = joined(board, workspace, "Ana")
    for folder in (alone, ana):
        (folder / "Dockerfile").write_text("FROM python:latest\n")  # a failure
    runs = [checks_process("lesson1", cwd=folder) for folder in (alone, ana)]
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout.replace(str(alone), "WS") == runs[1].stdout.replace(str(ana), "WS")
    assert runs[0].stderr == runs[1].stderr == ""
    as_json = checks_process("lesson1", "--json", cwd=ana)
    assert json.loads(as_json.stdout)["lesson"] == "lesson1"  # still exactly one JSON object
    assert board.learner("Ana")["lessons"]["lesson1"]["runs"] == 2


def test_board_away_results_are_queued_and_sent_later(start_board, workspace, tmp_path):
    board = start_board()
    ana = joined(board, workspace, "Ana")
    port, db = board.port, board.db
    board.stop()

    started = time.monotonic()
    away = checks_process("lesson1", cwd=ana)
    assert away.returncode == 1 and away.stderr == ""
    assert time.monotonic() - started < 10
    assert [item["lesson"] for item in json.loads((ana / FILENAME).read_text())["queue"]] == ["lesson1"]
    doctor = run_checks("doctor", "--json", "--path", str(ana))
    finding = next(f for f in doctor.json["findings"] if f["name"] == "progress board")
    assert finding["status"] == "warning" and "does not answer" in finding["detail"]
    assert "1 result(s) waiting" in finding["detail"]

    board = start_board(db, port)  # the same store on the same address
    (ana / "Dockerfile").write_text(solution("lesson2"))
    assert checks_process("lesson2", cwd=ana).returncode == 0
    lessons = board.learner("Ana")["lessons"]
    # the queued failure of lesson 1 is in the history; lesson 2's later run proved lesson 1 since
    assert (lessons["lesson1"]["passed"], lessons["lesson1"]["runs"]) == (True, 1)
    assert lessons["lesson2"]["passed"] is True
    history = board.get(f"/board/export.csv?key={board.key}&history=1").body.decode()
    assert [(row["lesson"], row["status"]) for row in csv.DictReader(io.StringIO(history))] == [
        ("lesson1", "failed"),
        ("lesson2", "passed"),
    ]
    assert json.loads((ana / FILENAME).read_text())["queue"] == []


def test_restart_on_the_same_store_loses_nothing(start_board, tmp_path):
    board = start_board()
    token = board.join("Ana")
    assert (
        board.post(
            "/api/reports", {"sent": now(), "reports": [report("lesson1", False, ["base-image-tag"])]}, token
        ).status
        == 200
    )
    before, code, key = board.state(), board.code, board.key
    board.stop()

    again = start_board(board.db)
    assert (again.code, again.key) == (code, key)
    after = again.state()
    assert after["learners"] == before["learners"] and after["summary"] == before["summary"]
    assert again.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json == {"name": "Ana"}
    assert "1 learners, 1 reports so far" in "".join(again.printed)


def test_join_code_name_and_leave(board, workspace):
    folder = workspace()
    wrong = checks_process("join", board.url, "--code", "NOPE99", "--name", "Ana", cwd=folder)
    assert wrong.returncode == 2 and "Error: the board refused to let you join: wrong join code" in wrong.stderr
    assert not (folder / FILENAME).exists()
    lowercase = checks_process(
        "join", board.url + "/board", "--code", board.code.lower(), "--name", " Ana  B ", cwd=folder
    )
    assert lowercase.returncode == 0, lowercase.stderr
    again = checks_process("join", board.url, "--code", board.code, "--name", "Ana", cwd=folder)
    assert again.returncode == 2 and "checks leave" in again.stderr

    other = workspace(name="other")
    taken = checks_process("join", board.url, "--code", board.code, "--name", "ana b", cwd=other)
    assert taken.returncode == 2 and "already called" in taken.stderr

    left = checks_process("leave", cwd=folder)
    assert left.returncode == 0 and board.url in left.stdout
    assert not (folder / FILENAME).exists()
    checks_process("lesson1", cwd=folder)
    assert board.learner("Ana B")["lessons"] == {}  # nothing reported after leaving
    assert "nothing to stop" in checks_process("leave", cwd=folder).stdout


def test_join_an_address_that_does_not_answer(workspace, unused_port):
    folder = workspace()
    run = checks_process("join", f"http://127.0.0.1:{unused_port}", "--code", "X", "--name", "Ana", cwd=folder)
    assert run.returncode == 2 and "does not answer" in run.stderr and "Traceback" not in run.stderr
    bad = checks_process("join", "ftp://example", "--code", "X", "--name", "Ana", cwd=folder)
    assert bad.returncode == 2 and "is not a board address" in bad.stderr


def test_doctor_says_the_board_answers(board, workspace):
    ana = joined(board, workspace, "Ana")
    doctor = run_checks("doctor", "--json", "--path", str(ana))
    finding = next(f for f in doctor.json["findings"] if f["name"] == "progress board")
    assert finding["status"] == "ok" and "you are 'Ana'" in finding["detail"]
    alone = workspace(name="alone")
    assert "progress board" not in {
        f["name"] for f in run_checks("doctor", "--json", "--path", str(alone)).json["findings"]
    }


def test_forged_malformed_and_oversized_requests_change_nothing(board):
    token = board.join("Ana")
    good = {"sent": now(), "reports": [report("lesson1", False, ["base-image-tag"])]}
    assert board.post("/api/reports", good, token).status == 200
    before = board.state()

    refused = {
        "no token": (board.post("/api/reports", good), 401),
        "forged token": (board.post("/api/reports", good, "x" * 43), 401),
        "not JSON": (board.post("/api/reports", b"{lesson", token), 400),
        "not JSON content": (board.post("/api/reports", json.dumps(good).encode(), token, "text/plain"), 415),
        "oversized": (board.post("/api/reports", {"sent": now(), "reports": [], "pad": "x" * 20000}, token), 413),
        "other learner": (board.post("/api/reports", {**good, "learner": "Ben"}, token), 422),
        "unknown lesson": (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson99", True, [])]}, token),
            422,
        ),
        "unknown check": (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", False, ["rm-rf"])]}, token),
            422,
        ),
        "later lesson's check": (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", False, ["cmd-present"])]}, token),
            422,
        ),
        "passed with failures": (
            board.post(
                "/api/reports", {"sent": now(), "reports": [report("lesson1", True, ["base-image-tag"])]}, token
            ),
            422,
        ),
        "passed not a bool": (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", "yes", [])]}, token),
            422,
        ),
        "bad time": (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [], "yesterday")]}, token),
            422,
        ),
        "no time zone": (
            board.post(
                "/api/reports", {"sent": "2026-01-01T10:00:00", "reports": [report("lesson1", True, [])]}, token
            ),
            422,
        ),
        "too many": (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])] * 21}, token),
            422,
        ),
        # one bad report in a batch: the good one before it is not stored either
        "half bad batch": (
            board.post(
                "/api/reports",
                {"sent": now(), "reports": [report("lesson2", True, []), report("lesson2", 1, [])]},
                token,
            ),
            422,
        ),
        "join extra field": (board.post("/api/join", {"code": board.code, "name": "Eve", "admin": True}), 422),
        "join empty name": (board.post("/api/join", {"code": board.code, "name": "   "}), 422),
        "join long name": (board.post("/api/join", {"code": board.code, "name": "E" * 41}), 422),
        "join control characters": (board.post("/api/join", {"code": board.code, "name": "Eve\x1b[31m"}), 422),
        "join taken name": (board.post("/api/join", {"code": board.code, "name": "ANA"}), 409),
        "join wrong code": (board.post("/api/join", {"code": "AAAAAA", "name": "Eve"}), 403),
        "board without key": (board.get("/board"), 403),
        "board wrong key": (board.get("/board?key=guess"), 403),
        "events wrong key": (board.get("/board/events?key=guess"), 403),
        "export wrong key": (board.get("/board/export.csv?key=guess"), 403),
        "state with a learner token": (board.get("/board/state", headers={"Authorization": f"Bearer {token}"}), 403),
    }
    wrong = {what: answer.status for what, (answer, status) in refused.items() if answer.status != status}
    assert not wrong, wrong
    for what, (answer, _) in refused.items():
        assert isinstance(answer.json["error"], str) and answer.json["error"], what
    assert board.state()["learners"] == before["learners"]
    assert board.state()["summary"] == before["summary"]


def test_a_room_reporting_at_once_is_stored_and_each_answer_follows_its_commit(board):
    from concurrent.futures import ThreadPoolExecutor

    # each laptop of the room has an address of its own
    tokens = {f"learner {number}": board.join(f"learner {number}", f"127.0.1.{number}") for number in range(40)}

    def report_then_look(name: str) -> bool:
        failed = ["dockerfile-present"] if name.endswith("7") else []
        answer = board.post(
            "/api/reports", {"sent": now(), "reports": [report("lesson1", not failed, failed)]}, tokens[name]
        )
        assert answer.status == 200, answer.body
        return "lesson1" in board.learner(name)["lessons"]  # once answered, the report is on the board

    with ThreadPoolExecutor(max_workers=40) as room:
        assert all(room.map(report_then_look, tokens))
    assert board.state()["summary"]["lesson1"] == {"tried": 40, "passed": 36, "failing": {"dockerfile-present": 4}}


def test_guessing_and_flooding_are_rate_limited(board):
    statuses = [board.post("/api/join", {"code": "AAAAAA", "name": "Eve"}).status for _ in range(12)]
    assert statuses[:10] == [403] * 10 and statuses[10:] == [429, 429]
    limited = board.get("/board?key=guess")
    assert limited.status == 429 and int(limited.headers["retry-after"]) >= 1
    assert board.get(f"/board?key={board.key}").status == 200  # the right key still works

    token = board.join("Ana")
    payload = {"sent": now(), "reports": [report("lesson1", True, [])]}
    statuses = [board.post("/api/reports", payload, token).status for _ in range(25)]
    assert statuses.count(200) >= 20 and statuses[-1] == 429


def test_queued_reports_land_at_their_time_and_do_not_replace_newer(board):
    token = board.join("Ana")
    # this laptop's clock is one hour behind the board's: its times are moved to the board's clock
    sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    early = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600 - 90))
    late = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600 - 30))
    answer = board.post(
        "/api/reports",
        {"sent": sent, "reports": [report("lesson1", True, [], late), report("lesson1", False, ["from-first"], early)]},
        token,
    )
    assert answer.status == 200
    cell = board.learner("Ana")["lessons"]["lesson1"]
    assert cell["passed"] is True and cell["runs"] == 2
    seconds_ago = time.time() - calendar.timegm(time.strptime(cell["at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert 20 < seconds_ago < 60, cell["at"]


def test_failing_since_follows_the_same_check(board):
    token = board.join("Ana")

    def send(failed, at):
        assert (
            board.post(
                "/api/reports", {"sent": now(), "reports": [report("lesson2", not failed, failed, at)]}, token
            ).status
            == 200
        )
        return board.learner("Ana")["lessons"]["lesson2"]["since"]

    first, second, third, fourth = ago(100), ago(80), ago(60), ago(40)
    assert send(["workdir-set"], first) == {"workdir-set": first}
    assert send(["workdir-set", "from-first"], second) == {"workdir-set": first, "from-first": second}
    assert send([], third) == {}
    assert send(["workdir-set"], fourth) == {"workdir-set": fourth}


def test_live_events_show_a_report_within_a_second(board):
    import urllib.request

    token = board.join("Ana")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{board.url}/board/events?key={board.key}", timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.readline() == b"event: snapshot\n"
        snapshot = json.loads(stream.readline().removeprefix(b"data: "))
        assert [learner["name"] for learner in snapshot["learners"]] == ["Ana"]
        stream.readline()
        started = time.monotonic()
        assert (
            board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [], now())]}, token).status
            == 200
        )
        assert stream.readline() == b"event: update\n"
        update = json.loads(stream.readline().removeprefix(b"data: "))
        assert time.monotonic() - started < 1
    assert update["learners"][0]["lessons"]["lesson1"]["passed"] is True
    assert update["summary"]["lesson1"] == {"tried": 1, "passed": 1, "failing": {}}


def test_csv_export(board):
    failed_at = now()
    for name in ("Ana", '=HYPERLINK("http://evil")'):
        token = board.join(name)
        board.post(
            "/api/reports",
            {
                "sent": now(),
                "reports": [
                    report("lesson1", False, ["base-image-tag", "from-first"], failed_at),
                    report("lesson2", True, [], ago(60)),  # before lesson 1 failed: lesson 1 stays failed
                ],
            },
            token,
        )
    board.join("Cleo")
    answer = board.get(f"/board/export.csv?key={board.key}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [(r["learner"], r["lesson"], r["status"]) for r in rows] == [
        ("Ana", "lesson1", "failed"),
        ("Ana", "lesson2", "passed"),
        ('\'=HYPERLINK("http://evil")', "lesson1", "failed"),
        ('\'=HYPERLINK("http://evil")', "lesson2", "passed"),
        ("Cleo", "", "not tried"),
    ]
    assert rows[0]["failing checks"] == "base-image-tag from-first"
    assert rows[0]["failing since"] == failed_at
    history = list(csv.DictReader(io.StringIO(board.get(f"/board/export.csv?key={board.key}&history=1").body.decode())))
    assert len(history) == 4


def test_pages_carry_security_headers(board):
    page = board.get(f"/board?key={board.key}")
    assert page.status == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert board.key not in board.get("/").body.decode() and board.code not in board.get("/").body.decode()


def test_the_token_stays_out_of_the_image_and_the_repository(tmp_path):
    run_checks("init", str(tmp_path / "ws"))
    assert FILENAME in (tmp_path / "ws" / ".dockerignore").read_text().split()
    assert FILENAME in (tmp_path / "ws" / ".gitignore").read_text().split()


def test_serve_refuses_a_busy_port_and_an_unusable_store(board, tmp_path):
    busy = checks_process(
        "classroom", "serve", "--port", str(board.port), "--db", str(tmp_path / "other.db"), timeout=60
    )
    assert busy.returncode == 2 and f"port {board.port} on 127.0.0.1 is already in use" in busy.stderr
    nowhere = checks_process(
        "classroom", "serve", "--port", "0", "--db", str(tmp_path / "no" / "such" / "x.db"), timeout=60
    )
    assert nowhere.returncode == 2 and "cannot be used as the board's store" in nowhere.stderr
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("my notes\n" * 100)
    refused = checks_process("classroom", "serve", "--port", "0", "--db", str(not_a_database), timeout=60)
    assert refused.returncode == 2 and "Error:" in refused.stderr and "Traceback" not in refused.stderr
    assert not_a_database.read_text() == "my notes\n" * 100


def test_a_board_that_never_answers_costs_at_most_the_timeout(board, workspace):
    import socket

    from checks.classroom.client import TIMEOUT

    ana = joined(board, workspace, "Ana")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel, and never read or answered
    data = json.loads((ana / FILENAME).read_text())
    (ana / FILENAME).write_text(json.dumps({**data, "board": f"http://127.0.0.1:{silent.getsockname()[1]}"}))
    alone = workspace(name="alone")
    try:
        timings = []
        for folder in (alone, ana):
            started = time.monotonic()
            run = checks_process("lesson1", cwd=folder)
            timings.append(time.monotonic() - started)
            assert run.returncode == 1 and run.stderr == ""
    finally:
        silent.close()
    assert timings[1] - timings[0] < TIMEOUT + 1.5, timings
    assert [item["lesson"] for item in json.loads((ana / FILENAME).read_text())["queue"]] == ["lesson1"]


def test_a_ctrl_c_while_the_board_is_told_is_not_swallowed_and_the_report_stays_queued(board, workspace):
    """`checks serve` and `checks watch` stop a grading with a SIGINT to their main thread: one that came while
    the result went to a board that does not answer was swallowed, and the server then took the learner's
    next Ctrl-C for that stop and kept running."""
    import signal
    import socket
    import threading

    from checks import grading
    from checks.catalogue import load
    from checks.classroom import client

    ana = joined(board, workspace, "Ana")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepted by the kernel, never answered: the report waits for client.TIMEOUT
    data = json.loads((ana / FILENAME).read_text())
    (ana / FILENAME).write_text(json.dumps({**data, "board": f"http://127.0.0.1:{silent.getsockname()[1]}"}))
    catalogue = load()
    report = grading.grade(ana, catalogue, catalogue.get("lesson1"), grading.Options(board=False))
    main = threading.main_thread().ident
    timer = threading.Timer(client.TIMEOUT / 3, lambda: signal.pthread_kill(main, signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        grading.report_to_board(ana, "lesson1", report)
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    finally:
        timer.cancel()
        silent.close()
    assert interrupted and time.monotonic() - started < client.TIMEOUT
    assert [item["lesson"] for item in json.loads((ana / FILENAME).read_text())["queue"]] == ["lesson1"]


def test_doctor_says_when_the_board_forgot_the_learner(start_board, workspace, tmp_path):
    board = start_board()
    ana = joined(board, workspace, "Ana")
    port = board.port
    board.stop()
    start_board(tmp_path / "new-board.sqlite3", port)  # a new store on the same address
    finding = next(
        f for f in run_checks("doctor", "--json", "--path", str(ana)).json["findings"] if f["name"] == "progress board"
    )
    assert finding["status"] == "warning" and "does not know you" in finding["detail"]
    assert "checks join" in finding["fix"]
