"""The workshop kit on the real engine: pack, unpack, a damaged file, nothing overwritten.

The images are copies of the local busybox:latest under a tag only these tests use (never the
real tags, which other work on this engine relies on); every such tag is removed afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
import venv
from pathlib import Path

import pytest
from docker.errors import ImageNotFound

from checks.classroom.kit import MANIFEST, full_reference, named_as
from support import checks_process, run_checks

pytestmark = pytest.mark.docker


@pytest.fixture
def engine_client():
    import docker

    return docker.from_env(timeout=120)


@pytest.fixture
def test_tag(engine_client):
    """Make test-only tags of an existing image: `test_tag("busybox:latest")` returns the new name."""
    made = []

    def tag(source: str) -> str:
        name = f"checks-test-kit-{uuid.uuid4().hex[:10]}/copy:kit"
        engine_client.images.get(source).tag(name)
        made.append(name)
        return name

    yield tag
    for name in made:
        try:
            engine_client.images.remove(name)  # only the tag: the image stays under its real name
        except Exception:
            pass


def untag(client, name: str) -> None:
    client.images.remove(name)
    with pytest.raises(ImageNotFound):
        client.images.get(name)


def test_pack_then_unpack_loads_what_is_missing(engine_client, test_tag, tmp_path):
    name = test_tag("busybox:latest")
    kit = tmp_path / "kit"
    packed = checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site")
    assert packed.returncode == 0, packed.stderr
    manifest = json.loads((kit / MANIFEST).read_text())
    (entry,) = manifest["images"]
    assert entry["name"] == name and entry["id"] == engine_client.images.get("busybox:latest").id
    assert manifest["files"][entry["file"]]["size"] == (kit / entry["file"]).stat().st_size

    untag(engine_client, name)
    unpacked = checks_process("workshop", "unpack", str(kit))
    assert unpacked.returncode == 0, unpacked.stdout + unpacked.stderr
    assert f"{name}: loaded" in unpacked.stdout
    assert engine_client.images.get(name).id == entry["id"]

    again = checks_process("workshop", "unpack", str(kit))
    assert again.returncode == 0 and f"{name}: already on this machine (the same image)" in again.stdout


def test_unpack_never_replaces_an_image_already_there(engine_client, test_tag, tmp_path):
    name = test_tag("busybox:latest")
    kit = tmp_path / "kit"
    assert checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site").returncode == 0
    theirs = engine_client.images.get("python:3.13-slim")
    theirs.tag(name)  # the laptop has another image under the same name
    unpacked = checks_process("workshop", "unpack", str(kit))
    assert unpacked.returncode == 0
    assert f"your own {theirs.short_id}, kept" in unpacked.stdout
    assert engine_client.images.get(name).id == theirs.id


def test_a_damaged_or_truncated_file_is_named_and_not_loaded(engine_client, test_tag, tmp_path):
    name = test_tag("busybox:latest")
    kit = tmp_path / "kit"
    assert checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site").returncode == 0
    (entry,) = json.loads((kit / MANIFEST).read_text())["images"]
    untag(engine_client, name)
    tar = kit / entry["file"]
    data = bytearray(tar.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tar.write_bytes(bytes(data))
    damaged = checks_process("workshop", "unpack", str(kit))
    assert damaged.returncode == 1
    assert f"{name}: {entry['file']} its sha256 does not match the manifest" in damaged.stdout
    assert "1 file(s) of the kit are damaged or missing" in damaged.stdout
    with pytest.raises(ImageNotFound):
        engine_client.images.get(name)

    tar.write_bytes(bytes(data[:1000]))
    truncated = checks_process("workshop", "unpack", str(kit))
    assert truncated.returncode == 1 and "copied only in part" in truncated.stdout


def test_an_image_for_another_architecture_is_skipped(engine_client, test_tag, tmp_path):
    name = test_tag("busybox:latest")
    kit = tmp_path / "kit"
    assert checks_process("workshop", "pack", str(kit), "--image", name, "--no-wheels", "--no-site").returncode == 0
    manifest = json.loads((kit / MANIFEST).read_text())
    manifest["images"][0]["architecture"] = "s390x"
    (kit / MANIFEST).write_text(json.dumps(manifest))
    untag(engine_client, name)
    unpacked = checks_process("workshop", "unpack", str(kit))
    assert unpacked.returncode == 0 and "built for s390x" in unpacked.stdout
    with pytest.raises(ImageNotFound):
        engine_client.images.get(name)


def test_the_kit_installs_checks_without_an_index_and_carries_the_site(test_tag, tmp_path):
    kit = tmp_path / "kit"
    packed = checks_process("workshop", "pack", str(kit), "--image", test_tag("busybox:latest"), timeout=900)
    assert packed.returncode == 0, packed.stderr
    files = json.loads((kit / MANIFEST).read_text())["files"]
    assert {"site/index.html", "site/lessons/lesson1/index.html", "site/instructors/index.html"} <= set(files)
    assert "The progress board" in (kit / "site" / "instructors" / "index.html").read_text()
    page = kit / "site" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<html", b"<HTML", 1))  # same size, other bytes
    assert "site/index.html: its sha256 does not match" in checks_process("workshop", "unpack", str(kit)).stdout
    files = {name: entry for name, entry in files.items() if not name.startswith("site/")}
    wheels = {name.split("/")[1].split("-")[0].lower() for name in files if name.startswith("wheels/")}
    assert {"docker_lessons", "docker", "dockerfile_parse", "requests"} <= wheels
    # one kit for Linux, macOS and Windows: pure Python, but for what the docker package needs on Windows
    assert {name.split("/")[1].split("-")[0] for name in files if not name.endswith(("-none-any.whl", ".tar"))} == {
        "pywin32"
    }
    assert sum("pywin32" in name for name in files) == 4
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    install = subprocess.run(
        [
            str(env_dir / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(kit / "wheels"),
            "docker-lessons",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    listing = subprocess.run([str(env_dir / "bin" / "checks"), "list"], capture_output=True, text=True, cwd=tmp_path)
    assert listing.returncode == 0 and "lesson10" in listing.stdout


def test_refusals_are_clear(test_tag, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    run = checks_process("workshop", "pack", str(full), "--image", "busybox:latest", "--no-wheels", "--no-site")
    assert run.returncode == 2 and "is not empty: nothing was changed" in run.stderr
    assert (full / "notes.txt").read_text() == "mine"
    missing = checks_process(
        "workshop", "pack", str(tmp_path / "kit"), "--image", "checks-test-kit/none:0", "--no-wheels", "--no-site"
    )
    assert missing.returncode == 2 and "`docker pull checks-test-kit/none:0` first" in missing.stderr
    assert not (tmp_path / "kit").exists()
    nothing = checks_process("workshop", "unpack", str(tmp_path))
    assert nothing.returncode == 2 and f"has no {MANIFEST}" in nothing.stderr and "Traceback" not in nothing.stderr


def test_doctor_looks_for_every_image_of_the_course(workspace):
    run = run_checks("doctor", "--json", "--path", str(workspace()))
    findings = {f["name"]: f for f in run.json["findings"]}
    assert "busybox:latest" in findings["sidecar image"]["detail"]
    assert "python:3.13-slim" in findings["base image"]["detail"]


def test_a_saved_image_is_named_for_both_image_stores():
    """The classic store names a loaded image from manifest.json's RepoTags, the containerd store from
    index.json's annotations: an image saved by id has neither, so the kit writes both."""
    manifest = json.loads(named_as("manifest.json", [{"Config": "c", "RepoTags": None}], "busybox:latest"))
    assert manifest[0]["RepoTags"] == ["busybox:latest"]
    index = json.loads(named_as("index.json", {"manifests": [{"digest": "sha256:ab"}]}, "registry.local:5000/a/b:kit"))
    assert index["manifests"][0]["annotations"] == {
        "io.containerd.image.name": "registry.local:5000/a/b:kit",
        "org.opencontainers.image.ref.name": "kit",
    }
    assert full_reference("busybox:latest") == "docker.io/library/busybox:latest"
    assert full_reference("checks-test-kit-1/copy:kit") == "docker.io/checks-test-kit-1/copy:kit"
    assert full_reference("localhost/x:1") == "localhost/x:1"


