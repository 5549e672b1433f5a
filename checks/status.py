"""A live status line while `checks` builds or waits for a container: the step being run, n/m, its
Dockerfile line, the elapsed time.

It reads the builder's own progress as it is written (BuildKit's `--progress=plain`: `#8 [4/7] RUN …`,
`#8 DONE 3.1s`; the classic builder's `Step 4/7 : RUN …`) and redraws one line on stderr:

    building: step 4/7  RUN pip install -r requirements.txt  (Dockerfile:9)  12s

and, while a check waits for a container (`begin(text)` … `end()`), that wait and its time so far.
Only when the CLI turned it on (a terminal on stderr, no --json); the line is erased when the work
ends, so nothing of it stays in the output.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from contextlib import contextmanager, suppress

from .steps import StepLines

REFRESH = 0.2  # seconds between redraws

_stream = None  # where the line is drawn; None: off
_listener = None  # a front end's listen(text, seconds) callback (`checks serve` streams it to a page); None: off


def enable(stream) -> bool:
    """Draw the status line on `stream` (stderr) if it is a terminal that can redraw; None: never."""
    global _stream
    tty = stream is not None and hasattr(stream, "isatty") and stream.isatty()
    _stream = stream if tty and os.environ.get("TERM") != "dumb" else None
    return _stream is not None


def listen(callback) -> None:
    """Also hand the status to `callback(text, seconds)` every REFRESH seconds, untruncated, from the
    thread that redraws it (`checks serve` sends it to the page); None stops."""
    global _listener
    _listener = callback


def _on() -> bool:
    return _stream is not None or _listener is not None


VERTEX = re.compile(r"^#(\d+) \[(?:(?P<stage>[^\]]*?) )?(?P<n>\d+)/(?P<m>\d+)\] (?P<text>.+)$")
VERTEX_END = re.compile(r"^#(\d+) (?:DONE\b|CACHED\b|ERROR\b|CANCELED\b)")
OTHER = re.compile(r"^#(\d+) (?P<text>\[internal\] load metadata for \S+|exporting to image)$")
CLASSIC_STEP = re.compile(r"^(?:\[\d+/\d+\] )?(?:Step|STEP) (?P<n>\d+)/(?P<m>\d+) ?: (?P<text>.+)$")  # and Podman's


class BuildProgress:
    """What the build is doing, from the lines of its progress output."""

    def __init__(self, dockerfile: StepLines | str):
        self.steps = StepLines.of(dockerfile)
        self.running: dict[str, tuple[int, int, str]] = {}  # vertex -> (n, m, text)
        self.current: tuple[int, int, str] | None = None

    def feed(self, line: str) -> None:
        line = line.rstrip("\r\n")
        step = VERTEX.match(line)
        if step:
            self.running[step.group(1)] = (int(step["n"]), int(step["m"]), step["text"])
            self.current = self.running[step.group(1)]
            return
        other = OTHER.match(line)
        if other:
            text = other["text"].replace("[internal] load metadata for", "looking up")
            self.running[other.group(1)] = (0, 0, text.replace("exporting to image", "saving the image"))
            self.current = self.running[other.group(1)]
            return
        end = VERTEX_END.match(line)
        if end and end.group(1) in self.running:
            del self.running[end.group(1)]
            if self.running:  # BuildKit runs steps in parallel: show one still running
                self.current = list(self.running.values())[-1]
            return
        classic = CLASSIC_STEP.match(line)
        if classic:
            self.current = (int(classic["n"]), int(classic["m"]), classic["text"])

    def describe(self) -> str:
        if self.current is None:
            return "starting"
        n, m, text = self.current
        if not m:
            return text
        line = self.steps.line_of(text)
        where = f"  (Dockerfile:{line})" if line else ""
        return f"step {n}/{m}  {' '.join(text.split())}{where}"


class _Waiting:
    def __init__(self, text: str):
        self.text = text

    def describe(self) -> str:
        return self.text


def status_text(progress, seconds: float, width: int) -> str:
    elapsed = f"  {int(seconds)}s"
    text = f"building: {progress.describe()}" if isinstance(progress, BuildProgress) else progress.describe()
    room = max(10, width - len(elapsed) - 1)
    if len(text) > room:
        text = text[: room - 1] + "…"
    return text + elapsed


class _Follower(threading.Thread):
    """Redraws the line with what the engine fed it, every REFRESH seconds."""

    def __init__(self, stream, progress):
        super().__init__(daemon=True, name="checks-status")
        self.stream = stream
        self.progress = progress
        self.started_at = time.monotonic()
        self.done = threading.Event()

    def feed(self, text: str) -> None:
        """One line of the builder's output, as the engine reads it. A listener hears of it at once: a
        cached build can end before the first redraw."""
        self.progress.feed(text)
        listener = _listener
        if listener is not None:
            seconds = time.monotonic() - self.started_at
            with suppress(Exception):
                listener(status_text(self.progress, seconds, 10_000), seconds)

    def run(self) -> None:
        while not self.done.wait(REFRESH):
            seconds = time.monotonic() - self.started_at
            listener = _listener
            if listener is not None:
                with suppress(Exception):  # a front end's trouble never stops the grading
                    listener(status_text(self.progress, seconds, 10_000), seconds)
            if self.stream is not None:
                self._draw(status_text(self.progress, seconds, shutil.get_terminal_size((80, 24)).columns))

    def _draw(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def end(self) -> None:
        """The end of a wait begun with begin(): the line is cleared."""
        self.stop()

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=2)
        self._draw("")


class _Off:
    def feed(self, text: str) -> None:
        pass

    def end(self) -> None:
        pass


@contextmanager
def build_status(steps: StepLines):
    """Around a build: yields an object whose feed(line) the engine calls with each line the builder prints."""
    if not _on():
        yield _Off()
        return
    follower = _Follower(_stream, BuildProgress(steps))
    follower.start()
    try:
        yield follower
    finally:
        follower.stop()


def update(waiting, text: str) -> None:
    """Change what a wait begun with begin() says (its progress so far); nothing when the line is off."""
    progress = getattr(waiting, "progress", None)
    if isinstance(progress, _Waiting):
        progress.text = text


def begin(text: str):
    """A wait that may take a while (a container starting): shown with its elapsed time until end()."""
    if not _on():
        return _Off()
    follower = _Follower(_stream, _Waiting(text))
    follower.start()
    return follower
