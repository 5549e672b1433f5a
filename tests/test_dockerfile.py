"""Reading the learner's Dockerfile: every kind of bad file gets a clear reason, never a traceback."""

from __future__ import annotations

import pytest

from checks.dockerfile import DockerfileProblem, load, parse, substitute
from support import catches


def write(tmp_path, data: bytes):
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    return path


def test_reads_instructions_with_lines_and_continuations(tmp_path):
    df = load(
        write(
            tmp_path,
            b"# comment\nFROM python:3.13-slim\nRUN apt-get update && \\\n    apt-get install -y gcc\n"
            b'CMD ["./bin/run_dev.sh"]\n',
        )
    )
    assert [(i.keyword, i.line, i.end_line) for i in df.instructions] == [("FROM", 2, 2), ("RUN", 3, 4), ("CMD", 5, 5)]
    assert df.instructions[2].exec_form == ["./bin/run_dev.sh"]
    assert df.instructions[1].exec_form is None


def test_lowercase_instructions_are_instructions(tmp_path):
    df = load(write(tmp_path, b"from python:3.13-slim\nworkdir /app\n"))
    assert [i.keyword for i in df.instructions] == ["FROM", "WORKDIR"]


# what the learner reads: `checks` names these in the dockerfile-syntax check (lesson 1)
def test_empty_file():
    catches("dockerfile-syntax", b"", says="empty")
    catches("dockerfile-syntax", b"  \n\n", says="empty")


def test_only_comments():
    catches("dockerfile-syntax", b"# FROM python:3.13-slim\n", says="no instructions")


def test_binary_file():
    catches("dockerfile-syntax", b"\x7fELF\x02\x01\x01\x00\x00\x00", says="binary")


def test_utf16_from_powershell():
    catches("dockerfile-syntax", "FROM python:3.13-slim\r\n".encode("utf-16"), says=["UTF-16", "PowerShell"])


def test_not_utf8_names_the_line():
    catches("dockerfile-syntax", b"FROM python:3.13-slim\n# caf\xe9\n", says="UTF-8", line=2)


def test_huge_file():
    catches("dockerfile-syntax", b"# x\n" * 400_000, says="MB")


def test_folder_named_dockerfile(tmp_path):
    (tmp_path / "Dockerfile").mkdir()
    with pytest.raises(DockerfileProblem, match="folder"):
        load(tmp_path / "Dockerfile")


def test_unknown_instruction_suggests_the_right_one():
    catches("dockerfile-syntax", b"FORM python:3.13-slim\n", says=["FORM", "did you mean FROM"], line=1)


def test_instruction_without_arguments():
    catches("dockerfile-syntax", b"FROM python:3.13-slim\nWORKDIR\n", says="WORKDIR needs arguments", line=2)


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    df = load(write(tmp_path, b"\xef\xbb\xbfFROM python:3.13-slim\r\nWORKDIR /app\r\n"))
    assert df.has_bom and df.crlf
    assert df.stages[0].image == "python:3.13-slim"


def test_heredoc_body_is_part_of_the_run(tmp_path):
    df = load(
        write(tmp_path, b'FROM python:3.13-slim\nRUN <<EOF\napt-get update\napt-get install -y gcc\nEOF\nCMD ["x"]\n')
    )
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "CMD"]
    assert "apt-get install -y gcc" in df.instructions[1].args


def test_unterminated_heredoc():
    catches("dockerfile-syntax", b"FROM python:3.13-slim\nRUN <<EOF\necho hi\n", says="never ends")


def test_build_args_in_from_are_substituted():
    df = parse("ARG PY=3.13\nFROM python:${PY}-slim AS app\n")
    assert df.stages[0].image == "python:3.13-slim" and df.stages[0].written == "python:${PY}-slim"
    assert df.stages[0].name == "app"
    assert substitute("python:${V:-3.12}-slim", {}) == "python:3.12-slim"


def test_stages_and_base_of_a_stage():
    df = parse('FROM python:3.13 AS build\nRUN true\nFROM build AS final\nCMD ["x"]\n')
    assert [s.index for s in df.stages] == [0, 1]
    assert df.base_of(df.final_stage).image == "python:3.13"
    assert [i.keyword for i in df.in_final_stage()] == ["FROM", "CMD"]


def test_flags_and_arguments():
    df = parse("FROM --platform=linux/amd64 python:3.13-slim\nCOPY --chown=app:app . .\n")
    assert df.stages[0].platform == "linux/amd64"
    copy = df.instructions[1]
    assert copy.flags == {"chown": "app:app"} and copy.arguments == ". ."
