"""The workshop kit packs amd64 and arm64, proved against a real registry: Debian's `docker-registry`
(distribution 2.8) started on loopback with its own storage, holding a two-architecture image made
here without emulation (FROM scratch + COPY, built for each platform, joined by `docker manifest`).

Every image these tests make carries a label with this module's own value and is removed by it;
the registry and its storage are removed at the end.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
import uuid
from pathlib import Path

import pytest
from docker.errors import ImageNotFound
from registry import Registry, docker

from checks.classroom.kit import MANIFEST
from support import checks_process

pytestmark = pytest.mark.docker

LABEL = "checks-test-kit-architectures"
RUN = uuid.uuid4().hex[:10]
PLATFORMS = ("amd64", "arm64")


def build(context: Path, platform: str, tag: str) -> str:
    """A tiny image for `platform` without emulation: FROM scratch + COPY runs nothing. Its id."""
    (context / "Dockerfile").write_text(f"FROM scratch\nCOPY hello.txt /\nLABEL {LABEL}={RUN}\n")
    (context / "hello.txt").write_text(f"hello from {platform}\n")
    docker("build", "--quiet", "--platform", f"linux/{platform}", "--tag", tag, str(context), timeout=300)
    built, arch = docker("image", "inspect", "--format", "{{.Id}} {{.Architecture}}", tag).split()
    assert arch == platform, (
        f"built for {arch}, not {platform}: the classic builder ignores --platform here, BuildKit (buildx) does not"
    )
    return built


def publish(registry: Registry, tmp: Path, repository: str, platforms: tuple[str, ...]) -> dict[str, str]:
    """Push one image per platform and, for two, a manifest list over them as `REPOSITORY:multi`;
    nothing stays tagged here. The image id per platform."""
    ids = {}
    for platform in platforms:
        tag = f"{registry.host}/{repository}:{platform}"
        (tmp / platform).mkdir()
        ids[platform] = build(tmp / platform, platform, tag)
        docker("push", "--quiet", tag)
    if len(platforms) > 1:
        index = f"{registry.host}/{repository}:multi"
        docker("manifest", "create", "--insecure", index, *(f"{registry.host}/{repository}:{p}" for p in platforms))
        docker("manifest", "push", "--purge", "--insecure", index)
    for platform in platforms:
        docker("image", "rm", f"{registry.host}/{repository}:{platform}")
    return ids


def remove_ours(client) -> None:
    """Every image made or pulled by these tests: they carry this module's label value."""
    for image in client.api.images(all=True, filters={"label": f"{LABEL}={RUN}"}):
        with contextlib.suppress(Exception):
            client.api.remove_image(image["Id"], force=True)


@pytest.fixture(scope="module")
def client():
    import docker as docker_py

    client = docker_py.from_env(timeout=120)
    yield client
    remove_ours(client)


@pytest.fixture(scope="module")
def here(client) -> str:
    arch = client.version()["Arch"]
    assert arch in PLATFORMS, f"these tests need an amd64 or arm64 engine, not {arch}"
    return arch


@pytest.fixture(scope="module")
def registry():
    running = Registry()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def published(registry, client, tmp_path_factory):
    """`kit-test:multi` for amd64 and arm64; `kit-single:<arch>` for one architecture only."""
    tmp = tmp_path_factory.mktemp("images")
    (tmp / "multi").mkdir()
    (tmp / "single").mkdir()
    ids = publish(registry, tmp / "multi", f"kit-test-{RUN}", PLATFORMS)
    return {"multi": f"{registry.host}/kit-test-{RUN}:multi", "ids": ids, "tmp": tmp}


def saved_architecture(archive: Path) -> tuple[str, str, list]:
    """From a `docker save` archive: its image's id, the config's "architecture" field, and its tags."""
    with tarfile.open(archive) as tar:
        (entry,) = json.load(tar.extractfile("manifest.json"))
        config = json.load(tar.extractfile(entry["Config"]))
    # "<id>.json" in a classic docker save, "blobs/sha256/<id>" in an OCI layout (Engine 25 and newer)
    return (
        "sha256:" + entry["Config"].removesuffix(".json").rpartition("/")[2],
        config["architecture"],
        entry["RepoTags"],
    )


