"""The `checks` command.

Its exit codes are EXIT_CODES below (the help and the reference page read them from there), and its
commands are the table of `commands()` (the parser, the dispatch and the reference page read it).
What only some commands need (the docker SDK, the board, the browser) is imported by those commands.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import __version__, grading, progress, settings, status
from .catalogue import CatalogueError, load
from .errors import EngineProblem, UsageError
from .workspace import WorkspaceProblem, create, find, is_course_folder, looks_like_workspace

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class ExitCode:
    code: int
    short: str  # in `checks --help`
    meaning: str  # on the reference page


EXIT_CODES = (
    ExitCode(EXIT_PASSED, "passed", "the lesson passed (or the command succeeded)"),
    ExitCode(EXIT_FAILED, "a check failed", "a check failed (or `doctor` found a blocker)"),
    ExitCode(
        EXIT_USAGE, "usage or environment error", "a usage or environment error, with an `Error: …` line on stderr"
    ),
    ExitCode(EXIT_INTERRUPTED, "interrupted", "interrupted"),
)


class Parser(argparse.ArgumentParser):
    _commands = None  # what add_subparsers returned, if it was called

    def error(self, message: str):  # argparse's own "usage: … error:" becomes our Error: line
        raise UsageError(f"{message}\nRun `checks --help` for the commands, `checks list` for the lessons.")

    def add_subparsers(self, **kwargs):
        self._commands = super().add_subparsers(**kwargs)
        return self._commands

    def subcommands(self) -> dict[str, Parser]:
        """{name: sub-parser} of the commands added to this parser (`checks classroom serve` nests one)."""
        return dict(self._commands.choices) if self._commands is not None else {}


@dataclass(frozen=True)
class Command:
    name: str
    summary: str | Callable[[], str]  # a lesson's title is read from its lesson.toml only when shown
    configure: Callable  # configure(sub-parser)
    handler: Callable  # handler(args, catalogue) -> exit code

    @property
    def help(self) -> str:
        return self.summary if isinstance(self.summary, str) else self.summary()


def build_parser(catalogue, only: str | None = None) -> Parser:
    """The parser; with `only`, just that command's sub-parser, since start-up time matters."""
    parser = Parser(
        prog="checks",
        description="Grade the Docker lessons on your own Docker engine. "
        "Start with `checks init`, then `checks lesson1` in the workspace.",
        epilog="Exit codes: " + ", ".join(f"{exit.code} {exit.short}" for exit in EXIT_CODES) + ".",
    )
    parser.add_argument("--version", action="version", version=f"checks {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    for command in commands(catalogue):
        if only is None or command.name == only:
            command.configure(subs.add_parser(command.name, help=command.help))
    return parser


def commands(catalogue) -> list[Command]:
    """Every command of `checks`, in the order of its help: the workspace's, the lessons', the classroom's."""

    def with_path(sub):
        sub.add_argument(
            "--path",
            default=None,
            metavar="DIR",
            help="a folder in the workspace (default: the current folder; the workspace is found upward from it)",
        )
        return sub

    def init(sub):
        sub.add_argument("dir", nargs="?", default=catalogue.course.app, help="folder to create (default: %(default)s)")

    def doctor(sub):
        with_path(sub).add_argument("--json", action="store_true", help="print the report as one JSON object")

    def hint(sub):
        with_path(sub).add_argument("lesson", help="e.g. lesson3")

    def watch(sub):
        with_path(sub).add_argument("lesson", nargs="?", help="e.g. lesson3 (default: the first not passed)")

    def serve(sub):
        with_path(sub).add_argument(
            "lesson", nargs="?", help="the lesson page to open first, e.g. lesson3 (default: the home page)"
        )
        sub.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
        sub.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to listen on (default: %(default)s, this machine only; any other is warned about)",
        )
        sub.add_argument(
            "--site", metavar="DIR", help="the built site to serve (default: the copy installed with checks)"
        )
        sub.add_argument("--no-browser", action="store_true", help="print the address only; open no browser")
        sub.add_argument(
            "--image", metavar="NAME[:TAG]", help=f"the image the pages grade (default: {catalogue.course.image})"
        )
        sub.add_argument("--container", metavar="NAME", help="the container the pages grade (default: found by image)")

    def docs(sub):
        sub.add_argument("lesson", nargs="?", help="e.g. lesson3 (default: the home page)")

    def lesson_options(lesson_id):
        def configure(sub):
            lesson = catalogue.get(lesson_id)
            with_path(sub).add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
            if lesson.evidence in ("engine", "container"):
                sub.add_argument(
                    "--image", metavar="NAME[:TAG]", help=f"the image to grade (default: {catalogue.course.image})"
                )
                sub.add_argument("--container", metavar="NAME", help="the container to grade (default: found by image)")
            if any(info.question for info in lesson.checks):
                sub.add_argument(
                    "--answer",
                    metavar="TEXT",
                    help="your answer to the lesson's question (default: asked in the terminal)",
                )
            sub.set_defaults(lesson=lesson.id)

        return configure

    table = [
        Command("init", "create a workspace with the sample app (default ./together)", init, command_init),
        Command("list", "every lesson with its number, title and this workspace's status", with_path, command_list),
        Command("progress", "this workspace's last result per lesson", with_path, command_progress),
        Command(
            "doctor",
            "can this machine do the workshop? (paste its report when asking for help)",
            doctor,
            command_doctor,
        ),
        Command("hint", "one more hint for a lesson each time, ending with the solution", hint, command_hint),
        Command("docs", "open a lesson's page in the browser (or say where it is)", docs, command_docs),
        Command(
            "watch", "grade a lesson again at each save, moving on when it passes (Ctrl-C stops)", watch, command_watch
        ),
        Command(
            "serve",
            "serve the lesson pages with a Check my work button that grades this workspace (Ctrl-C stops)",
            serve,
            command_serve,
        ),
        *(
            Command(lesson_id, partial(lesson_title, catalogue, lesson_id), lesson_options(lesson_id), command_lesson)
            for lesson_id in catalogue.ids
        ),
        *(
            Command(name, summary, configure, _with_problem(handler))
            for name, summary, configure, handler in extra_commands()
        ),
    ]
    return table


