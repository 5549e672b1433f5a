"""The board's store: learners, their latest result per lesson, every report, in one SQLite file.

Standard library only (sqlite3). Every change is one transaction, so a report is either stored
whole or not at all, and a server stopped and started again on the same file carries on where it
was: same join code, same instructor key, same learners and results.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    token_hash TEXT NOT NULL UNIQUE,
    joined TEXT NOT NULL
);
-- the latest result of each learner in each lesson, with since when each failing check has failed
CREATE TABLE IF NOT EXISTS results (
    learner_id INTEGER NOT NULL REFERENCES learners(id),
    lesson TEXT NOT NULL,
    passed INTEGER NOT NULL,
    failed TEXT NOT NULL,
    failing_since TEXT NOT NULL,
    at TEXT NOT NULL,
    runs INTEGER NOT NULL,
    PRIMARY KEY (learner_id, lesson)
);
-- every report as it came, for the export
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners(id),
    lesson TEXT NOT NULL,
    passed INTEGER NOT NULL,
    failed TEXT NOT NULL,
    at TEXT NOT NULL,
    received TEXT NOT NULL
);
"""

# no 0/O, 1/I/L: a code read aloud or from a projector is typed right the first time
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class NameTaken(Exception):
    """Another learner in the room already has this name."""


class RoomFull(Exception):
    """The board has as many learners as it accepts."""


@dataclass(frozen=True)
class Report:
    """One validated result of `checks lessonN`: the lesson, whether it passed, the failing check ids, when."""

    lesson: str
    passed: bool
    failed: tuple[str, ...]
    at: str  # UTC, "YYYY-MM-DDTHH:MM:SSZ", so that text order is time order


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> str:
    return utc(datetime.now(timezone.utc))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    def __init__(self, path: Path | str, max_learners: int = 1000):
        self.path = str(path)
        self.max_learners = max_learners
        self._lock = threading.Lock()  # one writer at a time, also if a thread pool calls in
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable across a crash of the server; fsync per checkpoint
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _meta(self, key: str, make) -> str:
        with self._lock:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row:
                return row["value"]
            value = make()
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            return value

    @property
    def join_code(self) -> str:
        return self._meta("join_code", lambda: "".join(secrets.choice(CODE_ALPHABET) for _ in range(6)))

    @property
    def instructor_key(self) -> str:
        return self._meta("instructor_key", lambda: secrets.token_urlsafe(24))

    def add_learner(self, name: str) -> tuple[int, str]:
        """A new learner; returns its id and its token (only the token's hash is stored)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            count = self.db.execute("SELECT COUNT(*) FROM learners").fetchone()[0]
            if count >= self.max_learners:
                raise RoomFull(f"the board already has {count} learners, its maximum")
            try:
                cursor = self.db.execute("INSERT INTO learners (name, token_hash, joined) VALUES (?, ?, ?)",
                                         (name, token_hash(token), now()))
            except sqlite3.IntegrityError:
                raise NameTaken(name) from None
            return cursor.lastrowid, token

    def learner_by_token(self, token: str) -> tuple[int, str] | None:
        row = self.db.execute("SELECT id, name FROM learners WHERE token_hash = ?", (token_hash(token),)).fetchone()
        return (row["id"], row["name"]) if row else None

    def record(self, learner_id: int, reports: list[Report]) -> None:
        """Store reports, all or none. An older report (queued while the board was away) goes to the
        history but does not replace a newer result."""
        received = now()
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for report in sorted(reports, key=lambda r: r.at):
                    failed = json.dumps(sorted(report.failed))
                    self.db.execute(
                        "INSERT INTO reports (learner_id, lesson, passed, failed, at, received) VALUES (?, ?, ?, ?, ?, ?)",
                        (learner_id, report.lesson, int(report.passed), failed, report.at, received))
                    previous = self.db.execute(
                        "SELECT failed, failing_since, at, runs FROM results WHERE learner_id = ? AND lesson = ?",
                        (learner_id, report.lesson)).fetchone()
                    if previous is None:
                        since = {check: report.at for check in report.failed}
                        self.db.execute(
                            "INSERT INTO results (learner_id, lesson, passed, failed, failing_since, at, runs) "
                            "VALUES (?, ?, ?, ?, ?, ?, 1)",
                            (learner_id, report.lesson, int(report.passed), failed, json.dumps(since), report.at))
                        continue
                    if report.at < previous["at"]:
                        self.db.execute("UPDATE results SET runs = runs + 1 WHERE learner_id = ? AND lesson = ?",
                                        (learner_id, report.lesson))
                        continue
                    # a check that failed last time too keeps the moment it started failing
                    old_since = json.loads(previous["failing_since"])
                    since = {check: old_since.get(check, report.at) for check in report.failed}
                    self.db.execute(
                        "UPDATE results SET passed = ?, failed = ?, failing_since = ?, at = ?, runs = runs + 1 "
                        "WHERE learner_id = ? AND lesson = ?",
                        (int(report.passed), failed, json.dumps(since), report.at, learner_id, report.lesson))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def learners(self, ids: list[int] | None = None) -> list[dict]:
        """Learners with their latest result per lesson, in the order they joined."""
        where, args = "", ()
        if ids is not None:
            where, args = f"WHERE id IN ({','.join('?' * len(ids))})", tuple(ids)
        rows = {row["id"]: {"id": row["id"], "name": row["name"], "joined": row["joined"], "lessons": {}}
                for row in self.db.execute(f"SELECT id, name, joined FROM learners {where} ORDER BY id", args)}
        where = where.replace("id IN", "learner_id IN")
        for row in self.db.execute(f"SELECT * FROM results {where}", args):
            rows[row["learner_id"]]["lessons"][row["lesson"]] = {
                "passed": bool(row["passed"]), "failed": json.loads(row["failed"]),
                "since": json.loads(row["failing_since"]), "at": row["at"], "runs": row["runs"]}
        return list(rows.values())

    def failing_counts(self) -> dict[str, dict]:
        """Per lesson: how many learners have a result, and for each failing check how many fail it now."""
        summary: dict[str, dict] = {}
        for row in self.db.execute("SELECT lesson, COUNT(*) AS tried, SUM(passed) AS passed FROM results GROUP BY lesson"):
            summary[row["lesson"]] = {"tried": row["tried"], "passed": row["passed"] or 0, "failing": {}}
        for row in self.db.execute(
                "SELECT results.lesson AS lesson, each.value AS check_id, COUNT(*) AS learners "
                "FROM results, json_each(results.failed) AS each GROUP BY results.lesson, each.value"):
            summary[row["lesson"]]["failing"][row["check_id"]] = row["learners"]
        return summary

    def history(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT learners.name AS name, reports.lesson AS lesson, reports.passed AS passed, "
            "reports.failed AS failed, reports.at AS at, reports.received AS received "
            "FROM reports JOIN learners ON learners.id = reports.learner_id ORDER BY reports.at, reports.id").fetchall()

    def counts(self) -> tuple[int, int]:
        learners = self.db.execute("SELECT COUNT(*) FROM learners").fetchone()[0]
        reports = self.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        return learners, reports
