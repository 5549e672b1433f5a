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
BUILD_TIMEOUT = int(os.environ.get("CHECKS_BUILD_TIMEOUT", "900"))


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

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.rstrip().splitlines()[-lines:])


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

            with build_status(dockerfile_text) as status:
                log, returncode, timed_out = _run_interruptibly(command, env, timeout, status.follow)
            image_id = iidfile.read_text().strip() if iidfile.exists() and iidfile.read_text().strip() else None
        seconds = time.monotonic() - started
        ok = returncode == 0 and image_id is not None
        result = BuildResult(ok=ok, image_id=image_id if ok else None, tag=tag if ok else None,
                             log=log, seconds=seconds, timed_out=timed_out)
        if not ok:
            result.failed_line = failed_line(log, dockerfile_text)
            result.error = error_summary(log)
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


def _run_interruptibly(command: list[str], env: dict, timeout: int, follow=None) -> tuple[str, int, bool]:
    """Run a command, collecting its output (`follow(file)` may read it as it grows); on Ctrl-C or
    timeout stop it and wait for it to go."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        if follow:
            follow(output)
        timed_out = False
        try:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _stop(process)
        except BaseException:
            _stop(process)
            raise
        output.seek(0)
        return output.read().decode("utf-8", "replace"), process.returncode, timed_out


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
    wanted = " ".join(header.group(1).split())
    lines = dockerfile_text.splitlines()
    index = 0
    while index < len(lines):
        first, logical = index, lines[index]
        while logical.rstrip().endswith("\\") and index + 1 < len(lines):  # BuildKit joins continuations
            index += 1
            logical = logical.rstrip()[:-1] + " " + lines[index]
        if " ".join(logical.split()) == wanted:
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
