"""Registering check functions (`@check`) and running a lesson's checks, prerequisites first."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from functools import cache, partial

from .catalogue import Catalogue, CatalogueError, Lesson
from .context import Context, Unavailable
from .errors import EngineProblem
from .result import ERROR, FAILED, SKIPPED, Outcome, Report, Result, skipped

CheckFunction = Callable[[Context], Outcome]
MARK = "check_id"  # the attribute @check sets on a check function
# Checks of these lessons ask only the built image and containers of it: once the image is built, they run
# ahead in the background (a few at a time) while the checks before them are graded. Not lessons 8-10:
# they read the learner's engine, and lesson 10 asks the learner a question.
AHEAD_EVIDENCE = ("image", "container")


def check(check_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Mark a function as the check `check_id`; its title, hint and page come from lesson.toml."""

    def register(function: CheckFunction) -> CheckFunction:
        setattr(function, MARK, check_id)  # a function carries its id; mypy knows no attributes of functions
        return function

    return register


@cache
def functions_of(lesson: Lesson) -> dict[str, CheckFunction]:
    """The check functions of a lesson's module, by check id; they must match lesson.toml exactly."""
    try:
        module = importlib.import_module(f"checks.checkers.{lesson.id}")
    except ModuleNotFoundError:
        raise CatalogueError(f"{lesson.id} has no checker module checks/checkers/{lesson.id}.py") from None
    found = {getattr(f, MARK): f for f in vars(module).values() if callable(f) and hasattr(f, MARK)}
    declared = {info.id for info in lesson.checks}
    if set(found) != declared:
        missing, extra = sorted(declared - set(found)), sorted(set(found) - declared)
        raise CatalogueError(
            f"{lesson.id}: lesson.toml and checks/checkers/{lesson.id}.py disagree: "
            f"declared but not implemented {missing}, implemented but not declared {extra}"
        )
    return found


def run_one(lesson: Lesson, check_id: str, context: Context) -> Result:
    info = lesson.check(check_id)
    function = functions_of(lesson)[check_id]
    try:
        outcome = function(context)
    except Unavailable as reason:
        outcome = skipped(str(reason))
    except (KeyboardInterrupt, SystemExit):
        raise
    except EngineProblem:
        raise
    except Exception as exc:
        from .engine import engine_trouble  # only on this path: the engine module is slow to import (80 ms)

        trouble = engine_trouble(exc, context.engine_endpoint)
        if trouble:  # the engine failed, not the learner: exit 2 with its whole message, not a lesson failure
            raise EngineProblem(trouble) from None
        outcome = Outcome(ERROR, f"the check itself failed ({type(exc).__name__}: {exc}); please report this")
    line = outcome.line
    file = outcome.file or (context.dockerfile_name if line is not None else None)
    return Result(
        id=info.id,
        title=info.title,
        status=outcome.status,
        message=outcome.message,
        hint=outcome.hint or info.hint,
        file=file,
        line=line,
        docs=lesson.docs_link(info),
        why=info.why,
        lesson=lesson.id,
        goal=info.goal,
        caused_by=outcome.caused_by,
    )


def unproved_goals(results: list[Result]) -> None:
    """A goal check that could not run fails the lesson: show it as a failure with its reason.

    Each cause is shown once: when another check of the lesson already failed, that one names the
    cause and the goal check stays skipped; of several goal checks that could not run, the first is
    shown as the failure (the later ones usually need what it proves) and the others stay skipped
    with their reasons. The lesson is not passed either way (see Report.passed).
    """
    if any(r.status in (FAILED, ERROR) for r in results):
        return
    for result in results:
        if result.goal and result.status == SKIPPED:
            result.status = FAILED
            result.message = f"expected this check to prove the lesson's goal; it could not run: {result.message}"
            return


def run_lesson(
    catalogue: Catalogue, lesson: Lesson, context: Context, on_result: Callable[[Result], None] | None = None
) -> Report:
    """Lesson N's checks, after those of lessons 1 … N-1 whose steps it builds on.

    A goal check that could not run is a failure of the lesson being graded. An earlier lesson's
    goal check that could not run (often because of a later step: the build stops there) keeps
    the lesson from passing, and is shown as a failure only when nothing else is. `on_result` sees
    each check's result as it is known, in the report's order.
    """
    report = Report(lesson=lesson.id, title=lesson.title)
    steps = (*catalogue.before(lesson), lesson)
    context.engine_in_use = any(step.evidence != "dockerfile" for step in steps)
    ahead = [(step, info.id) for step in steps if step.evidence in AHEAD_EVIDENCE for info in step.checks]

    def start_ahead() -> None:  # the image is built: what its checks ask the engine is independent
        for step, check_id in reversed(ahead):  # the later lessons' evidence takes longest (the app probe)
            context.in_background(("check", step.id, check_id), partial(run_one, step, check_id, context))

    context.after_build(start_ahead)
    for step in steps:
        for info in step.checks:
            report.results.append(
                replace(context.memo(("check", step.id, info.id), partial(run_one, step, info.id, context)))
            )
            if on_result is not None:
                on_result(report.results[-1])
    unproved_goals(report.of(lesson.id))
    if not report.passed and not any(r.status in (FAILED, ERROR) for r in report.results):
        for step in steps:
            if any(r.goal and r.status == SKIPPED for r in report.of(step.id)):
                unproved_goals(report.of(step.id))
                break
    return report
