"""How a build's own progress output is judged (buildlog.BuildWatch), line by line, with a clock we move.

The real-engine cases (sleep infinity, tail -f, a server in RUN, a steadily printing step, Ctrl-C)
are in tests/lessons/lesson4 and lesson7; these cover the two output formats and the limits.
"""

from __future__ import annotations

import pytest

from checks.buildlog import (
    BuildWatch,
    describe_failure,
    failed_line,
    line_of_step,
    missing_program,
    missing_program_cause,
    step_output,
    without_prefixes,
)


def feed(watch: BuildWatch, lines: list[tuple[float, str]]) -> None:
    for when, text in lines:
        watch.line(text + "\n", when)


@pytest.fixture(autouse=True)
def limits(monkeypatch):
    monkeypatch.setenv("CHECKS_STEP_SILENCE", "45")
    monkeypatch.delenv("CHECKS_STEP_SILENCE_BUSY", raising=False)


def test_a_silent_buildkit_run_step_is_stopped_after_the_silence_limit():
    watch = BuildWatch()
    feed(watch, [(0, "#5 [2/3] RUN sleep infinity")])
    assert watch.verdict(44) is None
    stopped = watch.verdict(45)
    assert stopped.step == "RUN sleep infinity" and not stopped.server and stopped.output == []


def test_output_resets_the_silence_and_a_finished_step_is_never_stopped():
    watch = BuildWatch()
    feed(
        watch,
        [
            (0, "#6 [3/4] RUN pip install -r requirements.txt"),
            (40, "#6 40.1 Collecting flask"),
            (80, "#6 80.2 Installing collected packages: flask"),
        ],
    )
    assert watch.verdict(120) is None
    feed(watch, [(121, "#6 DONE 121.0s")])
    assert watch.verdict(1000) is None


def test_a_line_announcing_work_allows_the_longer_quiet():
    watch = BuildWatch()
    feed(
        watch,
        [
            (0, "#7 [4/5] RUN pip install -r requirements.txt"),
            (5, "#7 5.0   Building wheel for uWSGI (pyproject.toml): started"),
        ],
    )
    assert watch.verdict(300) is None  # compiling uWSGI prints nothing for minutes on a slow machine
    assert watch.verdict(605) is not None


def test_apt_fetching_on_a_slow_network_is_not_taken_for_a_hang():
    watch = BuildWatch()
    feed(
        watch,
        [
            (0, "#5 [2/3] RUN apt-get update && apt-get install -y gcc"),
            (3, "#5 3.1 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]"),
        ],
    )
    assert watch.verdict(120) is None
    feed(watch, [(130, "#5 130.0 Reading package lists..."), (131, "#5 131.0 Setting up gcc (4:12.2.0-3) ...")])
    assert watch.verdict(175) is None and watch.verdict(176) is not None  # quiet after ordinary output: 45 s


@pytest.mark.parametrize(
    "said",
    [
        " * Running on http://127.0.0.1:5000",
        "uwsgi socket 0 bound to TCP address 0.0.0.0:4000 fd 3",
        "spawned uWSGI worker 1 (pid: 7, cores: 1)",
        "Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...",
        "[INFO] Listening at: http://0.0.0.0:8000 (1)",
        "Server listening on port 3000",
    ],
)
def test_a_server_saying_it_listens_is_stopped_at_once(said):
    watch = BuildWatch()
    feed(watch, [(0, "#8 [5/5] RUN ./start"), (1, f"#8 1.0 {said}")])
    assert watch.verdict(2) is None  # a moment for its next lines
    stopped = watch.verdict(3)
    assert stopped.server and stopped.listening == said.strip()


@pytest.mark.parametrize(
    "said",
    [
        "Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]",
        "Setting up gcc (4:12.2.0-3) ...",
        "Successfully installed Flask-3.1.3",
    ],
)
def test_ordinary_output_is_not_taken_for_a_server(said):
    watch = BuildWatch()
    feed(watch, [(0, "#8 [5/5] RUN ./setup"), (1, f"#8 1.0 {said}")])
    assert watch.verdict(10) is None


def test_the_classic_builder_is_followed_too():
    watch = BuildWatch()
    feed(watch, [(0, "Step 4/5 : RUN tail -f /dev/null"), (0, " ---> Running in 0123456789ab")])
    assert watch.verdict(44) is None
    assert watch.verdict(46).step == "RUN tail -f /dev/null"
    done = BuildWatch()
    feed(done, [(0, "Step 4/5 : RUN true"), (1, " ---> 0123456789ab"), (2, 'Step 5/5 : CMD ["x"]')])
    assert done.verdict(100) is None


