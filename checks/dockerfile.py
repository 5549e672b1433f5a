"""Read the learner's Dockerfile safely and give checks a small model of it.

Parsing uses `dockerfile-parse` (continuation lines, comments); on top of it this module refuses
what Docker would refuse or what is not a Dockerfile at all (binary, UTF-16, huge, unknown
instructions), each with the line and a fix, and understands heredocs and build ARGs in FROM.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1_000_000
KEYWORDS = (
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
)
# Names learners give the file by mistake (Windows Notepad adds .txt; case matters on Linux).
NEAR_MISSES = (
    "Dockerfile.txt",
    "dockerfile.txt",
    "DockerFile",
    "DOCKERFILE",
    "Dockerfile.dockerfile",
    "Dockerfile.md",
    "docker-file",
    "Docker file",
    "Dockerfile.Dockerfile",
)
HEREDOC = re.compile(r"<<-?\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")
ARG_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class DockerfileProblem(Exception):
    """The file cannot be read as a Dockerfile; `line` points at the cause when there is one."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case, as Docker treats instructions case-insensitively
    args: str  # everything after the keyword, continuation lines joined
    line: int  # 1-based first line
    end_line: int
    stage: int  # index of the build stage; -1 for ARG before the first FROM

    @property
    def flags(self) -> dict[str, str]:
        """Leading `--name=value` options, e.g. COPY --chown=app or FROM --platform=…"""
        found = {}
        for word in self.args.split():
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            found[name.lower()] = value
        return found

    @property
    def arguments(self) -> str:
        """The arguments without leading flags."""
        rest = self.args.strip()
        while rest.startswith("--"):
            parts = rest.split(None, 1)
            rest = parts[1] if len(parts) > 1 else ""
        return rest.strip()

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON array of exec form (`CMD ["a", "b"]`), or None for shell form."""
        text = self.arguments
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        return None

    def words(self) -> list[str]:
        """Shell-like words of the arguments (shell form), tolerant of unbalanced quotes."""
        try:
            return shlex.split(self.arguments, comments=False)
        except ValueError:
            return self.arguments.split()


@dataclass(frozen=True)
class Stage:
    index: int
    image: str  # as written, with build ARG defaults substituted
    written: str  # exactly as written
    name: str | None
    line: int
    platform: str | None


@dataclass
class Dockerfile:
    path: Path
    text: str
    instructions: list[Instruction]
    stages: list[Stage] = field(default_factory=list)
    has_bom: bool = False
    crlf: bool = False
    build_args: dict[str, str] = field(default_factory=dict)  # ARGs before the first FROM, with defaults

    def unset_args(self, text: str) -> list[str]:
        """Build ARGs that `text` uses but that have no default value (so they expand to nothing)."""
        names = [m.group(1) or m.group(3) for m in ARG_REF.finditer(text) if not m.group(2)]
        return [name for name in names if not self.build_args.get(name)]

    def of(self, keyword: str, stage: int | None = None) -> list[Instruction]:
        keyword = keyword.upper()
        return [i for i in self.instructions if i.keyword == keyword and (stage is None or i.stage == stage)]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def in_final_stage(self, keyword: str | None = None) -> list[Instruction]:
        final = self.final_stage
        if final is None:
            return []
        return [
            i for i in self.instructions if i.stage == final.index and (keyword is None or i.keyword == keyword.upper())
        ]

    def base_of(self, stage: Stage) -> Stage:
        """Follow `FROM builder` back to the stage that names an image from a registry."""
        names = {s.name: s for s in self.stages if s.name}
        seen = set()
        while stage.image.lower() in names and stage.index not in seen:
            seen.add(stage.index)
            earlier = names[stage.image.lower()]
            if earlier.index >= stage.index:
                break
            stage = earlier
        return stage


def find(workspace: Path) -> Path | None:
    """The Dockerfile `docker build .` would use: `Dockerfile`, or `dockerfile` as Docker also accepts."""
    for name in ("Dockerfile", "dockerfile"):
        candidate = workspace / name
        if candidate.is_file():
            # on case-insensitive file systems both names hit the same file; report the real name
            real = [p for p in workspace.iterdir() if p.name.lower() == "dockerfile"]
            return real[0] if real else candidate
    return None


def near_misses(workspace: Path) -> list[str]:
    try:
        names = {p.name for p in workspace.iterdir()}
    except OSError:
        return []
    return [name for name in NEAR_MISSES if name in names]


def decode(data: bytes) -> tuple[str, bool]:
    """Bytes to text as Docker reads them, or a DockerfileProblem saying what the bytes are."""
    if not data.strip():
        raise DockerfileProblem("the Dockerfile is empty: write its first instruction, FROM")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DockerfileProblem(
            "the Dockerfile is saved as UTF-16 (PowerShell's `>` and `Out-File` do this); "
            "Docker needs UTF-8: save it as UTF-8 in your editor"
        )
    if b"\x00" in data[:8192]:
        raise DockerfileProblem("the Dockerfile is a binary file, not text: is this the right file?")
    has_bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8-sig"), has_bom
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DockerfileProblem(
            f"the Dockerfile is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): save it as UTF-8",
            line,
        ) from None


def substitute(image: str, args: dict[str, str]) -> str:
    """Replace ${NAME}, $NAME and ${NAME:-default} with build ARG defaults, as docker build does."""

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2)
        value = args.get(name)
        return value if value else (default or "")

    return ARG_REF.sub(replace, image)


def _structure(text: str) -> list[dict]:
    from dockerfile_parse import DockerfileParser

    try:
        parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
        return [item for item in parser.structure if item["instruction"] != "COMMENT"]
    except Exception as exc:  # the parser's own failure becomes a learner-facing message
        raise DockerfileProblem(f"the Dockerfile could not be parsed: {exc}") from None


def _merge_heredocs(items: list[dict]) -> list[dict]:
    """dockerfile-parse reads heredoc bodies (RUN <<EOF … EOF) as instructions: fold them back."""
    merged: list[dict] = []
    pending: list[str] = []
    for item in items:
        if pending:
            body_line = item["content"].strip()
            merged[-1] = {
                **merged[-1],
                "endline": item["endline"],
                "value": merged[-1]["value"] + "\n" + item["content"].rstrip("\n"),
            }
            if body_line == pending[0]:
                pending.pop(0)
            continue
        merged.append(item)
        if item["instruction"] in ("RUN", "COPY", "ADD"):
            pending = [m.group(2) for m in HEREDOC.finditer(item["value"])]
    if pending:
        raise DockerfileProblem(
            f"the heredoc started on line {merged[-1]['startline'] + 1} never ends: add a line with just {pending[0]}",
            merged[-1]["startline"] + 1,
        )
    return merged


def parse(text: str, path: Path = Path("Dockerfile")) -> Dockerfile:
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    items = _merge_heredocs(_structure(text))
    if not items:
        raise DockerfileProblem("the Dockerfile has no instructions, only comments or blank lines: start with FROM")
    instructions: list[Instruction] = []
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    for item in items:
        keyword = item["instruction"].upper()
        line = item["startline"] + 1
        if keyword not in KEYWORDS:
            written = item["content"].split(None, 1)[0] if item["content"].split() else keyword
            close = difflib.get_close_matches(keyword, KEYWORDS, n=1, cutoff=0.6)
            suggestion = f" (did you mean {close[0]}?)" if close else ""
            raise DockerfileProblem(
                f"line {line}: unknown instruction {written}{suggestion}; every line starts with an "
                f"instruction such as FROM, WORKDIR, COPY, RUN, EXPOSE or CMD",
                line,
            )
        args = item["value"].strip()
        if not args:
            raise DockerfileProblem(f"line {line}: {keyword} needs arguments", line)
        stage_index = len(stages) - 1 if keyword != "FROM" else len(stages)
        instruction = Instruction(keyword, args, line, item["endline"] + 1, stage_index)
        comment = trailing_comment(instruction)
        if comment is not None:
            value = instruction.arguments[: instruction.arguments.index(comment)].rstrip()
            raise DockerfileProblem(
                f"line {line}: `{comment}` after {keyword} is not a comment: in a Dockerfile a comment is a line of its "
                f"own, so Docker takes `{comment}` as part of the {keyword} ({FOLLOWS.get(keyword, 'its value')}). "
                f"Put the comment on the line above: `{comment}` then `{keyword} {value}`",
                line,
            )
        if keyword == "FROM":
            words = instruction.arguments.split()
            if len(words) not in (1, 3) or (len(words) == 3 and words[1].lower() != "as"):
                raise DockerfileProblem(from_arguments_problem(line, words), line)
            written = words[0]
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(
                Stage(
                    stage_index,
                    substitute(written, global_args),
                    written,
                    name,
                    line,
                    instruction.flags.get("platform"),
                )
            )
        elif keyword == "ARG" and not stages:
            name, _, default = args.partition("=")
            global_args[name.strip()] = default.strip().strip("\"'")
        instructions.append(instruction)
    return Dockerfile(path=path, text=text, instructions=instructions, stages=stages, crlf=crlf, build_args=global_args)


# Instructions whose arguments Docker takes literally: a `#` in them is not a comment (the shell of
# RUN, and of CMD/ENTRYPOINT/HEALTHCHECK in shell form, does treat it as one).
LITERAL = ("FROM", "WORKDIR", "COPY", "ADD", "EXPOSE", "ENV", "ARG", "LABEL", "USER", "VOLUME", "STOPSIGNAL")
FOLLOWS = {
    "WORKDIR": "the folder gets that whole text as its name",
    "COPY": "each word becomes one more file to copy, and `#` is not in the build context",
    "ADD": "each word becomes one more file to copy, and `#` is not in the build context",
    "EXPOSE": "`#` is not a port, and the build stops with `Invalid containerPort: #`",
    "ENV": "the words become part of the value, or more variables",
    "FROM": "FROM takes one image name, and the build stops",
}


def trailing_comment(instruction: Instruction) -> str | None:
    """` # text` after an instruction Docker takes literally (outside quotes), e.g. `WORKDIR /app # the app`."""
    if instruction.keyword not in LITERAL:
        return None
    quote = None
    text = instruction.arguments
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and index > 0 and text[index - 1] in " \t":
            return text[index:].strip()
    return None


def from_arguments_problem(line: int, words: list[str]) -> str:
    """Why Docker refuses this FROM line (it takes one image, or an image, AS and a stage name)."""
    written = " ".join(words)
    refused = 'Docker refuses this line ("FROM requires either one or three arguments")'
    if len(words) == 2 and words[0].endswith(":"):
        fix = f"remove the space after the colon: `FROM {words[0]}{words[1]}`"
    elif len(words) == 2 and words[1].startswith(":"):
        fix = f"remove the space before the colon: `FROM {words[0]}{words[1]}`"
    elif len(words) == 2 and re.match(r"^\d|^(?:latest|slim|alpine)", words[1]):
        fix = f"join the name and the tag with a colon: `FROM {words[0]}:{words[1]}`"
    elif len(words) == 3:
        refused = f"Docker refuses this line (the second word must be AS, to name a build stage; found `{words[1]}`)"
        fix = "write one image name, such as `FROM python:3.13-slim`"
    else:
        fix = "write one image name, such as `FROM python:3.13-slim` (or `FROM image AS name` to name a stage)"
    return (
        f"line {line}: FROM takes one image name; found {len(words)} words, `{written}`: the space splits it, "
        f"and {refused}. Fix: {fix}"
    )


def load(path: Path) -> Dockerfile:
    """Read and parse the Dockerfile at `path`, or raise DockerfileProblem with a learner-facing reason."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DockerfileProblem(
                f"the Dockerfile is {size / 1_000_000:.1f} MB; a Dockerfile is a short text file: is this the right file?"
            )
        data = path.read_bytes()
    except IsADirectoryError:
        raise DockerfileProblem(f"{path.name} is a folder, not a file") from None
    except PermissionError:
        raise DockerfileProblem(f"{path} cannot be read: permission denied") from None
    except OSError as exc:
        raise DockerfileProblem(f"{path} cannot be read: {exc.strerror or exc}") from None
    text, has_bom = decode(data)
    dockerfile = parse(text, path)
    dockerfile.has_bom = has_bom
    return dockerfile
