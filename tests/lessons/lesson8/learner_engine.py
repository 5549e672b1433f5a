"""What the tests of lessons 8–10 share: a learner's workspace after lesson 7, the learner's commands
(the snippet sections of lessons/lessonN/solution/commands.sh, run as written), and containers
that are removed after each test, also when it fails.

The learner's image is built once per session with lesson 8's `build` command; BuildKit's cache
makes every later build of the same Dockerfile (by `checks` too) a cache hit.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "lessons" / "together"
IMAGE = "together:0.0.1"  # lessons/course.toml's image, which lesson 8's commands build
APP_NAME = "together"  # the container name lesson 9's commands give
SIDECAR_IMAGE = "busybox"


def reference_dockerfile() -> Path:
    """The learner's Dockerfile after lesson 7: lesson 7's reference solution."""
    return ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile"


# What changes from one run of lessons 8-10 to the next, beyond what scripts/regen_samples.py makes stable.
VOLATILE = [
    (re.compile(r"\b[0-9a-f]{12}\b"), "<id>"),
    (re.compile(r"\b\d+ (second|minute|hour|day)s? ago\b"), "<time> ago"),
    # the counts of the earlier lessons' checks are their samples' business
    (re.compile(r"^(✓ Lesson \d+ \(.*?\)): .*\bpassed\b.*$", re.MULTILINE), r"\1: passed"),
    (re.compile(r"^(Lesson \d+ passed) \(.*\)\.$", re.MULTILINE), r"\1."),
    (re.compile(r"\bup since [0-9T:-]+"), "up since <time>"),
    (re.compile(r"\b\d+ MB in"), "<n> MB in"),
    (re.compile(r"\b(pid|net):\[\d+\]"), r"\1:[<inode>]"),
    (re.compile(r"\bsidecar-[0-9a-f]{8}\b"), "<sidecar>"),
    (re.compile(r"(PID: )\d+"), r"\1<pid>"),
    (re.compile(r"\d+ is a uWSGI worker \(the workers are [\d, ]+;"), "<pid> is a uWSGI worker (the workers are <pids>;"),
]


def assert_sample(name: str, command: str, output: str, workspace: Path) -> None:
    """The page's sample docs/samples/<name>.txt is what `command` printed (REGEN_SAMPLES=1 rewrites it)."""
    from scripts.regen_samples import assert_sample as compare

    for pattern, replacement in VOLATILE:
        output = pattern.sub(replacement, output)
    compare(name, command, output, workspace=workspace)


def forget_progress(workspace: Path) -> None:
    """Remove the progress file `checks` writes, so that no test sees another test's results."""
    (workspace / ".checks-progress.json").unlink(missing_ok=True)


def snippets(lesson: str) -> dict[str, str]:
    """The named sections of lessons/<lesson>/solution/commands.sh: {name: commands}."""
    text = (ROOT / "lessons" / lesson / "solution" / "commands.sh").read_text(encoding="utf-8")
    found = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]", text, re.MULTILINE | re.DOTALL)
    return {name: body.strip() for name, body in found}


def learner_env() -> dict:
    """A learner's shell: BuildKit (the default builder of current Docker), `checks` on PATH."""
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    return {**os.environ, "DOCKER_BUILDKIT": "1", "PATH": path, "PYTHONPATH": str(ROOT), "NO_COLOR": "1",
            "COLUMNS": "100"}


def sh(commands: str, cwd: Path | None = None, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run shell commands as the learner types them."""
    result = subprocess.run(["sh", "-c", commands], cwd=cwd, env=learner_env(), capture_output=True, text=True,
                            timeout=timeout)
    if cwd is not None:
        forget_progress(Path(cwd))
    if check and result.returncode != 0:
        raise AssertionError(f"`{commands}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return sh(shlex.join(["docker", *args]), check=check, timeout=120)


def make_workspace(folder: Path) -> Path:
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copyfile(reference_dockerfile(), folder / "Dockerfile")
    return folder


def image_id(name: str) -> str | None:
    found = docker("image", "inspect", "--format", "{{.Id}}", name, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique(prefix: str = "dl-test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_until(predicate, timeout: float = 30, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def state(name: str) -> str:
    return docker("inspect", "--format", "{{.State.Status}}", name, check=False).stdout.strip()


def app_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except Exception:
        return False


def wait_for_workers(name: str, timeout: float = 30) -> None:
    """uWSGI has started its two workers (its log says so)."""
    wait_until(lambda: "spawned uWSGI worker 2" in docker("logs", name, check=False).stdout
               + docker("logs", name, check=False).stderr, timeout, f"the app in {name} to start")


@pytest.fixture(scope="session")
def learner_workspace(tmp_path_factory) -> Path:
    """A workspace as the learner has it after lesson 7."""
    return make_workspace(tmp_path_factory.mktemp("learner") / "together")


_BUILT: dict[str, str] = {}


@pytest.fixture(scope="session")
def learner_image(learner_workspace):
    """together:0.0.1, built once per session with lesson 8's `build` command; the tag is put back as it was."""
    if "id" not in _BUILT:
        _BUILT["before"] = image_id(IMAGE) or ""
        sh(snippets("lesson8")["build"], cwd=learner_workspace)
        _BUILT["id"] = image_id(IMAGE)
    yield IMAGE
    if image_id(IMAGE) is None or "done" in _BUILT:
        return
    _BUILT["done"] = "yes"
    if _BUILT.get("before") and _BUILT["before"] != image_id(IMAGE):
        docker("tag", _BUILT["before"], IMAGE, check=False)
        docker("image", "rm", _BUILT["id"], check=False)  # ours, and now nameless
    elif not _BUILT.get("before"):
        docker("image", "rm", IMAGE, check=False)


@pytest.fixture
def containers():
    """Start containers as the learner does; every one is removed after the test, pass or fail."""
    names: list[str] = []

    class Containers:
        def run(self, arguments: str, name: str | None = None, check: bool = True) -> str:
            """`docker run -d --name NAME ARGUMENTS`; returns the name."""
            name = name or unique()
            names.append(name)
            sh(f"docker run -d --name {name} {arguments}", check=check, timeout=120)
            return name

        def commands(self, text: str, names_: list[str]) -> subprocess.CompletedProcess:
            """Run learner commands that create the containers `names_`."""
            for taken in names_:
                assert not docker("container", "inspect", taken, check=False).returncode == 0, (
                    f"a container named {taken} already exists: remove it (docker rm -f {taken}) to run these tests")
            names.extend(names_)
            return sh(text)

        def track(self, name: str) -> None:
            names.append(name)

    yield Containers()
    for name in reversed(names):
        docker("rm", "-f", "-v", name, check=False)


@pytest.fixture
def images():
    """Images a test builds, removed afterwards."""
    ids: list[str] = []
    yield ids
    for image in ids:
        docker("image", "rm", "-f", image, check=False)
