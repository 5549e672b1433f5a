"""The engine's answers that checks read as evidence.

A listing arrives whole, or gives no evidence at all: a package or file missing from a listing
reads as "not installed" or "not sent", so a listing cut short on its way out of the engine must
not be taken for a whole one (CI saw one false alarm of apt-package-name on a correct Dockerfile).
The real engine answers the ordinary cases; the cut listing, which cannot be produced on demand,
is injected.

What an image answered is given again to a later run for an image of the same content (the
learner's loop builds a new image id each run), and never for an image whose files changed.
"""

from __future__ import annotations

import pytest

from checks.engine import LISTING_END, Engine, RunResult
from checks.facts import Facts

pytestmark = pytest.mark.docker

BASE = "python:3.13-slim"
LIST_PACKAGES = ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package}\\n"]


@pytest.fixture
def engine():
    engine = Engine.connect()
    engine.facts = Facts(None)  # every question asked of the engine
    yield engine
    engine.cleanup()


@pytest.fixture
def engines(tmp_path):
    """Two runs (two engines, so two run labels and two image ids) sharing one cache folder."""
    made = [Engine.connect() for _ in range(2)]
    for engine in made:
        engine.facts = Facts(tmp_path / "facts")
    yield made
    for engine in made:
        engine.cleanup()


def built(engine, folder, text="hello"):
    folder.mkdir(exist_ok=True)
    (folder / "greeting.txt").write_text(text)
    result = engine.build(folder, f"FROM {BASE}\nCOPY greeting.txt /greeting.txt\n")
    assert result.ok, result.log[-500:]
    return result.image_id


def asks_nothing(*args, **kwargs):
    raise AssertionError("the engine was asked again")


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
    monkeypatch.setattr(engine, "_run_now", lambda *args, **kwargs: cut)
    listing = engine.list_in_image(BASE, LIST_PACKAGES)
    assert listing.exit_code == 0 and "zlib1g" in listing.output


def test_a_listing_cut_short_twice_is_no_evidence(engine, monkeypatch):
    cut = RunResult(0, "ii  adduser\nii  apt\nii  bas")
    monkeypatch.setattr(engine, "_run_now", lambda *args, **kwargs: cut)
    monkeypatch.setattr(engine, "_run_in_new_container", lambda *args, **kwargs: cut)
    assert engine.list_in_image(BASE, LIST_PACKAGES).exit_code is None


def test_an_image_of_the_same_content_is_answered_from_the_earlier_run(engines, tmp_path, monkeypatch):
    first, second = engines
    image_a, image_b = built(first, tmp_path / "ws"), built(second, tmp_path / "ws")
    assert image_a != image_b  # each run labels its own image
    answer = first.run_in_image(image_a, ["cat", "/greeting.txt"])
    listing = first.list_in_image(image_a, LIST_PACKAGES)
    members = first.read_path(image_a, "/greeting.txt")
    monkeypatch.setattr(second, "_run_now", asks_nothing)
    monkeypatch.setattr(second, "_list_now", asks_nothing)
    monkeypatch.setattr(second, "_read_path_now", asks_nothing)
    assert second.run_in_image(image_b, ["cat", "/greeting.txt"]) == answer == RunResult(0, "hello")
    assert second.list_in_image(image_b, LIST_PACKAGES) == listing
    again = second.read_path(image_b, "/greeting.txt")
    assert (
        [(m.name, m.size, m.mode & 0o7777, m.isfile()) for m in again or []]
        == [(m.name, m.size, m.mode & 0o7777, m.isfile()) for m in members or []]
        == [("greeting.txt", 5, 0o644, True)]
    )


def test_catches_not_an_answer_for_an_image_whose_files_changed(engines, tmp_path):
    first, second = engines
    first.run_in_image(built(first, tmp_path / "ws"), ["cat", "/greeting.txt"])
    changed = built(second, tmp_path / "ws", text="hello!")
    assert second.run_in_image(changed, ["cat", "/greeting.txt"]).output == "hello!"


def test_the_user_asked_for_is_part_of_the_question(engines, tmp_path):
    first, second = engines
    first.run_in_image(built(first, tmp_path / "ws"), ["id", "-u"])
    assert second.run_in_image(built(second, tmp_path / "ws"), ["id", "-u"], user="65534").output.strip() == "65534"


def test_no_cache_asks_the_engine_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECKS_NO_CACHE", "1")
    engine = Engine.connect()
    try:
        assert engine.facts.folder is None
        image = built(engine, tmp_path / "ws")
        assert engine.run_in_image(image, ["cat", "/greeting.txt"]).output == "hello"
        monkeypatch.setattr(engine, "_run_now", asks_nothing)
        with pytest.raises(AssertionError, match="asked again"):
            engine.run_in_image(image, ["cat", "/greeting.txt"])
    finally:
        engine.cleanup()


def test_an_unreadable_cache_file_is_asked_again_and_written_anew(engines, tmp_path):
    first, second = engines
    image = built(first, tmp_path / "ws")
    first.run_in_image(image, ["cat", "/greeting.txt"])
    (kept,) = (tmp_path / "facts").glob("*.json")
    kept.write_text("{not json")
    assert second.run_in_image(built(second, tmp_path / "ws"), ["cat", "/greeting.txt"]).output == "hello"
    assert '"hello"' in kept.read_text()


def test_a_command_that_timed_out_is_not_kept(engines, tmp_path):
    first, second = engines
    assert first.run_in_image(built(first, tmp_path / "ws"), ["sleep", "5"], timeout=1).timed_out
    assert not list((tmp_path / "facts").glob("*.json"))


@pytest.mark.parametrize("status", [404, 500], ids=["docker-404", "podman-500"])
def test_a_container_removed_while_the_engine_lists_them_is_left_out(engine, monkeypatch, status):
    import docker

    kept, gone = (engine.create_container(BASE, command=["true"]) for _ in range(2))
    inspect = engine.client.api.inspect_container
    said = f"container {gone.id} does not exist in database: no such container"  # Podman 4.3's words, as a 500

    def removed_in_between(container_id, *args, **kwargs):  # the race, which cannot be timed for real
        if container_id.startswith(gone.id[:12]):
            error = docker.errors.NotFound if status == 404 else docker.errors.APIError
            raise error("removed", explanation=said)
        return inspect(container_id, *args, **kwargs)

    monkeypatch.setattr(engine.client.api, "inspect_container", removed_in_between)
    listed = {
        c.id for c in engine.containers(all=True, filters={"label": f"org.docker-lessons.checks.run={engine.run_id}"})
    }
    assert listed == {kept.id}
