"""Lesson 4 (RUN apt-get): catches / catches-not cases for each check.

Checks that read only the Dockerfile are called directly (no engine). The others run
`checks lesson4` on a real engine; their Dockerfiles start like the reference solution, so the
FROM/WORKDIR/COPY layers come from BuildKit's cache and only the apt-get step runs.
"""

from __future__ import annotations

import time

import pytest

from checks.checkers import lesson4
from checks.context import Unavailable
from support import catches, catches_not, run_checks

HEAD = "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\n"
REFERENCE = HEAD + "RUN apt-get update && apt-get install -y gcc\n"
# the lesson's improved version: every correct refinement at once, on several lines
IMPROVED = HEAD + (
    "RUN apt-get update \\\n"
    "    && DEBIAN_FRONTEND=noninteractive apt-get -y install --no-install-recommends gcc libc6-dev \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
)


@pytest.fixture
def grade(workspace):
    def run(dockerfile: str):
        return run_checks("lesson4", "--json", "--path", str(workspace(dockerfile)))

    return run


# -- apt-get-not-apt (Dockerfile only) ---------------------------------------------------------
def test_apt_get_not_apt_warns_on_apt():
    catches("apt-get-not-apt", HEAD + "RUN apt update && apt install -y gcc\n", status="warning", line=4)


@pytest.mark.parametrize("dockerfile", [REFERENCE, IMPROVED, HEAD + "RUN echo apt install\n"])
def test_apt_get_not_apt_catches_not(dockerfile):
    catches_not("apt-get-not-apt", dockerfile)


# -- apt-no-recommends (Dockerfile only) --------------------------------------------------------
def test_apt_no_recommends_warns_on_the_reference():
    catches("apt-no-recommends", REFERENCE, status="warning")


def test_apt_no_recommends_hint_names_the_c_headers():
    from checks.catalogue import load

    info = load().get("lesson4").check("apt-no-recommends")
    assert "gcc libc6-dev" in info.hint  # following the hint must not lose the headers gcc only recommends


def test_apt_no_recommends_catches_not():
    catches_not("apt-no-recommends", IMPROVED)


def test_apt_no_recommends_needs_an_install(outcome):
    with pytest.raises(Unavailable):
        outcome(lesson4.apt_no_recommends, HEAD)


# -- apt-lists-removed (Dockerfile only) --------------------------------------------------------
def test_apt_lists_removed_warns_when_the_lists_stay():
    catches("apt-lists-removed", REFERENCE, status="warning", line=4)


def test_apt_lists_removed_warns_when_removed_in_a_later_run():
    catches(
        "apt-lists-removed", REFERENCE + "RUN rm -rf /var/lib/apt/lists/*\n", says="later RUN", status="warning", line=5
    )


def test_apt_lists_removed_catches_not():
    catches_not("apt-lists-removed", IMPROVED)


# -- apt-update-same-run (Dockerfile only) ------------------------------------------------------
def test_apt_update_same_run_warns_on_separate_runs():
    catches("apt-update-same-run", HEAD + "RUN apt-get update\nRUN apt-get install -y gcc\n", status="warning", line=5)


@pytest.mark.parametrize("dockerfile", [REFERENCE, IMPROVED, HEAD + "RUN apt-get update; apt-get install -y gcc\n"])
def test_apt_update_same_run_catches_not(dockerfile):
    catches_not("apt-update-same-run", dockerfile)


# -- apt-no-sudo / apt-package-manager: what the text shows, without a build ----------------------
@pytest.mark.parametrize("dockerfile", [REFERENCE, HEAD + "RUN echo sudo\n"])
def test_apt_no_sudo_catches_not(dockerfile):
    catches_not("apt-no-sudo", dockerfile)


def test_apt_package_manager_catches_not():
    catches_not("apt-package-manager", IMPROVED)


# -- on the image ------------------------------------------------------------------------------
@pytest.mark.docker
def test_the_improved_version_passes_without_warnings(grade):
    run = grade(IMPROVED)
    assert run.code == 0
    assert [c["id"] for c in run.json["checks"] if c["status"] != "passed"] == []


@pytest.mark.docker
def test_gcc_installed_accepts_build_essential(grade):
    run = grade(
        HEAD + "RUN apt-get update && apt-get install -y --no-install-recommends build-essential "
        "&& rm -rf /var/lib/apt/lists/*\n"
    )
    assert run.status("gcc-installed") == "passed"
    assert run.check("gcc-installed")["message"].startswith("gcc")


@pytest.mark.docker
def test_gcc_installed_catches_the_starter(grade):
    run = grade(HEAD)
    assert run.status("gcc-installed") == "failed"
    assert "no RUN installs one" in run.check("gcc-installed")["message"]
    assert run.status("apt-yes") == "skipped"


