"""bench/accuracy.py without an engine: reading corpus headers, classifying verdicts, bad input."""

from __future__ import annotations

import re
import sys

import pytest

from support import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import accuracy  # noqa: E402

MISTAKE = "# source: https://example.org/q/1\n# lesson: lesson4\n# expect: apt-yes\nFROM python:3.13-slim\n"
CORRECT = "# lesson: lesson7\nFROM python:3.13-slim\n"


def corpus(tmp_path, mistakes=(), correct=()):
    for folder, files in (("mistakes", mistakes), ("correct", correct)):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        for name, text in files:
            (tmp_path / folder / name).write_text(text)
    return tmp_path


def verdict(kind="mistake", expect="apt-yes", **fields) -> accuracy.Verdict:
    return accuracy.Verdict(
        f"{kind}/x.Dockerfile", kind, "lesson4", expect if kind == "mistake" else None, 1.0, **fields
    )


def test_headers_are_read(tmp_path):
    cases = accuracy.load_corpus(corpus(tmp_path, [("001-a.Dockerfile", MISTAKE)], [("001-b.Dockerfile", CORRECT)]))
    assert [(c.kind, c.lesson, c.expect, c.sources) for c in cases] == [
        ("mistake", "lesson4", "apt-yes", ["https://example.org/q/1"]),
        ("correct", "lesson7", None, []),
    ]


@pytest.mark.parametrize(
    "kind, text",
    [
        ("mistakes", "# lesson: lesson4\n# expect: apt-yes\nFROM python:3.13-slim\n"),  # no source
        ("mistakes", "# source: https://example.org\n# lesson: lesson4\nFROM python:3.13-slim\n"),  # no expect
        ("correct", "FROM python:3.13-slim\n"),  # no lesson
        ("correct", CORRECT + "# expect: apt-yes\n"),  # a correct file expects nothing
    ],
)
def test_a_file_without_the_headers_it_needs_is_refused(tmp_path, kind, text, capsys):
    files = {"mistakes": (), "correct": ()}
    files[kind] = [("001-x.Dockerfile", text)]
    root = corpus(tmp_path, files["mistakes"], files["correct"])
    with pytest.raises(accuracy.CorpusError):
        accuracy.load_corpus(root)
    assert accuracy.main(["--corpus", str(root)]) == 2
    assert capsys.readouterr().err.startswith("Error: ")


def test_classification():
    named = verdict(passed=False, reported={"apt-yes": "failed"})
    other_check = verdict(passed=False, reported={"apt-update": "failed"})
    warned_only = verdict(passed=True, reported={"apt-yes": "warning"})
    missed = verdict(passed=True)
    hang = verdict(hang=True)
    assert (named.detected, named.named, named.ok) == (True, True, True)
    assert (other_check.detected, other_check.named, other_check.ok) == (True, False, False)
    assert (warned_only.detected, warned_only.warned_only, warned_only.named) == (True, True, True)
    assert (missed.detected, missed.named) == (False, False)
    assert (hang.detected, hang.ok) == (False, False)
    clean = verdict("correct", passed=True)
    alarm = verdict("correct", passed=True, reported={"apt-lists-removed": "warning"})
    assert (clean.false_alarm, clean.ok, alarm.false_alarm, alarm.ok) == (False, True, True, False)


def test_figures_and_targets():
    mistakes = [verdict(passed=False, reported={"apt-yes": "failed"}) for _ in range(39)]
    assert accuracy.summarise(mistakes + [verdict(passed=False, reported={"apt-update": "failed"})])[
        "targets_hold"
    ]  # 97.5 %
    assert not accuracy.summarise(mistakes[:19] + [verdict(passed=False, reported={"apt-update": "failed"})])[
        "targets_hold"
    ]  # 95 %: fewer than 97 % named
    assert not accuracy.summarise(mistakes + [verdict(passed=True)])["targets_hold"]  # one undetected
    assert not accuracy.summarise(mistakes + [verdict("correct", passed=True, reported={"x": "warning"})])[
        "targets_hold"
    ]
    assert not accuracy.summarise(mistakes + [verdict("correct", hang=True)])["targets_hold"]
    text = accuracy.report(mistakes + [verdict(passed=True)], 12.0)
    assert re.search(r"^detected\s+39 / 40\s+97\.5 %", text, re.MULTILINE)
    assert "mistake/x.Dockerfile" in text and "passed; no failure or warning" in text
    assert text.endswith("targets do NOT hold")
