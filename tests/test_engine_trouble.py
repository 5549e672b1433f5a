"""Engine trouble during grading is an environment error (exit 2, the engine's whole message), never a lesson
failure nor "the check itself failed": the docker SDK's own exceptions, built as it builds them, and the
engines' own words when the checks' container cannot start for a reason of the engine's networking.
The exit code and the `Error:` line for an EngineProblem are tested end to end in tests/test_faults.py."""

from __future__ import annotations

import docker.errors
import pytest
import requests
from fake_engine import FakeEngine, fake_context

from checks.catalogue import load
from checks.engine import ENGINE_NETWORKING, engine_trouble
from checks.errors import EngineProblem
from checks.runner import run_one


def api_error(status: int, message: str) -> docker.errors.APIError:
    """What the docker SDK raises when the engine answers `status` with `{"message": …}`."""
    response = requests.Response()
    response.status_code = status
    response.url = "http+docker://localhost/v1.51/containers/web/json"
    return docker.errors.APIError(requests.HTTPError(response=response), response=response, explanation=message)


def test_a_server_error_is_engine_trouble_with_its_whole_message():
    said = "failed to create network together_default: Error response from daemon: " + "x" * 400
    trouble = engine_trouble(api_error(500, said))
    assert trouble is not None and trouble.endswith(said) and "HTTP 500" in trouble


def test_an_engine_that_stopped_answering_is_engine_trouble():
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    trouble = engine_trouble(refused, "unix:///var/run/docker.sock")
    assert trouble is not None and "stopped answering" in trouble and "unix:///var/run/docker.sock" in trouble


@pytest.mark.parametrize("status", [404, 409])
def test_catches_not_an_answer_to_the_question_a_check_asked(status):
    assert engine_trouble(api_error(status, "No such container: web")) is None


def test_catches_not_a_bug_of_the_check_itself():
    assert engine_trouble(KeyError("State")) is None


def test_a_check_meeting_engine_trouble_stops_the_grading_as_an_environment_error(workspace):
    engine = FakeEngine()
    engine.fault = api_error(500, "error while creating mount source path: mkdir /run/desktop: read-only file system")
    context = fake_context(workspace(), engine, container="web")
    with pytest.raises(EngineProblem, match="read-only file system"):
        run_one(load().get("lesson9"), "container-running", context)


@pytest.mark.parametrize(
    "said",
    [
        # Engine 28
        "failed to set up container networking: failed to create endpoint objective_lamport on network bridge: "
        "failed to add the host (veth1) <=> sandbox (veth2) pair interfaces: operation not supported",
        # 20.10
        "driver failed programming external connectivity on endpoint web (5b4d): (iptables failed: iptables "
        "--wait -t nat -A DOCKER -p tcp -d 127.0.0.1 --dport 49153 -j DNAT: iptables: No chain/target/match)",
        "failed to create endpoint web on network bridge: network 1f2e3d not found",
    ],
)
def test_the_engines_networking_failing_to_start_a_container_is_engine_trouble(said):
    assert ENGINE_NETWORKING.search(said)


@pytest.mark.parametrize(
    "said",
    [
        "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create "
        'failed: unable to start container process: exec: "uwsgi": executable file not found in $PATH: unknown',
        "unable to find user appuser: no matching entries in passwd file",
        "exec /usr/src/app/bin/run_dev.sh: no such file or directory",
    ],
)
def test_catches_not_an_image_whose_program_cannot_start(said):
    assert not ENGINE_NETWORKING.search(said)
