"""Lesson 5 (RUN pip install): catches / catches-not cases for each check.

Text cases call the check on a parsed Dockerfile (no engine). The image cases build real images:
one Dockerfile proves several "catches not" at once, to keep builds few.
"""

from __future__ import annotations

import pytest

from checks.catalogue import load
from checks.checkers import lesson5
from checks.context import Context
from support import ROOT, catches, catches_not, grade_fixture, run_checks

BEFORE = "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\nRUN apt-get update && apt-get install -y gcc\n"
PIP = "RUN pip install --no-cache-dir -r requirements.txt\n"


# -- pip-install-present -------------------------------------------------------------------------
def test_pip_install_present_catches_a_missing_pip_line():
    catches("pip-install-present", BEFORE + "EXPOSE 4000\n", says="found no pip install")


def test_pip_install_present_catches_pip_in_cmd():
    catches("pip-install-present", BEFORE + "CMD pip install -r requirements.txt && ./bin/run_dev.sh\n", says="CMD")


@pytest.mark.parametrize(
    "line",
    [
        PIP,
        "RUN pip3 install --no-cache-dir -r requirements.txt\n",
        "RUN python -m pip install --no-cache-dir -r requirements.txt\n",
        'RUN ["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]\n',
        "RUN pip install --upgrade pip && \\\n    pip install --no-cache-dir --requirement=requirements.txt\n",
    ],
)
def test_pip_install_present_catches_not(line):
    catches_not("pip-install-present", BEFORE + line)


# -- pip-install-requirements --------------------------------------------------------------------
def test_pip_install_requirements_catches_a_missing_dash_r():
    catches("pip-install-requirements", BEFORE + "RUN pip install --no-cache-dir requirements.txt\n", says="without -r")


def test_pip_install_requirements_catches_packages_by_name():
    catches(
        "pip-install-requirements",
        BEFORE + "RUN pip install --no-cache-dir flask uwsgi\n",
        says="does not pin Flask==3.1.3, uWSGI==2.0.31",
    )


def test_pip_install_requirements_catches_a_left_out_package():
    catches(
        "pip-install-requirements",
        BEFORE + "RUN pip install --no-cache-dir Flask==3.1.3\n",
        says="leaves out uWSGI==2.0.31",
    )


def test_pip_install_requirements_warns_on_the_same_pins_written_twice():
    catches(
        "pip-install-requirements",
        BEFORE + "RUN pip install --no-cache-dir Flask==3.1.3 uWSGI==2.0.31\n",
        status="warning",
    )


def test_pip_install_requirements_warns_on_undeclared_extras():
    catches(
        "pip-install-requirements",
        BEFORE + "RUN pip install --no-cache-dir -r requirements.txt requests\n",
        says="requests",
        status="warning",
    )


@pytest.mark.parametrize(
    "line",
    [
        PIP,
        "RUN pip install -r ./requirements.txt --no-cache-dir\n",
        "RUN pip install --no-cache-dir -r /usr/src/app/requirements.txt\n",
    ],
)
def test_pip_install_requirements_catches_not(line):
    catches_not("pip-install-requirements", BEFORE + line)


# -- requirements-before-pip ---------------------------------------------------------------------
def test_requirements_before_pip_catches_pip_before_copy():
    catches(
        "requirements-before-pip",
        "FROM python:3.13-slim\nWORKDIR /usr/src/app\n" + PIP + "COPY . .\n",
        says="COPY on line 4 comes after",
        line=3,
    )


def test_requirements_before_pip_catches_a_copy_of_other_files_only():
    catches("requirements-before-pip", "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY together/ together/\n" + PIP)


@pytest.mark.parametrize(
    "copy",
    [
        "COPY . .",
        "COPY requirements.txt .",
        "COPY requirements.txt ./",
        "COPY ./requirements.txt /usr/src/app/",
        "COPY *.txt .",
        'COPY ["requirements.txt", "."]',
    ],
)
def test_brings_requirements_catches_not(copy):
    from checks.dockerfile import parse

    instruction = parse(f"FROM python:3.13-slim\n{copy}\n").instructions[-1]
    assert lesson5.brings_requirements(instruction)


