"""The learner's Docker engine: connect with a clear diagnosis, build with BuildKit, and clean up.

Everything `checks` creates carries the label `org.docker-lessons.checks.run=<run id>` and is
removed by `Engine.cleanup()`, which the CLI calls in a `finally` (also on Ctrl-C and SIGTERM).
Nothing else is ever removed: not the learner's images, not their containers.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

LABEL = "org.docker-lessons.checks"
RUN_LABEL = LABEL + ".run"
TEMP_REPOSITORY = "docker-lessons-checks"
API_TIMEOUT = 30  # seconds for one Engine API call
BUILD_TIMEOUT = int(os.environ.get("CHECKS_BUILD_TIMEOUT", "900"))  # seconds for a whole build


def step_silence() -> float:
    """Seconds a RUN step may run without printing anything before it is stopped (CHECKS_STEP_SILENCE)."""
    return _seconds("CHECKS_STEP_SILENCE", 45)


def busy_silence() -> float:
    """The same, after a line announcing work that ends with a line of its own (pip's `…: started`)."""
    return _seconds("CHECKS_STEP_SILENCE_BUSY", max(600, step_silence()))


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


# What a program prints when it has started serving and will wait for clients: it never ends.
SERVER_LISTENING = re.compile(
    r"(?i)running on https?://|listening (?:on|at)\b|serving (?:http )?on\b|bound (?:on|to) (?:\w+ )*\S*:\d+|"
    r"spawned uwsgi (?:worker|http)|server (?:is )?(?:running|listening|started) (?:on|at)\b|"
    r"ready to accept connections|application startup complete")
# A line that announces work still going on, whose end is printed later: pip's "Building wheel for uWSGI
# (pyproject.toml): started" or "Downloading …", apt-get's "Get:3 http://…" while it fetches the next file
# (on a slow network a big package list takes a while): the quiet after it may last longer.
ANNOUNCES_WORK = re.compile(r"(?i):\s*started\s*$|^\s*(?:building wheel|running setup\.py|downloading)\b|^Get:\d+ ")


class EngineProblem(Exception):
    """Docker is missing, not running or not reachable: the learner must fix their set-up (exit 2)."""


@dataclass
class BuildResult:
    ok: bool
    image_id: str | None
    tag: str | None
    log: str
    seconds: float
    failed_line: int | None = None  # Dockerfile line of the step that failed
    error: str = ""  # the builder's own error summary
    timed_out: bool = False
    stopped: "StoppedStep | None" = None  # a step checks stopped because it would never end

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.rstrip().splitlines()[-lines:])


@dataclass
class StoppedStep:
    """A build step that checks stopped: it kept running without output, or it started a server."""

    step: str  # the instruction as the builder shows it: "RUN sleep infinity"
    seconds: float  # how long it had run
    silent_for: float  # seconds since its last output line
    output: list[str]  # its last output lines
    listening: str = ""  # the output line showing a server waiting for clients, if any
    line: int | None = None  # its Dockerfile line

    @property
    def server(self) -> bool:
        return bool(self.listening)

    def describe(self) -> str:
        """Why it was stopped, in a few words."""
        if self.server:
            return f"starting a server, which waits for clients and never ends (its output: `{self.listening}`)"
        if self.seconds - self.silent_for < 1:
            return f"still running after {self.seconds:.0f} s without printing anything"
        return f"still running after {self.seconds:.0f} s, with no new output for the last {self.silent_for:.0f} s"


@dataclass
class RunResult:
    exit_code: int | None
    output: str
    timed_out: bool = False


def describe_connection_error(exc: BaseException, endpoint: str) -> str:
    """Turn the docker SDK's connection failure into what the learner should do."""
    text = " ".join(str(e) for e in _chain(exc))
    if any(isinstance(e, PermissionError) for e in _chain(exc)) or "Permission denied" in text:
        return (
            f"permission denied on the Docker socket ({endpoint}). On Linux, add yourself to the docker group "
            "(`sudo usermod -aG docker $USER`, then log out and in), or use rootless Docker"
        )
    if any(isinstance(e, (FileNotFoundError, ConnectionRefusedError)) for e in _chain(exc)) or (
        "No such file" in text or "Connection refused" in text
    ):
        return (
            f"Docker is not running: nothing answers at {endpoint}. Start Docker Desktop, or on Linux "
            "`sudo systemctl start docker`; `docker info` must work before `checks` can"
        )
    if "timed out" in text.lower() or "timeout" in text.lower():
        return f"the Docker engine at {endpoint} did not answer within {API_TIMEOUT} s: is it starting up or stuck?"
    return f"cannot reach the Docker engine at {endpoint}: {text.strip() or type(exc).__name__}"


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        for arg in getattr(exc, "args", ()):
            if isinstance(arg, BaseException):
                yield from _chain(arg)
        exc = exc.__cause__ or exc.__context__