def lesson_title(catalogue, lesson_id: str) -> str:
    return catalogue.get(lesson_id).title


def _with_problem(handler: Callable) -> Callable:
    """A classroom handler(args, catalogue, problem, workspace_of) as handler(args, catalogue)."""
    return lambda args, catalogue: handler(args, catalogue, UsageError, workspace_of)


def extra_commands() -> list:
    """Commands kept in their own packages: (name, summary, configure, handler)."""
    from .classroom.commands import COMMANDS as classroom

    return [*classroom]


def workspace_of(path: str | None, catalogue) -> Path:
    """The workspace that holds `path` (default: the current folder), found upward as git finds its repository."""
    folder = Path(path or ".").expanduser()
    if not folder.exists():
        raise UsageError(f"{path} does not exist. Create a workspace with `checks init`, then cd into it.")
    if not folder.is_dir():
        raise UsageError(f"{path} is not a folder: pass the workspace folder with --path.")
    found = find(folder, catalogue.course.app_dir)
    if found is not None:
        return found
    where = folder.resolve()
    app = catalogue.course.app
    if any(is_course_folder(f, catalogue.course.app_dir) for f in (where, *where.parents)):
        reason = (
            f"{where} is part of the course's own files, not a workspace: `checks init` copies the sample "
            "app into a workspace of your own."
        )
    else:
        reason = (
            f"{where} is not inside a workspace of the course (no {app} folder made by `checks init` here or above)."
        )
    candidate = where / app
    if looks_like_workspace(candidate, catalogue.course.app_dir):
        todo = f" Your workspace seems to be {candidate}: `cd {app}` first."
    else:
        todo = f" Create one with `checks init` (it makes ./{app}), then `cd {app}`; or pass --path."
    raise UsageError(reason + todo)


def command_init(args, catalogue) -> int:
    target = Path(args.dir).expanduser()
    try:
        create(catalogue.course.app_dir, target)
    except WorkspaceProblem as problem:
        raise UsageError(str(problem)) from None
    first = catalogue.first
    print(f"Created {target} with the sample app '{catalogue.course.app}' (no Dockerfile yet).")
    print(f"Next: cd {target} and read lesson 1, {first.title}: {first.page_url}")
    print(f"      then check your work with `checks {first.id}`.")
    return EXIT_PASSED


