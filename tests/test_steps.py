"""The one map from a step as a builder prints it to its Dockerfile line (checks/steps.py), as hadolint's
specs: one line per case."""

from __future__ import annotations

import pytest

from checks.steps import StepLines

DOCKERFILE = """ARG BASE=python:3.13-slim
FROM python:3.12-slim AS builder
run pip install \\
    flask
FROM ${BASE}
FROM busybox@sha256:0123
FROM builder
COPY --from=builder /a /b
"""


@pytest.mark.parametrize(
    "printed, line",
    [
        ("RUN pip install flask", 3),  # continuations joined, keyword in capitals, as BuildKit prints it
        ("RUN pip install     flask", 3),
        ("FROM docker.io/library/python:3.12-slim", 2),
        ("FROM docker.io/library/python:3.13-slim", 5),  # the ARG default, substituted
        ("FROM docker.io/library/busybox:latest@sha256:0123", 6),
        ("COPY --from=builder /a /b", 8),
        ("RUN pip install django", None),
        ("FROM docker.io/library/debian:trixie-slim", None),
    ],
)
def test_a_printed_step_maps_to_its_line(printed, line):
    assert StepLines.of(DOCKERFILE).line_of(printed) == line


def test_an_image_without_a_tag_is_latest():
    assert StepLines.of("FROM python\n").from_line("docker.io/library/python:latest") == 1


def test_an_unparsable_dockerfile_maps_no_step_but_quoted_lines_still():
    steps = StepLines.of("FROM python:3.13-slim\nRUN <<EOF\necho never ends\n")
    assert steps.line_of("RUN <<EOF") is None
    assert steps.line_matching("echo never ends") == 3
