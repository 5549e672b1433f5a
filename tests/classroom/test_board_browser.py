"""The instructor's board in Debian's headless chromium (Playwright): it updates live, without a
reload, when a learner passes a lesson with a real `checks` run; hostile names show as text; the
page runs under its Content-Security-Policy with no console error."""

from __future__ import annotations

import os
import time

import pytest

from support import CHROMIUM, CHROMIUM_ARGS, LESSONS, ROOT, checks_process

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.browser
if not CHROMIUM.exists() and os.environ.get("REQUIRE_BROWSER") != "1":
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(
            reason=f"{CHROMIUM} is missing: `apt-get install chromium` (set REQUIRE_BROWSER=1 to make this a failure)"
        ),
    ]

HOSTILE = ['<script>window.pwned = "script"</script>', "<img src=x onerror=\"window.pwned='img'\">"]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.problems = []
        page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        yield page
        browser.close()


def minutes_ago(minutes: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - minutes * 60))


def test_board_updates_live_and_shows_hostile_names_as_text(start_board, workspace, page):
    board = start_board(None, None, "--stuck-minutes", "1")
    for name in HOSTILE:  # failing the same check for two minutes: stuck
        token = board.join(name)
        payload = {
            "sent": minutes_ago(0),
            "reports": [{"lesson": "lesson1", "passed": False, "failed": ["dockerfile-present"], "at": minutes_ago(2)}],
        }
        assert board.post("/api/reports", payload, token).status == 200
    ana = workspace(name="ana")
    assert checks_process("join", board.url, "--code", board.code, "--name", "Ana", cwd=ana).returncode == 0

    page.goto(f"{board.url}/board?key={board.key}")
    page.wait_for_selector("#status.live")
    page.wait_for_selector('tr[data-name="Ana"]')
    page.evaluate("window.sameDocument = true")
    # the join command to project: the address learners use, as the server printed it
    assert f"checks join {board.url} --code {board.code}" in page.locator("#join-command").text_content()

    names = page.locator("#grid-body th.name").all_text_contents()
    assert names == [*HOSTILE, "Ana"]
    stuck = page.locator("#stuck li").all_text_contents()
    assert len(stuck) == 2 and all(sum(name in text for text in stuck) == 1 for name in HOSTILE)
    assert all("dockerfile-present (lesson 1) for 2 min" in text for text in stuck)
    assert page.locator("img").count() == 0 and page.locator("body script").count() == 0
    assert page.evaluate("window.pwned") is None

    # Ana runs lesson 1 without a Dockerfile, then with one: the board follows, without a reload
    assert checks_process("lesson1", cwd=ana).returncode == 1
    page.wait_for_selector('tr[data-name="Ana"] td[data-lesson="lesson1"].failed', timeout=3000)
    common = page.locator('#common [data-lesson="lesson1"]')
    assert "0 of 3 passed" in common.text_content()
    link = common.locator('[data-check="dockerfile-present"].most a')
    assert link.get_attribute("href").endswith("/lessons/lesson1/#write-the-from-line")
    assert "3 learners" in common.locator('[data-check="dockerfile-present"]').text_content()

    (ana / "Dockerfile").write_text((LESSONS / "lesson1" / "solution" / "Dockerfile").read_text())
    assert checks_process("lesson1", cwd=ana).returncode == 0
    page.wait_for_selector('tr[data-name="Ana"] td[data-lesson="lesson1"].passed', timeout=3000)
    assert "1 of 3 passed" in common.text_content()
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("window.pwned") is None

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "classroom-board.png"), full_page=True)
    assert not page.problems, page.problems


def test_board_page_refuses_without_the_key(board, page):
    answer = page.goto(f"{board.url}/board?key=wrong")
    assert answer.status == 403
    assert "wrong instructor key" in page.content()


def test_the_instructor_renames_removes_and_gives_a_new_code_from_the_page(board, page):
    for name in ("Ana", "Eve the flooder"):
        board.join(name)
    page.goto(f"{board.url}/board?key={board.key}")
    page.wait_for_selector("#status.live")
    page.wait_for_selector('tr[data-name="Eve the flooder"]')

    page.once("dialog", lambda dialog: dialog.accept("Ana B."))
    page.click('tr[data-name="Ana"] button.rename')
    page.wait_for_selector('tr[data-name="Ana B."]', timeout=3000)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click('tr[data-name="Eve the flooder"] button.remove')
    page.wait_for_selector('tr[data-name="Eve the flooder"]', state="detached", timeout=3000)
    assert page.locator("#grid-body th.name").all_text_contents() == ["Ana B."]
    assert [learner["name"] for learner in board.state()["learners"]] == ["Ana B."]

    old = board.code
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#new-code")
    page.wait_for_function(
        "old => !document.getElementById('join-command').textContent.includes('--code ' + old)", arg=old
    )
    new = board.state()["code"]
    assert new != old and f"--code {new}" in page.locator("#join-command").text_content()
    assert not page.problems, page.problems
