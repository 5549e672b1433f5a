"""Lesson 10: a sidecar shares the app container's PID and network namespaces, and the learner
answers the checker's question from inside it. The interactive parts (the sidecar's shell, the
question) are driven with pexpect, as a learner types them."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pexpect
import pytest

from checks.learner import seconds_since
from learner_engine import (
    APP_NAME,
    IMAGE,
    SIDECAR_IMAGE,
    Containers,
    assert_sample,
    assert_terminal_sample,
    commands_of,
    docker,
    forget_progress,
    free_port,
    learner_env,
    loosely,
    sh,
    snippets,
    state,
    transcript,
    try_sections,
    unique,
    wait_for_workers,
    wait_until,
)
from support import run_checks

pytestmark = pytest.mark.docker
PROMPT = r"/ # "


def lesson10(workspace, *options: str):
    run = run_checks("lesson10", "--json", "--path", str(workspace), *options)
    forget_progress(workspace)
    assert run.code in (0, 1), run.err
    return run


@pytest.fixture
def app(learner_image, containers):
    """The learner's app container (not named `together`, so the test does not need port 4000)."""
    name = containers.run(f"-p 127.0.0.1:{free_port()}:4000 {IMAGE}")
    wait_for_workers(name)
    return name


class Sidecar:
    """An interactive sidecar shell, typed into as a learner would."""

    def __init__(self, command: str):
        self.shell = pexpect.spawn(
            "/bin/sh", ["-c", command], env=learner_env(), encoding="utf-8", timeout=30, dimensions=(40, 200)
        )
        self.shell.expect(PROMPT)

    def type(self, line: str) -> str:
        """Type a command at the prompt; what it printed."""
        self.shell.sendline(line)
        self.shell.expect_exact(line + "\r\n")  # the terminal's echo of the command
        self.shell.expect(PROMPT)
        return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", self.shell.before).replace("\r\n", "\n")

    def close(self):
        if self.shell.isalive():
            self.shell.sendline("exit")
            self.shell.expect(pexpect.EOF, timeout=15)


@pytest.fixture
def sidecars(containers):
    """Open sidecar shells (`docker run --rm -it … sh`); each is left and removed after the test."""
    opened: list[Sidecar] = []

    def open_(command: str, name: str) -> Sidecar:
        named = command.replace("docker run ", f"docker run --name {name} ", 1)
        containers.track(name)
        opened.append(Sidecar(named))
        return opened[-1]

    yield open_
    for sidecar in opened:
        sidecar.close()


def sidecar_command(app_name: str) -> str:
    """Lesson 10's sidecar command, attached to `app_name` instead of the page's `together`."""
    return snippets("lesson10")["sidecar"].replace("container:together", f"container:{app_name}")


def loosely_numbered(text: str) -> str:
    """The sidecar's session compared without its numbers (PIDs, CPU times, sizes, dates)."""
    return re.sub(r"\d+", "N", loosely(text))


def worker_pids(ps_output: str) -> list[int]:
    """The PIDs of uWSGI's workers in `ps` output: every uwsgi line but the master (PID 1)."""
    pids = [int(line.split()[0]) for line in ps_output.splitlines() if "uwsgi" in line and line.split()[0].isdigit()]
    return [pid for pid in pids if pid != 1]


def answer_question(workspace, answer: str, *options: str) -> tuple[int, str]:
    """Run lesson 10's `checks lesson10` in a terminal, answer its question; (exit code, output)."""
    command = snippets("lesson10")["check"] + "".join(" " + shlex.quote(option) for option in options)
    checker = pexpect.spawn(
        "/bin/sh",
        ["-c", command],
        cwd=str(workspace),
        env=learner_env(),
        encoding="utf-8",
        timeout=300,
        dimensions=(40, 100),
    )
    checker.logfile_read = transcript = io.StringIO()  # everything the learner sees, their answer included
    try:
        checker.expect("What is the PID of one worker")
        checker.expect("PID: ")
        checker.sendline(answer)
        checker.expect(pexpect.EOF)
    finally:
        checker.close(force=True)
        forget_progress(Path(workspace))
    # what stays on the screen: the live status line is redrawn in place (\r, erase) and erased at the end
    seen = transcript.getvalue().replace("\r\n", "\n").split("\n")
    return checker.exitstatus, "\n".join(line.split("\r")[-1].replace("\x1b[K", "") for line in seen)


