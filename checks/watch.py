"""`checks watch [lessonN]`: grade again each time the workspace changes, as `rustlings watch` does.

Each grading clears the terminal and shows the report with its verdict and next step. When the lesson
passes, the next save grades the next lesson. A save during a build cancels that build (it is stopped
and what it made removed, as on Ctrl-C) and grades the new state. Changes are found by polling the
workspace's files (names, sizes, modification times): no dependency, the same on every system.
Ctrl-C stops watching (exit 130).
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from pathlib import Path

from . import busy, grading, progress, status
from .errors import EngineProblem
from .output import Style, render

POLL = 0.05  # seconds between two looks at the workspace
SETTLE = 0.05  # an editor may write a file in several steps: wait this long after a change
IGNORED = {".checks-progress.json", "__pycache__", ".git", ".pytest_cache", ".mypy_cache", ".venv", "node_modules"}
CLEAR = "\033[H\033[2J\033[3J"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file of the workspace that a change would matter in: path -> (size, mtime in ns)."""
    seen = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in IGNORED]
        for name in files:
            if name in IGNORED or name.endswith((".swp", ".swx", "~")):  # editors' own temporary files
                continue
            path = os.path.join(root, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            seen[path] = (info.st_size, info.st_mtime_ns)
    return seen


class Watcher(threading.Thread):
    """Looks at the workspace; on a change, sets `changed`, and stops a grading that is under way."""

    def __init__(self, folder: Path):
        super().__init__(daemon=True, name="checks-watch")
        self.folder = folder
        self.last = snapshot(folder)
        self.changed = threading.Event()
        self.grading = False  # the main thread is grading: a change cancels it
        self.cancelled = False
        self.lock = threading.Lock()
        self.main = threading.get_ident()  # made by the main thread, which grades

    def run(self) -> None:
        while True:
            time.sleep(POLL)
            now = snapshot(self.folder)
            if now == self.last:
                continue
            time.sleep(SETTLE)
            self.last = snapshot(self.folder)
            with self.lock:
                self.changed.set()
                if self.grading and not self.cancelled:
                    self.cancelled = True
                    self.interrupt()

    def interrupt(self) -> None:
        """A KeyboardInterrupt in the grading, which stops it cleanly (a build is stopped, all removed).

        A real SIGINT to the main thread: it also ends a wait the main thread is blocked in (a check
        waiting for the app probe that runs in the background), where interrupt_main() would only be
        seen once the wait is over, a minute later."""
        if hasattr(signal, "pthread_kill"):
            signal.pthread_kill(self.main, signal.SIGINT)
        else:  # Windows
            _thread.interrupt_main()

    def start_grading(self) -> None:
        with self.lock:
            self.changed.clear()
            self.cancelled = False
            self.grading = True

    def stop_grading(self) -> bool:
        """Grading is over; True when it was cancelled by a change."""
        with self.lock:
            self.grading = False
            return self.cancelled


def grade_once(folder: Path, catalogue, lesson, watcher: Watcher) -> tuple[bool, str] | None:
    """Grade `lesson` once, as `checks lessonN` does: (passed, the report's text), or None if cancelled."""
    cancelled = False
    try:
        watcher.start_grading()
        try:
            report = grading.grade(folder, catalogue, lesson, grading.Options(front="checks watch"))
        finally:
            cancelled = watcher.stop_grading()
    except KeyboardInterrupt:
        if cancelled or watcher.cancelled:
            return None
        raise
    except EngineProblem as problem:
        if cancelled:
            return None
        return False, f"Error: {problem}\nRun `checks doctor` for a full diagnosis."
    except busy.Busy as problem:  # another grading of this workspace ran for too long: say so, keep watching
        return False, f"Error: {problem}"
    if cancelled:  # the change came as the grading ended: grade the new state
        return None
    return report.passed, render(report, catalogue, lesson, str(folder.resolve()), Style(sys.stdout))


def first_to_do(folder: Path, catalogue):
    done = progress.read(folder)["lessons"]
    for lesson in catalogue.lessons:
        if not (done.get(lesson.id) or {}).get("passed"):
            return lesson
    return catalogue.lessons[-1]


def watch(folder: Path, catalogue, lesson=None) -> int:
    lesson = lesson or first_to_do(folder, catalogue)
    tty = sys.stdout.isatty()
    status.enable(sys.stderr)
    watcher = Watcher(folder)
    watcher.start()
    note = ""
    while True:
        outcome = grade_once(folder, catalogue, lesson, watcher)
        if outcome is None:
            continue  # cancelled by a save: grade what is there now
        passed, text = outcome
        print(CLEAR if tty else "\n" + "-" * 40, end="")
        print(note + text)
        note = ""
        following = catalogue.after(lesson)
        if passed and following:
            note = f"(Lesson {lesson.number} passed; now lesson {following.number}.)\n\n"
            lesson = following
            print(
                f"\nWatching {folder.resolve()}: save a change to grade lesson {lesson.number}, "
                f"{lesson.title} ({lesson.page_url}). Ctrl-C stops.",
                flush=True,
            )
        else:
            print(
                f"\nWatching {folder.resolve()}: each save grades lesson {lesson.number} again. Ctrl-C stops.",
                flush=True,
            )
        watcher.changed.wait()
