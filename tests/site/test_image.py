"""The site image: the root Dockerfile builds the site and serves it on port 80, as the README says."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.docker


def docker(*args: str, timeout: int = 900, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and run.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    return run


@pytest.fixture
def site_container():
    """Build the image and run it with port 80 published on 127.0.0.1; remove both afterwards."""
    if shutil.which("docker") is None:
        pytest.fail("the docker command is not installed")
    tag = f"docker-lessons-site-test:{uuid.uuid4().hex[:8]}"
    name = f"docker-lessons-site-test-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    try:
        docker("build", "--tag", tag, str(ROOT), timeout=1200)
        built = time.monotonic() - started
        docker("run", "--detach", "--name", name, "--publish", "127.0.0.1::80", tag)
        port = docker("port", name, "80/tcp").stdout.splitlines()[0].rsplit(":", 1)[1]
        yield tag, name, int(port), built
    finally:
        docker("rm", "--force", name, check=False)
        docker("rmi", "--force", tag, check=False)


def fetch(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_site_image_builds_and_serves_the_site(site_container):
    tag, name, port, built = site_container
    deadline = time.monotonic() + 60
    status, home = fetch(f"http://127.0.0.1:{port}/", deadline)
    assert status == 200 and "Docker lessons" in home
    status, lesson = fetch(f"http://127.0.0.1:{port}/lessons/lesson1/", deadline)
    assert status == 200 and 'id="write-the-from-line"' in lesson
    status, index = fetch(f"http://127.0.0.1:{port}/search/search_index.json", deadline)
    assert status == 200 and json.loads(index)["docs"]

    config = json.loads(docker("image", "inspect", tag).stdout)[0]["Config"]
    assert config["User"] not in ("", "0", "root"), "the server must not run as root"
    assert "80/tcp" in config["ExposedPorts"]
    assert config["Healthcheck"]["Test"][0] == "CMD"
    while True:  # the HEALTHCHECK itself reports healthy
        health = json.loads(docker("inspect", name).stdout)[0]["State"]["Health"]["Status"]
        if health == "healthy" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert health == "healthy"
    print(f"site image built in {built:.0f} s")
