"""The sample `checks` output on the lesson pages is what `checks` prints now.

docs/samples/lessonN-{pass,fail}.txt are written by scripts/regen_samples.py; this runs its
`--check` mode for each lesson whose solution is a Dockerfile (on a real engine when the lesson or
an earlier one looks at the image).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from checks.catalogue import load
from support import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import regen_samples  # noqa: E402

CATALOGUE = load()


def lesson_params():
    for lesson in regen_samples.dockerfile_lessons(CATALOGUE):
        steps = (*CATALOGUE.before(lesson), lesson)
        marks = [pytest.mark.docker] if any(step.evidence != "dockerfile" for step in steps) else []
        yield pytest.param(lesson.id, id=lesson.id, marks=marks)


@pytest.mark.parametrize("lesson_id", list(lesson_params()))
def test_samples_are_current(lesson_id):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regen_samples.py"), "--check", lesson_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"current: docs/samples/{lesson_id}-pass.txt" in run.stdout
    assert f"current: docs/samples/{lesson_id}-fail.txt" in run.stdout


def test_normalise_makes_the_workspace_and_ids_stable(tmp_path):
    folder = tmp_path / "together"
    output = (
        f"Lesson 8: Build the image  (workspace: {folder})\r\n"
        f"  built image 0123456789ab from sha256:{'f' * 64}   \n"
        "  the container exited with code 0 after 0.8 s\n"
    )
    text = regen_samples.sample_text("checks lesson8", output, folder)
    assert text == (
        "$ checks lesson8\n"
        "Lesson 8: Build the image  (workspace: /home/you/together)\n"
        "  built image <id> from sha256:<id>\n"
        "  the container exited with code 0 after <n> s\n"
    )


def test_assert_sample_names_the_stale_file_and_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.setattr(regen_samples, "SAMPLES", tmp_path)
    monkeypatch.setattr(regen_samples, "ROOT", tmp_path.parent)
    monkeypatch.delenv("REGEN_SAMPLES", raising=False)
    with pytest.raises(AssertionError, match="REGEN_SAMPLES=1"):
        regen_samples.assert_sample("lesson9-pass", "checks lesson9", "✓ it runs\n")
    monkeypatch.setenv("REGEN_SAMPLES", "1")
    regen_samples.assert_sample("lesson9-pass", "checks lesson9", "✓ it runs\n")
    assert (tmp_path / "lesson9-pass.txt").read_text(encoding="utf-8") == "$ checks lesson9\n✓ it runs\n"
    monkeypatch.delenv("REGEN_SAMPLES")
    regen_samples.assert_sample("lesson9-pass", "checks lesson9", "✓ it runs\n")