def endpoint_description() -> tuple[str, str]:
    """(endpoint, how it was chosen) as the Docker CLI would pick it: DOCKER_HOST, context, or default."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"], "DOCKER_HOST"
    try:
        from docker.context import ContextAPI

        named = os.environ.get("DOCKER_CONTEXT")
        context = ContextAPI.get_context(named) if named else ContextAPI.get_current_context()
        if context is not None and context.Host:
            return context.Host, f"context {context.Name}"
    except Exception:  # a broken ~/.docker/config.json must not stop the diagnosis
        pass
    default = "npipe:////./pipe/docker_engine" if os.name == "nt" else "unix:///var/run/docker.sock"
    return default, "default"


class Engine:
    def __init__(self, client, endpoint: str, chosen_by: str):
        self.client = client
        self.endpoint = endpoint
        self.chosen_by = chosen_by
        # CHECKS_RUN_PREFIX lets a test session tell its own leftovers from another session's
        self.run_id = os.environ.get("CHECKS_RUN_PREFIX", "") + uuid.uuid4().hex[:12]
        self._tags: list[str] = []
        self._containers: list[str] = []
        self._builds = 0

    @classmethod
    def connect(cls) -> "Engine":
        endpoint, chosen_by = endpoint_description()
        try:
            import docker
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EngineProblem(f"the docker Python package is missing ({exc}): reinstall checks") from None
        try:
            client = docker.from_env(timeout=API_TIMEOUT)
            client.ping()
        except Exception as exc:
            raise EngineProblem(describe_connection_error(exc, endpoint)) from None
        return cls(client, endpoint, chosen_by)

    # -- what engine is this -------------------------------------------------------------------
    def info(self) -> dict:
        return self.client.info()

    def version(self) -> dict:
        return self.client.version()

    def kind(self, info: dict | None = None, version: dict | None = None) -> str:
        info = info if info is not None else self.info()
        version = version if version is not None else self.version()
        components = " ".join(c.get("Name", "") for c in version.get("Components") or [])
        if "podman" in components.lower() or "podman" in str(version.get("Platform", {})).lower():
            return "Podman"
        if "Docker Desktop" in (info.get("OperatingSystem") or ""):
            return "Docker Desktop"
        if any("rootless" in option for option in info.get("SecurityOptions") or []):
            return "rootless Docker"
        return "Docker Engine"

    def published_host(self) -> str:
        """Where published ports are reached from this machine: the engine's host, never a bridge IP."""
        url = urlparse(self.endpoint)
        if url.scheme in ("tcp", "ssh", "http", "https") and url.hostname:
            return url.hostname
        return "127.0.0.1"

    # -- building ------------------------------------------------------------------------------
    def docker_cli(self) -> str:
        cli = shutil.which("docker")
        if not cli:
            raise EngineProblem(
                "the `docker` command was not found on PATH: install Docker (Docker Desktop on macOS and "
                "Windows, Docker Engine on Linux) and open a new terminal"
            )
        return cli

    @cached_property
    def buildkit(self) -> bool:
        """Will `docker build` use BuildKit? It needs the buildx plugin, and an engine that speaks it (not Podman)."""
        try:
            if self.kind() == "Podman":
                return False
        except Exception:
            pass
        try:
            result = subprocess.run([self.docker_cli(), "buildx", "version"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired, EngineProblem):
            return False
        return result.returncode == 0

    def build(self, context: Path, dockerfile_text: str, timeout: int = BUILD_TIMEOUT) -> BuildResult:
        """Build `dockerfile_text` with `context` as build context; the image is labelled and tagged as ours."""
        self._builds += 1
        tag = f"{TEMP_REPOSITORY}:{self.run_id}-{self._builds}"
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="checks-build-") as scratch:
            dockerfile = Path(scratch) / "Dockerfile"
            dockerfile.write_text(dockerfile_text, encoding="utf-8")
            iidfile = Path(scratch) / "iid"
            command = [self.docker_cli(), "build", "-f", str(dockerfile), "-t", tag,
                       "--label", f"{RUN_LABEL}={self.run_id}", "--iidfile", str(iidfile)]
            env = dict(os.environ)
            if self.buildkit:
                command += ["--progress=plain"]
                env["DOCKER_BUILDKIT"] = "1"
            else:
                env["DOCKER_BUILDKIT"] = "0"
            command.append(str(context))
            self._tags.append(tag)
            from .status import build_status  # a live status line on a terminal

            watch = BuildWatch()
            with build_status(dockerfile_text) as status:
                log, returncode, timed_out = _run_interruptibly(command, env, timeout, watch, status.feed)
            image_id = iidfile.read_text().strip() if iidfile.exists() and iidfile.read_text().strip() else None
        seconds = time.monotonic() - started
        ok = returncode == 0 and image_id is not None and watch.stopped is None
        result = BuildResult(ok=ok, image_id=image_id if ok else None, tag=tag if ok else None,
                             log=log, seconds=seconds, timed_out=timed_out, stopped=watch.stopped)
        if watch.stopped is not None:
            watch.stopped.line = line_of_step(watch.stopped.step, dockerfile_text)
            result.failed_line = watch.stopped.line
            result.error = f"checks stopped `{watch.stopped.step}`: {watch.stopped.describe()}"
        elif not ok:
            result.failed_line = failed_line(log, dockerfile_text)
            result.error = error_summary(log)
            if timed_out:
                result.error = f"the build took longer than {timeout} s (CHECKS_BUILD_TIMEOUT) and was stopped"
        return result

    # -- running ---------------------------------------------------------------------------------
    def labels(self) -> dict[str, str]:
        return {RUN_LABEL: self.run_id}

    def track_container(self, container) -> None:
        self._containers.append(container.id)

    def run_in_image(self, image: str, command: list[str], timeout: int = 60, user: str | None = None) -> RunResult:
        """Run `command` in a throwaway container of `image` (entrypoint replaced) and collect its output."""
        container = self.client.containers.create(image, command=command, entrypoint=[], labels=self.labels(),
                                                  user=user, network_disabled=True)
        self.track_container(container)
        try:
            container.start()
            try:
                status = container.wait(timeout=timeout)
                exit_code, timed_out = status.get("StatusCode"), False
            except Exception:
                exit_code, timed_out = None, True
            output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
            return RunResult(exit_code, output, timed_out)
        finally:
            self._remove_container(container.id)

    def read_path(self, image: str, path: str) -> list[tarfile.TarInfo] | None:
        """The entries at `path` in `image` (a directory's members, or the file), without running anything."""
        import docker

        container = self.client.containers.create(image, command=["true"], entrypoint=[], labels=self.labels())
        self.track_container(container)
        try:
            try:
                stream, _ = container.get_archive(path)
            except docker.errors.NotFound:
                return None
            data = io.BytesIO(b"".join(stream))
            with tarfile.open(fileobj=data) as archive:
                return archive.getmembers()
        finally:
            self._remove_container(container.id)

    def _remove_container(self, container_id: str) -> None:
        try:
            self.client.api.remove_container(container_id, force=True, v=True)
        except Exception:
            pass
        if container_id in self._containers:
            self._containers.remove(container_id)

    # -- cleaning up -----------------------------------------------------------------------------
    def cleanup(self) -> int:
        """Remove every container and image this run created, and only those. Returns how many."""
        removed = 0
        ours = {"label": f"{RUN_LABEL}={self.run_id}"}
        try:
            for container in self.client.containers.list(all=True, filters=ours):
                self._remove_container(container.id)
                removed += 1
            for container_id in list(self._containers):
                self._remove_container(container_id)
            for image in self.client.images.list(filters=ours):
                for tag in image.tags:
                    if tag.startswith(TEMP_REPOSITORY + ":"):
                        try:
                            self.client.images.remove(tag, noprune=False)
                            removed += 1
                        except Exception:
                            pass
            for tag in self._tags:
                try:
                    self.client.images.remove(tag, noprune=False)
                    removed += 1
                except Exception:
                    pass
            # an untagged image of ours (a build interrupted before tagging, a superseded tag)
            for image in self.client.images.list(filters={**ours, "dangling": True}):
                try:
                    self.client.images.remove(image.id, noprune=False)
                    removed += 1
                except Exception:
                    pass
        except Exception:
            pass
        self._tags.clear()
        return removed


