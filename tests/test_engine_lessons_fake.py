"""The engine lessons' messages (lessons 8-10, 14, 15), with the engine's answers written down in a fake
driver (tests/fake_engine.py): milliseconds each. The same checks run on a real engine in tests/lessons/;
these cover the causes that are slow or awkward to produce there (an OOM kill, a sidecar that ended
with its app's restart, a shell as PID 1 ignoring SIGTERM)."""

from __future__ import annotations

import pytest
from fake_engine import FakeContainer, FakeEngine, container_info, fake_context

from checks.engine import ContainerState, ImageInfo, Process, RunResult
from support import check_function

IMAGE = "sha256:" + "a" * 64
APP_CONFIG = {"Cmd": ["./bin/run_dev.sh"], "Entrypoint": None, "ExposedPorts": {"4000/tcp": {}}}


def grade(check_id: str, context):
    return check_function(check_id)(context)


@pytest.fixture
def engine():
    fake = FakeEngine()
    fake.configs["sha256:" + "1" * 64] = {"Cmd": ["./bin/run_dev.sh"], "Entrypoint": None}
    return fake


# -- lesson 9: the learner's container ---------------------------------------------------------------
def test_an_oom_killed_container_is_named_with_its_log(engine, workspace):
    engine.add(
        FakeContainer(
            container_info("web", status="exited", exit_code=137, oom_killed=True),
            log="spawned uWSGI worker 1\nspawned uWSGI worker 2\nKilled\n",
        )
    )
    outcome = grade("container-running", fake_context(workspace(), engine, container="web"))
    assert outcome.status == "failed"
    assert outcome.message.startswith("expected web to be running; it exited with exit code 137.")
    assert "Likely cause: it ran out of memory (OOMKilled)" in outcome.message
    assert outcome.message.endswith("spawned uWSGI worker 2\nKilled")


def test_a_command_typed_after_the_image_name_is_the_cause_not_the_dockerfile(engine, workspace):
    config = {"Image": "together", "Cmd": ["bash"], "Entrypoint": None}
    engine.add(FakeContainer(container_info("web", status="exited", exit_code=0, config=config), log=""))
    outcome = grade("container-running", fake_context(workspace(), engine, container="web"))
    assert "it ran `bash`, the command you typed after the image name in `docker run`" in outcome.message
    assert "(the log is empty)" in outcome.message


