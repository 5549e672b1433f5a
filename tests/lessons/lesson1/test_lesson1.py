"""Lesson 1's checks, one by one: what each catches, and what it lets through."""

from __future__ import annotations

from datetime import date

import pytest

from checks.catalogue import load
from checks.checkers import lesson1
from checks.context import Context, Unavailable
from support import catches, catches_not


def context_for(tmp_path, text: str | None):
    if text is not None:
        (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    return Context(tmp_path, load())


def named(name: str):
    """prepare= for catches: the Dockerfile's text saved under another name."""
    return lambda folder: (folder / name).write_text("FROM python:3.13-slim\n")


def status(tmp_path, check, text, **kwargs) -> str:
    try:
        return check(context_for(tmp_path, text), **kwargs).status
    except Unavailable:
        return "skipped"


# dockerfile-present
def test_dockerfile_present():
    catches_not("dockerfile-present", "FROM python:3.13-slim\n")


def test_dockerfile_present_catches_none():
    catches("dockerfile-present", None, says="found none")


def test_dockerfile_present_names_a_notepad_txt():
    catches("dockerfile-present", None, says="Dockerfile.txt", prepare=named("Dockerfile.txt"))


def test_dockerfile_present_names_a_lowercase_name_the_dockerignore_lets_through():
    # Docker accepts `dockerfile`, but the sample app's .dockerignore lists `Dockerfile`: it would reach the image
    catches(
        "dockerfile-present",
        None,
        says=["`dockerfile`", ".dockerignore", "mv dockerfile Dockerfile"],
        prepare=named("dockerfile"),
    )


def test_dockerfile_present_accepts_lowercase_when_the_dockerignore_keeps_it_out():
    def prepare(folder):
        named("dockerfile")(folder)
        (folder / ".dockerignore").write_text("dockerfile\n.dockerignore\n")

    catches_not("dockerfile-present", None, prepare=prepare)


# dockerfile-syntax
@pytest.mark.parametrize(
    "text",
    [
        "FORM python:3.13-slim\n",
        "FROM python:3.13-slim\nCOPY\n",
        "",
    ],
)
def test_dockerfile_syntax_catches(text):
    catches("dockerfile-syntax", text)


@pytest.mark.parametrize("text", ["FROM python:3.13-slim\n"])
def test_dockerfile_syntax_catches_not(text):
    catches_not("dockerfile-syntax", text)


def test_dockerfile_syntax_gives_the_line():
    catches("dockerfile-syntax", "FROM python:3.13-slim\n\nWROKDIR /app\n", says="WORKDIR", line=3)


# from-first
@pytest.mark.parametrize(
    "text",
    [
        "WORKDIR /app\nFROM python:3.13-slim\n",
        "RUN pip install flask\n",
    ],
)
def test_from_first_catches(text):
    catches("from-first", text)


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim\n",
        "ARG V=3.13\nFROM python:${V}-slim\n",
    ],
)
def test_from_first_catches_not(text):
    catches_not("from-first", text)


# base-image-official
@pytest.mark.parametrize(
    "text",
    [
        "FROM ubuntu:24.04\n",
        "FROM python3:3.13-slim\n",
        "FROM pyhton:3.13-slim\n",
        "FROM bitnami/python:3.13\n",
        "FROM Python:3.13-slim\n",
        "FROM python:${NOPE}\n",
    ],
)
def test_base_image_official_catches(text):
    catches("base-image-official", text)


@pytest.mark.parametrize("text", ["FROM registry.example.com/library/python:3.13-slim\n"])
def test_base_image_official_warns(text):
    catches("base-image-official", text, status="warning")


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim\n",
        "FROM docker.io/library/python:3.13-slim\n",
        "FROM mirror.gcr.io/library/python:3.13-slim\n",
        "FROM python:3.13 AS build\nFROM build\n",
    ],
)
def test_base_image_official_catches_not(text):
    catches_not("base-image-official", text)


# base-image-tag
@pytest.mark.parametrize(
    "text",
    [
        "FROM python\n",
        "FROM python:latest\n",
        "FROM python:latest AS build\nFROM python:3.13-slim\n",
    ],
)
def test_base_image_tag_catches(text):
    catches("base-image-tag", text)


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim\n",
        "FROM python:3.13-slim@sha256:" + "a" * 64 + "\n",
        "FROM python@sha256:" + "a" * 64 + "\n",
        "FROM scratch\n",
    ],
)
def test_base_image_tag_catches_not(text):
    catches_not("base-image-tag", text)


def test_base_image_tag_says_no_tag_means_latest():
    catches("base-image-tag", "FROM python\n", says=":latest", line=1)


# base-image-version
@pytest.mark.parametrize(
    "text",
    [
        "FROM python:slim\n",
        "FROM python:3-slim\n",
        "FROM python:bookworm\n",
    ],
)
def test_base_image_version_catches(text):
    catches("base-image-version", text)


@pytest.mark.parametrize("text", ["FROM python@sha256:" + "a" * 64 + "\n"])
def test_base_image_version_warns(text):
    catches("base-image-version", text, status="warning")


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim\n",
        "FROM python:3.13.1-slim-bookworm\n",
    ],
)
def test_base_image_version_catches_not(text):
    catches_not("base-image-version", text)


