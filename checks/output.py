"""Human output in the style of a good linter: a mark per check, `file:line`, why, hint, docs, verdict."""

from __future__ import annotations

import os
import sys

from .catalogue import Catalogue, Lesson
from .result import ERROR, FAILED, PASSED, SKIPPED, WARNING, Report, Result

MARKS = {PASSED: "✓", FAILED: "✗", WARNING: "!", SKIPPED: "-", ERROR: "✗"}
ASCII_MARKS = {PASSED: "ok", FAILED: "FAIL", WARNING: "warn", SKIPPED: "skip", ERROR: "ERR"}
COLORS = {PASSED: "32", FAILED: "31", WARNING: "33", SKIPPED: "2", ERROR: "31"}


class Style:
    """Colour only on a terminal and never with NO_COLOR; plain ASCII marks where ✓ cannot be printed."""

    def __init__(self, stream=None):
        stream = stream or sys.stdout
        tty = hasattr(stream, "isatty") and stream.isatty()
        self.color = bool(os.environ.get("FORCE_COLOR")) or (
            tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        )
        if os.environ.get("NO_COLOR"):
            self.color = False
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "✓✗".encode(encoding)
            self.marks = MARKS
        except (UnicodeEncodeError, LookupError):
            self.marks = ASCII_MARKS

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def mark(self, status: str) -> str:
        return self.paint(self.marks[status], COLORS[status])

    def bold(self, text: str) -> str:
        return self.paint(text, "1")

    def dim(self, text: str) -> str:
        return self.paint(text, "2")


def _detail(result: Result, style: Style, indent: str) -> list[str]:
    lines: list[str] = []
    if result.status in (SKIPPED, PASSED):
        return lines
    where = (
        f"{result.file}:{result.line}: " if result.file and result.line else (f"{result.file}: " if result.file else "")
    )
    if result.message:
        first, *more = result.message.splitlines()
        lines.append(f"{indent}  {where}{first}")
        lines += [f"{indent}    {line}" for line in more]  # e.g. a build step's last output
    if result.status in (FAILED, ERROR, WARNING):
        if result.why:
            lines.append(f"{indent}  {style.dim('why:')}  {result.why}")
        if result.hint:
            lines.append(f"{indent}  {style.dim('hint:')} {result.hint}")
        lines.append(f"{indent}  {style.dim('docs:')} {result.docs}")
    return lines


def format_result(result: Result, style: Style, indent: str = "") -> list[str]:
    head = f"{indent}{style.mark(result.status)} {result.title}"
    if result.status == PASSED and result.message:
        head += style.dim(f" ({result.message})")
    if result.status != PASSED:
        head += style.dim(f" [{result.id}]")
    if result.status == SKIPPED and result.message:
        head += style.dim(f" (skipped: {result.message})")
    return [head, *_detail(result, style, indent)]


def counted(number: int, status: str) -> str:
    """`2 warnings`, `1 error`, `3 passed`: nouns take a plural, participles do not."""
    plural = {WARNING: "warnings", ERROR: "errors"}.get(status, status)
    return f"{number} {status if number == 1 else plural}"


def checks_word(number: int) -> str:
    """`1 check`, `7 checks`: a lesson may have a single check."""
    return f"{number} check{'' if number == 1 else 's'}"


def counts(results: list[Result]) -> str:
    """`1 failed, 2 warnings, 3 passed`: every status that occurs, so a skipped check is never counted as passed."""
    order = (FAILED, ERROR, WARNING, SKIPPED, PASSED)
    numbers = {status: sum(r.status == status for r in results) for status in order}
    return ", ".join(counted(numbers[status], status) for status in order if numbers[status])


def render(report: Report, catalogue: Catalogue, lesson: Lesson, workspace: str, style: Style) -> str:
    out = [style.bold(f"Lesson {lesson.number}: {lesson.title}") + style.dim(f"  (workspace: {workspace})"), ""]
    first_failed_lesson: Lesson | None = None
    for earlier in catalogue.before(lesson):
        results = report.of(earlier.id)
        bad = [r for r in results if r.status in (FAILED, ERROR)]
        unproved = [r for r in results if r.goal and r.status == SKIPPED]
        if bad:
            first_failed_lesson = first_failed_lesson or earlier
            out.append(
                f"{style.mark(FAILED)} Lesson {earlier.number} ({earlier.title}): "
                f"{len(bad)} of {checks_word(len(results))} failed, see `checks {earlier.id}`"
            )
            for result in results:
                if result.status != PASSED:
                    out += format_result(result, style, indent="    ")
        elif all(r.status == PASSED for r in results):
            out.append(
                f"{style.mark(PASSED)} Lesson {earlier.number} ({earlier.title}): {checks_word(len(results))} passed"
            )
        elif unproved:  # its goal could not be proved, because of a later step: not passed, not failed
            out.append(
                f"{style.mark(SKIPPED)} Lesson {earlier.number} ({earlier.title}): {counts(results)}; not "
                f"proved: {', '.join(r.id for r in unproved)} could not run ({unproved[0].message})"
            )
        else:  # warnings and skipped checks are named as such, never counted as passed
            out.append(f"{style.mark(PASSED)} Lesson {earlier.number} ({earlier.title}): {counts(results)}")
    if catalogue.before(lesson):
        out.append("")
    own = report.of(lesson.id)
    for result in own:
        out += format_result(result, style)
    out.append("")
    if report.passed:
        out.append(style.paint(f"Lesson {lesson.number} passed", "1;32") + f" ({counts(report.results)}).")
        following = catalogue.after(lesson)
        if following:
            out.append(f"Next: checks {following.id}  ({following.title}: {following.page_url})")
        else:
            out.append("You have finished every lesson. Well done!")
    else:
        out.append(style.paint(f"Lesson {lesson.number} not passed", "1;31") + f" ({counts(report.results)}).")
        caused = next(
            (
                r
                for earlier in catalogue.before(lesson)
                for r in report.of(earlier.id)
                if r.status in (FAILED, ERROR) and r.caused_by and r.caused_by[1] == lesson.id
            ),
            None,
        )
        taught = catalogue.get(caused.lesson) if caused is not None else None
        if caused is not None and caused.caused_by is not None and taught is not None:
            out.append(
                f"Next: `{caused.caused_by[0]}`, which breaks lesson {taught.number}'s {caused.id}, is part of this "
                f"lesson's step: fix it here (lesson {taught.number} is where the idea was taught: "
                f"{taught.page_url}), then run `checks {lesson.id}` again."
            )
        elif first_failed_lesson is not None:
            out.append(
                f"Next: this is lesson {first_failed_lesson.number}'s step: run `checks {first_failed_lesson.id}` "
                f"and read {first_failed_lesson.page_url}"
            )
        else:
            out.append(f"Next: fix what is marked {style.marks[FAILED]} above, then run `checks {lesson.id}` again.")
    return "\n".join(out)
