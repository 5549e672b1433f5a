"""Lesson 2: WORKDIR sets an absolute folder of the app's own, the one later instructions and the container use.

Dockerfile-only on purpose: what WORKDIR makes of a path is fully determined by the text (Docker
joins a relative path to the previous WORKDIR and expands ENV/ARG variables, nothing else), so
the lesson needs no build and answers in well under a second. Lesson 3 then reads the WORKDIR
back from the built image's config, where it matters for the copied files.
"""

from __future__ import annotations

import posixpath
import re

from ..context import Context, Unavailable
from ..dockerfile import Dockerfile, Instruction
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..shell import shell_commands
from ..stages import assignments, expand, final_instructions, stage_chain, workdirs

# Folders that belong to the operating system: the app's files must not be mixed into them.
SYSTEM_FOLDERS = (
    "/",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/etc",
    "/dev",
    "/proc",
    "/sys",
    "/run",
    "/boot",
    "/var",
    "/var/lib",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/include",
    "/usr/share",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/local/lib",
    "/usr/src",
    "/home",
    "/mnt",
)
# Folders that work but mean something else: emptied at will, or root's home.
BORROWED_FOLDERS = {
    "/tmp": "is for temporary files, which tools and people delete without asking",
    "/var/tmp": "is for temporary files, which tools and people delete without asking",
    "/root": "is root's home folder (dotfiles, caches), and a later non-root USER cannot read it",
}
WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|\\")


# What the official python images define with ENV, which WORKDIR expands too (docker-library/python's Dockerfiles:
# PATH, GPG_KEY, PYTHON_VERSION, PYTHON_SHA256; LANG in images before Python 3.13)
PYTHON_IMAGE_ENV = ("PATH", "LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256")


def base_image_env(dockerfile: Dockerfile) -> tuple[str, ...]:
    """The variables the image the final stage's chain starts FROM defines (the official python images')."""
    first = next(s for s in dockerfile.stages if s.index == stage_chain(dockerfile)[0])
    name = first.image.lower().split("@", 1)[0]
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    repository = name.removesuffix(f":{tag}") if tag else name
    return PYTHON_IMAGE_ENV if repository.removeprefix("docker.io/").removeprefix("library/") == "python" else ()


def unset_variables(dockerfile: Dockerfile, instruction: Instruction) -> list[str]:
    variables: dict[str, str] = dict.fromkeys(base_image_env(dockerfile), "…")
    for earlier in final_instructions(dockerfile):
        if earlier.line >= instruction.line:
            break
        if earlier.keyword in ("ENV", "ARG"):
            variables.update(assignments(earlier))
    return expand(instruction.arguments, variables)[1]


@check("workdir-set")
def workdir_set(context: Context) -> Outcome:
    """The final image sets a WORKDIR: the folder later instructions and the container start in."""
    found = workdirs(context.dockerfile)
    if not found:
        return failed(
            "expected a WORKDIR such as `WORKDIR /usr/src/app` after FROM; found none, so the app's "
            "files would land in / among the system's folders and the container would start there"
        )
    last = found[-1]
    return passed(f"WORKDIR {last.path}", line=last.instruction.line)


@check("workdir-absolute")
def workdir_absolute(context: Context) -> Outcome:
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
            return failed(
                f"expected an absolute path such as /usr/src/app; found `{workdir.written}`: WORKDIR does "
                f"not expand ~ (only a shell does), so this makes a folder literally named ~, {workdir.path}."
                + context.engine_warns("WorkdirRelativePath", line),
                line=line,
            )
        if workdir.previous == "/" and workdir is found[0]:
            return failed(
                f"expected an absolute path starting with / such as /usr/src/app; found `{workdir.written}`, "
                f"which Docker joins to the base image's WORKDIR: {workdir.path} today, something else "
                "if the base image ever sets one." + context.engine_warns("WorkdirRelativePath", line),
                line=line,
            )
        return warning(
            f"`WORKDIR {workdir.written}` is relative to the previous WORKDIR and means {workdir.path}: "
            f"write `WORKDIR {workdir.path}` so a reader need not work it out",
            line=line,
        )
    last = found[-1]
    return passed(f"{last.path} is absolute", line=last.instruction.line)


@check("workdir-slashes")
def workdir_slashes(context: Context) -> Outcome:
    """The WORKDIR is a Linux path (forward slashes, no drive letter), even when written on Windows."""
    for workdir in workdirs(context.dockerfile):
        if WINDOWS_PATH.search(workdir.written):
            return failed(
                f"expected a Linux path with forward slashes such as /usr/src/app; found "
                f"`{workdir.written}`: the image is Linux, and Docker reads \\ as an escape character, "
                f"so this becomes {workdir.path}",
                line=workdir.instruction.line,
            )
    return passed()


@check("workdir-variable")
def workdir_variable(context: Context) -> Outcome:
    """Every variable a WORKDIR uses is defined earlier by ENV or ARG (WORKDIR sees no shell variables)."""
    dockerfile = context.dockerfile
    for workdir in workdirs(dockerfile):
        unset = unset_variables(dockerfile, workdir.instruction)
        if unset:
            name = unset[0]
            extra = " ($HOME is set by a shell at login, not while Docker builds)" if name == "HOME" else ""
            return failed(
                f"expected ${name} to be defined by ENV or ARG before WORKDIR; found it undefined{extra}, "
                f"so `WORKDIR {workdir.written}` means {workdir.path}."
                + context.engine_warns("UndefinedVar", workdir.instruction.line),
                line=workdir.instruction.line,
            )
    return passed()


@check("workdir-own-folder")
def workdir_own_folder(context: Context) -> Outcome:
    """The WORKDIR is a folder of the app's own, not / or a folder of the operating system."""
    found = workdirs(context.dockerfile)
    if not found:
        raise Unavailable("needs a WORKDIR (see workdir-set)")
    last = found[-1]
    line = last.instruction.line
    if last.path in SYSTEM_FOLDERS:
        where = "/ itself" if last.path == "/" else f"{last.path}, a folder of the operating system"
        return failed(
            f"expected a folder of the app's own such as /usr/src/app; found {where}: `COPY . .` would "
            "mix the app's files with the system's (its bin/ with the system's programs)",
            line=line,
        )
    if last.path in BORROWED_FOLDERS:
        return warning(
            f"{last.path} {BORROWED_FOLDERS[last.path]}: give the app its own folder, e.g. /usr/src/app", line=line
        )
    return passed(last.path, line=line)


@check("workdir-not-cd")
def workdir_not_cd(context: Context) -> Outcome:
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
            return failed(
                f"expected `WORKDIR {target}`; found `cd` at the end of a RUN, which changes the folder "
                "only for that RUN's own shell: the next instruction starts in the WORKDIR again",
                line=instruction.line,
            )
        result = warning(
            f"`cd {target}` inside a RUN is easy to misread as lasting: use `WORKDIR {target}` "
            "(or an absolute path in the command)",
            line=instruction.line,
        )
    return result


@check("workdir-no-mkdir")
def workdir_no_mkdir(context: Context) -> Outcome:
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
                return warning(
                    "`RUN mkdir` makes a folder that WORKDIR creates anyway: drop it (one layer and one line less)",
                    line=instruction.line,
                )
    return passed()
