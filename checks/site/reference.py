"""The reference parts a page can ask for, each rendered for the page that shows it (links are relative):

cli               the help of `checks` and of each of its commands, from the CLI's parser
checks            every lesson with every check id and title
final-dockerfile  the Dockerfile the lessons end with, folded
exit-codes        the exit codes, from checks/cli.py's EXIT_CODES
settings          the CHECKS_* environment variables, from checks/settings.py's SETTINGS
lessons           a table of the lessons: number, title, instruction, minutes, and the total
python-versions   the Python versions `checks` knows, with their end of life
build-checks      BuildKit's build checks a learner may meet in these lessons, from checks/buildchecks.py's RULES
"""

from __future__ import annotations

import re
from datetime import date

from .markdown import fence, folded, help_text, page_written, read, relative_link


def cli_help(catalogue, page_src: str) -> str:
    from checks.cli import build_parser, commands

    parser = build_parser(catalogue)
    parts = ["### checks", "", fence(help_text(parser), "text")]
    subs = parser.subcommands()
    lessons = {lesson.id for lesson in catalogue.lessons}
    # every lesson command has the same options, except that some also name an image or container:
    # show one of each kind, and say which lessons have which
    kinds: dict[tuple[str, ...], list[str]] = {}
    for command in commands(catalogue):
        sub = subs[command.name]
        if command.name in lessons:
            kinds.setdefault(options_of(sub), []).append(command.name)
            continue
        parts += ["", f"### checks {command.name}", "", fence(help_text(sub), "text")]
        for inner, inner_parser in sub.subcommands().items():  # `checks classroom serve` has options of its own
            parts += ["", f"### checks {command.name} {inner}", "", fence(help_text(inner_parser), "text")]
    for names in kinds.values():
        heading = f"### checks {names[0]}" + (f" … {names[-1]}" if len(names) > 1 else "")
        listed = ", ".join(f"`checks {name}`" for name in names)
        parts += [
            "",
            heading,
            "",
            f"{listed}: grade that lesson, with these options.",
            "",
            fence(help_text(subs[names[0]]), "text"),
        ]
    return "\n".join(parts) + "\n"


def options_of(parser) -> tuple[str, ...]:
    """The options a command takes, as its usage line names them."""
    return tuple(sorted(set(re.findall(r"\[(--?[\w-]+)", parser.format_usage()))))


def all_checks(catalogue, page_src: str) -> str:
    parts = []
    for lesson in catalogue.lessons:
        written = page_written(lesson.page)  # no link to a page still being written
        link = relative_link(page_src, lesson.page)
        parts += [
            f"### Lesson {lesson.number}: {lesson.title}",
            "",
            (f"[The lesson]({link}) · " if written else "")
            + f"about {lesson.minutes} minutes · `checks {lesson.id}` · looks at: {lesson.evidence}",
            "",
            "| check id | what it checks |",
            "|---|---|",
        ]
        for check in lesson.checks:
            title = check.title
            if written:
                title = f"[{title}]({link}#{check.section})" if check.section else f"[{title}]({link})"
            parts.append(f"| `{check.id}` | {title} |")
        parts.append("")
    return "\n".join(parts)


def lessons_table(catalogue, page_src: str) -> str:
    rows = ["| lesson | you learn | new in the Dockerfile | minutes |", "|---|---|---|---|"]
    for lesson in catalogue.lessons:
        title = lesson.title
        if page_written(lesson.page):
            title = f"[{title}]({relative_link(page_src, lesson.page)})"
        instruction = f"`{lesson.instruction}`" if lesson.instruction else "—"
        rows.append(f"| {lesson.number} | {title} | {instruction} | {lesson.minutes} |")
    total = sum(lesson.minutes for lesson in catalogue.lessons)
    hours, minutes = divmod(total, 60)
    spelled = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    rows.append(f"| | **all {len(catalogue.lessons)} lessons** | | **{total}** ({spelled}) |")
    return "\n".join(rows) + "\n"


def python_versions(catalogue, page_src: str) -> str:
    from checks.checkers.lesson1 import PYTHON_END_OF_LIFE, support

    today = date.today()
    rows = ["| Python | end of life | `checks lesson1` today |", "|---|---|---|"]
    words = {
        "ended": "✗ fails: no more security fixes",
        "ending": "! warns: ends within six months",
        "supported": "✓ passes",
    }
    for minor, end in sorted(PYTHON_END_OF_LIFE.items(), reverse=True):
        if minor < (3, 7):
            continue
        state, _ = support(minor, today)
        rows.append(f"| {minor[0]}.{minor[1]} | {end.isoformat()} | {words.get(state, state)} |")
    return "\n".join(rows) + "\n"


def exit_codes(catalogue, page_src: str) -> str:
    """The exit codes, from the CLI's own table."""
    from checks.cli import EXIT_CODES

    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| {exit.code} | {exit.meaning} |" for exit in EXIT_CODES]
    return "\n".join(rows) + "\n"


def settings_table(catalogue, page_src: str) -> str:
    """The CHECKS_* environment variables, from the one table that reads them."""
    from checks.settings import SETTINGS

    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {f'`{s.default}`' if s.default else '(none)'} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


def final_dockerfile(catalogue, page_src: str) -> str:
    """The Dockerfile the lessons end with (the last lesson whose solution is one), folded away."""
    last = [lesson for lesson in catalogue.lessons if lesson.solution_path.name == "Dockerfile"][-1]
    text = read(last.solution_path, f"{last.id} solution")
    title = f"Peek at the finished Dockerfile (the solution of lesson {last.number}: no need to understand it yet)"
    return folded("example", title, fence(text, "dockerfile", title="Dockerfile"))


def rule_url(name: str) -> str:
    """Docker's page for a build-check rule, as the engine names it (JSONArgsRecommended → json-args-recommended)."""
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()
    return f"https://docs.docker.com/go/dockerfile/rule/{kebab}/"


def build_checks(catalogue, page_src: str) -> str:
    """The build-check rules of checks/buildchecks.py, one item each (a table does not fit a phone): an example
    that makes the engine warn (tests/test_build_checks.py builds each), the lesson and check that find the
    same mistake, and what the rule means in these lessons."""
    from checks.buildchecks import RULES

    items = []
    for rule in RULES:
        lines = [line for line in rule.example.splitlines() if line != "FROM python:3.13-slim"]
        example = ", ".join(f"`{line}`" for line in lines)
        lesson = catalogue.get(rule.lesson)
        where = f"[lesson {lesson.number}]({relative_link(page_src, lesson.page)})"
        where += f", check `{rule.check}`" if rule.check else ""
        items.append(f"- **[{rule.name}]({rule_url(rule.name)})** ({where}), for example {example}: {rule.meaning}")
    return "\n".join(items) + "\n"


PARTS = {
    "build-checks": build_checks,
    "final-dockerfile": final_dockerfile,
    "exit-codes": exit_codes,
    "settings": settings_table,
    "cli": cli_help,
    "checks": all_checks,
    "lessons": lessons_table,
    "python-versions": python_versions,
}
