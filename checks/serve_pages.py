"""`checks serve`: the lesson pages grade the workspace they were started in, live.

Run in the workspace, it serves the site (the copy installed with `checks`, or a clone's `make site`)
on 127.0.0.1 and opens the browser at an address with a per-run token, as Jupyter does. The first
request with the token sets it as a cookie (HttpOnly, SameSite=Strict) and drops it from the address;
each page's check panel (docs/assets/checks-panel.js) then asks /_checks/api/ to grade its lesson.
Grading is `grading.grade()`, the same pipeline as `checks lessonN`, one at a time, in the main
thread: closing the tab (the page's request ends) stops a grading as Ctrl-C does, and so does Ctrl-C.

What a page elsewhere must never make it do, it refuses: a Host that is not this server's loopback
address and port (DNS rebinding), an Origin that is not its own (cross-site requests), an API
request without the token (403); there are no CORS headers, and every response carries a
Content-Security-Policy. It serves the site's files only and reads the workspace only (its
progress file is written by grade() and by the hints, as the terminal's commands do).
"""

from __future__ import annotations

import _thread
import asyncio
import base64
import hashlib
import hmac
import json
import os
import queue
import re
import secrets
import signal
import sys
import threading
import time
import webbrowser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from . import busy, grading, progress, status
from .catalogue import Catalogue, Lesson
from .errors import EngineProblem, UsageError
from .output import MARKS, checks_word, counts
from .result import ERROR, FAILED, PASSED, SKIPPED, Report, Result

API = "/_checks/api/"
COOKIE = "checks_token"
SERVED_COOKIE = "checks_serve"  # its value: the port, which the page compares with its own
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
PANEL_SCRIPT = "assets/checks-panel.js"  # the site's own script: a copy built without it has no panel
KEEPALIVE = 15.0  # seconds between comments on an idle event stream
POLL = 0.3  # seconds between two looks at the workspace for "re-check on save"
MAX_BODY = 4096
PROGRESS_STEM = Path(progress.FILENAME).stem  # the progress file and its temporary copies
ELAPSED = re.compile(r"\s+\d+s$")  # the status line's time so far


class PagesProblem(UsageError):
    """`checks serve` cannot start: a message for the learner (exit 2)."""


# -- the site -------------------------------------------------------------------------------------------


def find_site(named: str | None) -> Path:
    """The built site to serve: --site, the copy installed with checks, or a clone's `make site`."""
    from .docs import BUNDLED_SITE

    if named:
        folder = Path(named).expanduser()
        if not (folder / "index.html").is_file():
            raise PagesProblem(f"{folder} holds no built site (no index.html): build one with `make site`.")
        return folder.resolve()
    clone = Path(__file__).resolve().parent.parent / "site"
    for folder in (BUNDLED_SITE, clone):
        if (folder / "index.html").is_file():
            return folder
    raise PagesProblem(
        "no built copy of the site was found: the one installed with checks is missing (an editable "
        "install has none); in a clone of the course, run `make site` first, or pass --site DIR."
    )


INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def inline_script_hashes(site: Path) -> list[str]:
    """The CSP hashes of the theme's inline scripts, so that they run and nothing else inline does."""
    found = set()
    for page in site.rglob("*.html"):
        for match in INLINE_SCRIPT.finditer(page.read_bytes()):
            if b"application/json" in match["attrs"]:  # data, not code (Material's __config)
                continue
            digest = base64.b64encode(hashlib.sha256(match["body"]).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *hashes])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


# -- gradings, one at a time, in the main thread ---------------------------------------------------------


@dataclass
class Job:
    lesson: Lesson
    answer: str | None
    loop: asyncio.AbstractEventLoop
    events: asyncio.Queue = field(default_factory=asyncio.Queue)
    started: float = field(default_factory=time.monotonic)
    cancelled: bool = False
    finished: bool = False

    def send(self, event: dict) -> None:
        """From the grading thread: one event for the page."""
        event.setdefault("seconds", round(time.monotonic() - self.started, 2))
        self.loop.call_soon_threadsafe(self.events.put_nowait, event)