class BuildWatch:
    """Follows a build's progress (BuildKit's plain output, or the classic builder's) as it is printed.

    A RUN step that keeps running with no new output for `step_silence()` seconds, or whose output
    shows a server listening, will never end by itself: `verdict()` says so and the build is stopped.
    Judged from what the build shows, whatever program the step runs.
    """

    BUILDKIT_HEADER = re.compile(r"^#(\d+) \[[^\]]*\d+/\d+\] ((?i:RUN)\b.*)$")
    BUILDKIT_OUTPUT = re.compile(r"^#(\d+) \d+\.\d+ ?(.*)$")
    BUILDKIT_END = re.compile(r"^#(\d+) (?:DONE|CACHED|ERROR|CANCELED)\b")
    CLASSIC_STEP = re.compile(r"^Step \d+/\d+ : (.*)$")
    CLASSIC_END = re.compile(r"^ ---> (?:[0-9a-f]{12}|Using cache)\s*$|^Removing intermediate container")

    def __init__(self):
        self.steps: dict[str, dict] = {}  # running RUN steps by BuildKit vertex (or "classic")
        self.stopped: StoppedStep | None = None

    def line(self, text: str, now: float) -> None:
        text = text.rstrip("\r\n")
        header = self.BUILDKIT_HEADER.match(text)
        if header:
            self.steps.setdefault(header.group(1), {"step": header.group(2), "started": now, "last": now,
                                                    "output": [], "announced": False})
            return
        end = self.BUILDKIT_END.match(text)
        if end:
            self.steps.pop(end.group(1), None)
            return
        output = self.BUILDKIT_OUTPUT.match(text)
        if output and output.group(1) in self.steps:
            self._output(self.steps[output.group(1)], output.group(2), now)
            return
        classic = self.CLASSIC_STEP.match(text)
        if classic:
            self.steps.pop("classic", None)
            if classic.group(1).upper().startswith("RUN"):
                self.steps["classic"] = {"step": classic.group(1), "started": now, "last": now, "output": [],
                                         "announced": False}
            return
        if "classic" in self.steps:
            if self.CLASSIC_END.match(text):
                self.steps.pop("classic")
            elif not text.startswith(" ---> Running in "):
                self._output(self.steps["classic"], text, now)

    def _output(self, step: dict, text: str, now: float) -> None:
        step["last"] = now
        step["output"] = (step["output"] + [text])[-8:]
        step["announced"] = bool(ANNOUNCES_WORK.search(text))
        if SERVER_LISTENING.search(text) and not step.get("listening"):
            step["listening"] = text.strip()
            step["listening_since"] = now

    def verdict(self, now: float) -> StoppedStep | None:
        """The step to stop now, if one will never end."""
        for step in self.steps.values():
            silent = now - step["last"]
            limit = busy_silence() if step["announced"] else step_silence()
            # a server is stopped a moment after it says it listens, so its next lines are shown too
            if (step.get("listening") and now - step["listening_since"] >= 1.5) or silent >= limit:
                return StoppedStep(step=step["step"], seconds=now - step["started"], silent_for=silent,
                                   output=list(step["output"]), listening=step.get("listening", ""))
        return None


