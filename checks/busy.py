"""One grading at a time per workspace, whichever front end started it: `checks lessonN`, `checks watch` and
`checks serve`, in one terminal or several. Two gradings of one workspace would build the same image and start
containers side by side, and each verdict would be about files the other saw at another moment.

The lock is the operating system's (flock; on Windows, msvcrt's byte lock) on a file outside the workspace, in
the user's runtime folder, so it ends with its process however that ends; beside it, a note says who holds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

WAIT_LIMIT = (
    600.0  # seconds a terminal's grading waits for another one of the same workspace (a cold lesson 12: ~5 min)
)


@dataclass(frozen=True)
class Holder:
    """Who grades the workspace now, as its note says."""

    pid: int
    front: str  # "checks lesson5", "checks watch", "checks serve"
    lesson: str
    since: float  # time.time() when it began

    def describe(self) -> str:
        number = self.lesson.removeprefix("lesson")
        return f"lesson {number}, by `{self.front}` (pid {self.pid}), for {time.time() - self.since:.0f} s"


class Busy(UsageError):
    """Another grading of the workspace is running (exit 2, as any problem that is not the lesson's)."""

    def __init__(self, holder: Holder | None, waited: float):
        self.holder = holder
        who = holder.describe() if holder else "by another checks process"
        after = f" (waited {waited:.0f} s)" if waited >= 1 else ""
        super().__init__(f"another grading of this workspace is running: {who}{after}; wait for its verdict or stop it")


def runtime_folder() -> Path:
    """Where the locks live: the user's own runtime folder (XDG_RUNTIME_DIR), else a folder of theirs in /tmp."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "docker-lessons" / "run"
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return Path(base) / "docker-lessons"
    return Path(tempfile.gettempdir()) / f"docker-lessons-{os.getuid()}"


def lock_path(workspace: Path) -> Path:
    key = hashlib.sha256(str(workspace.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return runtime_folder() / f"grading-{key}.lock"


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError on POSIX, PermissionError on Windows: someone holds it
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def holder_of(workspace: Path) -> Holder | None:
    """Who grades `workspace` now, or None when nobody does (or the note cannot be read)."""
    path = lock_path(workspace)
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
    finally:
        os.close(fd)
    return _read_note(path)


def _read_note(path: Path) -> Holder | None:
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["front"]), str(data["lesson"]), float(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def one_grading(
    workspace: Path, lesson_id: str, front: str, wait: float, on_wait: Callable[[Holder | None], None] | None = None
) -> Iterator[None]:
    """Hold the workspace's grading lock for the block; wait at most `wait` seconds for another holder (telling
    `on_wait` who it is every quarter second), then raise Busy. Where no lock file can be made (a read-only
    home), grading goes on unlocked: one grading at a time is a courtesy, not a reason to refuse."""
    path = lock_path(workspace)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    started = time.monotonic()
    try:
        while not _try_lock(fd):
            holder = _read_note(path)
            if time.monotonic() - started >= wait:
                raise Busy(holder, time.monotonic() - started)
            if on_wait is not None:
                on_wait(holder)
            time.sleep(0.25)
        note = {"pid": os.getpid(), "front": front, "lesson": lesson_id, "since": time.time()}
        try:
            path.with_suffix(".json").write_text(json.dumps(note), encoding="utf-8")
        except OSError:
            pass
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
