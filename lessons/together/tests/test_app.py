"""Tests of the "together" app.

Run them from the app's folder with:  python -m pytest
The last test starts bin/run_dev.sh for real; it needs uWSGI
(`pip install -r requirements.txt`) and is skipped without it.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

APP_ROOT = Path(__file__).resolve().parents[1]
RUN_DEV = APP_ROOT / "bin" / "run_dev.sh"

# Make `import together` work whatever folder pytest is started from.
if str(APP_ROOT) not in sys.path:
    sys.path.insert(0, str(APP_ROOT))

import together  # noqa: E402
from together.app import app  # noqa: E402


@pytest.fixture
def client():
    app.config.update(TESTING=True)
    return app.test_client()


def test_version_is_0_0_1():
    assert together.__version__ == "0.0.1"


def test_statz_returns_the_version_as_json(client):
    response = client.get("/statz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"version": "0.0.1"}


def test_statz_version_is_the_package_version(client):
    assert client.get("/statz").get_json()["version"] == together.__version__


def test_index_page_says_what_this_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"together" in response.data


def test_unknown_path_is_404(client):
    assert client.get("/no-such-page").status_code == 404


def test_run_dev_script_is_posix_sh_with_lf_endings_and_executable():
    data = RUN_DEV.read_bytes()
    assert data.startswith(b"#!/bin/sh\n")
    assert b"\r" not in data, "CRLF line endings break the script in a Linux container"
    assert os.access(RUN_DEV, os.X_OK), "bin/run_dev.sh must be executable"


def _find_uwsgi():
    """uwsgi on PATH, or next to this Python (a virtualenv that is not activated)."""
    found = shutil.which("uwsgi")
    if found:
        return found
    beside = Path(sys.executable).parent / "uwsgi"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return None


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=1.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get_content_type(), response.read()


def test_run_dev_serves_statz_and_stops_on_sigterm(tmp_path):
    uwsgi = _find_uwsgi()
    if uwsgi is None:
        pytest.skip("uwsgi is not installed (not on PATH): pip install -r requirements.txt")

    port = _free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port))
    env["PATH"] = os.path.dirname(uwsgi) + os.pathsep + env.get("PATH", "")
    log_path = tmp_path / "run_dev.log"
    url = f"http://127.0.0.1:{port}/statz"

    with open(log_path, "wb") as log:
        # Started from another folder, to check that the script finds the app itself.
        # Its own session (process group), so that cleanup can reach the workers too.
        proc = subprocess.Popen(
            [str(RUN_DEV)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        answer = None
        while answer is None:
            if proc.poll() is not None:
                pytest.fail(
                    f"run_dev.sh exited with code {proc.returncode} before answering:\n"
                    + log_path.read_text(errors="replace")
                )
            if time.monotonic() > deadline:
                pytest.fail("no answer on /statz within 30 s:\n" + log_path.read_text(errors="replace"))
            try:
                answer = _get(url)
            except (TimeoutError, urllib.error.URLError, ConnectionError):
                time.sleep(0.1)

        status, content_type, body = answer
        assert status == 200
        assert content_type == "application/json"
        assert body.strip() == b'{"version":"0.0.1"}'

        log_text = log_path.read_text(errors="replace")
        assert f"together: starting uWSGI on http://127.0.0.1:{port}" in log_text
        assert f"bound to TCP address 127.0.0.1:{port}" in log_text

        # The script exec'd uWSGI: the process we started is uWSGI's master itself,
        # so SIGTERM reaches it directly, as `docker stop` does in a container.
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            returncode = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail("uWSGI was still running 5 s after SIGTERM")
        took = time.monotonic() - started
        assert returncode == 0, log_path.read_text(errors="replace")
        assert took < 3, f"stopping took {took:.1f} s"
    finally:
        # Never leave a server behind: kill whatever is left in its process group.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)
