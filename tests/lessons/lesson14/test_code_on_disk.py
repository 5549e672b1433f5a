"""Lesson 14's sentence on an app that may rewrite its own code, measured with the learner's image (the
lesson 7 image, which runs as root and so can write its files):

- uWSGI loads the app once, in its master, and forks its workers from it: a worker that dies is
  replaced by one that still runs the code the master loaded, whatever the file says now;
- `docker restart` keeps the container's changed files, and the app starts with the rewritten code.
"""

from __future__ import annotations

import re

import pytest

from learner_engine import ASK_APP, WORKERS, docker, wait_for_workers, wait_until
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson14.md"


def version(name: str) -> str | None:
    run = docker("exec", name, "python", "-c", ASK_APP, check=False)
    found = re.search(r'"version":\s*"([^"]+)"', run.stdout)
    return found.group(1) if found else None


def log(name: str) -> str:
    return docker("logs", name).stdout + docker("logs", name).stderr


def test_a_rewritten_file_runs_after_a_restart_not_in_a_new_worker(learner_image, containers):
    words = "uWSGI loads the app once, in its master, and forks its workers from it"
    assert words in " ".join(PAGE.read_text(encoding="utf-8").split())
    name = containers.run(learner_image)
    wait_for_workers(name)
    assert wait_until(lambda: version(name), 30, "the app to answer") == "0.0.1"
    # what an attacker with write access to the code would do: change a file of the app
    docker("exec", name, "sed", "-i", 's/"0.0.1"/"6.6.6"/', "together/__init__.py")

    workers = docker("exec", name, "python", "-c", WORKERS).stdout.split()
    assert len(workers) == 2, workers  # bin/run_dev.sh: --processes 2
    docker("exec", name, "sh", "-c", f"kill -KILL {' '.join(workers)}")
    wait_until(lambda: log(name).count("Respawned uWSGI worker") >= 2, 30, "two new workers")
    assert {version(name) for _ in range(6)} == {"0.0.1"}  # the new workers run the master's code

    docker("restart", name)
    started = re.compile(r"^spawned uWSGI worker 2 ", re.MULTILINE)  # not "Respawned …"
    wait_until(lambda: len(started.findall(log(name))) >= 2, 30, "the app to start again")
    assert wait_until(lambda: version(name), 30, "the app to answer") == "6.6.6"
