"""The lesson catalogue: one `lesson.toml` per lesson under lessons/, read by the CLI, the docs and the tests.

Every fact about a lesson (number, title, page, check ids, titles, hints) is written once, in its
`lesson.toml`. Unknown or missing fields stop with a message that names the file and the fix.
A lesson's file is read when the lesson is first asked for: `checks lesson1` reads lesson 1's only
(start-up time matters); `load()` reads and cross-checks them all, `load(every_lesson=False)` does
not.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class CatalogueError(Exception):
    """The lesson data is broken: a message for the course author, not the learner."""


EVIDENCE = ("dockerfile", "image", "container", "engine")

COURSE_FIELDS = {
    "title": str,
    "site_url": str,
    "serve_url": str,
    "app": str,
    "base_image": str,
    "sidecar_image": str,
    "port": int,
    "image": str,
}
LESSON_FIELDS = {
    "id": str,
    "number": int,
    "title": str,
    "instruction": str,
    "page": str,
    "minutes": int,
    "evidence": str,
    "goal": str,
    "hints": list,
    "solution": str,
    "checks": list,
}
LESSON_OPTIONAL = {"instruction"}
COURSE_OPTIONAL = {"site_url"}  # may be empty: the site is not published yet
CHECK_FIELDS = {
    "id": str,
    "title": str,
    "why": str,
    "hint": str,
    "section": str,
    "goal": bool,
    "question": str,
    "answer": str,
}
CHECK_OPTIONAL = {"section", "goal", "question", "answer"}


def data_dir() -> Path:
    """Where lessons/ is: inside the installed package, or beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_lessons", here.parent / "lessons"):
        if (candidate / "course.toml").is_file():
            return candidate
    raise CatalogueError(f"lesson data not found next to {here}: reinstall with `pip install .`")


@dataclass(frozen=True)
class CheckInfo:
    id: str
    title: str
    why: str
    hint: str
    section: str = ""
    goal: bool = False  # proves the lesson's goal: the lesson passes only when it passed
    question: str = ""  # a question the learner answers before grading (`--answer`, else asked in the terminal)
    answer: str = ""  # what kind of answer it wants, as the prompt names it ("PID")


@dataclass(frozen=True)
class Course:
    title: str
    site_url: str
    serve_url: str
    app: str
    base_image: str
    sidecar_image: str
    port: int
    image: str

    @property
    def images(self) -> tuple[str, ...]:
        """Every image the lessons pull: what a workshop kit carries and `checks doctor` looks for."""
        return (self.base_image, self.sidecar_image)

    @property
    def app_dir(self) -> Path:
        return data_dir() / self.app

    @property
    def home_url(self) -> str:
        """The site's home page, wherever the links point (see checks/docs.py)."""
        from .docs import docs_base, page_link

        return page_link(docs_base(self.site_url, self.serve_url).url, "index.md")


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int
    title: str
    page: str
    minutes: int
    evidence: str
    goal: str
    hints: tuple[str, ...]
    solution: str
    checks: tuple[CheckInfo, ...]
    folder: Path
    instruction: str = ""
    site_url: str = field(default="", compare=False)
    serve_url: str = field(default="", compare=False)

    @property
    def solution_path(self) -> Path:
        return self.folder / self.solution

    @property
    def page_url(self) -> str:
        """The lesson page, wherever the links point (see checks/docs.py)."""
        from .docs import docs_base, page_link

        return page_link(docs_base(self.site_url, self.serve_url).url, self.page)

    def docs_link(self, check: CheckInfo) -> str:
        return self.page_url + (f"#{check.section}" if check.section else "")

    def check(self, check_id: str) -> CheckInfo:
        for info in self.checks:
            if info.id == check_id:
                return info
        raise KeyError(check_id)


class Catalogue:
    """The course and its lessons; a lesson's lesson.toml is read when it is first asked for."""

    def __init__(self, course: Course, files: dict[int, Path]):
        self.course = course
        self.numbers = tuple(sorted(files))
        self._files = files  # number -> lesson.toml
        self._read: dict[int, Lesson] = {}
        self._lock = threading.Lock()

    def with_course(self, course: Course) -> Catalogue:
        """The same lessons under other course-wide facts (a published site_url, say)."""
        other = Catalogue(course, self._files)
        other._read = dict(self._read)
        return other

    def numbered(self, number: int) -> Lesson:
        with self._lock:
            if number not in self._read:
                self._read[number] = _lesson(self._files[number], self.course)
            return self._read[number]

    @cached_property
    def lessons(self) -> tuple[Lesson, ...]:
        """Every lesson in order, read and cross-checked (check ids are global)."""
        lessons = tuple(self.numbered(number) for number in self.numbers)
        seen: dict[str, str] = {}
        for lesson in lessons:
            for info in lesson.checks:
                if info.id in seen:
                    raise CatalogueError(
                        f"check id {info.id} is used by both {seen[info.id]} and {lesson.id}: ids are global"
                    )
                seen[info.id] = lesson.id
        return lessons

    @property
    def ids(self) -> tuple[str, ...]:
        """Every lesson's id, in order, without reading any lesson file."""
        return tuple(f"lesson{number}" for number in self.numbers)

    @property
    def first(self) -> Lesson:
        return self.numbered(self.numbers[0])

    @property
    def last(self) -> Lesson:
        return self.numbered(self.numbers[-1])

    def get(self, name: str) -> Lesson | None:
        """A lesson by id (`lesson3`), also accepting `3` and `lesson03`."""
        wanted = name.strip().lower().removeprefix("lesson")
        if wanted.isdigit() and int(wanted) in self._files:
            return self.numbered(int(wanted))
        return None

    def before(self, lesson: Lesson) -> tuple[Lesson, ...]:
        """The earlier lessons whose steps lesson N builds on.

        A lesson graded on the engine's state (lessons 8-10: an image the learner built, a running
        container, a sidecar) builds on every lesson before it. A lesson graded on the workspace
        (its Dockerfile, .dockerignore, the image built from them) builds on the earlier workspace
        lessons only: lesson 11 does not need lesson 10's sidecar to be running.
        """
        earlier = [self.numbered(number) for number in self.numbers if number < lesson.number]
        if lesson.evidence == "engine":
            return tuple(earlier)
        return tuple(other for other in earlier if other.evidence != "engine")

    def workspace_files(self, lesson: Lesson, solved: bool = True) -> dict[str, Path]:
        """The files the learner has written after lesson N (`solved`) or before it: {name: reference file}.

        Each workspace lesson's solution folder holds whole files (the Dockerfile, lesson 11's
        .dockerignore); a later lesson's file replaces an earlier one of the same name.
        """
        steps = (*self.before(lesson), lesson) if solved else self.before(lesson)
        files: dict[str, Path] = {}
        for step in steps:
            if step.evidence == "engine":
                continue
            folder = step.solution_path.parent
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files[path.relative_to(folder).as_posix()] = path
        return files

    def after(self, lesson: Lesson) -> Lesson | None:
        later = [number for number in self.numbers if number > lesson.number]
        return self.numbered(later[0]) if later else None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from None


