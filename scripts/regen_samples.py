#!/usr/bin/env python3
"""Regenerate the sample `checks` output that the lesson pages show, by running the real `checks`.

    python scripts/regen_samples.py            # rewrite every sample of the workspace lessons (1-7, 11-)
    python scripts/regen_samples.py lesson3    # only lesson 3's
    python scripts/regen_samples.py --check    # exit 1, with a diff, if a committed sample is stale

For every lesson graded on the workspace (not lessons 8-10), it creates a fresh workspace with
`checks init` in a temporary folder, runs the `workspace.sh` of the lessons up to it (lesson 11's
makes it a developer's folder: a virtualenv, caches, data, git), and runs `checks lessonN` there
(NO_COLOR, like a learner piping it), twice:

    docs/samples/lessonN-pass.txt   on the reference solutions up to lesson N (lessons/lessonN/solution/)
    docs/samples/lessonN-fail.txt   on its starter: the solutions before it (lesson 1: no Dockerfile)
    docs/samples/lesson1-init.txt   `checks init`, which creates the workspace (first lesson only)
    docs/samples/lessonN-mistake-<fixture>.txt
                                    what `checks lessonN` says about each mistake fixture of
                                    tests/lessons/lessonN/fixtures/ (checks/fixtures.py), for lessons that only read the
                                    Dockerfile (no image to build); the lesson hook shows it

Each sample starts with the command line (`$ checks lessonN`), and what changes from run to run
is made stable: the temporary workspace becomes /home/you/together, image ids become <id>,
durations <n> s.
A page shows a sample with `--8<-- "docs/samples/lesson3-fail.txt"` inside a code block.

Lessons 8-10 grade an image or a container the learner made with their own commands, so their
samples come from their tests, which create that image or container anyway. Such a test calls

    from scripts.regen_samples import assert_sample
    assert_sample("lesson9-pass", "checks lesson9", run.out, workspace=folder)

which compares the normalised output with docs/samples/lesson9-pass.txt and fails on a
difference, or, with REGEN_SAMPLES=1 in the environment, writes the file instead. The same tests
sample what the pages ask the learner to run besides `checks` (`docker build`, `docker images`,
`docker ps`, the sidecar's `ps`): those keep their real sizes, ids and durations, and are compared
`loosely` (see assert_sample).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "docs" / "samples"
STABLE_WORKSPACE = "/home/you/together"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# What differs between two runs of the same check on the same files, and what it becomes.
# Add a pattern here when a lesson prints something that changes on every run.
VOLATILE = [
    (re.compile(r"sha256:[0-9a-f]{64}"), "sha256:<id>"),
    (re.compile(r"\b(image|container) [0-9a-f]{12}\b"), r"\1 <id>"),
    # how long something took: "exited with code 1 after 0.8 s", "built in 12.3s"
    (re.compile(r"\b(after|in) \d+(?:\.\d+)? ?(s|ms|seconds)\b"), r"\1 <n> \2"),
    # a size measured on this machine (lesson 11: "the engine received 26.1 MB", ".venv/ 22.4 MB"),
    # which depends on its Python and git; sizes the lessons state ("about 20 MB") stay
    (re.compile(r"((?:received|/) )\d+(?:\.\d+)? (B|kB|MB|GB)\b"), r"\1<n> \2"),
    # lesson 13: image sizes measured here ("the build stage, 357.3 MB", "62% smaller")
    (re.compile(r"((?:stage|image), )\d+(?:\.\d+)? (B|kB|MB|GB)\b"), r"\1<n> \2"),
    (re.compile(r"\b\d+% smaller\b"), "<n>% smaller"),
]


class SampleError(Exception):
    """`checks` did not behave as a sample needs (wrong exit code, crash)."""


def normalise(output: str, workspace: Path | str | None = None) -> str:
    """The output with the temporary workspace as /home/you/together and volatile ids replaced."""
    text = output.replace("\r\n", "\n")
    if workspace is not None:
        folder = Path(workspace)
        for spelling in sorted({str(folder), str(folder.resolve())}, key=len, reverse=True):
            text = text.replace(spelling, STABLE_WORKSPACE)
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines()) + "\n"


def sample_text(command: str, output: str, workspace: Path | str | None = None, prompt: str = "$ ") -> str:
    """A sample as the page shows it: the command line after its prompt, then what it printed."""
    return f"{prompt}{command}\n" + normalise(output, workspace)


def sample_path(name: str) -> Path:
    if not re.fullmatch(r"lesson\d+-[a-z0-9-]+", name):
        raise ValueError(f"sample name {name!r}: use lessonN-<what>, e.g. lesson9-pass")
    return SAMPLES / f"{name}.txt"


def write_sample(name: str, command: str, output: str, workspace: Path | str | None = None, prompt: str = "$ ") -> Path:
    path = sample_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sample_text(command, output, workspace, prompt), encoding="utf-8")
    return path


def stale(name: str, text: str) -> str:
    """A diff between the committed sample and `text`; empty when the sample is current."""
    path = sample_path(name)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if old == text:
        return ""
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        text.splitlines(keepends=True),
        f"committed {path.relative_to(ROOT)}",
        "checks prints now",
    )
    return "".join(diff) or f"{path.relative_to(ROOT)} is missing\n"


def assert_sample(
    name: str,
    command: str,
    output: str,
    workspace: Path | str | None = None,
    loosely: Callable[[str], str] | None = None,
    prompt: str = "$ ",
) -> None:
    """For a lesson's test: the sample on the page is what `command` printed (REGEN_SAMPLES=1 rewrites it).

    `loosely` is for output that keeps its real figures on the page (an image's size, a step's
    duration, ids that line up in columns): the committed sample and this run are compared after
    `loosely` has made both stable, and the file keeps the figures of the run that wrote it."""
    text = sample_text(command, output, workspace, prompt)
    if loosely is not None:  # the committed sample still holds: keep it, also when regenerating
        path = sample_path(name)
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if old and loosely(old) == loosely(text):
            return
    if os.environ.get("REGEN_SAMPLES") == "1":
        write_sample(name, command, output, workspace, prompt)
        return
    diff = stale(name, text)
    assert not diff, (
        f"docs/samples/{name}.txt is not what `{command}` prints now; rerun the test with "
        f"REGEN_SAMPLES=1 to rewrite it, and commit it:\n{diff}"
    )


def checks_command() -> list[str]:
    """The installed `checks` console script next to this Python, or `python -m checks`."""
    folder = Path(sys.executable).parent
    script = shutil.which("checks", path=str(folder))
    return [script] if script else [sys.executable, "-m", "checks"]


def run_checks(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CHECKS_DOCS_URL", "FORCE_COLOR", "CLICOLOR_FORCE")
    }
    env.update(NO_COLOR="1", COLUMNS="100", PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [*checks_command(), *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=1800
    )


def run_lesson(
    lesson_id: str, files: dict[str, Path], expect_code: int, with_init: bool = False, scripts: list[Path] = ()
):
    """`checks lessonN` in a fresh workspace holding `files` ({name: reference file}), normalised.

    `scripts` (lessons' workspace.sh) run first, in the workspace, to make it a developer's folder.
    With `with_init`, returns (the sample of `checks init`, the sample of `checks lessonN`)."""
    with tempfile.TemporaryDirectory(prefix="regen-samples-") as temp:
        parent = Path(temp)
        init = run_checks(["init", "together"], cwd=parent)
        if init.returncode != 0:
            raise SampleError(f"checks init failed ({init.returncode}): {init.stderr.strip()}")
        workspace = parent / "together"
        for script in scripts:
            made = subprocess.run(
                ["sh", str(script)],
                cwd=workspace,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHON": sys.executable},
                timeout=600,
            )
            if made.returncode != 0:
                raise SampleError(f"{script.relative_to(ROOT)} failed ({made.returncode}): {made.stderr.strip()}")
        for name, source in files.items():
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            (workspace / name).write_bytes(source.read_bytes())
        result = run_checks([lesson_id], cwd=workspace)
        if result.returncode != expect_code:
            raise SampleError(
                f"`checks {lesson_id}` exited {result.returncode}, expected {expect_code}:\n"
                f"{result.stdout}{result.stderr}"
            )
        if result.stderr.strip():
            raise SampleError(f"`checks {lesson_id}` wrote to stderr:\n{result.stderr}")
        sample = sample_text(f"checks {lesson_id}", result.stdout, workspace)
        return (sample_text("checks init", init.stdout, workspace), sample) if with_init else sample


def reads_only_the_dockerfile(catalogue, lesson) -> bool:
    return all(step.evidence == "dockerfile" for step in (*catalogue.before(lesson), lesson))


def excerpt(output: str, check_id: str) -> str:
    """The lines `checks` printed for one check: its mark and title line and the indented lines below it."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.rstrip().endswith(f"[{check_id}]") or f"[{check_id}] (" in line:
            block = [line]
            for following in lines[index + 1 :]:
                if not following.startswith("  "):
                    break
                block.append(following)
            return "\n".join(block)
    raise SampleError(f"the output names no check {check_id}:\n{output}")


def mistake_sample(lesson, fixture) -> str:
    """What `checks lessonN` says about one mistake fixture (checks/fixtures.py): the command, then
    that check's lines."""
    with tempfile.TemporaryDirectory(prefix="regen-samples-") as temp:
        workspace = Path(temp) / "together"
        shutil.copytree(
            ROOT / "lessons" / "together",
            workspace,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"),
        )
        for name, source in fixture.files():
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, workspace / name)
        result = run_checks([lesson.id], cwd=workspace)
        if result.returncode not in (0, 1):
            raise SampleError(
                f"`checks {lesson.id}` on {fixture.path.name} exited {result.returncode}:\n{result.stderr}"
            )
        return f"$ checks {lesson.id}\n" + normalise(excerpt(result.stdout, fixture.check_id), workspace)


def dockerfile_lessons(catalogue) -> list:
    """The lessons graded on the workspace (its Dockerfile, .dockerignore, the image built from them)."""
    return [lesson for lesson in catalogue.lessons if lesson.evidence != "engine"]


def workspace_scripts(catalogue, lesson) -> list[Path]:
    """The workspace.sh of this lesson and the earlier ones it builds on (lesson 11: a developer's folder)."""
    steps = (*catalogue.before(lesson), lesson)
    return [step.folder / "workspace.sh" for step in steps if (step.folder / "workspace.sh").is_file()]


def samples_of(catalogue, lesson) -> dict[str, str]:
    """{sample name: text} of one lesson: its solution passes, its starter fails."""
    from checks.fixtures import mistake_fixtures

    earlier = catalogue.before(lesson)
    scripts = workspace_scripts(catalogue, lesson)
    samples = {
        f"{lesson.id}-pass": run_lesson(lesson.id, catalogue.workspace_files(lesson, solved=True), 0, scripts=scripts)
    }
    if earlier:
        samples[f"{lesson.id}-fail"] = run_lesson(
            lesson.id, catalogue.workspace_files(lesson, solved=False), 1, scripts=scripts
        )
    else:  # the first lesson also shows how the workspace is made
        samples[f"{lesson.id}-init"], samples[f"{lesson.id}-fail"] = run_lesson(lesson.id, {}, 1, with_init=True)
    if reads_only_the_dockerfile(catalogue, lesson):  # cheap: no image is built, so show each mistake's output
        for fixture in mistake_fixtures(lesson):
            samples[fixture.sample_name] = mistake_sample(lesson, fixture)
    return samples


def main(argv: list[str] | None = None) -> int:
    from checks.catalogue import load

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "lessons",
        nargs="*",
        metavar="LESSON",
        help="only these lessons (default: every lesson whose solution is a Dockerfile)",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a sample is stale")
    args = parser.parse_args(argv)
    catalogue = load()
    lessons = dockerfile_lessons(catalogue)
    if args.lessons:
        wanted = [catalogue.get(name) for name in args.lessons]
        unknown = [name for name, lesson in zip(args.lessons, wanted, strict=True) if lesson not in lessons]
        if unknown:
            parser.error(
                f"no samples are generated for {', '.join(unknown)}; "
                f"choose from {', '.join(lesson.id for lesson in lessons)}"
            )
        lessons = wanted
    problems = errors = 0
    for lesson in lessons:
        try:
            samples = samples_of(catalogue, lesson)
        except SampleError as problem:  # go on with the other lessons, and fail at the end
            print(f"Error: {lesson.id}: {problem}", file=sys.stderr)
            errors += 1
            continue
        for name, text in samples.items():
            diff = stale(name, text)
            if args.check:
                if diff:
                    problems += 1
                    print(f"stale: docs/samples/{name}.txt (run `python scripts/regen_samples.py {lesson.id}`)")
                    print(diff)
                else:
                    print(f"current: docs/samples/{name}.txt")
            elif diff:
                sample_path(name).parent.mkdir(parents=True, exist_ok=True)
                sample_path(name).write_text(text, encoding="utf-8")
                print(f"wrote: docs/samples/{name}.txt")
            else:
                print(f"unchanged: docs/samples/{name}.txt")
    return 2 if errors else 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
