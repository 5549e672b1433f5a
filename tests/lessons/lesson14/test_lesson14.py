"""Lesson 14 (a user that is not root): catches / catches-not cases for each check, on a real engine.

Every case shares the reference solution's build stage (BuildKit's cache), so only the final stages
differ. The app still answering is lesson 7's check, run first by `checks lesson14`; the catalogue
test proves it on the reference solution.
"""

from __future__ import annotations

import re

import pytest

from checks.checkers import lesson4, lesson7, lesson14
from checks.checkers.lesson7 import likely_cause
from checks.context import Unavailable
from scripts.regen_samples import assert_sample
from support import LESSONS, ROOT, grade_fixture

SOLUTION = (LESSONS / "lesson14" / "solution" / "Dockerfile").read_text(encoding="utf-8")
FIXTURES = ROOT / "tests" / "lessons" / "lesson14" / "fixtures"
USER_LINE = "RUN useradd --system --no-create-home --shell /usr/sbin/nologin together\n"


def logged(text: str) -> str:
    """uWSGI's log compared by the lines the page talks about (the start, the workers, anything about root),
    numbers aside: the rest names this machine's kernel, limits and build date."""
    wanted = re.compile(r"^(\$ |together:|uwsgi socket|spawned uWSGI|WSGI app|\*\*\* Operational)|root")
    # sorted: `docker logs` interleaves the script's stdout with uWSGI's stderr in any order
    return "\n".join(sorted(re.sub(r"0x[0-9a-f]+|\d+", "N", line) for line in text.splitlines() if wanted.search(line)))


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.Dockerfile").read_text(encoding="utf-8")


def with_user(user_line: str, create: str = USER_LINE) -> str:
    """The solution with another way of creating the user and of naming it in USER."""
    return SOLUTION.replace(USER_LINE, create).replace("USER together\n", user_line)


# -- the Dockerfile only -----------------------------------------------------------------------------
def test_created_users_reads_useradd_and_adduser(context):
    ctx = context(
        "FROM python:3.13-slim\nRUN groupadd -r app && useradd -r -g app app\n"
        "RUN adduser --system --group --no-create-home web; true\n"
    )
    assert [name for name, _ in lesson14.created_users(ctx)] == ["app", "web"]


def test_is_root_reads_every_way_of_writing_root():
    assert all(lesson14.is_root(u) for u in ("", "root", "0", "0:0", "root:root"))
    assert not any(lesson14.is_root(u) for u in ("together", "10001", "nobody", "together:together"))


# -- build-steps-as-root -----------------------------------------------------------------------------
@pytest.mark.docker
def test_build_steps_as_root_catches_user_before_apt_get(built):
    ctx = built(fixture("build-steps-as-root"))
    result = lesson14.build_steps_as_root(ctx)
    assert result.status == "failed" and result.line == 6
    assert "line 7" in result.message and "Permission denied" in result.message
    with pytest.raises(Unavailable, match="build-steps-as-root"):  # one failure per cause: not lesson 4's
        lesson4.gcc_installed(ctx)


@pytest.mark.docker
def test_build_steps_as_root_catches_user_before_useradd(built):
    ctx = built(SOLUTION.replace(USER_LINE, "USER together\n" + USER_LINE, 1))
    result = lesson14.build_steps_as_root(ctx)
    assert result.status == "failed" and result.line == 12
    assert "`together`" in result.message and "line 13" in result.message and "before USER" in result.hint


# -- the solution, and every other correct way ---------------------------------------------------------
@pytest.mark.docker
def test_runs_as_non_root_catches_not_the_solution_and_its_checks_all_pass(built):
    ctx = built(SOLUTION)
    for check in (
        lesson14.build_steps_as_root,
        lesson14.user_exists,
        lesson14.runs_as_non_root,
        lesson14.app_files_readable,
        lesson14.app_cannot_write,
    ):
        assert check(ctx).status == "passed", check.check_id
    seen = lesson14.running(ctx)
    assert [p.name for p in seen.processes] == ["uwsgi"] * 3  # the master, PID 1, and its two workers
    assert all(p.uid != 0 for p in seen.processes) and seen.processes[0].pid == 1
    assert "running uWSGI as root" not in seen.logs and "spawned uWSGI worker 2" in seen.logs
    assert_sample("lesson14-logs", "docker logs together", seen.logs, loosely=logged)
    probe = lesson14.file_probe(ctx)
    assert set(probe.roots) == {"/usr/src/app", "/opt/venv"} and not probe.created()


@pytest.mark.docker
@pytest.mark.parametrize(
    "user, create",
    [
        ("USER 10001\n", ""),  # a number needs no passwd entry
        ("USER together:together\n", "RUN groupadd --system together && useradd --system --gid together together\n"),
        ("USER nobody\n", ""),  # Debian's nobody, uid 65534, owns none of the app's files
        ("USER 10001:10001\n", "RUN useradd --system --uid 10001 --user-group together\n"),
    ],
    ids=["numeric", "user-and-group", "nobody", "uid-and-gid"],
)
def test_runs_as_non_root_and_user_exists_catch_not_other_correct_ways(built, user, create):
    ctx = built(with_user(user, create))
    for check in (
        lesson14.user_exists,
        lesson14.runs_as_non_root,
        lesson14.app_files_readable,
        lesson14.app_cannot_write,
    ):
        result = check(ctx)
        assert result.status == "passed", (check.check_id, result.message)


