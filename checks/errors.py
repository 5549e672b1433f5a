"""The two problems the learner must fix before `checks` can grade (exit 2, an `Error: …` line on stderr)."""

from __future__ import annotations


class UsageError(Exception):
    """Wrong command line or unusable environment: `Error: …` on stderr, exit 2."""


class EngineProblem(Exception):
    """Docker is missing, not running or not reachable: the learner must fix their set-up (exit 2)."""
