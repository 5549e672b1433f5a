"""The learner's Docker engine: connect with a clear diagnosis, build with BuildKit, run, and clean up.

The one module that talks to the docker SDK (tests/test_import_graph.py proves it). Checks ask it
narrow questions and get plain values, as container-structure-test's drivers answer: a container is
a `Container` handle (its state, a command's output within a timeout, its logs, its sockets, its
processes) and what `docker inspect` says of it a `ContainerInfo`; `Engine.run(image)` owns the one
lifecycle of the containers checks start (create, start, wait, remove).

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
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

from . import settings
from .buildchecks import BuildCheck, from_check_json
from .buildlog import BuildWatch, StoppedStep, error_summary, failed_line
from .errors import EngineProblem
from .facts import Facts, cache_folder, content_key
from .ports import listening_sockets
from .status import build_status
from .steps import StepLines

LABEL = "org.docker-lessons.checks"
RUN_LABEL = LABEL + ".run"
TEMP_REPOSITORY = "docker-lessons-checks"
API_TIMEOUT = 30  # seconds for one Engine API call
TOOLBOX_SECONDS = 1800  # a toolbox container ends by itself after this long, should its run never clean up
# what the engine answers when `docker exec` cannot start the program: the old way then says it as it always did
EXEC_REFUSED = "OCI runtime exec failed"
EXEC_TIMEOUT = 30  # seconds a command in a running container may take, unless the caller says otherwise
LISTING_END = "checks-listing-end"  # the line list_in_image() expects after a whole listing


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
    stopped: StoppedStep | None = None  # a step checks stopped because it would never end

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.rstrip().splitlines()[-lines:])


@dataclass
class RunResult:
    exit_code: int | None
    output: str
    timed_out: bool = False
    error: str = ""  # the engine's own error: the command was not run


@dataclass(frozen=True)
class ContainerState:
    """A container's State as the engine reports it, as plain values."""

    status: str = ""  # created, running, paused, restarting, exited, dead
    exit_code: int | None = None
    started_at: str = ""  # RFC 3339, as the engine writes it
    finished_at: str = ""
    pid: int | None = None  # its PID 1 on the engine's host
    health: dict = field(default_factory=dict)  # State.Health: Status, FailingStreak, Log; {} without a HEALTHCHECK
    error: str = ""  # why the engine could not start it ("port is already allocated")
    oom_killed: bool = False

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def ended(self) -> bool:
        return self.status in ("exited", "dead")

    @property
    def health_status(self) -> str:
        return self.health.get("Status", "starting")

    @property
    def health_log(self) -> list[dict]:
        return self.health.get("Log") or []

    @property
    def failing_streak(self) -> int:
        return self.health.get("FailingStreak", 0)

    @classmethod
    def of(cls, state: dict) -> ContainerState:
        return cls(
            status=state.get("Status", ""),
            exit_code=state.get("ExitCode"),
            started_at=state.get("StartedAt") or "",
            finished_at=state.get("FinishedAt") or "",
            pid=state.get("Pid") or None,
            health=state.get("Health") or {},
            error=state.get("Error") or "",
            oom_killed=bool(state.get("OOMKilled")),
        )


@dataclass(frozen=True)
class ContainerInfo:
    """What `docker inspect` says of a container, as plain values."""

    id: str
    name: str
    image_id: str  # the image it was created from, by id
    image: str  # the image as it was named (`docker run NAME`)
    created: str
    state: ContainerState
    labels: dict[str, str]
    exposed_ports: tuple[str, ...]  # "4000/tcp", from its image or `--expose`
    published: dict  # "4000/tcp" -> [{"HostIp", "HostPort"}], as the engine reports them
    host_config: dict  # how it was started: PidMode, NetworkMode, PortBindings…
    config: dict  # its Config: Cmd, Entrypoint, Env, Labels…

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def status(self) -> str:
        return self.state.status

    def host_port(self, port: int) -> int | None:
        """The host port the engine published `port`/tcp on, once it is known."""
        bindings = self.published.get(f"{port}/tcp") or []
        return int(bindings[0]["HostPort"]) if bindings and bindings[0].get("HostPort") else None

    @classmethod
    def of(cls, attrs: dict) -> ContainerInfo:
        config = attrs.get("Config") or {}
        host = attrs.get("HostConfig") or {}
        published = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
        return cls(
            id=attrs.get("Id", ""),
            name=(attrs.get("Name") or "").lstrip("/"),
            image_id=attrs.get("Image") or "",
            image=config.get("Image") or "",
            created=attrs.get("Created") or "",
            state=ContainerState.of(attrs.get("State") or {}),
            labels=dict(config.get("Labels") or {}),
            exposed_ports=tuple(config.get("ExposedPorts") or {}),
            published=published,
            host_config=host,
            config=config,
        )


