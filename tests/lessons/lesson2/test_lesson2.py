"""Lesson 2 (WORKDIR): catches / catches-not cases for each check, on tiny Dockerfiles (no engine needed)."""

from __future__ import annotations

import pytest

from checks.catalogue import load
from checks.dockerfile import parse
from checks.stages import workdir_at, workdirs
from support import catches, catches_not, run_checks

FROM = "FROM python:3.13-slim\n"


@pytest.fixture
def grade(workspace):
    """Run `checks lesson2 --json` on a Dockerfile; return the run."""

    made = []

    def run(dockerfile: str):
        made.append(dockerfile)
        folder = workspace(dockerfile, name=f"together{len(made)}")
        return run_checks("lesson2", "--json", "--path", str(folder))

    return run


def test_lesson2_needs_no_engine():
    assert load().get("lesson2").evidence == "dockerfile"


# -- workdir-set -------------------------------------------------------------------------------
def test_workdir_set_catches_a_missing_workdir(grade):
    run = grade(FROM + "RUN mkdir -p /usr/src/app\n")
    assert run.status("workdir-set") == "failed"
    assert "found none" in run.check("workdir-set")["message"]
    assert run.code == 1


@pytest.mark.parametrize("workdir", ["/usr/src/app", "/app", "/srv/together", "/home/app/code"])
def test_workdir_set_catches_not_any_absolute_folder(grade, workdir):
    run = grade(FROM + f"WORKDIR {workdir}\n")
    assert run.status("workdir-set") == "passed"
    assert run.code == 0, run.json


def test_workdir_set_follows_a_build_stage():
    catches_not("workdir-set", "FROM python:3.13-slim AS base\nWORKDIR /usr/src/app\nFROM base\n")


def test_workdir_set_ignores_an_earlier_unrelated_stage():
    catches("workdir-set", "FROM python:3.13-slim AS build\nWORKDIR /build\nFROM python:3.13-slim\n")


# -- workdir-absolute ---------------------------------------------------------------------------
@pytest.mark.parametrize("workdir", ["app", "usr/src/app", "./app"])
def test_workdir_absolute_catches_a_relative_path(workdir):
    catches("workdir-absolute", FROM + f"WORKDIR {workdir}\n", line=2)


def test_workdir_absolute_names_the_tilde():
    catches("workdir-absolute", FROM + "WORKDIR ~/app\n", says="/~/app")


def test_workdir_absolute_warns_on_a_relative_path_after_an_absolute_one():
    catches("workdir-absolute", FROM + "WORKDIR /usr/src\nWORKDIR app\n", says="/usr/src/app", status="warning")


@pytest.mark.parametrize("workdir", ["/usr/src/app", '"/usr/src/app"', "/usr/src/app/", "${APP_HOME}"])
def test_workdir_absolute_catches_not(workdir):
    catches_not("workdir-absolute", FROM + "ENV APP_HOME=/usr/src/app\n" + f"WORKDIR {workdir}\n")


# -- workdir-slashes ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "workdir, becomes", [(r"\usr\src\app", "/usrsrcapp"), (r"C:\app", "/C:app"), ("C:/app", "/C:/app")]
)
def test_workdir_slashes_catches_windows_paths(grade, workdir, becomes):
    run = grade(FROM + f"WORKDIR {workdir}\n")
    assert run.status("workdir-slashes") == "failed"
    assert becomes in run.check("workdir-slashes")["message"]  # what Docker really makes of it
    assert run.status("workdir-absolute") == "skipped"  # one diagnosis, not two


def test_workdir_slashes_catches_not():
    catches_not("workdir-slashes", FROM + "WORKDIR /usr/src/app\n")


# -- workdir-variable ---------------------------------------------------------------------------
def test_workdir_variable_catches_home():
    catches("workdir-variable", FROM + "WORKDIR $HOME/app\n", says=["$HOME", "means /app"])


def test_workdir_variable_catches_a_variable_defined_after_use():
    catches("workdir-variable", FROM + "WORKDIR ${APP_HOME}\nENV APP_HOME=/usr/src/app\n")