def _fields(where: str, data: dict, spec: dict, optional: set[str]) -> dict:
    unknown = sorted(set(data) - set(spec))
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}; known fields: {', '.join(spec)}")
    missing = sorted(set(spec) - set(data) - optional)
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}: add them")
    for name, kind in spec.items():
        if name in data and not isinstance(data[name], kind):
            raise CatalogueError(f"{where}: field {name} must be a {kind.__name__}, not {type(data[name]).__name__}")
        if kind is str and name in data and not data[name].strip() and name not in optional:
            raise CatalogueError(f"{where}: field {name} is empty: write it")
    return data


def _lesson(path: Path, course: Course) -> Lesson:
    data = _fields(str(path), _read_toml(path), LESSON_FIELDS, LESSON_OPTIONAL)
    if data["id"] != path.parent.name or data["id"] != f"lesson{data['number']}":
        raise CatalogueError(f"{path}: id must be lesson{data['number']} and match its folder name {path.parent.name}")
    if data["evidence"] not in EVIDENCE:
        raise CatalogueError(f"{path}: evidence must be one of {', '.join(EVIDENCE)}")
    if not data["hints"] or not all(isinstance(h, str) and h.strip() for h in data["hints"]):
        raise CatalogueError(f"{path}: hints must be a non-empty list of non-empty strings")
    if not (path.parent / data["solution"]).is_file():
        raise CatalogueError(f"{path}: solution file {data['solution']} does not exist")
    checks = []
    for index, raw in enumerate(data["checks"]):
        if not isinstance(raw, dict):
            raise CatalogueError(f"{path}: checks[{index}] must be a table ([[checks]])")
        info = CheckInfo(**_fields(f"{path}: checks[{index}]", raw, CHECK_FIELDS, CHECK_OPTIONAL))
        if bool(info.question) != bool(info.answer):
            raise CatalogueError(
                f'{path}: checks[{index}]: `question` and `answer` (its kind, as "PID") go together: write both'
            )
        checks.append(info)
    if not checks:
        raise CatalogueError(f"{path}: a lesson needs at least one [[checks]] entry")
    if not any(info.goal for info in checks):
        raise CatalogueError(
            f"{path}: no check has `goal = true`: mark the checks that prove the lesson's goal "
            "(the lesson passes only when they passed)"
        )
    return Lesson(
        id=data["id"],
        number=data["number"],
        title=data["title"],
        instruction=data.get("instruction", ""),
        page=data["page"],
        minutes=data["minutes"],
        evidence=data["evidence"],
        goal=data["goal"],
        hints=tuple(data["hints"]),
        solution=data["solution"],
        checks=tuple(checks),
        folder=path.parent,
        site_url=course.site_url,
        serve_url=course.serve_url,
    )


@cache
def load(root: Path | None = None, every_lesson: bool = True) -> Catalogue:
    """The catalogue; `every_lesson`: read and cross-check every lesson now, else each when asked for."""
    root = root or data_dir()
    course = Course(
        **{
            "site_url": "",
            **_fields(str(root / "course.toml"), _read_toml(root / "course.toml"), COURSE_FIELDS, COURSE_OPTIONAL),
        }
    )
    files: dict[int, Path] = {}
    for path in root.glob("lesson*/lesson.toml"):
        number = path.parent.name.removeprefix("lesson")
        if not number.isdigit():
            raise CatalogueError(f"{path}: a lesson's folder is named lessonN (N its number), not {path.parent.name}")
        if int(number) in files:
            raise CatalogueError(
                f"{root}: two lessons share a number: {files[int(number)].parent.name}, {path.parent.name}"
            )
        files[int(number)] = path
    if not files:
        raise CatalogueError(f"{root}: no lesson*/lesson.toml found")
    catalogue = Catalogue(course, files)
    if every_lesson:
        catalogue.lessons  # noqa: B018 - read now: a broken lesson file fails here
    return catalogue