@dataclass(frozen=True)
class ImageInfo:
    """What `docker image inspect` says of an image, as plain values."""

    id: str  # sha256:…
    tags: tuple[str, ...]  # repository:tag names, none for an untagged image
    created: str
    size: int
    config: dict  # its Config: Cmd, Entrypoint, WorkingDir, Env, Labels…
    layers: tuple[str, ...]  # RootFS layer digests, base first
    architecture: str = ""
    os: str = ""
    repo_digests: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        """As `docker images` shows it, with the sha256: prefix (as the docker SDK gives it)."""
        return self.id[:19] if self.id.startswith("sha256:") else self.id[:12]

    @property
    def labels(self) -> dict:
        return self.config.get("Labels") or {}

    @classmethod
    def of(cls, attrs: dict) -> ImageInfo:
        return cls(
            id=attrs.get("Id", ""),
            tags=tuple(tag for tag in attrs.get("RepoTags") or () if tag != "<none>:<none>"),
            created=attrs.get("Created") or "",
            size=attrs.get("Size") or 0,
            config=attrs.get("Config") or {},
            layers=tuple((attrs.get("RootFS") or {}).get("Layers") or ()),
            architecture=attrs.get("Architecture") or "",
            os=attrs.get("Os") or "",
            repo_digests=tuple(attrs.get("RepoDigests") or ()),
        )


@dataclass(frozen=True)
class Process:
    """A process in a container's PID namespace, from its /proc."""

    pid: int
    ppid: int
    name: str
    uid: int  # effective


PROCESS_TABLE = 'for s in /proc/[0-9]*/status; do cat "$s" 2>/dev/null; echo ---; done'


def parse_processes(text: str) -> list[Process]:
    """The processes in the text of every /proc/<pid>/status, separated by `---` lines."""
    found = []
    for block in text.split("---"):
        fields = dict(line.split(":", 1) for line in block.strip().splitlines() if ":" in line)
        if {"Pid", "PPid", "Uid", "Name"} <= set(fields):
            found.append(
                Process(int(fields["Pid"]), int(fields["PPid"]), fields["Name"].strip(), int(fields["Uid"].split()[1]))
            )
    return found


class Container:
    """A container on the engine, by id. Every question returns plain values; every command is bounded."""

    def __init__(self, engine: Engine, container_id: str, name: str = ""):
        self.engine = engine
        self.id = container_id
        self.name = name
        self.start_error = ""  # what the engine said when it could not start it (Engine.run)

    def inspect(self) -> ContainerInfo:
        return ContainerInfo.of(self.engine.client.api.inspect_container(self.id))

    def state(self) -> ContainerState:
        return self.inspect().state

    def exec(
        self, command: list[str], user: str | None = None, timeout: float = EXEC_TIMEOUT, stderr: bool = True
    ) -> RunResult:
        """`docker exec`: the command's exit code and output, or timed_out after `timeout` seconds.

        A command the runtime cannot start (no such program, no such user) is exit code 126 with the
        runtime's message, as on Docker and Podman alike (Podman reports no exit code for it)."""
        result = self.engine.exec_in(self.id, command, user, timeout, stderr)
        if result.output.startswith(EXEC_REFUSED) and result.exit_code in (None, 0):
            return RunResult(126, result.output)  # Podman gives no exit code for it
        return result

    def logs(self, tail: int | None = None) -> str:
        """What it printed (stdout and stderr), the last `tail` lines or all."""
        data = self.engine.client.api.logs(self.id, stdout=True, stderr=True, tail=tail if tail is not None else "all")
        return data.decode("utf-8", "replace")

    def stop(self, timeout: int) -> None:
        """`docker stop`: SIGTERM, and SIGKILL after `timeout` seconds."""
        self.engine.client.api.stop(self.id, timeout=timeout)

    def sockets(self) -> list[tuple[str, int]] | None:
        """(address, port) of every TCP socket listening in it, from its own /proc/net; None when unreadable."""
        result = self.exec(["cat", "/proc/net/tcp", "/proc/net/tcp6"], stderr=False)
        if result.exit_code not in (0, 1) or not result.output:
            return None
        return listening_sockets(result.output)

    def processes(self) -> list[Process]:
        """The processes in its PID namespace, from its /proc (needs a shell in the image)."""
        result = self.exec(["sh", "-c", PROCESS_TABLE])
        return parse_processes(result.output) if result.exit_code == 0 else []

    def host_pids(self) -> list[int]:
        """The PIDs of its processes on the engine's host (`docker top`)."""
        rows = self.engine.client.api.top(self.id).get("Processes") or []
        return [int(row[1]) for row in rows if len(row) > 1 and str(row[1]).isdigit()]


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


