"""The progress board started for real: `checks classroom serve` in a subprocess on 127.0.0.1."""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)

    @property
    def json(self):
        return json.loads(self.body)


class BoardProcess:
    """One `checks classroom serve` process; `url`, `code`, `key` as it printed them."""

    def __init__(self, db: Path, port: int, *options: str, ignoring: tuple[signal.Signals, ...] = ()):
        """`ignoring`: signals the board starts with ignored, as `nohup` (SIGHUP) or a script's `&` (SIGINT) do."""
        executable = shutil.which("checks", path=str(Path(sys.executable).parent))
        assert executable, "the checks console script is not installed (pip install -e '.[dev]')"
        self.db, self.port = db, port
        self.process = subprocess.Popen(
            [executable, "classroom", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=(lambda: [signal.signal(signum, signal.SIG_IGN) for signum in ignoring]) if ignoring else None,
        )
        self.lines: queue.Queue = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 30
        while not any("/board?key=" in line for line in self.printed):
            try:
                self.printed.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                self.stop()
                raise AssertionError(f"the board did not start: {self.printed} {self.process.stderr.read()}") from None
            if self.printed[-1] is None:
                raise AssertionError(f"the board exited: {self.printed} {self.process.stderr.read()}")
        text = "".join(self.printed)
        self.url = re.search(r"checks join (http://\S+)", text).group(1)
        self.code = re.search(r"--code (\S+)", text).group(1)
        self.key = re.search(r"/board\?key=(\S+)", text).group(1)
        self.wait_until_answering()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_until_answering(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.get("/api/health").status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the board does not answer /api/health")

    def request(
        self, path: str, body: bytes | None = None, headers: dict | None = None, method: str | None = None
    ) -> Response:
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {}, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as answer:
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    def get(self, path: str, **kwargs) -> Response:
        return self.request(path, **kwargs)

    def post(self, path: str, payload, token: str | None = None, content_type: str = "application/json") -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request(path, body=body, headers=headers, method="POST")

    def join(self, name: str, source: str | None = None) -> str:
        """Join as `name`, from the loopback address `source` (e.g. 127.0.1.7: one laptop of a room) if given."""
        if source is None:
            answer = self.post("/api/join", {"code": self.code, "name": name})
        else:
            answer = self.post_from(source, "/api/join", {"code": self.code, "name": name})
        assert answer.status == 201, answer.body
        return answer.json["token"]

    def post_from(self, source: str, path: str, payload) -> Response:
        """POST JSON from another address of the loopback network: the board counts each as a laptop."""
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        try:
            connection.request("POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json"})
            answer = connection.getresponse()
            return Response(answer.status, answer.read(), dict(answer.headers))
        finally:
            connection.close()

    def state(self) -> dict:
        answer = self.get(f"/board/state?key={self.key}")
        assert answer.status == 200, answer.body
        return answer.json

    def learner(self, name: str) -> dict:
        found = [learner for learner in self.state()["learners"] if learner["name"] == name]
        assert len(found) == 1, f"no learner {name!r} on the board"
        return found[0]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()


@pytest.fixture
def start_board(tmp_path):
    """Start a board: `start_board()` on a fresh store, or `start_board(db=…, port=…)` again on one."""
    started: list[BoardProcess] = []

    def start(db: Path | None = None, port: int | None = None, *options: str, ignoring=()) -> BoardProcess:
        started.append(
            BoardProcess(db or tmp_path / "classroom.sqlite3", port or free_port(), *options, ignoring=ignoring)
        )
        return started[-1]

    yield start
    for board in started:
        board.stop()


@pytest.fixture
def board(start_board):
    return start_board()


@pytest.fixture
def unused_port() -> int:
    return free_port()


# --- a real PostgreSQL server (Debian's package), for the board's PostgreSQL store ---------------

POSTGRESQL_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


class PostgresqlServer:
    """A PostgreSQL server of its own on 127.0.0.1 at a free port, from Debian's binaries; `url` has no database."""

    def __init__(self):
        import os
        import tempfile

        if not POSTGRESQL_BINARIES:
            if os.environ.get("REQUIRE_POSTGRESQL") == "1":
                pytest.fail("REQUIRE_POSTGRESQL=1 but PostgreSQL is not installed: apt-get install postgresql")
            pytest.skip(
                "PostgreSQL is not installed (apt-get install postgresql; REQUIRE_POSTGRESQL=1 makes this a failure)"
            )
        self.binaries = POSTGRESQL_BINARIES[-1]
        self.folder = Path(tempfile.mkdtemp(prefix="checks-test-postgresql-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as Debian's postgres user
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        self.run(
            str(self.binaries / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()

    def run(self, *command: str):
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]} failed: {done.stdout}{done.stderr}"

    def start(self):
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self.run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self):
        self.run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_server(tmp_path_factory):
    """The session's PostgreSQL server; its URL without a database."""
    server = PostgresqlServer()
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture
def restartable_postgresql():
    """A PostgreSQL server for one test, which it may stop and start (the session's one stays up)."""
    server = PostgresqlServer()
    try:
        yield server
    finally:
        try:
            server.stop()
        except AssertionError:
            pass  # stopped by the test
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def postgresql_database(postgresql_server, request):
    """A new, empty database on the test server; its URL."""
    import uuid

    import psycopg

    name = f"board_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{postgresql_server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield f"{postgresql_server}/{name}"
    with psycopg.connect(f"{postgresql_server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