def interrupt_main_thread() -> None:
    """A Ctrl-C in the main thread: a real SIGINT where threads can be signalled (it also ends a blocking
    read), else Python's own (Windows), which `checks watch` uses too."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
    else:
        _thread.interrupt_main()


class Grader:
    """Runs the gradings the pages ask for in the main thread, one at a time.

    The main thread is the one Ctrl-C interrupts, and that grade() cleans up after: a cancel (the
    page went away) is a SIGINT sent to it, as `checks watch` stops a grading when a file is saved."""

    def __init__(self, site: Site):
        self.site = site
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.lock = threading.Lock()
        self.current: Job | None = None
        self.cancel_sent = False
        self.count = 0  # gradings started

    def submit(self, job: Job) -> str | None:
        """Queue `job`; the lesson being graded instead when one is under way or waiting.

        A grading being stopped (its page went away, or asked again after a save) does not hold up the
        next: that one is queued, and starts when the stopped one has cleaned up."""
        with self.lock:
            if self.current is not None and not self.current.cancelled:
                return self.current.lesson.id
            self.current = job
            self.count += 1
        self.jobs.put(job)
        return None

    def cancel(self, job: Job) -> None:
        """The page that asked for `job` went away: stop it and clean up, as Ctrl-C does."""
        with self.lock:
            if job.finished or job.cancelled:
                return
            job.cancelled = True
            if self.current is job and not self.cancel_sent:
                self.cancel_sent = True
                interrupt_main_thread()

    def stop(self) -> None:
        self.jobs.put(None)

    def run(self) -> None:
        """The main thread's loop; returns when stop() is called, raises KeyboardInterrupt on Ctrl-C."""
        while True:
            try:
                job = self.jobs.get()
                if job is None:
                    return
                self._grade(job)
            except KeyboardInterrupt:
                if not self._cancel_consumed():  # the learner's Ctrl-C: the server stops
                    raise

    def _cancel_consumed(self) -> bool:
        """True when the KeyboardInterrupt just caught was a cancel's SIGINT."""
        with self.lock:
            ours, self.cancel_sent = self.cancel_sent, False
            return ours

    def _grade(self, job: Job) -> None:
        site = self.site
        last = [""]

        def on_line(text: str, seconds: float) -> None:  # sent when it says something new: the page keeps the time
            what = ELAPSED.sub("", text)
            if what != last[0]:
                last[0] = what
                job.send({"type": "status", "text": text})

        status.listen(on_line)
        try:
            if job.cancelled:
                return
            options = grading.Options(
                image=site.image, container=site.container, answer=job.answer, front="checks serve", wait=0
            )

            def tell(now: grading.Status) -> None:
                if now.report is not None:
                    job.send({"type": "done", **site.verdict(now.report, job.lesson)})
                elif now.result is not None:
                    job.send({"type": "check", "check": site.result_json(now.result)})
                else:
                    job.send({"type": "phase", "phase": now.phase, "text": now.text})

            try:
                report = grading.grade(site.workspace, site.catalogue, job.lesson, options, tell)
            except EngineProblem as problem:
                job.send({"type": "error", "text": f"{problem} Run `checks doctor` for a full diagnosis."})
                return
            except busy.Busy as problem:  # another process began grading this workspace since the page asked
                job.send({"type": "error", "text": f"{str(problem)[:1].upper()}{str(problem)[1:]}."})
                return
            except KeyboardInterrupt:
                if not (job.cancelled and self._cancel_consumed()):
                    job.send(
                        {"type": "stopped", "text": "checks serve was stopped; what the grading created was removed"}
                    )
                    raise
                print(
                    f"{time.strftime('%H:%M:%S')} {job.lesson.id}: stopped (the page went away or asked again), cleaned up",
                    flush=True,
                )
                return
            print(
                f"{time.strftime('%H:%M:%S')} {job.lesson.id}: {'passed' if report.passed else 'not passed'} "
                f"({counts(report.results)}), graded from the page",
                flush=True,
            )
        finally:
            status.listen(None)
            with self.lock:
                job.finished = True
                if self.current is job:
                    self.current = None
            job.send({"type": "end"})


# -- what the pages are told ------------------------------------------------------------------------------


