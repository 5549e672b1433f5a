"""The live status line while `checks` builds: on a terminal only, from BuildKit's own progress."""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from pathlib import Path

import pexpect
import pytest

from checks.status import BuildProgress, status_text
from support import ROOT, run_checks

DOCKERFILE = """FROM python:3.13-slim
WORKDIR /usr/src/app
RUN echo one && \\
    sleep 1
COPY . .
"""

# what BuildKit (Engine 20.10, `--progress=plain`) printed for it, trimmed
BUILDKIT_LOG = """#3 [internal] load metadata for docker.io/library/python:3.13-slim
#3 DONE 0.0s

#4 [1/4] FROM docker.io/library/python:3.13-slim
#4 DONE 0.1s

#6 [2/4] WORKDIR /usr/src/app
#6 CACHED

#7 [3/4] RUN echo one &&     sleep 1
#7 0.239 one
"""


def progress_after(log: str) -> BuildProgress:
    progress = BuildProgress(DOCKERFILE)
    for line in log.splitlines():
        progress.feed(line)
    return progress


def test_the_line_names_the_running_step_its_number_and_its_dockerfile_line():
    progress = progress_after(BUILDKIT_LOG)
    assert progress.describe() == "step 3/4  RUN echo one && sleep 1  (Dockerfile:3)"
    assert status_text(progress, 12.7, 100) == "building: step 3/4  RUN echo one && sleep 1  (Dockerfile:3)  12s"


def test_the_from_step_is_found_by_its_image_and_the_lookup_is_named():
    assert (
        progress_after(BUILDKIT_LOG.split("#4 DONE")[0]).describe()
        == "step 1/4  FROM docker.io/library/python:3.13-slim  (Dockerfile:1)"
    )
    assert (
        progress_after(BUILDKIT_LOG.split("#4 [1/4]")[0]).describe() == "looking up docker.io/library/python:3.13-slim"
    )
    assert progress_after("").describe() == "starting"


def test_the_classic_builder_steps_are_read_too():
    assert progress_after("Step 4/4 : COPY . .\n").describe() == "step 4/4  COPY . .  (Dockerfile:5)"
    assert progress_after("[2/2] STEP 4/4: COPY . .\n").describe() == "step 4/4  COPY . .  (Dockerfile:5)"  # Podman


def test_a_long_line_is_cut_to_the_terminal_width():
    progress = progress_after(BUILDKIT_LOG)
    text = status_text(progress, 3, 40)
    assert len(text) <= 40 and text.endswith("…  3s")


def slow_workspace(workspace) -> Path:
    """Lesson 3's solution and a step that takes a few seconds (never cached: a fresh token)."""
    solution = (ROOT / "lessons" / "lesson3" / "solution" / "Dockerfile").read_text()
    return workspace(solution + f"RUN echo {uuid.uuid4().hex} && sleep 3\n")


def spawn(args: list[str], cwd: Path) -> pexpect.spawn:
    executable = shutil.which("checks", path=str(Path(sys.executable).parent))
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    return pexpect.spawn(executable, args, cwd=str(cwd), env=env, encoding="utf-8", timeout=600, dimensions=(40, 120))


@pytest.mark.docker
def test_a_terminal_sees_the_step_being_built_then_only_the_verdict(workspace):
    folder = slow_workspace(workspace)
    lines = (folder / "Dockerfile").read_text().splitlines()
    sleep_line = next(number for number, text in enumerate(lines, 1) if "sleep 3" in text)
    child = spawn(["lesson3"], folder)
    child.expect(rf"building: step (\d+)/\1  RUN echo [0-9a-f]+ && sleep 3  \(Dockerfile:{sleep_line}\)  \d+s")
    child.expect(r"Lesson 3 (passed|not passed)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus in (0, 1)
    # the line was erased before the report: the report's first line starts on a clean line
    screen = child.before
    assert "building:" not in screen


@pytest.mark.docker
def test_no_status_in_json_nor_when_not_a_terminal(workspace):
    folder = slow_workspace(workspace)
    child = spawn(["lesson3", "--json"], folder)
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    assert "building:" not in output and "\r\x1b[K" not in output
    json.loads(output[output.index("{") :])
    piped = run_checks("lesson3", "--path", str(folder))
    assert "building:" not in piped.out + piped.err and "\x1b[K" not in piped.err


@pytest.mark.docker
def test_a_terminal_sees_the_wait_for_the_container(workspace):
    """Lesson 7 starts a container of the image and waits for /statz: the line says so, with the time."""
    solution = (ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile").read_text()
    cmd = next(line for line in solution.splitlines() if line.startswith("CMD"))
    slow = solution.replace(cmd, 'CMD ["sh", "-c", "sleep 3 && exec bin/run_dev.sh"]')
    folder = workspace(slow)
    child = spawn(["lesson7"], folder)
    child.expect(r"starting a container of the image, waiting for /statz on port 4000  [1-9]s")
    child.expect(r"Lesson 7 (passed|not passed)")
    child.expect(pexpect.EOF)
    child.close()
    assert "waiting for /statz" not in child.before  # erased before the report


def test_a_wait_shows_how_far_it_got(monkeypatch):
    """Lesson 15's waits for the engine's health verdict redraw the line with what the engine says so far."""
    import io
    import time

    from checks import status

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("TERM", "xterm")
    terminal = Terminal()
    assert status.enable(terminal)
    try:
        waiting = status.begin("a second container, probed every second")
        status.update(waiting, "app frozen, probed every second: healthy, 1 failed")
        time.sleep(3 * status.REFRESH)
        waiting.end()
    finally:
        status.enable(None)
    assert "app frozen, probed every second: healthy, 1 failed  0s" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")  # erased when the wait ends
    status.update(status.begin("off: nothing is drawn"), "still nothing")  # the line is off: no error