def _run_interruptibly(command: list[str], env: dict, timeout: int,
                       watch: BuildWatch | None = None, on_line=None) -> tuple[str, int, bool]:
    """Run a command, collecting its output; stop it on Ctrl-C, on timeout, or when `watch` says a step never ends.

    `on_line(text)` sees each line as it comes (the live status line on a terminal)."""
    import queue
    import threading

    lines: "queue.Queue[bytes | None]" = queue.Queue()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env=env)

    def read() -> None:
        for raw in iter(process.stdout.readline, b""):
            lines.put(raw)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    collected: list[str] = []
    started = time.monotonic()
    deadline = started + timeout
    timed_out, finished = False, False
    try:
        while not finished:
            try:
                raw = lines.get(timeout=0.5)
            except queue.Empty:
                raw = b""
            now = time.monotonic()
            if raw is None:
                finished = True
            elif raw:
                text = raw.decode("utf-8", "replace")
                collected.append(text)
                if watch is not None:
                    watch.line(text, now)
                if on_line is not None:
                    on_line(text)
            if finished:
                break
            if now > deadline:
                timed_out = True
            elif watch is not None and watch.stopped is None:
                watch.stopped = watch.verdict(now)
            if timed_out or (watch is not None and watch.stopped is not None):
                _stop(process)
                break
        process.wait()
    except BaseException:
        _stop(process)
        raise
    reader.join(timeout=5)
    while True:  # what the builder printed while it was being stopped
        try:
            raw = lines.get_nowait()
        except queue.Empty:
            break
        if raw:
            collected.append(raw.decode("utf-8", "replace"))
    return "".join(collected), process.returncode, timed_out


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGINT)  # the docker CLI cancels the build on SIGINT
        process.wait(timeout=10)
    except Exception:
        process.kill()
        try:
            process.wait(timeout=5)
        except Exception:
            pass


