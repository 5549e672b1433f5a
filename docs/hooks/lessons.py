"""MkDocs hook: lesson pages are built from the files the tests use.

Every fact on a lesson page that `checks` also knows (title, goal, time, the checks, the hints, the
mistakes the tests catch, the solution) comes from `lessons/lessonN/lesson.toml`, the fixtures in
`tests/lessons/lessonN/fixtures/` and the solution file. A page asks for them with markers:

    <!-- lesson:header -->    the goal, the time and the command that checks the lesson
    <!-- lesson:checks -->    what `checks lessonN` verifies: each check's title, id and why
    <!-- lesson:hints -->     the hints, folded, from a nudge to nearly the answer
    <!-- lesson:mistakes -->  each mistake fixture: what the learner did, the Dockerfile, the check
                              that catches it and its hint
    <!-- lesson:solution -->  the solution file, folded away
    <!-- lesson:next -->      a link to the next lesson, with its goal

(`lesson:header` also writes the page's title, `# Lesson N: title`, unless the page has its own.)
The reference markers (`<!-- reference:cli -->` …) are docs/hooks/reference.py's.

An unknown marker, or a lesson marker on a page that is not a lesson's, stops the build.
The "Lessons" section of the navigation is filled from the catalogue, in lesson order.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the site image builds from a plain copy of the repository
    sys.path.insert(0, str(ROOT))

from checks.catalogue import CheckInfo, Lesson, load  # noqa: E402
from checks.fixtures import FixtureError, MistakeFixture, mistake_fixtures  # noqa: E402
from checks.site import SiteError  # noqa: E402
from checks.site.markdown import fence, folded, language_of, read, relative_link, repo_path  # noqa: E402

MARKER = re.compile(r"<!--\s*(?P<kind>[\w-]+):(?P<name>[\w-]+)\s*-->")
SAMPLES = ROOT / "docs" / "samples"
NAV_SECTION = "Lessons"


_catalogue = None


def catalogue():
    """The catalogue, read afresh for each build (so `mkdocs serve` shows an edited lesson.toml)."""
    global _catalogue
    if _catalogue is None:
        _catalogue = load.__wrapped__()
    return _catalogue


# ---------------------------------------------------------------------------------------------
# Navigation


def on_config(config):
    """Fill the empty "Lessons" section of mkdocs.yml's nav with the lessons, in order, and take the
    site's public address (site_url) from lessons/course.toml, where `checks` reads it too."""
    global _catalogue
    _catalogue = None
    if catalogue().course.site_url and not config.get("site_url"):
        config["site_url"] = catalogue().course.site_url.rstrip("/") + "/"
    docs_dir = Path(config["docs_dir"])
    nav = config["nav"] or []
    for entry in nav:
        if isinstance(entry, dict) and NAV_SECTION in entry:
            entry[NAV_SECTION] = [
                {f"{lesson.number}. {lesson.title}": lesson.page}
                for lesson in catalogue().lessons
                # a lesson whose page is still being written stays out of the nav (the catalogue
                # tests fail for it instead), so the strict build is not broken by a missing file
                if (docs_dir / lesson.page).is_file()
            ]
            return config
    raise PluginError(f"mkdocs.yml: the nav needs an empty '{NAV_SECTION}: []' section for the hook to fill")


# ---------------------------------------------------------------------------------------------
# Lesson markers


def header(lesson: Lesson, has_title: bool = False) -> str:
    total = len(lesson.checks)
    lines = [] if has_title else [f"# Lesson {lesson.number}: {lesson.title}", ""]
    lines += [
        f'!!! abstract "Lesson {lesson.number} of {len(catalogue().lessons)} · about {lesson.minutes} minutes"',
        "",
        f"    **Goal:** {lesson.goal}",
        "",
    ]
    if lesson.instruction:
        lines += [f"    **New instruction:** `{lesson.instruction}`", ""]
    lines += [f"    **Check your work:** `checks {lesson.id}` runs {total} check{'s' if total != 1 else ''} "
              "on your workspace."]
    return "\n".join(lines) + "\n"


def check_link(check: CheckInfo) -> str:
    return f"[{check.title}](#{check.section})" if check.section else check.title


def checks_list(lesson: Lesson) -> str:
    rows = ["| | check | why it matters |", "|---|---|---|"]
    for number, check in enumerate(lesson.checks, start=1):
        why = check.why.replace("|", "\\|")
        goal = " **(goal)**" if check.goal else ""
        rows.append(f"| {number} | {check_link(check)}{goal}<br>`{check.id}` | {why} |")
    intro = (f"`checks {lesson.id}` first runs the checks of the earlier lessons, then these, in this order. "
             "Each line of its output starts with ✓ (passed), ✗ (failed), ! (a warning) or - (skipped, "
             "because an earlier check failed). The lesson passes only when the checks marked **(goal)**, "
             "which prove its goal, passed: one that could not run is a failure, never a pass.")
    return intro + "\n\n" + "\n".join(rows) + "\n"


