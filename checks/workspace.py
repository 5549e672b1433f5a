"""Creating a learner's workspace from the sample app, and recognising one."""

from __future__ import annotations

import shutil
from pathlib import Path

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")
MARKERS = ("Dockerfile", "dockerfile", "requirements.txt", "bin/run_dev.sh")


class WorkspaceProblem(Exception):
    """The folder cannot be used as a workspace (exit 2)."""


def create(app_dir: Path, target: Path) -> Path:
    """Copy the sample app into `target`; never write into an existing non-empty folder."""
    if target.exists():
        if not target.is_dir():
            raise WorkspaceProblem(f"{target} exists and is not a folder: choose another name, e.g. `checks init together2`")
        if any(target.iterdir()):
            raise WorkspaceProblem(f"{target} exists and is not empty: nothing was changed. "
                                   "Choose a new folder, e.g. `checks init together2`")
    try:
        shutil.copytree(app_dir, target, ignore=IGNORED, dirs_exist_ok=True)
        for script in (target / "bin").glob("*.sh"):  # an installer may have dropped the executable bit
            script.chmod(script.stat().st_mode | 0o111)
    except OSError as exc:
        raise WorkspaceProblem(f"cannot create {target}: {exc.strerror or exc}") from None
    return target


def looks_like_workspace(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in MARKERS)
