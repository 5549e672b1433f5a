"""Lesson 12 (layer order for the cache): catches / catches-not cases for each check.

Text cases read a parsed Dockerfile (no engine). The cache cases run a real rebuild on a real
engine after a one-line change to the app's code, in a copy of what the workspace sends; each run's
change is unique, so no earlier build can have cached the steps it must rerun.
"""

from __future__ import annotations

import pytest

from checks.checkers import lesson12
from checks.dockerfile import parse
from support import LESSONS, ROOT, catches, catches_not

SOLUTION = (LESSONS / "lesson12" / "solution" / "Dockerfile").read_text(encoding="utf-8")
STARTER = (LESSONS / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8")
FIXTURES = ROOT / "tests" / "lessons" / "lesson12" / "fixtures"


# -- which COPY brings in the code -------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, code",
    [
        ("COPY . .", True),
        ("COPY ./ /usr/src/app/", True),
        ("ADD . .", True),
        ("COPY together ./together", True),
        ("COPY together/app.py together/", True),
        ('COPY ["./", "./"]', True),
        ("COPY t* ./", True),
        ("COPY requirements.txt .", False),
        ("COPY ./requirements.txt ./", False),
        ('COPY ["requirements.txt", "."]', False),
        ("COPY bin ./bin", False),
        ("COPY --from=build /usr/src/app /usr/src/app", False),
    ],
)
def test_copies_code(line, code):
    instruction = parse("FROM python:3.13-slim\n" + line + "\n").instructions[-1]
    assert lesson12.copies_code(instruction) is code


@pytest.mark.parametrize(
    "line, installs",
    [
        ("RUN apt-get update && apt-get install -y gcc", True),
        ("RUN pip install --no-cache-dir -r requirements.txt", True),
        ("RUN python -m pip install flask", True),
        ("RUN chmod +x bin/run_dev.sh", False),
        ("RUN pip --version", False),
    ],
)
def test_installs_dependencies(line, installs):
    assert lesson12.installs_dependencies(parse("FROM python:3.13-slim\n" + line + "\n").instructions[-1]) is installs


# -- code-copied-after-deps ----------------------------------------------------------------------------
def test_code_copied_after_deps_catches_the_lesson7_order():
    catches("code-copied-after-deps", STARTER, says=["lines 4 and 5", "`COPY requirements.txt ./`"], line=3)


def test_code_copied_after_deps_catches_a_copy_left_at_the_top():
    catches(
        "code-copied-after-deps",
        (FIXTURES / "code-copied-after-deps--twice.Dockerfile").read_text(),
        says="lines 5 and 7",
        line=4,
    )


@pytest.mark.parametrize(
    "dockerfile",
    [
        SOLUTION,
        SOLUTION.replace("COPY requirements.txt .", "COPY requirements.txt /usr/src/app/"),
        SOLUTION.replace("COPY . .", "COPY together ./together\nCOPY bin ./bin"),
        SOLUTION.replace("RUN apt-get update && apt-get install -y gcc\n", "").replace(
            "COPY requirements.txt .\n", "COPY requirements.txt .\nRUN apt-get update && apt-get install -y gcc\n"
        ),
    ],
)
def test_code_copied_after_deps_catches_not(dockerfile):
    catches_not("code-copied-after-deps", dockerfile)


# -- reading the builder's output ---------------------------------------------------------------------
def test_steps_from_buildkit_output():
    log = (
        "#5 [1/6] FROM docker.io/library/python:3.13-slim\n#6 [2/6] WORKDIR /usr/src/app\n#6 CACHED\n"
        "#7 [3/6] RUN apt-get update && apt-get install -y gcc\n#7 CACHED\n#8 [4/6] COPY . .\n#8 DONE 0.1s\n"
        "#9 [5/6] RUN pip install   --no-cache-dir -r requirements.txt\n#9 0.52 Collecting Flask\n#9 DONE 40.1s\n"
    )
    steps = lesson12.steps_from_log(log)
    assert [(s.text, s.cached) for s in steps] == [
        ("WORKDIR /usr/src/app", True),
        ("RUN apt-get update && apt-get install -y gcc", True),
        ("COPY . .", False),
        ("RUN pip install --no-cache-dir -r requirements.txt", False),
    ]


