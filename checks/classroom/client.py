"""The learner's side of the progress board: join, report after every `checks lessonN`, leave.

Standard library only, and loaded only in a workspace that joined a board. What is sent: the
lesson, whether it passed, the ids of the failing checks and when; never a file, a path or a
message. Reporting is best effort: it waits at most TIMEOUT seconds, prints nothing, and keeps
what could not be sent in the workspace's file, to send with the next report.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

FILENAME = ".checks-classroom.json"
TIMEOUT = 1.5  # seconds: the learner is waiting for their prompt
MAX_QUEUE = 100
MAX_SEND = 20  # the board takes at most this many reports in one request
_tried = False  # this process already tried to reach the board: a board away costs one timeout, not two


class BoardProblem(Exception):
    """The board cannot be joined: a message for the learner."""


def path_of(workspace: Path) -> Path:
    return workspace / FILENAME


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    """A report's id, chosen here: sent twice (a retry after a timeout), the board stores it once."""
    return secrets.token_urlsafe(12)


def read(workspace: Path) -> dict | None:
    """The workspace's board, token and queue; None if it has not joined one (or the file is unusable)."""
    try:
        data = json.loads(path_of(workspace).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("board", "token", "name")):
        return None
    if not isinstance(data.get("queue"), list):
        data["queue"] = []
    unnamed = [item for item in data["queue"] if isinstance(item, dict) and "id" not in item]
    for item in unnamed:  # queued by an older checks: an id now, written so that a retry keeps it
        item["id"] = new_id()
    if unnamed:
        write(workspace, data)
    return data


