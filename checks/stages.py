"""Which instructions make which image: the final stage and the stages it is built FROM, the stage
where the dependencies are installed, and the WORKDIR in force at each line (as Docker resolves it)."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

from .context import Unavailable
from .dockerfile import ARG_REF, Dockerfile, Instruction, Stage


@dataclass(frozen=True)
class Workdir:
    """One WORKDIR of the final stage: as written, and the absolute folder Docker makes of it."""

    instruction: Instruction
    written: str  # the argument, as written
    expanded: str  # with variables, quotes and escapes processed
    path: str  # absolute and normalised, as it ends up in the image config
    previous: str  # the folder it was resolved against ("/" at the start of the image)


def final_stage(dockerfile: Dockerfile) -> Stage:
    """The stage of the last FROM; a check that needs it is skipped when there is no FROM."""
    final = dockerfile.final_stage
    if final is None:
        raise Unavailable("needs a FROM instruction")
    return final


def stage_chain(dockerfile: Dockerfile) -> list[int]:
    """The final stage and the stages it is built `FROM`, oldest first."""
    names = {s.name: s for s in dockerfile.stages if s.name}
    final = final_stage(dockerfile)
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
    runs = [
        i for i in dockerfile.instructions if i.keyword == "RUN" and PIP_INSTALL.search(" ".join(i.arguments.split()))
    ]
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


def assignments(instruction: Instruction) -> dict[str, str]:
    """Variables an ENV or ARG defines: `ENV A=1 B="2"`, legacy `ENV A 1`, `ARG A=1`, `ARG A`."""
    text = instruction.arguments
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if instruction.keyword == "ENV" and words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    found: dict[str, str] = {}
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
            variables.update({k: v for k, v in assignments(instruction).items() if k not in variables or v})
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
