"""Lesson 3 (COPY): catches / catches-not cases for each check.

Checks that read only the Dockerfile are called directly (no engine); those that prove something
on the image run `checks lesson3` on a real engine. Their Dockerfiles share the reference's
first lines, so the builds are cached and take about a second each.
"""

from __future__ import annotations

import os

import pytest

from checks.checkers import lesson3
from checks.context import Unavailable
from support import catches, catches_not, grade_fixture, run_checks

HEAD = "FROM python:3.13-slim\nWORKDIR /usr/src/app\n"


@pytest.fixture
def grade(workspace):
    def run(dockerfile: str, prepare=None):
        folder = workspace(dockerfile)
        if prepare:
            prepare(folder)
        return run_checks("lesson3", "--json", "--path", str(folder))

    return run


# -- copy-present (Dockerfile only) -----------------------------------------------------------
def test_copy_present_catches_no_copy():
    catches("copy-present", HEAD, says="found no COPY")


def test_copy_present_names_a_run_cp():
    catches("copy-present", HEAD + "RUN cp -r . /usr/src/app\n", says="RUN", line=3)


@pytest.mark.parametrize("line", ["COPY . .", "ADD . .", "COPY --chown=1000 . .", 'COPY [".", "."]'])
def test_copy_present_catches_not(line):
    catches_not("copy-present", HEAD + line + "\n")


def test_copy_present_ignores_a_copy_from_another_stage():
    catches(
        "copy-present",
        "FROM python:3.13-slim AS b\nFROM python:3.13-slim\nWORKDIR /app\nCOPY --from=b /etc/hostname .\n",
    )


# -- copy-after-workdir (Dockerfile only) ------------------------------------------------------
def test_copy_after_workdir_catches_copy_first():
    catches("copy-after-workdir", "FROM python:3.13-slim\nCOPY . .\nWORKDIR /usr/src/app\n", says="line 3", line=2)


def test_copy_after_workdir_catches_copy_without_any_workdir():
    catches("copy-after-workdir", "FROM python:3.13-slim\nCOPY . ./\n")


@pytest.mark.parametrize(
    "dockerfile",
    [
        HEAD + "COPY . .\n",
        "FROM python:3.13-slim\nCOPY . /usr/src/app\nWORKDIR /usr/src/app\n",  # absolute destination: no WORKDIR needed
        "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\n",
    ],
)
def test_copy_after_workdir_catches_not(dockerfile):
    catches_not("copy-after-workdir", dockerfile)


# -- copy-not-add (Dockerfile only) --------------------------------------------------------------
def test_copy_not_add_warns_on_add_of_local_files():
    catches("copy-not-add", HEAD + "ADD requirements.txt .\n", status="warning", line=3)


@pytest.mark.parametrize("line", ["COPY . .", "ADD https://example.org/x.txt /tmp/", "ADD vendor.tar.gz /opt/"])
def test_copy_not_add_catches_not(line):
    catches_not("copy-not-add", HEAD + line + "\n")


def test_copy_present_is_needed_before_the_image_checks(outcome):
    with pytest.raises(Unavailable):
        outcome(lesson3.copy_into_workdir, HEAD)


# -- on the image ------------------------------------------------------------------------------
@pytest.mark.docker
@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . /usr/src/app\n",
        "FROM python:3.13-slim\nCOPY . /usr/src/app\nWORKDIR /usr/src/app\n",
        "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\n",
        HEAD + "COPY requirements.txt ./\nCOPY bin bin\nCOPY together/ together/\n",
    ],
    ids=["absolute-destination", "copy-then-workdir", "another-workdir", "in-parts"],
)
def test_every_correct_way_passes(grade, dockerfile):
    run = grade(dockerfile)
    assert run.code == 0, [c for c in run.json["checks"] if c["status"] != "passed"]
    assert all(c["status"] == "passed" for c in run.json["checks"])


@pytest.mark.docker
def test_copy_into_workdir_catches_another_folder(grade):
    run = grade(HEAD + "COPY . /app\n")
    assert run.status("copy-into-workdir") == "failed"
    assert "/app" in run.check("copy-into-workdir")["message"]
    assert run.status("copy-whole-app") == "skipped"  # one diagnosis, not two


@pytest.mark.docker
def test_copy_whole_app_catches_a_subfolder(grade):
    run = grade(HEAD + "COPY . ./together-app/\n")
    assert run.status("copy-whole-app") == "failed"
    assert "/usr/src/app/together-app" in run.check("copy-whole-app")["message"]


@pytest.mark.docker
def test_copy_whole_app_names_the_dockerignore(grade):
    run = grade(HEAD + "COPY . .\n", prepare=lambda folder: (folder / ".dockerignore").write_text("bin\n"))
    assert run.status("copy-whole-app") == "failed"
    message = run.check("copy-whole-app")["message"]
    assert "bin/run_dev.sh" in message and ".dockerignore" in message