def write(workspace: Path, data: dict) -> bool:
    try:
        handle, temp = tempfile.mkstemp(dir=workspace, prefix=".checks-classroom.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.write("\n")
        os.chmod(temp, 0o600)  # it holds the learner's token
        os.replace(temp, path_of(workspace))
        return True
    except OSError:
        return False


def board_url(url: str) -> str:
    """The board's base URL from what the learner typed: http(s)://host[:port], nothing after."""
    parts = urlsplit(url.strip() if "://" in url else "http://" + url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BoardProblem(f"{url!r} is not a board address: expected something like http://192.168.1.20:8400")
    try:
        parts.port  # noqa: B018 - reading the port is what validates it
    except ValueError:
        raise BoardProblem(f"{url!r} has an invalid port") from None
    return f"{parts.scheme}://{parts.netloc}"


def _opener(url: str):
    import ipaddress
    import urllib.request

    host = urlsplit(url).hostname or ""
    try:
        local = host == "localhost" or host.endswith(".local") or ipaddress.ip_address(host).is_private
    except ValueError:
        local = False
    # a board in the room is reached directly, not through the proxy a company laptop uses for the internet
    return urllib.request.build_opener(urllib.request.ProxyHandler({})) if local else urllib.request.build_opener()


def call(
    url: str, path: str, payload: dict | None = None, token: str | None = None, timeout: float = TIMEOUT
) -> tuple[int, dict]:
    """One request to the board: (status, JSON body). Raises OSError when the board cannot be reached."""
    import urllib.error
    import urllib.request

    headers = {"Accept": "application/json", "User-Agent": "checks"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(65536)
    except (ValueError, UnicodeError) as error:  # a URL urllib cannot use
        raise OSError(str(error)) from None
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    return status, parsed if isinstance(parsed, dict) else {}


def join(workspace: Path, url: str, code: str, name: str, results: dict) -> str:
    """Register with the board and keep the token in the workspace; send the results so far."""
    base = board_url(url)
    try:
        status, body = call(base, "/api/join", {"code": code, "name": name}, timeout=10)
    except OSError as error:
        reason = getattr(error, "reason", error)
        raise BoardProblem(
            f"the board at {base} does not answer ({reason}). Check the address with your "
            "instructor; the board must be started with --host 0.0.0.0 to be reachable "
            "from other machines."
        ) from None
    if status != 201 or not isinstance(body.get("token"), str):
        message = body.get("error") or f"HTTP {status}"
        if status == 404:
            message = "this address answers, but it is not a progress board"
        raise BoardProblem(f"the board refused to let you join: {message}")
    # the results so far, as of now: the board counts from when a learner joined
    queue = [
        {
            "id": new_id(),
            "lesson": lesson,
            "passed": bool(entry.get("passed")),
            "failed": list(entry.get("failed") or []),
            "at": now(),
        }
        for lesson, entry in sorted(results.items())
        if isinstance(entry, dict)
    ]
    data = {"board": base, "name": body.get("name", name), "token": body["token"], "queue": queue[-MAX_SEND:]}
    if not write(workspace, data):
        raise BoardProblem(f"cannot write {path_of(workspace)}: is the workspace read-only?")
    if queue:
        send(workspace, data, timeout=5)
    return data["name"]


def send(workspace: Path, data: dict, timeout: float = TIMEOUT) -> str:
    """Send the queue: 'sent', 'queued' (board away: kept for later) or 'refused' (dropped: it never will be)."""
    global _tried
    batch = data["queue"][:MAX_SEND]  # oldest first; each has its id, so sending one again is harmless
    if not batch:
        return "sent"
    _tried = True
    try:
        status, body = call(data["board"], "/api/reports", {"sent": now(), "reports": batch}, data["token"], timeout)
    except OSError:
        return "queued"
    if status == 429 or status >= 500:
        return "queued"
    if 200 <= status < 300:
        data["queue"] = data["queue"][len(batch) :]
        data.pop("refused", None)
        write(workspace, data)
        return "sent" if not data["queue"] else send(workspace, data, timeout)
    data["queue"] = []  # a report the board refuses now it will refuse later too: keep the reason for doctor
    data["refused"] = f"HTTP {status}: {body.get('error', '')}".strip()
    write(workspace, data)
    return "refused"


def report_quietly(workspace: Path, lesson: str, passed: bool, failed: list[str]) -> None:
    """After `checks lessonN`: queue the result and try to send it. Never prints, never raises."""
    try:
        if not path_of(workspace).exists():
            return
        data = read(workspace)
        if data is None:
            return
        item = {"id": new_id(), "lesson": lesson, "passed": passed, "failed": sorted(failed), "at": now()}
        data["queue"] = [*data["queue"], item]
        data["queue"] = data["queue"][-MAX_QUEUE:]
        write(workspace, data)  # queued first: a Ctrl-C or a board away loses nothing
        send(workspace, data)
    except Exception:  # noqa: BLE001 - best effort by design: the learner's run is what matters
        pass


def send_waiting(workspace: Path) -> None:
    """Send the reports queued while the board was away, if there are any: after any `checks` command.
    Costs nothing when none wait; never prints, never raises."""
    try:
        if not path_of(workspace).exists():
            return
        data = read(workspace)
        if data is not None and data["queue"] and not _tried:
            send(workspace, data)
    except Exception:  # noqa: BLE001 - best effort by design, like report_quietly
        pass


def leave(workspace: Path) -> str | None:
    """Stop reporting: remove the workspace's board file. Returns the board it was, if any."""
    data = read(workspace)
    try:
        path_of(workspace).unlink()
    except FileNotFoundError:
        return None
    return data["board"] if data else "?"


def doctor_finding(workspace: Path) -> tuple[str, str, str, str] | None:
    """(name, status, detail, fix) for `checks doctor`, or None if this workspace never joined a board."""
    if not path_of(workspace).exists():
        return None
    data = read(workspace)
    if data is None:
        return (
            "progress board",
            "warning",
            f"{FILENAME} is unreadable",
            "run `checks leave`, then `checks join` again",
        )
    queued = len(data["queue"])
    waiting = f"; {queued} result(s) waiting to be sent" if queued else ""
    try:
        status, body = call(data["board"], "/api/me", token=data["token"], timeout=3)
    except OSError as error:
        return (
            "progress board",
            "warning",
            f"{data['board']} does not answer ({getattr(error, 'reason', error)}){waiting}",
            "your results are kept and sent when it answers; check the address with your instructor",
        )
    if status == 200:
        if queued and send(workspace, data, timeout=3) == "sent":
            waiting = f"; sent the {queued} result(s) that were waiting"
        return (
            "progress board",
            "ok",
            f"{data['board']} answers; you are {body.get('name', data['name'])!r}{waiting}",
            "",
        )
    if status == 401:
        return (
            "progress board",
            "warning",
            f"{data['board']} answers but does not know you (a new board?)",
            "run `checks leave`, then `checks join` again with the instructor's code",
        )
    return (
        "progress board",
        "warning",
        f"{data['board']} answers HTTP {status}: {body.get('error', '')}".rstrip(": "),
        "ask your instructor whether the board is running",
    )
