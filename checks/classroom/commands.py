"""The classroom's commands for checks/cli.py: `join`, `leave` and `classroom serve`.

Each command is (name, summary, configure(sub-parser), handler(args, catalogue) -> exit code);
handlers raise `problem(message)` (cli.UsageError) for an `Error: …` line and exit 2.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_PORT = 8400
DEFAULT_DB = "classroom.sqlite3"


def configure_join(sub):
    sub.add_argument("url", help="the board's address, from your instructor (e.g. http://192.168.1.20:8400)")
    sub.add_argument("--code", required=True, help="the join code, from your instructor")
    sub.add_argument("--name", required=True, help="your name, as the instructor will see it")
    sub.add_argument("--path", default=".", metavar="DIR", help="the workspace (default: the current folder)")


def configure_leave(sub):
    sub.add_argument("--path", default=".", metavar="DIR", help="the workspace (default: the current folder)")


def configure_classroom(sub):
    actions = sub.add_subparsers(dest="action", metavar="ACTION", parser_class=type(sub))
    serve = actions.add_parser("serve", help="start the progress board for a room")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: %(default)s, this machine only; 0.0.0.0: the whole network)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s; 0: any free port)")
    serve.add_argument("--db", default=DEFAULT_DB, metavar="PATH",
                       help="the SQLite file that keeps learners and results (default: ./%(default)s)")
    serve.add_argument("--stuck-minutes", type=float, default=10, metavar="MIN",
                       help="show a learner as stuck when the same check has failed for this long (default: %(default)s)")


def command_join(args, catalogue, problem, workspace_of) -> int:
    from .. import progress
    from . import client

    folder = workspace_of(args.path, catalogue)
    existing = client.read(folder)
    if existing is not None:
        raise problem(f"this workspace already reports to {existing['board']} as {existing['name']!r}: "
                      "run `checks leave` first to join another board")
    try:
        name = client.join(folder, args.url, args.code, args.name, progress.read(folder)["lessons"])
    except client.BoardProblem as refused:
        raise problem(str(refused)) from None
    print(f"Joined the board at {client.board_url(args.url)} as {name!r}.")
    print("From now on every `checks lessonN` here also sends the lesson, whether it passed and the ids of "
          "failing checks (never your files). `checks leave` stops it.")
    return 0


def command_leave(args, catalogue, problem, workspace_of) -> int:
    from . import client

    folder = workspace_of(args.path, catalogue, must_exist_marker=False)
    board = client.leave(folder)
    if board is None:
        print("This workspace does not report to a board: nothing to stop.")
    else:
        print(f"Stopped reporting to {board}; results already sent stay on the board.")
    return 0


def command_classroom(args, catalogue, problem, workspace_of) -> int:
    from .serve import ServeProblem, serve

    if args.action != "serve":
        raise problem("which classroom action? `checks classroom serve` starts the progress board")
    if not 0 <= args.port <= 65535:
        raise problem(f"--port {args.port} is not a port: 1 to 65535 (or 0 for any free port)")
    if args.stuck_minutes <= 0:
        raise problem("--stuck-minutes must be more than 0")
    try:
        return serve(args.host, args.port, Path(args.db), args.stuck_minutes, catalogue)
    except ServeProblem as error:
        raise problem(str(error)) from None


COMMANDS = [
    ("join", "report this workspace's results to the instructor's progress board", configure_join, command_join),
    ("leave", "stop reporting to the progress board", configure_leave, command_leave),
    ("classroom", "instructor: `classroom serve` starts the room's progress board", configure_classroom, command_classroom),
]
