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
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s, this machine only; 0.0.0.0: the whole network)",
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s; 0: any free port)")
    serve.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="PATH|URL",
        help="where learners and results are kept: a SQLite file (default: ./%(default)s), or a "
        "postgresql://user:password@host/database URL, which several boards can share",
    )
    serve.add_argument(
        "--stuck-minutes",
        type=float,
        default=10,
        metavar="MIN",
        help="show a learner as stuck when the same check has failed for this long (default: %(default)s)",
    )


def command_join(args, catalogue, problem, workspace_of) -> int:
    from .. import progress
    from . import client

    folder = workspace_of(args.path, catalogue)
    existing = client.read(folder)
    if existing is not None:
        client.send_waiting(folder)  # what waits for that board goes now, if it answers
        raise problem(
            f"this workspace already reports to {existing['board']} as {existing['name']!r}: "
            "run `checks leave` first to join another board"
        )
    try:
        name = client.join(folder, args.url, args.code, args.name, progress.read(folder)["lessons"])
    except client.BoardProblem as refused:
        raise problem(str(refused)) from None
    print(f"Joined the board at {client.board_url(args.url)} as {name!r}.")
    print(
        "From now on every `checks lessonN` here also sends the lesson, whether it passed and the ids of "
        "failing checks (never your files). `checks leave` stops it."
    )
    return 0


def command_leave(args, catalogue, problem, workspace_of) -> int:
    from . import client

    folder = workspace_of(args.path, catalogue)
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
        return serve(args.host, args.port, args.db, args.stuck_minutes, catalogue)
    except ServeProblem as error:
        raise problem(str(error)) from None


def configure_workshop(sub):
    actions = sub.add_subparsers(dest="action", metavar="ACTION", parser_class=type(sub))
    pack = actions.add_parser(
        "pack", help="instructor: write the room's offline kit (images for amd64 and arm64, wheels, site) into DIR"
    )
    pack.add_argument("dir", help="a new or empty folder, e.g. on a USB stick")
    pack.add_argument(
        "--image",
        action="append",
        metavar="NAME[:TAG]",
        help="pack this image instead of the course's (repeat for several)",
    )
    pack.add_argument("--no-wheels", action="store_true", help="leave out the wheels that install checks")
    pack.add_argument("--no-site", action="store_true", help="leave out the built tutorial site")
    unpack = actions.add_parser("unpack", help="check a kit and load its images that this machine lacks")
    unpack.add_argument("dir", help="the kit's folder")


def long_calls(engine):
    """Saving or loading an image of a hundred megabytes on a slow laptop is one API call of minutes."""
    engine.client.api.timeout = 900
    return engine


def command_workshop(args, catalogue, problem, workspace_of) -> int:
    import sys

    from ..engine import Engine
    from ..output import Style
    from . import kit

    if args.action not in ("pack", "unpack"):
        raise problem("which workshop action? `checks workshop pack DIR` or `checks workshop unpack DIR`")
    folder = Path(args.dir).expanduser()
    style = Style(sys.stdout)
    try:
        if args.action == "pack":
            images = args.image or list(catalogue.course.images)
            engine = long_calls(Engine.connect())
            print(f"Packing the workshop kit into {folder}:")
            manifest = kit.pack(folder, images, engine, wheels=not args.no_wheels, site=not args.no_site)
            size = sum(entry["size"] for entry in manifest["files"].values())
            print(
                f"Done: {len(manifest['files'])} files, {size / 1e6:.0f} MB, with their sha256 in {folder / kit.MANIFEST}."
            )
            if manifest["unavailable"]:
                print(
                    f"{len(manifest['unavailable'])} image(s) for another architecture are NOT in the kit (see above): "
                    "laptops of that architecture pull them with internet, or bring a kit packed with them."
                )
            print(
                "On each laptop: `pip install --no-index --find-links DIR/wheels docker-lessons` if checks is "
                "missing, then `checks workshop unpack DIR`."
            )
            if not args.no_site:
                print(
                    "The site, with no internet: `python -m http.server -d DIR/site 8000`, then http://127.0.0.1:8000/"
                )
            return 0
        manifest = kit.read_manifest(folder)
        print(f"Checking the {len(manifest['files'])} files of the kit in {folder} …")
        bad = kit.verify(folder, manifest)
        outcomes = kit.unpack(folder, long_calls(Engine.connect()), bad, manifest)
    except kit.KitProblem as error:
        raise problem(str(error)) from None
    marks = {
        "loaded": style.mark("passed"),
        "present": style.mark("passed"),
        "skipped": style.dim("-"),
        "corrupt": style.mark("failed"),
    }
    for outcome in outcomes:
        print(f"{marks[outcome.status]} {outcome.name}: {outcome.detail}")
    images = {entry["file"] for entry in manifest.get("images", [])}
    for relative, reason in bad.items():
        if relative not in images:
            print(f"{style.mark('failed')} {relative}: {reason}")
    if bad:
        print(f"{len(bad)} file(s) of the kit are damaged or missing: copy them again from the instructor's kit.")
        return 1
    print("The kit is intact; `checks doctor` confirms this machine is ready.")
    return 0


COMMANDS = [
    ("join", "report this workspace's results to the instructor's progress board", configure_join, command_join),
    ("leave", "stop reporting to the progress board", configure_leave, command_leave),
    (
        "classroom",
        "instructor: `classroom serve` starts the room's progress board",
        configure_classroom,
        command_classroom,
    ),
    (
        "workshop",
        "an offline kit for a room: `workshop pack DIR`, `workshop unpack DIR`",
        configure_workshop,
        command_workshop,
    ),
]