@pytest.mark.docker
def test_apt_yes_catches_the_prompt_from_the_build_log(grade):
    run = grade(HEAD + "RUN apt-get update && apt-get install gcc\n")
    assert run.status("apt-yes") == "failed"
    assert run.check("apt-yes")["line"] == 4
    assert "Abort" in run.check("apt-yes")["message"]
    assert run.status("gcc-installed") == "skipped"  # one failure per cause
    assert "apt-yes" in run.check("gcc-installed")["message"]


@pytest.mark.docker
def test_apt_update_catches_a_missing_update_from_the_build_log(grade):
    run = grade(HEAD + "RUN apt-get install -y gcc\n")
    assert run.status("apt-update") == "failed"
    assert "Unable to locate package gcc" in run.check("apt-update")["message"]
    assert run.status("apt-package-name") == "skipped"  # not a wrong name: no lists at all


@pytest.mark.docker
def test_apt_package_name_suggests_the_right_name(grade):
    run = grade(HEAD + "RUN apt-get update && apt-get install -y build-essentials\n")
    assert run.status("apt-package-name") == "failed"
    assert "`build-essential`" in run.check("apt-package-name")["message"]
    assert run.status("apt-update") == "passed"


@pytest.mark.docker
def test_apt_no_sudo_catches_sudo_from_the_build_log(grade):
    run = grade(HEAD + "RUN sudo apt-get update && sudo apt-get install -y gcc\n")
    assert run.status("apt-no-sudo") == "failed"
    assert "`sudo: not found`" in run.check("apt-no-sudo")["message"]
    assert run.check("apt-no-sudo")["line"] == 4


@pytest.mark.docker
@pytest.mark.parametrize("command, owner", [("apk add --no-cache gcc", "Alpine"), ("dnf install -y gcc", "Fedora")])
def test_apt_package_manager_catches_other_distributions(grade, command, owner):
    run = grade(HEAD + f"RUN {command}\n")
    assert run.status("apt-package-manager") == "failed"
    message = run.check("apt-package-manager")["message"]
    assert owner in message and "not found" in message
    assert run.status("gcc-installed") == "skipped"


@pytest.mark.docker
def test_gcc_installed_names_a_failure_no_other_check_explains(grade):
    run = grade(HEAD + "RUN apt-get update --assume-yess && apt-get install -y gcc\n")  # a mistyped option
    assert run.status("gcc-installed") == "failed"
    assert "line 4 failing" in run.check("gcc-installed")["message"]
    assert run.code == 1


# -- gcc-compiles (real engine: gcc compiles C in a container of the image) ----------------------
LEAN = HEAD + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n"


@pytest.mark.docker
def test_gcc_compiles_catches_gcc_without_its_recommended_headers(grade):
    run = grade(LEAN)
    assert run.status("gcc-installed") == "passed"  # the compiler is there: the headers are not
    assert run.status("gcc-compiles") == "failed"
    message = run.check("gcc-compiles")["message"]
    assert message.startswith("C headers missing") and "stdio.h" in message and "libc6-dev" in message
    assert "--no-install-recommends` on line 4" in message and run.check("gcc-compiles")["line"] == 4
    assert run.code == 1


@pytest.mark.docker
@pytest.mark.parametrize("packages", ["gcc libc6-dev", "build-essential"])
def test_gcc_compiles_catches_not_the_headers_named(grade, packages):
    run = grade(
        LEAN.replace("install -y --no-install-recommends gcc", f"install -y --no-install-recommends {packages}")
    )
    assert run.status("gcc-compiles") == "passed"


@pytest.mark.docker
def test_gcc_compiles_catches_not_the_reference(grade):
    assert grade(REFERENCE).status("gcc-compiles") == "passed"  # gcc's recommends bring libc6-dev


# -- run-finishes (real builds; the silence limit is made short so they stay quick) ---------------
@pytest.fixture
def short_silence(monkeypatch):
    monkeypatch.setenv("CHECKS_STEP_SILENCE", "4")


@pytest.mark.docker
@pytest.mark.parametrize(
    "run_line",
    [
        "RUN sleep infinity",
        "RUN tail -f /dev/null",
        'RUN ["python", "-c", "import time; time.sleep(10**6)"]',  # exec form, no shell
        "run echo 'waiting for nothing'; /usr/local/bin/python3 -c 'import time; time.sleep(10**6)'",
    ],
)
def test_run_finishes_stops_and_names_a_step_that_never_ends(grade, short_silence, run_line):
    started = time.monotonic()
    run = grade(REFERENCE + run_line + "\n")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"the endless step was stopped only after {elapsed:.0f} s"
    result = run.check("run-finishes")
    assert result["status"] == "failed" and result["line"] == 5, result
    assert "still running after" in result["message"] and "CMD" in result["message"]
    if "waiting" in run_line:
        assert "> waiting for nothing" in result["message"], "the step's last output is shown"
    else:
        assert "printed nothing" in result["message"]
    assert run.status("gcc-installed") == "passed"  # the steps before it were built and graded
    assert run.code == 1