def hints(lesson: Lesson) -> str:
    count = len(lesson.hints)
    blocks = [folded("tip", f"Hint {number} of {count}", hint) for number, hint in enumerate(lesson.hints, 1)]
    tail = (f"In a terminal, `checks hint {lesson.id}` shows these one at a time, and the solution after the "
            "last one.")
    return "\n".join(blocks) + "\n" + tail + "\n"


def mistake_block(lesson: Lesson, fixture: MistakeFixture) -> str:
    """One mistake, folded: the learner's files, then what `checks` says about them."""
    check = lesson.check(fixture.check_id)
    kind, verdict = ("warning", "warns") if fixture.expect == "warning" else ("failure", "fails")
    first = fixture.mistake[0].upper() + fixture.mistake[1:]
    # a Dockerfile is shown whole, comments included, so that the line numbers `checks` prints match
    shown = [fence(read(source, "mistake fixture").strip("\n"), "dockerfile" if "Dockerfile" in name else "text",
                   title=name) for name, source in fixture.files()]
    sample = SAMPLES / f"{fixture.sample_name}.txt"
    if sample.is_file():  # what `checks` printed for this very file (scripts/regen_samples.py)
        said = [f"`checks {lesson.id}` {verdict} **{check_link(check)}**:",
                fence(read(sample, "sample output"), "console")]
    else:
        said = [f"`checks {lesson.id}` {verdict} **{check_link(check)}** (`{check.id}`).",
                f"**Fix:** {check.hint}"]
    return folded(kind, first, "\n\n".join([*shown, *said]))


def mistakes(lesson: Lesson) -> str:
    try:
        fixtures = mistake_fixtures(lesson)
    except FixtureError as problem:
        raise PluginError(str(problem)) from None
    if not fixtures:
        raise PluginError(f"{lesson.page}: <!-- lesson:mistakes --> but tests/lessons/{lesson.id}/fixtures/ "
                          "has no mistake fixture: add the mistakes the tests catch first")
    blocks = [mistake_block(lesson, fixture) for fixture in fixtures]
    intro = ("Each of these is a mistake from the tests: `checks` is run on it there and must name it. "
             "Open one to see the file and what `checks` says about it.")
    return intro + "\n\n" + "\n".join(blocks)


def next_step(lesson: Lesson) -> str:
    following = catalogue().after(lesson)
    if following is None:
        return ("This was the last lesson: you have packaged, built, run and debugged a Python web app "
                "with Docker. `checks progress` shows every lesson you passed.\n")
    text = f"Lesson {following.number}, **{following.title}**"
    if (ROOT / "docs" / following.page).is_file():
        text = f"[{text}]({relative_link(lesson.page, following.page)})"
    return (f"When `checks {lesson.id}` passes, go on to {text}: {following.goal[0].lower()}{following.goal[1:]}\n")


SECTION_LINE = re.compile(r"^\s*#?\s*-{1,2}8<-{1,2}\s*\[(start|end):[\w-]+\]\s*$")


def solution(lesson: Lesson) -> str:
    path = lesson.solution_path
    # the snippet section markers (`# --8<-- [start:build]`) are for the page, not for the reader
    text = "\n".join(line for line in read(path, f"{lesson.id} solution").splitlines()
                     if not SECTION_LINE.match(line))
    text = re.sub(r"\n{3,}", "\n\n", text)
    title = f"The solution: {repo_path(path)}"
    return folded("success", title, fence(text, language_of(path), title=path.name))


LESSON_MARKERS = {
    "header": header,
    "checks": checks_list,
    "hints": hints,
    "mistakes": mistakes,
    "solution": solution,
    "next": next_step,
}


# ---------------------------------------------------------------------------------------------
# The page hook


def lesson_of(src_uri: str) -> Lesson | None:
    return next((lesson for lesson in catalogue().lessons if lesson.page == src_uri), None)


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    lesson = lesson_of(src)
    has_title = re.search(r"^# ", markdown, re.MULTILINE) is not None

    def replace(match: re.Match) -> str:
        kind, name = match.group("kind"), match.group("name")
        if kind == "lesson":
            if name not in LESSON_MARKERS:
                raise PluginError(f"{src}: unknown marker {match.group(0)}; known: "
                                  + ", ".join(f"<!-- lesson:{n} -->" for n in LESSON_MARKERS))
            if lesson is None:
                raise PluginError(f"{src}: {match.group(0)} is only for lesson pages (the `page` of a lesson.toml)")
            if name == "header":
                return header(lesson, has_title)
            return LESSON_MARKERS[name](lesson)
        if kind.startswith("lesson"):
            raise PluginError(f"{src}: unknown marker {match.group(0)}: use <!-- lesson:… --> or <!-- reference:… -->")
        return match.group(0)  # an ordinary HTML comment, or a reference marker (docs/hooks/reference.py)

    try:
        return MARKER.sub(replace, markdown)
    except SiteError as problem:
        raise PluginError(str(problem)) from None
