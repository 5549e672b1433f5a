"""Lesson 7 (CMD): catches / catches-not cases for each check.

Text cases call the check on a parsed Dockerfile (no engine). Image and container cases run on a
real engine; a learner's CRLF script and a script without the executable bit are made for real in
the workspace, and Ctrl-C during the container check is a real SIGINT to a real `checks` process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from checks import ports, probe, start
from checks.catalogue import load
from checks.checkers import lesson7
from support import ROOT, catches, catches_not, grade_fixture, run_checks

BEFORE = (
    "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\nRUN apt-get update && apt-get install -y gcc\n"
    "RUN pip install --no-cache-dir -r requirements.txt\nEXPOSE 4000\n"
)
SOLUTION = BEFORE + 'CMD ["./bin/run_dev.sh"]\n'
FIXTURES = ROOT / "tests" / "lessons" / "lesson7" / "fixtures"


# -- cmd-present ---------------------------------------------------------------------------------
def test_cmd_present_catches_a_missing_cmd():
    catches("cmd-present", BEFORE, says="python3")


@pytest.mark.parametrize(
    "line", ['CMD ["./bin/run_dev.sh"]', 'ENTRYPOINT ["./bin/run_dev.sh"]', "CMD ./bin/run_dev.sh"]
)
def test_cmd_present_catches_not(line):
    catches_not("cmd-present", BEFORE + line + "\n")


# -- server-not-in-run (real builds: the server is seen listening in the build's own output) ------
@pytest.fixture
def judged(context, monkeypatch):
    """Run server-not-in-run on a real build of this Dockerfile; what the build made is removed afterwards."""
    monkeypatch.setenv("CHECKS_STEP_SILENCE", "20")
    made = []

    def judge(dockerfile: str):
        made.append(context(dockerfile))
        return lesson7.server_not_in_run(made[-1])

    yield judge
    for ctx in made:
        ctx.cleanup()


@pytest.mark.docker
@pytest.mark.parametrize(
    "line, shown",
    [
        ("RUN ./bin/run_dev.sh", "bound to TCP address 0.0.0.0:4000"),
        ('RUN ["/usr/src/app/bin/run_dev.sh"]', "bound to TCP address"),  # exec form, absolute path
        ("RUN uwsgi --http-socket :4000 --module together.app:app", "bound to TCP address :4000"),
        ("RUN /usr/local/bin/python -m flask --app together.app run", "Running on http://127.0.0.1:5000"),
        ('RUN ["python3", "-u", "-m", "http.server", "8000"]', "Serving HTTP on"),  # any server (-u: unbuffered)
    ],
)
def test_server_not_in_run_stops_and_names_a_server(judged, line, shown):
    started = time.monotonic()
    result = judged(BEFORE + line + "\n")
    assert time.monotonic() - started < 60
    assert result.status == "failed" and result.line == 7, result
    assert shown in result.message and 'CMD ["./bin/run_dev.sh"]' in result.message


@pytest.mark.docker
@pytest.mark.parametrize(
    "line",
    [
        "RUN chmod +x bin/run_dev.sh",
        "RUN uwsgi --version",
        "RUN sh -n bin/run_dev.sh",
        "RUN python -c 'print(\"Listening on nothing\")' > /dev/null",
    ],
)
def test_server_not_in_run_catches_not(judged, line):
    assert judged(BEFORE + line + "\n" + 'CMD ["./bin/run_dev.sh"]\n').status == "passed"


@pytest.mark.docker
def test_ctrl_c_during_a_build_step_that_never_ends(workspace):
    """A real SIGINT while a RUN waits forever: exit 130 within seconds, nothing of ours left, no step left running."""
    folder = workspace(BEFORE.split("RUN")[0] + "RUN sleep 987654\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "checks", "lesson4", "--path", str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _running("sleep 987654"):
            time.sleep(0.2)
        assert _running("sleep 987654"), "the step never started"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Interrupted" in err.decode()
    deadline = time.monotonic() + 10
    while _running("sleep 987654") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running("sleep 987654"), "the build step is still running after Ctrl-C"


def _running(command: str) -> bool:
    """Is a process with this command line running on this machine (where the local engine runs build steps)?"""
    found = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
    return any(line.strip() == command for line in found)


# -- cmd-exec-form -------------------------------------------------------------------------------
def test_cmd_exec_form_catches_the_shell_form():
    catches("cmd-exec-form", BEFORE + "CMD ./bin/run_dev.sh\n", says='CMD ["./bin/run_dev.sh"]')


def test_cmd_exec_form_catches_single_quotes():
    catches("cmd-exec-form", BEFORE + "CMD ['./bin/run_dev.sh']\n", says=["not valid JSON", '["./bin/run_dev.sh"]'])


def test_cmd_exec_form_catches_a_shell_form_entrypoint():
    catches("cmd-exec-form", BEFORE + "ENTRYPOINT ./bin/run_dev.sh\n")


@pytest.mark.parametrize(
    "line",
    [
        'CMD ["./bin/run_dev.sh"]',
        'CMD ["sh", "bin/run_dev.sh"]',
        'ENTRYPOINT ["./bin/run_dev.sh"]',
        'ENTRYPOINT ["sh"]\nCMD ["bin/run_dev.sh"]',
    ],
)
def test_cmd_exec_form_catches_not(line):
    catches_not("cmd-exec-form", BEFORE + line + "\n")


# -- cmd-single ----------------------------------------------------------------------------------
def test_cmd_single_warns_on_two_cmds():
    catches(
        "cmd-single", BEFORE + 'CMD ["python3"]\nCMD ["./bin/run_dev.sh"]\n', says="line 8", status="warning", line=7
    )


def test_cmd_single_catches_not_one_cmd_per_stage():
    catches_not("cmd-single", 'FROM python:3.13-slim AS test\nCMD ["pytest"]\n' + SOLUTION)


# -- the start command, from the image's config ----------------------------------------------------
@pytest.mark.parametrize(
    "argv, program, script",
    [
        (["./bin/run_dev.sh"], "./bin/run_dev.sh", "./bin/run_dev.sh"),
        (["sh", "bin/run_dev.sh"], "sh", "bin/run_dev.sh"),
        (["/bin/sh", "-c", "./bin/run_dev.sh"], "./bin/run_dev.sh", "./bin/run_dev.sh"),
        (["/bin/sh", "-c", "exec ./bin/run_dev.sh"], "./bin/run_dev.sh", "./bin/run_dev.sh"),
        (["/bin/sh", "-c", "['./bin/run_dev.sh']"], "[./bin/run_dev.sh]", "[./bin/run_dev.sh]"),
        (["uwsgi", "--http-socket", ":4000"], "uwsgi", "uwsgi"),
    ],
)
def test_program_and_script(argv, program, script):
    command = start.StartCommand(argv, "/usr/src/app", start.DEFAULT_PATH)
    assert command.program_and_script() == (program, script)


def test_likely_cause_names_crlf_and_permissions():
    assert "CRLF" in lesson7.likely_cause("/bin/sh^M: bad interpreter: No such file or directory")
    assert "CRLF" in lesson7.likely_cause("exec ./bin/run_dev.sh: no such file or directory", crlf=True)
    assert "does not exist" in lesson7.likely_cause("exec ./bin/run_dev.sh: no such file or directory")
    assert "foreground" in lesson7.likely_cause("", exit_code=0)
    assert "chmod +x" in lesson7.likely_cause('exec: "./bin/run_dev.sh": permission denied')


def test_listening_addresses_are_decoded():
    assert ports.socket_address("0100007F") == "127.0.0.1"
    assert ports.socket_address("00000000") == "0.0.0.0"
    assert probe.reachable("0.0.0.0:4000", 4000) and not probe.reachable("127.0.0.1:4000", 4000)


# -- on a real engine ------------------------------------------------------------------------------
def lay_out(folder, script: bytes | None = None, mode: int | None = None):
    target = folder / "bin" / "run_dev.sh"
    if script is not None:
        target.write_bytes(script)
    if mode is not None:
        target.chmod(mode)
    return folder


@pytest.mark.docker
def test_script_line_endings_catches_crlf_and_container_starts_names_it(workspace):
    """A run_dev.sh converted to CRLF in the workspace, as a Windows editor saves it (as the fixture, to share its build)."""
    folder = workspace((FIXTURES / "script-line-endings" / "Dockerfile").read_text())
    original = (folder / "bin" / "run_dev.sh").read_bytes()
    lay_out(folder, original.replace(b"\n", b"\r\n"))
    assert (folder / "bin" / "run_dev.sh").read_bytes() == (
        FIXTURES / "script-line-endings/bin/run_dev.sh"
    ).read_bytes()
    run = run_checks("lesson7", "--json", "--path", str(folder))
    assert run.status("script-line-endings") == "failed"
    assert "CRLF" in run.check("script-line-endings")["message"]
    assert run.status("container-starts") == "failed"
    assert "CRLF" in run.check("container-starts")["message"], run.check("container-starts")
    assert run.status("app-answers") == "skipped"


@pytest.mark.docker
def test_container_starts_and_app_answers_catch_not_entrypoint_and_sh(workspace):
    """ENTRYPOINT with CMD as its argument, the script run by sh, a relative path without ./"""
    folder = workspace(BEFORE + 'ENTRYPOINT ["sh"]\nCMD ["bin/run_dev.sh"]\n')
    run = run_checks("lesson7", "--json", "--path", str(folder))
    for info in load().get("lesson7").checks:
        assert run.status(info.id) == "passed", run.check(info.id)
    assert run.code == 0


@pytest.mark.docker
def test_ctrl_c_during_the_container_check_removes_the_container(workspace):
    """A real SIGINT while checks waits for the app: it exits 130 and leaves no container behind."""
    import docker

    from checks.engine import RUN_LABEL

    folder = workspace((FIXTURES / "app-answers.Dockerfile").read_text())  # the fixture's build, from the cache
    client = docker.from_env(timeout=30)
    process = subprocess.Popen(
        [sys.executable, "-m", "checks", "lesson7", "--path", str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**__import__("os").environ, "CHECKS_START_TIMEOUT": "120"},
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            running = [
                c for c in client.api.containers(filters={"label": RUN_LABEL}) if c["Command"].startswith("flask --app")
            ]
            if running:
                break
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()
        time.sleep(1)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Interrupted" in err.decode()
    # summaries, not containers.list(), which fails when another session removes its container meanwhile
    left = [
        c
        for c in client.api.containers(all=True, filters={"label": RUN_LABEL})
        if c["Command"].startswith("flask --app")
    ]
    assert not left


@pytest.mark.docker
def test_cmd_program_exists_catches_a_name_without_a_path(workspace):
    run = grade_fixture("lesson7", workspace, "cmd-program-exists")
    message = run.check("cmd-program-exists")["message"]
    assert (
        run.status("cmd-program-exists") == "failed"
        and "looked up in PATH" in message
        and "./bin/run_dev.sh" in message
    )
    assert run.status("container-starts") == "failed"


@pytest.mark.docker
def test_cmd_program_executable_catches_a_file_without_the_x_bit(workspace):
    run = grade_fixture("lesson7", workspace, "cmd-program-executable")
    assert run.status("cmd-program-exists") == "passed"
    assert run.status("cmd-program-executable") == "failed" and "644" in run.check("cmd-program-executable")["message"]
    assert "permission denied" in run.check("container-starts")["message"]


@pytest.mark.docker
def test_container_starts_reports_the_exit_code_and_the_log(workspace):
    run = grade_fixture("lesson7", workspace, "container-starts")
    message = run.check("container-starts")["message"]
    assert run.status("container-starts") == "failed"
    assert "exited with code 1" in message and "ModuleNotFoundError" in message and "./bin/run_dev.sh" in message
    assert run.status("app-answers") == "skipped"


@pytest.mark.docker
def test_app_answers_catches_a_server_on_the_containers_loopback(workspace):
    run = grade_fixture("lesson7", workspace, "app-answers")
    message = run.check("app-answers")["message"]
    assert run.status("container-starts") == "passed"
    assert run.status("app-answers") == "failed" and "127.0.0.1:5000" in message and "0.0.0.0" in message


@pytest.mark.docker
def test_app_answers_catches_an_exposed_port_nothing_listens_on(workspace):
    """ENV PORT moves the app to 5000 while EXPOSE still says 4000: asked on 4000, the app does not answer."""
    dockerfile = BEFORE.replace("EXPOSE 4000\n", "ENV PORT=5000\nEXPOSE 4000\n") + 'CMD ["./bin/run_dev.sh"]\n'
    run = run_checks("lesson7", "--json", "--path", str(workspace(dockerfile)))
    assert run.status("expose-port") == "failed"  # lesson 6 reads it from the Dockerfile and the image's config
    message = run.check("app-answers")["message"]
    assert run.status("container-starts") == "passed"
    assert run.status("app-answers") == "failed" and "port 4000" in message and "0.0.0.0:5000" in message
    assert "another port than the 4000 that EXPOSE declares" in message


def test_script_line_endings_fixture_differs_from_the_app_only_in_line_endings():
    """The CRLF fixture is a byte copy (git must keep the CR bytes); it must not drift from the app it imitates."""
    fixture = FIXTURES / "script-line-endings"
    app_script = (ROOT / "lessons" / "together" / "bin" / "run_dev.sh").read_bytes()
    assert (fixture / "bin" / "run_dev.sh").read_bytes() == app_script.replace(b"\n", b"\r\n")
    assert (fixture / "Dockerfile").read_bytes() == (
        ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile"
    ).read_bytes()


# -- app-production-server ------------------------------------------------------------------------
@pytest.mark.docker
def test_app_production_server_warns_on_flasks_development_server(workspace):
    run = grade_fixture("lesson7", workspace, "app-production-server")
    assert run.status("app-answers") == "passed"  # it does answer: only its log tells
    result = run.check("app-production-server")
    assert result["status"] == "warning" and result["line"] == 9  # the CMD line of the fixture
    assert "This is a development server" in result["message"] and "./bin/run_dev.sh" in result["message"]
    assert run.code == 0  # a warning, not a failure


@pytest.mark.docker
def test_app_production_server_catches_not_uwsgi(workspace):
    run = run_checks("lesson7", "--json", "--path", str(workspace(SOLUTION)))
    assert run.status("app-production-server") == "passed", run.check("app-production-server")


@pytest.mark.docker
@pytest.mark.parametrize("env", ["ENV HOST=127.0.0.1", "ENV HOST localhost"])
def test_app_answers_names_the_env_line_that_sets_a_loopback_host(workspace, env):
    """The cause is the ENV line: the message and the hint point there, not at the CMD the learner got right."""
    run = run_checks("lesson7", "--json", "--path", str(workspace(BEFORE + env + "\n" + 'CMD ["./bin/run_dev.sh"]\n')))
    result = run.check("app-answers")
    assert result["status"] == "failed" and result["line"] == 7, result
    assert "listens only on 127.0.0.1" in result["message"] and env.removeprefix("ENV ") in result["message"]
    assert env.removeprefix("ENV ") in result["hint"] and "CMD" not in result["hint"]


def test_base_image_tag_hint_follows_from_latest(workspace):
    run = run_checks("lesson1", "--json", "--path", str(workspace("FROM python:latest\n")))
    hint = run.check("base-image-tag")["hint"]
    assert "Replace `latest`" in hint and "Add a tag after a colon" not in hint
    run = run_checks("lesson1", "--json", "--path", str(workspace("FROM python\n", name="other")))
    assert "Add a tag after a colon" in run.check("base-image-tag")["hint"]


@pytest.mark.docker
def test_cmd_program_exists_names_one_element_holding_the_program_and_its_argument(workspace):
    run = grade_fixture("lesson7", workspace, "cmd-program-exists--one-element")
    message = run.check("cmd-program-exists")["message"]
    assert run.status("cmd-program-exists") == "failed"
    assert 'CMD ["/bin/bash ./bin/run_dev.sh"]' in message and "one JSON element per argument" in message
    assert '["/bin/bash", "./bin/run_dev.sh"]' in message