def test_reference_commands_pass(learner_image, learner_workspace, containers, sidecars):
    lesson9 = snippets("lesson9")
    commands = snippets("lesson10")
    containers.commands(lesson9["run"], [APP_NAME])
    wait_for_workers(APP_NAME)
    no_tools = sh(commands["no-tools"], check=False)
    assert no_tools.returncode != 0 and "executable file not found" in no_tools.stdout + no_tools.stderr
    sidecar = sidecars(commands["sidecar"], unique("sidecar"))
    typed = {line: sidecar.type(line) for line in commands["inside"].splitlines()}
    ps, netstat, files, statz = typed.values()
    # the page's samples: the app container without tools, and the sidecar's session
    assert_terminal_sample("lesson10-no-tools", commands["no-tools"], no_tools.stdout + no_tools.stderr)
    session = "\n".join(f"{PROMPT}{line}\n{printed.rstrip()}" for line, printed in typed.items())
    first = commands["inside"].splitlines()[0]
    from scripts.regen_samples import assert_sample as compare

    compare("lesson10-inside", first, session.split("\n", 1)[1], prompt=PROMPT, loosely=loosely_numbered)
    workers = worker_pids(ps)
    assert len(workers) == 2, ps
    assert re.search(r"0\.0\.0\.0:4000\s.*LISTEN\s+\d+/uwsgi", netstat), netstat  # -p names the owner
    assert "requirements.txt" in files and "bin" in files
    assert '"version"' in statz
    code, output = answer_question(learner_workspace, str(workers[0]))
    assert code == 0, output
    assert "Lesson 10 passed" in output
    assert_sample("lesson10-pass", commands["check"], output, learner_workspace)


def test_sidecar_running_catches_no_sidecar(app, learner_workspace):
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-running")["message"]
    assert run.status("sidecar-running") == "failed", message
    assert "no running container shares" in message and f"--pid=container:{app}" in message
    assert run.status("sidecar-shares-pid") == "skipped"


def test_sidecar_running_catches_a_restarted_app(app, learner_workspace, sidecars):
    # the learner restarts the app while the sidecar's shell is open: the sidecar ends with it
    sidecar = sidecars(sidecar_command(app), unique("sidecar"))
    created = docker("inspect", "--format", "{{.Created}}", app).stdout.strip()
    wait_until(lambda: seconds_since(created) > 5, 10, "a few seconds of the app running")
    docker("restart", "-t", "3", app)
    sidecar.shell.expect(pexpect.EOF, timeout=30)
    wait_for_workers(app)
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-running")["message"]
    assert run.status("sidecar-running") == "failed", message
    assert f"The app container {app} was restarted" in message


def test_sidecar_running_catches_a_sidecar_ended_by_a_restart(app, learner_workspace, containers):
    # a sidecar started without --rm stays behind, exited, when the app restarts
    sidecar = containers.run(f"--pid=container:{app} --net=container:{app} {SIDECAR_IMAGE} sleep 600")
    docker("restart", "-t", "3", app)
    wait_until(lambda: state(sidecar) == "exited", 30, "the sidecar to end")
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-running")["message"]
    assert run.status("sidecar-running") == "failed", message
    assert f"{sidecar} ended (exit code 137) when the app container {app} restarted" in message


def test_sidecar_attached_catches_another_container(app, learner_workspace, containers, sidecars):
    other = containers.run(f"{SIDECAR_IMAGE} sleep 600")
    sidecars(sidecar_command(other), unique("sidecar"))
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-attached")["message"]
    assert run.status("sidecar-attached") == "failed", message
    assert f"it is attached to {other}" in message and f"--pid=container:{app}" in message


def test_sidecar_attached_catches_an_app_restarted_since(app, learner_workspace, containers):
    # only the network is shared, so the sidecar survives the restart, in the app's old network namespace
    sidecar = containers.run(f"--net=container:{app} {SIDECAR_IMAGE} sleep 600")
    docker("restart", "-t", "3", app)
    wait_for_workers(app)
    assert state(sidecar) == "running"
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-attached")["message"]
    assert run.status("sidecar-attached") == "failed", message
    assert f"{app} restarted" in message and "old namespaces" in message
    net = run.check("sidecar-shares-net")
    assert net["status"] == "failed" and "restarted after the sidecar started" in net["message"]


