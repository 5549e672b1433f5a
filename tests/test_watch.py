"""`checks watch` in a real terminal (pexpect): it grades at each save, moves on when a lesson passes,
and a save during a build cancels that build."""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import pexpect
import pytest

from checks import progress
from checks.watch import snapshot
from support import ROOT, ignoring_ctrl_c

SOLUTIONS = ROOT / "lessons"


SPAWNED: list[pexpect.spawn] = []


@pytest.fixture(autouse=True)
def _no_watcher_left():
    """A watcher of a test that failed before stop() is ended with it: left running, it would go on grading
    (and building) beside the tests that follow."""
    yield
    while SPAWNED:
        child = SPAWNED.pop()
        if child.isalive():
            child.terminate(force=True)


def spawn(args: list[str], cwd: Path, timeout: int = 60, preexec_fn=None) -> pexpect.spawn:
    executable = shutil.which("checks", path=str(Path(sys.executable).parent))
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(
        executable,
        args,
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=timeout,
        dimensions=(50, 120),
        preexec_fn=preexec_fn,
    )
    SPAWNED.append(child)
    return child


def save(folder: Path, lesson: str, extra: str = "") -> None:
    text = (SOLUTIONS / lesson / "solution" / "Dockerfile").read_text() + extra
    (folder / "Dockerfile").write_text(text, encoding="utf-8")


def stop(child: pexpect.spawn) -> str:
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    return child.before


def test_the_snapshot_sees_edits_and_ignores_the_progress_file(workspace):
    folder = workspace()
    before = snapshot(folder)
    progress.record(folder, "lesson1", False, ["dockerfile-present"])
    assert snapshot(folder) == before
    (folder / "Dockerfile").write_text("FROM python:3.13-slim\n")
    assert snapshot(folder) != before


def test_each_save_grades_again_and_a_pass_moves_on(workspace):
    folder = workspace()
    child = spawn(["watch", "lesson1"], folder)
    child.expect_exact("\x1b[2J")  # the terminal is cleared before each report
    child.expect("Lesson 1 not passed")
    child.expect(r"each save grades lesson 1 again")
    save(folder, "lesson1")
    started = time.monotonic()
    child.expect("Lesson 1 passed")
    assert time.monotonic() - started < 3
    child.expect(r"save a change to grade lesson 2, Set the working directory")
    (folder / "Dockerfile").write_text("FROM python:3.13-slim\nWORKDIR app\n")
    child.expect(r"\(Lesson 1 passed; now lesson 2\.\)")
    child.expect(r"\[workdir-absolute\]")
    child.expect("Lesson 2 not passed")
    save(folder, "lesson2")
    child.expect("Lesson 2 passed")
    output = stop(child)
    assert "Interrupted" in output
    assert progress.read(folder)["lessons"]["lesson2"]["passed"]


def test_without_a_lesson_it_starts_at_the_first_not_passed(workspace):
    folder = workspace()
    save(folder, "lesson1")
    progress.record(folder, "lesson1", True, [])
    child = spawn(["watch"], folder)
    child.expect(r"Lesson 2: Set the working directory")
    stop(child)


def test_a_bad_lesson_is_a_usage_error(workspace):
    child = spawn(["watch", "lesson99"], workspace())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "Error: there is no lesson 'lesson99'" in child.before


@pytest.mark.docker
@pytest.mark.parametrize("started", [None, ignoring_ctrl_c], ids=["from-a-terminal", "by-a-script-with-&"])
def test_a_save_during_a_build_cancels_it_and_grades_the_new_state(workspace, started):
    """Started by a script's `&` too: the watcher stops the grading with a SIGINT, which checks hears anyway."""
    folder = workspace()
    save(folder, "lesson3", f"RUN echo {uuid.uuid4().hex} && sleep 120\n")  # a build that would take minutes
    child = spawn(["watch", "lesson3"], folder, timeout=120, preexec_fn=started)
    child.expect(r"building: step \d+/\d+  RUN echo [0-9a-f]+ && sleep 120")
    started = time.monotonic()
    save(folder, "lesson3")
    child.expect("Lesson 3 passed")
    assert time.monotonic() - started < 60, "the slow build was not cancelled"
    stop(child)
    # the autouse fixture checks that nothing labelled by checks is left on the engine


def test_outside_a_workspace_it_refuses_instead_of_watching_a_whole_folder(tmp_path):
    child = spawn(["watch"], tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "is not inside a workspace of the course" in child.before


@pytest.mark.docker
def test_a_save_while_a_check_waits_for_the_app_cancels_the_wait(workspace):
    """The main thread waits for the app probe (run in the background) to end: a save ends that wait
    at once, instead of after CHECKS_START_TIMEOUT (issue 20: nothing was graded for 80 s)."""
    folder = workspace()
    save(folder, "lesson7")
    text = (folder / "Dockerfile").read_text()
    silent = [line for line in text.splitlines() if not line.startswith("CMD")] + ['CMD ["sleep", "600"]']
    (folder / "Dockerfile").write_text("\n".join(silent) + "\n")  # a container whose app never answers
    executable = shutil.which("checks", path=str(Path(sys.executable).parent))
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "CHECKS_START_TIMEOUT": "600"}
    child = pexpect.spawn(
        executable, ["watch", "lesson7"], cwd=str(folder), env=env, encoding="utf-8", timeout=600, dimensions=(50, 120)
    )
    SPAWNED.append(child)
    child.expect("waiting for /statz")
    started = time.monotonic()
    save(folder, "lesson7")
    child.expect("Lesson 7 passed", timeout=500)
    assert time.monotonic() - started < 300, "the save waited for the app probe's timeout (600 s)"
    stop(child)
