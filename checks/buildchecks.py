"""BuildKit's build checks (Dockerfile frontend 1.8+, Docker Engine 27+ with buildx 0.15+): the warnings a
learner's own `docker build` prints, read as the engine's words for a mistake a check of the course found.

`docker build` prints them in its output (`#1 WARN: JSONArgsRecommended: … (line 3)`) and after it
(`1 warning found …`); checks asks for them without building, with `docker buildx build
--call=check,format=json` (Engine.build_checks), once per run and only when a check found a mistake that
a rule is about. An engine without build checks (Engine 20.10's BuildKit, the classic builder, Podman's
Buildah) gives none, and the course's own reasoning then stands alone.

RULES is the one list of the rules a learner may meet in these lessons: the checks that quote them, and
the site's page "BuildKit's build checks" (checks/site/) read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class BuildCheck:
    """One warning of the engine's build checks: the rule, the engine's own words, the Dockerfile line."""

    rule: str  # JSONArgsRecommended
    detail: str  # JSON arguments recommended for CMD to prevent unintended behavior related to OS signals
    line: int | None

    def quoted(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"`{self.rule}: {self.detail}{where}`"


@dataclass(frozen=True)
class Rule:
    name: str
    lesson: str  # where the course teaches the step the rule is about
    check: str | None  # the check that finds the same mistake and quotes the rule, if any
    example: str  # a small Dockerfile that makes the engine warn
    meaning: str  # what the rule means in these lessons


RULES: tuple[Rule, ...] = (
    Rule(
        "ConsistentInstructionCasing",
        "lesson1",
        None,
        "from python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\n",
        "Instructions are written in mixed case. Docker accepts any case; the lessons write them in capitals.",
    ),
    Rule(
        "WorkdirRelativePath",
        "lesson2",
        "workdir-absolute",
        "FROM python:3.13-slim\nWORKDIR app\n",
        "WORKDIR names a relative folder, which lands wherever the base image's own WORKDIR happens to be. "
        "Write an absolute path: `WORKDIR /usr/src/app`.",
    ),
    Rule(
        "UndefinedVar",
        "lesson2",
        "workdir-variable",
        "FROM python:3.13-slim\nWORKDIR $HOME/app\n",
        "A `$NAME` that no ENV or ARG before it, nor the base image, defines: a shell's variable such as "
        "`$HOME`, or a typo. It expands to nothing.",
    ),
    Rule(
        "ExposeInvalidFormat",
        "lesson6",
        "expose-syntax",
        "FROM python:3.13-slim\nEXPOSE 127.0.0.1:4000\n",
        "EXPOSE was given an address or a host port, as `docker run -p` takes them. EXPOSE names only the "
        "container's port (`EXPOSE 4000`); publishing is `docker run -p` (lesson 9).",
    ),
    Rule(
        "ExposeProtoCasing",
        "lesson6",
        None,
        "FROM python:3.13-slim\nEXPOSE 4000/TCP\n",
        "The protocol is written in capitals. Docker accepts it and so does `expose-protocol`; the engine "
        "prefers `4000/tcp`, or plain `4000`, which means the same.",
    ),
    Rule(
        "JSONArgsRecommended",
        "lesson7",
        "cmd-exec-form",
        "FROM python:3.13-slim\nCMD ./bin/run_dev.sh\n",
        "CMD is in shell form, so `/bin/sh -c` is PID 1 and `docker stop`'s signal may never reach the app. "
        'Write the exec form, a JSON array: `CMD ["./bin/run_dev.sh"]`.',
    ),
    Rule(
        "MultipleInstructionsDisallowed",
        "lesson7",
        "cmd-single",
        'FROM python:3.13-slim\nCMD ["python3"]\nCMD ["./bin/run_dev.sh"]\n',
        "Only the last CMD (or ENTRYPOINT, HEALTHCHECK) of a stage takes effect: the others are dead lines. Keep one.",
    ),
    Rule(
        "LegacyKeyValueFormat",
        "lesson13",
        None,
        "FROM python:3.13-slim\nENV PATH /opt/venv/bin:$PATH\n",
        "`ENV name value` is the old form, which allows only one variable per line. Write `ENV name=value`.",
    ),
    Rule(
        "FromAsCasing",
        "lesson13",
        "stage-name-style",
        "FROM python:3.13-slim as build\n",
        "`AS` is not written in the same case as `FROM`. Docker accepts it; write `FROM … AS build`.",
    ),
    Rule(
        "StageNameCasing",
        "lesson13",
        "stage-name-style",
        "FROM python:3.13-slim AS Build\n",
        "A stage name has capitals. Docker lowercases it and `COPY --from=Build` still finds it, but a "
        "lowercase name (`build`) reads the same everywhere.",
    ),
)

RULE_NAMES = frozenset(rule.name for rule in RULES)


def from_check_json(text: str) -> list[BuildCheck] | None:
    """The warnings of `docker buildx build --call=check,format=json`; None when the output is not that."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        document = json.loads(text[start:])
    except json.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None
    found = []
    for warning in document.get("warnings") or []:
        ranges = ((warning.get("location") or {}).get("ranges")) or [{}]
        line = (ranges[0].get("start") or {}).get("line")
        found.append(BuildCheck(str(warning.get("ruleName")), str(warning.get("detail", "")), line))
    return found


def engine_says(warnings: list[BuildCheck] | None, rule: str, line: int | None = None) -> str:
    """A sentence quoting the engine's own warning for `rule` (on `line`, when given), or "" when it gave none."""
    for warning in warnings or []:
        if warning.rule == rule and (line is None or warning.line in (None, line)):
            return f" Your `docker build` warns about it too: {warning.quoted()}."
    return ""
