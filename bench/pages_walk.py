"""Lessons 1–15 done from the pages alone, with `checks serve` running: does each one pass?

In a fresh workspace (`checks init`, in a temporary folder), `checks serve --no-browser` serves the
site, and Debian's chromium (Playwright) opens each lesson page in order. For each lesson the walk
does what a learner who read that page does: it writes the files of the lesson's solution
(lessons/lessonN/solution/; lesson 11 first makes the folder look worked in, with the page's
commands, lessons/lesson11/workspace.sh), and for lessons 8–10 it types the page's commands
(lessons/lessonN/solution/commands.sh: `docker build . -t together:0.0.1`, `docker run -d --name
together -p 127.0.0.1:4000:4000 …`, the busybox sidecar's shell, where `ps` gives the worker's PID that
lesson 10's form asks for). Then it clicks "Check my work" and waits for the verdict.

One line per lesson: passed or not, the seconds from the click to the verdict, whether the
navigation marks exactly the lessons passed so far, and on a failure what the page said. At the end
the home page's lesson table must mark every lesson passed. Everything the walk created (the app
container, the sidecar, the image it tagged, the workspace) is removed at the end, also on Ctrl-C;
a `together:0.0.1` that was there before gets its tag back. Exit 0 when all 15 pass and the marks
are right, 1 when not, 2 when the walk cannot start (no engine, the page's names or port taken).

    python bench/pages_walk.py [--site DIR] [--until N] [--timeout SECONDS]

Without --site, the site is built first with `mkdocs build --strict` into the temporary folder.
It takes minutes: lessons 7 and 12–15 build images (from BuildKit's cache when it has them).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - tests/chromium.py, without support.py's side effects

from checks.catalogue import Catalogue, Lesson, load  # noqa: E402
from checks.engine import RUN_LABEL  # noqa: E402
from learner_engine import commands_of, sections_of  # noqa: E402 - tests/learner_engine.py: the page's sections

ADDRESS = re.compile(r"http://127\.0\.0\.1:(?P<port>\d+)/\S*\?token=[\w-]+")
APP_NAME = "together"  # the container name lesson 9's commands give
APP_PORT = 4000  # the host port lesson 9's commands publish
LESSONS = range(1, 16)
PROMPT = r"/ # "  # busybox's shell
READY = ".checks-panel--live button[type=submit]"
# what the panel shows, read in one go: the verdict (data-passed), whether a grading runs (the button is
# disabled while it does), the status line and the result box
PANEL = """() => {
  const result = document.getElementById('checks-result');
  const button = document.querySelector('.checks-panel__check');
  return {passed: result.dataset.passed || null, running: button.disabled,
          status: document.querySelector('.checks-panel__status').textContent, text: result.innerText};
}"""
MARKED = """() => Array.from(document.querySelectorAll('.md-nav a.checks-passed, .md-typeset table a.checks-passed'))
  .map(a => [a.closest('.md-typeset table') ? 'table' : 'nav', a.href])"""
LESSON_OF_URL = re.compile(r"/lessons/(lesson\d+)(?:\.html|/(?:index\.html)?)?$")


class CannotWalk(Exception):
    """The walk cannot start or go on; the message says why (exit 2)."""


@dataclass
class Outcome:
    lesson: str
    passed: bool
    seconds: float
    said: str = ""  # on a failure: what the page said
    marks: str = ""  # what is wrong with the navigation's marks, if anything


@dataclass
class Walk:
    """What the walk made, so that the end removes it (and only it)."""

    scratch: Path
    checks: str
    run_prefix: str
    server: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    tagged: bool = False  # lesson 8's build ran: together:0.0.1 may name the walk's image now
    image_before: str | None = None  # what together:0.0.1 named before it
    sidecar: object | None = None  # the pexpect shell of lesson 10's sidecar

    @property
    def workspace(self) -> Path:
        return self.scratch / "together"


# -- the learner's terminal ------------------------------------------------------------------------------


def learner_env() -> dict[str, str]:
    """A learner's shell: `checks` on PATH, BuildKit, no colours."""
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    return {**os.environ, "PATH": path, "DOCKER_BUILDKIT": "1", "NO_COLOR": "1", "PYTHON": sys.executable}


