"""The lesson pages under `checks serve`, in chromium, against the real `checks` and a real engine:
"Check my work" grades the workspace (lesson 1, lesson 7's build streamed, lesson 10's answer form),
hints escalate with `checks hint`'s state, re-check on save, progress marks, a closed tab cleans up;
and where no server runs, the panel says which command to run."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shlex
import subprocess
import sys
import threading
import time

import pytest

from learner_engine import SIDECAR_IMAGE, Containers, docker, free_port, sh, unique, wait_for_workers
from serving import ARTIFACTS, ROOT
from support import checks_process

pytestmark = pytest.mark.browser
WRONG = "FROM python:latest\n"
RIGHT = "FROM python:3.13-slim\n"
VERDICT = "#checks-result[data-passed]"


def open_lesson(page, served, lesson: str):
    (ARTIFACTS / "serve").mkdir(parents=True, exist_ok=True)  # where the screenshots go
    page.goto(served.address)
    page.goto(f"{served.origin}/lessons/{lesson}/")
    page.wait_for_selector(".checks-panel--live button[type=submit]")


def check(page, timeout: float = 30_000):
    """Click "Check my work" and wait for the verdict."""
    page.evaluate("document.getElementById('checks-result').removeAttribute('data-passed')")
    page.click(".checks-panel__check")
    page.wait_for_selector(VERDICT, timeout=timeout)
    return page.locator("#checks-result")


def wait_in(page, expression: str, timeout: float = 60) -> None:
    """Wait until `expression` is true in the page (page.wait_for_function evaluates a string, which the
    server's Content-Security-Policy forbids: polled from here instead)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_lesson1_from_the_page_fail_fix_pass_with_hints_and_progress(workspace, serve, page):
    folder = workspace(WRONG)
    served = serve(folder)
    open_lesson(page, served, "lesson1")

    # keyboard: Tab reaches the button, Enter grades
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('checks-panel__check')"):
            break
    else:
        pytest.fail("Tab never reached Check my work")
    page.keyboard.press("Enter")
    page.wait_for_selector(VERDICT)
    result = page.locator("#checks-result")
    assert result.get_attribute("aria-live") == "polite"
    assert result.get_attribute("data-passed") == "no"
    failed = result.locator(".checks-result--failed").filter(has_text="base-image-tag")
    text = failed.inner_text()
    assert "✗" in text and "Dockerfile:1" in text
    assert failed.locator(".checks-result__quote").inner_text().strip() == "FROM python:latest"  # the learner's line
    assert "Why" in text and "Fix" in text
    assert failed.locator("a").get_attribute("href") == "/lessons/lesson1/#tags"
    assert "Lesson 1 not passed" in result.inner_text()
    page.screenshot(path=str(ARTIFACTS / "serve" / "lesson1-failed-1280.png"), full_page=False)

    # a hint, then `checks hint` in the terminal shows the next one: the same state
    page.click(".checks-panel__hint")
    page.wait_for_selector(".checks-hints li")
    assert page.locator(".checks-hints li").count() == 1
    terminal = checks_process("hint", "lesson1", cwd=folder)
    assert "Hint 2 of" in terminal.stdout, terminal.stdout
    page.reload()
    page.wait_for_selector(".checks-hints li >> nth=1")
    assert page.locator(".checks-hints li").count() == 2

    (folder / "Dockerfile").write_text(RIGHT, encoding="utf-8")
    result = check(page)
    assert result.get_attribute("data-passed") == "yes"
    assert "Lesson 1 passed" in result.inner_text()
    assert result.locator(".checks-next a").get_attribute("href") == "/lessons/lesson2/"
    assert result.locator(".checks-mark--failed").count() == 0
    page.wait_for_selector(".md-nav a.checks-passed", state="attached")
    marked = {page.evaluate("a => a.href", a) for a in page.locator(".md-nav a.checks-passed").element_handles()}
    assert marked == {served.origin + "/lessons/lesson1/"}, marked
    # the verdict on the page is the terminal's: one pipeline
    terminal = json.loads(checks_process("lesson1", "--json", cwd=folder).stdout)
    shown = [item.get_attribute("class").split("--")[-1] for item in result.locator(".checks-results > li").all()]
    assert shown == [c["status"] for c in terminal["checks"]]
    assert "graded from the page" in served.read_output()

    page.goto(served.origin + "/")  # the home page's lesson table marks it too
    page.wait_for_selector(".md-typeset table a.checks-passed", state="attached")
    assert page.locator(".md-typeset table a.checks-passed").count() == 1
    assert not page.problems, page.problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_panel_reads_well_at_1280_and_390(workspace, serve, browser, scheme):
    served = serve(workspace(WRONG))
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message, seen=problems: message.type == "error" and seen.append(message.text))
        open_lesson(page, served, "lesson1")
        check(page)
        panel = page.locator(".checks-panel")
        panel.scroll_into_view_if_needed()
        assert overflow(page) <= 0, f"the page scrolls sideways at {width} px"
        box = panel.bounding_box()
        assert box["width"] <= width
        colour, background = page.evaluate(
            "[getComputedStyle(document.querySelector('.checks-result__message')).color,"
            " getComputedStyle(document.body).backgroundColor]"
        )
        assert colour != background
        panel.screenshot(path=str(ARTIFACTS / "serve" / f"panel-{scheme}-{width}.png"))
        assert not problems, problems
        context.close()


