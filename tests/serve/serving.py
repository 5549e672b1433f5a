"""What the tests of `checks serve` share: the site build, the server process, chromium's settings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from support import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - the tests import them from here too

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ADDRESS = re.compile(r"http://(?P<host>[^/\s]+):(?P<port>\d+)(?P<path>/\S*)\?token=(?P<token>[\w-]+)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the test looks at the redirect itself


OPENER = urllib.request.build_opener(NoRedirect)


def build_site(folder: Path, offline: bool = False) -> Path:
    """`mkdocs build --strict`; `offline`: as the wheel carries it (file:// pages, lessons/lesson1.html)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OFFLINE": "true" if offline else "false"}
    env.pop("CHECKS_DOCS_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return folder


def checks_executable() -> str:
    return str(Path(sys.executable).parent / "checks")


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    token: str
    output: list[str]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """What `checks serve` printed: the home page with the token."""
        return f"{self.origin}/?token={self.token}"

    def request(self, path: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
        """(status, headers, body) of one HTTP request, as a client other than a browser sends it."""
        request = urllib.request.Request(self.origin + path, method=method, data=body, headers=headers or {})
        try:
            with OPENER.open(request, timeout=600) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def api(self, path: str, method: str = "GET", body: bytes | None = None):
        return self.request("/_checks/api/" + path, method, {"X-Checks-Token": self.token}, body)

    def gradings(self) -> int:
        import json

        status, _, body = self.api("hello")
        assert status == 200, body
        return json.loads(body)["gradings"]

    def read_output(self, wait: float = 0.3) -> str:
        """What the server printed so far (stdout and stderr), read by a thread as it comes."""
        time.sleep(wait)
        return "".join(self.output)

    def follow(self) -> None:
        def read():
            for line in self.process.stdout:
                self.output.append(line)

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def stop(self) -> int:
        """Ctrl-C, as the learner stops it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        return self.process.returncode


def start_serve(workspace: Path, site: Path, *arguments: str) -> Served:
    process = subprocess.Popen(
        [checks_executable(), "serve", "--no-browser", "--site", str(site), *arguments],
        cwd=workspace,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"checks serve ended (exit {process.wait()}): {''.join(output)}")
        output.append(line)
        found = ADDRESS.search(line)
        if found:
            served = Served(process, int(found["port"]), found["token"], output)
            served.follow()
            return served
    process.kill()
    raise AssertionError(f"checks serve printed no address in 30 s: {''.join(output)}")