def test_steps_from_classic_builder_output():
    log = (
        "Step 1/4 : FROM python:3.13-slim\n ---> 1a2b\nStep 2/4 : WORKDIR /usr/src/app\n ---> Using cache\n"
        " ---> 3c4d\nStep 3/4 : COPY . .\n ---> 5e6f\nStep 4/4 : RUN pip install -r requirements.txt\n"
        " ---> Running in 7a8b\n"
    )
    assert [(s.text, s.cached) for s in lesson12.steps_from_log(log)] == [
        ("WORKDIR /usr/src/app", True),
        ("COPY . .", False),
        ("RUN pip install -r requirements.txt", False),
    ]


def test_steps_from_podman_output():
    log = (
        "STEP 1/3: FROM python:3.13-slim\nSTEP 2/3: WORKDIR /usr/src/app\n--> Using cache 3c4d\n--> 3c4d\n"
        "STEP 3/3: COPY . .\n--> 5e6f\n"
    )
    assert [(s.text, s.cached) for s in lesson12.steps_from_log(log)] == [
        ("WORKDIR /usr/src/app", True),
        ("COPY . .", False),
    ]


def test_steps_from_podman_multi_stage_output():  # as Podman 4.3 (Buildah 1.28) printed it
    log = (
        "[1/2] STEP 1/6: FROM python:3.13-slim AS build\n[1/2] STEP 2/6: WORKDIR /usr/src/app\n"
        "--> Using cache 7f060db231ca\n--> 7f060db231c\n[1/2] STEP 3/6: COPY requirements.txt .\n--> 90e6279b058\n"
        "[2/2] STEP 7/10: COPY . .\n--> Using cache 1d97a2710a95\n--> 1d97a2710a9\n"
    )
    assert [(s.text, s.cached) for s in lesson12.steps_from_log(log)] == [
        ("WORKDIR /usr/src/app", True),
        ("COPY requirements.txt .", False),
        ("COPY . .", True),
    ]


def test_the_rebuild_copies_what_docker_build_sends(workspace, tmp_path):
    folder = workspace(SOLUTION)
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "python").write_text("big")
    (folder / ".dockerignore").write_text((folder / ".dockerignore").read_text() + ".venv\n")
    lesson12.copy_sent_files(folder, tmp_path / "copy")
    assert (tmp_path / "copy" / "together" / "app.py").read_bytes() == (folder / "together" / "app.py").read_bytes()
    assert (tmp_path / "copy" / ".dockerignore").is_file()
    assert not (tmp_path / "copy" / ".venv").exists()


# -- deps-cached-after-code-change, on a real engine -----------------------------------------------------
@pytest.mark.docker
def test_deps_cached_after_code_change_catches_pip_after_the_code(context):
    ctx = context((FIXTURES / "deps-cached-after-code-change.Dockerfile").read_text())
    before = (ctx.workspace / "together" / "app.py").read_bytes()
    try:
        result = lesson12.deps_cached_after_code_change(ctx)
        measured = ctx.memo_ready("rebuild-after-code-change")
    finally:
        ctx.cleanup()
    assert result.status == "failed", result.message
    assert not measured and "known without a rebuild" in result.message  # the page already says it: no 118 s wait
    assert "`RUN pip install --no-cache-dir -r requirements.txt`" in result.message
    assert "apt-get" not in result.message.split("run again")[1].split(":")[0]  # apt-get is above: cached
    assert result.line == 5 and "`COPY . .` (line 5)" in result.message
    assert (ctx.workspace / "together" / "app.py").read_bytes() == before  # the learner's code is untouched


@pytest.mark.docker
def test_deps_cached_after_code_change_catches_not_the_solution(context):
    ctx = context(SOLUTION)
    try:
        result = lesson12.deps_cached_after_code_change(ctx)
        rebuild = lesson12.rebuild_after_code_change(ctx)
    finally:
        ctx.cleanup()
    assert result.status == "passed", result.message
    assert [s.text for s in rebuild.rerun()] == ["COPY . ."]  # BuildKit: EXPOSE and CMD are config, not steps
    assert all(s.cached for s in rebuild.steps if s.text.startswith("RUN"))
