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


def record(workspace: Path, lesson_id: str, passed: bool, failed_ids: list[str]) -> bool:
    data = read(workspace)
    entry = {"passed": passed, "failed": sorted(failed_ids)}
    previous = data["lessons"].get(lesson_id, {})
    if {k: previous.get(k) for k in entry} == entry:
        return True  # same result as last time: keep the file (and Docker's cache) as it is
    entry["when"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    data["lessons"][lesson_id] = entry
    return _write(workspace, data)


def next_hint(workspace: Path, lesson_id: str, available: int) -> int:
    """How many hints to show now: one more than last time, at most `available`."""
    data = read(workspace)
    shown = min(int(data["hints"].get(lesson_id, 0)) + 1, available)
    data["hints"][lesson_id] = shown
    _write(workspace, data)
    return shown
