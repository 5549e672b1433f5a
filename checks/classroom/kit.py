"""The workshop kit: what a room needs offline, packed on the instructor's connected machine and
unpacked on each laptop.

    DIR/manifest.json        what is in the kit, each file with its size and sha256
    DIR/images/*.tar         `docker save` of every image the course uses, one image per file
    DIR/wheels/*.whl         the wheels that install `checks`: pure Python (any OS, any CPU), and
                             pywin32 for Windows on x86-64, which the docker package needs there
    DIR/site/                the tutorial site, built: `python -m http.server -d DIR/site 8000` serves it
                             where `checks` links to by default

`unpack` checks every file against the manifest first, names the ones that do not match, loads
only images built for this engine's architecture, and never replaces an image the laptop already
has under that name.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
KIT_VERSION = 1
CHUNK = 1 << 20
WINDOWS_ONLY = "pywin32>=304"  # the docker package's requirement on win32
WINDOWS_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "armv8": "arm64"}


class KitProblem(Exception):
    """The kit cannot be packed or used: a message for the person running it (exit 2)."""


def architecture(name: str | None) -> str:
    name = (name or "").lower()
    return ARCHITECTURES.get(name, name)


def file_name(image: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", image) + ".tar"


class Progress:
    """Bytes done, redrawn in place on a terminal at most 5 times a second; silent otherwise."""

    def __init__(self, label: str, stream=None):
        self.stream = stream or sys.stdout
        self.label, self.done, self.shown = label, 0, 0.0
        self.live = self.stream.isatty()

    def add(self, count: int) -> None:
        self.done += count
        if self.live and time.monotonic() - self.shown > 0.2:
            self.shown = time.monotonic()
            self.stream.write(f"\r  {self.label}: {self.done / 1e6:.0f} MB")
            self.stream.flush()

    def end(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if progress:
                progress.add(len(chunk))
    return digest.hexdigest()


# --- pack ------------------------------------------------------------------------------------------

def pack(target: Path, images: list[str], engine, wheels: bool, site: bool = False, say=print) -> dict:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KitProblem(f"{target} exists and is not empty: nothing was changed. Choose a new folder.")
    if (wheels or site) and not (source_tree() / "pyproject.toml").is_file():
        raise KitProblem("the wheels and the site are built from a clone of the course: run pack in the clone "
                         "(pip install -e '.[dev]'), or pass --no-wheels --no-site")
    found = {}
    for name in images:  # every image first: do not write half a kit
        try:
            found[name] = engine.client.images.get(name)
        except Exception:
            raise KitProblem(f"the image {name} is not on this machine: `docker pull {name}` first, "
                             "then pack again") from None
    (target / "images").mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"kit": KIT_VERSION, "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "images": [], "files": {}}
    for name, image in found.items():
        relative = f"images/{file_name(name)}"
        progress = Progress(f"saving {name}")
        digest, size = hashlib.sha256(), 0
        with (target / relative).open("wb") as out:
            for chunk in image.save(chunk_size=CHUNK, named=name):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                progress.add(len(chunk))
        progress.end()
        manifest["files"][relative] = {"sha256": digest.hexdigest(), "size": size}
        manifest["images"].append({"name": name, "file": relative, "id": image.id,
                                   "os": image.attrs.get("Os"), "architecture": architecture(image.attrs.get("Architecture"))})
        say(f"  {name}: {size / 1e6:.0f} MB ({architecture(image.attrs.get('Architecture'))}) -> {relative}")
    if wheels:
        for path in build_wheels(target / "wheels", say):
            relative = f"wheels/{path.name}"
            manifest["files"][relative] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    if site:
        for path in build_site(target / "site", say):
            relative = path.relative_to(target).as_posix()
            manifest["files"][relative] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def source_tree() -> Path:
    from .. import catalogue

    return catalogue.data_dir().parent


def build_site(folder: Path, say) -> list[Path]:
    """The tutorial site, built with MkDocs from the clone, as `make site` does."""
    import importlib.util
    import os

    if importlib.util.find_spec("mkdocs") is None:
        raise KitProblem("building the site needs MkDocs: pip install -e '.[dev]' in the clone, or pass --no-site")
    say("  the site (mkdocs build) …")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                             cwd=source_tree(), env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise KitProblem("building the site took more than 10 minutes") from None
    if run.returncode != 0:
        raise KitProblem(f"the site does not build: {(run.stdout + run.stderr).strip()[-600:]}")
    return sorted(path for path in folder.rglob("*") if path.is_file())


def build_wheels(folder: Path, say) -> list[Path]:
    """The `checks` wheel (from this source tree) and its dependencies' universal wheels, from PyPI."""
    source = source_tree()
    folder.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    steps = [
        [*pip, "wheel", "--no-deps", "--wheel-dir", str(folder), str(source)],
        # what `pip install checks` pulls in; pure Python, so one wheel each serves Linux, macOS and Windows
        [*pip, "download", "--dest", str(folder), "--only-binary=:all:", "--platform", "any", "--python-version", "3.10",
         "--implementation", "py", "--abi", "none", *dependencies()],
        # except on Windows, where the docker package also needs pywin32, built per Python version
        *([*pip, "download", "--dest", str(folder), "--only-binary=:all:", "--platform", "win_amd64",
           "--python-version", version, "--implementation", "cp", "--no-deps", WINDOWS_ONLY] for version in WINDOWS_PYTHONS),
    ]
    for step in steps:
        say(f"  {' '.join(step[4:7])} …")
        try:
            run = subprocess.run(step, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            raise KitProblem("pip took more than 10 minutes: is PyPI reachable?") from None
        if run.returncode != 0:
            raise KitProblem(f"pip failed: {run.stderr.strip()[-600:]}")
    return sorted(folder.glob("*.whl"))


def dependencies() -> list[str]:
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = requires("docker-lessons") or []
    except PackageNotFoundError:
        raise KitProblem("checks is not installed as a package: pip install -e . in the clone") from None
    return [requirement.split(";")[0].strip() for requirement in wanted if "extra ==" not in requirement]


# --- unpack ------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    name: str
    status: str  # loaded, present, skipped, corrupt
    detail: str


def read_manifest(kit: Path) -> dict:
    try:
        manifest = json.loads((kit / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KitProblem(f"{kit} has no {MANIFEST}: is it a kit made by `checks workshop pack`?") from None
    except (OSError, ValueError) as error:
        raise KitProblem(f"{kit / MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("kit") != KIT_VERSION or not isinstance(manifest.get("files"), dict):
        raise KitProblem(f"{kit / MANIFEST} is not a kit manifest this version of checks understands")
    return manifest


def verify(kit: Path, manifest: dict) -> dict[str, str]:
    """Files that do not match the manifest, with what is wrong with each."""
    bad = {}
    for relative, expected in sorted(manifest["files"].items()):
        path = (kit / relative).resolve()
        if kit.resolve() not in path.parents:
            bad[relative] = "points outside the kit"
            continue
        if not path.is_file():
            bad[relative] = "missing"
            continue
        if path.stat().st_size != expected.get("size"):
            bad[relative] = f"{path.stat().st_size} bytes, the manifest says {expected.get('size')}: copied only in part?"
            continue
        progress = Progress(f"checking {relative}")
        actual = sha256_of(path, progress)
        progress.end()
        if actual != expected.get("sha256"):
            bad[relative] = "its sha256 does not match the manifest: the file is damaged, copy it again"
    return bad


def unpack(kit: Path, engine, bad: dict[str, str], manifest: dict, say=print) -> list[Outcome]:
    here = architecture(engine.version().get("Arch"))
    outcomes = []
    for entry in manifest.get("images", []):
        name, relative = entry["name"], entry["file"]
        if relative in bad:
            outcomes.append(Outcome(name, "corrupt", f"{relative} {bad[relative]}"))
            continue
        if entry.get("architecture") and entry["architecture"] != here:
            outcomes.append(Outcome(name, "skipped", f"built for {entry['architecture']}, this engine runs {here}"))
            continue
        try:
            existing = engine.client.images.get(name)
        except Exception:
            existing = None
        if existing is not None:
            same = "the same image" if existing.id == entry.get("id") else f"your own {existing.short_id}, kept"
            outcomes.append(Outcome(name, "present", f"already on this machine ({same})"))
            continue
        say(f"  loading {name} ({(kit / relative).stat().st_size / 1e6:.0f} MB) …")
        with (kit / relative).open("rb") as tar:
            engine.client.images.load(tar)
        loaded = engine.client.images.get(name)
        outcomes.append(Outcome(name, "loaded", f"loaded {loaded.short_id} from {relative}"))
    return outcomes
