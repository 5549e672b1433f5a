"""Faults a live trial of the board found (issue 22), each reproduced against a real `checks classroom
serve` process on 127.0.0.1 and real `checks` runs (lessons 1 and 2 read only the Dockerfile)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import time

from checks.classroom.client import FILENAME
from support import LESSONS, checks_process


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def ago(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))


def report(lesson: str, passed: bool, failed: list[str], at: str | None = None, **extra) -> dict:
    return {"lesson": lesson, "passed": passed, "failed": failed, "at": at or now(), **extra}


def solution(lesson: str) -> str:
    return (LESSONS / lesson / "solution" / "Dockerfile").read_text()


def joined(board, workspace, name: str):
    folder = workspace(name=name)
    run = checks_process("join", board.url, "--code", board.code, "--name", name, cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder


def test_passing_a_later_lesson_proves_the_earlier_ones(board, workspace):
    """Failed lesson 1, then passed lesson 2 (which runs lesson 1's checks): lesson 1 is passed, on the
    board and in `checks progress`; before, it stayed ✗, counted in the room's failures and went stuck."""
    ana = joined(board, workspace, "Ana")
    assert checks_process("lesson1", cwd=ana).returncode == 1
    (ana / "Dockerfile").write_text(solution("lesson2"))
    assert checks_process("lesson2", cwd=ana).returncode == 0

    lessons = board.learner("Ana")["lessons"]
    assert lessons["lesson1"]["passed"] is True and lessons["lesson1"]["since"] == {}
    assert lessons["lesson1"]["runs"] == 1  # the one run of lesson 1 itself
    assert board.state()["summary"]["lesson1"] == {"tried": 1, "passed": 1, "failing": {}}

    progress = checks_process("progress", cwd=ana)
    assert "2 of" in progress.stdout and "Next: checks lesson3" in progress.stdout
    assert "proved by lesson2" in progress.stdout

    # and evidence of a failure counts too: lesson 2 failing on lesson 1's check puts lesson 1 back to ✗
    (ana / "Dockerfile").write_text("FROM python:latest\nWORKDIR /app\n")
    assert checks_process("lesson2", cwd=ana).returncode == 1
    assert board.learner("Ana")["lessons"]["lesson1"]["failed"] == ["base-image-tag"]
    assert "Next: checks lesson1" in checks_process("progress", cwd=ana).stdout


def test_joins_are_limited_per_address_and_per_code(board):
    """1000 joins took 0.6 s and filled the room; now one address gets 10, a code 100 at once."""
    statuses = [board.post("/api/join", {"code": board.code, "name": f"Bot {n}"}).status for n in range(12)]
    assert statuses == [201] * 10 + [429, 429]
    limited = board.post("/api/join", {"code": board.code, "name": "Bot 99"})
    assert "too many joins from this address" in limited.json["error"] and int(limited.headers["retry-after"]) >= 1

    room = [
        board.post_from(f"127.0.3.{n}", "/api/join", {"code": board.code, "name": f"Laptop {n}"}).status
        for n in range(1, 131)
    ]
    # 10 + 90: the code's 100 at once; then 2 a second come back (a few, on a slow machine)
    assert 90 <= room.count(201) < 110 and room.count(429) > 20 and room[90:].count(201) == room.count(201) - 90
    assert len(board.state()["learners"]) == 10 + room.count(201)


def test_the_instructor_removes_renames_and_rotates_the_code(board):
    ana, eve = board.join("Ana"), board.join("Eve the flooder")
    ids = {learner["name"]: learner["id"] for learner in board.state()["learners"]}
    key = board.key
    assert board.post(f"/board/learners/{ids['Eve the flooder']}/remove?key=wrong", {}).status == 403
    assert board.post(f"/board/learners/{ids['Eve the flooder']}/remove?key={key}", {}).json == {
        "removed": "Eve the flooder"
    }
    assert board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])]}, eve).status == 401
    assert board.post(f"/board/learners/{ids['Eve the flooder']}/remove?key={key}", {}).status == 404

    assert board.post(f"/board/learners/{ids['Ana']}/rename?key={key}", {"name": "Ana B."}).json == {"name": "Ana B."}
    board.join("Ben")
    assert board.post(f"/board/learners/{ids['Ana']}/rename?key={key}", {"name": "BEN"}).status == 409
    assert [learner["name"] for learner in board.state()["learners"]] == ["Ana B.", "Ben"]
    assert board.post("/api/reports", {"sent": now(), "reports": [report("lesson1", True, [])]}, ana).status == 200

    old = board.code
    new = board.post(f"/board/code?key={key}", {}).json["code"]
    assert new != old and board.state()["code"] == new
    assert board.post("/api/join", {"code": old, "name": "Late"}).status == 403
    assert board.post("/api/join", {"code": new, "name": "Late"}).status == 201
    assert f"--code {new}" in board.get(f"/board?key={key}").body.decode()


def test_a_report_sent_again_counts_once(board):
    token = board.join("Ana")
    payload = {"sent": now(), "reports": [report("lesson1", False, ["base-image-tag"], id="run-0001-abcdef")]}
    assert board.post("/api/reports", payload, token).status == 200
    assert board.post("/api/reports", payload, token).status == 200  # a retry after a timeout
    assert board.learner("Ana")["lessons"]["lesson1"]["runs"] == 1
    history = board.get(f"/board/export.csv?key={board.key}&history=1").body.decode()
    assert len(list(csv.DictReader(io.StringIO(history)))) == 1