class Site:
    """The workspace, the lessons and the built site they are shown with."""

    def __init__(
        self,
        workspace: Path,
        catalogue: Catalogue,
        folder: Path,
        image: str | None = None,
        container: str | None = None,
    ):
        self.workspace = workspace
        self.catalogue = catalogue
        self.folder = folder
        self.image, self.container = image, container  # as `checks lessonN --image/--container`
        self.html_pages = (folder / "lessons" / "lesson1.html").is_file()  # the file:// build

    def link(self, page: str, anchor: str = "") -> str:
        """A page of docs/ (`lessons/lesson1.md`) on this site, from its root."""
        stem = page.removesuffix(".md")
        if self.html_pages:
            path = stem + ".html"
        elif stem == "index":
            path = ""
        else:
            path = stem + "/"
        return "/" + path + (f"#{anchor}" if anchor else "")

    def quote(self, result: Result) -> str:
        """The line of the learner's file the result is about, as it is now."""
        if not result.file or not result.line:
            return ""
        path = (self.workspace / result.file).resolve()
        if not path.is_relative_to(self.workspace.resolve()):
            return ""
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return lines[result.line - 1].rstrip() if 0 < result.line <= len(lines) else ""

    def result_json(self, result: Result) -> dict:
        lesson = self.catalogue.get(result.lesson) if result.lesson else None
        section = ""
        if lesson is not None:
            try:
                section = lesson.check(result.id).section
            except KeyError:
                pass
        return {
            "id": result.id,
            "title": result.title,
            "status": result.status,
            "mark": MARKS[result.status],
            "message": result.message,
            "file": result.file,
            "line": result.line,
            "quote": self.quote(result),
            "why": result.why,
            "hint": result.hint,
            "docs": self.link(lesson.page, section) if lesson else "",
            "lesson": result.lesson,
        }

    def lesson_json(self, lesson: Lesson) -> dict:
        return {"id": lesson.id, "number": lesson.number, "title": lesson.title, "url": self.link(lesson.page)}

    def verdict(self, report: Report, lesson: Lesson) -> dict:
        """The report as `checks lessonN` renders it (output.render), as data for the page."""
        earlier = []
        first_failed = None
        for before in self.catalogue.before(lesson):
            results = report.of(before.id)
            bad = [r for r in results if r.status in (FAILED, ERROR)]
            unproved = [r for r in results if r.goal and r.status == SKIPPED]
            if bad:
                first_failed = first_failed or before
                state, summary = FAILED, f"{len(bad)} of {checks_word(len(results))} failed"
            elif unproved:
                state, summary = SKIPPED, f"{counts(results)}; not proved: {', '.join(r.id for r in unproved)}"
            else:
                state, summary = PASSED, counts(results)
            earlier.append(
                {
                    **self.lesson_json(before),
                    "state": state,
                    "mark": MARKS[state],
                    "summary": summary,
                    "results": [self.result_json(r) for r in results if r.status != PASSED] if bad else [],
                }
            )
        following = self.catalogue.after(lesson)
        return {
            **self.lesson_json(lesson),
            "passed": report.passed,
            "counts": counts(report.results),
            "earlier": earlier,
            "results": [self.result_json(r) for r in report.of(lesson.id)],
            "next": self.lesson_json(following) if following else None,
            "first_failed": self.lesson_json(first_failed) if first_failed else None,
        }

    def progress_json(self) -> dict:
        done = progress.read(self.workspace)["lessons"]
        return {
            lesson_id: "passed" if entry.get("passed") else "failed"
            for lesson_id, entry in done.items()
            if isinstance(entry, dict)
        }

    def hints_json(self, lesson: Lesson, more: bool) -> dict:
        """The hints shown so far for `lesson` (with `more`, one more), shared with `checks hint`."""
        steps = len(lesson.hints) + 1  # the solution comes last
        if more:
            shown = progress.next_hint(self.workspace, lesson.id, steps)
        else:
            shown = min(int(progress.read(self.workspace)["hints"].get(lesson.id, 0) or 0), steps)
        hints = list(lesson.hints[:shown])
        solution = None
        if shown == steps:
            solution = {
                "name": lesson.solution_path.name,
                "text": lesson.solution_path.read_text(encoding="utf-8").rstrip(),
            }
        return {"lesson": lesson.id, "hints": hints, "total": len(lesson.hints), "solution": solution}


# -- the web application ----------------------------------------------------------------------------------


