"""The app probe: one container of the built image, started with its own CMD, asked `GET /statz`.

One probe per run, shared by every check that needs a running app (through `Context.memo`), often
started in the background while earlier checks are graded; the live status line shows its wait.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from . import settings, status
from .context import Context, Unavailable
from .engine import Container
from .ports import app_port
from .start import start_instructions

SETTLE_SECONDS = 5  # after this long, a server listening elsewhere is not going to move
KEY = "app-run"
POLL_SECONDS = 0.05  # between two requests to /statz while the app starts
INSPECT_EVERY = 0.5  # seconds between two looks at the container's state (has it exited?) meanwhile


def start_timeout() -> float:
    """Seconds the app in a container of the image may take to answer (CHECKS_START_TIMEOUT)."""
    return settings.value("CHECKS_START_TIMEOUT")


@dataclass
class AppRun:
    """What happened when a container of the image was started with its own CMD."""

    port: int
    start_error: str = ""
    exited: bool = False
    exit_code: int | None = None
    logs: str = ""
    statz: dict | None = None
    answer_error: str = ""
    listening: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def log_tail(self, lines: int = 6) -> str:
        tail = [line for line in self.logs.strip().splitlines() if line.strip()][-lines:]
        return " | ".join(tail)


def app_run(context: Context) -> AppRun:
    """Start one container of the built image (labelled, port published on 127.0.0.1), wait for /statz, remove it."""
    return context.memo(KEY, lambda: probe(context))


def probe(context: Context) -> AppRun:
    """Run the probe now (in whichever thread asks first)."""
    if not start_instructions(context):
        raise Unavailable("needs CMD (see cmd-present)")
    build = context.build
    if not build.complete:
        raise Unavailable("needs the image to build (see the checks above)")
    engine = context.engine
    port = asked_port(context)
    run = AppRun(port)
    host = engine.published_host()
    started = time.monotonic()
    waiting = status.begin(f"starting a container of the image, waiting for /statz on port {port}")
    try:
        # removed off the learner's wait: cleanup waits for it
        with engine.run(build.final_image, ports=[port], wait_for_removal=False) as container:
            run.start_error = container.start_error
            wait_for_answer(context, container, host, run, started)
            if not run.start_error and not run.exited and run.statz is None:
                run.listening = listening_ports(container)
            try:
                run.logs = container.logs(tail=40)
            except Exception:
                pass
            if run.start_error:
                run.exit_code = container.state().exit_code
    finally:
        waiting.end()
        run.seconds = time.monotonic() - started
    return run


def wait_for_answer(context: Context, container: Container, host: str, run: AppRun, started: float) -> None:
    """Ask /statz until the app answers, the container ends, or start_timeout() passes."""
    port = run.port
    deadline = time.monotonic() + start_timeout()
    host_port, inspected = None, 0.0
    while not run.start_error and time.monotonic() < deadline and not context.stopping.is_set():
        if host_port is None or time.monotonic() - inspected >= INSPECT_EVERY:
            info = container.inspect()
            inspected = time.monotonic()
            if info.state.ended:
                run.exited = True
                run.exit_code = info.state.exit_code
                return
            host_port = host_port or info.host_port(port)
        if host_port is not None:
            try:
                with urllib.request.urlopen(f"http://{host}:{host_port}/statz", timeout=2) as response:
                    body = response.read(4096).decode("utf-8", "replace")
                try:
                    run.statz = json.loads(body)
                except ValueError:
                    run.answer_error = f"/statz answered, but not with JSON: {body[:120]!r}"
                return
            except urllib.error.HTTPError as exc:
                run.answer_error = f"/statz answered HTTP {exc.code}"
                return
            except (OSError, ValueError) as exc:
                run.answer_error = f"no answer on {host}:{host_port} ({getattr(exc, 'reason', exc)})"
        if time.monotonic() - started > SETTLE_SECONDS:
            # something listens, but not where it can answer: waiting longer will not change that
            listening = listening_ports(container)
            if listening and not any(reachable(p, port) for p in listening):
                return
        time.sleep(POLL_SECONDS)
    if not run.start_error and not run.answer_error:
        run.answer_error = f"no answer within {start_timeout():.0f} s"


def asked_port(context: Context) -> int:
    """The port to ask the app on: the TCP port the image exposes (the app's own, if several), else the app's."""
    config = context.image_config(context.build.some_image)
    exposed = sorted(int(p.split("/")[0]) for p in (config.get("ExposedPorts") or {}) if p.endswith("/tcp"))
    port = app_port(context)
    return port if port in exposed or not exposed else exposed[0]


def listening_ports(container: Container) -> list[str]:
    """`address:port` of every TCP socket listening inside the container."""
    sockets = container.sockets() or []
    return sorted({f"{address}:{port}" for address, port in sockets})


def reachable(listening: str, port: int) -> bool:
    """Does a socket listening on `listening` (address:port) accept the published port from outside?"""
    address, _, number = listening.rpartition(":")
    if number != str(port):
        return False
    if ":" in address:  # IPv6: only the wildcard takes connections on the container's interface here
        return address == "::"
    return not address.startswith("127.")
