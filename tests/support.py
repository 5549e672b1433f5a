"""Helpers every test may import (`from support import run_checks`): paths, and running `checks`.

(Not in conftest.py: with several conftest.py files in the tree, `from conftest import` is ambiguous.)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - the browser tests import them from here

if TYPE_CHECKING:
    from checks.context import Context
    from checks.result import Outcome
    from checks.runner import CheckFunction

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
APP = LESSONS / "together"
REQUIRE_DOCKER = os.environ.get("REQUIRE_DOCKER") == "1"

sys.path.insert(0, str(ROOT))
# what `checks` creates during this session carries this prefix in its run label (see Engine)
SESSION_PREFIX = f"t{os.getpid()}-"
os.environ["CHECKS_RUN_PREFIX"] = SESSION_PREFIX


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def status(self, check_id: str) -> str:
        """The status of one check in a --json run."""
        for item in self.json["checks"]:
            if item["id"] == check_id:
                return item["status"]
        raise AssertionError(f"no check {check_id} in {[c['id'] for c in self.json['checks']]}")

    def check(self, check_id: str) -> dict:
        return next(item for item in self.json["checks"] if item["id"] == check_id)


def run_checks(*args: str, cwd: Path | None = None) -> Run:
    """Run `checks ARGS` in this process (fast) and capture what it prints and returns."""
    from checks.cli import run

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(list(args))
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


# -- catches / catches_not: one line per case, as hadolint's rule specs -----------------------------------

# Set for each test by tests/conftest.py: whether the running test is marked `docker`, i.e. may use the engine.
ENGINE_ALLOWED = False


def catches(
    check_id: str,
    dockerfile: str | bytes | None,
    says: str | Sequence[str] = (),
    *,
    line: int | None = None,
    file: str | None = None,
    status: str = "failed",
    prepare: Callable[[Path], object] | None = None,
) -> Outcome:
    """Check `check_id` on the sample app with this Dockerfile: it reports `status` (failed unless told),
    its message contains every text of `says`, and it points at `line` and `file` when they are given.

    A Dockerfile-only check runs without an engine; a check that reaches for the engine fails the
    test unless the test is marked `docker` (then tests/conftest.py skips it without an engine, or
    fails it under REQUIRE_DOCKER=1). `prepare(folder)` changes the workspace before the check runs.
    """
    outcome = run_check(check_id, dockerfile, prepare)
    wanted = [says] if isinstance(says, str) else list(says)
    assert outcome.status == status, f"{check_id}: expected {status}; found {outcome}"
    missing = [text for text in wanted if text not in outcome.message]
    assert not missing, f"{check_id}: expected the message to say {missing}; found {outcome.message!r}"
    if line is not None:
        assert outcome.line == line, f"{check_id}: expected line {line}; found {outcome}"
    if file is not None:
        assert outcome.file == file, f"{check_id}: expected the file {file}; found {outcome}"
    return outcome


def catches_not(
    check_id: str, dockerfile: str | bytes | None, *, prepare: Callable[[Path], object] | None = None
) -> Outcome:
    """Check `check_id` on the sample app with this Dockerfile: it passes (see `catches`)."""
    outcome = run_check(check_id, dockerfile, prepare)
    assert outcome.status == "passed", f"{check_id}: expected passed; found {outcome}"
    return outcome


def run_check(
    check_id: str, dockerfile: str | bytes | None, prepare: Callable[[Path], object] | None = None
) -> Outcome:
    """What the check `check_id` finds in a fresh copy of the sample app with this Dockerfile (none: no file).

    Exceptions are the check's own (Unavailable when its evidence is missing)."""
    from checks.catalogue import load

    function = check_function(check_id)
    with tempfile.TemporaryDirectory(prefix="catches-") as temporary:
        folder = Path(temporary) / "together"
        shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        if isinstance(dockerfile, str):
            (folder / "Dockerfile").write_text(dockerfile, encoding="utf-8")
        elif dockerfile is not None:
            (folder / "Dockerfile").write_bytes(dockerfile)
        if prepare is not None:
            prepare(folder)
        context = guarded_context(folder, load())
        try:
            outcome = function(context)
        finally:
            context.cleanup()
        assert not context.engine_refused, (
            f"a Dockerfile-only check used the engine ({check_id}): mark the test @pytest.mark.docker if it needs one"
        )
    return outcome


