"""The workshop kit: what a room needs offline, packed on the instructor's connected machine and
unpacked on each laptop.

    DIR/manifest.json        what is in the kit, each file with its size and sha256
    DIR/images/*.ARCH.tar    `docker save` of every image the course uses, one image and one
                             architecture per file: amd64 and arm64 (Apple silicon, ARM laptops)
                             where the registry publishes both, else what this machine has
    DIR/wheels/*.whl         the wheels that install `checks`: pure Python (any OS, any CPU), and
                             pywin32 for Windows on x86-64, which the docker package needs there
    DIR/site/                the tutorial site, built: `python -m http.server -d DIR/site 8000` serves it
                             where `checks` links to by default

`pack` saves this machine's own image of each name as it is, and fetches the other architecture
by digest from the same release (the index the local image was pulled from), so both archives
hold the same version; what cannot be fetched (no registry, no network, a single-architecture
image, an image built here) is named per image and architecture in the manifest and on screen.
`unpack` checks every file against the manifest first, names the ones that do not match, loads
the archive built for this engine's architecture, and never replaces an image the laptop already
has under that name.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import json
import re
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, cast

MANIFEST = "manifest.json"
KIT_VERSION = 1
CHUNK = 1 << 20
WINDOWS_ONLY = "pywin32>=304"  # the docker package's requirement on win32
WINDOWS_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "armv8": "arm64"}
PLATFORMS = ("amd64", "arm64")  # what the room's laptops run: x86-64 PCs, Apple silicon and other ARM
INDEX_TIMEOUT = 60  # reading an image's list of architectures from its registry
PULL_TIMEOUT = 900  # fetching one architecture of an image of a hundred megabytes


class KitProblem(Exception):
    """The kit cannot be packed or used: a message for the person running it (exit 2)."""


def architecture(name: str | None) -> str:
    name = (name or "").lower()
    return ARCHITECTURES.get(name, name)


def file_name(image: str, arch: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", image) + f".{arch}.tar"


class Unfetchable(Exception):
    """One architecture of one image cannot be packed: why, in the instructor's words."""


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
        raise KitProblem(
            "the wheels and the site are built from a clone of the course: run pack in the clone "
            "(pip install -e '.[dev]'), or pass --no-wheels --no-site"
        )
    found = {}
    for name in images:  # every image first: do not write half a kit
        try:
            found[name] = engine.client.images.get(name)
        except Exception:
            raise KitProblem(
                f"the image {name} is not on this machine: `docker pull {name}` first, then pack again"
            ) from None
    (target / "images").mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "kit": KIT_VERSION,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "images": [],
        "unavailable": [],
        "files": {},
    }
    for name, image in found.items():
        pack_image(target, name, image, engine, manifest, say)
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


def pack_image(target: Path, name: str, image, engine, manifest: dict, say) -> None:
    """This machine's image of `name`, and the other architectures of the same release where they can be fetched."""
    native = architecture(image.attrs.get("Architecture"))
    add_archive(target, name, image, native, None, engine, manifest, say)
    others = [arch for arch in PLATFORMS if arch != native]
    if not others:
        return
    try:
        source = registry_source(name, image)
        digests = published_digests(source, engine)
    except Unfetchable as problem:
        digests, why = {}, str(problem)
    else:
        published = ", ".join(sorted(digests)) or f"{native} only (a single-architecture image)"
        why = f"the registry publishes {source.split('@')[0]} for {published}"
    for arch in others:
        try:
            if arch not in digests:
                raise Unfetchable(why)
            add_fetched(target, name, source.split("@")[0] + "@" + digests[arch], arch, engine, manifest, say)
        except Unfetchable as problem:
            manifest["unavailable"].append({"name": name, "architecture": arch, "reason": str(problem)})
            say(f"  {name} ({arch}): NOT in the kit: {problem}")


def add_archive(target: Path, name: str, image, arch: str, digest: str | None, engine, manifest: dict, say) -> None:
    relative = f"images/{file_name(name, arch)}"
    sha256, size = save(engine, image.id, name, target / relative, Progress(f"saving {name} ({arch})"))
    manifest["files"][relative] = {"sha256": sha256, "size": size}
    manifest["images"].append(
        {
            "name": name,
            "file": relative,
            "id": image.id,
            "os": image.attrs.get("Os"),
            "architecture": arch,
            "digest": digest,
        }
    )
    say(f"  {name} ({arch}): {size / 1e6:.0f} MB -> {relative}")


def add_fetched(target: Path, name: str, reference: str, arch: str, engine, manifest: dict, say) -> None:
    """Pull one architecture by digest (never by tag: this machine's `name` stays what it is), save it
    under `name`, and remove what the pull added."""
    try:
        engine.client.images.get(reference)
        pulled = False
    except Exception:
        pulled = True
    try:  # the pull inside: a Ctrl-C while the engine finishes it still removes what it added
        if pulled:
            say(f"  fetching {name} for {arch} …")
            pull(engine, reference, arch)
        image = engine.client.images.get(reference)
        got = architecture(image.attrs.get("Architecture"))
        if got != arch:
            raise Unfetchable(f"the registry's {arch} entry is an image for {got}")
        add_archive(target, name, image, arch, reference.split("@")[1], engine, manifest, say)
    finally:
        if pulled:
            try:
                engine.client.images.remove(reference)  # only the reference the pull made
            except Exception:
                pass


