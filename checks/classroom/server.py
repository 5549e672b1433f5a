"""The progress board: a Starlette app under uvicorn, on the store of store.py.

Learners (`checks join`, then every `checks lessonN`) use /api/*; the instructor's page, its live
events and the CSV export are under /board and need the instructor key. What a learner sends is
validated whole before anything is stored: a malformed, forged, oversized or too frequent request
gets a 4xx with a JSON `error` message and changes nothing.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import hmac
import io
import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..progress import evidence
from .store import LessonResult, NameTaken, NoSuchLearner, RoomFull, Store, StoreAway, now, utc

HERE = Path(__file__).resolve().parent
MAX_BODY = 8 * 1024  # a report of every check of the course fits in 3 KiB
MAX_NAME = 40
MAX_REPORTS = 20  # per request: the learner's queue is sent in one go
# the board's events gather what arrives within this window: a room reporting at once becomes a
# few events, not hundreds, and the board still shows a report well within a second
BATCH_SECONDS = 0.25
KEEPALIVE_SECONDS = 15
POLL_SECONDS = 0.5  # how often a stream looks for changes made by another board process
MAX_BOARD_STREAMS = 20
# a learner's clock behind the board's by less than this is taken as the time the request spent on its
# way (a board that stalled, a slow network), not as a wrong clock: report times stay as the learner's
SKEW_TOLERANCE = timedelta(minutes=2)
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc)
RETRY_AFTER_STORE = 2  # seconds: PostgreSQL restarting


class Refused(Exception):
    """A request the board refuses: HTTP status and a message for the person who sent it."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class Bucket:
    """Token buckets by key: `burst` requests at once, then one every `every` seconds."""

    def __init__(self, burst: int, every: float):
        self.burst, self.every = burst, every
        self.state: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 if allowed (and counted), else the seconds to wait."""
        moment = time.monotonic()
        tokens, last = self.state.get(key, (self.burst, moment))
        tokens = min(self.burst, tokens + (moment - last) / self.every)
        if tokens < 1:
            self.state[key] = (tokens, moment)
            return (1 - tokens) * self.every
        self.state[key] = (tokens - 1, moment)
        if len(self.state) > 10_000:  # forget the idle ones (all full again) rather than grow forever
            self.state = {k: v for k, v in self.state.items() if v[0] < self.burst - 1}
        return 0.0


@dataclass
class Limits:
    reports: Bucket = field(default_factory=lambda: Bucket(burst=20, every=1.0))  # per learner
    # joins with the right code: a laptop that retries a taken name gets by; one that fills the room does not
    joins_per_address: Bucket = field(default_factory=lambda: Bucket(burst=10, every=10.0))
    # a room of 100 joins at once, then 2 a second: a code shared too widely fills the room slowly enough
    # for the instructor to see it, rotate the code and remove what came in
    joins_per_code: Bucket = field(default_factory=lambda: Bucket(burst=100, every=0.5))
    wrong_secret: Bucket = field(
        default_factory=lambda: Bucket(burst=10, every=6.0)
    )  # per address: code or key guessing


class Hub:
    """Wakes this process's event streams when a learner changed here; changes made by another board
    process on the same store are found by polling the store's `changes`."""

    def __init__(self):
        self.waiters: set[asyncio.Event] = set()
        self.streams = 0

    def changed(self) -> None:
        for waiter in self.waiters:
            waiter.set()


class Writer:
    """The store's one writer: the reports that arrive together (a room's burst) are committed in one
    transaction, on the next turn of the event loop, instead of one commit per learner; a report is
    answered only once its commit is done."""

    def __init__(self, store: Store, hub: Hub):
        self.store, self.hub = store, hub
        self.waiting: list[tuple[int, list[LessonResult], asyncio.Future]] = []

    async def record(self, learner_id: int, reports: list[LessonResult]) -> None:
        loop = asyncio.get_running_loop()
        if not self.waiting:
            loop.call_soon(self.flush)
        done = loop.create_future()
        self.waiting.append((learner_id, reports, done))
        await done

    def flush(self) -> None:
        batch, self.waiting = self.waiting, []
        try:
            outcomes = self.store.record_many([(learner_id, reports) for learner_id, reports, _ in batch])
        except Exception as problem:  # the whole transaction: every request of the batch hears why
            outcomes = [problem] * len(batch)
        self.hub.changed()
        for (_, _, done), outcome in zip(batch, outcomes, strict=True):  # one outcome per request
            if done.cancelled():  # the learner hung up; what it sent is stored all the same
                continue
            if outcome is None:
                done.set_result(None)
            else:
                done.set_exception(outcome)


