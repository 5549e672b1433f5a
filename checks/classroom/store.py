"""The board's store: learners, their latest result per lesson, every report.

By default one SQLite file (standard library only); with a `postgresql://` URL, a PostgreSQL
database (the `postgresql` extra: psycopg), which several board processes can share. Same schema,
same queries but for a few words of dialect. Every change is one transaction, so a report is either
stored whole or not at all, and a board stopped and started again on the same store carries on
where it was: same join code, same instructor key, same learners and results. Every change also
appends to `changes`, which the board's live events follow, also for changes made by another
board process on the same database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learners (
    id {serial},
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    joined TEXT NOT NULL
);
-- one name per room, whatever its case
CREATE UNIQUE INDEX IF NOT EXISTS learners_name ON learners (lower(name));
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
    id {serial},
    learner_id INTEGER NOT NULL REFERENCES learners(id),
    lesson TEXT NOT NULL,
    passed INTEGER NOT NULL,
    failed TEXT NOT NULL,
    at TEXT NOT NULL,
    received TEXT NOT NULL
);
-- what changed, in order: the board's live events follow it
CREATE TABLE IF NOT EXISTS changes (seq {serial}, learner_id INTEGER NOT NULL);
"""
# added since the first release: a store made by an older board gains them when a board opens it
UPGRADES = {
    # the id the learner's side gave a report: one sent twice (a retry, a queue sent again) is stored once
    "report_id": (
        "ALTER TABLE reports ADD COLUMN report_id TEXT",
        "CREATE UNIQUE INDEX IF NOT EXISTS reports_once ON reports (learner_id, report_id)",
    ),
}
DIALECTS = {
    "sqlite": {
        "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "begin": "BEGIN IMMEDIATE",
        "failing": "SELECT results.lesson AS lesson, failure.value AS check_id, COUNT(*) AS learners "
        "FROM results, json_each(results.failed) AS failure GROUP BY results.lesson, failure.value",
    },
    "postgresql": {
        "serial": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "begin": "BEGIN",
        "failing": "SELECT results.lesson AS lesson, failure AS check_id, COUNT(*) AS learners "
        "FROM results, jsonb_array_elements_text(results.failed::jsonb) AS failure "
        "GROUP BY results.lesson, failure",
    },
}

CHECKPOINT_SECONDS = 2
RECONNECT_SECONDS = 1.0  # at most one attempt to reach a PostgreSQL that went away per this many seconds
# PostgreSQL advisory locks (two-int form; a learner's lock is the one-bigint form, another space)
SCHEMA_LOCK, NAMES_LOCK = (2201, 1), (2201, 2)

# no 0/O, 1/I/L: a code read aloud or from a projector is typed right the first time
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def name_key(name: str) -> str:
    """What two names that look the same have in common: no case, no invisible characters, compatible
    forms folded (NFKC). The names stored are already NFKC without invisible characters (server.py)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join("".join(c for c in folded if unicodedata.category(c) != "Cf").split())


class NameTaken(Exception):
    """Another learner in the room already has this name."""


class RoomFull(Exception):
    """The board has as many learners as it accepts."""


class NoSuchLearner(Exception):
    """No learner has this id (removed meanwhile?)."""


class StoreAway(Exception):
    """The database does not answer now (PostgreSQL restarting): nothing was stored, try again soon."""


@dataclass(frozen=True)
class LessonResult:
    """One validated result of `checks lessonN`: the lesson, whether it passed, the failing check ids, when."""

    lesson: str
    passed: bool
    failed: tuple[str, ...]
    at: str  # UTC, "YYYY-MM-DDTHH:MM:SSZ", so that text order is time order
    # what the run also proved about the lessons it builds on: (lesson, passed, failing checks)
    proves: tuple[tuple[str, bool, tuple[str, ...]], ...] = ()
    id: str | None = None  # chosen by the learner's side: the same report sent twice is stored once


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> str:
    return utc(datetime.now(timezone.utc))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StoreProblem(Exception):
    """The store cannot be opened: a message for the instructor."""


def redacted(target: str) -> str:
    """A store's address without its password, to print."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", target)


