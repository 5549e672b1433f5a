"""MkDocs hook: lesson pages and the reference page are built from the files the tests use.

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
Any page can use the generated reference parts:

    <!-- reference:cli -->     the help of `checks` and of each of its commands, from the CLI's parser
    <!-- reference:checks -->  every lesson with every check id and title
    <!-- reference:final-dockerfile -->  the Dockerfile the lessons end with, folded
    <!-- reference:exit-codes -->  the exit codes, from the CLI module's docstring
    <!-- reference:lessons -->  a table of the lessons: number, title, instruction, minutes, and the total
    <!-- reference:python-versions -->  the Python versions `checks` knows, with their end of life

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

MARKER = re.compile(r"<!--\s*(?P<kind>[\w-]+):(?P<name>[\w-]+)\s*-->")
SAMPLES = ROOT / "docs" / "samples"
LANGUAGES = {"Dockerfile": "dockerfile", ".sh": "sh", ".py": "python", ".toml": "toml", ".txt": "text"}
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
# Markdown helpers


def fence(text: str, language: str = "", title: str = "") -> str:
    """A fenced code block that cannot be closed early by backticks inside `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    info = language + (f' title="{title}"' if title else "")
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.splitlines())


def folded(kind: str, title: str, body: str, open_: bool = False) -> str:
    """A pymdownx.details block: `??? kind "title"` with an indented body."""
    marks = "???+" if open_ else "???"
    return f'{marks} {kind} "{title.replace(chr(34), chr(39))}"\n\n{indent(body)}\n'


def language_of(path: Path) -> str:
    return LANGUAGES.get(path.name) or LANGUAGES.get(path.suffix, "")


def repo_path(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def read(path: Path, why: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PluginError(f"{why}: cannot read {path}: {exc.strerror or exc}") from None


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
# Reference markers


def cli_help() -> str:
    from checks.cli import build_parser

    parser = build_parser(catalogue())
    parts = ["### checks", "", fence(help_text(parser), "text")]
    commands = next(action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction")
    lessons = {lesson.id for lesson in catalogue().lessons}
    # every lesson command has the same options, except that some also name an image or container:
    # show one of each kind, and say which lessons have which
    kinds: dict[tuple[str, ...], list[str]] = {}
    for name, sub in commands.choices.items():
        if name in lessons:
            options = tuple(sorted(o for action in sub._actions for o in action.option_strings))
            kinds.setdefault(options, []).append(name)
    for name, sub in commands.choices.items():
        if name not in lessons:
            parts += ["", f"### checks {name}", "", fence(help_text(sub), "text")]
            for action in sub._actions:
                if action.__class__.__name__ == "_SubParsersAction":  # `checks classroom serve` has options of its own
                    for inner, parser in action.choices.items():
                        parts += ["", f"### checks {name} {inner}", "", fence(help_text(parser), "text")]
    for names in kinds.values():
        heading = f"### checks {names[0]}" + (f" … {names[-1]}" if len(names) > 1 else "")
        listed = ", ".join(f"`checks {name}`" for name in names)
        parts += ["", heading, "", f"{listed}: grade that lesson, with these options.", "",
                  fence(help_text(commands.choices[names[0]]), "text")]
    return "\n".join(parts) + "\n"


def help_text(parser) -> str:
    """argparse's help at a stable width (it otherwise follows the terminal's $COLUMNS)."""
    import os

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        return parser.format_help()
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def all_checks(page_src: str) -> str:
    parts = []
    for lesson in catalogue().lessons:
        written = (ROOT / "docs" / lesson.page).is_file()  # no link to a page still being written
        link = relative_link(page_src, lesson.page)
        parts += [f"### Lesson {lesson.number}: {lesson.title}", "",
                  (f"[The lesson]({link}) · " if written else "")
                  + f"about {lesson.minutes} minutes · `checks {lesson.id}` · looks at: {lesson.evidence}", "",
                  "| check id | what it checks |", "|---|---|"]
        for check in lesson.checks:
            title = check.title
            if written:
                title = f"[{title}]({link}#{check.section})" if check.section else f"[{title}]({link})"
            parts.append(f"| `{check.id}` | {title} |")
        parts.append("")
    return "\n".join(parts)


def relative_link(from_src: str, to_src: str) -> str:
    import posixpath

    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def lessons_table(page_src: str) -> str:
    rows = ["| lesson | you learn | new in the Dockerfile | minutes |", "|---|---|---|---|"]
    for lesson in catalogue().lessons:
        title = lesson.title
        if (ROOT / "docs" / lesson.page).is_file():
            title = f"[{title}]({relative_link(page_src, lesson.page)})"
        instruction = f"`{lesson.instruction}`" if lesson.instruction else "—"
        rows.append(f"| {lesson.number} | {title} | {instruction} | {lesson.minutes} |")
    total = sum(lesson.minutes for lesson in catalogue().lessons)
    hours, minutes = divmod(total, 60)
    spelled = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    rows.append(f"| | **all {len(catalogue().lessons)} lessons** | | **{total}** ({spelled}) |")
    return "\n".join(rows) + "\n"


def python_versions(page_src: str) -> str:
    from datetime import date

    from checks.checkers.lesson1 import PYTHON_END_OF_LIFE, support

    today = date.today()
    rows = ["| Python | end of life | `checks lesson1` today |", "|---|---|---|"]
    words = {"ended": "✗ fails: no more security fixes", "ending": "! warns: ends within six months",
             "supported": "✓ passes"}
    for minor, end in sorted(PYTHON_END_OF_LIFE.items(), reverse=True):
        if minor < (3, 7):
            continue
        state, _ = support(minor, today)
        rows.append(f"| {minor[0]}.{minor[1]} | {end.isoformat()} | {words.get(state, state)} |")
    return "\n".join(rows) + "\n"


def exit_codes(page_src: str) -> str:
    """The exit codes as the CLI's own docstring states them."""
    import checks.cli

    found = re.search(r"Exit codes: (.+?\.)(?=\s+[A-Z]|\s*$)", checks.cli.__doc__ or "", re.DOTALL)
    if not found:
        raise PluginError("checks/cli.py: its docstring no longer says `Exit codes: …`; update the reference hook")
    rows = ["| code | meaning |", "|---|---|"]
    for code, meaning in re.findall(r"(\d+) (.+?)(?=, \d+ |\.$)", " ".join(found.group(1).split())):
        rows.append(f"| {code} | {meaning} |")
    return "\n".join(rows) + "\n"


def final_dockerfile(page_src: str) -> str:
    """The Dockerfile the lessons end with (the last lesson whose solution is one), folded away."""
    last = [lesson for lesson in catalogue().lessons if lesson.solution_path.name == "Dockerfile"][-1]
    text = read(last.solution_path, f"{last.id} solution")
    title = f"Peek at the finished Dockerfile (the solution of lesson {last.number}: no need to understand it yet)"
    return folded("example", title, fence(text, "dockerfile", title="Dockerfile"))


REFERENCE_MARKERS = {
    "final-dockerfile": final_dockerfile,
    "exit-codes": exit_codes,
    "cli": lambda page_src: cli_help(),
    "checks": all_checks,
    "lessons": lessons_table,
    "python-versions": python_versions,
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
        if kind == "reference":
            if name not in REFERENCE_MARKERS:
                raise PluginError(f"{src}: unknown marker {match.group(0)}; known: "
                                  + ", ".join(f"<!-- reference:{n} -->" for n in REFERENCE_MARKERS))
            return REFERENCE_MARKERS[name](src)
        if kind.startswith(("lesson", "reference")):
            raise PluginError(f"{src}: unknown marker {match.group(0)}: use <!-- lesson:… --> or <!-- reference:… -->")
        return match.group(0)  # an ordinary HTML comment

    return MARKER.sub(replace, markdown)
