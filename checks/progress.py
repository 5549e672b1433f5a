"""This workspace's last result per lesson and how many hints were shown, in one small JSON file.

The file is rewritten only when something in it changes: it sits in the build context, and a
file that changed on every run would defeat Docker's layer cache for `COPY . .`.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

FILENAME = ".checks-progress.json"


def path_of(workspace: Path) -> Path:
    return workspace / FILENAME


def read(workspace: Path) -> dict:
    try:
        data = json.loads(path_of(workspace).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"lessons": {}, "hints": {}}
    if not isinstance(data, dict):
        return {"lessons": {}, "hints": {}}
    data.setdefault("lessons", {})
    data.setdefault("hints", {})
    return data


def _write(workspace: Path, data: dict) -> bool:
    """Atomically replace the file; a read-only workspace just keeps no progress."""
    if read(workspace) == data:
        return True
    try:
        handle, temp = tempfile.mkstemp(dir=workspace, prefix=".checks-progress.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(temp, path_of(workspace))
        return True
    except OSError:
        return False


def start(workspace: Path) -> None:
    """Write an empty progress file: `checks init` does, and it marks the folder as a workspace."""
    path_of(workspace).write_text(
        json.dumps({"hints": {}, "lessons": {}}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def evidence(catalogue, lesson_id: str, passed: bool, failed_ids) -> dict[str, tuple[bool, list[str]]]:
    """What one run of `checks lessonN` proves, per lesson: {lesson id: (passed, failing check ids)}.

    Lesson N runs the checks of the lessons it builds on too, so its run is evidence about them:
    N passed, so did each of them; a check of lesson K (or before) failed, lesson K fails now.
    A lesson whose checks did not fail but may not all have run (the build stopped) is not proved
    either way and is left out. Lesson N itself is always in.
    """
    proved = {lesson_id: (passed, sorted(failed_ids))}
    lesson = catalogue.get(lesson_id)
    if lesson is None or lesson.id != lesson_id:
        return proved
    failing = set(failed_ids)
    for step in catalogue.before(lesson):
        if passed:
            proved[step.id] = (True, [])
            continue
        # as its own run would say: its checks and those of the lessons it builds on
        its_own = {info.id for earlier in (*catalogue.before(step), step) for info in earlier.checks}
        if failing & its_own:
            proved[step.id] = (False, sorted(failing & its_own))
    return proved


def record(workspace: Path, lesson_id: str, passed: bool, failed_ids: list[str], catalogue=None) -> bool:
    """Keep this run's result, and what it proves about the lessons it builds on (see `evidence`)."""
    if catalogue is None:
        from .catalogue import load

        catalogue = load()
    data = read(workspace)
    when = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    for proved_id, (proved_passed, proved_failed) in evidence(catalogue, lesson_id, passed, failed_ids).items():
        entry = {"passed": proved_passed, "failed": proved_failed}
        previous = data["lessons"].get(proved_id, {})
        if {k: previous.get(k) for k in entry} == entry:
            continue  # same result as last time: keep the file (and Docker's cache) as it is
        entry["when"] = when
        if proved_id != lesson_id:
            entry["by"] = lesson_id  # `checks progress` says which run proved it
        data["lessons"][proved_id] = entry
    return _write(workspace, data)


def next_hint(workspace: Path, lesson_id: str, available: int) -> int:
    """How many hints to show now: one more than last time, at most `available`."""
    data = read(workspace)
    shown = min(int(data["hints"].get(lesson_id, 0)) + 1, available)
    data["hints"][lesson_id] = shown
    _write(workspace, data)
    return shown
