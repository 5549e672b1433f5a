"""Creating a learner's workspace from the sample app, and finding it as git finds its repository.

A workspace is the folder `checks init` made: it holds the progress file `.checks-progress.json`,
which init writes first and which serves as its marker. `checks` looks for it in the current
folder and then in each folder above, so it works from `together/bin` too. A workspace made before
there was a marker is recognised by the sample app's own files (requirements.txt and
bin/run_dev.sh, or one of them next to a Dockerfile). The course's own folders (its repository root,
the sample app it copies) are never workspaces; inside a clone of the course only a marked
folder is (`checks init` run in the clone).
"""

from __future__ import annotations

import shutil
from pathlib import Path

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")
MARKER = ".checks-progress.json"  # the progress file, which `checks init` writes first
APP_FILES = ("requirements.txt", "bin/run_dev.sh")
DOCKERFILES = ("Dockerfile", "dockerfile")


class WorkspaceProblem(Exception):
    """The folder cannot be used as a workspace (exit 2)."""


def create(app_dir: Path, target: Path) -> Path:
    """Copy the sample app into `target`; never write into an existing non-empty folder."""
    if target.exists():
        if not target.is_dir():
            raise WorkspaceProblem(
                f"{target} exists and is not a folder: choose another name, e.g. `checks init together2`"
            )
        if any(target.iterdir()):
            raise WorkspaceProblem(
                f"{target} exists and is not empty: nothing was changed. "
                "Choose a new folder, e.g. `checks init together2`"
            )
    try:
        shutil.copytree(app_dir, target, ignore=IGNORED, dirs_exist_ok=True)
        for script in (target / "bin").glob("*.sh"):  # an installer may have dropped the executable bit
            script.chmod(script.stat().st_mode | 0o111)
        from . import progress

        progress.start(target)  # the marker that makes it a workspace
    except OSError as exc:
        raise WorkspaceProblem(f"cannot create {target}: {exc.strerror or exc}") from None
    return target


def is_course_folder(folder: Path, app_dir: Path | None = None) -> bool:
    """The course's own repository (it has lessons/course.toml) or the sample app `checks init` copies."""
    if (folder / "lessons" / "course.toml").is_file() or (folder / "course.toml").is_file():
        return True
    try:
        return app_dir is not None and folder.resolve() == app_dir.resolve()
    except OSError:
        return False


def looks_like_workspace(folder: Path, app_dir: Path | None = None, marked_only: bool = False) -> bool:
    if is_course_folder(folder, app_dir):
        return False
    if (folder / MARKER).is_file():
        return True
    if marked_only:
        return False
    app_files = sum((folder / name).is_file() for name in APP_FILES)  # a workspace from before the marker
    return app_files == len(APP_FILES) or (app_files > 0 and any((folder / d).is_file() for d in DOCKERFILES))


def find(start: Path, app_dir: Path | None = None) -> Path | None:
    """The workspace that holds `start`: `start` itself or the nearest folder above it, or None."""
    try:
        folder = start.resolve()
    except OSError:
        return None
    chain = (folder, *folder.parents)
    # inside a clone of the course only a folder `checks init` made counts (not lessons/together)
    in_course = any(is_course_folder(candidate, app_dir) for candidate in chain)
    for candidate in chain:
        if is_course_folder(candidate, app_dir):
            return None  # the course's own files are not a learner's workspace
        if looks_like_workspace(candidate, app_dir, marked_only=in_course):
            return candidate
    return None