# A container the checks start could not start because of the engine's own networking, not the image: Engine
# 28 says "failed to set up container networking: …", 20.10 "failed to create endpoint … on network bridge"
# or "driver failed programming external connectivity" (the checks publish on a port the engine picks)
ENGINE_NETWORKING = re.compile(
    r"failed to set up container networking|failed to create endpoint|driver failed programming external "
    r"connectivity|failed to allocate gateway|iptables|network [\w.-]+ not found|no available network",
    re.IGNORECASE,
)


def engine_trouble(exc: BaseException, endpoint: str = "the Docker engine") -> str | None:
    """What went wrong when an exception during grading is the engine's trouble, not the learner's mistake:
    the engine stopped answering, or it answered with a server error (HTTP 5xx: a network it cannot create,
    a full disk, a daemon error). None for anything else (a 404 or a 409 is a question the check asked).
    The engine's whole message is kept: the learner or their admin needs all of it."""
    errors = sys.modules.get("docker.errors")
    if errors is not None and isinstance(exc, errors.APIError):
        if exc.is_server_error():
            said = str(getattr(exc, "explanation", None) or exc).strip()
            return f"the Docker engine failed while checks were grading (HTTP {exc.status_code}): {said}"
        return None
    chain = list(_chain(exc))
    requests_errors = sys.modules.get("requests.exceptions")
    if any(isinstance(e, (ConnectionError, TimeoutError)) for e in chain) or (
        requests_errors is not None
        and any(isinstance(e, (requests_errors.ConnectionError, requests_errors.Timeout)) for e in chain)
    ):
        return (
            f"the Docker engine stopped answering while checks were grading: {describe_connection_error(exc, endpoint)}"
        )
    return None


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
        self.run_id = settings.value("CHECKS_RUN_PREFIX") + uuid.uuid4().hex[:12]
        self._tags: list[str] = []
        self._containers: list[str] = []
        self._builds = 0
        self._toolboxes: dict[str, object] = {}  # image -> its idle container, or None when it cannot keep one
        self._toolbox_starts: dict[str, threading.Lock] = {}  # image -> held while its toolbox starts
        self._toolbox_lock = threading.Lock()
        self.facts = Facts(cache_folder())  # answers of earlier runs about images with the same content
        self._content_keys: dict[str, str | None] = {}
        self._running: set[subprocess.Popen] = set()  # builds in progress, stopped by stop_builds()
        self._removals: list[threading.Thread] = []  # containers being removed in the background

    @classmethod
    def connect(cls) -> Engine:
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

    @staticmethod
    def image_store(info: dict) -> str:
        """Where the engine keeps images: "containerd" (the containerd image store: Docker Engine 29's default
        for new installations, Docker Desktop's) or "classic" (the storage driver's own, overlay2 and the like)."""
        status = dict(tuple(pair) for pair in info.get("DriverStatus") or [] if len(pair) == 2)
        return "containerd" if "containerd.snapshotter" in str(status.get("driver-type", "")) else "classic"

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
        if self.is_podman:
            return False
        try:
            result = subprocess.run([self.docker_cli(), "buildx", "version"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired, EngineProblem):
            return False
        return result.returncode == 0

    def build(self, context: Path, dockerfile_text: str, timeout: float | None = None) -> BuildResult:
        """Build `dockerfile_text` with `context` as build context; the image is labelled and tagged as ours."""
        timeout = timeout if timeout is not None else settings.value("CHECKS_BUILD_TIMEOUT")
        self._builds += 1
        tag = f"{TEMP_REPOSITORY}:{self.run_id}-{self._builds}"
        started = time.monotonic()
        steps = StepLines.of(dockerfile_text)  # which Dockerfile line a step the builder prints is
        with tempfile.TemporaryDirectory(prefix="checks-build-") as scratch:
            dockerfile = Path(scratch) / "Dockerfile"
            dockerfile.write_text(dockerfile_text, encoding="utf-8")
            iidfile = Path(scratch) / "iid"
            command = [
                self.docker_cli(),
                "build",
                "-f",
                str(dockerfile),
                "-t",
                tag,
                "--label",
                f"{RUN_LABEL}={self.run_id}",
                "--iidfile",
                str(iidfile),
            ]
            env = dict(os.environ)
            if self.buildkit:
                command += ["--progress=plain"]
                env["DOCKER_BUILDKIT"] = "1"
            else:
                env["DOCKER_BUILDKIT"] = "0"
            command.append(str(context))
            self._tags.append(tag)
            watch = BuildWatch()
            with build_status(steps) as status:  # a live status line on a terminal
                log, returncode, timed_out = _run_interruptibly(
                    command, env, timeout, watch, status.feed, running=self._running
                )
            image_id = iidfile.read_text().strip() if iidfile.exists() and iidfile.read_text().strip() else None
        seconds = time.monotonic() - started
        ok = returncode == 0 and image_id is not None and watch.stopped is None
        result = BuildResult(
            ok=ok,
            image_id=image_id if ok else None,
            tag=tag if ok else None,
            log=log,
            seconds=seconds,
            timed_out=timed_out,
            stopped=watch.stopped,
        )
        if watch.stopped is not None:
            watch.stopped.line = steps.line_of(watch.stopped.step)
            result.failed_line = watch.stopped.line
            result.error = f"checks stopped `{watch.stopped.step}`: {watch.stopped.describe()}"
        elif not ok:
            result.failed_line = failed_line(log, steps)
            result.error = error_summary(log)
            if timed_out:
                result.error = f"the build took longer than {timeout:.0f} s (CHECKS_BUILD_TIMEOUT) and was stopped"
        return result

    def build_checks(self, dockerfile_text: str, timeout: int = 30) -> list[BuildCheck] | None:
        """The warnings of BuildKit's build checks for this Dockerfile, asked without building (nothing of the
        workspace is sent); None when the engine runs no build checks (Engine 20.10, Podman) or did not answer."""
        if not self.buildkit:
            return None
        with tempfile.TemporaryDirectory(prefix="checks-check-") as scratch:
            (Path(scratch) / "Dockerfile").write_text(dockerfile_text, encoding="utf-8")
            try:
                command = [self.docker_cli(), "buildx", "build", "--call=check,format=json", scratch]
                run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired, EngineProblem):
                return None
        return from_check_json(run.stdout)

    # -- running ---------------------------------------------------------------------------------
    def labels(self) -> dict[str, str]:
        return {RUN_LABEL: self.run_id}

    def track_container(self, container) -> None:
        self._containers.append(container.id)

    def create_container(self, image: str, **options):
        """A container of `image` (docker SDK `containers.create` options), labelled and tracked as ours."""
        container = self.client.containers.create(image, labels=self.labels(), **options)
        self.track_container(container)
        return container

    def remove_container(self, container, wait: bool = True) -> None:
        """Remove a container this run created (its cleanup removes it too, should this fail).

        With wait=False the removal goes on in the background, and cleanup() waits for it."""
        if wait:
            self._remove_container(container.id)
            return
        thread = threading.Thread(target=self._remove_container, args=(container.id,), daemon=True)
        self._removals.append(thread)
        thread.start()

    @contextmanager
    def run(
        self,
        image: str,
        ports: list[int] | None = None,
        sysctls: dict | None = None,
        healthcheck: dict | None = None,
        wait_for_removal: bool = True,
    ) -> Iterator[Container]:
        """A container of `image` started with its own CMD (labelled as ours), removed when the block ends.

        `ports` are published on a host port the engine picks (on 127.0.0.1 when the engine is this
        machine's). When the engine cannot start it, the container is yielded all the same, with
        `start_error` saying why. `wait_for_removal=False` removes it in the background (cleanup()
        waits for that), off the learner's wait."""
        options: dict = {"detach": True}
        if ports:
            bind = "127.0.0.1" if self.published_host() == "127.0.0.1" else "0.0.0.0"
            options["ports"] = {f"{port}/tcp": (bind, None) for port in ports}
        if sysctls:
            options["sysctls"] = sysctls
        if healthcheck:
            options["healthcheck"] = healthcheck
        created = self.create_container(image, **options)
        container = Container(self, created.id, created.name)
        try:
            try:
                created.start()
            except Exception as exc:  # docker refuses to start it: exec of the program failed
                said = getattr(exc, "explanation", None) or str(exc)
                if ENGINE_NETWORKING.search(said):  # the engine's networking, not the image: exit 2
                    raise EngineProblem(
                        f"the Docker engine could not start a container (its networking failed): {said}"
                    ) from None
                container.start_error = said
            yield container
        finally:
            self.remove_container(created, wait=wait_for_removal)

    def exec_in(
        self, container_id: str, command: list[str], user: str | None, timeout: float, stderr: bool = True
    ) -> RunResult:
        """`command` run in a running container; exit_code None when it could not be run (output says why)."""
        api = self.client.api
        answer: dict = {}

        def run() -> None:
            try:
                exec_id = api.exec_create(container_id, command, user=user or "", stdout=True, stderr=stderr)["Id"]
                answer["output"] = api.exec_start(exec_id).decode("utf-8", "replace")
                answer["exit_code"] = api.exec_inspect(exec_id).get("ExitCode")
            except Exception as exc:
                answer["error"] = exc

        worker = threading.Thread(target=run, daemon=True, name="checks-exec")
        worker.start()
        worker.join(timeout)
        if worker.is_alive():  # the command goes on in the container; its container's removal ends it
            return RunResult(None, "", True)
        if "error" in answer:
            error = answer["error"]
            return RunResult(None, "", error=str(getattr(error, "explanation", None) or error))
        return RunResult(answer["exit_code"], answer["output"])

    def attach(self, container: ContainerInfo) -> Container:
        """A handle on a container found by containers() or find_container(), to ask it more."""
        return Container(self, container.id, container.name)

    def container(self, name_or_id: str) -> Container | None:
        """A handle on a container by name or id, or None when there is none."""
        info = self.find_container(name_or_id)
        return Container(self, info.id, info.name) if info is not None else None

    def find_container(self, name_or_id: str) -> ContainerInfo | None:
        """What the engine says of a container by name or id, or None when there is none."""
        import docker

        try:
            return ContainerInfo.of(self.client.api.inspect_container(name_or_id))
        except docker.errors.NotFound:
            return None

    def containers(self, all: bool = False, filters: dict | None = None) -> list[ContainerInfo]:
        """Containers on the engine (running ones, or all), as what `docker inspect` says of each.

        The SDK lists, then inspects each container; one removed in between (by this run's own cleanup,
        by the learner) is left out instead of failing the check. Docker answers 404 for it; Podman 4.3
        answers 500 "… does not exist in database: no such container"."""
        import docker

        found = []
        for summary in self.client.api.containers(all=all, filters=filters or {}):
            try:
                found.append(ContainerInfo.of(self.client.api.inspect_container(summary["Id"])))
            except docker.errors.NotFound:
                continue
            except docker.errors.APIError as exc:
                if "no such container" not in str(getattr(exc, "explanation", "") or exc).lower():
                    raise
        return found

    # -- images ------------------------------------------------------------------------------------
    def image_config(self, image: str) -> dict:
        """The image's Config: Cmd, Entrypoint, WorkingDir, ExposedPorts, Env, User, Labels, Healthcheck…

        Podman's Docker-compatible API leaves Healthcheck out of an image's Config (Podman 4: its
        ImageDataToImageInspect never fills it), though the image has it; its own API says it."""
        config = self.client.api.inspect_image(image).get("Config") or {}
        if "Healthcheck" not in config and self.is_podman:
            health = self._podman_image_healthcheck(image)
            if health:
                config = {**config, "Healthcheck": health}
        return config

    @cached_property
    def is_podman(self) -> bool:
        try:
            return self.kind(info={}, version=self.version()) == "Podman"
        except Exception:
            return False

    def _podman_image_healthcheck(self, image: str) -> dict | None:
        """The HEALTHCHECK of an image as Podman's own API (libpod) gives it, in the Docker API's field names."""
        from urllib.parse import quote

        api = self.client.api
        try:
            answer = api.get(f"{api.base_url}/v4.0.0/libpod/images/{quote(image, safe='')}/json", timeout=API_TIMEOUT)
            answer.raise_for_status()
            health = answer.json().get("Healthcheck")
        except Exception:  # an older Podman, or not Podman after all: the Docker API's answer stands
            return None
        return health if isinstance(health, dict) and health.get("Test") else None

    def image_size(self, image: str) -> int:
        return self.client.api.inspect_image(image).get("Size") or 0

    def image_history(self, image: str) -> list[dict]:
        """The image's history entries (CreatedBy, Size…), newest first, as the engine gives them."""
        return self.client.api.history(image)

    def find_image(self, name: str) -> ImageInfo | None:
        """What the engine says of an image by name or id, or None when there is none."""
        import docker

        try:
            return ImageInfo.of(self.client.api.inspect_image(name))
        except docker.errors.NotFound:
            return None

    def remove_image(self, reference: str) -> None:
        """Remove one name of an image (`docker rmi NAME`): only a kit's own pulls ask for this."""
        self.client.images.remove(reference)

    def save_image(self, image_id: str, chunk_size: int) -> Iterator[bytes]:
        """`docker save` of one image, as the engine streams it."""
        return self.client.api.get_image(image_id, chunk_size=chunk_size)

    def load_images(self, archive) -> None:
        """`docker load` of an archive (an open file)."""
        self.client.images.load(archive)

    def allow_long_calls(self, seconds: int) -> None:
        """Saving or loading an image of a hundred megabytes on a slow laptop is one API call of minutes."""
        self.client.api.timeout = seconds

    def images(self, filters: dict | None = None) -> list[ImageInfo]:
        """Images on the engine (`docker images`, with `filters`); one removed meanwhile is left out."""
        found = []
        for summary in self.client.api.images(filters=filters or {}):
            image = self.find_image(summary["Id"])
            if image is not None:
                found.append(image)
        return found

    def run_in_image(self, image: str, command: list[str], timeout: int = 60, user: str | None = None) -> RunResult:
        """Run `command` in a container of `image` (entrypoint replaced, no network) and collect its output.

        The commands of one run share one idle container of the image (its toolbox) and run in it with
        `docker exec`, which is several times cheaper than a container each; an image that cannot keep
        one (no `sleep`) gets a throwaway container per command. An answer an earlier run got in an
        image of the same content (checks/facts.py) is given again without asking the engine."""
        return self._remembered(image, [user, *command], lambda: self._run_now(image, command, timeout, user))

    def _run_now(self, image: str, command: list[str], timeout: int, user: str | None) -> RunResult:
        box = self._toolbox(image)
        if box is not None:
            result = self._exec(box, image, user, command, timeout)
            if result is not None:
                return result
        return self._run_in_new_container(image, command, timeout, user)

    def _remembered(self, image: str, question: list, ask: Callable[[], RunResult]) -> RunResult:
        """The answer an earlier run got for `question` in an image of the same content, else ask now (and keep it)."""
        key = self._content_key(image)
        if key is not None:
            known = self.facts.get(key, question)
            if isinstance(known, list) and len(known) == 2 and isinstance(known[0], int) and isinstance(known[1], str):
                return RunResult(known[0], known[1])
        result = ask()
        if key is not None and result.exit_code is not None and not result.timed_out:
            self.facts.put(key, question, [result.exit_code, result.output])
        return result

    def _content_key(self, image: str) -> str | None:
        if image not in self._content_keys:
            try:
                self._content_keys[image] = content_key(self.client.api.inspect_image(image))
            except Exception:  # not inspectable: ask the engine, keep nothing
                self._content_keys[image] = None
        return self._content_keys[image]

    def list_in_image(self, image: str, command: list[str], timeout: int = 60) -> RunResult:
        """Run a command whose output is a listing, and make sure the listing arrived whole.

        A missing line of a listing reads as a missing package or file, so a listing cut short on its
        way out of the engine would be a false diagnosis. The command runs under `sh`, which prints an
        end line with its exit status after it; without that line the command runs once more in a
        container of its own, and a second listing without it gives no exit status (no evidence)."""
        return self._remembered(image, ["listing", *command], lambda: self._list_now(image, command, timeout))

    def _list_now(self, image: str, command: list[str], timeout: int) -> RunResult:
        wrapped = ["sh", "-c", '"$@"; printf "\\n%s %s\\n" ' + LISTING_END + ' "$?"', "sh", *command]
        for attempt in range(2):
            if attempt == 0:
                result = self._run_now(image, wrapped, timeout, None)
            else:
                result = self._run_in_new_container(image, wrapped, timeout, None)
            # stderr comes on its own stream, so its last lines may arrive after the end line (stdout's)
            body, marker, rest = result.output.rpartition(f"\n{LISTING_END} ")
            status, _, late = rest.partition("\n")
            if marker and status.strip().isdigit() and result.exit_code == 0:
                return RunResult(int(status.strip()), body + ("\n" + late if late else ""), result.timed_out)
            if result.timed_out or (result.exit_code not in (0, None) and not marker):
                break  # the shell itself failed (no sh in the image) or the command hung: no second try
        return RunResult(None, result.output, result.timed_out)

    def _toolbox(self, image: str):
        """The idle container of `image` this run's commands share (started on first use), or None.

        It runs as the image's own user; a command asked as another user is exec'd as that user. Two
        images' toolboxes start side by side: only the first use of one image waits for its start."""
        with self._toolbox_lock:
            starting = self._toolbox_starts.setdefault(image, threading.Lock())
        with starting:
            if image not in self._toolboxes:
                container = None
                try:
                    container = self.create_container(
                        image, command=["sleep", str(TOOLBOX_SECONDS)], entrypoint=[], network_disabled=True
                    )
                    container.start()
                except Exception:  # no sleep, or a USER the image lacks: one container per command, as before
                    if container is not None:
                        self.remove_container(container)
                    container = None
                self._toolboxes[image] = container
            return self._toolboxes[image]

    def _exec(self, box, image: str, user: str | None, command: list[str], timeout: float) -> RunResult | None:
        """`command` run in the toolbox; None when it could not be run there (the caller falls back)."""
        result = self.exec_in(box.id, command, user, timeout)
        if result.timed_out:  # removing the toolbox ends the command; the next one gets a new toolbox
            self._drop_toolbox(image, box)
            return result
        if result.error:  # the toolbox is gone or broken: the next command gets a new one
            self._drop_toolbox(image, box)
            return None
        if result.output.startswith(EXEC_REFUSED):  # this command (its user, its program), not the toolbox
            return None
        return result

    def _drop_toolbox(self, image: str, box) -> None:
        with self._toolbox_lock:
            if self._toolboxes.get(image) is box:
                del self._toolboxes[image]
        self.remove_container(box)

    def _run_in_new_container(self, image: str, command: list[str], timeout: int, user: str | None) -> RunResult:
        container = self.client.containers.create(
            image, command=command, entrypoint=[], labels=self.labels(), user=user, network_disabled=True
        )
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
        """The entries at `path` in `image` (a directory's members, or the file), without running anything there.

        Only what tar says of each entry (name, type, mode, owner, size, link), not the files' bytes;
        an earlier run's answer for an image of the same content is given again (checks/facts.py)."""
        key = self._content_key(image)
        question = ["read-path", path]
        if key is not None:
            known = self.facts.get(key, question)
            if known is None or (isinstance(known, list) and all(isinstance(entry, dict) for entry in known)):
                return None if known is None else [_tar_entry(entry) for entry in known]
        members = self._read_path_now(image, path)
        if key is not None:
            self.facts.put(key, question, None if members is None else [_tar_fields(m) for m in members])
        return members

    def _read_path_now(self, image: str, path: str) -> list[tarfile.TarInfo] | None:
        import docker

        box = self._toolbox(image)
        container = box or self.create_container(image, command=["true"], entrypoint=[])
        try:
            try:
                stream, _ = container.get_archive(path)
            except docker.errors.NotFound:
                if box is not None and self.find_container(box.id) is None:  # the toolbox is gone, not the file
                    self._drop_toolbox(image, box)
                    return self._read_path_now(image, path)
                return None
            data = io.BytesIO(b"".join(stream))
            with tarfile.open(fileobj=data) as archive:
                return archive.getmembers()
        finally:
            if box is None:
                self._remove_container(container.id)

    def _remove_containers(self, container_ids: list[str]) -> None:
        """Remove several containers at once (each removal waits for its container to stop)."""
        threads = [
            threading.Thread(target=self._remove_container, args=(container_id,), daemon=True)
            for container_id in container_ids
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + API_TIMEOUT
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _remove_container(self, container_id: str) -> None:
        try:
            self.client.api.remove_container(container_id, force=True, v=True)
        except Exception:
            pass
        try:
            self._containers.remove(container_id)
        except ValueError:  # not tracked, or removed by another thread meanwhile
            pass

    # -- cleaning up -----------------------------------------------------------------------------
    def stop_builds(self) -> None:
        """Stop every build still running (one a background thread started), as Ctrl-C stops the one in front."""
        for process in list(self._running):
            _stop(process)

    def cleanup(self) -> int:
        """Remove every container and image this run created, and only those. Returns how many."""
        removed = 0
        ours = {"label": f"{RUN_LABEL}={self.run_id}"}
        deadline = time.monotonic() + API_TIMEOUT
        for thread in self._removals:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        try:
            listed = [container.id for container in self.client.containers.list(all=True, filters=ours)]
            removed += len(listed)
            self._remove_containers(list(dict.fromkeys(listed + self._containers)))
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
        self._toolboxes.clear()
        return removed


TAR_FIELDS = ("name", "type", "mode", "uid", "gid", "uname", "gname", "size", "mtime", "linkname")


def _tar_fields(member: tarfile.TarInfo) -> dict:
    fields = {name: getattr(member, name) for name in TAR_FIELDS}
    fields["type"] = member.type.decode("latin-1")
    return fields


def _tar_entry(fields: dict) -> tarfile.TarInfo:
    member = tarfile.TarInfo(fields.get("name", ""))
    for name in TAR_FIELDS:
        if name in fields and name != "type":
            setattr(member, name, fields[name])
    member.type = str(fields.get("type", "0")).encode("latin-1")
    return member


def _run_interruptibly(
    command: list[str],
    env: dict,
    timeout: float,
    watch: BuildWatch | None = None,
    on_line=None,
    running: set | None = None,
) -> tuple[str, int, bool]:
    """Run a command, collecting its output; stop it on Ctrl-C, on timeout, or when `watch` says a step never ends.

    `on_line(text)` sees each line as it comes (the live status line on a terminal)."""
    import queue

    lines: queue.Queue[bytes | None] = queue.Queue()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
    )
    running = running if running is not None else set()
    running.add(process)

    stdout = process.stdout
    assert stdout is not None  # Popen(stdout=PIPE) always gives a pipe

    def read() -> None:
        for raw in iter(stdout.readline, b""):
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
    finally:
        running.discard(process)
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
