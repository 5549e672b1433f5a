"""The short form of the multi-board bench (bench/classroom.py --boards 3): three real board processes on
one real PostgreSQL, learners spread over them, PostgreSQL restarted in the middle round; not one
report lost or stored twice, and every board's page shows each report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT


def test_three_boards_lose_nothing_across_a_postgresql_restart():
    if not list(Path("/usr/lib/postgresql").glob("*/bin")):
        if os.environ.get("REQUIRE_POSTGRESQL") == "1":
            pytest.fail("REQUIRE_POSTGRESQL=1 but PostgreSQL is not installed: apt-get install postgresql")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "classroom.py"),
            "--boards",
            "3",
            "--learners",
            "90",
            "--rounds",
            "3",
            "--restart",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "lost 0, stored twice 0" in run.stdout, run.stdout + run.stderr
    assert "PostgreSQL restarted during this round" in run.stdout
    assert " inf" not in run.stdout, run.stdout  # each report on every board's page
    assert run.returncode in (0, 1), run.stdout + run.stderr  # 1: latency targets missed on a busy machine
