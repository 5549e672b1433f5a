"""Lesson 13 (multi-stage build): catches / catches-not cases for each check, on a real engine.

Every case shares the reference solution's build stage (BuildKit's cache), so only the final stages
differ. The app still answering is lesson 7's check, run first by `checks lesson13`; the catalogue
test proves it on the reference solution.
"""

from __future__ import annotations

import pytest

from checks.checkers import lesson13
from support import LESSONS, ROOT, catches, catches_not, grade_fixture

SOLUTION = (LESSONS / "lesson13" / "solution" / "Dockerfile").read_text(encoding="utf-8")
FIXTURES = ROOT / "tests" / "lessons" / "lesson13" / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.Dockerfile").read_text(encoding="utf-8")


def test_human_sizes():
    assert lesson13.human(134_900_000) == "134.9 MB"


# -- final-stage-config: the Dockerfile only ---------------------------------------------------------
def test_final_stage_config_catches_a_cmd_left_in_the_build_stage():
    catches("final-stage-config", fixture("final-stage-config"), says=["stage `build`", "python3"], line=11)


@pytest.mark.docker  # the PATH the final image really has is read from the image
def test_final_stage_config_catches_not_the_solution_or_an_entrypoint():
    catches_not("final-stage-config", SOLUTION)
    catches_not("final-stage-config", SOLUTION.replace('CMD ["./bin/run_dev.sh"]', 'ENTRYPOINT ["./bin/run_dev.sh"]'))


# -- stage-name-style: the Dockerfile only (the engine's own words: tests/test_build_checks.py) ----------
def test_stage_name_style_catches_as_in_another_case_than_from():
    catches(
        "stage-name-style",
        SOLUTION.replace(" AS build", " as build"),
        says=["expected `FROM python:3.13-slim AS build`", "found `as`"],
        line=2,
        status="warning",
    )
    catches(
        "stage-name-style",
        SOLUTION.replace("FROM python:3.13-slim AS build", "from python:3.13-slim AS build"),
        says="found `AS`",
        status="warning",
    )


def test_stage_name_style_catches_a_stage_name_with_capitals():
    dockerfile = SOLUTION.replace(" AS build", " AS Build").replace("--from=build", "--from=Build")
    catches("stage-name-style", dockerfile, says=["lowercase stage name", "found `Build`"], line=2, status="warning")


def test_stage_name_style_catches_not_the_solution_or_lowercase_from_as():
    catches_not("stage-name-style", SOLUTION)
    lower = SOLUTION.replace("FROM python:3.13-slim AS build", "from python:3.13-slim as build")
    catches_not("stage-name-style", lower)


# -- on a real engine --------------------------------------------------------------------------------
@pytest.mark.docker
def test_compiler_not_in_final_and_image_smaller_catch_not_the_solution(built):
    ctx = built(SOLUTION)
    assert lesson13.compiler_not_in_final(ctx).status == "passed"
    result = lesson13.image_smaller(ctx)
    assert result.status == "passed" and "before: the build stage" in result.message
    final = ctx.engine.client.api.inspect_image(ctx.build.image)["Size"]
    build = ctx.engine.client.api.inspect_image(ctx.image_until(9))["Size"]
    assert final < build / 2  # measured: the compiler, its headers and apt's lists stay behind
    assert lesson13.venv_copied_from_build(ctx).status == "passed"


@pytest.mark.docker
def test_compiler_not_in_final_catches_a_final_stage_from_build(built):
    ctx = built(fixture("compiler-not-in-final--from-build"))
    result = lesson13.compiler_not_in_final(ctx)
    assert result.status == "failed" and "/usr/bin/gcc" in result.message and "`FROM build`" in result.message
    assert lesson13.image_smaller(ctx).status == "failed"


@pytest.mark.docker
def test_venv_copied_from_build_catches_a_wrong_path_and_names_the_right_one(built):
    ctx = built(fixture("venv-copied-from-build"))
    result = lesson13.venv_copied_from_build(ctx)
    assert result.status == "failed" and result.line == 13
    assert "/venv" in result.message and "`COPY --from=build /opt/venv /opt/venv`" in result.message


@pytest.mark.docker
def test_image_smaller_catches_a_purge_in_one_stage(built):
    ctx = built(fixture("image-smaller--purge"))
    result = lesson13.image_smaller(ctx)
    assert result.status == "failed" and result.line == 8 and "layer of line 5" in result.message
    assert lesson13.compiler_not_in_final(ctx).status == "passed"  # gcc is gone, and the image is as big


def test_lessons_4_and_5_read_the_stage_that_installs_the_dependencies():
    """Lessons 4 and 5 look for gcc and pip where pip runs: the build stage here, the only stage before lesson 13."""
    from checks.dockerfile import parse
    from checks.stages import dependency_instructions, dependency_stage

    assert dependency_stage(parse(SOLUTION)) == 0
    assert [i.keyword for i in dependency_instructions(parse(SOLUTION))][:3] == ["WORKDIR", "RUN", "RUN"]
    single = (LESSONS / "lesson12" / "solution" / "Dockerfile").read_text(encoding="utf-8")
    assert dependency_stage(parse(single)) == 0 == parse(single).final_stage.index
    wheels = (
        "FROM python:3.13-slim AS build\nRUN pip wheel -w /wheels flask\n"
        "FROM python:3.13-slim\nCOPY --from=build /wheels /wheels\nRUN pip install /wheels/*\n"
    )
    assert dependency_stage(parse(wheels)) == 1  # the final stage installs too: it is the one to grade


@pytest.mark.docker
def test_final_stage_config_names_the_missing_env_path(workspace):
    run = grade_fixture("lesson13", workspace, "final-stage-config--no-path")
    message = run.check("final-stage-config")["message"]
    assert run.status("final-stage-config") == "failed"
    assert "/opt/venv/bin/uwsgi" in message and "`ENV PATH=/opt/venv/bin:$PATH`" in message
    # lesson 5's check sees it too, names the same line, and the verdict sends the learner to lesson 13's step
    assert run.status("pip-dependencies-import") == "failed"
    assert "ENV PATH=/opt/venv/bin:$PATH" in run.check("pip-dependencies-import")["message"]


@pytest.mark.docker
def test_venv_copied_from_build_names_pip_installing_into_the_system(workspace):
    run = grade_fixture("lesson13", workspace, "venv-copied-from-build--system-pip")
    message = run.check("venv-copied-from-build")["message"]
    assert run.status("venv-copied-from-build") == "failed"
    assert "/usr/local/bin/uwsgi" in message and "system's Python" in message and "ENV PATH=/opt/venv/bin" in message
