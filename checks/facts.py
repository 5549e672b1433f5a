"""What a command printed in an image, kept across runs for images with the same content.

Every run of `checks` builds the learner's image again (BuildKit's cache makes that fast), but the
run's own label gives the image a new id each time, so the engine would be asked the same questions
about the same files again: the packages dpkg lists, whether gcc compiles, what flask's import
says. Their answers depend only on the image's file system and on how the command is run, so they
are kept under a key made of exactly that: the image's layer digests (content addresses of its
files), its platform, the Env, User and WorkingDir of its config, the command and the user asked
for. An image whose files changed by one byte has other layer digests and is asked again, as
BuildKit runs a step again when its inputs change.

Only answers with an exit status are kept (no timeout, no engine failure). The store is a folder of
small JSON files in the user's cache folder (CHECKS_CACHE_DIR to move it, CHECKS_NO_CACHE=1 to ask
the engine every time); a file that cannot be read is ignored and written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import settings

MISSING = object()  # no answer kept
KEEP_FILES = 400  # images remembered; the least recently used are forgotten beyond this


def cache_folder() -> Path | None:
    """Where the answers are kept, or None when the learner asked for none (CHECKS_NO_CACHE=1)."""
    if settings.value("CHECKS_NO_CACHE"):
        return None
    if settings.value("CHECKS_CACHE_DIR"):
        return Path(settings.value("CHECKS_CACHE_DIR"))
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "docker-lessons" / "cache" / "facts"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "docker-lessons" / "facts"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docker-lessons" / "facts"


def content_key(inspected: dict) -> str | None:
    """The key of an image's content, from its inspect data; None when the engine gives no layer digests."""
    layers = (inspected.get("RootFS") or {}).get("Layers") or []
    if not layers:
        return None
    config = inspected.get("Config") or {}
    content = {
        "layers": layers,
        "platform": [inspected.get("Os"), inspected.get("Architecture"), inspected.get("Variant")],
        "env": config.get("Env") or [],
        "user": config.get("User") or "",
        "workdir": config.get("WorkingDir") or "",
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class Facts:
    """Answers by (content key, question): one JSON file per image content."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._lock = threading.Lock()
        self._loaded: dict[str, dict[str, object]] = {}

    def get(self, key: str, question: list) -> object:
        """The kept answer (a JSON value), or MISSING."""
        if self.folder is None:
            return MISSING
        with self._lock:
            answers = self._answers(key)
            return answers.get(_question(question), MISSING)

    def put(self, key: str, question: list, answer: object) -> None:
        if self.folder is None:
            return
        with self._lock:
            answers = self._answers(key)
            answers[_question(question)] = answer
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile("w", dir=self.folder, suffix=".tmp", delete=False) as file:
                    json.dump(answers, file)
                os.replace(file.name, self.folder / f"{key}.json")  # whole or not at all, also for a run beside
                self._forget_old()
            except OSError:  # a read-only or full disk: the answers are simply not kept
                pass

    def _answers(self, key: str) -> dict[str, object]:
        if key not in self._loaded:
            assert self.folder is not None
            path = self.folder / f"{key}.json"
            try:
                data = json.loads(path.read_text())
                os.utime(path)  # recently used
            except (OSError, ValueError):
                data = {}
            self._loaded[key] = data if isinstance(data, dict) else {}
        return self._loaded[key]

    def _forget_old(self) -> None:
        assert self.folder is not None
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for path in files[: max(0, len(files) - KEEP_FILES)]:
            path.unlink(missing_ok=True)
        for path in self.folder.glob("*.tmp"):  # left by a run that was killed while writing
            try:
                if path.stat().st_mtime < time.time() - 3600:
                    path.unlink(missing_ok=True)
            except OSError:
                pass


def _question(question: list) -> str:
    return json.dumps(question)
