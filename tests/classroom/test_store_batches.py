"""The board's one writer commits the requests that arrive together in one transaction: each request
stays all or none, and one that cannot be stored costs the others nothing. On SQLite and on a real
PostgreSQL server (skipped without one, as in test_board_postgresql.py)."""

from __future__ import annotations

import pytest

from checks.classroom.store import LessonResult, Store

MISSING_LEARNER = 999_999  # no such learner: its rows break the store's foreign keys


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    target = tmp_path / "board.sqlite3" if request.param == "sqlite" else request.getfixturevalue("postgresql_database")
    opened = Store(target)
    yield opened
    opened.close()


def report(lesson: str, at: str, failed: tuple[str, ...] = (), passed: bool | None = None) -> LessonResult:
    return LessonResult(lesson, not failed if passed is None else passed, failed, at)


def test_a_batch_stores_each_request_all_or_none(store):
    ana, _ = store.add_learner("Ana")
    ben, _ = store.add_learner("Ben")
    first = store.last_change()
    half_broken = [
        report("lesson1", "2026-05-04T09:00:00Z"),
        LessonResult("lesson2", None, (), "2026-05-04T09:10:00Z"),
    ]  # passed must be true or false
    outcomes = store.record_many(
        [
            (ana, [report("lesson1", "2026-05-04T09:00:00Z", ("dockerfile-present",))]),
            (ben, half_broken),
            (MISSING_LEARNER, [report("lesson1", "2026-05-04T09:00:00Z")]),
            (ana, [report("lesson1", "2026-05-04T09:20:00Z")]),
        ]
    )
    assert [problem is None for problem in outcomes] == [True, False, False, True]
    assert isinstance(outcomes[1], TypeError)

    learners = {learner["name"]: learner for learner in store.learners()}
    assert learners["Ana"]["lessons"]["lesson1"]["passed"] is True
    assert learners["Ana"]["lessons"]["lesson1"]["runs"] == 2
    assert learners["Ben"]["lessons"] == {}  # the first report of Ben's request went back with the second
    assert [(row["name"], row["passed"]) for row in store.history()] == [("Ana", 0), ("Ana", 1)]
    assert store.changes_since(first)[1] == {ana}


def test_one_request_alone_raises_what_kept_it_out(store):
    ana, _ = store.add_learner("Ana")
    with pytest.raises(Exception) as refused:
        store.record(MISSING_LEARNER, [report("lesson1", "2026-05-04T09:00:00Z")])
    assert type(refused.value).__name__ in ("IntegrityError", "ForeignKeyViolation")  # sqlite3's, psycopg's
    store.record(ana, [report("lesson1", "2026-05-04T09:00:00Z")])
    assert store.counts() == (1, 1)


def test_a_store_made_by_an_older_board_gains_report_ids(tmp_path):
    """A store made before reports had ids (no report_id column) is upgraded when a board opens it."""
    import sqlite3

    from checks.classroom import store as board_store

    old = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(old)
    older_schema = board_store.SCHEMA.format(serial=board_store.DIALECTS["sqlite"]["serial"])
    connection.executescript(older_schema)
    connection.execute("INSERT INTO learners (name, token_hash, joined) VALUES ('Ana', 'x', '2026-05-04T09:00:00Z')")
    connection.execute(
        "INSERT INTO reports (learner_id, lesson, passed, failed, at, received) "
        "VALUES (1, 'lesson1', 1, '[]', '2026-05-04T09:00:00Z', '2026-05-04T09:00:00Z')"
    )
    connection.commit()
    connection.close()

    opened = Store(old)
    try:
        again = LessonResult("lesson2", True, (), "2026-05-04T09:10:00Z", id="abcdefgh-1")
        opened.record(1, [again])
        opened.record(1, [again])
        assert opened.counts() == (1, 2)
        assert opened.learners()[0]["lessons"]["lesson2"]["runs"] == 1
    finally:
        opened.close()


def test_a_change_committed_after_a_later_one_is_still_followed(postgresql_database):
    """Two boards commit at once: PostgreSQL numbers the first change before the second, yet commits it
    after. An event stream that had moved past the second never showed the first (the multi-board
    bench found learners missing from a board's page for good)."""
    import psycopg

    store = Store(postgresql_database)
    try:
        ana, _ = store.add_learner("Ana")
        ben, _ = store.add_learner("Ben")
        changes = store.follow(store.last_change())
        slow = psycopg.connect(postgresql_database)  # a board whose transaction is still open
        slow.execute("INSERT INTO changes (learner_id) VALUES (%s)", (ana,))
        store.record(ben, [report("lesson1", "2026-05-04T09:00:00Z")])  # numbered after, committed first
        assert changes.new() == {ben}
        slow.commit()
        slow.close()
        assert changes.new() == {ana}
        assert changes.new() == set()
    finally:
        store.close()
