"""The CHECKS_* environment variables: one table (checks/settings.py) reads them, validates them and
writes the reference page's table (issue 20)."""

from __future__ import annotations

import re

import pytest

from checks import settings
from checks.site.reference import settings_table
from support import ROOT, run_checks

READ = re.compile(r"\bCHECKS_[A-Z_]+\b")


def test_every_variable_the_code_names_is_in_the_table():
    named = set()
    for path in (ROOT / "checks").rglob("*.py"):
        named |= set(READ.findall(path.read_text(encoding="utf-8")))
    assert named - set(settings.BY_NAME) == set()
    assert "CHECKS_START_TIMEOUT" in settings.BY_NAME  # undocumented before the table


def test_only_the_table_reads_the_environment_for_them():
    readers = []
    for path in (ROOT / "checks").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"environ\b|getenv", line) and "CHECKS_" in line and path.name != "settings.py":
                readers.append(f"{path.relative_to(ROOT)}:{number}")
    assert readers == []


def test_the_reference_page_lists_each_with_its_default_and_meaning():
    table = settings_table(None, "reference.md")
    for setting in settings.SETTINGS:
        row = next(line for line in table.splitlines() if f"`{setting.name}`" in line)
        assert setting.meaning in row
        assert (f"`{setting.default}`" if setting.default else "(none)") in row
    assert "generated/reference/settings.md" in (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")


def test_values_defaults_and_the_environment_at_the_time_of_asking(monkeypatch):
    monkeypatch.delenv("CHECKS_START_TIMEOUT", raising=False)
    assert settings.value("CHECKS_START_TIMEOUT") == 30.0
    monkeypatch.setenv("CHECKS_START_TIMEOUT", "120")
    assert settings.value("CHECKS_START_TIMEOUT") == 120.0
    monkeypatch.setenv("CHECKS_NO_CACHE", "1")
    assert settings.value("CHECKS_NO_CACHE") is True
    monkeypatch.setenv("CHECKS_NO_CACHE", "")
    assert settings.value("CHECKS_NO_CACHE") is False
    monkeypatch.setenv("CHECKS_STEP_SILENCE", "700")
    monkeypatch.delenv("CHECKS_STEP_SILENCE_BUSY", raising=False)
    from checks.buildlog import busy_silence

    assert busy_silence() == 700  # never less than CHECKS_STEP_SILENCE


@pytest.mark.parametrize(
    "name, raw, said",
    [
        ("CHECKS_BUILD_TIMEOUT", "soon", "CHECKS_BUILD_TIMEOUT='soon' is not a number of seconds"),
        ("CHECKS_STEP_SILENCE", "-5", "CHECKS_STEP_SILENCE='-5' is not a number of seconds"),
        ("CHECKS_NO_CACHE", "maybe", "CHECKS_NO_CACHE='maybe' means nothing: write 1 or 0"),
    ],
)
def test_a_value_that_means_nothing_is_a_usage_error(monkeypatch, workspace, name, raw, said):
    monkeypatch.setenv(name, raw)
    run = run_checks("lesson1", cwd=workspace("FROM python:3.13-slim\n"))
    assert run.code == 2
    assert run.err.startswith("Error: ") and said in run.err
    assert "Traceback" not in run.err