@pytest.mark.docker
def test_copy_source_exists_names_the_dockerignore(grade):
    run = grade(
        HEAD + "COPY requirements.txt .\nCOPY . .\n",
        prepare=lambda folder: (folder / ".dockerignore").write_text("*.txt\n"),
    )
    assert run.status("copy-source-exists") == "failed"
    assert ".dockerignore" in run.check("copy-source-exists")["message"]
    assert run.check("copy-source-exists")["line"] == 3


@pytest.mark.docker
def test_copy_script_executable_catches_a_script_that_lost_its_execute_bit(grade):
    run = grade(HEAD + "COPY . .\n", prepare=lambda folder: os.chmod(folder / "bin" / "run_dev.sh", 0o644))
    assert run.status("copy-script-executable") == "failed"
    message = run.check("copy-script-executable")["message"]
    assert "chmod +x bin/run_dev.sh" in message and "644" in message
    assert run.check("copy-script-executable")["file"] == "bin/run_dev.sh"


@pytest.mark.docker
def test_copy_into_workdir_reads_the_workdir_from_the_image(grade):
    # the last WORKDIR wins in the image's config: the app copied before it is not where the container starts
    run = grade(HEAD + "COPY . .\nWORKDIR /srv\n")
    assert run.status("copy-into-workdir") == "failed"
    assert "/srv" in run.check("copy-into-workdir")["message"]


# -- base-image-available ------------------------------------------------------------------------
@pytest.mark.docker
def test_base_image_available_passes_when_the_engine_has_the_image(workspace):
    run = run_checks("lesson3", "--json", "--path", str(workspace(HEAD + "COPY . .\n")))
    assert run.status("base-image-available") == "passed"


@pytest.mark.docker
def test_base_image_available_catches_an_image_docker_cannot_get(workspace):
    # no registry has this tag, and none is reachable here: either way the build stops at FROM
    run = run_checks(
        "lesson3",
        "--json",
        "--path",
        str(workspace("FROM python:3.13-slim-no-such-variant\nWORKDIR /usr/src/app\nCOPY . .\n")),
    )
    result = run.check("base-image-available")
    assert result["status"] == "failed" and result["line"] == 1
    assert "python:3.13-slim-no-such-variant" in result["message"] and "the builder said" in result["message"]
    assert run.status("copy-whole-app") == "skipped" and run.json["passed"] is False


@pytest.mark.docker
def test_copy_source_exists_names_the_workspace_folder_when_run_inside_it(workspace):
    """Run from inside the workspace (no --path), the build context is named by its folder, never `/`."""
    from support import checks_process

    folder = workspace("FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY app.py .\n")
    result = checks_process("lesson3", "--json", cwd=folder / "bin")
    message = next(c for c in __import__("json").loads(result.stdout)["checks"] if c["id"] == "copy-source-exists")[
        "message"
    ]
    assert "(the folder you build, together/)" in message, message


@pytest.mark.docker
def test_copy_into_workdir_catches_not_a_workdir_written_with_a_trailing_slash(workspace):
    """`WORKDIR /usr/src/app/` is recorded with its slash; `COPY . .` still writes into it (found by bench/accuracy.py)."""
    run = run_checks(
        "lesson3", "--json", "--path", str(workspace("FROM python:3.13-slim\nWORKDIR /usr/src/app/\nCOPY . .\n"))
    )
    assert run.status("copy-into-workdir") == "passed", run.check("copy-into-workdir")
    assert run.status("copy-whole-app") == "passed"


# -- copy-source-exists: `..` cannot leave the build context (Dockerfile only) -----------------
@pytest.mark.parametrize("line", ["COPY ../ .", "COPY .. .", "COPY ../requirements.txt ./", "COPY ./../together ."])
def test_copy_source_exists_catches_a_parent_folder(line):
    catches("copy-source-exists", HEAD + line + "\n", says="cannot reach the one above it", line=3)


@pytest.mark.docker
def test_copy_whole_app_quotes_the_learner_s_own_wildcard_copy(workspace):
    run = grade_fixture("lesson3", workspace, "copy-whole-app--star")
    message = run.check("copy-whole-app")["message"]
    assert run.status("copy-whole-app") == "failed"
    assert "`COPY * ./`" in message and "COPY together" not in message


@pytest.mark.docker
def test_copy_into_workdir_accepts_requirements_copied_to_another_folder_first(grade):
    run = grade(HEAD + "COPY requirements.txt /tmp/\nCOPY . .\n")
    assert run.status("copy-into-workdir") == "passed", run.check("copy-into-workdir")
