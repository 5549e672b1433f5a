"""Lesson 7's Dockerfile next to the course's final one, built in one run on the same engine and app.

Both are built from a developer's folder (lessons/lesson11/workspace.sh: a virtualenv, Python's
caches, a data file, git), each with its own .dockerignore: lesson 7 with the sample app's, the final
one (lesson 15's) with the reference solutions' files up to the last lesson graded on the workspace. For each it
measures, alternately so that both see the same machine load:

    build context   what the engine receives (lesson 11's probe: the folder sent as `docker build .` sends it)
    cold build      `docker build --no-cache` (the base image is local; apt and pip download)
    rebuild         `docker build` again after a one-line change to together/app.py
    image size      the image's size as `docker image ls` counts it
    packages        Debian packages in the image (`dpkg-query -W`)
    compiler        whether `gcc` runs in the image
    runs as         the user id of the container's PID 1 (/proc/1/status), once it answered /statz
    stop            `docker stop` of a running container that answered /statz, until it exited

and prints a Markdown table with the issue's targets: final image at most half of lesson 7's,
context under 1 MB, rebuild at most a fifth of lesson 7's, stop under 2 s. Exit status 0 when every
target holds, 1 when one does not, 2 on an error.

    python bench/production.py [--write docs/samples/production.txt]

`--write` saves the table (with the date, the engine and the Dockerfiles compared) for the site's
summary page, which includes that file. Everything created is labelled like `checks`' own images
and containers and removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.catalogue import load  # noqa: E402
from checks.context import Context  # noqa: E402
from checks.engine import RUN_LABEL, TEMP_REPOSITORY, Engine, EngineProblem  # noqa: E402

STOP_TIMEOUT = 30  # seconds `docker stop` waits before it kills


@dataclass
class Measure:
    name: str
    dockerfile_from: str
    context_bytes: int = 0
    cold_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    image_bytes: int = 0
    packages: int = 0
    compiler: bool = False
    stop_seconds: float = 0.0
    main_uid: int | None = None  # the user id PID 1 runs as; 0 is root


def human(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:.0f} B"


def developer_folder(parent: Path, name: str, files: dict[str, Path]) -> Path:
    folder = parent / name
    shutil.copytree(
        ROOT / "lessons" / "together", folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    subprocess.run(
        ["sh", str(ROOT / "lessons" / "lesson11" / "workspace.sh")],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHON": sys.executable},
    )
    for relative, source in files.items():
        (folder / relative).write_bytes(source.read_bytes())
    return folder


def image_tag(engine: Engine, name: str) -> str:
    return f"{TEMP_REPOSITORY}:{engine.run_id}-bench-{name.replace(' ', '')}"


def docker_build(engine: Engine, folder: Path, tag: str, no_cache: bool) -> float:
    # labelled and named like checks' own builds, so engine.cleanup() removes it
    command = [engine.docker_cli(), "build", "-q", "-t", tag, "--label", f"{RUN_LABEL}={engine.run_id}"]
    if no_cache:
        command.append("--no-cache")
    command.append(str(folder))
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "DOCKER_BUILDKIT": "1"})
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"docker build of {folder.name} failed: {result.stderr.strip()[-400:]}")
    return seconds


def stop_seconds(engine: Engine, image: str) -> tuple[float, int | None]:
    """Start a container, wait until /statz answers, read the user id of its PID 1, then time `docker stop`."""
    client = engine.client
    container = client.containers.run(
        image, detach=True, labels=engine.labels(), ports={"4000/tcp": ("127.0.0.1", None)}
    )
    engine.track_container(container)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        container.reload()
        bindings = (container.attrs["NetworkSettings"].get("Ports") or {}).get("4000/tcp") or []
        if bindings:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{bindings[0]['HostPort']}/statz", timeout=2):
                    break
            except OSError:
                pass
        time.sleep(0.3)
    else:
        raise RuntimeError(f"{image}: the app did not answer /statz within 60 s")
    code, status = container.exec_run(["cat", "/proc/1/status"])
    uid = (
        next(
            (
                int(line.split()[2])
                for line in status.decode("ascii", "replace").splitlines()
                if line.startswith("Uid:")
            ),
            None,
        )
        if code == 0
        else None
    )  # the effective id
    started = time.monotonic()
    container.stop(timeout=STOP_TIMEOUT)
    return time.monotonic() - started, uid


def measure(engine: Engine, catalogue, measures: dict[str, Measure], folders: dict[str, Path]) -> None:
    names = list(measures)
    from checks.checkers.lesson11 import sent_context  # lesson 11's measure of the context, not a copy of it

    for name in names:
        probe = Context(folders[name], catalogue, {})
        try:
            measures[name].context_bytes = sent_context(probe).size
        finally:
            probe.cleanup()
    for name in names:
        measures[name].cold_seconds = docker_build(engine, folders[name], image_tag(engine, name), True)
        print(f"  {name}: cold build {measures[name].cold_seconds:.1f} s", file=sys.stderr)
    for name in names:
        code = folders[name] / "together" / "app.py"
        code.write_text(
            code.read_text(encoding="utf-8") + f"\n# a one-line change ({engine.run_id})\n", encoding="utf-8"
        )
        measures[name].rebuild_seconds = docker_build(engine, folders[name], image_tag(engine, name), False)
        print(f"  {name}: rebuild {measures[name].rebuild_seconds:.1f} s", file=sys.stderr)
    for name in names:
        tag = image_tag(engine, name)
        image = engine.client.images.get(tag)
        measures[name].image_bytes = image.attrs["Size"]
        counted = engine.run_in_image(tag, ["sh", "-c", "dpkg-query -W | wc -l"])
        measures[name].packages = int(counted.output.strip() or 0)
        measures[name].compiler = engine.run_in_image(tag, ["sh", "-c", "gcc --version"]).exit_code == 0
        measures[name].stop_seconds, measures[name].main_uid = stop_seconds(engine, tag)
        print(f"  {name}: stop {measures[name].stop_seconds:.1f} s", file=sys.stderr)


def runs_as(uid: int | None) -> str:
    return "?" if uid is None else "root" if uid == 0 else f"uid {uid}, not root"


def table(before: Measure, after: Measure) -> tuple[str, bool]:
    """The Markdown table, and whether every target holds."""
    targets = [
        (
            "image size",
            human(before.image_bytes),
            human(after.image_bytes),
            f"at most half: {after.image_bytes / before.image_bytes:.2f}×",
            after.image_bytes <= before.image_bytes / 2,
        ),
        ("Debian packages in the image", str(before.packages), str(after.packages), "", None),
        ("C compiler in the image", "yes" if before.compiler else "no", "yes" if after.compiler else "no", "", None),
        (
            "build context",
            human(before.context_bytes),
            human(after.context_bytes),
            "under 1 MB",
            after.context_bytes < 1_000_000,
        ),
        ("cold build", f"{before.cold_seconds:.1f} s", f"{after.cold_seconds:.1f} s", "", None),
        (
            "rebuild after a one-line code change",
            f"{before.rebuild_seconds:.1f} s",
            f"{after.rebuild_seconds:.1f} s",
            f"at most a fifth: {after.rebuild_seconds / before.rebuild_seconds:.2f}×",
            after.rebuild_seconds <= before.rebuild_seconds / 5,
        ),
        ("the app's main process runs as", runs_as(before.main_uid), runs_as(after.main_uid), "", None),
        (
            "`docker stop` until the container exited",
            f"{before.stop_seconds:.1f} s",
            f"{after.stop_seconds:.1f} s",
            "under 2 s",
            after.stop_seconds < 2,
        ),
    ]
    lines = [f"| | {before.name} | {after.name} | target | |", "|---|---|---|---|---|"]
    for label, old, new, target, held in targets:
        mark = "" if held is None else ("met" if held else "**not met**")
        lines.append(f"| {label} | {old} | {new} | {target} | {mark} |")
    return "\n".join(lines) + "\n", all(held is not False for *_, held in targets)


def final_lesson(catalogue):
    """The course's last lesson graded on the workspace (lesson 15): its Dockerfile is the final one."""
    return [lesson for lesson in catalogue.lessons if lesson.evidence != "engine"][-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", metavar="FILE", help="also save the table, with how it was measured, to FILE")
    args = parser.parse_args(argv)
    catalogue = load()
    final = final_lesson(catalogue)
    lesson7 = catalogue.get("lesson7")
    try:
        engine = Engine.connect()
    except EngineProblem as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    measures = {
        "lesson 7": Measure("lesson 7", "lessons/lesson7/solution/Dockerfile"),
        f"lesson {final.number}": Measure(
            f"lesson {final.number}", catalogue.workspace_files(final)["Dockerfile"].relative_to(ROOT).as_posix()
        ),
    }
    try:
        with tempfile.TemporaryDirectory(prefix="bench-production-") as scratch:
            folders = {
                "lesson 7": developer_folder(Path(scratch), "lesson7", catalogue.workspace_files(lesson7)),
                f"lesson {final.number}": developer_folder(
                    Path(scratch), f"lesson{final.number}", catalogue.workspace_files(final)
                ),
            }
            print(f"measuring lesson 7 and lesson {final.number} side by side (a few minutes)", file=sys.stderr)
            measure(engine, catalogue, measures, folders)
    except (RuntimeError, subprocess.SubprocessError) as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    finally:
        engine.cleanup()
    before, after = measures["lesson 7"], measures[f"lesson {final.number}"]
    text, held = table(before, after)
    print(text)
    if args.write:
        version = engine.version()
        base = catalogue.course.base_image
        try:
            standin = "org.docker-lessons.standin" in (engine.client.images.get(base).labels or {})
        except Exception:
            standin = False
        note = (
            f"Measured by `python bench/production.py` on {datetime.now(timezone.utc):%Y-%m-%d}: Docker Engine "
            f"{version.get('Version', '?')} ({engine.image_store(engine.info())} image store), {platform.machine()}, base image "
            f"`{base}`{' (the local stand-in, built like the official image)' if standin else ''}; "
            f"{before.name}: `{before.dockerfile_from}`, {after.name}: "
            f"`{after.dockerfile_from}`, both from the same developer's folder "
            "(`lessons/lesson11/workspace.sh`).\n"
        )
        Path(args.write).write_text(text + "\n" + note, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
