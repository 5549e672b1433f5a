"""Lesson 15 (HEALTHCHECK and production settings): catches / catches-not cases for each check, on a real engine.

Every case shares the reference solution's build stage (BuildKit's cache), so only the final stages
differ. The app still answering is lesson 7's check, run first by `checks lesson15`.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from checks.checkers import lesson15
from checks.context import Unavailable
from support import LESSONS, ROOT, grade_fixture

SOLUTION = (LESSONS / "lesson15" / "solution" / "Dockerfile").read_text(encoding="utf-8")
FIXTURES = ROOT / "tests" / "lessons" / "lesson15" / "fixtures"
HEALTHCHECK_LINE = 20  # of the solution


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.Dockerfile").read_text(encoding="utf-8")


# -- reading what the engine shows ----------------------------------------------------------------------
def test_engine_timestamps_with_nine_decimals_order_right():
    assert lesson15.moment("2026-11-28T20:50:12.74075424Z") > lesson15.moment("2026-11-28T20:50:12.558430798Z")
    assert lesson15.moment("2026-11-28T20:50:12Z") == datetime(2026, 11, 28, 20, 50, 12)


def test_a_missing_probe_tool_is_read_from_both_forms_of_the_health_log():
    exec_form = {
        "ExitCode": -1,
        "Output": "OCI runtime exec failed: exec failed: unable to start container process: "
        'exec: "curl": executable file not found in $PATH: unknown',
    }
    shell_form = {"ExitCode": 127, "Output": "/bin/sh: 1: wget: not found\n"}
    refused = {"ExitCode": 1, "Output": "urllib.error.URLError: <urlopen error [Errno 111] Connection refused>"}
    assert lesson15.missing_tool(exec_form) == "curl"
    assert lesson15.missing_tool(shell_form) == "wget"
    assert lesson15.missing_tool(refused) is None


def test_a_swallowed_failure_is_named_only_when_the_probe_says_so():
    probe = lesson15.Probe(["CMD-SHELL", "python -c 'x' || exit 0"], 5, 5, 0, 3, True)
    assert "`|| exit 0`" in lesson15.swallowed_failure(probe)
    probe = lesson15.Probe(["CMD", "python", "-c", "x"], 5, 5, 0, 3, True)
    assert "`" not in lesson15.swallowed_failure(probe)


# -- healthcheck-in-image ---------------------------------------------------------------------------------
@pytest.mark.docker
def test_healthcheck_in_image_catches_one_written_in_the_build_stage(built):
    ctx = built(fixture("healthcheck-in-image"))
    result = lesson15.healthcheck_in_image(ctx)
    assert result.status == "failed" and result.line == 10 and "earlier stage" in result.message
    with pytest.raises(Unavailable):
        lesson15.probe_of(ctx)


def test_healthcheck_in_image_catches_healthcheck_none(outcome):
    turned_off = re.sub(r"HEALTHCHECK .*\\\n.*\n", "HEALTHCHECK NONE\n", SOLUTION)
    result = outcome(lesson15.healthcheck_in_image, turned_off)
    assert result.status == "failed" and "NONE" in result.message


# -- the solution, on the engine --------------------------------------------------------------------------
@pytest.mark.docker
def test_container_healthy_and_the_others_catch_not_the_solution(built):
    ctx = built(SOLUTION)
    assert lesson15.healthcheck_in_image(ctx).status == "passed"
    result = lesson15.container_healthy(ctx)
    assert result.status == "passed" and result.line == HEALTHCHECK_LINE and "healthy after" in result.message
    run = lesson15.health_run(ctx)
    assert run.app_up and run.log[-1]["ExitCode"] == 0  # the engine's own log of the probe
    started = time.monotonic()
    result = lesson15.unhealthy_when_broken(ctx)
    assert result.status == "passed", result.message
    assert "froze the app's 2 processes" in result.message  # uWSGI's two workers, under the master (PID 1)
    # measured here: unhealthy in 8-12 s (3 retries × the probe's 2 s timeout, probed every second)
    assert time.monotonic() - started < 60
    result = lesson15.stop_fast(ctx)
    assert result.status == "passed" and "PID 1 is uwsgi" in result.message
    # uWSGI exited on SIGTERM, nobody was killed: 1.2-1.4 s measured on an idle machine, 3.6 s at a load of 11
    assert run.stop_seconds < lesson15.STOP_LIMIT and run.stop_exit_code != 137
    assert lesson15.server_warnings(ctx).status == "passed"
    assert "running as root" not in run.logs and "no internal routing" not in run.logs


# -- container-healthy ------------------------------------------------------------------------------------
@pytest.mark.docker
def test_container_healthy_catches_a_probe_tool_not_in_the_image(built):
    ctx = built(fixture("container-healthy--curl"))
    result = lesson15.container_healthy(ctx)
    assert result.status == "failed" and result.line == 21
    assert 'exec: "curl": executable file not found' in result.message and "curl is not in the image" in result.message
    assert "python" in result.hint and "curl" not in result.hint


@pytest.mark.docker
def test_container_healthy_catches_the_wrong_port_and_the_wrong_path(built):
    port = lesson15.container_healthy(built(fixture("container-healthy--wrong-port")))
    assert port.status == "failed" and "Connection refused" in port.message
    assert "nothing listens on port 5000" in port.message and "the app listens on 4000" in port.message
    path = lesson15.container_healthy(built(fixture("container-healthy--wrong-path")))
    assert path.status == "failed" and "HTTP Error 404" in path.message and "no page /health" in path.message


@pytest.mark.docker
@pytest.mark.parametrize(
    "name, said",
    [
        ("container-healthy--curl", 'exec: "curl": executable file not found'),
        ("container-healthy--wrong-port", "Connection refused"),
    ],
)
def test_a_failing_probe_is_known_at_once_not_after_the_engines_schedule(built, name, said):
    """With Docker's default 30 s interval and 3 retries the engine says unhealthy after ~100 s; the probe's own
    command, run as soon as the app answers, fails at once, and a failure needs no confirmation."""
    ctx = built(re.sub(r"HEALTHCHECK --interval=10s ", "HEALTHCHECK ", fixture(name)))
    assert lesson15.probe_of(ctx).interval == 30.0
    started = time.monotonic()
    result = lesson15.container_healthy(ctx)
    assert time.monotonic() - started < 25  # the app's start (a few seconds) and one run of the probe
    assert result.status == "failed" and said in result.message, result.message
    assert "when checks ran the probe's command in the container as soon as the app answered" in result.message


@pytest.mark.docker
def test_a_long_interval_with_a_start_period_is_probed_every_start_interval_on_engine_25_and_newer(built):
    """During --start-period, Engine 25+ (API 1.44) probes every --start-interval (5 s by default): healthy in
    seconds although --interval is 5 minutes; older engines probe one interval after the start."""
    solution = SOLUTION.replace(
        "--interval=10s --timeout=5s --start-period=10s", "--interval=5m --timeout=5s --start-period=30s"
    )
    assert "--interval=5m --timeout=5s --start-period=30s" in solution
    ctx = built(solution)
    result = lesson15.container_healthy(ctx)
    api = tuple(int(part) for part in ctx.engine.version()["ApiVersion"].split("."))
    if api >= (1, 44):
        assert result.status == "passed", result.message
    else:
        assert result.status == "failed" and "--interval=5 min" in result.message


@pytest.mark.docker
def test_container_healthy_catches_an_interval_that_leaves_it_starting(built):
    ctx = built(fixture("container-healthy--interval"))
    started = time.monotonic()
    result = lesson15.container_healthy(ctx)
    assert time.monotonic() - started < 20  # judged from the image's config, not by waiting 5 minutes
    assert result.status == "failed" and "--interval=5 min" in result.message and "(health: starting)" in result.message


# -- unhealthy-when-broken --------------------------------------------------------------------------------
@pytest.mark.docker
def test_unhealthy_when_broken_catches_a_probe_without_a_timeout(built):
    ctx = built(fixture("unhealthy-when-broken--no-timeout"))
    assert lesson15.container_healthy(ctx).status == "passed"  # it works while the app answers
    started = time.monotonic()
    result = lesson15.unhealthy_when_broken(ctx)
    assert time.monotonic() - started < 45  # not the 3 × 30 s the engine would take
    assert result.status == "failed" and "no timeout of its own" in result.message
    assert "--timeout=30 s (the default)" in result.message and "timeout=2" in result.hint


@pytest.mark.docker
def test_unhealthy_when_broken_catches_a_probe_that_never_fails(built):
    ctx = built(fixture("unhealthy-when-broken--exit-0"))
    result = lesson15.unhealthy_when_broken(ctx)
    assert result.status == "failed" and "exit status 0" in result.message and "`|| exit 0`" in result.message


# -- stop-fast --------------------------------------------------------------------------------------------
@pytest.mark.docker
def test_stop_fast_catches_a_shell_form_cmd_and_names_pid_1(built):
    ctx = built(fixture("stop-fast"))
    result = lesson15.stop_fast(ctx)
    run = lesson15.health_run(ctx)
    assert run.stop_seconds >= 9  # measured: the 10 s grace period, then the engine's SIGKILL
    assert result.status == "failed" and "PID 1 is `/bin/sh -c ./bin/run_dev.sh`" in result.message
    assert "exec form" in result.hint


@pytest.mark.docker
def test_stop_fast_catches_a_start_script_without_exec(built):
    folder = FIXTURES / "stop-fast--wrapper-without-exec"
    ctx = built((folder / "Dockerfile").read_text(encoding="utf-8"))
    script = ctx.workspace / "start.sh"
    script.write_bytes((folder / "start.sh").read_bytes())
    script.chmod(0o755)
    result = lesson15.stop_fast(ctx)
    assert result.status == "failed" and "PID 1 is `/bin/sh ./start.sh`" in result.message
    assert "exec uwsgi" in result.hint


# -- server-warnings --------------------------------------------------------------------------------------
@pytest.mark.docker
def test_server_warnings_names_a_uwsgi_built_without_pcre_also_without_a_healthcheck(built):
    """Lesson 14's image, the lesson's starter: no HEALTHCHECK, yet its log and its stop are measured."""
    ctx = built((LESSONS / "lesson14" / "solution" / "Dockerfile").read_text(encoding="utf-8"))
    result = lesson15.server_warnings(ctx)
    assert result.status == "warning" and "no internal routing support" in result.message
    assert "libpcre2-dev" in result.message and "running as root" not in result.message
    assert lesson15.health_run(ctx).status == "none"
    assert lesson15.stop_fast(ctx).status == "passed"
    with pytest.raises(Unavailable):
        lesson15.container_healthy(ctx)


@pytest.mark.docker
def test_unhealthy_when_broken_and_container_healthy_catch_not_other_correct_probes(built):
    """The shell form with `|| exit 1`, and a probe bounded by the engine's --timeout instead of its own."""
    shell_form = SOLUTION.replace(
        """CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4000/statz', timeout=2)"]""",
        """CMD python3 -c "import urllib.request as u; u.urlopen('http://localhost:4000/statz', timeout=2)" || exit 1""",
    )
    engine_bounded = SOLUTION.replace("--timeout=5s", "--timeout=3s").replace(", timeout=2)", ")")
    assert shell_form != SOLUTION and engine_bounded != SOLUTION
    for dockerfile in (shell_form, engine_bounded):
        ctx = built(dockerfile)
        assert lesson15.container_healthy(ctx).status == "passed"
        result = lesson15.unhealthy_when_broken(ctx)
        assert result.status == "passed", result.message


@pytest.mark.docker
def test_healthcheck_in_image_quotes_the_engine_refusing_a_duration_without_unit(workspace):
    run = grade_fixture("lesson15", workspace, "healthcheck-in-image--no-unit")
    message = run.check("healthcheck-in-image")["message"]
    assert run.status("healthcheck-in-image") == "failed"
    assert 'missing unit in duration "10"' in message and "`10s`" in message
