"""What a page elsewhere must never make `checks serve` do: start a grading, read the workspace.

With an HTTP client and in chromium: a request without the token gets 403, a Host that is not the
server's loopback address (DNS rebinding) is refused, an Origin that is not its own is refused, and
no answer carries CORS headers; every answer carries a Content-Security-Policy."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

LESSON1 = "FROM python:3.13-slim\n"


@pytest.fixture
def served(workspace, serve):
    return serve(workspace(LESSON1))


def test_the_api_needs_the_token(served):
    for path, method in (("hello", "GET"), ("grade/lesson1", "POST"), ("hints/lesson1", "GET"), ("changes", "GET")):
        status, headers, body = served.request("/_checks/api/" + path, method)
        assert status == 403, (path, status)
        assert b"token" in body
        wrong = served.request("/_checks/api/" + path, method, {"X-Checks-Token": "not-" + served.token})
        assert wrong[0] == 403, path
    assert served.gradings() == 0  # and with the token, the API answers


def test_the_token_in_the_address_becomes_a_cookie_and_leaves_the_address(served):
    status, headers, _ = served.request(f"/lessons/lesson1/?token={served.token}&x=1")
    assert status == 303
    assert headers["location"] == "/lessons/lesson1/?x=1"
    cookies = headers.get_all("set-cookie")
    token_cookie = next(c for c in cookies if c.startswith("checks_token="))
    assert "HttpOnly" in token_cookie and "SameSite=strict" in token_cookie
    assert served.request("/?token=wrong")[0] == 403


def test_a_rebinding_host_and_a_foreign_origin_are_refused(served):
    for host in ("rebound.test", f"rebound.test:{served.port}", f"127.0.0.1:{served.port + 1}", "192.168.1.5"):
        status, _, body = served.request("/", headers={"Host": host})
        assert status == 403, host
        assert b"Host" in body
        assert served.api("hello")[0] == 200
    for origin in ("http://evil.example", f"http://localhost:{served.port + 1}", "null"):
        status, _, _ = served.request(
            "/_checks/api/grade/lesson1", "POST", {"X-Checks-Token": served.token, "Origin": origin}, b"{}"
        )
        assert status == 403, origin
    cross = served.request(
        "/_checks/api/hello", headers={"X-Checks-Token": served.token, "Sec-Fetch-Site": "same-site"}
    )
    assert cross[0] == 403
    assert served.gradings() == 0


def test_headers_csp_and_no_cors(served):
    for path in ("/", "/lessons/lesson1/", "/_checks/api/hello", "/nowhere"):
        status, headers, _ = served.request(path, headers={"X-Checks-Token": served.token, "Origin": served.origin})
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert not [h for h in headers if h.lower().startswith("access-control-")], path
    assert served.request("/../../etc/passwd")[0] == 404
    assert served.request("/nowhere")[0] == 404


def test_a_grading_with_the_token_reports_as_the_terminal(served, workspace):
    status, headers, body = served.api("grade/lesson1", "POST", b"{}")
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[6:]) for line in body.decode().splitlines() if line.startswith("data: ")]
    done = events[-1]
    assert done["type"] == "done" and done["passed"] is True
    assert [e["check"]["id"] for e in events if e["type"] == "check"] == [r["id"] for r in done["results"]]
    quoted = next(r for r in done["results"] if r["id"] == "base-image-tag")
    assert quoted["quote"] == "FROM python:3.13-slim" and quoted["line"] == 1
    assert done["next"]["id"] == "lesson2"
    progress = json.loads((served_workspace(served) / ".checks-progress.json").read_text())
    assert progress["lessons"]["lesson1"]["passed"] is True


def served_workspace(served) -> Path:
    hello = json.loads(served.api("hello")[2])
    return Path(hello["workspace"])


def test_another_address_than_loopback_is_warned_about(workspace, serve):
    served = serve(workspace(LESSON1), "--host", "0.0.0.0")
    assert "Warning: listening on 0.0.0.0, not on 127.0.0.1 only" in served.read_output()
    assert "http://0.0.0.0" not in served.read_output()  # the address printed is one a browser can open
    assert served.gradings() == 0  # loopback still answers, with the token


def test_loopback_only_by_default(served):
    import socket

    from checks.classroom.serve import lan_address

    with socket.socket() as probe:  # the port is bound to 127.0.0.1, not to every address
        probe.settimeout(2)
        other = lan_address()
        if other.startswith("127.") or not other[0].isdigit():
            pytest.skip("this machine has no address but loopback")
        assert probe.connect_ex((other, served.port)) != 0
    assert "Warning" not in served.read_output()


def test_a_bad_request_gets_a_clear_answer(served):
    assert served.api("grade/lesson99", "POST", b"{}")[0] == 404
    assert served.api("grade/lesson1", "POST", b"not json")[0] == 400
    assert served.api("grade/lesson1", "POST", b"{" + b" " * 5000 + b"}")[0] == 413
    assert served.gradings() == 0


# -- in chromium --------------------------------------------------------------------------------------------


@pytest.fixture
def other_site(tmp_path):
    """A page on another origin (another port of 127.0.0.1) that tries every way to start a grading."""
    folder = tmp_path / "other"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


ATTACK = """<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<form id="f" method="post" action="{target}/_checks/api/grade/lesson1" enctype="text/plain">
<input name='{{"answer":"' value='x"}}'></form>
<script>
window.results = [];
function note(what, promise) {{
  return promise.then(r => window.results.push(what + ":" + r.status + ":" + r.type),
                      e => window.results.push(what + ":blocked"));
}}
window.attack = Promise.all([
  note("fetch-cors", fetch("{target}/_checks/api/grade/lesson1", {{method: "POST", credentials: "include",
       headers: {{"Content-Type": "application/json"}}, body: "{{}}"}})),
  note("fetch-no-cors", fetch("{target}/_checks/api/grade/lesson1", {{method: "POST", mode: "no-cors",
       credentials: "include", body: "{{}}"}})),
  note("read-hello", fetch("{target}/_checks/api/hello", {{credentials: "include"}}).then(r => r.text().then(() => r))),
]);
</script>"""


@pytest.mark.browser
def test_in_chromium_another_origin_cannot_start_a_grading(served, page, other_site):
    folder, origin = other_site
    page.goto(served.address)  # the learner's own tab: the token is now a cookie of this browser
    page.goto(served.origin + "/lessons/lesson1/")
    page.wait_for_selector(".checks-panel--live button[type=submit]")
    (folder / "attack.html").write_text(ATTACK.format(target=served.origin), encoding="utf-8")
    attacker = page.context.new_page()
    attacker.goto(origin + "/attack.html")
    attacker.evaluate("window.attack")
    results = attacker.evaluate("window.results")
    assert "read-hello:blocked" in results  # no CORS: another origin cannot read the workspace
    assert any(r.startswith("fetch-cors:blocked") for r in results)
    with attacker.expect_navigation():
        attacker.evaluate("document.getElementById('f').submit()")  # a classic cross-site form post
    assert "requests from another site are refused" in attacker.content()
    assert served.gradings() == 0  # not one grading started


@pytest.mark.browser
def test_in_chromium_a_rebinding_host_is_refused(served, page):
    # chromium resolves rebound.test to 127.0.0.1 (--host-resolver-rules), as a rebinding DNS server would
    response = page.goto(f"http://rebound.test:{served.port}/?token={served.token}")
    assert response.status == 403
    assert "answers to" in page.content()
    status = page.evaluate("fetch('/_checks/api/hello').then(r => r.status)")
    assert status == 403
    assert served.gradings() == 0


@pytest.mark.browser
def test_in_chromium_without_the_token_the_api_answers_403_and_the_panel_says_what_to_do(served, page):
    page.goto(served.origin + "/lessons/lesson1/")
    status = page.evaluate(
        "fetch('/_checks/api/grade/lesson1', {method: 'POST', body: '{}', credentials: 'same-origin'}).then(r => r.status)"
    )
    assert status == 403
    panel = page.locator(".checks-panel")
    panel.wait_for()
    assert "checks lesson1" in panel.inner_text() and "checks serve" in panel.inner_text()
    assert page.locator(".checks-panel button").count() == 0  # never a dead button
    assert served.gradings() == 0
    assert not [p for p in page.problems if "403" not in p], page.problems


def test_what_cannot_be_served_is_said_with_exit_2(workspace, served, site):
    from support import run_checks

    folder = workspace(LESSON1, name="other")
    run = run_checks("serve", "--no-browser", "--site", str(folder / "nowhere"), cwd=folder)
    assert run.code == 2 and "holds no built site" in run.err and "make site" in run.err
    run = run_checks("serve", "--no-browser", "lesson99", cwd=folder)
    assert run.code == 2 and "there is no lesson 'lesson99'" in run.err
    run = run_checks("serve", "--no-browser", "--site", str(site), "--port", str(served.port), cwd=folder)
    assert run.code == 2 and f"port {served.port} on 127.0.0.1 is already in use" in run.err
    assert "Traceback" not in run.err
