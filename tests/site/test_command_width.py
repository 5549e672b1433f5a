"""The commands the pages of lessons 7-10 and the guides ask the learner to type fit a phone's code
block: a line longer than WIDTH is split with a trailing `\\`, so that no part of it hides under
the copy button or past the screen's edge. (The learner's shell joins the lines again; the tests
run the sections as written.)"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDTH = 56  # characters of a code block at 390 px, with room for the copy button
FILES = sorted(
    [
        *ROOT.glob("lessons/lesson[7-9]/*.sh"),
        *ROOT.glob("lessons/lesson[7-9]/solution/*.sh"),
        *ROOT.glob("lessons/lesson10/*.sh"),
        *ROOT.glob("lessons/lesson10/solution/*.sh"),
        *ROOT.glob("docs/commands/*.sh"),
    ]
)


def test_there_are_command_files():
    assert len(FILES) >= 7, FILES


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_command_line_fits_a_phone(path):
    long = [
        f"{path.relative_to(ROOT)}:{number}: {len(line)} characters: {line}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > WIDTH and not line.lstrip().startswith("#")
    ]
    assert not long, "split these with a trailing \\ :\n" + "\n".join(long)
