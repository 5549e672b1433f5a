"""What a container of the image starts: the CMD and ENTRYPOINT lines, and the command the image's
config makes of them (Entrypoint + Cmd, in WorkingDir, with PATH), the program and script it runs."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from .context import Context, Unavailable
from .dockerfile import Instruction
from .shell import shell_words

INTERPRETERS = ("sh", "bash", "dash", "python", "python3")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def start_instructions(context: Context) -> list[Instruction]:
    """CMD and ENTRYPOINT instructions of the final stage, in order."""
    return [i for i in context.dockerfile.in_final_stage() if i.keyword in ("CMD", "ENTRYPOINT")]


def last_start_line(context: Context) -> int | None:
    found = start_instructions(context)
    return found[-1].line if found else None


@dataclass
class StartCommand:
    """What a container of the image runs, from the image's config: Entrypoint + Cmd, in WorkingDir."""

    argv: list[str]
    workdir: str
    path: str

    @property
    def shell_form(self) -> bool:
        return self.argv[:2] == ["/bin/sh", "-c"]

    def program_and_script(self) -> tuple[str, str | None]:
        """The program exec() runs, and the script it runs (the program itself, or an interpreter's argument)."""
        argv = self.argv
        if self.shell_form:
            words = shell_words(argv[2] if len(argv) > 2 else "")
            while words and words[0] == "exec":
                words = words[1:]
            argv = words or [""]
        program = argv[0]
        if posixpath.basename(program) in INTERPRETERS and len(argv) > 1:
            rest = argv[1:]
            if rest[0] == "-c" and len(rest) > 1:
                first = shell_words(rest[1])
                return program, first[0] if first else None
            if not rest[0].startswith("-"):
                return program, rest[0]
            return program, None
        return program, program

    def resolve(self, path: str) -> str:
        return posixpath.normpath(posixpath.join(self.workdir or "/", path))


def start_command(context: Context) -> StartCommand:
    if not start_instructions(context):
        raise Unavailable("needs CMD")
    config = context.image_config(context.build.final_image)
    argv = list(config.get("Entrypoint") or []) + list(config.get("Cmd") or [])
    env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
    return StartCommand(argv, config.get("WorkingDir") or "/", env.get("PATH", DEFAULT_PATH))


def file_in_image(context: Context, path: str):
    """The TarInfo of `path` in the image, or None (read once per run)."""
    image = context.build.some_image
    members = context.memo(("image-path", image, path), lambda: context.engine.read_path(image, path))
    if not members:
        return None
    name = posixpath.basename(path.rstrip("/"))
    return next((m for m in members if posixpath.basename(m.name) == name), members[0])


def locate(context: Context, command: StartCommand, program: str) -> str | None:
    """Where exec() finds `program`: a path with a slash is taken from WORKDIR, a bare name from PATH."""
    if "/" in program:
        path = command.resolve(program)
        return path if file_in_image(context, path) is not None else None
    for folder in command.path.split(":"):
        if folder and file_in_image(context, posixpath.join(folder, program)) is not None:
            return posixpath.join(folder, program)
    return None


def installed_at(context: Context, image: str, program: str) -> list[str]:
    """Every executable file (or link) named `program` in `image`, wherever it was installed (a virtualenv's bin/,
    ~/.local/bin, a --prefix or --target folder), whatever PATH says; read once per run."""
    search = (
        "find / -xdev \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o "
        f"-name '{program}' \\( -type f -o -type l \\) -perm -u+x -print 2>/dev/null | head -n 5; true"
    )
    shown = context.memo(
        ("installed-at", image, program),
        lambda: context.engine.run_in_image(image, ["sh", "-c", search], user="0:0"),  # whatever the image's USER
    )
    return [line.strip() for line in shown.output.splitlines() if line.strip().startswith("/")]


def image_path(context: Context, image: str) -> str:
    """The PATH a container of `image` starts with (its config's Env, else Docker's default)."""
    config = context.image_config(image)
    env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
    return env.get("PATH", DEFAULT_PATH)


def missing_path_advice(context: Context, image: str, program: str) -> str:
    """Why `program` does not run from PATH in `image`, in the learner's terms: where it really is, and the
    ENV PATH line that makes its folder part of PATH (or "" when it is nowhere in the image)."""
    found = installed_at(context, image, program)
    if not found:
        return ""
    where = found[0]
    folder = posixpath.dirname(where)
    path = image_path(context, image)
    if folder in path.split(":"):
        return f"{program} is at {where}, on PATH, but does not run"
    return (
        f"{program} is at {where}, but PATH ({path}) leaves out {folder}: "
        f"add `ENV PATH={folder}:$PATH` to the final stage"
    )
