"""What a check finds (`Outcome`), and the result object that feeds both the human output and --json."""

from __future__ import annotations

from dataclasses import dataclass, field

PASSED, FAILED, WARNING, SKIPPED, ERROR = "passed", "failed", "warning", "skipped", "error"


@dataclass(frozen=True)
class Outcome:
    """What one check found. `message` says what was expected and what was found."""

    status: str
    message: str = ""
    line: int | None = None
    file: str | None = None
    hint: str | None = None  # a hint that follows from the cause found, instead of lesson.toml's
    # the learner's line that broke this (earlier) check, and the lesson whose step wrote it (`.dockerignore`'s
    # `[Bb]in/` is lesson 11's): a learner on that lesson fixes it there, not back in this check's lesson
    caused_by: tuple[str, str] | None = None  # (the line as written, the lesson id)


def passed(message: str = "", line: int | None = None, file: str | None = None) -> Outcome:
    return Outcome(PASSED, message, line, file)


def failed(
    message: str,
    line: int | None = None,
    file: str | None = None,
    hint: str | None = None,
    caused_by: tuple[str, str] | None = None,
) -> Outcome:
    return Outcome(FAILED, message, line, file, hint, caused_by)


def warning(message: str, line: int | None = None, file: str | None = None, hint: str | None = None) -> Outcome:
    return Outcome(WARNING, message, line, file, hint)


def skipped(message: str) -> Outcome:
    return Outcome(SKIPPED, message)


@dataclass
class Result:
    """One check's verdict, with the metadata a learner needs to act on it."""

    id: str
    title: str
    status: str
    message: str
    hint: str
    file: str | None
    line: int | None
    docs: str
    why: str = ""
    lesson: str = ""
    goal: bool = False  # one of the checks that prove the lesson's goal
    caused_by: tuple[str, str] | None = None  # see Outcome.caused_by

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "goal": self.goal,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "docs": self.docs,
        }


@dataclass
class Report:
    lesson: str
    title: str
    results: list[Result] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No check failed, and every check that proves a goal ran: skipped is not passed."""
        return bool(self.results) and not any(
            r.status in (FAILED, ERROR) or (r.goal and r.status == SKIPPED) for r in self.results
        )

    @property
    def failed_ids(self) -> list[str]:
        """The ids of the checks that failed or errored (what the progress file and the board keep)."""
        return [r.id for r in self.results if r.status in (FAILED, ERROR)]

    def of(self, lesson_id: str) -> list[Result]:
        return [r for r in self.results if r.lesson == lesson_id]

    def to_json(self) -> dict:
        return {
            "lesson": self.lesson,
            "title": self.title,
            "passed": self.passed,
            "checks": [r.to_json() for r in self.results],
        }