def test_sidecar_shares_pid_catches_only_the_network_shared(app, learner_workspace, sidecars):
    command = sidecar_command(app).replace(f"--pid=container:{app} ", "")
    sidecar = sidecars(command, unique("sidecar"))
    assert not worker_pids(sidecar.type("ps"))  # the learner sees only the sidecar's own shell
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-shares-pid")["message"]
    assert run.status("sidecar-shares-pid") == "failed", message
    assert "only the network namespace is shared" in message and f"--pid=container:{app}" in message
    assert run.status("sidecar-shares-net") == "passed"


def test_sidecar_shares_net_catches_only_the_pids_shared(app, learner_workspace, sidecars):
    command = sidecar_command(app).replace(f"--net=container:{app} ", "")
    sidecar = sidecars(command, unique("sidecar"))
    assert ":4000" not in sidecar.type("netstat -ltn")  # the learner does not see the app's socket
    run = lesson10(learner_workspace, "--container", app, "--answer", "8")
    message = run.check("sidecar-shares-net")["message"]
    assert run.status("sidecar-shares-net") == "failed", message
    assert "only the PID namespace is shared" in message and f"--net=container:{app}" in message


def test_capabilities_section_shows_what_needs_one(containers):
    """The page's claim: for an app of another user, only SYS_PTRACE lets the sidecar read /proc/1/root."""
    name = unique("quiet")
    containers.track(name)
    lines = commands_of(snippets("lesson10")["capabilities"].replace("quiet", name))
    start, plain, admin, ptrace, remove = lines
    assert sh(start).returncode == 0
    denied = sh(plain, check=False)
    assert denied.returncode != 0 and "Permission denied" in denied.stderr, denied
    still_denied = sh(admin, check=False)
    assert still_denied.returncode != 0 and "Permission denied" in still_denied.stderr, still_denied
    allowed = sh(ptrace)
    assert "bin" in allowed.stdout.split() and "etc" in allowed.stdout.split(), allowed
    assert sh(remove).returncode == 0


def test_try_restarting_the_app_with_the_sidecar_open(app, sidecars):
    """The page's thing to try: `docker restart` ends the sidecar that shares the app's PID namespace."""
    sidecar_name = unique("sidecar")
    sidecar = sidecars(sidecar_command(app), sidecar_name)
    section = try_sections("lesson10")["restart"]
    mine = lambda line: line.rstrip().endswith((f" {app}", f" {sidecar_name}"))  # noqa: E731
    text, _ = transcript(section.replace("together", app), only=mine)
    sidecar.shell.expect(pexpect.EOF, timeout=30)
    sidecar.shell.close()
    left = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", sidecar.shell.before or "").replace("\r\n", "\n").strip()
    assert sidecar.shell.exitstatus == 137, (sidecar.shell.exitstatus, left)  # SIGKILL, with the app's PID 1
    assert app in text and sidecar_name not in text, text  # --rm removed the sidecar
    port = docker("port", app, "4000").stdout.split(":")[-1].strip()
    named = {app: "together", f"127.0.0.1:{port}->": "127.0.0.1:4000->"}
    for own, page in named.items():
        text = re.sub(re.escape(own) + r"(?=\s*$)", page, text, flags=re.MULTILINE).replace(own, page)
    assert_terminal_sample("lesson10-try-restart", section, text)
    # the second terminal: the sidecar's prompt, then the shell ends by itself and `docker run` returns
    left = "\n".join(line for line in left.splitlines() if line.strip() not in ("", PROMPT.strip()))
    from scripts.regen_samples import assert_sample as compare

    compare(
        "lesson10-try-restart-sidecar",
        "",
        f"{left}\n$ echo $?\n{sidecar.shell.exitstatus}".lstrip("\n"),
        prompt=PROMPT,
        loosely=loosely,
    )


