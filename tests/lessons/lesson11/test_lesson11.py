"""Lesson 11 (the build context and .dockerignore): catches / catches-not cases for each check.

The context checks measure what a real engine receives: they build lesson 11's probe from a real
workspace, made a developer's folder by lessons/lesson11/workspace.sh (a virtualenv, Python's
caches, a data file, a git repository). They call the check on a Context directly, so only the
probe is built (seconds), not the lesson 7 image; the full `checks lesson11` runs are the catalogue
and fixture tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks.catalogue import load
from checks.checkers import lesson11
from checks.context import Context
from support import LESSONS, catches, catches_not

SOLUTION = (LESSONS / "lesson11" / "solution" / ".dockerignore").read_text(encoding="utf-8")
APP_IGNORE = (LESSONS / "together" / ".dockerignore").read_text(encoding="utf-8")
DOCKERFILE = (LESSONS / "lesson7" / "solution" / "Dockerfile").read_text(encoding="utf-8")


def make_developer_folder(folder) -> None:
    """Run lesson 11's workspace.sh in `folder`: a virtualenv, caches, a data file, a git repository."""
    subprocess.run(
        ["sh", str(LESSONS / "lesson11" / "workspace.sh")],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHON": sys.executable},
    )


@pytest.fixture
def developer_folder(workspace):
    """A workspace as a developer's is (lesson 11's workspace.sh), with this .dockerignore."""
    made = []

    def make(dockerignore: str, name: str = "together"):
        folder = workspace(DOCKERFILE, name=name)
        make_developer_folder(folder)
        (folder / ".dockerignore").write_text(dockerignore, encoding="utf-8")
        made.append(Context(folder, load()))
        return made[-1]

    yield make
    for context in made:
        context.cleanup()


# -- no engine: reading .dockerignore and the folder -------------------------------------------------
def test_human_sizes_are_docker_units():
    assert lesson11.human(950) == "950 B"
    assert lesson11.human(14_200) == "14.2 kB"
    assert lesson11.human(26_100_000) == "26.1 MB"


def test_deciding_rule_is_the_last_matching_line(tmp_path):
    (tmp_path / ".dockerignore").write_text("# comment\n\n*.txt\n!requirements.txt\n/bin/\n")
    rules = lesson11.ignore_rules(tmp_path)
    assert [(r.line, r.text) for r in rules] == [(3, "*.txt"), (4, "!requirements.txt"), (5, "bin")]
    assert lesson11.deciding_rule(rules, "requirements.txt").exception
    assert lesson11.deciding_rule(rules, "notes.txt").line == 3
    assert lesson11.deciding_rule(rules, "bin/run_dev.sh").line == 5
    assert lesson11.deciding_rule(rules, "together/app.py") is None


def test_root_only_rule_names_a_gitignore_style_pattern(tmp_path):
    (tmp_path / ".dockerignore").write_text("__pycache__\n**/*.pyc\n")
    rules = lesson11.ignore_rules(tmp_path)
    assert lesson11.root_only_rule(rules, "together/__pycache__/").line == 1
    (tmp_path / ".dockerignore").write_text("**/__pycache__\n")
    assert lesson11.root_only_rule(lesson11.ignore_rules(tmp_path), "together/__pycache__/") is None


def test_sent_context_sums_by_top_level_and_finds_caches():
    sent = lesson11.SentContext(
        [
            lesson11.SentFile(".venv", 4096, "d"),
            lesson11.SentFile(".venv/lib/big.so", 5_000_000, "f"),
            lesson11.SentFile(".venv/lib/__pycache__/x.pyc", 900, "f"),
            lesson11.SentFile("together", 4096, "d"),
            lesson11.SentFile("together/app.py", 837, "f"),
            lesson11.SentFile("together/__pycache__/app.pyc", 1200, "f"),
            lesson11.SentFile("stray.pyc", 10, "f"),
            lesson11.SentFile("requirements.txt", 27, "f"),
        ]
    )
    assert sent.size == 5_000_000 + 900 + 837 + 1200 + 10 + 27
    assert sent.by_top_level()[0] == (".venv/", 5_000_900)
    assert sent.caches() == ["together/__pycache__/", "stray.pyc", ".venv/lib/__pycache__/"]


def beside(name: str, text: str = SOLUTION):
    """prepare= for catches: write this ignore file in the workspace (`name` relative to it)."""
    return lambda folder: (folder / name).write_text(text)


def no_dockerignore(folder) -> None:
    (folder / ".dockerignore").unlink()


def dockerignore_in_a_subfolder(folder) -> None:
    no_dockerignore(folder)
    beside("together/.dockerignore")(folder)


