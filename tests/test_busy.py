"""One grading at a time per workspace, across processes (checks/busy.py): real processes holding the real lock.
A second grading waits for the first, says whose it is, gives up with exit 2 after its limit, and never waits
for a holder that has died (the operating system ends the lock with its process)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from checks import busy
from support import ROOT, run_checks

HOLD = """
import sys, time
from pathlib import Path
from checks import busy
with busy.one_grading(Path(sys.argv[1]), sys.argv[2], sys.argv[3], wait=0):
    print("holding", flush=True)
    time.sleep(float(sys.argv[4]))
"""


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


def hold(folder, seconds: float, front: str = "checks watch", lesson: str = "lesson5") -> subprocess.Popen:
    """Another process grading `folder` for `seconds`: it holds the lock once it printed "holding"."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), lesson, front, str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_grading_is_told_whose_grading_runs(tmp_path, runtime):
    holder = hold(tmp_path, 30)
    try:
        found = busy.holder_of(tmp_path)
        assert found is not None and found.pid == holder.pid and found.front == "checks watch"
        with pytest.raises(busy.Busy) as refused:
            with busy.one_grading(tmp_path, "lesson1", "checks lesson1", wait=0):
                pass
        said = str(refused.value)
        assert said.startswith("another grading of this workspace is running: lesson 5, by `checks watch`")
        assert f"(pid {holder.pid})" in said
    finally:
        holder.kill()
        holder.wait()


def test_a_second_grading_waits_for_the_first_to_end(tmp_path, runtime):
    holder = hold(tmp_path, 1.5)
    seen = []
    started = time.monotonic()
    with busy.one_grading(tmp_path, "lesson1", "checks lesson1", wait=30, on_wait=seen.append):
        waited = time.monotonic() - started
        assert busy.holder_of(tmp_path) is None or busy.holder_of(tmp_path).pid != holder.pid
    holder.wait()
    assert 0.5 < waited < 10 and seen and seen[0].front == "checks watch"


def test_a_holder_that_died_holds_nothing(tmp_path, runtime):
    holder = hold(tmp_path, 60)
    holder.send_signal(signal.SIGKILL)  # no clean-up of its own: the lock ends with the process
    holder.wait()
    assert busy.holder_of(tmp_path) is None
    started = time.monotonic()
    with busy.one_grading(tmp_path, "lesson1", "checks lesson1", wait=30):
        assert time.monotonic() - started < 1


def test_catches_not_another_workspace(tmp_path, runtime):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    holder = hold(tmp_path / "a", 30)
    try:
        with busy.one_grading(tmp_path / "b", "lesson1", "checks lesson1", wait=0):
            assert busy.holder_of(tmp_path / "b").pid != holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_checks_lesson_gives_up_after_its_limit_with_exit_2(workspace, runtime, monkeypatch):
    folder = workspace("FROM python:3.13-slim\n")
    monkeypatch.setattr(busy, "WAIT_LIMIT", 1.0)
    holder = hold(folder, 30, front="checks serve", lesson="lesson7")
    try:
        run = run_checks("lesson1", "--path", str(folder))
    finally:
        holder.kill()
        holder.wait()
    assert run.code == 2, run.out + run.err
    assert "Error: another grading of this workspace is running: lesson 7, by `checks serve`" in run.err
    assert "(waited 1 s)" in run.err and "Traceback" not in run.err


def test_checks_lesson_grades_once_the_other_grading_ended(workspace, runtime):
    folder = workspace("FROM python:3.13-slim\n")
    holder = hold(folder, 1.5)
    run = run_checks("lesson1", "--json", "--path", str(folder))
    holder.wait()
    assert run.code == 0 and json.loads(run.out)["passed"] is True