def status_word(entry: dict | None) -> str:
    if not entry:
        return "not tried"
    return "passed" if entry.get("passed") else "failed"


def command_list(args, catalogue) -> int:
    try:
        done = progress.read(workspace_of(args.path, catalogue))["lessons"]
    except UsageError:  # the list is useful outside a workspace too, without statuses
        if args.path is not None:
            raise
        done = {}
    width = max(len(lesson.title) for lesson in catalogue.lessons)
    print(f"{'lesson':<9} {'title':<{width}}  {'min':>3}  status")
    for lesson in catalogue.lessons:
        print(f"{lesson.id:<9} {lesson.title:<{width}}  {lesson.minutes:>3}  {status_word(done.get(lesson.id))}")
    return EXIT_PASSED


def command_progress(args, catalogue) -> int:
    folder = workspace_of(args.path, catalogue)
    done = progress.read(folder)["lessons"]
    passed = [lesson for lesson in catalogue.lessons if (done.get(lesson.id) or {}).get("passed")]
    print(f"Progress in {folder.resolve()}: {len(passed)} of {len(catalogue.lessons)} lessons passed")
    for lesson in catalogue.lessons:
        entry = done.get(lesson.id)
        detail = ""
        if entry:
            detail = f"  last run {entry.get('when', '?')}"
            if entry.get("by"):
                detail = f"  proved by {entry['by']} at {entry.get('when', '?')}"
            if entry.get("failed"):
                detail += f"; failing: {', '.join(entry['failed'])}"
        print(f"  {lesson.id:<9} {status_word(entry):<9}{detail}")
    todo = [lesson for lesson in catalogue.lessons if lesson not in passed]
    print(f"Next: checks {todo[0].id}" if todo else "Every lesson passed.")
    return EXIT_PASSED


def command_hint(args, catalogue) -> int:
    lesson = catalogue.get(args.lesson)
    if lesson is None:
        raise UsageError(unknown_lesson(args.lesson, catalogue))
    folder = workspace_of(args.path, catalogue)
    steps = list(lesson.hints) + [None]  # None: the solution, always last
    shown = progress.next_hint(folder, lesson.id, len(steps))
    print(f"Lesson {lesson.number}: {lesson.title}")
    for number, hint in enumerate(steps[:shown], start=1):
        if hint is None:
            name = lesson.solution_path.name
            print(f"\nThe solution ({name}):\n")
            print(lesson.solution_path.read_text(encoding="utf-8").rstrip())
        else:
            print(f"\nHint {number} of {len(lesson.hints)}: {hint}")
    if shown < len(steps):
        more = len(steps) - 1 - shown
        left = "the solution" if more == 0 else f"{more} more hint{'s' if more != 1 else ''}, then the solution"
        print(f"\nStill stuck? `checks hint {lesson.id}` again shows {left}.")
    print(f"Read more: {lesson.page_url}")
    return EXIT_PASSED


def unknown_lesson(name: str, catalogue) -> str:
    first, last = catalogue.ids[0], catalogue.ids[-1]
    return f"there is no lesson '{name}'; the lessons are {first} … {last} (see `checks list`)."


def command_lesson(args, catalogue) -> int:
    lesson = catalogue.get(args.lesson)
    folder = workspace_of(args.path, catalogue)
    options = grading.Options(
        image=getattr(args, "image", None),
        container=getattr(args, "container", None),
        answer=getattr(args, "answer", None),
        front=f"checks {lesson.id}",
    )
    if sys.stdin.isatty() and not args.json:  # nobody to ask under --json: the check says how to answer
        options = grading.ask_answers(lesson, options, grading.ask_in_terminal)
    status.enable(None if args.json else sys.stderr)  # a live line while building, on a terminal only

    def show(now: grading.Status) -> None:  # the verdict as soon as it is known, before the board hears it
        if now.report is None:
            return
        if args.json:
            print(json.dumps(now.report.to_json(), indent=2))
        else:
            from .output import Style, render

            print(render(now.report, catalogue, lesson, str(folder.resolve()), Style(sys.stdout)))

    report = grading.grade(folder, catalogue, lesson, options, show)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def command_docs(args, catalogue) -> int:
    from .docs import show

    lesson = None
    if args.lesson is not None:
        lesson = catalogue.get(args.lesson)
        if lesson is None:
            raise UsageError(unknown_lesson(args.lesson, catalogue))
    return show(catalogue, lesson)


