"""Lesson 15's sentences on when the engine probes, measured with busybox and `docker run --health-*`
(the same settings HEALTHCHECK writes into an image):

- the first probe runs one `--interval` after the start;
- during `--start-period`, Engine 25 and newer probe every `--start-interval` (5 s by default) instead,
  while Engine 20.10 waits the whole interval;
- `docker inspect` keeps the last five probes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from learner_engine import docker, wait_until
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson15.md"
DEFAULT_START_INTERVAL = 5  # seconds: the Dockerfile reference's default for --start-interval (Engine 25+)


def moment(stamp: str) -> datetime:
    """An engine timestamp (RFC 3339 with up to nine decimals) as a datetime."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", stamp).replace("Z", "+00:00"))


def engine_major() -> int:
    return int(docker("version", "--format", "{{.Server.Version}}").stdout.strip().split(".")[0])


def first_probe_after(containers, *health: str) -> float:
    """Seconds from the container's start to its first probe."""
    name = containers.run(f"--health-cmd true {' '.join(health)} busybox sleep 120")

    def first_probe():
        state = json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout)
        log = (state.get("Health") or {}).get("Log") or []
        return (moment(log[0]["Start"]) - moment(state["StartedAt"])).total_seconds() if log else None

    return wait_until(first_probe, 60, "the first probe")


def page_says(words: str) -> bool:
    return " ".join(words.split()) in " ".join(PAGE.read_text(encoding="utf-8").split())


def test_the_first_probe_runs_one_interval_after_the_start(containers):
    assert page_says("the first probe runs one interval after the start")
    assert 7.5 <= first_probe_after(containers, "--health-interval 8s") <= 10


def test_during_the_start_period_the_engine_probes_every_start_interval(containers):
    assert page_says(
        "During `--start-period`, Engine 25 and newer probe every `--start-interval` instead, 5 s by default"
    )
    seconds = first_probe_after(containers, "--health-interval 8s --health-start-period 30s")
    if engine_major() >= 25:
        assert DEFAULT_START_INTERVAL - 0.5 <= seconds <= DEFAULT_START_INTERVAL + 2, seconds
    else:  # Engine 20.10 has no start interval
        assert 7.5 <= seconds <= 10, seconds


def test_inspect_keeps_the_last_five_probes(containers):
    assert page_says("shows the last five probes")
    name = containers.run("--health-cmd true --health-interval 1s busybox sleep 120")

    def probes():
        log = json.loads(docker("inspect", "--format", "{{json .State.Health.Log}}", name).stdout) or []
        return log if len(log) >= 5 else None

    first = wait_until(probes, 30, "five probes")
    wait_until(lambda: probes()[0]["Start"] != first[0]["Start"], 10, "a sixth probe")
    assert len(probes()) == 5