# -- gcc-before-pip ------------------------------------------------------------------------------
def test_gcc_before_pip_catches_gcc_installed_after():
    catches(
        "gcc-before-pip",
        "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\n"
        + PIP
        + "RUN apt-get update && apt-get install -y gcc\n",
        says="after, on line 5",
    )


def test_compiler_install_line_knows_build_essential(workspace):
    context = Context(workspace(BEFORE.replace("gcc", "--no-install-recommends build-essential") + PIP), load())
    assert lesson5.compiler_install_line(context) == 4


# -- pip-install-builds, pip-no-cache, pip-dependencies-import: on real images ----------------------
@pytest.mark.docker
def test_pip_install_builds_names_the_missing_program(workspace):
    fixture = ROOT / "tests" / "lessons" / "lesson5" / "fixtures" / "pip-install-builds.Dockerfile"
    run = run_checks("lesson5", "--json", "--path", str(workspace(fixture.read_text())))  # the fixture's cached build
    assert run.status("pip-install-builds") == "failed"
    assert "pip3.8" in run.check("pip-install-builds")["message"]


@pytest.mark.docker
def test_pip_install_builds_names_missing_c_headers(workspace):
    """gcc without its recommended libc6-dev (the slim images have no C headers): uWSGI's build says stdio.h."""
    lean = BEFORE.replace("install -y gcc", "install -y --no-install-recommends gcc") + PIP
    run = run_checks("lesson5", "--json", "--path", str(workspace(lean)))
    message = run.check("pip-install-builds")["message"]
    assert run.status("pip-install-builds") == "failed" and message.startswith("C headers missing"), message
    assert "stdio.h: No such file or directory" in message and "libc6-dev" in message
    assert run.check("pip-install-builds")["line"] == 5
    assert run.status("gcc-compiles") == "failed"  # lesson 4's check names the same cause first


@pytest.mark.docker
def test_pip_no_cache_catches_not_pip_no_cache_dir_and_other_correct_ways(workspace):
    """PIP_NO_CACHE_DIR instead of the option, requirements.txt copied on its own first, python -m pip."""
    dockerfile = (
        "FROM python:3.13-slim\nWORKDIR /usr/src/app\nRUN apt-get update && apt-get install -y gcc\n"
        "ENV PIP_NO_CACHE_DIR=1\nCOPY requirements.txt .\nRUN python -m pip install -r requirements.txt\n"
        "COPY . .\n"
    )
    run = run_checks("lesson5", "--json", "--path", str(workspace(dockerfile)))
    for check_id in (
        "pip-install-present",
        "pip-install-requirements",
        "requirements-before-pip",
        "gcc-before-pip",
        "pip-install-builds",
        "pip-no-cache",
        "pip-dependencies-import",
    ):
        assert run.status(check_id) == "passed", run.check(check_id)
    assert "flask 3.1.3" in run.check("pip-dependencies-import")["message"]


@pytest.mark.docker
def test_pip_no_cache_catches_the_cache_in_the_image(workspace):
    run = grade_fixture("lesson5", workspace, "pip-no-cache")
    message = run.check("pip-no-cache")["message"]
    assert run.status("pip-no-cache") == "failed" and "/root/.cache/pip with" in message and " MB)" in message
    assert run.status("pip-dependencies-import") == "passed"


@pytest.mark.docker
def test_pip_dependencies_import_catches_a_virtual_environment_off_path(workspace):
    run = grade_fixture("lesson5", workspace, "pip-dependencies-import")
    assert run.status("pip-dependencies-import") == "failed"
    assert "Flask==3.1.3" in run.check("pip-dependencies-import")["message"]
    assert "PATH" in run.check("pip-dependencies-import")["message"]
    assert run.status("pip-install-requirements") == "passed"


@pytest.mark.docker
def test_pip_install_builds_names_the_windows_launcher(workspace):
    run = grade_fixture("lesson5", workspace, "pip-install-builds--windows-launcher")
    assert run.status("pip-install-present") == "passed"  # `py -m pip install` is a pip install, in the wrong program
    message = run.check("pip-install-builds")["message"]
    assert run.status("pip-install-builds") == "failed"
    assert "`py: not found`" in message and "Windows launcher" in message and "`python`" in message
