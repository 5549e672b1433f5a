"""Lesson 6 (EXPOSE): catches / catches-not cases for each check.

Text cases call the check on a parsed Dockerfile (no engine); the image's ExposedPorts are proved on
a real build, one Dockerfile for several cases.
"""

from __future__ import annotations

import pytest

from checks.checkers import lesson6
from support import catches, catches_not, grade_fixture, run_checks

BEFORE = (
    "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\n"
    "RUN apt-get update && apt-get install -y gcc\nRUN pip install --no-cache-dir -r requirements.txt\n"
)


# -- expose-present ------------------------------------------------------------------------------
def test_expose_present_catches_a_missing_expose():
    catches("expose-present", BEFORE + "ENV PORT=4000\n", says="found no EXPOSE")


def test_expose_present_catches_expose_only_in_a_build_stage():
    catches("expose-present", "FROM python:3.13-slim AS build\nEXPOSE 4000\n" + BEFORE)


@pytest.mark.parametrize("line", ["EXPOSE 4000", "expose 4000/tcp", "EXPOSE 4000 4001"])
def test_expose_present_catches_not(line):
    catches_not("expose-present", BEFORE + line + "\n")


# -- expose-syntax -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "word, words",
    [
        ("-p", "docker run"),
        ("99999", "between 1 and 65535"),
        ("0", "between 1 and 65535"),
        ("port4000", "port number"),
        ("$APP_PORT", "variable with no value"),
    ],
)
def test_expose_syntax_catches(word, words):
    catches("expose-syntax", BEFORE + f"EXPOSE {word}\n", says=words, line=6)


@pytest.mark.parametrize(
    "line",
    [
        "EXPOSE 4000",
        "EXPOSE 4000/tcp",
        "EXPOSE 4000-4001",
        "ENV PORT=4000\nEXPOSE $PORT",
        "ARG PORT=4000\nEXPOSE ${PORT}",
    ],
)
def test_expose_syntax_catches_not(line):
    catches_not("expose-syntax", BEFORE + line + "\n")


@pytest.mark.docker
def test_expose_syntax_catches_an_address_docker_refuses_with_one_message(workspace):
    """`EXPOSE 127.0.0.1:4000`: the build stops with Invalid hostPort (20.10; `invalid hostPort` on Engine 28);
    expose-port says nothing more."""
    run = run_checks("lesson6", "--json", "--path", str(workspace(BEFORE + "EXPOSE 127.0.0.1:4000\n")))
    result = run.check("expose-syntax")
    assert result["status"] == "failed" and result["line"] == 6
    assert "Docker refuses it" in result["message"] and "invalid hostport: 127.0.0.1`" in result["message"].lower()
    assert "failed to solve" not in result["message"]  # the builder's own words, not the CLI's wrappers
    assert "docker run -p 127.0.0.1:4000:4000" in result["message"] and "ignores" not in result["message"]
    assert run.status("expose-port") == "skipped" and "expose-syntax" in run.check("expose-port")["message"]
    assert [c["id"] for c in run.json["checks"] if c["status"] == "failed"] == ["expose-syntax"]
    for earlier in ("copy-whole-app", "gcc-installed", "pip-dependencies-import"):  # built up to the EXPOSE
        assert run.status(earlier) == "passed", run.check(earlier)
    assert run.code == 1


@pytest.mark.docker
def test_expose_syntax_catches_a_mapping_docker_ignores(workspace):
    run = run_checks("lesson6", "--json", "--path", str(workspace(BEFORE + "EXPOSE 4000:4000\n")))
    result = run.check("expose-syntax")
    assert result["status"] == "failed" and "ignores the host part (4000)" in result["message"]
    assert "docker run -p 4000:4000" in result["message"]
    assert run.status("expose-port") == "passed"  # the image does expose 4000/tcp