def registry_source(name: str, image) -> str:
    """`repository@sha256:…`: the release (index) this machine's image was pulled from."""
    digests = image.attrs.get("RepoDigests") or []
    if not digests:
        raise Unfetchable(
            "this machine's image was built or tagged here, not pulled from a registry, "
            "so there is no other architecture of it to fetch"
        )
    repository = repository_of(name)
    return next((digest for digest in digests if digest.split("@")[0] == repository), digests[0])


def repository_of(name: str) -> str:
    name = name.split("@")[0]
    head, _, tag = name.rpartition(":")
    return head if head and "/" not in tag else name


def published_digests(source: str, engine) -> dict[str, str]:
    """The manifest digest of each Linux architecture in the registry's index of `source`, read with
    `docker manifest inspect`; {} when the registry has a single-architecture image there."""
    try:
        cli = engine.docker_cli()
    except Exception as problem:
        raise Unfetchable(f"the docker command reads the registry's list of architectures: {problem}") from None
    insecure = ["--insecure"] if loopback(source) else []  # as the engine: a registry on loopback speaks HTTP
    try:
        run = subprocess.run(
            [cli, "manifest", "inspect", *insecure, source],
            capture_output=True,
            text=True,
            timeout=INDEX_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise Unfetchable(f"the registry did not answer within {INDEX_TIMEOUT} s (no network?)") from None
    if run.returncode != 0:
        raise Unfetchable(f"the registry cannot be read (no network?): {last_line(run.stderr)}")
    try:
        document = json.loads(run.stdout)
    except ValueError:
        raise Unfetchable("the registry's answer is not a manifest") from None
    digests: dict[str, str] = {}
    for entry in document.get("manifests") or []:
        platform = entry.get("platform") or {}
        arch = architecture(platform.get("architecture"))
        if platform.get("os") == "linux" and (arch != "arm64" or platform.get("variant") in (None, "", "v8")):
            digests.setdefault(arch, entry.get("digest"))
    return {arch: digest for arch, digest in digests.items() if arch in PLATFORMS and digest}


def loopback(reference: str) -> bool:
    first = reference.split("/")[0]
    if "/" not in reference or not any(mark in first for mark in ".:[") and first != "localhost":
        return False  # no registry host: Docker Hub
    host = (
        first[1:].partition("]")[0]
        if first.startswith("[")
        else first.rsplit(":", 1)[0]
        if first.count(":") == 1
        else first
    )
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def pull(engine, reference: str, arch: str) -> None:
    """`docker pull --platform linux/ARCH repository@digest`, bounded: the engine stops a pull whose client left."""
    try:
        run = subprocess.run(
            [engine.docker_cli(), "pull", "--quiet", "--platform", f"linux/{arch}", reference],
            capture_output=True,
            text=True,
            timeout=PULL_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise Unfetchable(f"fetching it took more than {PULL_TIMEOUT // 60} minutes") from None
    except Exception as problem:
        raise Unfetchable(f"it cannot be fetched: {problem}") from None
    if run.returncode != 0:
        raise Unfetchable(f"the engine cannot fetch it: {last_line(run.stderr)}")


class Chunks(io.RawIOBase):
    """The engine's `docker save` stream as a file, for tarfile to read member by member."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.rest: bytes = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.rest:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.rest = chunk
        count = min(len(buffer), len(self.rest))
        buffer[:count], self.rest = self.rest[:count], self.rest[count:]
        return count


class Archive:
    """Where the kit's archive is written: counted, hashed and shown as it goes."""

    # tarfile's stream mode ("w|") only ever calls write(); typeshed's fileobj type asks for a whole file,
    # hence the cast where tarfile gets it

    def __init__(self, handle, progress: Progress):
        self.handle, self.progress = handle, progress
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)
        self.progress.add(len(data))
        return len(data)


def full_reference(name: str) -> str:
    """A name as the engine's reference rules spell it out: busybox:latest → docker.io/library/busybox:latest."""
    first, _, rest = name.partition("/")
    if not rest:
        return f"docker.io/library/{name}"
    if "." in first or ":" in first or first == "localhost":
        return name
    return f"docker.io/{name}"


def named_as(member: str, document, name: str) -> bytes:
    """A `docker save` archive's manifest.json (the classic image store reads its RepoTags) or index.json (the
    containerd image store reads its annotations), naming the image `name`: saved by id, it has no name."""
    if member == "manifest.json":
        for entry in document:
            entry["RepoTags"] = [name]
    else:
        tag = name.rpartition(":")[2] if ":" in name.rpartition("/")[2] else "latest"
        for manifest in document.get("manifests") or []:
            manifest.setdefault("annotations", {}).update(
                {"io.containerd.image.name": full_reference(name), "org.opencontainers.image.ref.name": tag}
            )
    return json.dumps(document).encode()


def save(engine, image_id: str, name: str, path: Path, progress: Progress) -> tuple[str, int]:
    """`docker save` of one image by its id, with `name` as the tag `docker load` gives it: the archive
    names the image the course uses even when this machine has it under a digest only."""
    stream = io.BufferedReader(Chunks(engine.client.api.get_image(image_id, chunk_size=CHUNK)), CHUNK)
    with path.open("wb") as handle:
        archive = Archive(handle, progress)
        with (
            tarfile.open(fileobj=stream, mode="r|") as source,
            tarfile.open(fileobj=cast(IO[bytes], archive), mode="w|") as out,
        ):
            for member in source:
                if member.name in ("manifest.json", "index.json"):
                    extracted = source.extractfile(member)
                    if extracted is None:  # docker save writes it as a file; anything else is not a docker save
                        raise KitProblem(f"the engine's docker save of {image_id} has no readable {member.name}")
                    data = named_as(member.name, json.loads(extracted.read()), name)
                    member.size = len(data)
                    out.addfile(member, io.BytesIO(data))
                else:
                    out.addfile(member, source.extractfile(member) if member.isfile() else None)
    progress.end()
    return archive.digest.hexdigest(), archive.size


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
        run = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
            cwd=source_tree(),
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
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
        [
            *pip,
            "download",
            "--dest",
            str(folder),
            "--only-binary=:all:",
            "--platform",
            "any",
            "--python-version",
            "3.10",
            "--implementation",
            "py",
            "--abi",
            "none",
            *dependencies(),
        ],
        # except on Windows, where the docker package also needs pywin32, built per Python version
        *(
            [
                *pip,
                "download",
                "--dest",
                str(folder),
                "--only-binary=:all:",
                "--platform",
                "win_amd64",
                "--python-version",
                version,
                "--implementation",
                "cp",
                "--no-deps",
                WINDOWS_ONLY,
            ]
            for version in WINDOWS_PYTHONS
        ),
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
    if (
        not isinstance(manifest, dict)
        or manifest.get("kit") != KIT_VERSION
        or not isinstance(manifest.get("files"), dict)
    ):
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
            bad[relative] = (
                f"{path.stat().st_size} bytes, the manifest says {expected.get('size')}: copied only in part?"
            )
            continue
        progress = Progress(f"checking {relative}")
        actual = sha256_of(path, progress)
        progress.end()
        if actual != expected.get("sha256"):
            bad[relative] = "its sha256 does not match the manifest: the file is damaged, copy it again"
    return bad


def engine_architecture(engine) -> str:
    """What this engine runs, as images name it: amd64, arm64 (`docker version`'s Os/Arch, else `docker info`)."""
    return architecture(engine.version().get("Arch") or engine.info().get("Architecture"))


def unpack(kit: Path, engine, bad: dict[str, str], manifest: dict, say=print) -> list[Outcome]:
    here = engine_architecture(engine)
    entries = manifest.get("images", [])
    unavailable = {
        (item.get("name"), item.get("architecture")): item.get("reason") for item in manifest.get("unavailable", [])
    }
    outcomes = []
    for name in dict.fromkeys(entry["name"] for entry in entries):  # each image once, in the kit's order
        builds = [entry for entry in entries if entry["name"] == name]
        fitting = [entry for entry in builds if entry.get("architecture") in (None, "", here)]
        if not fitting:
            built = ", ".join(sorted({entry["architecture"] for entry in builds}))
            why = unavailable.get((name, here))
            outcomes.append(
                Outcome(
                    name,
                    "skipped",
                    f"the kit has it built for {built} only, this engine runs {here}"
                    + (f" (when packed: {why})" if why else "")
                    + f": pull it with internet, or bring a kit packed with its {here} build",
                )
            )
            continue
        outcomes.append(load(kit, engine, fitting[0], bad, say))
    return outcomes


def load(kit: Path, engine, entry: dict, bad: dict[str, str], say) -> Outcome:
    name, relative = entry["name"], entry["file"]
    if relative in bad:
        return Outcome(name, "corrupt", f"{relative} {bad[relative]}")
    try:
        existing = engine.client.images.get(name)
    except Exception:
        existing = None
    if existing is not None:
        same = "the same image" if existing.id == entry.get("id") else f"your own {existing.short_id}, kept"
        return Outcome(name, "present", f"already on this machine ({same})")
    say(f"  loading {name} ({(kit / relative).stat().st_size / 1e6:.0f} MB) …")
    with (kit / relative).open("rb") as tar:
        engine.client.images.load(tar)
    try:
        loaded = engine.client.images.get(name)
    except Exception:  # the archive carried no name this engine reads (a kit of an older checks)
        return Outcome(
            name,
            "corrupt",
            f"{relative} loaded without the name {name}, which this engine's image store reads elsewhere: "
            "pack the kit again with this version of checks",
        )
    return Outcome(
        name, "loaded", f"loaded {loaded.short_id} ({entry.get('architecture') or 'any architecture'}) from {relative}"
    )