@cache
def check_function(check_id: str) -> CheckFunction:
    """The function of the check `check_id`, in whichever lesson declares it."""
    from checks.catalogue import load
    from checks.runner import functions_of

    found = [functions_of(lesson)[check_id] for lesson in load().lessons if check_id in functions_of(lesson)]
    assert len(found) == 1, f"expected one check with the id {check_id!r}; found {len(found)}"
    return found[0]


def guarded_context(folder: Path, catalogue) -> Context:
    """A Context whose engine is refused unless the running test is marked `docker` (see `catches`)."""
    from checks.context import Context

    class Guarded(Context):
        engine_refused = False

        @property
        def engine(self):
            if not ENGINE_ALLOWED:
                self.engine_refused = True  # also when the check swallows the error below
                raise AssertionError("a Dockerfile-only check used the engine")
            return super().engine

    return Guarded(folder, catalogue)


def ignoring_ctrl_c() -> None:
    """A preexec_fn: what a script's `&` does to the programs it starts (without job control), SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def checks_process(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 900, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run the installed `checks` console script as a learner would."""
    executable = shutil.which("checks", path=str(Path(sys.executable).parent)) or shutil.which("checks")
    assert executable, "the checks console script is not installed (pip install -e .)"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [executable, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, input=input
    )


def lesson_workspace(workspace, lesson_id: str, solved: bool = True) -> Path:
    """A workspace as the learner's is after lesson N (`solved`) or before it: the files each lesson's
    solution wrote, and what each lesson's `workspace.sh` adds to a real developer's folder (lesson 11:
    a virtualenv, caches, a data file, a git repository)."""
    from checks.catalogue import load

    catalogue = load()
    lesson = catalogue.get(lesson_id)
    folder = workspace()
    for step in (*catalogue.before(lesson), lesson):
        script = step.folder / "workspace.sh"
        if script.is_file():
            subprocess.run(
                ["sh", str(script)],
                cwd=folder,
                check=True,
                capture_output=True,
                env={**os.environ, "PYTHON": sys.executable},
            )
    for name, source in catalogue.workspace_files(lesson, solved).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(source.read_bytes())
    return folder


def lay_over(fixture, folder: Path) -> None:
    """Put a mistake fixture's files into the workspace, byte for byte (CRLF stays CRLF)."""
    for name, source in fixture.files():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        if fixture.path.is_dir():
            target.chmod(source.stat().st_mode)


# what `checks lessonN --json` said of each mistake fixture in this session: every fixture is graded once,
# by tests/test_fixtures.py or by the lesson's own tests, whichever comes first, and read by both
_FIXTURE_RUNS: dict[tuple[Path, tuple[tuple[str, str], ...]], Run] = {}


def graded_fixture(fixture, workspace, env: dict[str, str] | None = None) -> Run:
    """`checks lessonN --json` on the lesson's starter with the fixture's mistake laid over it (once per session)."""
    key = (fixture.path, tuple(sorted((env or {}).items())))
    if key not in _FIXTURE_RUNS:
        folder = lesson_workspace(workspace, fixture.lesson_id, solved=False)
        lay_over(fixture, folder)
        saved = {name: os.environ.get(name) for name in env or {}}
        os.environ.update(env or {})
        try:
            _FIXTURE_RUNS[key] = run_checks(fixture.lesson_id, "--json", "--path", str(folder))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return _FIXTURE_RUNS[key]


def grade_fixture(lesson_id: str, workspace, name: str) -> Run:
    """`checks lessonN --json` on one of lesson N's mistake fixtures, graded once per session (graded_fixture)."""
    from checks.catalogue import load
    from checks.fixtures import mistake_fixtures

    path = ROOT / "tests" / "lessons" / lesson_id / "fixtures" / f"{name}.Dockerfile"
    (fixture,) = [f for f in mistake_fixtures(load().get(lesson_id)) if f.path == path]
    return graded_fixture(fixture, workspace)


def build_dist(out_dir: Path) -> tuple[Path, Path]:
    """`python -m build` of the repository, as a release does: the sdist, then the wheel built from it."""
    run = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out_dir), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,), (wheel,) = out_dir.glob("*.tar.gz"), out_dir.glob("*.whl")
    return sdist, wheel