# -- across engines and image stores: .ci/run packs a kit in one phase and unpacks it in the next ------
# (the classic image store, then the containerd image store, then Engine 20.10), as a room where the
# instructor's laptop and the learners' differ. Each name is made only for this and removed after.
ACROSS = "checks-test-kit-across/copy:kit"


@pytest.mark.skipif(
    not os.environ.get("KIT_FROM_PREVIOUS_ENGINE"), reason="set by .ci/run after another engine's phase"
)
def test_a_kit_packed_on_another_engine_or_image_store_unpacks(engine_client):
    kit = os.environ["KIT_FROM_PREVIOUS_ENGINE"]
    manifest = json.loads((Path(kit) / MANIFEST).read_text())
    assert [entry["name"] for entry in manifest["images"]] == [ACROSS]
    unpacked = checks_process("workshop", "unpack", kit)
    try:
        assert unpacked.returncode == 0, unpacked.stdout + unpacked.stderr
        assert f"{ACROSS}: loaded" in unpacked.stdout, unpacked.stdout
        ran = subprocess.run(
            ["docker", "run", "--rm", ACROSS, "echo", "unpacked"], capture_output=True, text=True, timeout=60
        )
        assert ran.stdout.strip() == "unpacked", ran.stderr
    finally:
        untag(engine_client, ACROSS)


@pytest.mark.skipif(not os.environ.get("KIT_FOR_NEXT_ENGINE"), reason="set by .ci/run before another engine's phase")
def test_pack_a_kit_for_the_next_engine_or_image_store(engine_client):
    kit = os.environ["KIT_FOR_NEXT_ENGINE"]
    engine_client.images.get("busybox:latest").tag(ACROSS)
    try:
        packed = checks_process("workshop", "pack", kit, "--image", ACROSS, "--no-wheels", "--no-site")
        assert packed.returncode == 0, packed.stderr
    finally:
        untag(engine_client, ACROSS)
