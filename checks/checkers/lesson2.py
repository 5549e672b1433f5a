"""Lesson 2: WORKDIR sets an absolute folder of the app's own, the one later instructions and the container use.

Dockerfile-only on purpose: what WORKDIR makes of a path is fully determined by the text (Docker
joins a relative path to the previous WORKDIR and expands ENV/ARG variables, nothing else), so
the lesson needs no build and answers in well under a second. Lesson 3 then reads the WORKDIR
back from the built image's config, where it matters for the copied files.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

from ..checker import check
from ..context import Context, Unavailable
from ..dockerfile import ARG_REF, Dockerfile, Instruction
from ..result import failed, passed, warning

# Folders that belong to the operating system: the app's files must not be mixed into them.
SYSTEM_FOLDERS = (
    "/", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/dev", "/proc", "/sys", "/run", "/boot", "/var",
    "/var/lib", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/include", "/usr/share", "/usr/local",
    "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/src", "/home", "/mnt",
)
# Folders that work but mean something else: emptied at will, or root's home.
BORROWED_FOLDERS = {
    "/tmp": "is for temporary files, which tools and people delete without asking",
    "/var/tmp": "is for temporary files, which tools and people delete without asking",
    "/root": "is root's home folder (dotfiles, caches), and a later non-root USER cannot read it",
}
WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|\\")
SHELL_SEPARATORS = re.compile(r"&&|\|\||;|\n")


@dataclass(frozen=True)
class Workdir:
    """One WORKDIR of the final stage: as written, and the absolute folder Docker makes of it."""

    instruction: Instruction
    written: str  # the argument, as written
    expanded: str  # with variables, quotes and escapes processed
    path: str  # absolute and normalised, as it ends up in the image config
    previous: str  # the folder it was resolved against ("/" at the start of the image)


def stage_chain(dockerfile: Dockerfile) -> list[int]:
    """The final stage and the stages it is built `FROM`, oldest first."""
    names = {s.name: s for s in dockerfile.stages if s.name}
    final = dockerfile.final_stage
    if final is None:
        raise Unavailable("needs a FROM instruction")
    chain, stage = [final.index], final
    while stage.image.lower() in names and names[stage.image.lower()].index < stage.index:
        stage = names[stage.image.lower()]
        chain.insert(0, stage.index)
    return chain


PIP_INSTALL = re.compile(r"\bpip3?\s+(?:install|wheel)\b|\s-m\s+pip\s+(?:install|wheel)\b")


def dependency_stage(dockerfile: Dockerfile) -> int:
    """The stage where the app's dependencies are installed: the final stage, or, in a multi-stage build
    (lesson 13), the earlier stage whose RUN runs `pip install` (or `pip wheel`) for the final one."""
    final = dockerfile.final_stage
    if final is None:
        raise Unavailable("needs a FROM instruction")
    runs = [i for i in dockerfile.instructions if i.keyword == "RUN" and PIP_INSTALL.search(" ".join(i.arguments.split()))]
    if not runs or any(i.stage == final.index for i in runs):
        return final.index
    return runs[-1].stage


def dependency_instructions(dockerfile: Dockerfile) -> list[Instruction]:
    """The instructions that make the image where the dependencies are installed (and the stages it is built FROM)."""
    wanted = dependency_stage(dockerfile)
    names = {s.name: s for s in dockerfile.stages if s.name}
    stage = next(s for s in dockerfile.stages if s.index == wanted)
    chain = [stage.index]
    while stage.image.lower() in names and names[stage.image.lower()].index < stage.index:
        stage = names[stage.image.lower()]
        chain.insert(0, stage.index)
    return [i for i in dockerfile.instructions if i.stage in chain and i.keyword != "FROM"]


def final_instructions(dockerfile: Dockerfile) -> list[Instruction]:
    """The instructions that make the final image, including those of the stages it is built FROM."""
    chain = set(stage_chain(dockerfile))
    return [i for i in dockerfile.instructions if i.stage in chain and i.keyword != "FROM"]


def _assignments(instruction: Instruction) -> dict[str, str]:
    """Variables an ENV or ARG defines: `ENV A=1 B="2"`, legacy `ENV A 1`, `ARG A=1`, `ARG A`."""
    text = instruction.arguments
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if instruction.keyword == "ENV" and words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    found = {}
    for word in words:
        name, sign, value = word.partition("=")
        found[name] = value if sign else found.get(name, "")
    return found


def expand(text: str, variables: dict[str, str]) -> tuple[str, list[str]]:
    """Expand $VAR, ${VAR} and ${VAR:-default} as WORKDIR does; also return the names that were not set."""
    unset: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2)
        value = variables.get(name)
        if value:
            return value
        if default is None:
            unset.append(name)
        return default or ""

    return ARG_REF.sub(replace, text), unset


def _words(text: str) -> str:
    """Quotes and backslash escapes as Docker's word processing reads them (`\\usr\\src` -> `usrsrc`)."""
    try:
        return " ".join(shlex.split(text, posix=True))
    except ValueError:
        return text


