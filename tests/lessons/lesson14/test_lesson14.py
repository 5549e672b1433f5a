"""Lesson 14 (a user that is not root): the smallest lesson that keeps the course's numbering whole.

This is a placeholder lesson 14 written with lesson 15; the lesson's own helper replaces it at merge.
"""

from __future__ import annotations

import pytest

from checks.checkers import lesson14
from support import LESSONS, ROOT

SOLUTION = (LESSONS / "lesson14" / "solution" / "Dockerfile").read_text(encoding="utf-8")
FIXTURES = ROOT / "tests" / "lessons" / "lesson14" / "fixtures"


@pytest.mark.docker
def test_runs_as_non_root_catches_not_the_solution_and_catches_a_missing_user(context):
    solved = context(SOLUTION)
    mistake = context((FIXTURES / "runs-as-non-root.Dockerfile").read_text(encoding="utf-8"))
    try:
        result = lesson14.runs_as_non_root(solved)
        assert result.status == "passed" and "(together)" in result.message and result.line == 17
        result = lesson14.runs_as_non_root(mistake)
        assert result.status == "failed" and "has no USER" in result.message and result.line == 12
    finally:
        solved.cleanup()
        mistake.cleanup()
