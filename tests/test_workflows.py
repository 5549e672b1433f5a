"""The GitHub workflows (.github/workflows/): they cannot run here, so they are held to the GitHub
workflow schema (check-jsonschema's vendored copy, offline) and to what they must do."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(workflow: dict) -> list[str]:
    return [step["uses"] for step in steps(workflow) if "uses" in step]


def runs(workflow: dict) -> str:
    return "\n".join(step["run"] for step in steps(workflow) if "run" in step)


def test_the_three_workflows_are_there():
    assert {path.name for path in FILES} == {"tests.yml", "site.yml", "release.yml"}


def test_workflows_match_the_github_workflow_schema_offline(tmp_path):
    checker = Path(sys.executable).parent / "check-jsonschema"
    # no network: any attempt to fetch a schema would fail through this proxy
    env = {
        **os.environ,
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    run = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok" in run.stdout


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    step:\n      - run: make test\n")
    checker = Path(sys.executable).parent / "check-jsonschema"
    run = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("name", [path.name for path in FILES])
def test_workflows_call_the_makefile_like_ci(name):
    called = re.findall(r"\bmake ([a-z][\w-]*)", runs(load(name)))
    assert called, f"{name} calls no make target"
    assert set(called) <= make_targets(), f"{name} calls make targets the Makefile lacks: {called}"


def test_tests_run_on_push_and_pull_request_as_ci_does():
    workflow = load("tests.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in runs(workflow)
    test_job = workflow["jobs"]["test"]
    assert test_job["env"]["REQUIRE_DOCKER"] == "1" and test_job["env"]["REQUIRE_BROWSER"] == "1"


def test_site_is_built_strict_and_deployed_to_pages():
    workflow = load("site.yml")
    assert "make site" in runs(workflow)
    assert re.search(r"^site:.*\n\t.*mkdocs build --strict", (ROOT / "Makefile").read_text(), re.M)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses(workflow))
    assert any(u.startswith("actions/deploy-pages@") for u in uses(workflow))
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"


def test_release_publishes_to_pypi_by_trusted_publishing():
    workflow = load("release.yml")
    assert "make dist" in runs(workflow)
    publish = next(
        job
        for job in workflow["jobs"].values()
        if any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in job["steps"])
    )
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    # trusted publishing: no API token is passed
    assert "password" not in str(publish) and "secrets." not in str(publish)