# --- what learners send -------------------------------------------------------------------------


def parse_time(value, field_name: str) -> datetime:
    """A time the learner's side sent, in UTC, between the years 2000 and 2100."""
    if not isinstance(value, str) or len(value) > 40:
        raise Refused(422, f"{field_name} must be an ISO 8601 time with a time zone, e.g. 2026-05-04T09:30:00Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refused(422, f"{field_name} is not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise Refused(422, f"{field_name} has no time zone: add Z or +00:00")
    try:
        moment = moment.astimezone(timezone.utc)  # year 1 at +14:00 is before the year 1 in UTC
    except (OverflowError, ValueError):
        raise Refused(422, f"{field_name} is out of range: {value[:40]!r}") from None
    if not EARLIEST <= moment < LATEST:
        raise Refused(422, f"{field_name} is out of range: {value[:40]!r} (a clock set far wrong?)")
    return moment


# shown as nothing, yet not format characters (Cf): fillers and blanks
INVISIBLE = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u2800", "\u3164", "\uffa0"}
# joiners that change how a word in some scripts (or an emoji) is drawn: kept inside a name, never alone
JOINERS = {"\u200c", "\u200d"}


def valid_name(value) -> str:
    """The name as the board shows it: NFKC, runs of spaces made one, invisible characters removed."""
    if not isinstance(value, str):
        raise Refused(422, "name must be text")
    if any(unicodedata.category(c) == "Cc" or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in value):
        raise Refused(422, "name contains control characters")
    value = unicodedata.normalize("NFKC", value)
    kept = "".join(c for c in value if c in JOINERS or (unicodedata.category(c) != "Cf" and c not in INVISIBLE))
    name = " ".join(kept.split())
    if not any(unicodedata.category(c)[0] in "LNS" for c in name):
        raise Refused(422, "name is empty (or only invisible characters): give the name the instructor knows you by")
    if len(name) > MAX_NAME:
        raise Refused(422, f"name is longer than {MAX_NAME} characters")
    return name


@functools.cache
def checks_up_to(catalogue, lesson) -> frozenset[str]:
    """The ids a report of `lesson` may name: its checks and those of the lessons before it, which it runs too."""
    return frozenset(info.id for step in (*catalogue.before(lesson), lesson) for info in step.checks)


def clock_offset(sent: datetime, server_now: datetime) -> timedelta:
    """How far the learner's clock is behind the board's, judged from when the request says it was sent.

    A request that waited (a board that stalled, a slow network) arrives late, which looks like a clock
    behind: within SKEW_TOLERANCE that is taken for the wait, and the learner's times are kept. A clock
    ahead cannot be explained by waiting, nor can one far behind: those are corrected.
    """
    offset = server_now - sent
    return offset if offset < timedelta(0) or offset > SKEW_TOLERANCE else timedelta(0)


def parse_reports(payload, catalogue, server_now: datetime, joined: datetime | None = None) -> list[LessonResult]:
    """Validate a learner's request {"sent": time, "reports": [{id, lesson, passed, failed, at}, …]}.

    Times are moved by the learner clock's offset (clock_offset), so a laptop whose clock is wrong,
    or a report queued for an hour, still lands at the right moment. A time after `sent`, or before
    the learner joined the board, is refused. `id` (chosen by the learner's side, optional for
    older clients) makes a report sent twice count once.
    """
    if not isinstance(payload, dict) or set(payload) != {"sent", "reports"}:
        raise Refused(422, 'expected {"sent": time, "reports": [...]} and nothing else')
    sent = parse_time(payload["sent"], "sent")
    skew = clock_offset(sent, server_now)
    items = payload["reports"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_REPORTS:
        raise Refused(422, f"reports must be a list of 1 to {MAX_REPORTS} reports")
    reports = []
    for index, item in enumerate(items):
        where = f"reports[{index}]"
        if not isinstance(item, dict) or set(item) - {"id"} != {"lesson", "passed", "failed", "at"}:
            raise Refused(422, f"{where} must have exactly lesson, passed, failed and at (and an id)")
        report_id = item.get("id")
        if report_id is not None and not (
            isinstance(report_id, str) and re.fullmatch(r"[A-Za-z0-9_-]{8,64}", report_id)
        ):
            raise Refused(422, f"{where}: id must be 8 to 64 letters, digits, - or _")
        lesson = catalogue.get(item["lesson"]) if isinstance(item["lesson"], str) else None
        if lesson is None or lesson.id != item["lesson"]:
            raise Refused(422, f"{where}: unknown lesson {str(item['lesson'])[:20]!r}")
        if not isinstance(item["passed"], bool):
            raise Refused(422, f"{where}: passed must be true or false")
        failed = item["failed"]
        known = checks_up_to(catalogue, lesson)
        if (
            not isinstance(failed, list)
            or not all(isinstance(c, str) for c in failed)
            or len(set(failed)) != len(failed)
        ):
            raise Refused(422, f"{where}: failed must be a list of distinct check ids")
        unknown = [c for c in failed if c not in known]
        if unknown:
            raise Refused(422, f"{where}: {unknown[0][:40]!r} is not a check of {lesson.id} or the lessons before it")
        if item["passed"] and failed:
            raise Refused(422, f"{where}: a lesson with failing checks has not passed")
        at = parse_time(item["at"], f"{where}.at")
        if at > sent + timedelta(minutes=1):
            raise Refused(422, f"{where}.at is after the request was sent: {item['at'][:40]!r}")
        at = min(at + skew, server_now)
        if joined is not None and at < joined - SKEW_TOLERANCE:
            raise Refused(422, f"{where}.at is before you joined the board: {item['at'][:40]!r}")
        proves = tuple(
            (proved, proved_passed, tuple(proved_failed))
            for proved, (proved_passed, proved_failed) in evidence(catalogue, lesson.id, item["passed"], failed).items()
            if proved != lesson.id
        )
        reports.append(LessonResult(lesson.id, item["passed"], tuple(failed), utc(at), proves, report_id))
    return reports


# --- the app ----------------------------------------------------------------------------------------


class Board:
    def __init__(
        self,
        store: Store,
        catalogue,
        stuck_after: timedelta = timedelta(minutes=10),
        limits: Limits | None = None,
        public_url: str | None = None,
    ):
        self.store, self.catalogue, self.stuck_after = store, catalogue, stuck_after
        self.public_url = public_url  # the address learners use, for the join command on the page
        self.instructor_key = store.instructor_key
        store.join_code  # noqa: B018 - made now if the store is new, so that the first join finds one
        self.limits = limits or Limits()
        self.hub = Hub()
        self.writer = Writer(store, self.hub)
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
        self.checks = {}
        for lesson in catalogue.lessons:
            for info in lesson.checks:
                self.checks[info.id] = {"title": info.title, "lesson": lesson.id, "url": lesson.docs_link(info)}
        self.lessons = [
            {"id": lesson.id, "number": lesson.number, "title": lesson.title, "url": lesson.page_url}
            for lesson in catalogue.lessons
        ]

    # helpers
    def refuse_guessing(self, request: Request, what: str) -> Refused:
        wait = self.limits.wrong_secret.take(address(request))
        if wait:
            return Refused(429, f"too many wrong {what}s from this address: wait {int(wait) + 1} s", int(wait) + 1)
        return Refused(403, f"wrong {what}")

    def instructor(self, request: Request) -> None:
        key = request.query_params.get("key", "")
        if not hmac.compare_digest(key.encode(), self.instructor_key.encode()):
            raise self.refuse_guessing(request, "instructor key")

    def learner(self, request: Request) -> tuple[int, str, str]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Refused(401, "no learner token: run `checks join` in your workspace")
        found = self.store.learner_by_token(token.strip())
        if found is None:
            wait = self.limits.wrong_secret.take(address(request))
            if wait:
                raise Refused(429, f"too many unknown tokens from this address: wait {int(wait) + 1} s", int(wait) + 1)
            raise Refused(401, "this board does not know your token: run `checks join` again")
        return found

    def snapshot(self, ids: list[int] | None = None) -> dict:
        learners = self.store.learners(ids)
        shown = {learner["id"] for learner in learners}
        return {
            "now": now(),
            "code": self.store.current_join_code(),  # rotated on another board's page: this one follows
            "learners": learners,
            "removed": [learner_id for learner_id in ids or () if learner_id not in shown],
            "summary": self.store.failing_counts(),
        }

    # learners
    async def join(self, request: Request) -> Response:
        payload = await read_json(request)
        if not isinstance(payload, dict) or set(payload) != {"code", "name"}:
            raise Refused(422, 'expected {"code": …, "name": …} and nothing else')
        code = payload["code"]
        join_code = self.store.current_join_code()
        if not isinstance(code, str) or not hmac.compare_digest(code.strip().upper().encode(), join_code.encode()):
            raise self.refuse_guessing(request, "join code")
        limits = self.limits
        for bucket, whom, what in (
            (limits.joins_per_address, address(request), "from this address"),
            (limits.joins_per_code, join_code, "with this code"),
        ):
            wait = bucket.take(whom)
            if wait:
                raise Refused(429, f"too many joins {what}: wait {int(wait) + 1} s", int(wait) + 1)
        name = valid_name(payload["name"])
        try:
            learner_id, token = self.store.add_learner(name)
        except NameTaken as taken:
            raise Refused(409, f"someone in the room is already called {taken.args[0]!r}: add an initial") from None
        except RoomFull as full:
            raise Refused(409, str(full)) from None
        self.hub.changed()
        return JSONResponse({"name": name, "token": token}, status_code=201)

    async def me(self, request: Request) -> Response:
        _, name, _ = self.learner(request)
        return JSONResponse({"name": name})

    async def reports(self, request: Request) -> Response:
        learner_id, _, joined = self.learner(request)
        wait = self.limits.reports.take(str(learner_id))
        if wait:
            raise Refused(429, f"too many reports: wait {int(wait) + 1} s", int(wait) + 1)
        server_now = datetime.now(timezone.utc)
        reports = parse_reports(await read_json(request), self.catalogue, server_now, parse_time(joined, "joined"))
        await self.writer.record(learner_id, reports)
        return JSONResponse({"accepted": len(reports)})

    async def health(self, request: Request) -> Response:
        """200 when the board can store a report now; 503 while its database is away."""
        try:
            self.store.ping()
        except StoreAway as away:
            return JSONResponse(
                {"board": "checks classroom", "ok": False, "store": str(away)},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_STORE)},
            )
        return JSONResponse({"board": "checks classroom", "ok": True})

    async def home(self, request: Request) -> Response:
        return PlainTextResponse(
            "This is a progress board of the Docker lessons.\n"
            f"Join it from your workspace: checks join {request.base_url} --code CODE --name 'Your Name'\n"
            "(your instructor gives you the code)\n"
        )

    # the instructor
    async def board(self, request: Request) -> Response:
        self.instructor(request)
        learners, reports = self.store.counts()
        page = self.templates.get_template("board.html").render(
            title=self.catalogue.course.title,
            code=self.store.current_join_code(),
            url=self.public_url or str(request.base_url).rstrip("/"),
            key=request.query_params["key"],
            learners=learners,
            reports=reports,
            setup={"lessons": self.lessons, "checks": self.checks, "stuck_after": self.stuck_after.total_seconds()},
        )
        return HTMLResponse(page, headers=PRIVATE)

    async def state(self, request: Request) -> Response:
        self.instructor(request)
        return JSONResponse(self.snapshot(), headers=PRIVATE)

    async def events(self, request: Request) -> Response:
        self.instructor(request)
        if self.hub.streams >= MAX_BOARD_STREAMS:
            raise Refused(429, f"{MAX_BOARD_STREAMS} boards are open already: close one", 10)
        seen = self.store.last_change()  # before the snapshot: a change made meanwhile is sent again, not lost
        first = self.snapshot()  # here, not in the stream: a database away is a 503 the page retries
        return StreamingResponse(
            self.stream(self.store.follow(seen), first),
            media_type="text/event-stream",
            headers={**PRIVATE, "X-Accel-Buffering": "no"},
        )

    async def stream(self, changes, first: dict):
        hub = self.hub
        hub.streams += 1
        try:
            yield sse("snapshot", first)
            quiet = 0.0
            while True:
                waiter = asyncio.Event()
                hub.waiters.add(waiter)
                try:
                    await asyncio.wait_for(waiter.wait(), POLL_SECONDS)
                    await asyncio.sleep(BATCH_SECONDS)  # a burst of reports becomes one event
                except asyncio.TimeoutError:
                    pass
                finally:
                    hub.waiters.discard(waiter)
                try:
                    changed = changes.new()
                    update = self.snapshot(sorted(changed)) if changed else None
                except StoreAway:  # PostgreSQL restarting: the changes wait in it, look again soon
                    changed, update = set(), None
                if update is not None:
                    quiet = 0.0
                    yield sse("update", update)
                else:
                    quiet += POLL_SECONDS
                    if quiet >= KEEPALIVE_SECONDS:  # also how a closed connection is noticed
                        quiet = 0.0
                        yield ": still here\n\n"
        finally:
            hub.streams -= 1

    # instructor actions: POST, with the key
    def learner_id(self, request: Request) -> int:
        self.instructor(request)
        value = request.path_params["learner"]
        if not value.isdigit():
            raise Refused(404, "no such learner")
        return int(value)

    async def remove(self, request: Request) -> Response:
        learner_id = self.learner_id(request)
        try:
            name = self.store.remove_learner(learner_id)
        except NoSuchLearner:
            raise Refused(404, "no such learner (removed already?)") from None
        self.hub.changed()
        return JSONResponse({"removed": name}, headers=PRIVATE)

    async def rename(self, request: Request) -> Response:
        learner_id = self.learner_id(request)
        payload = await read_json(request)
        if not isinstance(payload, dict) or set(payload) != {"name"}:
            raise Refused(422, 'expected {"name": …} and nothing else')
        name = valid_name(payload["name"])
        try:
            self.store.rename_learner(learner_id, name)
        except NoSuchLearner:
            raise Refused(404, "no such learner (removed meanwhile?)") from None
        except NameTaken as taken:
            raise Refused(409, f"someone in the room is already called {taken.args[0]!r}") from None
        self.hub.changed()
        return JSONResponse({"name": name}, headers=PRIVATE)

    async def rotate_code(self, request: Request) -> Response:
        self.instructor(request)
        code = self.store.rotate_join_code()
        self.hub.changed()
        return JSONResponse({"code": code}, headers=PRIVATE)

    async def export(self, request: Request) -> Response:
        self.instructor(request)
        out = io.StringIO()
        writer = csv.writer(out)
        if request.query_params.get("history"):
            writer.writerow(["learner", "lesson", "status", "failing checks", "at", "received"])
            for row in self.store.history():
                writer.writerow(
                    [
                        cell(row["name"]),
                        row["lesson"],
                        "passed" if row["passed"] else "failed",
                        " ".join(json.loads(row["failed"])),
                        row["at"],
                        row["received"],
                    ]
                )
            name = "classroom-history.csv"
        else:
            writer.writerow(
                ["learner", "joined", "lesson", "status", "failing checks", "failing since", "last run", "runs"]
            )
            for learner in self.store.learners():
                if not learner["lessons"]:
                    writer.writerow([cell(learner["name"]), learner["joined"], "", "not tried", "", "", "", 0])
                for lesson in self.lessons:
                    result = learner["lessons"].get(lesson["id"])
                    if result:
                        since = min(result["since"].values(), default="")
                        writer.writerow(
                            [
                                cell(learner["name"]),
                                learner["joined"],
                                lesson["id"],
                                "passed" if result["passed"] else "failed",
                                " ".join(result["failed"]),
                                since,
                                result["at"],
                                result["runs"],
                            ]
                        )
            name = "classroom.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'},
        )