def command_watch(args, catalogue) -> int:
    from .watch import watch

    lesson = catalogue.get(args.lesson) if args.lesson is not None else None
    if args.lesson is not None and lesson is None:
        raise UsageError(unknown_lesson(args.lesson, catalogue))
    return watch(workspace_of(args.path, catalogue), catalogue, lesson)


def command_serve(args, catalogue) -> int:
    from .serve_pages import serve

    lesson = None
    if args.lesson is not None:
        lesson = catalogue.get(args.lesson)
        if lesson is None:
            raise UsageError(unknown_lesson(args.lesson, catalogue))
    folder = workspace_of(args.path, catalogue)
    page = lesson.page if lesson else None
    return serve(
        folder, catalogue, args.host, args.port, args.site, not args.no_browser, page, args.image, args.container
    )


def command_doctor(args, catalogue) -> int:
    from .doctor import run

    start = Path(args.path or ".").expanduser()
    # the machine is examined anywhere; the workspace's files only when there is one
    return run(find(start, catalogue.course.app_dir) or start, catalogue, as_json=args.json)


def _interrupt(signum, frame):  # SIGTERM and SIGHUP clean up like Ctrl-C
    raise KeyboardInterrupt


def send_waiting_reports(args, catalogue) -> None:
    """Results queued while the progress board was away go with whatever command runs next (best effort)."""
    with contextlib.suppress(Exception):
        folder = find(Path(getattr(args, "path", None) or ".").expanduser(), catalogue.course.app_dir)
        if folder is not None and grading.joined_a_board(folder):
            from .classroom.client import send_waiting  # the board's client (urllib…), only for a board

            send_waiting(folder)


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        wrong = settings.problems()
        if wrong:
            raise UsageError("; ".join(wrong))
        catalogue = load(every_lesson=False)  # only the lessons this run needs are read
        if len(argv) > 1 and argv[0].lower() == "lesson" and argv[1].isdigit():  # `checks lesson 3`
            raise UsageError(f"did you mean `checks lesson{argv[1]}`? The lesson's name is one word.")
        if argv and re.fullmatch(r"(?i)lesson\d+", argv[0]):
            named = catalogue.get(argv[0])
            if named is None:
                raise UsageError(unknown_lesson(argv[0], catalogue))
            argv = [named.id, *argv[1:]]
        table = {command.name: command for command in commands(catalogue)}
        known = argv[0] if argv and argv[0] in table else None
        args = build_parser(catalogue, only=known).parse_args(argv)
        if args.command is None:
            build_parser(catalogue).print_help()
            return EXIT_USAGE
        code = table[args.command].handler(args, catalogue)
        send_waiting_reports(args, catalogue)
        return code
    except UsageError as problem:
        if "--json" in argv:  # --json promises one JSON object on stdout, an error included
            print(json.dumps({"error": str(problem), "exit_code": EXIT_USAGE}))
        print(f"Error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogueError as problem:
        print(f"Error: the lesson data is broken: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "\nInterrupted: everything checks created was removed; your files, images and containers were not touched.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except EngineProblem as problem:
        print(f"Error: {problem}", file=sys.stderr)
        print("Run `checks doctor` for a full diagnosis.", file=sys.stderr)
        return EXIT_USAGE


def hear_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP stop checks the same way: what it created is removed, exit 130.

    A program started from a script's `&` finds SIGINT ignored, and Python leaves it so: Ctrl-C's
    clean-up would never run, and `checks watch` and `checks serve`, which stop a grading with a SIGINT
    to their own main thread when a file is saved, could not stop one. So checks hears SIGINT however it
    was started, as the docker CLI does (Go's signal.Notify). A SIGTERM or SIGHUP ignored at the start
    stays ignored: `nohup checks classroom serve &` outlives the instructor's terminal."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) is not signal.SIG_IGN:
            signal.signal(getattr(signal, name), _interrupt)


def main() -> None:
    hear_signals()
    try:
        code = run()
        sys.stdout.flush()
    except BrokenPipeError:  # `checks lesson1 | head`
        code = EXIT_PASSED
    sys.exit(code)
