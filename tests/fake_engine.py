"""A fake engine driver: the answers of checks/engine.py's Engine, written down, for the engine lessons'
message logic (issue 20). It answers only what a test gave it; anything else is an AssertionError, so
a check that asks something new fails loudly instead of passing on a default. The real-engine tests
in tests/lessons/ stay: this one proves the messages, they prove the engine's answers.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from checks.catalogue import load
from checks.context import Build, Context
from checks.engine import BuildResult, ContainerInfo, ContainerState, ImageInfo, Process, RunResult

NOW = "2026-01-01T10:00:00.000000000Z"


def container_info(
    name: str,
    *,
    status: str = "running",
    image: str = "together:latest",
    image_id: str = "sha256:" + "1" * 64,
    exit_code: int | None = 0,
    error: str = "",
    oom_killed: bool = False,
    started_at: str = NOW,
    finished_at: str = "",
    created: str = NOW,
    published: dict | None = None,
    host_config: dict | None = None,
    exposed: tuple[str, ...] = ("4000/tcp",),
    labels: dict | None = None,
    config: dict | None = None,
    pid: int | None = 4242,
) -> ContainerInfo:
    """What `docker inspect` would say of a container, with the fields a test names."""
    return ContainerInfo(
        id=(name.encode().hex() + "0" * 64)[:64],
        name=name,
        image_id=image_id,
        image=image,
        created=created,
        state=ContainerState(
            status=status,
            exit_code=exit_code,
            started_at=started_at,
            finished_at=finished_at,
            pid=pid,
            error=error,
            oom_killed=oom_killed,
        ),
        labels=labels or {},
        exposed_ports=exposed,
        published=published or {},
        host_config=host_config or {},
        config=config or {"Image": image, "Cmd": ["./bin/run_dev.sh"], "Entrypoint": None},
    )


@dataclass
class FakeContainer:
    """A running container's answers: each exec'd command's output, its log, sockets, processes, states."""

    info: ContainerInfo
    commands: dict[tuple[str, ...], RunResult] = field(default_factory=dict)
    log: str = ""
    listening: list[tuple[str, int]] | None = None
    in_namespace: list[Process] = field(default_factory=list)
    on_host: list[int] = field(default_factory=list)
    states: list[ContainerState] = field(default_factory=list)  # given one per state(); the last one stays
    start_error: str = ""
    stopped_with: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def name(self) -> str:
        return self.info.name

    def inspect(self) -> ContainerInfo:
        return replace(self.info, state=self.state())

    def state(self) -> ContainerState:
        if len(self.states) > 1:
            return self.states.pop(0)
        return self.states[0] if self.states else self.info.state

    def exec(self, command: list[str], user: str | None = None, timeout: float = 30, stderr: bool = True) -> RunResult:
        key = tuple(command)
        assert key in self.commands, f"the fake container {self.name} was not told what {command} prints"
        return self.commands[key]

    def logs(self, tail: int | None = None) -> str:
        lines = self.log.splitlines()
        return "\n".join(lines[-tail:] if tail else lines) + ("\n" if lines else "")

    def stop(self, timeout: int) -> None:
        self.stopped_with.append(timeout)

    def sockets(self) -> list[tuple[str, int]] | None:
        return self.listening

    def processes(self) -> list[Process]:
        return self.in_namespace

    def host_pids(self) -> list[int]:
        return self.on_host


class FakeEngine:
    """Engine's questions, answered from what the test set up."""

    is_podman = False
    buildkit = True
    endpoint = "unix:///var/run/docker.sock"

    def __init__(self):
        self.running: dict[str, FakeContainer] = {}  # name -> the learner's containers
        self.images_by_name: dict[str, ImageInfo] = {}
        self.configs: dict[str, dict] = {}  # image -> its Config
        self.histories: dict[str, list[dict]] = {}  # image -> its history entries, newest first
        self.in_image: dict[tuple, RunResult] = {}  # (image, user, *command) -> its answer
        self.started: list[FakeContainer] = []  # what run() hands out, in order
        self.ran: list[dict] = []  # run()'s arguments, as a check asked
        self.fault: BaseException | None = None  # raised by find_container: the engine failing mid-grading

    # -- the learner's containers and images
    def add(self, container: FakeContainer) -> FakeContainer:
        self.running[container.name] = container
        return container

    def find_container(self, name_or_id: str) -> ContainerInfo | None:
        if self.fault is not None:
            raise self.fault
        for container in self.running.values():
            if name_or_id in (container.name, container.id, container.id[:12]):
                return container.info
        return None

    def containers(self, all: bool = False, filters: dict | None = None) -> list[ContainerInfo]:
        wanted = (filters or {}).get("status")
        found = [c.info for c in self.running.values() if all or wanted or c.info.status == "running"]
        return [c for c in found if wanted is None or c.status == wanted]

    def attach(self, container: ContainerInfo) -> FakeContainer:
        return self.running[container.name]

    def find_image(self, name: str) -> ImageInfo | None:
        return self.images_by_name.get(name)

    def images(self, filters: dict | None = None) -> list[ImageInfo]:
        found = list(self.images_by_name.values())
        return [image for image in found if not image.tags] if (filters or {}).get("dangling") else found

    def image_config(self, image: str) -> dict:
        assert image in self.configs, f"the fake engine was not told the config of {image}"
        return self.configs[image]

    def image_history(self, image: str) -> list[dict]:
        assert image in self.histories, f"the fake engine was not told the history of {image}"
        return self.histories[image]

    def published_host(self) -> str:
        return "127.0.0.1"

    def run_in_image(self, image: str, command: list[str], timeout: int = 60, user: str | None = None) -> RunResult:
        key = (image, user, *command)
        assert key in self.in_image, f"the fake engine was not told what {command} prints in {image} as {user}"
        return self.in_image[key]

    # -- containers checks starts
    @contextmanager
    def run(self, image: str, ports=None, sysctls=None, healthcheck=None, wait_for_removal: bool = True):
        assert self.started, f"the fake engine has no container of {image} to start"
        self.ran.append({"image": image, "ports": ports, "sysctls": sysctls, "healthcheck": healthcheck})
        yield self.started.pop(0)

    def stop_builds(self) -> None:
        pass

    def cleanup(self) -> int:
        return 0


def fake_context(folder: Path, engine: FakeEngine, image: str | None = None, **options) -> Context:
    """A Context of `folder` whose engine is `engine`; with `image`, the workspace's build gave that image."""
    context = Context(folder, load(), options)
    context._engine = engine  # type: ignore[assignment]  # the fake answers Engine's questions
    if image is not None:
        result = BuildResult(ok=True, image_id=image, tag=None, log="", seconds=0.0)
        context.memo("build", lambda: Build(result, image, True))
    return context