# -- user-exists ----------------------------------------------------------------------------------
@pytest.mark.docker
def test_user_exists_catches_another_name(built):
    ctx = built(fixture("user-exists"))
    result = lesson14.user_exists(ctx)
    assert (
        result.status == "failed"
        and result.line == 18
        and result.hint == "Write `USER together`, the user line 13 creates."
    )
    assert "`app`" in result.message and "creates `together`" in result.message
    with pytest.raises(Unavailable, match="see user-exists"):  # one failure per cause: lesson 7 points here
        lesson7.container_starts(ctx)
    with pytest.raises(Unavailable, match="user-exists"):
        lesson14.runs_as_non_root(ctx)


@pytest.mark.docker
def test_user_exists_catches_a_user_made_in_the_build_stage(built):
    ctx = built(fixture("user-exists--build-stage"))
    result = lesson14.user_exists(ctx)
    assert result.status == "failed" and "stage `build`" in result.message and "line 10" in result.message
    assert "into the final stage" in result.hint


@pytest.mark.docker
def test_user_exists_catches_a_missing_group(built):
    ctx = built(with_user("USER together:app\n"))
    result = lesson14.user_exists(ctx)
    assert result.status == "failed" and "group `app`" in result.message and "/etc/group" in result.message


# -- runs-as-non-root -------------------------------------------------------------------------------
@pytest.mark.docker
def test_runs_as_non_root_catches_user_in_the_build_stage_only(built):
    ctx = built(fixture("runs-as-non-root"))
    result = lesson14.runs_as_non_root(ctx)
    assert result.status == "failed" and result.line == 11
    assert "PID 1" in result.message and "stage `build`" in result.message
    assert "running uWSGI as root" in lesson14.running(ctx).logs  # lesson 9's warning, back again
    with pytest.raises(Unavailable, match="runs-as-non-root"):
        lesson14.app_cannot_write(ctx)


@pytest.mark.docker
def test_runs_as_non_root_catches_a_switch_back_to_root(built):
    ctx = built(SOLUTION.replace("USER together\n", "USER together\nUSER root\n"))
    result = lesson14.runs_as_non_root(ctx)
    assert result.status == "failed" and result.line == 18 and "switches back to root" in result.message


# -- app-files-readable ---------------------------------------------------------------------------
@pytest.mark.docker
def test_app_files_readable_catches_chmod_700(built):
    ctx = built(fixture("app-files-readable"))
    result = lesson14.app_files_readable(ctx)
    assert result.status == "failed" and result.line == 18
    assert "/usr/src/app (mode 700, owner uid 0)" in result.message and "chmod -R 700" in result.message
    with pytest.raises(Unavailable, match="see app-files-readable"):  # not "the script is not executable"
        lesson7.container_starts(ctx)


@pytest.mark.docker
def test_app_files_readable_catches_copy_chmod(built):
    ctx = built(SOLUTION.replace("COPY . .", "COPY --chmod=700 . ."))
    result = lesson14.app_files_readable(ctx)
    assert result.status == "failed" and result.line == 16 and "`--chmod=700`" in result.message


# -- app-cannot-write -----------------------------------------------------------------------------
@pytest.mark.docker
def test_app_cannot_write_catches_copy_chown(built):
    ctx = built(fixture("app-cannot-write"))
    result = lesson14.app_cannot_write(ctx)
    assert result.status == "failed" and result.line == 17
    assert "/usr/src/app/together" in result.message and "--chown=together:together" in result.message
    assert lesson14.app_files_readable(ctx).status == "passed"


@pytest.mark.docker
def test_app_cannot_write_catches_a_chown_of_the_virtualenv(built):
    ctx = built(SOLUTION.replace("USER together\n", "RUN chown -R together /opt/venv\nUSER together\n"))
    result = lesson14.app_cannot_write(ctx)
    assert result.status == "failed" and result.line == 17 and "/opt/venv" in result.message


# -- ports below 1024: measured, not assumed ----------------------------------------------------------
@pytest.mark.docker
def test_a_user_binds_port_80_where_the_engine_allows_it_and_is_named_where_not(built):
    """Docker 20.10 and later set net.ipv4.ip_unprivileged_port_start to 0 in a container's network namespace:
    the user binds port 80. Where it is 1024 (`--sysctl`, host networking, older engines) uWSGI cannot, and
    lesson 7's container-starts names that cause from the real log."""
    port_80 = SOLUTION.replace("EXPOSE 4000", "ENV PORT=80\nEXPOSE 80")
    ctx = built(port_80)
    seen = lesson14.running(ctx)
    version = tuple(int(part) for part in ctx.engine.version()["Version"].split(".")[:2])
    if version >= (20, 10):
        assert seen.port_start == 0 and seen.processes and all(p.uid != 0 for p in seen.processes)
    denied = built(port_80)
    refused = lesson14.running(denied, sysctls={"net.ipv4.ip_unprivileged_port_start": "1024"})
    assert refused.exited and "bind(): Permission denied" in refused.logs
    assert "below 1024" in likely_cause(refused.logs)


@pytest.mark.docker
def test_user_exists_names_adduser_missing_from_the_slim_image(workspace):
    run = grade_fixture("lesson14", workspace, "user-exists--adduser")
    message = run.check("user-exists")["message"]
    assert run.status("user-exists") == "failed"
    assert "`adduser: not found`" in message and "`useradd`" in message
    # every check that needs the image says which step stops the build, in the build's own words
    assert "adduser: not found" in run.check("copy-whole-app")["message"]
