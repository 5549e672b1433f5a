"""Faults of the learner's machine, produced for real: each gets an `Error:` line and exit 2, no traceback.

Docker not running, the socket not accessible, the docker command missing, and Ctrl-C (or SIGTERM)
in the middle of a build, which must leave nothing of ours behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from support import APP, checks_process, ignoring_ctrl_c

pytestmark = pytest.mark.docker


def first_image_lesson():
    from checks.catalogue import load

    catalogue = load()
    for lesson in catalogue.lessons:
        if lesson.evidence != "dockerfile" and lesson.solution_path.name == "Dockerfile":
            return lesson
    pytest.fail("no lesson builds an image yet")


def image_workspace(tmp_path, extra_step: str = "") -> tuple[Path, str]:
    lesson = first_image_lesson()
    folder = tmp_path / "together"
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    lines = lesson.solution_path.read_text().splitlines()
    if extra_step:
        lines.insert(1, extra_step)
    (folder / "Dockerfile").write_text("\n".join(lines) + "\n")
    return folder, lesson.id


def test_docker_not_running(tmp_path):
    folder, lesson = image_workspace(tmp_path)
    process = checks_process(lesson, "--path", str(folder), env={"DOCKER_HOST": f"unix://{tmp_path}/no.sock"})
    assert process.returncode == 2
    assert process.stderr.startswith("Error: Docker is not running")
    assert "checks doctor" in process.stderr and "Traceback" not in process.stderr


def test_docker_engine_unreachable_over_tcp(tmp_path):
    folder, lesson = image_workspace(tmp_path)
    process = checks_process(lesson, "--json", "--path", str(folder), env={"DOCKER_HOST": "tcp://127.0.0.1:9"})
    assert process.returncode == 2 and process.stdout == ""
    assert process.stderr.startswith("Error: ") and "tcp://127.0.0.1:9" in process.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to become another user")
def test_permission_denied_on_the_socket():
    """A user outside the docker group, for real: `nobody`, allowed only to read the venv under /root."""
    folder = Path(tempfile.mkdtemp(prefix="checks-perm-"))
    try:
        shutil.copytree(APP, folder / "together", ignore=shutil.ignore_patterns("__pycache__"))
        lesson = first_image_lesson()
        (folder / "together" / "Dockerfile").write_text(lesson.solution_path.read_text())
        os.chmod(folder, 0o777)
        for path in (folder / "together").rglob("*"):
            os.chmod(path, 0o777 if path.is_dir() else 0o666)
        checks = str(Path(sys.executable).parent / "checks")
        become_nobody = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=+dac_read_search",
            "--ambient-caps=+dac_read_search",
            "--",
        ]
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
        env["HOME"] = str(folder)
        process = subprocess.run(
            [*become_nobody, checks, lesson.id, "--path", str(folder / "together")],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert process.returncode == 2, process.stdout + process.stderr
        assert process.stderr.startswith("Error: permission denied on the Docker socket")
        assert "docker group" in process.stderr and "Traceback" not in process.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_docker_command_not_installed(tmp_path):
    folder, lesson = image_workspace(tmp_path)
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python3").symlink_to(sys.executable)
    env = {"PATH": str(bare)}
    process = checks_process(lesson, "--path", str(folder), env=env)
    assert process.returncode == 2
    assert "the `docker` command was not found" in process.stderr and "Traceback" not in process.stderr


def build_processes(parent: int) -> list[int]:
    """Pids of the `docker build` (and buildx plugin) processes started by process `parent`."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [parent]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if " build " in commands.get(child, ""):
                found.append(child)
    return found


@pytest.mark.parametrize(
    "ignored, heard",
    [
        ((), "SIGINT=heard SIGTERM=heard SIGHUP=heard"),
        ((signal.SIGINT,), "SIGINT=heard SIGTERM=heard SIGHUP=heard"),  # a script's `&`
        ((signal.SIGHUP,), "SIGINT=heard SIGTERM=heard SIGHUP=ignored"),  # nohup
    ],
    ids=["a-terminal", "a-scripts-&", "nohup"],
)
def test_checks_hears_ctrl_c_however_it_was_started_and_keeps_nohup(ignored, heard):
    code = (
        "import signal; from checks.cli import hear_signals; hear_signals(); print(' '.join("
        "f'{n}=' + ('ignored' if signal.getsignal(getattr(signal, n)) is signal.SIG_IGN else 'heard') "
        "for n in ('SIGINT', 'SIGTERM', 'SIGHUP')))"
    )
    said = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: [signal.signal(signum, signal.SIG_IGN) for signum in ignored],
    )
    assert said.stdout.strip() == heard


@pytest.mark.parametrize(
    "signum, started",
    [(signal.SIGINT, None), (signal.SIGTERM, None), (signal.SIGINT, ignoring_ctrl_c)],
    ids=["ctrl-c", "sigterm", "ctrl-c-started-by-a-script-with-&"],
)
def test_interrupt_in_the_middle_of_a_build_cleans_up(tmp_path, signum, started):
    import docker

    from checks.engine import RUN_LABEL

    folder, lesson = image_workspace(tmp_path, extra_step="RUN sleep 300")
    checks = str(Path(sys.executable).parent / "checks")
    process = subprocess.Popen(
        [checks, lesson, "--path", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=started,
    )
    try:
        deadline = time.monotonic() + 120
        while not build_processes(process.pid) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        builds = build_processes(process.pid)
        assert builds, "the build never started"
        time.sleep(3)  # well inside `RUN sleep 300`
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err
    time.sleep(1)
    assert not [pid for pid in builds if Path(f"/proc/{pid}").exists()], "the docker build was left running"
    client = docker.from_env()
    from support import SESSION_PREFIX

    assert not [
        c
        for c in client.containers.list(all=True, filters={"label": RUN_LABEL})
        if c.labels.get(RUN_LABEL, "").startswith(SESSION_PREFIX)
    ]
    assert not [
        i
        for i in client.images.list(filters={"label": RUN_LABEL})
        if i.labels.get(RUN_LABEL, "").startswith(SESSION_PREFIX)
    ]
    assert (folder / "Dockerfile").read_text().startswith("FROM")  # the learner's files are untouched