@pytest.mark.parametrize(
    "error",
    [
        "driver failed programming external connectivity: Bind for 127.0.0.1:4000 failed: port is already allocated",
        "failed to set up container networking: driver failed programming external connectivity on endpoint web "
        "(5b4d): failed to bind host port for 127.0.0.1:4000:172.17.0.6:4000/tcp: address already in use",  # Engine 28
    ],
    ids=["engine-20", "engine-28"],
)
def test_a_taken_host_port_names_the_container_that_holds_it(engine, workspace, error):
    engine.add(FakeContainer(container_info("web", status="created", error=error)))
    engine.add(
        FakeContainer(container_info("old", published={"4000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "4000"}]}))
    )
    outcome = grade("host-port-free", fake_context(workspace(), engine, container="web"))
    assert outcome.status == "failed"
    assert outcome.message.startswith(
        "expected host port 4000 to be free; the running container old already publishes it (`docker stop old`)"
    )


def test_host_and_container_port_swapped(engine, workspace):
    published = {"5000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "4000"}]}
    engine.add(FakeContainer(container_info("web", published=published)))
    outcome = grade("port-published", fake_context(workspace(), engine, container="web"))
    assert outcome.status == "failed"
    assert "found container port 5000 published on host port 4000, where nothing listens" in outcome.message
    assert "write `-p 5000:4000` if you meant host port 5000" in outcome.message


@pytest.mark.parametrize(
    "sockets, status, said",
    [
        ([("0.0.0.0", 4000)], "passed", "listening on 0.0.0.0:4000 inside web"),
        ([("127.0.0.1", 4000)], "failed", "it listens on 127.0.0.1:4000, which only the container itself can reach"),
        ([("0.0.0.0", 5000)], "failed", "nothing does: it listens on 0.0.0.0:5000"),
    ],
)
def test_where_the_app_listens_inside_the_container(engine, workspace, sockets, status, said):
    engine.add(FakeContainer(container_info("web"), listening=sockets))
    outcome = grade("app-listens-everywhere", fake_context(workspace(), engine, container="web"))
    assert outcome.status == status and said in outcome.message


def test_unreadable_sockets_skip_instead_of_guessing(engine, workspace):
    engine.add(FakeContainer(container_info("web"), listening=None))
    with pytest.raises(Exception, match="cannot read the sockets of web"):
        grade("app-listens-everywhere", fake_context(workspace(), engine, container="web"))


# -- lesson 10: the sidecar ----------------------------------------------------------------------------
def sidecar_of(app: str, name: str = "side", **fields) -> FakeContainer:
    mode = {"PidMode": f"container:{app}", "NetworkMode": f"container:{app}"}
    return FakeContainer(container_info(name, image="busybox", host_config=mode, **fields))


def test_a_sidecar_that_ended_with_the_apps_restart_is_explained(engine, workspace):
    engine.add(FakeContainer(container_info("web", started_at="2026-01-01T10:05:00Z")))
    engine.add(
        sidecar_of(
            "web", status="exited", exit_code=137, started_at="2026-01-01T10:00:00Z", finished_at="2026-01-01T10:05:00Z"
        )
    )
    outcome = grade("sidecar-running", fake_context(workspace(), engine, container="web"))
    assert outcome.status == "failed"
    assert outcome.message.startswith(
        "expected a running sidecar; side ended (exit code 137) when the app container web"
    )
    assert "`docker run --rm -it --pid=container:web --net=container:web busybox sh`" in outcome.message


def question_setup(engine) -> None:
    app = engine.add(FakeContainer(container_info("web"), on_host=[31001, 31002, 31003]))
    side = engine.add(sidecar_of("web"))
    namespace = RunResult(0, "pid:[4026531836]\nnet:[4026531840]\n")
    stat = RunResult(0, "1 (uwsgi) S 0 1\n7 (uwsgi) S 1 1\n8 (uwsgi) S 1 1\n")
    for container in (app, side):
        container.commands[("sh", "-c", "readlink /proc/self/ns/pid; readlink /proc/self/ns/net")] = namespace
    app.commands[("sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null")] = stat


@pytest.mark.parametrize(
    "answer, status, said",
    [
        ("7", "passed", "7 is a uWSGI worker (the workers are 7, 8; the master is 1)"),
        ("1", "failed", "expected a worker's PID; 1 is the master"),
        ("31002", "failed", "31002 is a PID on the host (what `docker top` shows)"),
        ("99", "failed", "no worker has PID 99"),
        ("seven", "failed", "expected a PID (a number); found 'seven'"),
        (None, "failed", "pass `--answer PID`"),
    ],
)
def test_the_question_is_judged_against_the_apps_own_processes(engine, workspace, answer, status, said):
    question_setup(engine)
    outcome = grade("sidecar-question", fake_context(workspace(), engine, container="web", answer=answer))
    assert outcome.status == status and said in outcome.message


# -- lesson 8: the learner's image -------------------------------------------------------------------
def test_an_untagged_image_built_from_the_workspace_is_named(engine, workspace):
    """`docker build .` without -t: the nameless image has the workspace's config, steps and files."""
    built = {"id": IMAGE, "created": "2026-01-01T10:00:00Z", "size": 1, "config": APP_CONFIG, "layers": ("l1", "l2")}
    untagged = ImageInfo(**{**built, "id": "sha256:" + "b" * 64, "tags": ()})
    engine.images_by_name = {IMAGE: ImageInfo(**built, tags=("docker-lessons-checks:1",)), untagged.id: untagged}
    steps = [{"CreatedBy": 'CMD ["./bin/run_dev.sh"]'}, {"CreatedBy": "WORKDIR /app"}]
    engine.histories = {IMAGE: steps, untagged.id: steps}
    outcome = grade("image-exists", fake_context(workspace(), engine, image=IMAGE))
    assert outcome.status == "failed"
    assert "an untagged (<none>) image bbbbbbbbbbbb built from this Dockerfile" in outcome.message


# -- lesson 14: the app's processes --------------------------------------------------------------------
DOCKERFILE_14 = 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nCMD ["./bin/run_dev.sh"]\n'


def test_processes_as_root_are_named_with_the_missing_user(engine, workspace):
    folder = workspace(DOCKERFILE_14)
    engine.configs[IMAGE] = {**APP_CONFIG, "User": ""}
    started = FakeContainer(container_info("probe"), listening=[("0.0.0.0", 4000)])
    started.in_namespace = [Process(1, 0, "uwsgi", 0), Process(7, 1, "uwsgi", 0), Process(9, 0, "sh", 0)]
    started.commands[("cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start")] = RunResult(0, "1024\n")
    engine.started.append(started)
    outcome = grade("runs-as-non-root", fake_context(folder, engine, image=IMAGE))
    assert outcome.status == "failed"
    assert outcome.message == (
        "expected no process running as root; found uid 0 for PID 1 (uwsgi) and the 1 process it started: "
        "the final stage has no USER, and a container runs as root unless the image says otherwise"
    )
    assert engine.ran == [{"image": IMAGE, "ports": None, "sysctls": None, "healthcheck": None}]


# -- lesson 15: health and stopping --------------------------------------------------------------------
HEALTH = {"Test": ["CMD", "python", "-c", "probe"], "Interval": 5_000_000_000, "Timeout": 2_000_000_000}
DOCKERFILE_15 = DOCKERFILE_14.replace(
    "CMD", 'HEALTHCHECK --interval=5s --timeout=2s CMD ["python", "-c", "probe"]\nCMD'
)


def health_container(pid1: str, stop_exit_code: int) -> FakeContainer:
    healthy = ContainerState("running", health={"Status": "healthy", "FailingStreak": 0, "Log": []})
    stopped = ContainerState("exited", exit_code=stop_exit_code)
    started = FakeContainer(container_info("probe"), listening=[("0.0.0.0", 4000)], states=[healthy, stopped])
    started.commands[("cat", "/proc/1/cmdline")] = RunResult(0, pid1.replace(" ", "\0") + "\0")
    ready = ("python", "-c")
    started.commands.update(
        {
            key: RunResult(0, "")
            for key in [(*ready, __import__("checks.checkers.lesson15").checkers.lesson15.READY_PROBE, "4000")]
        }
    )
    started.log = "*** Starting uWSGI ***\n"
    return started


def test_a_shell_as_pid1_is_why_docker_stop_kills(engine, workspace):
    folder = workspace(DOCKERFILE_15)
    engine.configs[IMAGE] = {**APP_CONFIG, "Healthcheck": HEALTH}
    started = health_container("/bin/sh ./bin/run_dev.sh", 137)
    engine.started.append(started)
    context = fake_context(folder, engine, image=IMAGE)
    assert grade("container-healthy", context).status == "passed"
    outcome = grade("stop-fast", context)
    assert outcome.status == "failed"
    assert "PID 1 is `/bin/sh ./bin/run_dev.sh`, a shell running the start script" in outcome.message
    assert started.stopped_with == [10]
