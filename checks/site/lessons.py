"""The parts of a lesson page, from its lesson.toml, its mistake fixtures and its solution:

header    the goal, the time and the command that checks the lesson (and the page's title,
          `# Lesson N: title`, unless the page has its own)
checks    what `checks lessonN` verifies: each check's title, id and why
hints     the hints, folded, from a nudge to nearly the answer
mistakes  each mistake fixture (checks/fixtures.py): what the learner did, their files, and
          what `checks` says about them
solution  the solution file, folded away
next      a link to the next lesson, with its goal
"""

from __future__ import annotations

import re

from checks.catalogue import CheckInfo, Lesson
from checks.fixtures import FixtureError, MistakeFixture, mistake_fixtures

from . import ROOT, SiteError
from .markdown import fence, folded, language_of, page_written, read, relative_link, repo_path

SAMPLES = ROOT / "docs" / "samples"
# the snippet section markers of a solution (`# --8<-- [start:build]`) are for the pages, not for the reader
SECTION_LINE = re.compile(r"^\s*#?\s*-{1,2}8<-{1,2}\s*\[(start|end):[\w-]+\]\s*$")


def header(catalogue, lesson: Lesson, has_title: bool = False) -> str:
    total = len(lesson.checks)
    lines = [] if has_title else [f"# Lesson {lesson.number}: {lesson.title}", ""]
    lines += [
        f'!!! abstract "Lesson {lesson.number} of {len(catalogue.lessons)} · about {lesson.minutes} minutes"',
        "",
        f"    **Goal:** {lesson.goal}",
        "",
    ]
    if lesson.instruction:
        lines += [f"    **New instruction:** `{lesson.instruction}`", ""]
    lines += [
        f"    **Check your work:** `checks {lesson.id}` runs {total} check{'s' if total != 1 else ''} "
        "on your workspace."
    ]
    return "\n".join(lines) + "\n"


def check_link(check: CheckInfo) -> str:
    return f"[{check.title}](#{check.section})" if check.section else check.title


def checks_list(catalogue, lesson: Lesson) -> str:
    rows = ["| | check | why it matters |", "|---|---|---|"]
    for number, check in enumerate(lesson.checks, start=1):
        why = check.why.replace("|", "\\|")
        goal = " **(goal)**" if check.goal else ""
        rows.append(f"| {number} | {check_link(check)}{goal}<br>`{check.id}` | {why} |")
    intro = (
        f"`checks {lesson.id}` first runs the checks of the earlier lessons, then these, in this order. "
        "Each line of its output starts with ✓ (passed), ✗ (failed), ! (a warning) or - (skipped, "
        "because an earlier check failed). The lesson passes only when the checks marked **(goal)**, "
        "which prove its goal, passed: one that could not run is a failure, never a pass."
    )
    return intro + "\n\n" + "\n".join(rows) + "\n"


def hints(catalogue, lesson: Lesson) -> str:
    count = len(lesson.hints)
    blocks = [folded("tip", f"Hint {number} of {count}", hint) for number, hint in enumerate(lesson.hints, 1)]
    tail = f"In a terminal, `checks hint {lesson.id}` shows these one at a time, and the solution after the last one."
    return "\n".join(blocks) + "\n" + tail + "\n"


# A mistake that starts with a command, a path, an option or a variable keeps its case, in code:
# "`apt-get install` without -y", "`sudo`, as on a desktop", "`/tmp`, a folder …".
COMMANDS = {"apk", "apt", "apt-get", "curl", "dnf", "gcc", "pip", "pip3", "python", "python3", "sudo", "uwsgi", "yum"}
SUBCOMMANDS = {"install", "update", "remove", "upgrade"}
LEADING_WORD = re.compile(r"^([^\s,:;]+)")


def mistake_title(mistake: str) -> str:
    """A mistake's `# mistake:` line as the title of its folded block."""
    found = LEADING_WORD.match(mistake)
    word = found.group(1) if found else ""
    if word in COMMANDS or word[:1] in ("$", "/", "-", "~"):
        rest = mistake[len(word) :]
        following = rest.split(maxsplit=1)
        if word in COMMANDS and following and following[0] in SUBCOMMANDS:
            word += " " + following[0]
            rest = rest.lstrip()[len(following[0]) :]
        return f"`{word}`{rest}"
    return mistake[:1].upper() + mistake[1:]


def mistake_block(lesson: Lesson, fixture: MistakeFixture) -> str:
    """One mistake, folded: the learner's files, then what `checks` says about them."""
    check = lesson.check(fixture.check_id)
    kind, verdict = ("warning", "warns") if fixture.expect == "warning" else ("failure", "fails")
    # a Dockerfile is shown whole, comments included, so that the line numbers `checks` prints match
    shown = [
        fence(read(source, "mistake fixture").strip("\n"), "dockerfile" if "Dockerfile" in name else "text", title=name)
        for name, source in fixture.files()
    ]
    sample = SAMPLES / f"{fixture.sample_name}.txt"
    if sample.is_file():  # what `checks` printed for this very file (scripts/regen_samples.py)
        said = [
            f"`checks {lesson.id}` {verdict} **{check_link(check)}**:",
            fence(read(sample, "sample output"), "console"),
        ]
    else:
        said = [f"`checks {lesson.id}` {verdict} **{check_link(check)}** (`{check.id}`).", f"**Fix:** {check.hint}"]
    return folded(kind, mistake_title(fixture.mistake), "\n\n".join([*shown, *said]))


def mistakes(catalogue, lesson: Lesson) -> str:
    try:
        fixtures = mistake_fixtures(lesson)
    except FixtureError as problem:
        raise SiteError(str(problem)) from None
    if not fixtures:
        raise SiteError(
            f"{lesson.page} shows the mistakes, but tests/lessons/{lesson.id}/fixtures/ "
            "has no mistake fixture: add the mistakes the tests catch first"
        )
    blocks = [mistake_block(lesson, fixture) for fixture in fixtures]
    intro = (
        "Each of these is a mistake from the tests: `checks` is run on it there and must name it. "
        "Open one to see the file and what `checks` says about it."
    )
    return intro + "\n\n" + "\n".join(blocks)


def next_step(catalogue, lesson: Lesson) -> str:
    following = catalogue.after(lesson)
    if following is None:
        return (
            "This was the last lesson: you have packaged, built, run and debugged a Python web app "
            "with Docker. `checks progress` shows every lesson you passed.\n"
        )
    text = f"Lesson {following.number}, **{following.title}**"
    if page_written(following.page):
        text = f"[{text}]({relative_link(lesson.page, following.page)})"
    return f"When `checks {lesson.id}` passes, go on to {text}: {following.goal[0].lower()}{following.goal[1:]}\n"


def solution(catalogue, lesson: Lesson) -> str:
    path = lesson.solution_path
    text = "\n".join(line for line in read(path, f"{lesson.id} solution").splitlines() if not SECTION_LINE.match(line))
    text = re.sub(r"\n{3,}", "\n\n", text)
    title = f"The solution: {repo_path(path)}"
    return folded("success", title, fence(text, language_of(path), title=path.name))


PARTS = {
    "header": header,
    "checks": checks_list,
    "hints": hints,
    "mistakes": mistakes,
    "solution": solution,
    "next": next_step,
}
