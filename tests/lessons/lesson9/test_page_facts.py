"""Lesson 9's sentences on publishing and logs, measured with the learner's image:

- an app that listens on 127.0.0.1 inside the container answers nothing through the published port:
  the client sees an empty reply or a reset connection;
- each request adds a line to `docker logs`;
- a host port that a container or a program already holds is refused (`port is already allocated`,
  `address already in use`), and the new container never starts.
"""

from __future__ import annotations

import http.client
import socket

import pytest

from learner_engine import IMAGE, app_ready, docker, free_port, sh, state, wait_for_workers, wait_until
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson9.md"


def page_says(words: str) -> bool:
    return " ".join(words.split()) in " ".join(PAGE.read_text(encoding="utf-8").split())


def started(containers, options: str) -> tuple[str, int]:
    port = free_port()
    name = containers.run(f"{options} -p 127.0.0.1:{port}:4000 {IMAGE}")
    wait_for_workers(name)
    return name, port


def test_an_app_on_loopback_inside_answers_nothing_through_the_port(learner_image, containers):
    assert page_says("`curl` from your machine gets `Empty reply from server` or `Connection reset`")
    _, port = started(containers, "-e HOST=127.0.0.1")

    def ask() -> BaseException | None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/statz")
            connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            return error
        finally:
            connection.close()
        return None

    # curl's (52) Empty reply from server, or (56) Connection reset by peer. One run in about ten on the
    # shared test engine waited 10 s instead (never reproduced alone): the second ask is the verdict.
    found = ask()
    if isinstance(found, TimeoutError):
        found = ask()
    assert isinstance(found, (http.client.RemoteDisconnected, ConnectionResetError)), repr(found)


def test_each_request_adds_a_line_to_the_log(learner_image, containers):
    assert page_says("`docker logs together` now has one more line at the end: the request.")
    name, port = started(containers, "")
    before = docker("logs", name).stderr.splitlines() + docker("logs", name).stdout.splitlines()
    assert wait_until(lambda: app_ready(f"http://127.0.0.1:{port}/statz"), 30, "the app")
    after = lambda: docker("logs", name).stderr.splitlines()  # noqa: E731 (uWSGI logs to stderr)
    wait_until(lambda: any("GET /statz" in line for line in after()), 10, "the request in the log")
    assert not any("GET /statz" in line for line in before)
    assert "GET /statz" in after()[-1] and "HTTP/1.1 200" in after()[-1], after()[-1]


def test_a_taken_host_port_is_refused_and_the_container_never_starts(learner_image, containers):
    assert page_says(
        "Docker refuses (`port is already allocated`, `address already in use`) and the container never starts"
    )
    _, port = started(containers, "")
    second = containers.run(f"-p 127.0.0.1:{port}:4000 {IMAGE}", check=False)
    refused = sh(f"docker start {second}", check=False)
    assert refused.returncode != 0 and "port is already allocated" in refused.stderr, refused.stderr
    assert state(second) == "created"
    with socket.socket() as program:  # a program of the host, not a container, holds the port
        program.bind(("127.0.0.1", 0))
        program.listen()
        held = program.getsockname()[1]
        third = containers.run(f"-p 127.0.0.1:{held}:4000 {IMAGE}", check=False)
        refused = sh(f"docker start {third}", check=False)
    assert refused.returncode != 0 and "address already in use" in refused.stderr, refused.stderr
    assert state(third) == "created"
