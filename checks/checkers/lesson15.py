"""Lesson 15: HEALTHCHECK and production settings, proved on the engine.

Every verdict is the engine's: the health status and the probe's own output come from
`State.Health` of a container of the image, the stop time from a real `docker stop`. Every wait is
bounded by the probe's settings from the image's config (interval, timeout, start period, retries),
and shown on the live status line while it lasts.

The app still starting and answering /statz is lesson 7's checks, which `checks lesson15` runs first.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .. import status
from ..buildlog import without_prefixes
from ..context import Context, Unavailable
from ..engine import Container
from ..probe import asked_port
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..stages import final_stage

# Docker's defaults for a HEALTHCHECK option left out (0 in the image's config)
DEFAULTS = {
    "Interval": 30.0,
    "Timeout": 30.0,
    "StartPeriod": 0.0,
    "StartInterval": 5.0,
}  # seconds, as Docker fills them in
DEFAULT_RETRIES = 3
FIRST_PROBE_LIMIT = 60.0  # seconds: a first probe later than this leaves the container `starting` too long
PROBE_TIMEOUT_LIMIT = 10.0  # seconds: a probe of a hung app still running after this has no timeout of its own
STOP_LIMIT = 5.0  # seconds: well under the 10 s grace period, which only a process ignoring SIGTERM uses up
GRACE = 10  # seconds `docker stop` waits before it kills (the engine's default)
READY_TIMEOUT = 30.0  # seconds for the app to answer checks' own probe
# checks' own probe, run in the container: does the app answer /statz on its port?
READY_PROBE = "import sys, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{sys.argv[1]}/statz', timeout=2)"
READY_PROBE_SECONDS = 15  # the probe itself gives up after 2 s; python may be slow to start on a busy machine
# stops every process under PID 1 (PID 1 itself cannot be stopped from inside): the app hangs, the container runs
FREEZE = """
import os, signal, time
parents = {}
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        parents[int(pid)] = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        pass
tree = {1}
while True:
    more = {p for p, parent in parents.items() if parent in tree} - tree
    if not more:
        break
    tree |= more
for pid in sorted(tree - {1}):
    os.kill(pid, signal.SIGSTOP)
print(len(tree) - 1, time.time())
"""
SHELLS = ("sh", "bash", "dash", "ash")


# -- the probe, as the image declares it ----------------------------------------------------------
@dataclass
class Probe:
    """The image's HEALTHCHECK: its command and its schedule in seconds (Docker's defaults filled in)."""

    test: list[str]
    interval: float
    timeout: float
    start_period: float
    retries: int
    timeout_set: bool
    start_interval: float = 5.0  # probes during --start-period on Engine 25 and newer (Docker's default: 5 s)

    @property
    def command(self) -> str:
        """The probe as the Dockerfile spells it: a shell command, or the exec form's JSON array."""
        return self.test[1] if self.test[0] == "CMD-SHELL" else json.dumps(self.test[1:])

    @property
    def argv(self) -> list[str]:
        return ["/bin/sh", "-c", self.test[1]] if self.test[0] == "CMD-SHELL" else self.test[1:]

    @property
    def url(self) -> str | None:
        found = re.search(r"https?://[^\s'\"\\)]+", self.command)
        return found.group(0) if found else None


def image_config(context: Context) -> dict:
    build = context.build
    if not build.complete:
        raise Unavailable(build.not_built)
    return context.image_config(build.final_image)


def probe_of(context: Context) -> Probe:
    health = image_config(context).get("Healthcheck") or {}
    test = health.get("Test") or []
    if not test or test[0] == "NONE":
        raise Unavailable("needs a HEALTHCHECK in the image (see healthcheck-in-image)")

    def seconds(name: str) -> float:
        return health.get(name, 0) / 1e9 or DEFAULTS[name]

    return Probe(
        test,
        seconds("Interval"),
        seconds("Timeout"),
        seconds("StartPeriod"),
        health.get("Retries") or DEFAULT_RETRIES,
        bool(health.get("Timeout")),
        health.get("StartInterval", 0) / 1e9 or DEFAULTS["StartInterval"],
    )