def is_url(target: Path | str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds the instructor key); SQLite gives its
    -wal and -shm files the same mode. An existing file readable by others is made private."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        if path.stat().st_mode & 0o077:
            for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if each.exists():
                    each.chmod(0o600)
    except OSError:
        pass  # a folder we cannot write to: sqlite3 says so in its own words


class Store:
    def __init__(self, target: Path | str, max_learners: int = 1000):
        self.target = str(target)
        self.max_learners = max_learners
        self._lock = threading.Lock()  # one transaction at a time on this connection
        self._next_attempt = 0.0
        if is_url(target):
            self.kind = "postgresql"
            self.db = self._connect_postgresql(self.target)
        else:
            self.kind = "sqlite"
            if self.target != ":memory:":
                private_file(Path(self.target))
            try:
                self.db = sqlite3.connect(self.target, check_same_thread=False, isolation_level=None)
                self.db.row_factory = sqlite3.Row
                self.db.execute("PRAGMA busy_timeout=5000")  # another board process on the same file
                self.db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
                self.db.execute("PRAGMA synchronous=NORMAL")  # survives a crash of the board; fsync per checkpoint
                self.db.execute("PRAGMA foreign_keys=ON")
                # checkpoints, and the fsync they make, run in a thread of their own: done by the writer,
                # one every thousand pages stalled a room's reports for tens of milliseconds
                self.db.execute("PRAGMA wal_autocheckpoint=0")
            except sqlite3.DatabaseError as error:
                raise StoreProblem(f"{self.target} cannot be used as the board's store: {error}") from None
            self._stopping = threading.Event()
            self._checkpointer = threading.Thread(target=self._checkpoint_now_and_then, daemon=True)
            self._checkpointer.start()
        dialect = DIALECTS[self.kind]
        self._begin, self._failing = dialect["begin"], dialect["failing"]
        try:
            with self._lock:
                self._create_schema(dialect)
        except Exception as error:  # sqlite3's or psycopg's: a read-only file, a user without rights
            if not (isinstance(error, sqlite3.Error) or type(error).__module__.startswith("psycopg")):
                raise
            self.close()
            raise StoreProblem(f"cannot create the board's tables in {redacted(self.target)}: {error}") from None

    def _create_schema(self, dialect: dict) -> None:
        self._run(self._begin)
        try:
            if self.kind == "postgresql":  # boards started together: one creates, the others wait and find it done
                self._run("SELECT pg_advisory_xact_lock(?, ?)", SCHEMA_LOCK)
            for statement in SCHEMA.format(serial=dialect["serial"]).split(";"):
                if statement.strip():
                    self._run(statement)
            columns = self._run("SELECT * FROM reports WHERE 1 = 0")
            present = {column[0] for column in columns.description}
            for column, statements in UPGRADES.items():
                for statement in statements[column in present :]:
                    self._run(statement)
            self._run("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self._run("ROLLBACK")
        except StoreAway:
            pass  # the connection went with the transaction

    @staticmethod
    def _connect_postgresql(url: str, timeout: int = 10):
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError:
            raise StoreProblem(
                "a PostgreSQL store needs psycopg: in a clone of the course, pip install '.[postgresql]'"
            ) from None
        try:
            return psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=timeout)
        except psycopg.Error as error:
            raise StoreProblem(f"cannot connect to the PostgreSQL store: {str(error).strip()}") from None

    def _run(self, sql: str, args: tuple = ()):
        """Execute one statement, written with `?` placeholders, in this store's dialect.

        A PostgreSQL server that restarted (or a network that broke) closes the connection: that is
        StoreAway, and a later statement connects again, at most one attempt per RECONNECT_SECONDS.
        """
        if self.kind == "sqlite":
            return self.db.execute(sql, args)
        with self._postgresql() as db:
            return db.execute(sql.replace("?", "%s"), args)

    @contextlib.contextmanager
    def _postgresql(self):
        """The connection, made again if it went; a connection lost meanwhile is StoreAway."""
        import psycopg

        if self.db is None:
            self._reconnect()
        try:
            yield self.db
        except psycopg.OperationalError as error:
            if not (self.db.closed or self.db.broken):
                raise  # a deadlock, a serialization failure: the statement's own problem
            self.db.close()
            self.db = None
            raise StoreAway(f"the PostgreSQL store went away: {str(error).strip()}") from None

    def _reconnect(self) -> None:
        moment = time.monotonic()
        if moment < self._next_attempt:
            raise StoreAway("the PostgreSQL store does not answer: trying again in a moment")
        self._next_attempt = moment + RECONNECT_SECONDS
        try:
            self.db = self._connect_postgresql(self.target, timeout=3)
        except StoreProblem as problem:
            raise StoreAway(str(problem)) from None

    def ping(self) -> None:
        """Raise StoreAway unless the database answers."""
        self._value("SELECT 1")

    def _one(self, sql: str, args: tuple = ()):
        return self._run(sql, args).fetchone()

    def _value(self, sql: str, args: tuple = ()):
        row = self._one(sql, args)
        return None if row is None else list(row.values())[0] if isinstance(row, dict) else row[0]

    def _checkpoint_now_and_then(self) -> None:
        connection = sqlite3.connect(self.target, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA busy_timeout=5000")
            while not self._stopping.wait(CHECKPOINT_SECONDS):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    pass  # busy now: next time
        finally:
            connection.close()

    def close(self) -> None:
        if self.kind == "sqlite":
            self._stopping.set()
            self._checkpointer.join(timeout=10)
            with self._lock:
                try:
                    self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass
        if self.db is not None:
            self.db.close()

    def _meta(self, key: str, make) -> str:
        with self._lock:
            # two boards starting at once on one database agree on the first value written
            self._run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, make()))
            return self._value("SELECT value FROM meta WHERE key = ?", (key,))

    @property
    def join_code(self) -> str:
        return self._meta("join_code", new_code)

    def rotate_join_code(self) -> str:
        """A new join code for the room (the old one was shared too widely); learners who joined stay."""
        code = new_code()
        with self._lock:
            self._run("UPDATE meta SET value = ? WHERE key = 'join_code'", (code,))
        return code

    @property
    def instructor_key(self) -> str:
        return self._meta("instructor_key", lambda: secrets.token_urlsafe(24))

    def add_learner(self, name: str) -> tuple[int, str]:
        """A new learner; returns its id and its token (only the token's hash is stored)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            count = self._value("SELECT COUNT(*) FROM learners")
            if count >= self.max_learners:
                raise RoomFull(f"the board already has {count} learners, its maximum")
            with self._names_transaction(name):
                self._run(
                    "INSERT INTO learners (name, token_hash, joined) VALUES (?, ?, ?)", (name, token_hash(token), now())
                )
                learner_id = self._value("SELECT id FROM learners WHERE token_hash = ?", (token_hash(token),))
                self._run("INSERT INTO changes (learner_id) VALUES (?)", (learner_id,))
            return learner_id, token

    @contextlib.contextmanager
    def _names_transaction(self, name: str, learner_id: int | None = None):
        """A transaction that gives `name` to a learner: NameTaken if another looks the same."""
        self._run(self._begin)
        try:
            if self.kind == "postgresql":  # two boards naming learners at once: one after the other
                self._run("SELECT pg_advisory_xact_lock(?, ?)", NAMES_LOCK)
            wanted = name_key(name)
            for row in self._run("SELECT id, name FROM learners").fetchall():
                if row["id"] != learner_id and name_key(row["name"]) == wanted:
                    raise NameTaken(row["name"])
            yield
            self._run("COMMIT")
        except BaseException as error:
            self._rollback()
            if type(error).__name__ in ("IntegrityError", "UniqueViolation"):  # sqlite3's, psycopg's
                raise NameTaken(name) from None
            raise

    def rename_learner(self, learner_id: int, name: str) -> None:
        with self._lock, self._names_transaction(name, learner_id):
            if self._value("SELECT COUNT(*) FROM learners WHERE id = ?", (learner_id,)) == 0:
                raise NoSuchLearner(learner_id)
            self._run("UPDATE learners SET name = ? WHERE id = ?", (name, learner_id))
            self._run("INSERT INTO changes (learner_id) VALUES (?)", (learner_id,))

    def remove_learner(self, learner_id: int) -> str:
        """Remove a learner, their results and reports (a name that flooded the room); returns the name.
        Their token stops working: their `checks` hears 401 and stops reporting."""
        with self._lock:
            self._run(self._begin)
            try:
                name = self._value("SELECT name FROM learners WHERE id = ?", (learner_id,))
                if name is None:
                    raise NoSuchLearner(learner_id)
                for table in ("results", "reports"):
                    self._run(f"DELETE FROM {table} WHERE learner_id = ?", (learner_id,))
                self._run("DELETE FROM learners WHERE id = ?", (learner_id,))
                self._run("INSERT INTO changes (learner_id) VALUES (?)", (learner_id,))
                self._run("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return name

    def learner_by_token(self, token: str) -> tuple[int, str, str] | None:
        """(id, name, when they joined) of the learner with this token."""
        row = self._one("SELECT id, name, joined FROM learners WHERE token_hash = ?", (token_hash(token),))
        return (row["id"], row["name"], row["joined"]) if row else None

    def current_join_code(self) -> str:
        return self._value("SELECT value FROM meta WHERE key = 'join_code'") or self.join_code

    def record(self, learner_id: int, reports: list[LessonResult]) -> None:
        """Store one learner's reports, all or none."""
        (problem,) = self.record_many([(learner_id, reports)])
        if problem is not None:
            raise problem

    def record_many(self, batch: list[tuple[int, list[LessonResult]]]) -> list[Exception | None]:
        """Store the reports of several requests in one transaction: one commit for a room's burst
        instead of one per learner (the commit is most of the cost). Each request's reports are all or
        none, behind a savepoint of their own; returns, per request, None or why it was not stored.
        An older report (queued while the board was away) goes to the history but does not replace a
        newer result; a report whose id is stored already (sent again) is left out.

        What the requests need to read is read once for the batch; each request is then only writes,
        which PostgreSQL gets in one round trip (a pipeline): on a busy machine, round trips to the
        database were most of a report's time."""
        received = now()
        outcomes: list[Exception | None] = []
        learner_ids = sorted({learner_id for learner_id, _ in batch})
        with self._lock:
            self._run(self._begin)
            try:
                if self.kind == "postgresql":  # one learner's reports, one board process at a time;
                    # taken in id order, so that two boards' batches never wait for each other in a circle
                    self._run(
                        "SELECT pg_advisory_xact_lock(id) FROM (SELECT id FROM unnest(?::bigint[]) AS id ORDER BY id) AS ids",
                        (learner_ids,),
                    )
                results = self._results_of(learner_ids)
                stored = self._stored_ids(batch)
                for learner_id, reports in batch:
                    try:
                        # copies: a request that is not stored leaves what the next ones start from as it was
                        theirs = {lesson: dict(row) for lesson, row in results.get(learner_id, {}).items()}
                        ids: set[tuple[int, str]] = set()
                        statements = self._writes(learner_id, reports, received, theirs, stored, ids)
                        self._run_request(statements)
                    except StoreAway:
                        raise
                    except Exception as problem:  # this request only: the others of the batch stay
                        outcomes.append(problem)
                    else:
                        results[learner_id], stored = theirs, stored | ids
                        outcomes.append(None)
                self._run("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return outcomes

    def _among(self, column: str, values: list) -> tuple[str, object]:
        """`column` is one of `values`: one parameter, whatever their number."""
        if self.kind == "postgresql":
            return f"{column} = ANY(?)", list(values)
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    def _results_of(self, learner_ids: list[int]) -> dict[int, dict[str, dict]]:
        among, values = self._among("learner_id", learner_ids)
        results: dict[int, dict[str, dict]] = {}
        for row in self._run(
            f"SELECT learner_id, lesson, passed, failed, failing_since, at, runs FROM results WHERE {among}", (values,)
        ):
            row = dict(row)
            results.setdefault(row.pop("learner_id"), {})[row["lesson"]] = row
        return results

    def _stored_ids(self, batch: list[tuple[int, list[LessonResult]]]) -> set[tuple[int, str]]:
        report_ids = sorted({report.id for _, reports in batch for report in reports if report.id is not None})
        if not report_ids:
            return set()
        among, values = self._among("report_id", report_ids)
        rows = self._run(f"SELECT learner_id, report_id FROM reports WHERE {among}", (values,)).fetchall()
        return {(row["learner_id"], row["report_id"]) for row in rows}

    def _writes(
        self,
        learner_id: int,
        reports: list[LessonResult],
        received: str,
        results: dict[str, dict],
        stored: set[tuple[int, str]],
        ids: set[tuple[int, str]],
    ) -> list[tuple[str, tuple]]:
        """The statements that store one request: its new reports, the learner's results they change
        (`results`, changed in place) and a change for the live pages; the ids it stores go into `ids`."""
        before = {lesson: dict(row) for lesson, row in results.items()}
        statements: list[tuple[str, tuple]] = []
        for report in sorted(reports, key=lambda r: r.at):
            if report.id is not None:
                if (learner_id, report.id) in stored or (learner_id, report.id) in ids:
                    continue  # stored already: a retry after a timeout, or a queue sent again
                ids.add((learner_id, report.id))
            statements.append(
                (
                    "INSERT INTO reports (learner_id, lesson, passed, failed, at, received, report_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        learner_id,
                        report.lesson,
                        int(report.passed),
                        json.dumps(sorted(report.failed)),
                        report.at,
                        received,
                        report.id,
                    ),
                )
            )
            outcome(results, report.lesson, report.passed, report.failed, report.at, own_run=True)
            for lesson, passed, failed in report.proves:
                outcome(results, lesson, passed, failed, report.at, own_run=False)
        columns = ("passed", "failed", "failing_since", "at", "runs")
        for lesson, row in results.items():
            values = (*(row[c] for c in columns), learner_id, lesson)
            if lesson not in before:
                statements.append(
                    (
                        "INSERT INTO results (passed, failed, failing_since, at, runs, learner_id, lesson) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        values,
                    )
                )
            elif row != before[lesson]:
                statements.append(
                    (
                        "UPDATE results SET passed = ?, failed = ?, failing_since = ?, at = ?, runs = ? "
                        "WHERE learner_id = ? AND lesson = ?",
                        values,
                    )
                )
        statements.append(("INSERT INTO changes (learner_id) VALUES (?)", (learner_id,)))
        return statements

    def _run_request(self, statements: list[tuple[str, tuple]]) -> None:
        """One request's statements behind a savepoint: all stored, or none (and its error raised)."""
        if self.kind == "sqlite":
            self._run("SAVEPOINT request")
            try:
                for sql, args in statements:
                    self._run(sql, args)
            except Exception:
                self._run("ROLLBACK TO SAVEPOINT request")
                raise
            finally:
                self._run("RELEASE SAVEPOINT request")
            return
        try:
            with self._postgresql() as db, db.pipeline():
                db.execute("SAVEPOINT request")
                for sql, args in statements:
                    db.execute(sql.replace("?", "%s"), args)
                db.execute("RELEASE SAVEPOINT request")
        except StoreAway:
            raise
        except Exception:
            self._run("ROLLBACK TO SAVEPOINT request")
            self._run("RELEASE SAVEPOINT request")
            raise

    def learners(self, ids: list[int] | None = None) -> list[dict]:
        """Learners with their latest result per lesson, in the order they joined."""
        where = ""
        args: tuple[int, ...] = ()
        if ids is not None:
            where, args = f"WHERE id IN ({','.join('?' * len(ids))})", tuple(ids)
        rows = {
            row["id"]: {"id": row["id"], "name": row["name"], "joined": row["joined"], "lessons": {}}
            for row in self._run(f"SELECT id, name, joined FROM learners {where} ORDER BY id", args)
        }
        where = where.replace("id IN", "learner_id IN")
        for row in self._run(f"SELECT * FROM results {where}", args):
            rows[row["learner_id"]]["lessons"][row["lesson"]] = {
                "passed": bool(row["passed"]),
                "failed": json.loads(row["failed"]),
                "since": json.loads(row["failing_since"]),
                "at": row["at"],
                "runs": row["runs"],
            }
        return list(rows.values())

    def failing_counts(self) -> dict[str, dict]:
        """Per lesson: how many learners have a result, and for each failing check how many fail it now."""
        summary: dict[str, dict] = {}
        for row in self._run("SELECT lesson, COUNT(*) AS tried, SUM(passed) AS passed FROM results GROUP BY lesson"):
            summary[row["lesson"]] = {"tried": int(row["tried"]), "passed": int(row["passed"] or 0), "failing": {}}
        for row in self._run(self._failing):
            summary[row["lesson"]]["failing"][row["check_id"]] = int(row["learners"])
        return summary

    def last_change(self) -> int:
        return int(self._value("SELECT COALESCE(MAX(seq), 0) FROM changes"))

    def changes_since(self, seq: int) -> tuple[int, set[int]]:
        """The latest change and the learners changed after `seq` (by any board process)."""
        rows = self._run("SELECT seq, learner_id FROM changes WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        return (int(rows[-1]["seq"]) if rows else seq), {row["learner_id"] for row in rows}

    def follow(self, seq: int) -> Changes:
        return Changes(self, seq)

    def history(self) -> list:
        return self._run(
            "SELECT learners.name AS name, reports.lesson AS lesson, reports.passed AS passed, "
            "reports.failed AS failed, reports.at AS at, reports.received AS received "
            "FROM reports JOIN learners ON learners.id = reports.learner_id ORDER BY reports.at, reports.id"
        ).fetchall()

    def counts(self) -> tuple[int, int]:
        return int(self._value("SELECT COUNT(*) FROM learners")), int(self._value("SELECT COUNT(*) FROM reports"))


def outcome(
    results: dict[str, dict], lesson: str, passed: bool, failed_ids: tuple[str, ...], at: str, own_run: bool
) -> None:
    """The learner's result in `lesson` (a row of `results`, changed in place) after a run at `at`: of that
    lesson (`own_run`, counted in `runs`), or of a later lesson that ran its checks too. An older run
    does not replace a newer one; a check that failed last time too keeps the moment it started failing."""
    previous = results.get(lesson)
    if previous is not None and at < previous["at"]:
        previous["runs"] += int(own_run)
        return
    old_since = json.loads(previous["failing_since"]) if previous else {}
    results[lesson] = {
        "lesson": lesson,
        "passed": int(passed),
        "failed": json.dumps(sorted(failed_ids)),
        "failing_since": json.dumps({check: old_since.get(check, at) for check in sorted(failed_ids)}),
        "at": at,
        "runs": (previous["runs"] if previous else 0) + int(own_run),
    }


class Changes:
    """Follows the store's `changes` for one event stream, without missing one.

    On PostgreSQL a change's number is taken when its transaction inserts it and seen when it commits,
    so a smaller number can show up after a larger one (two boards committing at once): the cursor
    stays below such a gap, for GAP_SECONDS at most (a transaction rolled back leaves a gap for good).
    """

    GAP_SECONDS = 10.0

    def __init__(self, store: Store, seq: int):
        self.store, self.below, self.later = store, seq, set[int]()
        self.gap_since: float | None = None

    def new(self) -> set[int]:
        """The learners changed since the last call (or since `seq`)."""
        rows = self.store._run(
            "SELECT seq, learner_id FROM changes WHERE seq > ? ORDER BY seq", (self.below,)
        ).fetchall()
        learners = set()
        for row in rows:
            if int(row["seq"]) not in self.later:
                self.later.add(int(row["seq"]))
                learners.add(row["learner_id"])
        if self.later and self.gap_since is not None and time.monotonic() - self.gap_since > self.GAP_SECONDS:
            self.below = min(self.later) - 1  # that gap is a transaction that never committed
        while self.below + 1 in self.later:
            self.below += 1
            self.later.discard(self.below)
        self.gap_since = (self.gap_since or time.monotonic()) if self.later else None
        return learners