def sse(event: dict) -> bytes:
    return f"data: {json.dumps(event)}\n\n".encode()


def make_app(site: Site, grader: Grader, token: str, origins: set[str], policy: str, port: int):
    """The Starlette app: the site's files, the API, and the checks that every request passes first."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    def refused(message: str, code: int = 403) -> Response:
        return PlainTextResponse(message + "\n", status_code=code)

    def has_token(request: Request) -> bool:
        given = request.cookies.get(COOKIE) or request.headers.get("x-checks-token") or ""
        return hmac.compare_digest(given.encode(), token.encode())

    def lesson_of(request: Request) -> Lesson | None:
        return site.catalogue.get(request.path_params["lesson"])

    async def hello(request: Request) -> Response:
        busy = grader.current.lesson.id if grader.current else None
        lesson = site.catalogue.get(request.query_params.get("lesson", "")) if request.query_params else None
        question = next((info for info in lesson.checks if info.question), None) if lesson else None
        return JSONResponse(
            {
                "workspace": str(site.workspace.resolve()),
                "progress": site.progress_json(),
                "busy": busy,
                "gradings": grader.count,
                "lesson": site.lesson_json(lesson) if lesson else None,
                "question": {"text": question.question, "kind": question.answer} if question else None,
            }
        )

    async def hints(request: Request) -> Response:
        lesson = lesson_of(request)
        if lesson is None:
            return refused("no such lesson", 404)
        return JSONResponse(site.hints_json(lesson, more=request.method == "POST"))

    async def grade(request: Request) -> Response:
        lesson = lesson_of(request)
        if lesson is None:
            return refused("no such lesson", 404)
        body = await request.body()
        if len(body) > MAX_BODY:
            return refused("too large", 413)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return refused("the body is not JSON", 400)
        answer = data.get("answer") if isinstance(data, dict) else None
        answer = answer.strip() if isinstance(answer, str) and answer.strip() else None
        elsewhere = busy.holder_of(site.workspace)
        if elsewhere is not None and elsewhere.pid != os.getpid():  # `checks watch`, a terminal, another server
            return JSONResponse(
                {"error": f"a grading of {elsewhere.describe()} is running in this workspace: wait for its verdict"},
                status_code=409,
            )
        job = Job(lesson, answer, asyncio.get_running_loop())
        running = grader.submit(job)
        if running is not None:
            number = running.removeprefix("lesson")
            return JSONResponse(
                {"error": f"a grading of lesson {number} is running in this workspace: wait for its verdict"},
                status_code=409,
            )

        async def stream():
            try:
                yield sse({"type": "queued", "lesson": lesson.id, "seconds": 0})
                while True:
                    try:
                        event = await asyncio.wait_for(job.events.get(), KEEPALIVE)
                    except asyncio.TimeoutError:
                        yield b": still grading\n\n"
                        continue
                    if event["type"] == "end":
                        return
                    yield sse(event)
            finally:
                if not job.finished:
                    grader.cancel(job)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    async def changes(request: Request) -> Response:
        from .watch import snapshot as everything

        def snapshot(folder: Path) -> dict:  # the progress file's own writes are not the learner's saves
            return {k: v for k, v in everything(folder).items() if not Path(k).name.startswith(PROGRESS_STEM)}

        async def stream():
            last = await asyncio.to_thread(snapshot, site.workspace)
            quiet = 0.0
            yield b": watching\n\n"
            while True:
                await asyncio.sleep(POLL)
                now = await asyncio.to_thread(snapshot, site.workspace)
                if now != last:
                    await asyncio.sleep(0.05)  # an editor may write in several steps
                    last = await asyncio.to_thread(snapshot, site.workspace)
                    yield sse({"type": "saved"})
                    quiet = 0.0
                else:
                    quiet += POLL
                    if quiet >= KEEPALIVE:
                        quiet = 0.0
                        yield b": quiet\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    routes = [
        Route(API + "hello", hello),
        Route(API + "hints/{lesson}", hints, methods=["GET", "POST"]),
        Route(API + "grade/{lesson}", grade, methods=["POST"]),
        Route(API + "changes", changes),
        Mount("/", StaticFiles(directory=str(site.folder), html=True, follow_symlink=False)),
    ]
    inner = Starlette(routes=routes)
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        request = Request(scope)
        answer = gate(request)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *headers]
            await send(message)

        if answer is not None:
            return await answer(scope, receive, send_with_headers)
        return await inner(scope, receive, send_with_headers)

    def gate(request: Request) -> Response | None:
        """None when the request may go on; else the answer that refuses it."""
        host = request.headers.get("host", "")
        if host not in origins:
            return refused(f"this server answers to {sorted(origins)[0]} only, not to Host {host!r}")
        origin = request.headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return refused("requests from another site are refused")
        path = request.url.path
        api = path.startswith(API)
        if api:
            fetch_site = request.headers.get("sec-fetch-site")
            if fetch_site is not None and fetch_site not in ("same-origin", "none"):
                return refused("requests from another site are refused")
            if not has_token(request):
                return refused("this needs the token: open the address that `checks serve` printed")
            if request.method == "POST" and origin is None and "x-checks-token" not in request.headers:
                return refused("a POST from a browser must come from this server's pages")
            return None
        given = request.query_params.get("token")
        if given is not None:
            if not hmac.compare_digest(given.encode(), token.encode()):
                return refused("this token is not this server's: open the address that `checks serve` printed")
            rest = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "token"])
            target = path + (f"?{rest}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
            # what tells the pages' script that this server is there (the token itself stays out of its reach)
            response.set_cookie(SERVED_COOKIE, str(port), httponly=False, samesite="strict", path="/")
            return response
        return None

    return app


# -- the command ------------------------------------------------------------------------------------------


def serve(
    workspace: Path,
    catalogue: Catalogue,
    host: str,
    port: int,
    site_dir: str | None,
    browser: bool,
    page: str | None,
    image: str | None = None,
    container: str | None = None,
) -> int:
    try:
        import starlette  # noqa: F401 - its absence is said here, not at the first request
        import uvicorn
    except ImportError as missing:
        raise PagesProblem(
            f"`checks serve` needs the web server of the classroom extra ({missing.name} is missing): "
            "pip install 'docker-lessons[classroom]' (with pipx: pipx install --force 'docker-lessons[classroom]')"
        ) from None
    from .classroom.serve import ServeProblem as ListenProblem
    from .classroom.serve import listen

    folder = find_site(site_dir)
    site = Site(workspace, catalogue, folder, image, container)
    try:
        sock = listen(host, port)
    except ListenProblem as problem:
        raise PagesProblem(str(problem)) from None
    port = sock.getsockname()[1]
    loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
    from .classroom.serve import lan_address

    shown = lan_address() if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    origins = {f"{name}:{port}" for name in LOOPBACK} | {f"{shown}:{port}"}
    token = secrets.token_urlsafe(24)
    grader = Grader(site)
    app = make_app(site, grader, token, origins, content_security_policy(inline_script_hashes(folder)), port)
    start = site.link(page or "index.md")
    url = f"http://{'127.0.0.1' if loopback else shown}:{port}{start.split('#')[0]}?token={token}"
    print(f"{catalogue.course.title}: the lesson pages now grade {workspace.resolve()}", flush=True)
    print(f"Site: {folder}", flush=True)
    if not (folder / PANEL_SCRIPT).is_file():
        print(
            "Warning: this copy of the site was built before the check panel existed: rebuild it "
            "(`make site`) to get a Check my work button on each lesson page.",
            flush=True,
        )
    if not loopback:
        print(
            f"Warning: listening on {host}, not on 127.0.0.1 only: anyone who can reach this machine and has "
            "the token can build and run in your workspace.",
            file=sys.stderr,
            flush=True,
        )
    print("\nOpen this address (it holds this run's token; keep it to yourself):", flush=True)
    print(f"    {url}", flush=True)
    print("The terminal works as before: `checks lessonN` grades the same workspace. Ctrl-C stops.", flush=True)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        server_header=False,
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="checks-serve")
    thread.start()
    if browser:
        threading.Thread(target=_open, args=(url,), daemon=True).start()
    try:
        grader.run()
    finally:
        server.should_exit = True
        thread.join(timeout=3)
        sock.close()
    return 0


def _open(url: str) -> None:
    try:
        webbrowser.open(url)
    except webbrowser.Error:
        pass
