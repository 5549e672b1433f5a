"""BuildKit's build checks as the engine's own words for a mistake a check of the course found
(checks/buildchecks.py, Engine.build_checks): on an engine that runs them (Docker Engine 27 and newer with
buildx 0.15+), the check quotes the rule the learner's own `docker build` printed; on one that runs none
(Engine 20.10, Podman), the course's reasoning stands alone."""

from __future__ import annotations

import json

import pytest

from checks.buildchecks import RULES, BuildCheck, engine_says, from_check_json
from checks.catalogue import load
from checks.checkers import lesson2, lesson6, lesson7, lesson13

CHECK_OUTPUT = {  # the shape of `docker buildx build --call=check,format=json`, as buildx 0.29 prints it
    "warnings": [
        {
            "ruleName": "JSONArgsRecommended",
            "description": "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
            "url": "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
            "detail": "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
            "location": {"ranges": [{"start": {"line": 7}, "end": {"line": 7}}]},
        }
    ],
    "sources": [],
}


def test_the_check_output_gives_rule_detail_and_line():
    found = from_check_json(json.dumps(CHECK_OUTPUT))
    assert found == [
        BuildCheck(
            "JSONArgsRecommended",
            "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
            7,
        )
    ]


def test_output_that_is_not_the_check_s_gives_no_evidence():
    assert from_check_json("ERROR: unknown flag: --call") is None
    assert from_check_json("{not json") is None
    assert from_check_json('{"warnings": []}') == []


def test_the_engine_s_words_are_quoted_only_for_the_rule_on_that_line():
    warnings = from_check_json(json.dumps(CHECK_OUTPUT))
    assert "`JSONArgsRecommended: JSON arguments" in engine_says(warnings, "JSONArgsRecommended", 7)
    assert "(line 7)`" in engine_says(warnings, "JSONArgsRecommended", 7)
    assert engine_says(warnings, "JSONArgsRecommended", 8) == ""
    assert engine_says(warnings, "WorkdirRelativePath") == ""
    assert engine_says(None, "JSONArgsRecommended") == ""


def test_every_rule_belongs_to_a_lesson_and_its_check_exists():
    catalogue = load()
    for rule in RULES:
        lesson = catalogue.get(rule.lesson)
        assert lesson is not None, rule
        if rule.check:
            assert rule.check in {info.id for info in lesson.checks}, rule


# -- on the real engine ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine():
    from checks.engine import Engine

    return Engine.connect()


def runs_build_checks(engine) -> bool:
    """Docker Engine 27 and newer run BuildKit's build checks (Dockerfile frontend 1.8), through buildx."""
    if engine.is_podman or not engine.buildkit:
        return False
    return int(str(engine.version().get("Version", "0")).split(".")[0]) >= 27


@pytest.mark.docker
@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_rule_the_site_lists_is_what_the_engine_says_of_its_example(rule, engine):
    warnings = engine.build_checks(rule.example)
    if not runs_build_checks(engine):
        assert warnings is None, f"an engine without build checks gave {warnings}"
        return
    assert warnings is not None, "an engine that runs build checks gave none"
    assert rule.name in {warning.rule for warning in warnings}, warnings


@pytest.mark.docker
@pytest.mark.parametrize(
    "check, dockerfile, rule",
    [
        (lesson7.cmd_exec_form, "FROM python:3.13-slim\nCMD ./bin/run_dev.sh\n", "JSONArgsRecommended"),
        (lesson7.cmd_exec_form, "FROM python:3.13-slim\nCMD ['./bin/run_dev.sh']\n", "JSONArgsRecommended"),
        (
            lesson7.cmd_single,
            'FROM python:3.13-slim\nCMD ["python3"]\nCMD ["./bin/run_dev.sh"]\n',
            "MultipleInstructionsDisallowed",
        ),
        (lesson6.expose_syntax, "FROM python:3.13-slim\nEXPOSE 127.0.0.1:4000\n", "ExposeInvalidFormat"),
        (lesson2.workdir_absolute, "FROM python:3.13-slim\nWORKDIR usr/src/app\n", "WorkdirRelativePath"),
        (lesson2.workdir_variable, "FROM python:3.13-slim\nWORKDIR $HOME/app\n", "UndefinedVar"),
        (lesson13.stage_name_style, "FROM python:3.13-slim as build\nFROM python:3.13-slim\n", "FromAsCasing"),
        (lesson13.stage_name_style, "FROM python:3.13-slim AS Build\nFROM python:3.13-slim\n", "StageNameCasing"),
    ],
    ids=[
        "shell-form",
        "single-quotes",
        "two-cmds",
        "expose-address",
        "relative-workdir",
        "undefined-variable",
        "as-casing",
        "stage-casing",
    ],
)
def test_the_check_quotes_the_engine_s_rule_where_the_engine_gives_it(check, dockerfile, rule, built, engine):
    ctx = built(dockerfile)  # expose-syntax builds, to show the engine's refusal
    ctx.engine_in_use = True  # as when a lesson graded on the image runs it
    outcome = check(ctx)
    assert outcome.status in ("failed", "warning"), outcome
    if runs_build_checks(engine):
        assert f"Your `docker build` warns about it too: `{rule}: " in outcome.message, outcome.message
        assert f"(line {outcome.line})`" in outcome.message, outcome.message
    else:
        assert "warns about it too" not in outcome.message, outcome.message


def test_a_lesson_graded_on_the_dockerfile_alone_never_asks_the_engine(outcome):
    """Lessons 1 and 2 stay instant: the engine's words are added only in a run that uses the engine anyway."""
    result = outcome(lesson7.cmd_exec_form, "FROM python:3.13-slim\nCMD ./bin/run_dev.sh\n")
    assert result.status == "failed" and "warns about it too" not in result.message
