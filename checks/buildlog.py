"""Reading a build's own output: which Dockerfile line failed and why (BuildKit's plain progress or the
classic builder's), and, while it runs, whether a RUN step will never end (silent, or serving)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import settings
from .steps import StepLines

# a step of the classic builder ("Step 4/7 : RUN …") or of Podman's Buildah ("STEP 4/7: RUN …", in a
# multi-stage build "[2/2] STEP 9/10: …"): (n, m, the instruction)
CLASSIC_STEP_LINE = r"^(?:\[\d+/\d+\] )?(?:Step|STEP) (\d+)/(\d+) ?: (.+)$"


def step_silence() -> float:
    """Seconds a RUN step may run without printing anything before it is stopped (CHECKS_STEP_SILENCE)."""
    return settings.value("CHECKS_STEP_SILENCE")


def busy_silence() -> float:
    """The same, after a line announcing work that ends with a line of its own (pip's `…: started`)."""
    return max(settings.value("CHECKS_STEP_SILENCE_BUSY"), step_silence())


# What a program prints when it has started serving and will wait for clients: it never ends.
SERVER_LISTENING = re.compile(
    r"(?i)running on https?://|listening (?:on|at)\b|serving (?:http )?on\b|bound (?:on|to) (?:\w+ )*\S*:\d+|"
    r"spawned uwsgi (?:worker|http)|server (?:is )?(?:running|listening|started) (?:on|at)\b|"
    r"ready to accept connections|application startup complete"
)
# A line that announces work still going on, whose end is printed later: pip's "Building wheel for uWSGI
# (pyproject.toml): started" or "Downloading …", apt-get's "Get:3 http://…" while it fetches the next file
# (on a slow network a big package list takes a while): the quiet after it may last longer.
ANNOUNCES_WORK = re.compile(r"(?i):\s*started\s*$|^\s*(?:building wheel|running setup\.py|downloading)\b|^Get:\d+ ")


@dataclass
class StoppedStep:
    """A build step that checks stopped: it kept running without output, or it started a server."""

    step: str  # the instruction as the builder shows it: "RUN sleep infinity"
    seconds: float  # how long it had run
    silent_for: float  # seconds since its last output line
    output: list[str]  # its last output lines
    listening: str = ""  # the output line showing a server waiting for clients, if any
    line: int | None = None  # its Dockerfile line

    @property
    def server(self) -> bool:
        return bool(self.listening)

    def describe(self) -> str:
        """Why it was stopped, in a few words."""
        if self.server:
            return f"starting a server, which waits for clients and never ends (its output: `{self.listening}`)"
        if self.seconds - self.silent_for < 1:
            return f"still running after {self.seconds:.0f} s without printing anything"
        return f"still running after {self.seconds:.0f} s, with no new output for the last {self.silent_for:.0f} s"


class BuildWatch:
    """Follows a build's progress (BuildKit's plain output, or the classic builder's) as it is printed.

    A RUN step that keeps running with no new output for `step_silence()` seconds, or whose output
    shows a server listening, will never end by itself: `verdict()` says so and the build is stopped.
    Judged from what the build shows, whatever program the step runs.
    """

    BUILDKIT_HEADER = re.compile(r"^#(\d+) \[[^\]]*\d+/\d+\] ((?i:RUN)\b.*)$")
    BUILDKIT_OUTPUT = re.compile(r"^#(\d+) \d+\.\d+ ?(.*)$")
    BUILDKIT_END = re.compile(r"^#(\d+) (?:DONE|CACHED|ERROR|CANCELED)\b")
    CLASSIC_STEP = re.compile(CLASSIC_STEP_LINE)
    # the step's end: the classic builder's " ---> 3c4d5e6f7a8b", Podman's (Buildah's) "--> 3c4d5e6f7a8"
    CLASSIC_END = re.compile(r"^ ?---?> (?:[0-9a-f]{9,64}|Using cache\b.*)\s*$|^Removing intermediate container")

    def __init__(self):
        self.steps: dict[str, dict] = {}  # running RUN steps by BuildKit vertex (or "classic")
        self.stopped: StoppedStep | None = None

    def line(self, text: str, now: float) -> None:
        text = text.rstrip("\r\n")
        header = self.BUILDKIT_HEADER.match(text)
        if header:
            self.steps.setdefault(
                header.group(1),
                {"step": header.group(2), "started": now, "last": now, "output": [], "announced": False},
            )
            return
        end = self.BUILDKIT_END.match(text)
        if end:
            self.steps.pop(end.group(1), None)
            return
        output = self.BUILDKIT_OUTPUT.match(text)
        if output and output.group(1) in self.steps:
            self._output(self.steps[output.group(1)], output.group(2), now)
            return
        classic = self.CLASSIC_STEP.match(text)
        if classic:
            self.steps.pop("classic", None)
            if classic.group(3).upper().startswith("RUN"):
                self.steps["classic"] = {
                    "step": classic.group(3),
                    "started": now,
                    "last": now,
                    "output": [],
                    "announced": False,
                }
            return
        if "classic" in self.steps:
            if self.CLASSIC_END.match(text):
                self.steps.pop("classic")
            elif not text.startswith(" ---> Running in "):
                self._output(self.steps["classic"], text, now)

    def _output(self, step: dict, text: str, now: float) -> None:
        step["last"] = now
        step["output"] = (step["output"] + [text])[-8:]
        step["announced"] = bool(ANNOUNCES_WORK.search(text))
        if SERVER_LISTENING.search(text) and not step.get("listening"):
            step["listening"] = text.strip()
            step["listening_since"] = now

    def verdict(self, now: float) -> StoppedStep | None:
        """The step to stop now, if one will never end."""
        for step in self.steps.values():
            silent = now - step["last"]
            limit = busy_silence() if step["announced"] else step_silence()
            # a server is stopped a moment after it says it listens, so its next lines are shown too
            if (step.get("listening") and now - step["listening_since"] >= 1.5) or silent >= limit:
                return StoppedStep(
                    step=step["step"],
                    seconds=now - step["started"],
                    silent_for=silent,
                    output=list(step["output"]),
                    listening=step.get("listening", ""),
                )
        return None


def failed_line(log: str, dockerfile: StepLines | str) -> int | None:
    """The Dockerfile line of the failing step, from BuildKit's or the classic builder's output."""
    steps = StepLines.of(dockerfile)
    lines = re.findall(r"^(?:#\d+ .*?)?Dockerfile:(\d+)\s*$", log, re.MULTILINE)
    if lines:
        return int(lines[-1])
    parse = re.search(r"dockerfile parse error (?:on )?line (\d+)", log)
    if parse:
        return int(parse.group(1))
    definition = _definition_error_line(log, steps)
    if definition:
        return definition
    vertex = _failed_vertex_line(log, steps) or _failed_base_image_line(log, steps)
    if vertex:
        return vertex
    marker = re.findall(r">>>\s*(.+)$", log, re.MULTILINE)
    classic = re.findall(CLASSIC_STEP_LINE, log, re.MULTILINE)
    wanted = marker[-1] if marker else (classic[-1][2] if classic else None)
    return steps.line_matching(wanted) if wanted else None


def _definition_error_line(log: str, steps: StepLines) -> int | None:
    """The line of a value BuildKit refused before building anything (`failed to create LLB definition:
    Invalid hostPort: 127.0.0.1`): the first instruction line that contains the refused value."""
    refused = re.search(r"failed to create LLB definition: [^\n]*?: (\S+)\s*$", log, re.MULTILINE)
    return steps.line_with_argument(refused.group(1)) if refused else None


def _failed_base_image_line(log: str, steps: StepLines) -> int | None:
    """The FROM line whose image BuildKit could not get (`#3 [internal] load metadata for …` then ERROR)."""
    failed = re.search(r"^#(\d+) ERROR:", log, re.MULTILINE)
    header = failed and re.search(rf"^#{failed.group(1)} \[internal\] load metadata for (\S+)", log, re.MULTILINE)
    if not header:
        return None
    found = steps.from_line(header.group(1))
    if found is not None:
        return found
    return steps.stages[0].line if steps.stages else None


def _failed_vertex_line(log: str, steps: StepLines) -> int | None:
    """BuildKit without `Dockerfile:N` lines (Engine 20.10): find the failing vertex `#8 [4/4] RUN …` by its text."""
    failed = re.findall(r"^#(\d+) ERROR:", log, re.MULTILINE)
    if not failed:
        return None
    header = re.search(rf"^#{failed[0]} \[[^\]]*\d+/\d+\] (.+)$", log, re.MULTILINE)
    if not header:
        return None
    return steps.line_of(header.group(1))


def line_of_step(step: str, dockerfile: StepLines | str) -> int | None:
    """The Dockerfile line of a step as the builder shows it (`RUN sleep infinity`, continuations joined)."""
    return StepLines.of(dockerfile).line_of(step)


def error_summary(log: str) -> str:
    """The builder's closing error lines (BuildKit's `ERROR: …`, the classic builder's last lines)."""
    errors = [line for line in log.splitlines() if line.startswith(("ERROR:", "error:")) or " ERROR: " in line]
    if errors:
        return errors[-1].strip()
    tail = [line for line in log.strip().splitlines() if line.strip()]
    return tail[-1].strip() if tail else "the build failed"


def without_prefixes(error: str) -> str:
    """The builder's own words without the wrappers the CLI puts around them (`ERROR: failed to build: failed to
    solve: process … exit code: 1` on Engine 28, `failed to solve: …` on 20.10) : `process … exit code: 1`."""
    return re.sub(r"^(?:ERROR: )?(?:failed to build: )?(?:failed to solve: )?", "", error.strip())


def step_output(log: str, lines: int = 5) -> list[str]:
    """The failing step's last output lines: BuildKit repeats them between `------` lines after ` > [n/m] RUN …:`;
    the classic builder and Buildah print them after the step's `Step n/m : …` line."""
    failed = re.search(r"^#(\d+) ERROR:", log, re.MULTILINE)
    own = re.findall(rf"^#{failed.group(1)} \d+\.\d+ (.*)$", log, re.MULTILINE) if failed else []
    blocks = re.findall(r"^------\n > [^\n]*\n(.*?)^------", log, re.MULTILINE | re.DOTALL)
    if own:  # the failing vertex's own lines, whole (Engine 28's summary block shortens `/bin/sh: 1: py: …`)
        said = [line.rstrip() for line in own]
    elif blocks:
        said = [re.sub(r"^(?:#\d+ )?\d+\.\d+ ", "", line).rstrip() for line in blocks[-1].splitlines()]
    else:
        steps = list(re.finditer(CLASSIC_STEP_LINE, log, re.MULTILINE))
        after = log[steps[-1].end() :] if steps else ""
        said = [
            line.rstrip()
            for line in after.splitlines()
            if not re.match(
                r"^ ?---?> |^Removing intermediate container|^The command .* returned a non-zero code", line
            )
        ]
    said = [line for line in said if line.strip()]
    return said[-lines:]


# A program a RUN calls that the image does not have, as the shell says it (dash: `/bin/sh: 1: py: not found`,
# bash: `bash: line 1: py: command not found`)
PROGRAM_NOT_FOUND = re.compile(
    r"^(?:(?:/bin/)?(?:sh|bash|dash)(?:: line \d+|: \d+)?: )?([^\s:]+): (?:command )?not found\s*$"
)

# What such a program is, and what the image has instead: the habits learners bring from elsewhere.
INSTEAD_OF = {
    "py": "`py` is the Windows launcher; in the image the program is `python`",
    "python3.exe": "a Windows program name; in the image the program is `python`",
    "adduser": "`adduser` is not in this image (Debian's slim images leave it out): use `useradd`",
    "addgroup": "`addgroup` is not in this image (Debian's slim images leave it out): use `groupadd`",
    "sudo": "there is no sudo in the image, and RUN already runs as root: leave `sudo` out",
    "apk": "`apk` is Alpine's package manager; this image is Debian: use `apt-get`",
    "yum": "`yum` is for Red Hat's family; this image is Debian: use `apt-get`",
    "dnf": "`dnf` is for Red Hat's family; this image is Debian: use `apt-get`",
    "curl": "curl is not in the python:*-slim images: install it with apt-get first, or use `python -c` instead",
    "wget": "wget is not in the python:*-slim images: install it with apt-get first, or use `python -c` instead",
}


def missing_program(log: str) -> str | None:
    """The program the failing step could not find (`py` from `/bin/sh: 1: py: not found`), if that is why it failed."""
    for line in reversed(step_output(log, lines=20)):
        found = PROGRAM_NOT_FOUND.match(line.strip())
        if found:
            return found.group(1)
    return None


def missing_program_cause(program: str) -> str:
    """What to write instead of a program the image does not have, in the learner's terms."""
    return INSTEAD_OF.get(program, f"`{program}` is not in this image: install it first, or call a program it has")


def describe_failure(log: str, dockerfile_text: str, line: int | None) -> str:
    """`the step at line 5, `RUN py -m pip …`, fails: /bin/sh: 1: py: not found`: the line, and the step's own words."""
    lines = dockerfile_text.splitlines()
    step = ""
    if line and 0 < line <= len(lines):
        step = lines[line - 1].strip().rstrip("\\").strip()
        step = f", `{step if len(step) <= 80 else step[:77] + '…'}`,"
    said = step_output(log, lines=3)
    cause = "; ".join(said) if said else without_prefixes(error_summary(log))
    if len(cause) > 300:
        cause = "…" + cause[-300:]
    where = f"the step at line {line}{step}" if line else "the build"
    return f"{where} fails: {cause}" if cause else f"{where} fails"