PRIVATE = {"Cache-Control": "no-store"}
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        b"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),  # the instructor key is in the URL: never send it to the docs site
    (b"x-content-type-options", b"nosniff"),
]


def cell(text: str) -> str:
    """A learner's text in a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def read_json(request: Request):
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > MAX_BODY):
        raise Refused(413, f"request body larger than {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Refused(413, f"request body larger than {MAX_BODY} bytes")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refused(415, "send JSON with Content-Type: application/json")
    try:
        return json.loads(body)
    except ValueError:
        raise Refused(400, "the body is not valid JSON") from None


async def refused(request: Request, problem: Refused) -> Response:
    headers = {"Retry-After": str(problem.retry_after)} if problem.retry_after else None
    return JSONResponse({"error": problem.message}, status_code=problem.status, headers=headers)


async def store_away(request: Request, problem: StoreAway) -> Response:
    """PostgreSQL restarting: nothing was stored; the learner's `checks` keeps the report and sends it again."""
    return JSONResponse(
        {"error": f"the board's database is away for a moment: {problem}"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_STORE)},
    )


def security_headers(app):
    async def wrapped(scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await app(scope, receive, sending)

    return wrapped


def make_app(board: Board):
    app = Starlette(
        routes=[
            Route("/", board.home),
            Route("/api/health", board.health),
            Route("/favicon.ico", lambda request: Response(status_code=204)),  # browsers ask; nothing to show
            Route("/api/join", board.join, methods=["POST"]),
            Route("/api/me", board.me),
            Route("/api/reports", board.reports, methods=["POST"]),
            Route("/board", board.board),
            Route("/board/state", board.state),
            Route("/board/events", board.events),
            Route("/board/export.csv", board.export),
            Route("/board/learners/{learner}/remove", board.remove, methods=["POST"]),
            Route("/board/learners/{learner}/rename", board.rename, methods=["POST"]),
            Route("/board/code", board.rotate_code, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={Refused: refused, StoreAway: store_away},  # type: ignore[dict-item]  # Starlette types a handler for Exception
    )
    return security_headers(app)