def workdirs(dockerfile: Dockerfile) -> list[Workdir]:
    """Every WORKDIR of the final image in order, resolved as Docker resolves it."""
    variables: dict[str, str] = {}
    current = "/"  # the official python images set no WORKDIR: containers start in /
    found = []
    for instruction in final_instructions(dockerfile):
        if instruction.keyword in ("ENV", "ARG"):
            variables.update({k: v for k, v in _assignments(instruction).items() if k not in variables or v})
        elif instruction.keyword == "WORKDIR":
            written = instruction.arguments
            value, _ = expand(written, variables)
            value = _words(value)
            path = posixpath.normpath(posixpath.join(current, value)) if value else current
            path = "/" + path.lstrip("/")  # normpath keeps a leading //
            found.append(Workdir(instruction, written, value, path, current))
            current = path
    return found


def workdir_at(dockerfile: Dockerfile, line: int) -> str | None:
    """The WORKDIR in force at `line` of the final stage, or None if none has been set yet (then it is /)."""
    current = None
    for workdir in workdirs(dockerfile):
        if workdir.instruction.line < line:
            current = workdir.path
    return current


def unset_variables(dockerfile: Dockerfile, instruction: Instruction) -> list[str]:
    variables: dict[str, str] = {}
    for earlier in final_instructions(dockerfile):
        if earlier.line >= instruction.line:
            break
        if earlier.keyword in ("ENV", "ARG"):
            variables.update(_assignments(earlier))
    return expand(instruction.arguments, variables)[1]


def shell_commands(instruction: Instruction) -> list[list[str]]:
    """The simple commands of a shell-form RUN (`a && b; c` -> [[a…], [b…], [c…]]); exec form as one."""
    exec_form = instruction.exec_form
    if exec_form is not None:
        return [exec_form]
    commands = []
    for part in SHELL_SEPARATORS.split(instruction.arguments):
        try:
            words = shlex.split(part)
        except ValueError:
            words = part.split()
        if words:
            commands.append(words)
    return commands


@check("workdir-set")
def workdir_set(context: Context):
    """The final image sets a WORKDIR: the folder later instructions and the container start in."""
    found = workdirs(context.dockerfile)
    if not found:
        return failed("expected a WORKDIR such as `WORKDIR /usr/src/app` after FROM; found none, so the app's "
                      "files would land in / among the system's folders and the container would start there")
    last = found[-1]
    return passed(f"WORKDIR {last.path}", line=last.instruction.line)


@check("workdir-absolute")
def workdir_absolute(context: Context):
    """The first WORKDIR is an absolute path, so it does not depend on the base image's own WORKDIR."""
    found = workdirs(context.dockerfile)
    if not found:
        raise Unavailable("needs a WORKDIR (see workdir-set)")
    dockerfile = context.dockerfile
    for workdir in found:
        if WINDOWS_PATH.search(workdir.written):
            raise Unavailable("a Windows path (see workdir-slashes)")
        if unset_variables(dockerfile, workdir.instruction):
            raise Unavailable("uses an undefined variable (see workdir-variable)")
        value = workdir.expanded
        if value.startswith("/"):
            continue
        line = workdir.instruction.line
        if value.startswith("~"):
            return failed(f"expected an absolute path such as /usr/src/app; found `{workdir.written}`: WORKDIR does "
                          f"not expand ~ (only a shell does), so this makes a folder literally named ~, {workdir.path}",
                          line=line)
        if workdir.previous == "/" and workdir is found[0]:
            return failed(f"expected an absolute path starting with / such as /usr/src/app; found `{workdir.written}`, "
                          f"which Docker joins to the base image's WORKDIR: {workdir.path} today, something else "
                          "if the base image ever sets one", line=line)
        return warning(f"`WORKDIR {workdir.written}` is relative to the previous WORKDIR and means {workdir.path}: "
                       f"write `WORKDIR {workdir.path}` so a reader need not work it out", line=line)
    last = found[-1]
    return passed(f"{last.path} is absolute", line=last.instruction.line)