def test_re_check_on_save_updates_the_panel_without_a_click(workspace, serve, page):
    folder = workspace(RIGHT)
    served = serve(folder)
    open_lesson(page, served, "lesson1")
    page.check("#checks-recheck")
    time.sleep(0.6)  # the page's stream has looked at the workspace once
    (folder / "Dockerfile").write_text(WRONG, encoding="utf-8")
    page.wait_for_selector("#checks-result[data-passed=no]", timeout=20_000)
    assert "base-image-tag" in page.locator("#checks-result").inner_text()
    (folder / "Dockerfile").write_text(RIGHT, encoding="utf-8")
    page.wait_for_selector("#checks-result[data-passed=yes]", timeout=20_000)
    assert served.gradings() == 2
    page.click(".checks-panel__hint")  # writes the progress file: not a save of the learner's
    page.wait_for_selector(".checks-hints li")
    time.sleep(1.5)
    assert served.gradings() == 2
    page.reload()  # the choice is remembered on the next page
    page.wait_for_selector(".checks-panel--live")
    assert page.is_checked("#checks-recheck")


@pytest.mark.docker
def test_a_save_during_a_grading_stops_it_and_grades_the_saved_files(workspace, serve, page):
    """As `checks watch` does: the verdict being prepared is about files that changed, so it is stopped (and
    cleaned up) and the saved files are graded, instead of the page showing it and grading again after."""
    solution = (ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8")
    folder = workspace(solution.replace("FROM python:3.13-slim", "FROM python:3.13-slim\nRUN sleep 90", 1))
    served = serve(folder)
    open_lesson(page, served, "lesson7")
    page.check("#checks-recheck")
    time.sleep(0.6)  # the page's stream has looked at the workspace once
    page.click(".checks-panel__check")
    wait_in(page, "/sleep 90/.test(document.querySelector('.checks-panel__status').textContent)", 600)
    saved = time.monotonic()
    (folder / "Dockerfile").write_text(solution, encoding="utf-8")
    page.wait_for_selector("#checks-result[data-passed=yes]", timeout=300_000)
    assert time.monotonic() - saved < 80  # not after the sleep 90 the first grading was running
    assert "stopped (the page went away or asked again), cleaned up" in served.read_output()
    assert served.gradings() == 2
    assert "Lesson 7 passed" in page.locator("#checks-result").inner_text()
    # what the stopped grading created is gone: tests/conftest.py's hygiene fixture fails the test otherwise


def test_a_grading_by_another_process_of_the_workspace_is_named_not_run_beside_it(workspace, serve):
    """`checks watch` (or a terminal, or a second server) grading the same workspace: the page is told whose
    grading runs (409), and grades once it has ended."""
    folder = workspace(RIGHT)
    served = serve(folder)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        status, _, body = served.api("grade/lesson1", "POST", b"{}")
        assert status == 409, body
        said = json.loads(body)["error"]
        assert said.startswith("a grading of lesson 5, by `checks watch` (pid ") and "wait for its verdict" in said
    finally:
        holder.kill()
        holder.wait()
    status, _, body = served.api("grade/lesson1", "POST", b"{}")
    assert status == 200 and b'"passed": true' in body
    assert served.gradings() == 1


HOLD = """
import sys, time
from pathlib import Path
from checks import busy
with busy.one_grading(Path(sys.argv[1]), "lesson5", "checks watch", wait=0):
    print("holding", flush=True)
    time.sleep(60)
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def test_without_a_server_the_panel_says_what_to_run(site, offline_site, page):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        for url in (
            f"http://127.0.0.1:{httpd.server_address[1]}/lessons/lesson3/",  # the published site
            (offline_site / "lessons" / "lesson3.html").as_uri(),  # the copy installed with checks, from the disk
        ):
            page.goto(url)
            panel = page.locator(".checks-panel--static")
            panel.wait_for()
            text = panel.inner_text()
            assert "checks lesson3" in text and "checks serve" in text
            assert panel.locator("button, input").count() == 0  # never a dead button
        assert not page.problems, page.problems
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- on the engine ----------------------------------------------------------------------------------------


@pytest.mark.docker
def test_lesson7_builds_and_runs_with_the_status_streamed(workspace, serve, page):
    folder = workspace((ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8"))
    served = serve(folder)
    open_lesson(page, served, "lesson7")
    page.evaluate(
        """window.seen = [];
        new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => window.seen.push(n.textContent))))
          .observe(document.querySelector('.checks-panel__status'), {childList: true, characterData: true, subtree: true});"""
    )
    page.click(".checks-panel__check")
    wait_in(page, "window.seen.some(t => /building: step \\d+\\/\\d+ .*\\(Dockerfile:\\d+\\)/.test(t))", 600)
    page.locator(".checks-panel").screenshot(path=str(ARTIFACTS / "serve" / "lesson7-building-1280.png"))
    # a second grading while this one runs: refused, with the reason
    status, _, body = served.api("grade/lesson1", "POST", b"{}")
    assert status == 409 and b"lesson 7 is running" in body
    page.wait_for_selector(VERDICT, timeout=600_000)
    result = page.locator("#checks-result")
    assert result.get_attribute("data-passed") == "yes", result.inner_text()
    seen = page.evaluate("window.seen")
    timed = [t for t in seen if re.fullmatch(r"building: step \d+/\d+ .+\(Dockerfile:\d+\)\s+\d+s", t)]
    assert timed, seen  # the step, its Dockerfile line and the time so far, as the terminal's status line
    assert any("Graded in" in t for t in seen)
    assert "Lesson 7 passed" in result.inner_text()


@pytest.mark.docker
def test_closing_the_tab_stops_the_grading_and_cleans_up(workspace, serve, browser):
    # a Dockerfile whose build takes a while: the tab closes during it
    slow = (ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8")
    slow = slow.replace("FROM python:3.13-slim", "FROM python:3.13-slim\nRUN sleep 60", 1)
    folder = workspace(slow)
    served = serve(folder)
    context = browser.new_context()
    page = context.new_page()
    open_lesson(page, served, "lesson7")
    page.click(".checks-panel__check")
    wait_in(page, "/building/.test(document.querySelector('.checks-panel__status').textContent)", 600)
    started = time.monotonic()
    context.close()  # the tab goes away
    deadline = time.monotonic() + 60
    while "stopped (the page went away or asked again)" not in served.read_output() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "stopped (the page went away or asked again)" in served.read_output(), served.read_output()
    assert time.monotonic() - started < 30
    assert served.gradings() == 1 and json.loads(served.api("hello")[2])["busy"] is None
    # the server still grades: the cancel stopped that grading only
    (folder / "Dockerfile").write_text(RIGHT, encoding="utf-8")
    status, _, body = served.api("grade/lesson1", "POST", b"{}")
    assert status == 200 and b'"passed": true' in body
    # what the grading created is gone: tests/conftest.py's hygiene fixture fails the test otherwise


@pytest.fixture
def app_and_sidecar(workspace):
    """Lessons 8-10 done as the pages say, under names of this test's own: the image built from lesson 7's
    Dockerfile, the app running from it, a sidecar sharing its PID and network namespaces."""
    folder = workspace((ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8"))
    image = f"{unique('dl-serve')}:0.0.1"
    containers = Containers()
    try:
        sh(shlex.join(["docker", "build", "-q", "-t", image, str(folder)]), timeout=900)
        app = containers.run(f"-p 127.0.0.1:{free_port()}:4000 {image}")
        wait_for_workers(app)
        sidecar = containers.run(f"--pid=container:{app} --net=container:{app} {SIDECAR_IMAGE} sleep 600")
        shown = docker("exec", sidecar, "ps", "-o", "pid,args").stdout.splitlines()
        workers = [row.split()[0] for row in shown if "uwsgi" in row and row.split()[0] != "1"]
        assert workers, shown
        yield folder, image, app, workers
    finally:
        containers.remove_all()
        docker("image", "rm", "-f", image, check=False)


@pytest.mark.docker
def test_lesson10_asks_its_question_in_a_form(app_and_sidecar, serve, page):
    folder, image, app, workers = app_and_sidecar
    served = serve(folder, "--image", image, "--container", app)
    open_lesson(page, served, "lesson10")
    question = page.locator(".checks-panel__question")
    assert "PID" in question.inner_text() and "worker" in question.inner_text()
    answer = page.get_by_label(question.inner_text())  # the field is labelled with the question
    answer.fill("99999")
    result = check(page, timeout=600_000)
    wrong = result.locator(".checks-results > li").filter(has_text="sidecar-question")
    assert wrong.get_attribute("class").endswith("--failed"), result.inner_text()
    answer.fill(workers[0])
    result = check(page, timeout=600_000)
    own = {item.get_attribute("class").split("--")[-1] for item in result.locator(".checks-results > li").all()}
    assert own == {"passed"}, result.inner_text()
    assert not page.problems, page.problems


def test_the_copy_installed_with_checks_is_served_too(workspace, offline_site, page):
    """The wheel's site (file:// pages, lessons/lesson1.html): links, panel and search work when served."""
    from serving import start_serve

    served = start_serve(workspace(WRONG), offline_site)
    try:
        page.goto(served.address)
        page.goto(served.origin + "/lessons/lesson1.html")
        page.wait_for_selector(".checks-panel--live button[type=submit]")
        result = check(page)
        failed = result.locator(".checks-result--failed").filter(has_text="base-image-tag")
        assert failed.locator("a").get_attribute("href") == "/lessons/lesson1.html#tags"
        assert result.locator(".checks-next").count() == 1
        page.wait_for_selector(".md-nav a.checks-passed", state="detached")
        assert not page.problems, page.problems
    finally:
        assert served.stop() in (0, 130)


@pytest.mark.docker
def test_ctrl_c_on_the_server_stops_its_grading_and_cleans_up(workspace, serve):
    import http.client

    slow = (ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8")
    folder = workspace(slow.replace("FROM python:3.13-slim", "FROM python:3.13-slim\nRUN sleep 60", 1))
    served = serve(folder)
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=600)
    connection.request("POST", "/_checks/api/grade/lesson7", body="{}", headers={"X-Checks-Token": served.token})
    response = connection.getresponse()
    assert response.status == 200
    for line in response:
        if line.startswith(b"data: ") and b"building" in line:
            break
    started = time.monotonic()
    assert served.stop() == 130  # Ctrl-C, as the learner stops it
    assert time.monotonic() - started < 30
    assert "everything checks created was removed" in served.read_output(0)
    try:
        rest = response.read()
    except http.client.IncompleteRead as cut:  # the server went away mid-stream
        rest = cut.partial
    assert b'"type": "done"' not in rest  # no verdict: the grading was stopped
    connection.close()
    # what the grading created is gone: tests/conftest.py's hygiene fixture fails the test otherwise
