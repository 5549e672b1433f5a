"""The correct Dockerfiles of bench/corpus/correct/ (each written differently from the reference solution)
pass lessons 1-7 without a failure or a warning, on the real engine (bench/accuracy.py, as the bench runs them).

The mistakes' side of bench/accuracy.py is tests/test_fixtures.py, which runs every mistake fixture.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import ROOT

pytestmark = pytest.mark.docker


def test_correct_dockerfiles_draw_no_false_alarm_and_never_hang():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "accuracy.py"), "--only", "correct"],
                         cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "false alarms 0, hangs 0" in run.stdout
