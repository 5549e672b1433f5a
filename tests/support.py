"""Helpers every test may import (`from support import run_checks`): paths, and running `checks`.

(Not in conftest.py: with several conftest.py files in the tree, `from conftest import` is ambiguous.)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


def checks_process(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 900,
                   input: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed `checks` console script as a learner would."""
    executable = shutil.which("checks", path=str(Path(sys.executable).parent)) or shutil.which("checks")
    assert executable, "the checks console script is not installed (pip install -e .)"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([executable, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout, input=input)




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
            subprocess.run(["sh", str(script)], cwd=folder, check=True, capture_output=True,
                           env={**os.environ, "PYTHON": sys.executable})
    for name, source in catalogue.workspace_files(lesson, solved).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(source.read_bytes())
    return folder


def grade_fixture(lesson_id: str, workspace, name: str) -> Run:
    """`checks lessonN --json` on one of lesson N's mistake fixtures (same build as its fixture test, so cached)."""
    fixture = ROOT / "tests" / "lessons" / lesson_id / "fixtures" / f"{name}.Dockerfile"
    return run_checks(lesson_id, "--json", "--path", str(workspace(fixture.read_text())))


def build_dist(out_dir: Path) -> tuple[Path, Path]:
    """`python -m build` of the repository, as a release does: the sdist, then the wheel built from it."""
    run = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out_dir), str(ROOT)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,), (wheel,) = out_dir.glob("*.tar.gz"), out_dir.glob("*.whl")
    return sdist, wheel