def test_podman_s_builder_is_followed_too():  # Buildah 1.28's output, as Podman 4.3 sends it
    watch = BuildWatch()
    feed(watch, [(0, "[2/2] STEP 4/5: RUN tail -f /dev/null")])
    assert watch.verdict(46).step == "RUN tail -f /dev/null"
    done = BuildWatch()
    feed(done, [(0, "STEP 4/5: RUN true"), (1, "--> 0123456789a"), (2, 'STEP 5/5: CMD ["x"]')])
    assert done.verdict(100) is None
    cached = BuildWatch()
    feed(cached, [(0, "STEP 4/5: RUN true"), (0, "--> Using cache 0123456789ab0123"), (1, "--> 0123456789a")])
    assert cached.verdict(100) is None


def test_podman_s_failing_step_is_found():
    text = "FROM python:3.13-slim\nWORKDIR /app\nRUN apt-get install -y gcc\n"
    log = "STEP 1/3: FROM python:3.13-slim\nSTEP 2/3: WORKDIR /app\n--> 3c4d5e6f7a8\nSTEP 3/3: RUN apt-get install -y gcc\n"
    log += 'E: Unable to locate package gcc\nError: building at STEP "RUN apt-get install -y gcc": exit status 100\n'
    assert failed_line(log, text) == 3


def test_the_stopped_step_is_found_in_the_dockerfile_whatever_its_case_and_continuations():
    text = 'FROM python:3.13-slim\nrun apt-get update \\\n    && sleep infinity\nCMD ["x"]\n'
    assert line_of_step("RUN apt-get update && sleep infinity", text) == 2


# A failing RUN as Engine 28's BuildKit prints it: the summary block between `------` lines shortens the
# shell's words (`py: not found`), the step's own lines keep them whole.
ENGINE_28_FAILED_RUN = """#9 [4/4] RUN py -m pip install -r requirements.txt
#9 0.322 /bin/sh: 1: py: not found
#9 ERROR: process "/bin/sh -c py -m pip install -r requirements.txt" did not complete successfully: exit code: 127
------
 > [4/4] RUN py -m pip install -r requirements.txt:
py: not found
------
Dockerfile:4
--------------------
   3 |     COPY . .
   4 | >>> RUN py -m pip install -r requirements.txt
--------------------
ERROR: failed to build: failed to solve: process "/bin/sh -c py -m pip install -r requirements.txt" did not complete successfully: exit code: 127
"""
# The classic builder (and Buildah) print the step's output after its `Step n/m :` line.
CLASSIC_FAILED_RUN = """Step 4/4 : RUN adduser --disabled-password --gecos '' appuser
 ---> Running in 3c4d5e6f7a8b
/bin/sh: 1: adduser: not found
The command '/bin/sh -c adduser --disabled-password --gecos '' appuser' returned a non-zero code: 127
"""
DOCKERFILE = "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\nRUN py -m pip install -r requirements.txt\n"


def test_a_failing_step_s_own_lines_are_read_whole():
    assert step_output(ENGINE_28_FAILED_RUN) == ["/bin/sh: 1: py: not found"]
    assert step_output(CLASSIC_FAILED_RUN) == ["/bin/sh: 1: adduser: not found"]


@pytest.mark.parametrize(
    "log, program",
    [
        (ENGINE_28_FAILED_RUN, "py"),
        (CLASSIC_FAILED_RUN, "adduser"),
        ("Step 2/2 : RUN sudo apt-get update\n/bin/sh: 1: sudo: not found\n", "sudo"),
        ("Step 2/2 : RUN foo\nbash: line 1: foo: command not found\n", "foo"),
        ("Step 2/2 : RUN pip install x\nERROR: No matching distribution found for x\n", None),
    ],
)
def test_the_program_a_step_could_not_find_is_named(log, program):
    assert missing_program(log) == program


def test_the_causes_of_a_missing_program_are_in_the_image_s_terms():
    assert "`python`" in missing_program_cause("py") and "Windows" in missing_program_cause("py")
    assert "`useradd`" in missing_program_cause("adduser")
    assert "`frobnicate` is not in this image" in missing_program_cause("frobnicate")


def test_a_failure_is_described_by_its_line_and_its_own_words():
    said = describe_failure(ENGINE_28_FAILED_RUN, DOCKERFILE, 4)
    assert said == ("the step at line 4, `RUN py -m pip install -r requirements.txt`, fails: /bin/sh: 1: py: not found")


@pytest.mark.parametrize(
    "error",
    [
        'ERROR: failed to build: failed to solve: process "/bin/sh -c read answer" did not complete successfully: exit code: 1',
        'ERROR: failed to solve: process "/bin/sh -c read answer" did not complete successfully: exit code: 1',
        'process "/bin/sh -c read answer" did not complete successfully: exit code: 1',
    ],
)
def test_the_builders_words_lose_the_clis_wrappers_of_every_engine(error):
    said = without_prefixes(error)
    assert said == 'process "/bin/sh -c read answer" did not complete successfully: exit code: 1'