def failed_line(log: str, dockerfile_text: str) -> int | None:
    """The Dockerfile line of the failing step, from BuildKit's or the classic builder's output."""
    lines = re.findall(r"^(?:#\d+ .*?)?Dockerfile:(\d+)\s*$", log, re.MULTILINE)
    if lines:
        return int(lines[-1])
    parse = re.search(r"dockerfile parse error (?:on )?line (\d+)", log)
    if parse:
        return int(parse.group(1))
    definition = _definition_error_line(log, dockerfile_text)
    if definition:
        return definition
    vertex = _failed_vertex_line(log, dockerfile_text) or _failed_base_image_line(log, dockerfile_text)
    if vertex:
        return vertex
    marker = re.findall(r">>>\s*(.+)$", log, re.MULTILINE)
    steps = re.findall(r"^Step (\d+)/\d+ : (.+)$", log, re.MULTILINE)
    wanted = marker[-1] if marker else (steps[-1][1] if steps else None)
    if wanted:
        for number, text in enumerate(dockerfile_text.splitlines(), start=1):
            if text.strip() and text.strip() == wanted.strip():
                return number
    return None


def _definition_error_line(log: str, dockerfile_text: str) -> int | None:
    """The line of a value BuildKit refused before building anything (`failed to create LLB definition:
    Invalid hostPort: 127.0.0.1`): the first instruction line that contains the refused value."""
    refused = re.search(r"failed to create LLB definition: [^\n]*?: (\S+)\s*$", log, re.MULTILINE)
    if not refused:
        return None
    for number, text in enumerate(dockerfile_text.splitlines(), start=1):
        if text.strip() and not text.lstrip().startswith("#") and refused.group(1) in text.split(None, 1)[-1]:
            return number
    return None


def _failed_base_image_line(log: str, dockerfile_text: str) -> int | None:
    """The FROM line whose image BuildKit could not get (`#3 [internal] load metadata for …` then ERROR)."""
    failed = re.search(r"^#(\d+) ERROR:", log, re.MULTILINE)
    header = failed and re.search(rf"^#{failed.group(1)} \[internal\] load metadata for (\S+)", log, re.MULTILINE)
    if not header:
        return None
    from .dockerfile import DockerfileProblem, parse

    wanted = header.group(1)
    try:
        stages = parse(dockerfile_text).stages
    except DockerfileProblem:
        return None
    for stage in stages:
        name = stage.image if "/" in stage.image.split(":")[0] else "library/" + stage.image
        if wanted in (stage.image, name, "docker.io/" + name):
            return stage.line
    return stages[0].line if stages else None


def _failed_vertex_line(log: str, dockerfile_text: str) -> int | None:
    """BuildKit without `Dockerfile:N` lines (Engine 20.10): find the failing vertex `#8 [4/4] RUN …` by its text."""
    failed = re.findall(r"^#(\d+) ERROR:", log, re.MULTILINE)
    if not failed:
        return None
    header = re.search(rf"^#{failed[0]} \[[^\]]*\d+/\d+\] (.+)$", log, re.MULTILINE)
    if not header:
        return None
    return line_of_step(header.group(1), dockerfile_text)


def line_of_step(step: str, dockerfile_text: str) -> int | None:
    """The Dockerfile line of a step as the builder shows it (`RUN sleep infinity`, continuations joined)."""
    def normal(text: str) -> str:  # BuildKit writes the keyword in capitals
        keyword, _, rest = text.strip().partition(" ")
        return " ".join([keyword.upper(), *rest.split()])

    wanted = normal(step)
    lines = dockerfile_text.splitlines()
    index = 0
    while index < len(lines):
        first, logical = index, lines[index]
        while logical.rstrip().endswith("\\") and index + 1 < len(lines):  # BuildKit joins continuations
            index += 1
            logical = logical.rstrip()[:-1] + " " + lines[index]
        if logical.strip() and normal(logical) == wanted:
            return first + 1
        index += 1
    return None


def error_summary(log: str) -> str:
    """The builder's closing error lines (BuildKit's `ERROR: …`, the classic builder's last lines)."""
    errors = [line for line in log.splitlines() if line.startswith(("ERROR:", "error:")) or " ERROR: " in line]
    if errors:
        return errors[-1].strip()
    tail = [line for line in log.strip().splitlines() if line.strip()]
    return tail[-1].strip() if tail else "the build failed"