def typed(command: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    """One command of a page, typed in the workspace; CannotWalk with its output when it fails."""
    try:
        done = subprocess.run(
            ["sh", "-c", command], cwd=cwd, env=learner_env(), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise CannotWalk(f"`{command}` did not end in {timeout:.0f} s") from None
    if done.returncode != 0:
        raise CannotWalk(f"`{command}` failed (exit {done.returncode}): {(done.stdout + done.stderr).strip()[-600:]}")
    return done


def docker(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *arguments], capture_output=True, text=True, timeout=120)


def image_id(name: str) -> str | None:
    found = docker("image", "inspect", "--format", "{{.Id}}", name)
    return found.stdout.strip() if found.returncode == 0 else None


def page_commands(lesson: str, section: str) -> list[str]:
    """The commands of one section of lessons/<lesson>/solution/commands.sh, as the page shows them."""
    return commands_of(sections_of(ROOT / "lessons" / lesson / "solution" / "commands.sh")[section])


def preflight() -> None:
    """The page's names must be free: the walk never removes what it did not make."""
    if docker("version", "--format", "{{.Server.Version}}").returncode != 0:
        raise CannotWalk("no Docker engine answers (`docker version` fails)")
    if docker("container", "inspect", APP_NAME).returncode == 0:
        raise CannotWalk(
            f"a container named {APP_NAME} exists already, and lesson 9's page starts one by that name: "
            f"remove it (docker rm -f {APP_NAME}) to walk the lessons"
        )
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", APP_PORT))
        except OSError:
            raise CannotWalk(f"port {APP_PORT} of 127.0.0.1 is taken, and lesson 9's page publishes on it") from None


# -- the server and the site -----------------------------------------------------------------------------


def build_site(folder: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OFFLINE": "false"}
    env.pop("CHECKS_DOCS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise CannotWalk(f"mkdocs build failed: {(done.stdout + done.stderr).strip()[-800:]}")
    return folder


def start_server(walk: Walk, site: Path) -> str:
    """`checks serve --no-browser` in the workspace; the address it printed (with the token)."""
    env = {**learner_env(), "PYTHONUNBUFFERED": "1", "CHECKS_RUN_PREFIX": walk.run_prefix}
    walk.server = subprocess.Popen(
        [walk.checks, "serve", "--no-browser", "--site", str(site)],
        cwd=walk.workspace,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # a Ctrl-C in this terminal reaches the walk, which stops the server once
    )
    found: list[str] = []

    def read() -> None:
        assert walk.server is not None and walk.server.stdout is not None
        for line in walk.server.stdout:
            walk.output.append(line)
            address = ADDRESS.search(line)
            if address and not found:
                found.append(address.group(0))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 30
    while not found:
        if walk.server.poll() is not None or time.monotonic() > deadline:
            raise CannotWalk(f"checks serve printed no address: {''.join(walk.output).strip()}")
        time.sleep(0.1)
    return found[0]


# -- what each lesson's page has the learner do ---------------------------------------------------------


def write_solution(walk: Walk, lesson: Lesson) -> None:
    """The files of the lesson's solution, as the learner writes them into the workspace."""
    script = lesson.folder / "workspace.sh"
    if script.is_file():  # lesson 11: the page's commands that make the folder look worked in
        typed(f"sh {shlex.quote(str(script))}", walk.workspace, timeout=300)
    solution = lesson.solution_path.parent
    for path in sorted(solution.rglob("*")):
        if path.is_file():
            target = walk.workspace / path.relative_to(solution)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def lesson8(walk: Walk) -> None:
    walk.image_before, walk.tagged = image_id("together:0.0.1"), True
    for section in ("build", "list", "history"):
        for command in page_commands("lesson8", section):
            typed(command, walk.workspace)


def lesson9(walk: Walk) -> None:
    walk.containers.append(APP_NAME)
    for command in page_commands("lesson9", "run"):
        typed(command, walk.workspace, timeout=120)
    deadline = time.monotonic() + 60
    while True:  # as a learner waits for `docker logs` to show the app started
        logs = docker("logs", APP_NAME)
        if "spawned uWSGI worker 2" in logs.stdout + logs.stderr:
            break
        if time.monotonic() > deadline:
            raise CannotWalk(f"the app in {APP_NAME} did not start in 60 s: {(logs.stdout + logs.stderr)[-600:]}")
        time.sleep(0.5)
    for section in ("ps", "logs", "curl"):
        for command in page_commands("lesson9", section):
            typed(command, walk.workspace, timeout=60)


def lesson10(walk: Walk) -> str:
    """The sidecar's shell, open as the page leaves it; the PID of a worker, read from its `ps`."""
    import pexpect

    (command,) = page_commands("lesson10", "sidecar")
    name = f"walk-sidecar-{uuid.uuid4().hex[:8]}"  # a name, so that the end can remove it whatever happens
    walk.containers.append(name)
    shell = pexpect.spawn(
        "/bin/sh",
        ["-c", command.replace("docker run ", f"docker run --name {name} ", 1)],
        cwd=str(walk.workspace),
        env=learner_env(),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )
    walk.sidecar = shell
    shell.expect(PROMPT)
    shell.sendline("ps")
    shell.expect_exact("ps\r\n")
    shell.expect(PROMPT)
    rows = [line.split() for line in shell.before.replace("\r\n", "\n").splitlines()]
    workers = [row[0] for row in rows if row and row[0].isdigit() and row[0] != "1" and "uwsgi" in " ".join(row)]
    if not workers:
        raise CannotWalk(f"the sidecar's `ps` shows no uWSGI worker: {shell.before!r}")
    return workers[0]


# -- the page --------------------------------------------------------------------------------------------


def click_and_wait(page, timeout: float) -> tuple[dict, float]:
    """Click "Check my work"; what the panel shows once the grading ended, and the seconds it took."""
    page.evaluate("() => document.getElementById('checks-result').removeAttribute('data-passed')")
    started = time.monotonic()
    page.click(".checks-panel__check")
    while True:
        shown = page.evaluate(PANEL)
        if shown["passed"] or not shown["running"]:  # a verdict, or an end without one (an error, a refusal)
            return shown, time.monotonic() - started
        if time.monotonic() - started > timeout:
            shown["status"] = f"no verdict after {timeout:.0f} s; the status line says: {shown['status']}"
            return shown, time.monotonic() - started
        time.sleep(0.05)


def what_failed(page, shown: dict) -> str:
    """The page's words for a failure: the checks marked ✗ (or the error), one line."""
    if not shown["passed"]:
        return " ".join(f"{shown['status']} {shown['text']}".split())
    failed = page.locator("#checks-result .checks-result--failed, #checks-result .checks-result--error")
    items = [" ".join(failed.nth(i).inner_text().split()) for i in range(min(failed.count(), 3))]
    return " | ".join(items) or " ".join(shown["text"].split())[-400:]


def marked_lessons(page, where: str) -> set[str]:
    found = set()
    for place, href in page.evaluate(MARKED):
        lesson = LESSON_OF_URL.search(href)
        if place == where and lesson:
            found.add(lesson.group(1))
    return found


def wait_for_marks(page, where: str, expected: set[str], timeout: float = 10) -> str:
    """'' when `where` (nav, table) marks exactly the lessons passed, else what it marks instead."""
    deadline = time.monotonic() + timeout
    while True:
        marked = marked_lessons(page, where)
        if marked == expected:
            return ""
        if time.monotonic() > deadline:
            extra, missing = sorted(marked - expected), sorted(expected - marked)
            return f"the {where} marks {', '.join(extra) or 'nothing more'}; not {', '.join(missing) or '-'}"
        time.sleep(0.2)


def walk_lessons(
    walk: Walk, catalogue: Catalogue, address: str, until: int, timeout: float
) -> tuple[list[Outcome], str]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    origin = address.split("/?", 1)[0]
    outcomes: list[Outcome] = []
    passed: set[str] = set()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(address)  # the token becomes a cookie
        for lesson in (catalogue.numbered(number) for number in LESSONS if number <= until):
            page.goto(f"{origin}/{lesson.page.removesuffix('.md')}/")
            try:
                page.wait_for_selector(READY, timeout=30_000)
            except PlaywrightTimeout:
                outcomes.append(Outcome(lesson.id, False, 0.0, "the page shows no Check my work button in 30 s"))
                print(line_of(outcomes[-1]), flush=True)
                continue
            answer = None
            try:
                if lesson.evidence != "engine":
                    write_solution(walk, lesson)
                if lesson.number == 8:
                    lesson8(walk)
                elif lesson.number == 9:
                    lesson9(walk)
                elif lesson.number == 10:
                    answer = lesson10(walk)
            except CannotWalk as problem:
                outcomes.append(Outcome(lesson.id, False, 0.0, f"the page's steps failed: {problem}"))
                print(line_of(outcomes[-1]), flush=True)
                continue
            if answer is not None:
                page.fill("#checks-answer", answer)  # the form's field, labelled with the question
            shown, seconds = click_and_wait(page, timeout)
            outcome = Outcome(lesson.id, shown["passed"] == "yes", seconds)
            if outcome.passed:
                passed.add(lesson.id)
            else:
                outcome.said = what_failed(page, shown)
            outcome.marks = wait_for_marks(page, "nav", passed)
            outcomes.append(outcome)
            print(line_of(outcome), flush=True)
        page.goto(origin + "/")
        table = wait_for_marks(page, "table", passed)
    finally:
        try:
            playwright.stop()  # closes chromium
        except Exception:  # noqa: BLE001 - after a Ctrl-C, which reached chromium and Playwright's driver too
            pass
    return outcomes, table


def line_of(outcome: Outcome) -> str:
    line = f"{outcome.lesson:<9} {'passed' if outcome.passed else 'FAILED':<7} {outcome.seconds:7.1f} s"
    line += "  nav: " + ("ok" if not outcome.marks else outcome.marks)
    if outcome.said:
        line += f"\n          {outcome.said[:1200]}"
    return line


# -- the end ---------------------------------------------------------------------------------------------


def clean_up(walk: Walk) -> list[str]:
    """Remove what the walk made; what could not be removed."""
    left: list[str] = []
    if walk.server is not None and walk.server.poll() is None:
        walk.server.send_signal(signal.SIGINT)  # as the learner stops it: its grading is cleaned up
        try:
            walk.server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            walk.server.kill()
            walk.server.wait(timeout=10)
    if walk.sidecar is not None:
        walk.sidecar.close(force=True)  # type: ignore[attr-defined]
    for name in reversed(walk.containers):
        if docker("container", "inspect", name).returncode == 0 and docker("rm", "-f", "-v", name).returncode != 0:
            left.append(f"container {name}")
    now = image_id("together:0.0.1")
    if walk.tagged and now is not None:
        if walk.image_before is None:
            docker("image", "rm", "together:0.0.1")
        elif walk.image_before != now:
            docker("tag", walk.image_before, "together:0.0.1")  # the tag goes back to the image it named
            docker("image", "rm", now)  # ours, now nameless (kept if a container of someone else's uses it)
    for kind in ("container", "image"):  # what a grading of this walk's server left behind, if anything
        for found in docker(kind, "ls", "-aq", "--filter", f"label={RUN_LABEL}").stdout.split():
            run = docker(kind, "inspect", "--format", f'{{{{index .Config.Labels "{RUN_LABEL}"}}}}', found)
            if run.stdout.startswith(walk.run_prefix):
                left.append(f"{kind} {found} (left by checks serve)")
                docker(kind, "rm", "-f", found)
    shutil.rmtree(walk.scratch, ignore_errors=True)
    return left


def stop(signum, frame) -> None:
    raise KeyboardInterrupt  # a SIGTERM cleans up as Ctrl-C does


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", help="a built site (default: build one now)")
    parser.add_argument("--until", type=int, default=15, help="walk lessons 1 to this one only (default: 15)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds to wait for one verdict (default: 1200)")
    args = parser.parse_args()
    try:
        import pexpect  # noqa: F401 - lesson 10's sidecar shell
        import playwright  # noqa: F401
    except ImportError as missing:
        print(f"Error: {missing.name} is missing: run this with the project's .venv/bin/python", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"Error: {CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, stop)
    catalogue = load()
    walk = Walk(
        Path(tempfile.mkdtemp(prefix="pages-walk-")), str(Path(sys.executable).parent / "checks"), f"walk{os.getpid()}-"
    )
    outcomes: list[Outcome] = []
    table = ""
    code = 0
    try:
        preflight()
        site = Path(args.site).resolve() if args.site else build_site(walk.scratch / "site")
        typed(f"{shlex.quote(walk.checks)} init", walk.scratch, timeout=60)
        address = start_server(walk, site)
        print(f"checks serve: {address.split('?')[0]}, workspace {walk.workspace}", flush=True)
        outcomes, table = walk_lessons(walk, catalogue, address, args.until, args.timeout)
    except CannotWalk as problem:
        print(f"Error: {problem}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("\nstopped; cleaning up", file=sys.stderr)
        code = 130
    finally:
        left = clean_up(walk)
    if left:
        print(f"left behind (now removed): {', '.join(left)}", file=sys.stderr)
    if code:
        return code
    good = sum(o.passed for o in outcomes)
    print(f"\n{good} of {len(outcomes)} lessons passed from the pages; home page table: {'ok' if not table else table}")
    fine = (
        good == len(outcomes) == len([n for n in LESSONS if n <= args.until])
        and not table
        and not any(o.marks for o in outcomes)
        and not left
    )
    return 0 if fine else 1


if __name__ == "__main__":
    sys.exit(main())
