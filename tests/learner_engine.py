"""What the tests of lessons 8–10 share: a learner's workspace after lesson 7, the learner's commands
(the snippet sections of lessons/lessonN/solution/commands.sh, run as written), and the containers
they start. The fixtures built on these (the learner's image, containers removed after a test or a
module, also when it fails) are in tests/lessons/conftest.py.

(`from learner_engine import sh`: tests/conftest.py puts this folder on sys.path, as for support.py.)
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
    (
        re.compile(r"\d+ is a uWSGI worker \(the workers are [\d, ]+;"),
        "<pid> is a uWSGI worker (the workers are <pids>;",
    ),
]


def assert_sample(name: str, command: str, output: str, workspace: Path) -> None:
    """The page's sample docs/samples/<name>.txt is what `command` printed (REGEN_SAMPLES=1 rewrites it)."""
    from scripts.regen_samples import assert_sample as compare

    for pattern, replacement in VOLATILE:
        output = pattern.sub(replacement, output)
    compare(name, command, output, workspace=workspace)


# What the docker commands of the pages print that differs from run to run and machine to machine.
# The samples keep the real values (columns stay aligned, a size means something); only the
# comparison with the committed sample ignores them.
LOOSE = [
    (re.compile(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b|sha256:[0-9a-f]{64}"), "<id>"),
    (re.compile(r"\b\d+ ms\b"), "<n> ms"),  # curl: "Failed to connect … after 0 ms"
    (re.compile(r"\b\d+(\.\d+)?\s?(B|kB|KB|MB|GB)\b"), "<size>"),
    (re.compile(r"^\d+(\.\d+)?[KMG]?(?=\t)", re.MULTILINE), "<size>"),  # du -sh: 21M\t/var/lib/apt/lists
    (re.compile(r"\b(About (a|an) |Less than a |\d+ )(second|minute|hour|day)s?( ago)?"), "<time>"),
    (re.compile(r"\b\d+(\.\d+)?s\b"), "<n>s"),  # BuildKit's durations
    (re.compile(r"\b\d+m\d+\.\d+s\b"), "<n>m<n>s"),  # bash's `time`: real\t0m10.215s
    (re.compile(r"\b[0-9a-f]{8}\b"), "<unique>"),  # the tests' own names, e.g. together-edit-1a2b3c4d
]
STEP_OUTPUT = re.compile(r"^#(\d+) \d+\.\d+ ")  # a line a RUN step printed: "#8 1.234 Get:1 http://…"
STEP_HEADER = re.compile(r"^#(\d+) (\[(?:internal|[\w-]+ )?\d*/?\d*\] .*|\[internal\] .*|exporting to image)$")
OWN_STEP = re.compile(r"\[\d+/\d+\] (?!FROM )")
STEP_OUTCOME = re.compile(r"^#(\d+) (CACHED|DONE|ERROR)\b")


# run in a container of the app with python: the app's answer on its port, and the PIDs of uWSGI's workers
ASK_APP = (
    "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:4000/statz', timeout=5).read().decode())"
)
WORKERS = (
    "import os\n"
    "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
    "    status = open(f'/proc/{pid}/status').read()\n"
    "    if 'Name:\\tuwsgi' in status and '\\nPPid:\\t1\\n' in status: print(pid)\n"
)


def containerd_store() -> bool:
    """Does the engine keep images in the containerd image store (Engine 29's default, Docker Desktop's)?"""
    return "containerd.snapshotter" in docker("info", "-f", "{{range .DriverStatus}}{{index . 1}} {{end}}").stdout


def loosely(text: str) -> str:
    """`text` with LOOSE applied and runs of spaces made one: what a sample is compared by."""
    for pattern, replacement in LOOSE:
        text = pattern.sub(replacement, text)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())


def loosely_built(text: str) -> str:
    """A transcript of builds, compared by each command's steps and their outcome (CACHED, DONE), not
    by what the steps printed (package versions change) nor by the order BuildKit reports them in."""
    kept: list[str] = []
    headers: dict[str, str] = {}
    outcomes: dict[str, str] = {}

    def flush():
        # only your own steps' outcome tells something; FROM and BuildKit's internal steps vary
        kept.extend(
            sorted(
                f"{headers[n]}: {outcomes.get(n, '?')}" if OWN_STEP.match(headers[n]) else headers[n] for n in headers
            )
        )
        headers.clear()
        outcomes.clear()

    for line in text.splitlines():
        if line.startswith("$ "):
            flush()
            kept.append(line)
        elif header := STEP_HEADER.match(line):
            # the containerd image store names the base image with its digest: FROM python:3.13-slim@sha256:…
            headers.setdefault(header.group(1), re.sub(r"@sha256:(?:[0-9a-f]{64}|<id>)", "", header.group(2)))
        elif outcome := STEP_OUTCOME.match(line):
            outcomes[outcome.group(1)] = outcome.group(2)
    flush()
    return loosely("\n".join(kept))


def shorten_build(output: str, head: int = 3, tail: int = 2) -> str:
    """BuildKit's plain output with what each RUN step printed cut to its first and last lines."""
    out: list[str] = []
    run: list[str] = []
    step = ""

    def flush():
        if len(run) > head + tail + 1:
            out.extend([*run[:head], f"#{step} [… {len(run) - head - tail} more lines …]", *run[-tail:]])
        else:
            out.extend(run)
        run.clear()

    for line in output.replace("\r", "\n").split("\n"):
        printed = STEP_OUTPUT.match(line)
        if printed and printed.group(1) == step and run:
            run.append(line)
        elif printed:
            flush()
            step = printed.group(1)
            run.append(line)
        elif run and line.strip() and not line.startswith("#"):  # a step's line that BuildKit did not prefix
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


def number_steps(output: str, dockerfile: Path) -> str:
    """BuildKit's output with each step numbered as in `dockerfile`.

    BuildKit names a step it takes from the cache after the build that first made it: once the
    requirements-first Dockerfile of the things to try was built, a build of lesson 7's shows its
    cached FROM and WORKDIR as [1/6] and [2/6], or [build 1/5] after a multi-stage build whose first
    stage is named `build`. The sample numbers them as this Dockerfile does."""
    instructions = [
        " ".join(line.split())
        for line in dockerfile.read_text(encoding="utf-8").splitlines()
        if re.match(r"(FROM|WORKDIR|COPY|ADD|RUN)\s", line)
    ]
    number = {text: index for index, text in enumerate(instructions, 1)}

    def renumber(match: re.Match) -> str:
        step = match.group(3)
        index = 1 if step.startswith("FROM ") else number.get(step)
        return f"[{index}/{len(instructions)}] {step}" if index else match.group(0)

    # "[build 1/5]": the stage name of another Dockerfile whose build made the cached step
    return re.sub(r"\[(?:[\w.-]+ )?(\d+)/(\d+)\] (.*)$", renumber, output, flags=re.MULTILINE)


def commands_of(section: str) -> list[str]:
    """The commands of a commands.sh section, one a line (a trailing `\\` continues a line); comments left out."""
    commands, current = [], ""
    for line in section.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1]
            continue
        commands.append(" ".join(current.split()))
        current = ""
    return commands