@pytest.mark.docker
def test_run_finishes_catches_not_a_long_step_that_keeps_printing(grade, short_silence):
    # prints every 2 s for 12 s: three times the silence limit, never silent for long
    run = grade(REFERENCE + "RUN for i in 1 2 3 4 5 6; do echo step $i; sleep 2; done\n")
    assert run.status("run-finishes") == "passed", run.check("run-finishes")
    assert run.code == 0


@pytest.mark.docker
def test_a_prompt_fails_at_once_and_is_named(grade, short_silence):
    """A build's stdin is closed: `read` gets end-of-file and fails the step at once (no hang to stop)."""
    started = time.monotonic()
    run = grade(HEAD + "RUN read answer\n" + REFERENCE.removeprefix(HEAD))
    assert time.monotonic() - started < 60
    assert run.status("run-finishes") == "passed"
    reason = run.check("gcc-installed")["message"]
    assert "the step at line 4, `RUN read answer`, fails: process" in reason and "exit code: 1" in reason, reason
    assert run.status("gcc-installed") == "failed" and run.code == 1  # a goal check that could not run


@pytest.mark.docker
def test_gcc_installed_is_a_goal_a_dockerfile_without_apt_get_does_not_pass(workspace):
    """No apt-get line, and a later step fails: gcc-installed cannot run, so lesson 4 is not passed."""
    from checks import progress

    folder = workspace(HEAD + "RUN python -c 'import sys; sys.exit(3)'\n")
    run = run_checks("lesson4", "--json", "--path", str(folder))
    result = run.check("gcc-installed")
    assert result["goal"] is True
    assert result["status"] == "failed" and "could not run" in result["message"], result
    assert "the step at line 4" in result["message"] and "exit code: 3" in result["message"]
    assert run.code == 1 and run.json["passed"] is False
    assert progress.read(folder)["lessons"]["lesson4"] == {
        **progress.read(folder)["lessons"]["lesson4"],
        "passed": False,
        "failed": ["gcc-installed"],
    }


def test_run_finishes_needs_a_run(outcome):
    with pytest.raises(Unavailable):
        outcome(lesson4.run_finishes, HEAD)


@pytest.mark.docker
@pytest.mark.parametrize(
    "run_line, how",
    [
        ("RUN apt-get update; apt-get install -y gcc-compiler; echo done", "`;` runs the next command"),
        ("RUN apt-get update && apt-get install -y gcc-compiler || true", "`|| true` hides that failure"),
    ],
)
def test_apt_package_name_catches_a_failure_hidden_by_the_shell(workspace, run_line, how):
    """The build goes on after apt-get failed; the image is asked which packages it really has (also when cached)."""
    folder = workspace(HEAD + run_line + "\n")
    for attempt in ("built", "cached"):
        run = run_checks("lesson4", "--json", "--path", str(folder))
        result = run.check("apt-package-name")
        assert result["status"] == "failed" and result["line"] == 4, (attempt, result)
        assert "`gcc-compiler`, which is not installed" in result["message"] and how in result["message"]
        assert "`&&`" in result["message"] and "`gcc`" in result["message"]
        assert run.status("gcc-installed") == "skipped"  # one message for one cause
        assert run.code == 1


@pytest.mark.docker
def test_apt_package_name_catches_not_virtual_and_pinned_packages(grade):
    run = grade(
        HEAD + "RUN apt-get update && apt-get install -y gcc libc-dev make=4.* \\\n    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert run.status("apt-package-name") == "passed", run.check("apt-package-name")
    assert run.status("gcc-installed") == "passed"


@pytest.mark.docker
def test_a_long_build_shows_live_progress_on_a_terminal(workspace):
    """On a terminal, stderr carries a line rewritten in place with the step the build is at; stdout the report."""
    import os
    import subprocess
    import sys
    import uuid

    fresh = uuid.uuid4().hex[:8]  # never in the cache: the step really runs for 3 s
    folder = workspace(REFERENCE + f"RUN for i in 1 2 3; do echo tick $i {fresh}; sleep 1; done\n")
    leader, follower = os.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "checks", "lesson4", "--path", str(folder)],
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=600,
            env={**os.environ, "TERM": "xterm", "COLUMNS": "200"},
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    text = shown.decode("utf-8", "replace")
    assert process.returncode == 0, process.stdout
    assert "building: step" in text and "RUN for i in 1 2 3" in text and "(Dockerfile:5)" in text, text
    assert text.rstrip().endswith("\x1b[K"), "the live line is cleared before the report"
    assert b"\x1b[K" not in process.stdout and b"building:" not in process.stdout


@pytest.mark.docker
def test_apt_package_name_catches_not_a_package_purged_later(grade):
    run = grade(REFERENCE + "RUN apt-get purge -y --auto-remove gcc\n")
    assert run.status("apt-package-name") == "passed", run.check("apt-package-name")
