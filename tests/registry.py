"""A registry of the tests' own: Debian's `docker-registry` (distribution 2.8) on loopback with its own storage,
for tests that push and pull (the workshop kit's architectures, what `docker images` shows after a pull)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def docker(*args: str, timeout: int = 180) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"docker {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout.strip()


class Registry:
    """`docker-registry serve` on 127.0.0.1 at a free port; `stop()` ends it within 15 s."""

    def __init__(self):
        binary = shutil.which("docker-registry")
        if not binary:
            if os.environ.get("REQUIRE_DOCKER") == "1":
                pytest.fail(
                    "REQUIRE_DOCKER=1 but Debian's docker-registry is not installed: apt-get install docker-registry"
                )
            pytest.skip("Debian's docker-registry is not installed (apt-get install docker-registry)")
        self.folder = Path(tempfile.mkdtemp(prefix="checks-test-registry-"))
        self.host = f"127.0.0.1:{free_port()}"
        config = self.folder / "config.yml"
        config.write_text(
            f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {self.folder / 'storage'}\nhttp:\n  addr: {self.host}\n"
        )
        self.log = (self.folder / "registry.log").open("w")
        self.process = subprocess.Popen([binary, "serve", str(config)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://{self.host}/v2/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(
                        f"the registry did not start: {(self.folder / 'registry.log').read_text()}"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
