"""Reading the learner's Dockerfile: every kind of bad file gets a clear reason, never a traceback."""

from __future__ import annotations

import pytest

from checks.dockerfile import DockerfileProblem, load, parse, substitute


def write(tmp_path, data: bytes):
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    return path


def problem(tmp_path, data: bytes) -> DockerfileProblem:
    with pytest.raises(DockerfileProblem) as caught:
        load(write(tmp_path, data))
    return caught.value


def test_reads_instructions_with_lines_and_continuations(tmp_path):
    df = load(write(tmp_path, b"# comment\nFROM python:3.13-slim\nRUN apt-get update && \\\n    apt-get install -y gcc\nCMD [\"./bin/run_dev.sh\"]\n"))
    assert [(i.keyword, i.line, i.end_line) for i in df.instructions] == [("FROM", 2, 2), ("RUN", 3, 4), ("CMD", 5, 5)]
    assert df.instructions[2].exec_form == ["./bin/run_dev.sh"]
    assert df.instructions[1].exec_form is None


def test_lowercase_instructions_are_instructions(tmp_path):
    df = load(write(tmp_path, b"from python:3.13-slim\nworkdir /app\n"))
    assert [i.keyword for i in df.instructions] == ["FROM", "WORKDIR"]


def test_empty_file(tmp_path):
    assert "empty" in problem(tmp_path, b"").message
    assert "empty" in problem(tmp_path, b"  \n\n").message


def test_only_comments(tmp_path):
    assert "no instructions" in problem(tmp_path, b"# FROM python:3.13-slim\n").message


def test_binary_file(tmp_path):
    assert "binary" in problem(tmp_path, b"\x7fELF\x02\x01\x01\x00\x00\x00").message


def test_utf16_from_powershell(tmp_path):
    found = problem(tmp_path, "FROM python:3.13-slim\r\n".encode("utf-16"))
    assert "UTF-16" in found.message and "PowerShell" in found.message


def test_not_utf8_names_the_line(tmp_path):
    found = problem(tmp_path, b"FROM python:3.13-slim\n# caf\xe9\n")
    assert found.line == 2 and "UTF-8" in found.message


def test_huge_file(tmp_path):
    assert "MB" in problem(tmp_path, b"# x\n" * 400_000).message


def test_folder_named_dockerfile(tmp_path):
    (tmp_path / "Dockerfile").mkdir()
    with pytest.raises(DockerfileProblem, match="folder"):
        load(tmp_path / "Dockerfile")


def test_unknown_instruction_suggests_the_right_one(tmp_path):
    found = problem(tmp_path, b"FORM python:3.13-slim\n")
    assert found.line == 1 and "FORM" in found.message and "did you mean FROM" in found.message


def test_instruction_without_arguments(tmp_path):
    found = problem(tmp_path, b"FROM python:3.13-slim\nWORKDIR\n")
    assert found.line == 2 and "WORKDIR needs arguments" in found.message


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    df = load(write(tmp_path, b"\xef\xbb\xbfFROM python:3.13-slim\r\nWORKDIR /app\r\n"))
    assert df.has_bom and df.crlf
    assert df.stages[0].image == "python:3.13-slim"


def test_heredoc_body_is_part_of_the_run(tmp_path):
    df = load(write(tmp_path, b"FROM python:3.13-slim\nRUN <<EOF\napt-get update\napt-get install -y gcc\nEOF\nCMD [\"x\"]\n"))
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "CMD"]
    assert "apt-get install -y gcc" in df.instructions[1].args


def test_unterminated_heredoc(tmp_path):
    assert "never ends" in problem(tmp_path, b"FROM python:3.13-slim\nRUN <<EOF\necho hi\n").message


def test_build_args_in_from_are_substituted():
    df = parse("ARG PY=3.13\nFROM python:${PY}-slim AS app\n")
    assert df.stages[0].image == "python:3.13-slim" and df.stages[0].written == "python:${PY}-slim"
    assert df.stages[0].name == "app"
    assert substitute("python:${V:-3.12}-slim", {}) == "python:3.12-slim"


def test_stages_and_base_of_a_stage():
    df = parse("FROM python:3.13 AS build\nRUN true\nFROM build AS final\nCMD [\"x\"]\n")
    assert [s.index for s in df.stages] == [0, 1]
    assert df.base_of(df.final_stage).image == "python:3.13"
    assert [i.keyword for i in df.in_final_stage()] == ["FROM", "CMD"]


def test_flags_and_arguments():
    df = parse("FROM --platform=linux/amd64 python:3.13-slim\nCOPY --chown=app:app . .\n")
    assert df.stages[0].platform == "linux/amd64"
    copy = df.instructions[1]
    assert copy.flags == {"chown": "app:app"} and copy.arguments == ". ."
