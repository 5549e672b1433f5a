"""What `docker images` shows as the size of a pulled image, on each image store, as lesson 8 says: the classic
store counts the unpacked layers; the containerd image store keeps each layer as it was downloaded (compressed)
beside the unpacked files, and adds both. Proved with python:3.13-slim pushed to a registry of the test's own with
its layers gzip-compressed, as Docker Hub serves them, and pulled back under another name."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest
from registry import Registry, docker

from checks.engine import Engine

pytestmark = pytest.mark.docker
BASE = "python:3.13-slim"
MANIFESTS = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)


def manifest(registry: Registry, repository: str, reference: str, arch: str) -> dict:
    """The image manifest of `arch` (through the index, when the registry holds one)."""
    asked = urllib.request.Request(
        f"http://{registry.host}/v2/{repository}/manifests/{reference}", headers={"Accept": MANIFESTS}
    )
    with urllib.request.urlopen(asked, timeout=10) as answer:
        found = json.load(answer)
    if "manifests" in found:
        (entry,) = [m for m in found["manifests"] if (m.get("platform") or {}).get("architecture") == arch]
        return manifest(registry, repository, entry["digest"], arch)
    return found


@pytest.fixture
def registry():
    running = Registry()
    yield running
    running.stop()


def test_docker_images_counts_a_pulled_image_as_lesson_8_says(registry, tmp_path):
    import docker as docker_py

    client = docker_py.from_env(timeout=120)
    store, arch = Engine.image_store(client.info()), client.version()["Arch"]
    repository = f"size-{uuid.uuid4().hex[:10]}"
    name = f"{registry.host}/{repository}:slim"
    try:
        if store == "containerd":  # it pushes layers as it keeps them (a loaded image's: uncompressed): gzip them
            (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\n")
            output = f"type=registry,name={name},compression=gzip,force-compression=true,registry.insecure=true"
            docker("buildx", "build", "--quiet", "--output", output, str(tmp_path), timeout=600)
        else:  # the classic store compresses with gzip as it pushes
            docker("tag", BASE, name)
            docker("push", "--quiet", name, timeout=600)
            docker("image", "rm", name)
        layers = manifest(registry, repository, "slim", arch)["layers"]
        assert all(layer["mediaType"].endswith(("gzip", "tar.gzip")) for layer in layers), layers
        download = sum(layer["size"] for layer in layers)
        docker("pull", "--quiet", name, timeout=600)
        (shown,) = [i for i in client.df()["Images"] if name in (i.get("RepoTags") or [])]
        unpacked = client.api.inspect_image(BASE)["Size"] if store == "classic" else shown["SharedSize"]
        if store == "containerd":
            # the download, kept as it came, is this image's own; the unpacked files are shared with BASE
            assert abs(shown["Size"] - shown["SharedSize"] - download) <= 0.02 * download, (shown, download)
            assert shown["Size"] >= unpacked + 0.98 * download
        else:
            assert shown["Size"] == unpacked, (shown, unpacked)
        assert download < 0.5 * unpacked  # what travels is well under half of what is unpacked
    finally:
        docker("image", "rm", "--force", name)