@pytest.mark.docker
def test_the_summary_never_counts_skipped_checks_as_passed(workspace):
    """The earlier lessons' lines of `checks lesson7` with an EXPOSE Docker refuses (once '✓ 8 checks passed')."""
    import re as regex

    from checks.catalogue import load

    folder = workspace(BEFORE + 'EXPOSE 127.0.0.1:4000\nCMD ["./bin/run_dev.sh"]\n')
    human, data = run_checks("lesson7", "--path", str(folder)), run_checks("lesson7", "--json", "--path", str(folder))
    for lesson in load().lessons[:6]:
        statuses = [c["status"] for c in data.json["checks"] if c["id"] in {i.id for i in lesson.checks}]
        line = next(shown for shown in human.out.splitlines() if regex.match(rf"^. Lesson {lesson.number} \(", shown))
        if regex.search(r": \d+ checks passed$", line):
            assert set(statuses) == {"passed"}, (line, statuses)
        for status in ("skipped", "warning"):
            if line.startswith("✓"):  # a failed lesson's line is followed by its checks
                assert (status in statuses) == (status in line), (line, statuses)
    assert "✗ Lesson 6 (Document the port): 1 of 5 checks failed" in human.out
    assert human.code == 1


# -- expose-port: which port the app listens on --------------------------------------------------
def test_app_port_is_the_course_port(context):
    assert lesson6.app_port(context(BEFORE + "EXPOSE 4000\n")) == 4000


def test_app_port_follows_env_port(context):
    assert lesson6.app_port(context(BEFORE + "ENV PORT=8080\nEXPOSE 8080\n")) == 8080
    assert lesson6.app_port(context(BEFORE + "ENV HOST=0.0.0.0 PORT=5001\n")) == 5001


# -- on real images: expose-port, expose-protocol, expose-extra-ports ------------------------------
@pytest.mark.docker
def test_expose_port_catches_not_env_port_and_tcp(workspace):
    run = run_checks("lesson6", "--json", "--path", str(workspace(BEFORE + "ENV PORT=8080\nEXPOSE ${PORT}/tcp\n")))
    for check_id in ("expose-present", "expose-syntax", "expose-protocol", "expose-port", "expose-extra-ports"):
        assert run.status(check_id) == "passed", run.check(check_id)
    assert "8080/tcp in the image's config" in run.check("expose-port")["message"]


@pytest.mark.docker
def test_expose_protocol_catches_udp(workspace):
    run = grade_fixture("lesson6", workspace, "expose-protocol")
    assert run.status("expose-protocol") == "failed" and "HTTP runs over TCP" in run.check("expose-protocol")["message"]
    assert run.status("expose-port") == "skipped" and "expose-protocol" in run.check("expose-port")["message"]


@pytest.mark.docker
def test_expose_port_catches_flasks_port_in_the_image_config(workspace):
    run = grade_fixture("lesson6", workspace, "expose-port")
    message = run.check("expose-port")["message"]
    assert run.status("expose-port") == "failed"
    assert "found 5000/tcp in the image's config" in message and "Flask" in message


@pytest.mark.docker
def test_expose_extra_ports_warns_on_a_second_port(workspace):
    run = grade_fixture("lesson6", workspace, "expose-extra-ports")
    assert run.status("expose-extra-ports") == "warning" and "5000/tcp" in run.check("expose-extra-ports")["message"]
    assert run.status("expose-port") == "passed"
    assert run.code == 0


def test_lesson6_sends_publishing_to_the_lesson_that_teaches_it():
    """`docker run -p` is taught in the lesson that runs the container (9), not the one that builds (8)."""
    import re as regex

    from checks.catalogue import load

    catalogue = load()
    lesson6 = catalogue.get("lesson6")
    runs = next(step for step in catalogue.lessons if step.title.lower().startswith("run the container"))
    texts = [*lesson6.hints, *(c.hint for c in lesson6.checks), *(c.why for c in lesson6.checks)]
    for text in texts:
        if "docker run -p" in text and regex.search(r"lesson \d+", text):
            assert f"lesson {runs.number}" in text, text