@pytest.mark.parametrize(
    "definition",
    [
        "ENV APP_HOME=/usr/src/app",
        "ENV APP_HOME /usr/src/app",
        "ARG APP_HOME=/usr/src/app",
        'ENV A=1 APP_HOME="/usr/src/app"',
    ],
)
def test_workdir_variable_catches_not_a_defined_variable(definition):
    catches_not("workdir-variable", FROM + definition + "\nWORKDIR $APP_HOME\n")
    catches_not("workdir-own-folder", FROM + definition + "\nWORKDIR $APP_HOME\n")  # resolved to /usr/src/app


@pytest.mark.parametrize(
    "base", ["python:3.13-slim", "python:3.13", "docker.io/library/python:3.13-slim", "python@sha256:" + "a" * 64]
)
def test_workdir_variable_catches_not_a_variable_the_python_image_defines(base):
    """WORKDIR expands the base image's ENV too (measured in test_workdir_on_engine.py): PYTHON_VERSION is defined."""
    catches_not("workdir-variable", f"FROM {base}\nWORKDIR /opt/python-$PYTHON_VERSION\n")


def test_workdir_variable_catches_a_python_variable_on_another_base():
    catches(
        "workdir-variable", "FROM debian:trixie-slim\nWORKDIR /opt/python-$PYTHON_VERSION\n", says="$PYTHON_VERSION"
    )


def test_workdir_variable_catches_not_a_default():
    catches_not("workdir-variable", FROM + "WORKDIR ${APP_HOME:-/usr/src/app}\n")


# -- workdir-own-folder -------------------------------------------------------------------------
@pytest.mark.parametrize("workdir", ["/", "/usr/bin", "/usr/local/bin", "/etc", "/usr", "/usr/src", "/bin/"])
def test_workdir_own_folder_catches_system_folders(workdir):
    catches("workdir-own-folder", FROM + f"WORKDIR {workdir}\n")


@pytest.mark.parametrize("workdir", ["/tmp", "/root"])
def test_workdir_own_folder_warns_on_borrowed_folders(grade, workdir):
    run = grade(FROM + f"WORKDIR {workdir}\n")
    assert run.status("workdir-own-folder") == "warning"
    assert run.code == 0


def test_workdir_own_folder_judges_the_last_workdir():
    catches_not("workdir-own-folder", FROM + "WORKDIR /\nWORKDIR /app\n")
    catches("workdir-own-folder", FROM + "WORKDIR /usr\nWORKDIR bin\n")


# -- workdir-not-cd -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "run_line", ["RUN cd /usr/src/app", "RUN mkdir -p /usr/src/app && cd /usr/src/app", "RUN mkdir /app; cd /app"]
)
def test_workdir_not_cd_catches_a_cd_that_lasts_nowhere(run_line):
    catches("workdir-not-cd", FROM + run_line + "\n", says="WORKDIR")


def test_workdir_not_cd_warns_on_cd_inside_a_run():
    catches("workdir-not-cd", FROM + "WORKDIR /usr/src/app\nRUN cd /tmp && touch x\n", status="warning")


def test_workdir_not_cd_catches_not():
    catches_not("workdir-not-cd", FROM + "WORKDIR /usr/src/app\nRUN echo cd\n")


# -- workdir-no-mkdir ---------------------------------------------------------------------------
def test_workdir_no_mkdir_catches_a_mkdir_of_the_workdir():
    catches("workdir-no-mkdir", FROM + "RUN mkdir -p /usr/src/app/\nWORKDIR /usr/src/app\n", status="warning")


def test_workdir_no_mkdir_catches_not_another_folder():
    catches_not("workdir-no-mkdir", FROM + "WORKDIR /usr/src/app\nRUN mkdir -p data\n")


# -- the helpers lesson 3 relies on -------------------------------------------------------------
def test_workdirs_resolve_like_docker():
    dockerfile = parse(FROM + "ENV BASE=/srv\nWORKDIR $BASE\nWORKDIR app/../together\nCOPY . .\n")
    assert [w.path for w in workdirs(dockerfile)] == ["/srv", "/srv/together"]
    assert workdir_at(dockerfile, 5) == "/srv/together"
    assert workdir_at(dockerfile, 2) is None
