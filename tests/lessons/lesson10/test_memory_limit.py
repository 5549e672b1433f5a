"""Lesson 10's sentence on cgroups, measured on the engine with the learner's image: a memory limit
(`docker run --memory`) makes the kernel kill a process of the container, not the container.

- A process other than PID 1 that goes over the limit is killed (exit code 137) and the container
  keeps running, its app still answering.
- uWSGI's master replaces a worker killed by SIGKILL, the signal the kernel's OOM killer sends, and
  says so in its log: a worker over the limit shows there, not as a stopped container.
- When PID 1 goes over the limit, the container stops with exit code 137 and `OOMKilled: true`.
"""

from __future__ import annotations

import json
import re

import pytest

from learner_engine import ASK_APP, WORKERS, docker, state, wait_for_workers, wait_until

pytestmark = pytest.mark.docker

LIMIT = "96m"  # well above what the app needs (about 40 MB), well below what ALLOCATE asks
ALLOCATE = "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096])"  # 300 MB, every page touched


def inspect(name: str) -> dict:
    return json.loads(docker("inspect", name).stdout)[0]


def answers(name: str) -> bool:
    run = docker("exec", name, "python", "-c", ASK_APP, check=False)
    return run.returncode == 0 and '"version"' in run.stdout


@pytest.fixture(scope="module")
def limited_app(learner_image, module_containers) -> str:
    """The learner's app container, as lesson 9 runs it, with a memory limit."""
    name = module_containers.run(f"--memory {LIMIT} --memory-swap {LIMIT} {learner_image}")
    wait_for_workers(name)
    wait_until(lambda: answers(name), 30, "the app to answer")
    return name


def test_a_process_over_the_limit_is_killed_and_the_container_keeps_running(limited_app):
    run = docker("exec", limited_app, "python", "-c", ALLOCATE, check=False)
    assert run.returncode == 137, (run.returncode, run.stderr)  # 128 + 9: SIGKILL
    assert state(limited_app) == "running"
    assert answers(limited_app)


def test_a_worker_killed_as_the_oom_killer_does_is_replaced(limited_app):
    workers = docker("exec", limited_app, "python", "-c", WORKERS).stdout.split()
    assert len(workers) == 2, workers  # bin/run_dev.sh: --processes 2
    docker("exec", limited_app, "sh", "-c", f"kill -KILL {workers[0]}")
    log = lambda: docker("logs", limited_app).stdout + docker("logs", limited_app).stderr  # noqa: E731
    wait_until(lambda: re.search(rf"worker \d+ \(pid: {workers[0]}\) died, killed by signal 9", log()), 30, "the log")
    wait_until(lambda: "Respawned uWSGI worker" in log(), 30, "a new worker")
    assert state(limited_app) == "running"
    assert answers(limited_app)


def test_pid_1_over_the_limit_stops_the_container(learner_image, containers):
    name = containers.run(f'--memory {LIMIT} --memory-swap {LIMIT} {learner_image} python -c "{ALLOCATE}"')
    wait_until(lambda: state(name) == "exited", 60, "the container to stop")
    found = inspect(name)["State"]
    assert (found["ExitCode"], found["OOMKilled"]) == (137, True), found