def test_dockerignore_present_catches_a_txt_name():
    catches(
        "dockerignore-present",
        DOCKERFILE,
        says="beside the .dockerignore it does read",
        file=".dockerignore.txt",
        prepare=beside(".dockerignore.txt"),
    )


def test_dockerignore_present_catches_a_missing_file_and_one_in_a_subfolder():
    catches("dockerignore-present", DOCKERFILE, says="found none", prepare=no_dockerignore)
    catches(
        "dockerignore-present",
        DOCKERFILE,
        says="at the top of the build context",
        file="together/.dockerignore",
        prepare=dockerignore_in_a_subfolder,
    )


def test_dockerignore_present_catches_not_the_dockerfiles_own_ignore_file():
    catches_not("dockerignore-present", DOCKERFILE, prepare=beside("Dockerfile.dockerignore"))  # BuildKit reads it


# -- on a real engine: what the engine receives ------------------------------------------------------
@pytest.mark.docker
def test_context_small_catches_a_developers_folder_and_names_the_largest(developer_folder):
    ctx = developer_folder(APP_IGNORE)
    result = lesson11.context_small(ctx)
    assert result.status == "failed", result.message
    largest = result.message.split("The largest things sent: ")[1]
    assert largest.startswith(".venv/ ") and "data/ " in largest and ".git/ " in largest
    assert "listed in .gitignore, which docker build does not read" in result.message
    assert "add these lines to .dockerignore: .venv, data, .git" in result.message
    assert lesson11.sent_context(ctx).size > 10_000_000  # measured: the virtualenv alone is megabytes


@pytest.mark.docker
def test_context_small_catches_not_the_solution(developer_folder):
    ctx = developer_folder(SOLUTION)
    result = lesson11.context_small(ctx)
    assert result.status == "passed", result.message
    sent = lesson11.sent_context(ctx)
    assert sent.size < lesson11.MAX_CONTEXT
    assert not any(f.path.startswith((".git/", ".venv/", "data/")) for f in sent.files)
    assert lesson11.context_keeps_app(ctx).status == "passed"
    assert lesson11.pycache_not_sent(ctx).status == "passed"


@pytest.mark.docker
def test_context_keeps_app_catches_a_wide_pattern(developer_folder):
    ctx = developer_folder(SOLUTION + "# binaries\nbin\n")
    result = lesson11.context_keeps_app(ctx)
    assert result.status == "failed"
    assert result.file == ".dockerignore" and result.line == len(SOLUTION.splitlines()) + 2
    assert "bin/run_dev.sh" in result.message and "start the app" in result.message


@pytest.mark.docker
def test_context_keeps_app_catches_not_an_exception_after_a_wide_pattern(developer_folder):
    ctx = developer_folder(SOLUTION + "*.txt\n!requirements.txt\n")
    assert lesson11.context_keeps_app(ctx).status == "passed"


@pytest.mark.docker
def test_pycache_not_sent_catches_gitignore_style_patterns(developer_folder):
    text = SOLUTION.replace("**/__pycache__", "__pycache__").replace("**/*.py[cod]", "*.py[cod]")
    ctx = developer_folder(text)
    result = lesson11.pycache_not_sent(ctx)
    assert result.status == "failed"
    assert "together/__pycache__/" in result.message and "`**/__pycache__`" in result.message
    assert result.line == text.splitlines().index("__pycache__") + 1


@pytest.mark.docker
def test_pycache_not_sent_catches_caches_with_no_rule(developer_folder):
    ctx = developer_folder(APP_IGNORE + ".venv\n")
    result = lesson11.pycache_not_sent(ctx)
    assert result.status == "failed" and "Add `**/__pycache__`" in result.message
    assert ".venv" not in result.message  # excluded, so its caches are not sent


def test_the_page_s_sizes_are_those_workspace_sh_makes(workspace):
    """'some 10 to 25 MB of virtualenv, 3 MB of data': the virtualenv made by the running Python (11 MB with
    3.13's pip alone, 22 MB with 3.11's pip and setuptools), the data file as workspace.sh writes it."""
    page = " ".join((LESSONS.parent / "docs" / "lessons" / "lesson11.md").read_text(encoding="utf-8").split())
    said = re.search(r"some (\d+) to (\d+) MB of virtualenv .*?, (\d+) MB of data", page)
    assert said, "lesson 11 no longer gives the sizes this test measures"
    low, high, data_mb = (int(number) for number in said.groups())
    folder = workspace(DOCKERFILE, name="sizes")
    make_developer_folder(folder)

    def megabytes(top: Path) -> float:
        return sum(path.stat().st_size for path in top.rglob("*") if path.is_file() and not path.is_symlink()) / 1e6

    assert low <= megabytes(folder / ".venv") <= high
    assert 0.8 * data_mb <= megabytes(folder / "data") <= 1.2 * data_mb