@check("workdir-slashes")
def workdir_slashes(context: Context):
    """The WORKDIR is a Linux path (forward slashes, no drive letter), even when written on Windows."""
    for workdir in workdirs(context.dockerfile):
        if WINDOWS_PATH.search(workdir.written):
            return failed(f"expected a Linux path with forward slashes such as /usr/src/app; found "
                          f"`{workdir.written}`: the image is Linux, and Docker reads \\ as an escape character, "
                          f"so this becomes {workdir.path}", line=workdir.instruction.line)
    return passed()


@check("workdir-variable")
def workdir_variable(context: Context):
    """Every variable a WORKDIR uses is defined earlier by ENV or ARG (WORKDIR sees no shell variables)."""
    dockerfile = context.dockerfile
    for workdir in workdirs(dockerfile):
        unset = unset_variables(dockerfile, workdir.instruction)
        if unset:
            name = unset[0]
            extra = (" ($HOME is set by a shell at login, not while Docker builds)" if name == "HOME" else "")
            return failed(f"expected ${name} to be defined by ENV or ARG before WORKDIR; found it undefined{extra}, "
                          f"so `WORKDIR {workdir.written}` means {workdir.path}", line=workdir.instruction.line)
    return passed()


@check("workdir-own-folder")
def workdir_own_folder(context: Context):
    """The WORKDIR is a folder of the app's own, not / or a folder of the operating system."""
    found = workdirs(context.dockerfile)
    if not found:
        raise Unavailable("needs a WORKDIR (see workdir-set)")
    last = found[-1]
    line = last.instruction.line
    if last.path in SYSTEM_FOLDERS:
        where = "/ itself" if last.path == "/" else f"{last.path}, a folder of the operating system"
        return failed(f"expected a folder of the app's own such as /usr/src/app; found {where}: `COPY . .` would "
                      "mix the app's files with the system's (its bin/ with the system's programs)", line=line)
    if last.path in BORROWED_FOLDERS:
        return warning(f"{last.path} {BORROWED_FOLDERS[last.path]}: give the app its own folder, e.g. /usr/src/app",
                       line=line)
    return passed(last.path, line=line)


@check("workdir-not-cd")
def workdir_not_cd(context: Context):
    """No RUN uses `cd` to choose the folder for later instructions: each RUN starts a new shell in the WORKDIR."""
    result = passed()
    for instruction in final_instructions(context.dockerfile):
        if instruction.keyword != "RUN" or "<<" in instruction.arguments:
            continue
        commands = shell_commands(instruction)
        if not any(words[0] == "cd" for words in commands):
            continue
        targets = [words[1] for words in commands if words[0] == "cd" and len(words) > 1]
        target = targets[-1] if targets else "~"
        if commands[-1][0] == "cd":
            return failed(f"expected `WORKDIR {target}`; found `cd` at the end of a RUN, which changes the folder "
                          "only for that RUN's own shell: the next instruction starts in the WORKDIR again",
                          line=instruction.line)
        result = warning(f"`cd {target}` inside a RUN is easy to misread as lasting: use `WORKDIR {target}` "
                         "(or an absolute path in the command)", line=instruction.line)
    return result


@check("workdir-no-mkdir")
def workdir_no_mkdir(context: Context):
    """The WORKDIR's folder is not created by hand: WORKDIR creates it."""
    dockerfile = context.dockerfile
    paths = {w.path for w in workdirs(dockerfile)}
    for instruction in final_instructions(dockerfile):
        if instruction.keyword != "RUN":
            continue
        for words in shell_commands(instruction):
            if words[0] != "mkdir":
                continue
            made = [w for w in words[1:] if not w.startswith("-")]
            if any(posixpath.normpath(m) in paths for m in made):
                return warning("`RUN mkdir` makes a folder that WORKDIR creates anyway: drop it "
                               "(one layer and one line less)", line=instruction.line)
    return passed()
