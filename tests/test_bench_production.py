"""bench/production.py: its table judges each target from the measures (the measuring itself is the bench's run)."""

from __future__ import annotations

import re
import sys

from support import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import production  # noqa: E402


def measures(**after):
    before = production.Measure(
        "lesson 7",
        "lessons/lesson7/solution/Dockerfile",
        context_bytes=26_000_000,
        cold_seconds=90,
        rebuild_seconds=70,
        image_bytes=670_000_000,
        packages=160,
        compiler=True,
        stop_seconds=0.6,
        main_uid=0,
    )
    final = production.Measure(
        "lesson 15",
        "x",
        **{
            **dict(
                context_bytes=9_500,
                cold_seconds=95,
                rebuild_seconds=2,
                image_bytes=200_000_000,
                packages=90,
                compiler=False,
                stop_seconds=0.5,
                main_uid=999,
            ),
            **after,
        },
    )
    return before, final


def test_every_target_met():
    text, held = production.table(*measures())
    assert held
    assert "| image size | 670.0 MB | 200.0 MB | at most half: 0.30× | met |" in text
    assert "| build context | 26.0 MB | 9.5 kB | under 1 MB | met |" in text
    assert "| C compiler in the image | yes | no |  |  |" in text
    assert "| the app's main process runs as | root | uid 999, not root |  |  |" in text


def test_a_target_not_met_is_marked_and_fails():
    text, held = production.table(*measures(image_bytes=600_000_000, rebuild_seconds=30))
    assert not held
    assert "| image size | 670.0 MB | 600.0 MB | at most half: 0.90× | **not met** |" in text
    assert "at most a fifth: 0.43× | **not met** |" in text


def test_the_final_dockerfile_is_lesson_15s_with_its_healthcheck():
    from checks.catalogue import load

    catalogue = load()
    final = production.final_lesson(catalogue)
    assert final.id == "lesson15"
    files = catalogue.workspace_files(final)
    assert files["Dockerfile"] == ROOT / "lessons" / "lesson15" / "solution" / "Dockerfile"
    assert files[".dockerignore"] == ROOT / "lessons" / "lesson11" / "solution" / ".dockerignore"
    assert "HEALTHCHECK" in files["Dockerfile"].read_text(encoding="utf-8")


def test_the_committed_table_compares_lesson_7_with_lesson_15_and_meets_every_target():
    """docs/samples/production.txt is the script's own output (`--write`), as the summary page shows it."""
    text = (ROOT / "docs" / "samples" / "production.txt").read_text(encoding="utf-8")
    assert text.startswith("| | lesson 7 | lesson 15 | target | |")
    assert "not met" not in text and text.count("| met |") == 4
    assert "lesson 15: `lessons/lesson15/solution/Dockerfile`" in text
    assert re.search(r"Docker Engine \S+ \((classic|containerd) image store\)", text), "the engine and its image store"