def test_a_stalled_board_counts_each_run_once_at_its_time(board, workspace):
    """Frozen (SIGSTOP) while learners ran lessons: each run timed out, stayed queued and was sent again
    by the next run, while the board processed the first copy on waking; 13 runs showed for 8, ~9 s late."""
    ana = joined(board, workspace, "Ana")
    board.process.send_signal(signal.SIGSTOP)
    try:
        runs = [checks_process("lesson1", cwd=ana) for _ in range(3)]
    finally:
        board.process.send_signal(signal.SIGCONT)
    assert all(run.returncode == 1 for run in runs)
    queued = json.loads((ana / FILENAME).read_text())["queue"]
    assert len(queued) == 3 and len({item["id"] for item in queued}) == 3
    time.sleep(1)  # the board answers what waited in its backlog
    assert checks_process("lesson1", cwd=ana).returncode == 1  # sends the queue again, and its own run

    assert board.learner("Ana")["lessons"]["lesson1"]["runs"] == 4
    history = list(csv.DictReader(io.StringIO(board.get(f"/board/export.csv?key={board.key}&history=1").body.decode())))
    assert len(history) == 4
    # the times are the learner's, not moved by the seconds the requests waited in the frozen board
    assert sorted(row["at"] for row in history)[:3] == sorted(item["at"] for item in queued)


def test_times_out_of_range_are_refused_not_500(board):
    token = board.join("Ana")
    refused = {
        "at year 1 at +14:00": {"sent": now(), "reports": [report("lesson1", True, [], "0001-01-01T00:00:00+14:00")]},
        "sent year 1": {"sent": "0001-01-01T00:00:00Z", "reports": [report("lesson1", True, [])]},
        "sent year 9999": {"sent": "9999-12-31T23:59:59-14:00", "reports": [report("lesson1", True, [])]},
        "at in 1970": {
            "sent": now(),
            "reports": [report("lesson1", False, ["dockerfile-present"], "1970-01-01T00:00:00Z")],
        },
        "at after sent": {"sent": now(), "reports": [report("lesson1", True, [], "2027-06-01T00:00:00Z")]},
        "at before the join": {"sent": now(), "reports": [report("lesson1", False, ["dockerfile-present"], ago(3600))]},
    }
    for what, payload in refused.items():
        answer = board.post("/api/reports", payload, token)
        assert answer.status == 422, (what, answer.status, answer.body)
        assert "error" in answer.json, what
    assert board.learner("Ana")["lessons"] == {}
    assert board.get("/api/health").json["ok"] is True


def test_names_that_look_the_same_or_empty_are_refused(board):
    assert board.post("/api/join", {"code": board.code, "name": "\u200b"}).status == 422
    assert board.post("/api/join", {"code": board.code, "name": "\u00ad \u2060\u3164"}).status == 422
    assert board.join("Late Larry")
    for lookalike in ("Late\u200b Larry", "La\u00adte Larry", "Late Lar\u200dry", "ＬＡＴＥ larry", "late  LARRY"):
        answer = board.post("/api/join", {"code": board.code, "name": lookalike})
        assert answer.status == 409 and "'Late Larry'" in answer.json["error"], lookalike
    assert board.post("/api/join", {"code": board.code, "name": "Ｃｌéｏ\u00ad"}).json["name"] == "Cléo"
    assert [learner["name"] for learner in board.state()["learners"]] == ["Late Larry", "Cléo"]


def test_the_store_is_private_and_stopping_says_so(start_board, tmp_path):
    board = start_board()
    board.join("Ana")
    for path in tmp_path.glob("classroom.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    board.process.send_signal(signal.SIGINT)
    board.process.wait(timeout=15)
    printed = []
    while (line := board.lines.get(timeout=10)) is not None:  # stdout, as the board's reader thread got it
        printed.append(line)
    said = "".join(printed) + board.process.stderr.read()
    assert "Board stopped" in said and "carry on" in said
    assert "everything checks created was removed" not in said and "Traceback" not in said

    old = tmp_path / "old.sqlite3"
    old.touch(mode=0o644)
    os.chmod(old, 0o644)  # made by an earlier version
    start_board(old).stop()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_a_board_started_with_nohup_outlives_its_terminal_and_otherwise_stops_on_a_hangup(start_board):
    kept = start_board(ignoring=(signal.SIGHUP,))  # `nohup checks classroom serve &`
    kept.join("Ana")
    kept.process.send_signal(signal.SIGHUP)  # the terminal closes
    time.sleep(1)
    assert kept.process.poll() is None and kept.get("/api/health").status == 200
    assert kept.learner("Ana")

    plain = start_board()
    plain.process.send_signal(signal.SIGHUP)
    plain.process.wait(timeout=15)
    printed = []
    while (line := plain.lines.get(timeout=10)) is not None:
        printed.append(line)
    said = "".join(printed) + plain.process.stderr.read()
    assert "Board stopped" in said and "Traceback" not in said


def test_queued_reports_go_with_any_command(start_board, workspace):
    board = start_board()
    ana = joined(board, workspace, "Ana")
    db, port = board.db, board.port
    board.stop()
    assert checks_process("lesson1", cwd=ana).returncode == 1  # queued: the board is away
    board = start_board(db, port)
    assert checks_process("list", cwd=ana).returncode == 0  # not a grading
    assert json.loads((ana / FILENAME).read_text())["queue"] == []
    assert board.learner("Ana")["lessons"]["lesson1"]["failed"] == ["dockerfile-present"]

    board.stop()
    assert checks_process("lesson1", cwd=ana).returncode == 1
    board = start_board(db, port)
    again = checks_process("join", board.url, "--code", board.code, "--name", "Ana", cwd=ana)
    assert again.returncode == 2 and "already reports to" in again.stderr
    assert json.loads((ana / FILENAME).read_text())["queue"] == []
    assert board.learner("Ana")["lessons"]["lesson1"]["runs"] == 2