# curl draws a progress meter on stderr when its output is not a terminal; a learner's terminal shows none
CURL_METER = re.compile(r"^ *% Total.*\n.*Dload.*\n(\n)?(^ *\d+ +\d+ .*--:--.*\n?)*", re.MULTILINE)


def transcript(
    section: str,
    cwd: Path | None = None,
    shell: str = "sh",
    rename: dict[str, str] | None = None,
    check: bool = True,
    only: Callable[[str], bool] | None = None,
) -> tuple[str, list[subprocess.CompletedProcess]]:
    """Run each command of `section` as the learner types them, in `shell`; (what the terminal shows
    after the first prompt, the results). `rename` runs a command with other names (a test's own
    image tag instead of the page's) and shows the page's names in the transcript. `only` keeps the
    lines of `docker ps` that are the learner's (a shared engine runs other containers too)."""
    shown, results = [], []
    for index, command in enumerate(commands_of(section)):
        typed = command
        for page_name, own in (rename or {}).items():
            if " " in page_name or ":" in page_name:  # a bare name ("together") is for the output only
                typed = typed.replace(page_name, own)
        result = subprocess.run(
            [shell, "-c", typed], cwd=cwd, env=learner_env(), capture_output=True, text=True, timeout=1800
        )
        if check and result.returncode != 0:
            raise AssertionError(f"`{typed}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        results.append(result)
        printed = result.stdout + result.stderr
        if only is not None and command.startswith("docker ps"):
            lines = printed.splitlines()
            printed = "\n".join(lines[:1] + [line for line in lines[1:] if only(line)])
        printed = CURL_METER.sub("", printed)
        for page_name, own in (rename or {}).items():
            printed = printed.replace(own, page_name)
        shown.append(("" if index == 0 else f"$ {command}\n") + printed.rstrip("\n"))
    if cwd is not None:
        forget_progress(Path(cwd))
    return "\n".join(part for part in shown if part), results


LOGGED = re.compile(r"^(together:|uwsgi socket|spawned uWSGI|WSGI app|\*\*\* Operational)")


def loosely_logged(text: str) -> str:
    """uWSGI's log compared by the lines the page talks about (the rest names this machine's kernel,
    limits and build date), numbers aside."""
    return loosely(
        "\n".join(
            re.sub(r"0x[0-9a-f]+|\d+", "N", line)
            for line in text.splitlines()
            if line.startswith("$ ") or LOGGED.match(line)
        )
    )


def assert_terminal_sample(
    name: str,
    section: str,
    text: str,
    workspace: Path | None = None,
    built: bool = False,
    compare_by: Callable[[str], str] | None = None,
) -> None:
    """The page's docs/samples/<name>.txt is this transcript of `section`, compared loosely."""
    from scripts.regen_samples import assert_sample as compare

    first = commands_of(section)[0]
    compare(name, first, text, workspace=workspace, loosely=compare_by or (loosely_built if built else loosely))


def forget_progress(workspace: Path) -> None:
    """Remove the progress file `checks` writes, so that no test sees another test's results."""
    (workspace / ".checks-progress.json").unlink(missing_ok=True)


def snippets(lesson: str) -> dict[str, str]:
    """The named sections of lessons/<lesson>/solution/commands.sh: {name: commands}."""
    return sections_of(ROOT / "lessons" / lesson / "solution" / "commands.sh")


def sections_of(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]", text, re.MULTILINE | re.DOTALL)
    return {name: body.strip() for name, body in found}


def try_sections(lesson: str) -> dict[str, str]:
    """The named sections of lessons/<lesson>/try.sh, the page's things to try."""
    return sections_of(ROOT / "lessons" / lesson / "try.sh")


def learner_env() -> dict:
    """A learner's shell: BuildKit (the default builder of current Docker), `checks` on PATH."""
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    return {
        **os.environ,
        "DOCKER_BUILDKIT": "1",
        "PATH": path,
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }


def sh(commands: str, cwd: Path | None = None, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run shell commands as the learner types them."""
    result = subprocess.run(
        ["sh", "-c", commands], cwd=cwd, env=learner_env(), capture_output=True, text=True, timeout=timeout
    )
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
    wait_until(
        lambda: (
            "spawned uWSGI worker 2"
            in docker("logs", name, check=False).stdout + docker("logs", name, check=False).stderr
        ),
        timeout,
        f"the app in {name} to start",
    )


class Containers:
    """Containers started as the learner does; `remove_all()` removes every one (the fixtures call it)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def run(self, arguments: str, name: str | None = None, check: bool = True) -> str:
        """`docker run -d --name NAME ARGUMENTS`; returns the name."""
        name = name or unique()
        self.names.append(name)
        sh(f"docker run -d --name {name} {arguments}", check=check, timeout=120)
        return name

    def commands(self, text: str, names: list[str]) -> subprocess.CompletedProcess:
        """Run learner commands that create the containers `names`."""
        for taken in names:
            assert not docker("container", "inspect", taken, check=False).returncode == 0, (
                f"a container named {taken} already exists: remove it (docker rm -f {taken}) to run these tests"
            )
        self.names.extend(names)
        return sh(text)

    def track(self, name: str) -> None:
        self.names.append(name)

    def remove_all(self) -> None:
        for name in reversed(self.names):
            docker("rm", "-f", "-v", name, check=False)
        self.names.clear()
