"""Lesson 9: the learner's container runs, publishes port 4000, and /statz answers through it.
Every diagnosis is produced with a real container; all of them are removed after each test."""

from __future__ import annotations

import subprocess
import sys

import pytest

from checks.ports import socket_address as _address
from learner_engine import (
    APP_NAME,
    IMAGE,
    app_ready,
    assert_sample,
    assert_terminal_sample,
    docker,
    forget_progress,
    free_port,
    loosely_logged,
    sh,
    snippets,
    state,
    transcript,
    try_sections,
    unique,
    wait_for_workers,
    wait_until,
)
from support import run_checks

pytestmark = pytest.mark.docker


def lesson9(workspace, *options: str):
    run = run_checks("lesson9", "--json", "--path", str(workspace), *options)
    forget_progress(workspace)
    assert run.code in (0, 1), run.err
    return run


def started(containers, arguments: str) -> tuple[str, int]:
    """A container of the learner's image with `arguments`, its app up; (name, host port)."""
    port = free_port()
    name = containers.run(arguments.format(port=port))
    return name, port


@pytest.fixture(scope="module")
def healthy(learner_image, module_containers) -> tuple[str, int]:
    """The learner's container as the page runs it, on a free host port, its app up; (name, host port).
    Several tests look at it: it is started once, and graded once with --container (`graded`)."""
    name, port = started(module_containers, f"-p 127.0.0.1:{{port}}:4000 {IMAGE}")
    wait_for_workers(name)
    return name, port


@pytest.fixture(scope="module")
def graded(healthy, learner_workspace):
    """`checks lesson9 --container` on the healthy container, graded once."""
    return lesson9(learner_workspace, "--container", healthy[0])