def test_both_architectures_are_packed_and_unpack_loads_this_engines(client, here, published, tmp_path):
    name, ids = published["multi"], published["ids"]
    other = next(arch for arch in PLATFORMS if arch != here)
    docker("pull", "--quiet", name)  # as the instructor has it: this engine's build, pulled from the registry
    assert client.images.get(name).id == ids[here]

    kit = tmp_path / "kit"
    packed = checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site", timeout=600)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    assert "NOT in the kit" not in packed.stdout
    manifest = json.loads((kit / MANIFEST).read_text())
    assert manifest["unavailable"] == []
    entries = {entry["architecture"]: entry for entry in manifest["images"]}
    assert set(entries) == set(PLATFORMS)
    for arch, entry in entries.items():
        assert entry["name"] == name and entry["file"].endswith(f".{arch}.tar")
        assert saved_architecture(kit / entry["file"]) == (ids[arch], arch, [name])
        assert manifest["files"][entry["file"]]["size"] == (kit / entry["file"]).stat().st_size
    assert entries[other]["digest"].startswith("sha256:") and entries[here]["digest"] is None

    # the pull of the other architecture left nothing, and this machine's image kept its name
    with pytest.raises(ImageNotFound):
        client.images.get(ids[other])
    assert client.images.get(name).id == ids[here]

    client.images.remove(name)
    unpacked = checks_process("workshop", "unpack", str(kit))
    assert unpacked.returncode == 0, unpacked.stdout + unpacked.stderr
    assert f"{name}: loaded" in unpacked.stdout and f"({here}) from {entries[here]['file']}" in unpacked.stdout
    loaded = client.images.get(name)
    assert (loaded.id, loaded.attrs["Architecture"]) == (ids[here], here)
    with pytest.raises(ImageNotFound):
        client.images.get(ids[other])  # the other architecture's archive is not loaded here
    again = checks_process("workshop", "unpack", str(kit))
    assert again.returncode == 0 and f"{name}: already on this machine (the same image)" in again.stdout
    client.images.remove(name)


def test_a_single_architecture_image_is_packed_and_the_missing_one_named(client, here, registry, published, tmp_path):
    other = next(arch for arch in PLATFORMS if arch != here)
    folder = published["tmp"] / "single"
    ids = publish(registry, folder, f"kit-single-{RUN}", (here,))
    name = f"{registry.host}/kit-single-{RUN}:{here}"
    docker("pull", "--quiet", name)
    kit = tmp_path / "kit"
    packed = checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site", timeout=600)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    manifest = json.loads((kit / MANIFEST).read_text())
    assert [(entry["architecture"], entry["id"]) for entry in manifest["images"]] == [(here, ids[here])]
    (missing,) = manifest["unavailable"]
    assert (missing["name"], missing["architecture"]) == (name, other)
    assert f"publishes {registry.host}/kit-single-{RUN} for {here} only" in missing["reason"]
    assert f"{name} ({other}): NOT in the kit: the registry publishes" in packed.stdout
    assert "1 image(s) for another architecture are NOT in the kit" in packed.stdout
    client.images.remove(name)


def test_without_the_registry_this_machines_image_is_packed_and_the_cause_named(client, here, tmp_path):
    other = next(arch for arch in PLATFORMS if arch != here)
    gone = Registry()
    try:
        (tmp_path / "multi").mkdir()
        ids = publish(gone, tmp_path / "multi", f"kit-gone-{RUN}", PLATFORMS)
        name = f"{gone.host}/kit-gone-{RUN}:multi"
        docker("pull", "--quiet", name)
    finally:
        gone.stop()  # the room's machine: no registry, no network
    kit = tmp_path / "kit"
    packed = checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site", timeout=600)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    manifest = json.loads((kit / MANIFEST).read_text())
    assert [(entry["architecture"], entry["id"]) for entry in manifest["images"]] == [(here, ids[here])]
    (missing,) = manifest["unavailable"]
    assert missing["architecture"] == other and missing["reason"].startswith(
        "the registry cannot be read (no network?)"
    )
    assert f"{name} ({other}): NOT in the kit: the registry cannot be read" in packed.stdout
    client.images.remove(name)


def test_an_image_made_here_has_no_other_architecture_to_fetch(client, here, tmp_path):
    name = f"checks-test-kit-local-{RUN}:made-here"
    (tmp_path / "context").mkdir()
    assert build(tmp_path / "context", here, name)
    kit = tmp_path / "kit"
    packed = checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site", timeout=600)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    (missing,) = json.loads((kit / MANIFEST).read_text())["unavailable"]
    assert "built or tagged here, not pulled from a registry" in missing["reason"]
    client.images.remove(name)
