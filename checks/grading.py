"""One grading of one lesson: the context, the checks, the clean-up, the progress file and the board.

`checks lessonN`, `checks watch` and any other front end (a page served locally, say) call `grade()`
and only render the Report it returns. `on_status` tells a front end what is under way as it
happens (a server streams it to its page): each check's result as it is known, then the whole
Report ("done") before the board is told, so a slow board never delays the verdict. Answers a
lesson asks the learner for come in `Options`, collected before grading: a check never prints or
reads the terminal.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import busy, progress, status
from .catalogue import Catalogue, Lesson
from .context import Context
from .result import Report, Result
from .runner import run_lesson


@dataclass(frozen=True)
class Options:
    """What the learner said about this grading (the command line's options)."""

    image: str | None = None  # the image to grade (default: the course's)
    container: str | None = None  # the container to grade (default: found by image)
    answer: str | None = None  # the answer to the lesson's question, if it asks one
    board: bool = True  # report the result to the progress board, when the workspace joined one
    front: str = "checks"  # who grades (`checks lesson5`, `checks watch`, `checks serve`), told to a second grading
    wait: float | None = None  # seconds to wait for another grading of the workspace (default busy.WAIT_LIMIT)

    def as_context_options(self) -> dict:
        return {"image": self.image, "container": self.container, "answer": self.answer}


@dataclass(frozen=True)
class Status:
    """What a grading is doing now: `phase` is one of PHASES; `result` is set when a check ended,
    `report` when the grading is done."""

    phase: str
    lesson: str
    text: str = ""
    result: Result | None = None
    report: Report | None = None


PHASES = ("grading", "checked", "cleaning up", "done")
StatusCallback = Callable[[Status], None]


def grade(
    workspace: Path,
    catalogue: Catalogue,
    lesson: Lesson,
    options: Options | None = None,
    on_status: StatusCallback | None = None,
) -> Report:
    """Grade `lesson` in `workspace`: its checks and the earlier lessons' it builds on.

    Everything the grading created is removed before this returns, also on Ctrl-C (a second
    Ctrl-C waits for the clean-up). The result is recorded in the workspace's progress file and,
    best effort, sent to the board. EngineProblem (the engine cannot be reached) and
    KeyboardInterrupt pass through; nothing is recorded then. One grading of a workspace runs at a time
    (checks/busy.py): this one waits up to `options.wait` seconds for another, then raises busy.Busy."""
    options = options or Options()
    waiting = None

    def on_wait(holder: busy.Holder | None) -> None:  # another grading of this workspace runs: say whose
        nonlocal waiting
        text = f"waiting for another grading of this workspace: {holder.describe() if holder else 'another checks'}"
        if waiting is None:
            waiting = status.begin(text)
        else:
            status.update(waiting, text)

    try:
        wait = busy.WAIT_LIMIT if options.wait is None else options.wait
        with busy.one_grading(workspace, lesson.id, options.front, wait, on_wait):
            if waiting is not None:
                waiting.end()
                waiting = None
            return _grade(workspace, catalogue, lesson, options, on_status)
    finally:
        if waiting is not None:
            waiting.end()


def _grade(
    workspace: Path, catalogue: Catalogue, lesson: Lesson, options: Options, on_status: StatusCallback | None
) -> Report:
    tell = on_status or (lambda status: None)
    context = Context(workspace, catalogue, options.as_context_options())
    tell(Status("grading", lesson.id, f"lesson {lesson.number}, {lesson.title}"))
    try:
        report = run_lesson(
            catalogue, lesson, context, lambda result: tell(Status("checked", lesson.id, result.id, result))
        )
    finally:
        tell(Status("cleaning up", lesson.id))
        with interrupts_deferred():  # a second Ctrl-C must not leave our images behind
            context.cleanup()
    progress.record(workspace, lesson.id, report.passed, report.failed_ids, catalogue)
    tell(Status("done", lesson.id, "passed" if report.passed else "not passed", report=report))
    if options.board:
        report_to_board(workspace, lesson.id, report)
    return report


BOARD_FILE = ".checks-classroom.json"  # checks/classroom/client.py's FILENAME (tests/test_grading.py keeps them one)


def joined_a_board(workspace: Path) -> bool:
    """Did `checks join` make this workspace report to a board? (Without loading the board's client.)"""
    return (workspace / BOARD_FILE).exists()


def report_to_board(workspace: Path, lesson_id: str, report: Report) -> None:
    """Best effort: the board's trouble never changes the output or the outcome (the learner's run is what
    matters). A Ctrl-C while it waits for the board is the learner's, or `checks serve`'s and `checks watch`'s
    own stop: it goes on (the report is queued first, and goes with the next command)."""
    if not joined_a_board(workspace):
        return
    from .classroom.client import report_quietly  # the board's client (urllib…), only for a board

    with contextlib.suppress(Exception):
        sys.stdout.flush()
        report_quietly(workspace, lesson_id, report.passed, report.failed_ids)


def ask_answers(lesson: Lesson, options: Options, ask: Callable[[str, str], str | None]) -> Options:
    """The answer to the lesson's question, asked with `ask(question, prompt)` unless options has one."""
    questions = [info for info in lesson.checks if info.question]
    if not questions or options.answer is not None:
        return options
    info = questions[0]
    answer = ask(info.question, info.answer)
    return replace(options, answer=answer)


def ask_in_terminal(question: str, kind: str) -> str | None:
    """The learner's answer typed in the terminal, or None when stdin closed."""
    print(f"Question: {question}", flush=True)
    try:
        return input(f"{kind}: ")
    except EOFError:
        return None


def _defer(caught: list) -> Callable:
    return lambda signum, frame: caught.append(signum)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while cleaning up; act on them afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {n: signal.signal(getattr(signal, n), _defer(caught)) for n in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
        if caught:
            raise KeyboardInterrupt
