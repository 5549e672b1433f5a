"""The mistake fixtures: one learner mistake each, that the tests grade and the lesson pages show.

Every reader of tests/lessons/lessonN/fixtures/ (the fixture tests, the catalogue's self-test, the
page generator, scripts/regen_samples.py) takes its fixtures from `mistake_fixtures(lesson)`, so a
mistake that is tested is also shown, and the other way round.

A fixture is either

- a file `<check-id>[--variant].Dockerfile`: the learner's Dockerfile, or
- a folder `<check-id>[--variant]/` holding a `mistake.txt` and the learner's files, laid over the
  sample app (a mistake that is not in the Dockerfile: a script saved with CRLF line endings, a
  Dockerfile saved as Dockerfile.txt, a .dockerignore).

Its notes (the Dockerfile's first comment lines, or `mistake.txt`) say

    # mistake: what the learner did                     (required)
    # expect: warning                                   (when `checks` warns instead of failing)
    # also fails: <check-id>                            (an earlier check the mistake really breaks)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES_ROOT = Path(__file__).resolve().parent.parent / "tests" / "lessons"
SUFFIX = ".Dockerfile"
NOTES = "mistake.txt"
STATUSES = ("failed", "warning")


class FixtureError(Exception):
    """A fixture that does not follow the rules above: the message names the file and the fix."""


@dataclass(frozen=True)
class MistakeFixture:
    path: Path
    lesson_id: str
    check_id: str
    mistake: str  # what the learner did, as `# mistake:` says it
    expect: str  # the status `checks` must give the check: "failed" or "warning"
    also_fails: tuple[str, ...]  # earlier checks the mistake really breaks

    @property
    def name(self) -> str:
        """`<check-id>[--variant]`: the file's or folder's name without `.Dockerfile`."""
        return self.path.name.removesuffix(SUFFIX)

    @property
    def sample_name(self) -> str:
        """The name of what `checks` printed for it: docs/samples/<sample_name>.txt."""
        return f"{self.lesson_id}-mistake-{self.name.lower()}"

    @property
    def notes(self) -> str:
        return read_notes(self.path)

    def files(self) -> list[tuple[str, Path]]:
        """(path in the workspace, source file) of each learner file, in name order."""
        if self.path.is_file():
            return [("Dockerfile", self.path)]
        return [
            (item.relative_to(self.path).as_posix(), item)
            for item in sorted(self.path.rglob("*"))
            if item.is_file() and item.name != NOTES
        ]


def read_notes(path: Path) -> str:
    note = path / NOTES if path.is_dir() else path
    try:
        return note.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FixtureError(f"{note}: cannot read it: {exc.strerror or exc}") from None


def check_id_of(path: Path) -> str:
    return path.name.removesuffix(SUFFIX).split("--")[0]


def is_fixture(path: Path) -> bool:
    return (path.is_file() and path.name.endswith(SUFFIX)) or (path.is_dir() and (path / NOTES).is_file())


def parse(path: Path, lesson_id: str) -> MistakeFixture:
    """One fixture, its notes read and checked."""
    notes = read_notes(path)
    mistake = re.search(r"^# mistake: (.+)$", notes, re.MULTILINE)
    if not mistake:
        raise FixtureError(f"{path}: say what the mistake is in a `# mistake: …` line")
    expect = re.search(r"^# expect: (\w+)", notes, re.MULTILINE)
    status = expect.group(1) if expect else "failed"
    if status not in STATUSES:
        raise FixtureError(f"{path}: `# expect: {status}`: use `# expect: warning`, or no line for a failure")
    also = tuple(re.findall(r"^# also fails: ([\w-]+)", notes, re.MULTILINE))
    return MistakeFixture(path, lesson_id, check_id_of(path), mistake.group(1).strip(), status, also)


def mistake_fixtures(lesson, root: Path = FIXTURES_ROOT) -> list[MistakeFixture]:
    """The lesson's mistake fixtures, in the order of its checks (then by name).

    Anything else in the fixtures folder (a folder without mistake.txt, another file) stops with a
    FixtureError rather than being skipped, so that no mistake is tested but not shown."""
    folder = root / lesson.id / "fixtures"
    if not folder.is_dir():
        return []
    order = {check.id: index for index, check in enumerate(lesson.checks)}
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == "__pycache__":
            continue
        if not is_fixture(path):
            raise FixtureError(
                f"{path}: not a mistake fixture: name a Dockerfile `<check-id>[--variant]{SUFFIX}`, "
                f"or give the folder a {NOTES} with a `# mistake: …` line"
            )
        fixture = parse(path, lesson.id)
        if fixture.check_id not in order:
            raise FixtureError(f"{path}: {lesson.id} has no check {fixture.check_id} (the name starts with a check id)")
        found.append(fixture)
    return sorted(found, key=lambda fixture: (order[fixture.check_id], fixture.name))


def all_mistake_fixtures(catalogue, root: Path = FIXTURES_ROOT) -> list[MistakeFixture]:
    return [fixture for lesson in catalogue.lessons for fixture in mistake_fixtures(lesson, root)]