def test_sidecar_question_refuses_an_answer_a_network_only_sidecar_cannot_see(app, learner_workspace, sidecars):
    """A sidecar in the app's network namespace only sees its own processes: a right PID can only be a guess."""
    command = sidecar_command(app).replace(f"--pid=container:{app} ", "")
    sidecar = sidecars(command, unique("sidecar"))
    assert not worker_pids(sidecar.type("ps"))
    from checks.catalogue import load
    from checks.checkers.lesson10 import processes
    from checks.context import Context

    context = Context(learner_workspace, load())
    try:  # read from the app's own /proc, through the engine driver
        table = processes(context, context.engine.find_container(app))
    finally:
        context.cleanup()
    uwsgi = {pid for pid, (name, _) in table.items() if name.startswith("uwsgi")}
    guess = min(pid for pid in uwsgi if table[pid][1] in uwsgi)  # a real worker's PID: right, but a guess
    run = lesson10(learner_workspace, "--container", app, "--answer", str(guess))
    result = run.check("sidecar-question")
    assert result["status"] != "passed", result
    assert "cannot show the workers" in result["message"] and "sidecar-shares-pid" in result["message"]
    assert run.status("sidecar-shares-pid") == "failed"  # the cause, shown once
    assert run.code == 1


@pytest.fixture(scope="class")
def attached(learner_image):
    """The app container and the page's sidecar attached to it, once for TestWithThePagesSidecarAttached;
    (app name, sidecar)."""
    started = Containers()
    try:
        app = started.run(f"-p 127.0.0.1:{free_port()}:4000 {IMAGE}")
        wait_for_workers(app)
        name = unique("sidecar")
        started.track(name)
        sidecar = Sidecar(sidecar_command(app).replace("docker run ", f"docker run --name {name} ", 1))
        yield app, sidecar
        sidecar.close()
    finally:
        started.remove_all()


@pytest.fixture(scope="class")
def graded(attached, learner_workspace):
    """`checks lesson10 --container APP --answer 0` with the page's sidecar attached, graded once."""
    return lesson10(learner_workspace, "--container", attached[0], "--answer", "0")


class TestWithThePagesSidecarAttached:
    """The cases that only look at an app with the page's sidecar attached: one app and one sidecar for
    all of them, graded once. A class, so that both are gone before any other test runs (lesson 10's
    checks find every running sidecar, and the other cases need none or their own)."""

    def test_sidecar_running(self, graded):
        run = graded
        assert run.status("sidecar-running") == "passed", run.check("sidecar-running")

    def test_sidecar_attached(self, graded):
        run = graded
        assert run.status("sidecar-attached") == "passed", run.check("sidecar-attached")

    def test_sidecar_shares_pid(self, attached, graded):
        app, sidecar = attached
        assert worker_pids(sidecar.type("ps"))
        run = graded
        message = run.check("sidecar-shares-pid")["message"]
        assert run.status("sidecar-shares-pid") == "passed", message
        inode = docker("exec", app, "readlink", "/proc/self/ns/pid").stdout.strip()
        assert inode in message  # the namespace both really are in

    def test_sidecar_shares_net(self, attached, graded):
        app, _ = attached
        run = graded
        message = run.check("sidecar-shares-net")["message"]
        assert run.status("sidecar-shares-net") == "passed", message
        assert docker("exec", app, "readlink", "/proc/self/ns/net").stdout.strip() in message

    def test_sidecar_question(self, attached, learner_workspace):
        app, sidecar = attached
        workers = worker_pids(sidecar.type("ps"))
        code, output = answer_question(learner_workspace, str(workers[-1]), "--container", app)
        assert f"{workers[-1]} is a uWSGI worker" in output, output

    def test_sidecar_question_catches_the_master_pid(self, attached, learner_workspace):
        app, _ = attached
        code, output = answer_question(learner_workspace, "1", "--container", app)
        assert code == 1
        assert "1 is the master" in output, output

    def test_sidecar_question_catches_a_host_pid(self, attached, learner_workspace):
        app, _ = attached
        host_pid = docker("inspect", "--format", "{{.State.Pid}}", app).stdout.strip()  # what `docker top` shows
        run = lesson10(learner_workspace, "--container", app, "--answer", host_pid)
        message = run.check("sidecar-question")["message"]
        assert run.status("sidecar-question") == "failed", message
        assert f"{host_pid} is a PID on the host" in message

    def test_sidecar_question_catches_no_answer(self, attached, learner_workspace):
        app, _ = attached
        run = lesson10(learner_workspace, "--container", app)  # --json: nobody to ask
        assert run.status("sidecar-question") == "failed"
        assert "--answer PID" in run.check("sidecar-question")["message"]