def first_probe_after(context: Context, probe: Probe) -> float:
    """When the engine runs the first probe: during a --start-period, Engine 25 (API 1.44) and newer probe every
    --start-interval (5 s by default); older engines, and Podman, one --interval after the start."""
    if probe.start_period and not context.engine.is_podman:
        api = context.engine.version().get("ApiVersion", "0")
        if tuple(int(part) for part in api.split(".")[:2] if part.isdigit()) >= (1, 44):
            return min(probe.start_interval, probe.start_period)
    return probe.start_period + probe.interval


def spoken(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"


# -- the engine's health log ------------------------------------------------------------------------
def moment(text: str | None) -> datetime:
    """An engine timestamp (RFC 3339 with up to nine decimals) as a datetime."""
    stamp = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?", text or "")
    if not stamp:
        return datetime.min
    return datetime.fromisoformat(f"{stamp.group(1)}.{(stamp.group(2) or '0')[:6].ljust(6, '0')}")


def last_line(output: str) -> str:
    lines = [line.strip() for line in (output or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"


def missing_tool(entry: dict) -> str | None:
    """The probe's program when the engine's log shows it is not in the image (exit 127, `not found`)."""
    output = entry.get("Output") or ""
    found = (
        re.search(r'exec: "([^"]+)": executable file not found', output)
        or re.search(r"(?:^|\n)\S*sh: \d+: (\S+): not found", output)
        or re.search(r"(\S+): (?:command )?not found", output)
    )
    if found and (entry.get("ExitCode") in (127, -1) or "executable file not found" in output):
        return found.group(1)
    return None


def listening_ports(container: Container) -> list[int]:
    """TCP ports something listens on inside the container (the engine reads its /proc/net/tcp, tcp6)."""
    return sorted({port for _, port in container.sockets() or []})


# -- a container with the image's own HEALTHCHECK -----------------------------------------------------
@dataclass
class HealthRun:
    """What the engine showed for one container of the image, from its start to its `docker stop`."""

    status: str = "starting"  # the engine's State.Health.Status; "none" without a HEALTHCHECK
    log: list[dict] = field(default_factory=list)
    failing_streak: int = 0
    seconds: float = 0.0
    app_up: bool = False
    listening: list[int] = field(default_factory=list)
    exited: bool = False
    logs: str = ""
    pid1: str = ""
    stop_seconds: float | None = None
    stop_exit_code: int | None = None
    tried: dict | None = None  # the probe's own command run by checks as soon as the app answered, when it failed

    @property
    def failures(self) -> list[dict]:
        failed = [entry for entry in self.log if entry.get("ExitCode") != 0]
        return failed or ([self.tried] if self.tried else [])


def try_probe(container: Container, probe: Probe) -> dict | None:
    """The probe's own command, run in the container as the engine runs it (as the image's user), once the app
    answers: a health-log entry when it fails, None when it succeeds or says nothing certain (timed out, not
    run). A probe that fails while the app answers fails the same way at the engine's first probe: its failure
    needs no waiting for the engine's schedule (30 s by default, then its retries); a pass still waits for the
    engine to say healthy. A failure other than a missing program, a refused port or a missing page is tried
    once more a second later, in case the app was not quite ready."""
    for attempt in range(2):
        result = container.exec(probe.argv, timeout=min(probe.timeout, PROBE_TIMEOUT_LIMIT))
        if result.exit_code in (0, None):
            return None
        entry = {"ExitCode": result.exit_code, "Output": result.output, "by": "checks"}
        if attempt or missing_tool(entry) or wrong_target(entry):
            return entry
        time.sleep(1)
    return None


def found_in(entry: dict) -> str:
    """Where a failed probe was seen: the engine's health log, or checks' own run of the probe's command."""
    if entry.get("by") == "checks":
        return "when checks ran the probe's command in the container as soon as the app answered"
    return "in the engine's health log"


def answers(container: Container, port: int) -> bool:
    """checks' own probe, inside the container: does the app answer /statz?"""
    return container.exec(["python", "-c", READY_PROBE, str(port)], timeout=READY_PROBE_SECONDS).exit_code == 0


def pid1_of(container: Container) -> str:
    result = container.exec(["cat", "/proc/1/cmdline"])
    return " ".join(part for part in result.output.split("\0") if part) if result.exit_code == 0 else ""


def first_probe_wait(probe: Probe) -> float:
    """The longest the engine may take to say healthy or unhealthy: its retries after the start period."""
    return probe.start_period + probe.interval * probe.retries + probe.timeout + 5


REFUSED = r"Connection refused|Errno 111|Couldn't connect"
NOT_FOUND = r"HTTP Error 404|404 Not Found|error: 404"


def wrong_target(entry: dict) -> bool:
    """A probe that asked a port where nothing listens, or a page the app does not have."""
    return bool(re.search(f"{REFUSED}|{NOT_FOUND}", entry.get("Output") or "", re.IGNORECASE))


def wait_for_verdict(
    container: Container, probe: Probe, port: int, run: HealthRun, waiting, podman: bool = False
) -> None:
    started = time.monotonic()
    deadline = started + min(first_probe_wait(probe), FIRST_PROBE_LIMIT + 35)
    # Podman starts its probes from systemd timers: with none in the log once the first should have ended, none comes
    no_probe_by = started + probe.interval + min(probe.timeout, PROBE_TIMEOUT_LIMIT) + 5 if podman else deadline
    next_ready = 0.0
    while time.monotonic() < deadline:
        state = container.state()
        if state.ended:
            run.exited = True
            break
        run.status, run.log, run.failing_streak = state.health_status, state.health_log, state.failing_streak
        if not run.log and time.monotonic() > no_probe_by:
            break
        if run.status in ("healthy", "unhealthy") or any(missing_tool(e) for e in run.failures):
            break
        now = time.monotonic()
        if not run.app_up and now >= next_ready:
            run.app_up, next_ready = answers(container, port), now + 2
            if run.app_up and not run.log:  # the probe's own command at once: a failure is known now
                run.tried = try_probe(container, probe)
                if run.tried:
                    break
        if run.app_up and any(wrong_target(e) for e in run.failures):
            break  # the app answers, and the probe asks where nothing does: waiting will not change that
        status.update(
            waiting,
            f"health: {run.status}{f', {run.failing_streak} failed' if run.failing_streak else ''}"
            f" (first probe {spoken(probe.interval)} after the start)",
        )
        time.sleep(0.5)
    run.seconds = time.monotonic() - started


def measure_stop(container: Container, port: int, run: HealthRun, waiting) -> None:
    """Once the app answers, time `docker stop` until the container has exited."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not run.app_up and time.monotonic() < deadline:
        status.update(waiting, "waiting for the app to answer before `docker stop`")
        run.app_up = answers(container, port)
        time.sleep(0 if run.app_up else 0.5)
    if not run.app_up:
        return
    status.update(waiting, f"timing `docker stop` (the engine kills after {GRACE} s)")
    started = time.monotonic()
    container.stop(timeout=GRACE)
    run.stop_seconds = time.monotonic() - started
    run.stop_exit_code = container.state().exit_code


def health_run(context: Context) -> HealthRun:
    """Start one container of the image, wait for the engine's health verdict, read its log, time `docker stop`.

    Without a HEALTHCHECK in the image there is no verdict to wait for; the log and the stop are still measured."""
    return context.memo("lesson15-health-run", lambda: _health_run(context))


def _health_run(context: Context) -> HealthRun:
    try:
        probe = probe_of(context)
    except Unavailable:
        probe = None
    engine, port, run = context.engine, asked_port(context), HealthRun(status="none")
    waiting = status.begin("starting a container of the image with its HEALTHCHECK")
    try:
        with engine.run(context.build.some_image) as container:
            not_started(container)
            if probe is not None and first_probe_after(context, probe) <= FIRST_PROBE_LIMIT:
                run.status = "starting"
                wait_for_verdict(container, probe, port, run, waiting, podman=engine.is_podman)
            if not run.exited:
                run.listening = listening_ports(container)
                run.pid1 = pid1_of(container)
                measure_stop(container, port, run, waiting)
            # uWSGI warns as it starts: the first lines, before the requests (a probe's every 10 s) pile up
            run.logs = "\n".join(container.logs().splitlines()[:200])
    finally:
        waiting.end()
    return run


def not_started(container: Container) -> None:
    if container.start_error:
        raise Unavailable(f"the engine could not start a container of the image: {container.start_error}")


# -- a broken app: the same probe, every second, on a container whose app is frozen -----------------
def freeze(container: Container) -> tuple[int, datetime]:
    """Stop the app's processes; how many, and when (the container's clock, the engine's: one kernel)."""
    result = container.exec(["python", "-c", FREEZE], user="0")
    text = result.output
    if result.exit_code != 0:
        raise Unavailable(f"checks could not stop the app's processes: {last_line(text)}")
    count, when = text.split()
    return int(count), datetime.fromtimestamp(float(when), timezone.utc).replace(tzinfo=None)


def health_of(container: Container) -> tuple[str, list[dict], int]:
    state = container.state()
    return state.health_status, state.health_log, state.failing_streak


def wait_healthy(container: Container, probe: Probe, waiting) -> None:
    deadline = time.monotonic() + probe.start_period + min(probe.timeout, PROBE_TIMEOUT_LIMIT) + READY_TIMEOUT
    while time.monotonic() < deadline:
        state, _, _ = health_of(container)
        if state == "healthy":
            return
        status.update(waiting, f"second container, probed every second: {state}")
        time.sleep(0.5)
    raise Unavailable("a container probed every second did not become healthy (see container-healthy)")


def swallowed_failure(probe: Probe) -> str:
    """What in the probe's command turns a failure into success, when it says so."""
    found = re.search(r"(\|\|\s*(?:true|:|exit\s+0)\b|;\s*exit\s+0\b)", probe.command)
    return (
        f"`{found.group(1).strip()}` at the end of the probe turns its failure into exit status 0"
        if found
        else "the probe's exit status does not follow the app's answer"
    )


def judge_frozen(container: Container, probe: Probe, frozen_at: datetime, stopped: int, waiting) -> Outcome:
    bound = probe.retries * (min(probe.timeout, PROBE_TIMEOUT_LIMIT) + 1) + 8
    started = time.monotonic()
    while time.monotonic() - started < bound:
        state, log, streak = health_of(container)
        after = [e for e in log if moment(e.get("Start")) > frozen_at]
        if state == "unhealthy":
            return passed(
                f"froze the app's {stopped} processes; the engine said unhealthy after "
                f"{time.monotonic() - started:.0f} s ({probe.retries} failed probes in a row)"
            )
        if any(e.get("ExitCode") == 0 for e in after):
            return failed(
                f"expected the probe to fail while the app does not answer; found exit status 0 from a probe "
                f"that started after checks froze the app: {swallowed_failure(probe)}, so the engine keeps "
                "saying healthy",
                hint="Let the probe's error end it: no `|| true` or `|| exit 0`; "
                "python's urlopen raises, and exits 1, when the app does not answer.",
            )
        if not after and time.monotonic() - started > PROBE_TIMEOUT_LIMIT and probe.timeout > PROBE_TIMEOUT_LIMIT:
            default = " (the default)" if not probe.timeout_set else ""
            return failed(
                f"expected each probe to end within a few seconds when the app hangs; found none ended "
                f"{PROBE_TIMEOUT_LIMIT:.0f} s after checks froze the app: the probe has no timeout of its own, "
                f"and the engine ends it only after --timeout={spoken(probe.timeout)}{default}, so a hung app "
                f"is reported unhealthy only after {probe.retries} × {spoken(probe.timeout)}",
                hint="Give the probe a timeout: `urlopen(url, timeout=2)` in the probe, or `HEALTHCHECK --timeout=3s`.",
            )
        status.update(waiting, f"app frozen, probed every second: {state}, {streak} failed")
        time.sleep(0.5)
    return failed(
        f"expected the engine to say unhealthy within {bound:.0f} s of the app stopping to answer; "
        f"found it still {state}, {streak} failed probes in a row of the {probe.retries} needed"
    )


def broken_app(context: Context) -> Outcome:
    return context.memo("lesson15-broken-app", lambda: _broken_app(context))


def _broken_app(context: Context) -> Outcome:
    probe = probe_of(context)
    engine = context.engine
    schedule = {
        "test": probe.test,
        "interval": 1_000_000_000,
        "timeout": int(probe.timeout * 1e9),
        "retries": probe.retries,
        "start_period": int(probe.start_period * 1e9),
    }
    waiting = status.begin("a second container, probed every second")
    try:
        with engine.run(context.build.some_image, healthcheck=schedule) as container:
            not_started(container)
            wait_healthy(container, probe, waiting)
            stopped, frozen_at = freeze(container)
            if not stopped:
                raise Unavailable(
                    "the server is PID 1 alone, with no worker processes: checks cannot freeze it without "
                    "stopping the container"
                )
            return judge_frozen(container, probe, frozen_at, stopped, waiting)
    finally:
        waiting.end()


# -- what went wrong, from what the engine showed ---------------------------------------------------
def healthcheck_line(context: Context) -> int | None:
    found = context.dockerfile.in_final_stage("HEALTHCHECK")
    return found[-1].line if found else None


def probe_failure(context: Context, probe: Probe, run: HealthRun) -> Outcome:
    entry = run.failures[-1]
    output, line = entry.get("Output") or "", healthcheck_line(context)
    tool = missing_tool(entry)
    if tool:
        return failed(
            f"expected the probe to run; found {found_in(entry)}: {last_line(output)} "
            f"(exit {entry.get('ExitCode')}): {tool} is not in the image, and python:3.13-slim has neither "
            "curl nor wget",
            line=line,
            hint='Probe with a program the image has: `HEALTHCHECK CMD ["python", "-c", "import '
            "urllib.request; urllib.request.urlopen('http://127.0.0.1:4000/statz', timeout=2)\"]`.",
        )
    port = asked_port(context)
    asked = re.match(r"https?://[^/:]+(?::(\d+))?(/[^?#]*)?", probe.url or "")
    if run.app_up and re.search(REFUSED, output):
        listens = ", ".join(map(str, run.listening)) or str(port)
        where = f" port {asked.group(1) or 80}" if asked else " its address"
        return failed(
            f"expected the probe to reach the app; found `{last_line(output)}` {found_in(entry)}, "
            f"while the app answers /statz: nothing listens on{where} in the container, the app listens on "
            f"{listens}",
            line=line,
            hint=f"Ask the port the app listens on: http://127.0.0.1:{port}/statz.",
        )
    if run.app_up and re.search(NOT_FOUND, output, re.IGNORECASE):
        path = asked.group(2) if asked and asked.group(2) else "the probe's path"
        return failed(
            f"expected the probe to ask a page the app has; found `{last_line(output)}` {found_in(entry)}: "
            f"the app has no page {path}; the page that says it is up is /statz",
            line=line,
            hint=f"Ask http://127.0.0.1:{port}/statz.",
        )
    if entry.get("by") == "checks":
        return failed(
            f"expected the probe to succeed; found it failing {found_in(entry)}: {last_line(output)} "
            f"(exit {entry.get('ExitCode')}); the engine's probes would fail the same way",
            line=line,
        )
    state = "unhealthy" if run.status == "unhealthy" else f"{run.status}, {run.failing_streak} failed"
    return failed(
        f"expected the probe to succeed; found it failing ({state}), the engine's health log says: "
        f"{last_line(output)} (exit {entry.get('ExitCode')})",
        line=line,
    )


# -- checks -------------------------------------------------------------------------------------------
def refused_healthcheck(context: Context, written: list) -> Outcome | None:
    """A failure quoting the engine when the build stops at a HEALTHCHECK line it cannot read (`--interval=10`)."""
    build = context.build
    line = build.failed_line
    failing = next((i for i in written if line and i.line <= line <= i.end_line), None)
    if build.complete or failing is None:
        return None
    said = re.search(r"dockerfile parse error (?:on )?line \d+: ([^\n]+)", build.result.log)
    error = said.group(1).strip() if said else without_prefixes(build.result.error)
    unit = re.search(r'missing unit in duration "?([\d.]+)"?', error)
    cause = (
        f": a duration needs its unit, as in `10s` or `1m`; write `{unit.group(1)}s` for {unit.group(1)} seconds"
        if unit
        else ""
    )
    first = context.dockerfile.text.splitlines()[failing.line - 1].strip().rstrip("\\").strip()
    return failed(
        f"expected the engine to accept `{first}`; it refuses line {failing.line}: `{error}`{cause}",
        line=failing.line,
    )


@check("healthcheck-in-image")
def healthcheck_in_image(context: Context) -> Outcome:
    """The image's config has a HEALTHCHECK: written in the final stage, not turned off with NONE."""
    dockerfile = context.dockerfile
    written = dockerfile.of("HEALTHCHECK")
    final = [i for i in written if i.stage == final_stage(dockerfile).index]
    if written and not final:
        return failed(
            f"expected HEALTHCHECK in the final stage; found it on line {written[-1].line}, in an earlier "
            "stage: each FROM starts afresh, so the final image has no health check and `docker ps` shows "
            "no health",
            line=written[-1].line,
            hint="Move the HEALTHCHECK to the final stage, before CMD.",
        )
    if final and final[-1].arguments.strip().upper() == "NONE":
        return failed(
            f"expected a probe; found HEALTHCHECK NONE on line {final[-1].line}, which turns health checks off",
            line=final[-1].line,
        )
    refused = refused_healthcheck(context, written)
    if refused is not None:
        return refused
    test = (image_config(context).get("Healthcheck") or {}).get("Test") or []
    if not test or test[0] == "NONE":
        return failed(
            "expected a HEALTHCHECK in the image; found none: the engine cannot tell a running container "
            "from a working one, and `docker ps` shows no health",
            line=final_stage(dockerfile).line,
        )
    return passed(probe_of(context).command[:160], line=healthcheck_line(context))


@check("container-healthy")
def container_healthy(context: Context) -> Outcome:
    """A container of the image becomes healthy with the image's own HEALTHCHECK, within its first probes."""
    probe = probe_of(context)
    line = healthcheck_line(context)
    if first_probe_after(context, probe) > FIRST_PROBE_LIMIT:
        return failed(
            f"expected the first probe within {spoken(FIRST_PROBE_LIMIT)} of the start; found "
            f"--interval={spoken(probe.interval)}"
            f"{f' and --start-period={spoken(probe.start_period)}' if probe.start_period else ''}: "
            f"the engine runs the first probe only {spoken(probe.interval)} after the start, and until then "
            "`docker ps` shows the container as `(health: starting)`",
            line=line,
            hint="Probe every few seconds: `--interval=10s` (and a `--start-period` for a slow start).",
        )
    run = health_run(context)
    if run.status == "healthy":
        return passed(f"healthy after {run.seconds:.0f} s, probed every {spoken(probe.interval)}", line=line)
    if run.exited:
        raise Unavailable("the container exited before a verdict (see container-starts)")
    if run.failures:
        return probe_failure(context, probe, run)
    if not run.log and context.engine.is_podman:
        return failed(
            f"expected the engine to probe the container; found no probe in its health log after "
            f"{run.seconds:.0f} s: Podman runs HEALTHCHECK probes from systemd timers, and runs none on a "
            "machine without systemd (WSL without systemd, a container), so the container stays `starting`",
            line=line,
            hint="For Podman to probe, run it with systemd (WSL: `[boot]` `systemd=true` in /etc/wsl.conf, then "
            "`wsl --shutdown`), or grade this lesson on Docker. `podman healthcheck run NAME` runs one probe by hand.",
        )
    return failed(
        f"expected a verdict within {first_probe_wait(probe):.0f} s; found the container still "
        f"{run.status} after {run.seconds:.0f} s: no probe had ended (its timeout: "
        f"{spoken(probe.timeout)})",
        line=line,
    )


@check("unhealthy-when-broken")
def unhealthy_when_broken(context: Context) -> Outcome:
    """When the app stops answering (its processes frozen), the engine reports the container unhealthy."""
    probe_of(context)  # a HEALTHCHECK first (see healthcheck-in-image)
    if health_run(context).status != "healthy":
        raise Unavailable("needs a container that becomes healthy (see container-healthy)")
    return broken_app(context)


def program_of(command_line: str) -> str:
    return command_line.split()[0].rsplit("/", 1)[-1] if command_line.strip() else ""


def slow_stop_cause(context: Context, run: HealthRun) -> Outcome:
    config = image_config(context)
    argv = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
    program = program_of(run.pid1)
    found = f"{run.stop_seconds:.1f} s (exit code {run.stop_exit_code})"
    starts = [i for i in context.dockerfile.in_final_stage() if i.keyword in ("CMD", "ENTRYPOINT")]
    line = starts[-1].line if starts else None
    if program in SHELLS:
        if argv[:2] == ["/bin/sh", "-c"]:
            return failed(
                f"expected the container to stop in about a second; found {found}: PID 1 is `{run.pid1}`, "
                "the shell of CMD's shell form. As PID 1 it ignores SIGTERM and does not pass it on; uWSGI "
                f"never hears of it, and the engine kills everything after the {GRACE} s grace period",
                line=line,
                hint='Write CMD in the exec form, a JSON array: `CMD ["./bin/run_dev.sh"]`.',
            )
        return failed(
            f"expected the container to stop in about a second; found {found}: PID 1 is `{run.pid1}`, "
            "a shell running the start script, with uWSGI as its child. The shell ignores SIGTERM as PID 1; "
            f"uWSGI never hears of it, and the engine kills everything after the {GRACE} s grace period",
            line=line,
            hint="Start uWSGI with `exec uwsgi …` at the end of the script: it replaces the shell and becomes PID 1.",
        )
    if program == "uwsgi" and "--die-on-term" not in run.pid1:
        return failed(
            f"expected the container to stop in about a second; found {found}: PID 1 is uWSGI, started "
            "without --die-on-term; uWSGI 2.0 takes SIGTERM as `reload`, not `stop`",
            line=line,
            hint="Start uWSGI with --die-on-term (bin/run_dev.sh does).",
        )
    return failed(
        f"expected the container to stop in about a second; found {found}: PID 1 is `{run.pid1 or '?'}`, "
        "which did not exit on SIGTERM",
        line=line,
    )


@check("stop-fast")
def stop_fast(context: Context) -> Outcome:
    """`docker stop` of a container whose app answers ends in seconds: SIGTERM reaches the server, which exits."""
    run = health_run(context)
    if run.stop_seconds is None:
        raise Unavailable("needs a container whose app answers /statz (see app-answers)")
    killed = run.stop_exit_code == 137 or run.stop_seconds >= GRACE  # SIGKILL, after the grace period
    if killed:
        return slow_stop_cause(context, run)
    if run.stop_seconds <= STOP_LIMIT:
        return passed(f"stopped in {run.stop_seconds:.1f} s; PID 1 is {program_of(run.pid1) or '?'}")
    return warning(
        f"expected the container to stop in about a second; found {run.stop_seconds:.1f} s: PID 1 "
        f"({program_of(run.pid1) or '?'}) exited on SIGTERM by itself, slowly; on a busy machine that "
        "may be the machine",
        hint="Run `checks lesson15` again when the machine is less busy; if it "
        "stays slow, see what the app does when it stops.",
    )


@check("server-warnings")
def server_warnings(context: Context) -> Outcome:
    """uWSGI's log has neither `running as root` nor `no internal routing support`."""
    run = health_run(context)
    if not run.logs:
        raise Unavailable("needs the log of a container of the image (see container-starts)")
    found, hints = [], []
    if "no internal routing support" in run.logs:
        found.append(
            "`!!! no internal routing support, rebuild with pcre support !!!`: pip built uWSGI without "
            "PCRE, because the build stage has no `pcre2-config` (package libpcre2-dev)"
        )
        hints.append(
            "Install `libpcre2-dev` next to gcc in the build stage: pip's build of uWSGI then finds "
            "`pcre2-config`, and the final stage already has the library."
        )
    if "uWSGI running as root" in run.logs:
        found.append("`uWSGI running as root`: the image has no USER other than root, so uWSGI runs as root")
        hints.append("Create a user in the final stage and switch to it with `USER together` before CMD (lesson 14).")
    if not found:
        return passed("no warning about root or internal routing in uWSGI's log")
    return warning("expected a log without uWSGI's warnings; found " + "; and ".join(found), hint=" ".join(hints))
