"""The engine's answers that checks read as evidence: a listing arrives whole, or gives no evidence at all.

A package or file missing from a listing reads as "not installed" or "not sent", so a listing cut
short on its way out of the engine must not be taken for a whole one (CI saw one false alarm of
apt-package-name on a correct Dockerfile). The real engine answers the ordinary cases; the cut
listing, which cannot be produced on demand, is injected.
"""

from __future__ import annotations

import pytest

from checks.engine import LISTING_END, Engine, RunResult

pytestmark = pytest.mark.docker

BASE = "python:3.13-slim"
LIST_PACKAGES = ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package}\\n"]


@pytest.fixture
def engine():
    engine = Engine.connect()
    yield engine
    engine.cleanup()


def test_a_whole_listing_comes_back_with_the_command_s_status(engine):
    listing = engine.list_in_image(BASE, LIST_PACKAGES)
    assert listing.exit_code == 0
    names = {row.split()[-1] for row in listing.output.splitlines() if row.startswith("ii")}
    assert {"dpkg", "zlib1g"} <= names  # the first and the last letters of the alphabet: the whole of it
    assert LISTING_END not in listing.output


def test_the_command_s_own_failure_is_its_exit_status(engine):
    assert engine.list_in_image(BASE, ["dpkg-query", "-W", "no-such-package"]).exit_code == 1
    assert engine.list_in_image(BASE, ["no-such-command"]).exit_code == 127
    assert engine.list_in_image(BASE, ["printf", "a"]).output == "a"  # output without a final newline is kept


def test_a_listing_cut_short_once_is_asked_again_in_a_container_of_its_own(engine, monkeypatch):
    cut = RunResult(0, "ii  adduser\nii  apt\nii  bas")
    monkeypatch.setattr(engine, "run_in_image", lambda *args, **kwargs: cut)
    listing = engine.list_in_image(BASE, LIST_PACKAGES)
    assert listing.exit_code == 0 and "zlib1g" in listing.output


def test_a_listing_cut_short_twice_is_no_evidence(engine, monkeypatch):
    cut = RunResult(0, "ii  adduser\nii  apt\nii  bas")
    monkeypatch.setattr(engine, "run_in_image", lambda *args, **kwargs: cut)
    monkeypatch.setattr(engine, "_run_in_new_container", lambda *args, **kwargs: cut)
    assert engine.list_in_image(BASE, LIST_PACKAGES).exit_code is None