def test_reference_commands_pass(learner_image, learner_workspace, containers):
    commands = snippets("lesson9")
    containers.commands(commands["run"], [APP_NAME])
    # the page's commands in its order, each output kept as the page's sample
    wait_for_workers(APP_NAME)
    mine = lambda line: line.rstrip().endswith(f" {APP_NAME}")  # noqa: E731  (docker ps: the learner's lines)
    printed = {}
    for section in ("ps", "logs", "curl"):
        printed[section], _ = transcript(commands[section], only=mine)
        assert_terminal_sample(
            f"lesson9-{section}",
            commands[section],
            printed[section],
            compare_by=loosely_logged if section == "logs" else None,
        )
    assert APP_NAME in printed["ps"] and "127.0.0.1:4000->4000/tcp" in printed["ps"]
    assert "starting uWSGI on http://0.0.0.0:4000" in printed["logs"]
    assert '"version"' in printed["curl"]
    checked = sh(commands["check"], cwd=learner_workspace, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Lesson 9 passed" in checked.stdout
    assert_sample("lesson9-pass", commands["check"], checked.stdout, learner_workspace)


def test_try_running_without_p(learner_image, containers):
    """The page's thing to try: no -p, and the app cannot be reached from the host."""
    sections = try_sections("lesson9")
    name, port = unique("together"), free_port()
    containers.track(name)
    rename = {
        "--name together": f"--name {name}",
        "rm -f together": f"rm -f {name}",
        "127.0.0.1:4000:4000": f"127.0.0.1:{port}:4000",
        "127.0.0.1:4000/": f"127.0.0.1:{port}/",
        "port 4000 after": f"port {port} after",
        "127.0.0.1:4000->": f"127.0.0.1:{port}->",
        "together": name,
    }
    mine = lambda line: line.rstrip().endswith(f" {name}")  # noqa: E731
    transcript(snippets("lesson9")["run"], rename=rename)  # the learner's container of the lesson, running
    text, results = transcript(sections["no-publish"], rename=rename, check=False, only=mine)
    removed, started_, listed, called = results
    assert started_.returncode == 0 and listed.returncode == 0, text
    assert "4000/tcp" in listed.stdout and "->4000/tcp" not in listed.stdout, listed.stdout
    assert called.returncode == 7, text  # curl: (7) Failed to connect
    assert_terminal_sample("lesson9-try-no-publish", sections["no-publish"], text)
    text, results = transcript(sections["publish"], rename=rename, only=mine)
    assert "127.0.0.1:4000->4000/tcp" in text, text
    wait_until(lambda: app_ready(f"http://127.0.0.1:{port}/statz"), 30, "the app on its published port")
    assert_terminal_sample("lesson9-try-publish", sections["publish"], text)


def test_container_running(healthy, learner_workspace):
    name, port = healthy
    run = lesson9(learner_workspace)  # found by its image, as a learner's would be
    assert run.status("container-running") == "passed"
    assert name in run.check("container-running")["message"]


def test_container_running_catches_an_exited_container(learner_image, learner_workspace, containers):
    # uWSGI cannot listen on an address the container does not have, and exits
    name, _ = started(containers, f"-e HOST=203.0.113.7 -p 127.0.0.1:{{port}}:4000 {IMAGE}")
    wait_until(lambda: state(name) == "exited", 30, f"{name} to exit")
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("container-running")["message"]
    assert run.status("container-running") == "failed", message
    assert "exit code 1" in message
    assert "bind(): Cannot assign requested address" in message  # the last lines of its log
    assert "listen on 0.0.0.0" in message  # the likely cause
    assert run.status("statz-answers") == "skipped"


def test_container_running_catches_a_stopped_container(learner_image, learner_workspace, containers):
    name, _ = started(containers, f"-p 127.0.0.1:{{port}}:4000 {IMAGE}")
    wait_for_workers(name)
    docker("stop", name)
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("container-running")["message"]
    assert run.status("container-running") == "failed", message
    code = docker("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
    assert f"exit code {code}" in message and f"docker logs {name}" in message


def test_container_running_catches_no_container(learner_image, learner_workspace):
    run = lesson9(learner_workspace, "--container", "no-such-container-here")
    assert run.status("container-running") == "failed"
    assert "no container by that name" in run.check("container-running")["message"]


def test_host_port_free(graded):
    run = graded
    assert run.status("host-port-free") == "passed"


def test_host_port_free_catches_a_program_on_the_port(learner_image, learner_workspace, containers):
    port = free_port()
    holder = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: app_ready(f"http://127.0.0.1:{port}/"), 10, "the program holding the port")
        name = containers.run(f"-p 127.0.0.1:{port}:4000 {IMAGE}", check=False)
        assert state(name) == "created"  # docker run failed: the container exists but never started
        run = lesson9(learner_workspace, "--container", name)
    finally:
        holder.terminate()
        holder.wait(10)
    message = run.check("host-port-free")["message"]
    assert run.status("host-port-free") == "failed", message
    assert f"host port {port}" in message and "a program on this machine" in message
    assert run.status("container-running") == "skipped"


def test_host_port_free_catches_another_container_on_the_port(learner_image, learner_workspace, containers):
    first, port = started(containers, f"-p 127.0.0.1:{{port}}:4000 {IMAGE}")
    second = containers.run(f"-p 127.0.0.1:{port}:4000 {IMAGE}", check=False)
    run = lesson9(learner_workspace, "--container", second)
    message = run.check("host-port-free")["message"]
    assert run.status("host-port-free") == "failed", message
    assert f"container {first}" in message and f"docker stop {first}" in message


def test_port_published(learner_image, learner_workspace, containers):
    name = containers.run(f"-p 127.0.0.1:4000:4000 {IMAGE}")
    run = lesson9(learner_workspace, "--container", name)
    assert run.status("port-published") == "passed", run.check("port-published")


def test_port_published_catches_no_published_port(learner_image, learner_workspace, containers):
    name = containers.run(IMAGE)
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("port-published")["message"]
    assert run.status("port-published") == "failed", message
    assert "EXPOSE 4000 in the Dockerfile only documents" in message and "-p 4000:4000" in message


def test_port_published_catches_another_host_port(healthy, graded):
    name, port = healthy
    run = graded
    message = run.check("port-published")["message"]
    assert run.status("port-published") == "warning", message
    assert f"http://127.0.0.1:{port}/statz" in message  # the URL that works
    assert run.status("statz-answers") == "passed"
    assert run.code == 0


def test_port_published_catches_the_mapping_written_the_wrong_way_round(learner_image, learner_workspace, containers):
    # the learner wanted the app on host port 8000 and wrote -p 4000:8000 (HOST:CONTAINER swapped)
    name = containers.run(f"-p 127.0.0.1:4000:8000 {IMAGE}")
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("port-published")["message"]
    assert run.status("port-published") == "failed", message
    assert "container port 8000 published on host port 4000" in message
    assert "HOST:CONTAINER" in message and "-p 8000:4000" in message


def test_app_listens_everywhere(graded):
    run = graded
    assert run.status("app-listens-everywhere") == "passed", run.check("app-listens-everywhere")


def test_app_listens_everywhere_catches_an_app_on_127_0_0_1(learner_image, learner_workspace, containers):
    name, port = started(containers, f"-e HOST=127.0.0.1 -p 127.0.0.1:{{port}}:4000 {IMAGE}")
    wait_for_workers(name)
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("app-listens-everywhere")["message"]
    assert run.status("app-listens-everywhere") == "failed", message
    assert "it listens on 127.0.0.1:4000" in message and "0.0.0.0" in message
    statz = run.check("statz-answers")
    assert statz["status"] == "failed" and f"http://127.0.0.1:{port}/statz" in statz["message"]


def test_statz_answers(healthy, graded):
    name, port = healthy
    run = graded
    message = run.check("statz-answers")["message"]
    assert run.status("statz-answers") == "passed", message
    assert f'http://127.0.0.1:{port}/statz answered {{"version": "0.0.1"}}' in message


def test_statz_answers_catches_another_program_answering(learner_image, learner_workspace, containers):
    # the container runs another command than the image's CMD: a file server on the same port
    name, port = started(containers, f"-p 127.0.0.1:{{port}}:4000 {IMAGE} python3 -m http.server 4000")
    wait_until(lambda: app_ready(f"http://127.0.0.1:{port}/"), 30, "the file server")
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("statz-answers")["message"]
    assert run.status("statz-answers") == "failed", message
    assert "HTTP 404" in message and "not the app" in message


@pytest.mark.parametrize(
    "raw, address", [("0100007F", "127.0.0.1"), ("00000000", "0.0.0.0"), ("00000000000000000000000000000000", "::")]
)
def test_socket_addresses_read_from_proc(raw, address):
    assert _address(raw) == address


def test_container_running_names_a_command_given_to_docker_run_not_the_cmd(
    learner_image, learner_workspace, containers
):
    """`docker run … together:0.0.1 bash`: bash has no terminal and exits 0; the typed command is the cause."""
    name, _ = started(containers, f"-p 127.0.0.1:{{port}}:4000 {IMAGE} bash")
    wait_until(lambda: state(name) == "exited", 30, f"{name} to exit")
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("container-running")["message"]
    assert run.status("container-running") == "failed", message
    assert "it ran `bash`" in message and "after the image name" in message and "./bin/run_dev.sh" in message
    assert "CMD must start the server" not in message  # the Dockerfile's CMD is not to blame


def test_statz_answers_names_a_command_given_to_docker_run(learner_image, learner_workspace, containers):
    name, _ = started(containers, f"-it -p 127.0.0.1:{{port}}:4000 {IMAGE} bash")  # running, but a shell
    wait_until(lambda: state(name) == "running", 30, f"{name} to run")
    run = lesson9(learner_workspace, "--container", name)
    message = run.check("statz-answers")["message"]
    assert run.status("statz-answers") == "failed", message
    assert "it ran `bash`" in message, message