# base-image-supported
@pytest.mark.parametrize(
    "text,today,verdict",
    [
        ("FROM python:3.13-slim\n", date(2026, 11, 28), "passed"),
        ("FROM python:3.8-slim\n", date(2026, 11, 28), "failed"),
        ("FROM python:2.7-slim\n", date(2026, 11, 28), "failed"),
        ("FROM python:3.10-slim\n", date(2026, 11, 28), "failed"),
        ("FROM python:3.10-slim\n", date(2026, 6, 1), "warning"),
        ("FROM python:3.10-slim\n", date(2025, 1, 1), "passed"),
        ("FROM python:3.15rc1-slim\n", date(2026, 9, 1), "warning"),
        ("FROM python:3.19-slim\n", date(2026, 11, 28), "warning"),
    ],
)
def test_base_image_supported(tmp_path, text, today, verdict):
    assert status(tmp_path, lesson1.base_image_supported, text, today=today) == verdict


def test_base_image_supported_says_since_when(tmp_path):
    outcome = lesson1.base_image_supported(context_for(tmp_path, "FROM python:3.8-slim\n"), today=date(2026, 1, 1))
    assert "2024-10-07" in outcome.message and "3.8" in outcome.message


# base-image-variant
@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-alpine\n",
        "FROM python:3.13-alpine3.21\n",
        "FROM python:3.13-windowsservercore-ltsc2022\n",
    ],
)
def test_base_image_variant_catches(text):
    catches("base-image-variant", text)


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13\n",
        "FROM python:3.13-bookworm\n",
        "FROM python:3.12-slim-bullseye\n",
    ],
)
def test_base_image_variant_warns(text):
    catches("base-image-variant", text, status="warning")


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim\n",
        "FROM python:3.13-slim-trixie\n",
    ],
)
def test_base_image_variant_catches_not(text):
    catches_not("base-image-variant", text)


# base-image-platform
@pytest.mark.parametrize("text", ["FROM --platform=linux/amd64 python:3.13-slim\n"])
def test_base_image_platform_warns(text):
    catches("base-image-platform", text, status="warning")


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim\n",
        "FROM --platform=$BUILDPLATFORM python:3.13-slim\n",
    ],
)
def test_base_image_platform_catches_not(text):
    catches_not("base-image-platform", text)


def test_seed_dockerfile_with_a_supported_python_passes(workspace):
    from support import run_checks

    seed = (
        "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\nRUN apt-get update && apt-get install -y gcc\n"
        'RUN pip install --no-cache-dir -r requirements.txt\nEXPOSE 4000\nCMD ["./bin/run_dev.sh"]\n'
    )
    run = run_checks("lesson1", "--json", "--path", str(workspace(seed)))
    assert run.code == 0 and run.json["passed"]


# dockerfile-syntax: a FROM split by a space, and a `#` after an instruction Docker takes literally
SPLIT_FROM = [
    ("FROM python: 3.13-slim\n", "remove the space after the colon: `FROM python:3.13-slim`"),
    ("FROM python 3.13-slim\n", "join the name and the tag with a colon: `FROM python:3.13-slim`"),
    ("FROM python :3.13-slim\n", "remove the space before the colon"),
    ("FROM python:3.13-slim base\n", "write one image name"),
]
TRAILING = [
    ("FROM python:3.13-slim # the base\n", 1, "FROM"),
    ("FROM python:3.13-slim\nWORKDIR /usr/src/app # the app folder\n", 2, "the folder gets that whole text"),
    ("FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . . # everything\n", 3, "COPY"),
    ("FROM python:3.13-slim\nEXPOSE 4000 # uWSGI\n", 2, "Invalid containerPort"),
]


@pytest.mark.parametrize("text, fix", SPLIT_FROM)
def test_dockerfile_syntax_catches_a_from_line_split_by_a_space(tmp_path, text, fix):
    outcome = lesson1.dockerfile_syntax(context_for(tmp_path, text))
    assert outcome.status == "failed" and outcome.line == 1
    assert "Docker refuses" in outcome.message and fix in outcome.message, outcome.message
    assert "latest" not in outcome.message  # the cause, not the symptom
    with pytest.raises(Unavailable):  # no second message about its tag
        lesson1.base_image_tag(context_for(tmp_path, text))


@pytest.mark.parametrize("text, line, said", TRAILING)
def test_dockerfile_syntax_catches_a_comment_after_an_instruction(text, line, said):
    catches("dockerfile-syntax", text, says=["comment is a line of its own", said], line=line)


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.13-slim AS base\n",
        "FROM --platform=$BUILDPLATFORM python:3.13-slim AS build\n",
        "# the base image\nFROM python:3.13-slim\n",
        "FROM python:3.13-slim\nRUN apt-get update # a shell comment is fine in RUN\n",
        'FROM python:3.13-slim\nLABEL description="issue #12"\nENV COLOUR=#fff\nCMD ./bin/run_dev.sh # shell form\n',
    ],
)
def test_dockerfile_syntax_catches_not_comments_docker_understands(text):
    catches_not("dockerfile-syntax", text)


@pytest.mark.docker
@pytest.mark.parametrize("text", [t for t, _ in SPLIT_FROM] + [t for t, _, _ in TRAILING])
def test_docker_really_refuses_or_misreads_these_lines(tmp_path, text):
    """The messages above say what Docker does: it refuses these lines, or takes the `#` text literally."""
    from checks.engine import Engine

    engine = Engine.connect()
    try:
        (tmp_path / "together").mkdir()
        misread = "# the app folder" in text  # builds, in a folder named with the comment
        result = engine.build(tmp_path / "together", text + ("RUN pwd\n" if misread else ""))
        if misread:
            assert result.ok and "/usr/src/app # the app folder" in result.log, result.log
        else:
            assert not result.ok, result.log
    finally:
        engine.cleanup()
