"""The troubleshooting page's words for a start script with Windows line endings (CRLF), measured on
the engine with the sample app's script converted as a Windows editor saves it:

- started directly (CMD in exec form), the container stops at once and `docker logs` says
  `exec ./bin/run_dev.sh: no such file or directory` (runc 1.2 and later; Engine 20.10's runc says
  `exec user process caused: no such file or directory`);
- started by `sh`, Debian's dash stops at the script's `set -eu` with `set: Illegal option -`.
"""

from __future__ import annotations

import pytest

from learner_engine import APP, docker, sh, state, wait_until
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "troubleshooting.md"
DOCKERFILE = 'FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY bin/run_dev.sh bin/\nCMD ["./bin/run_dev.sh"]\n'


def page_says(words: str) -> bool:
    return " ".join(words.split()) in " ".join(PAGE.read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def crlf_image(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crlf")
    (folder / "bin").mkdir()
    script = folder / "bin" / "run_dev.sh"
    script.write_bytes((APP / "bin" / "run_dev.sh").read_bytes().replace(b"\n", b"\r\n"))
    script.chmod(0o755)
    (folder / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    sh("docker build --quiet --iidfile iid .", cwd=folder)
    image = (folder / "iid").read_text().strip()
    yield image
    docker("image", "rm", "-f", image, check=False)


def stopped_with(containers, arguments: str) -> str:
    name = containers.run(arguments, check=False)
    wait_until(lambda: state(name) in ("exited", "created"), 30, "the container to stop")
    run = docker("logs", name, check=False)
    error = docker("inspect", "--format", "{{.State.Error}}", name, check=False).stdout
    return run.stdout + run.stderr + error


def test_a_crlf_script_started_directly_is_no_such_file(crlf_image, containers):
    assert page_says("`exec ./bin/run_dev.sh: no such file or directory`")
    shown = stopped_with(containers, crlf_image)
    assert "no such file or directory" in shown, shown
    assert "exec ./bin/run_dev.sh: no such file or directory" in shown or "exec user process caused" in shown, shown


def test_a_crlf_script_started_by_sh_stops_at_set(crlf_image, containers):
    assert page_says("`sh` complains about `set: Illegal option -`")
    shown = stopped_with(containers, f"{crlf_image} sh ./bin/run_dev.sh")
    assert "set: Illegal option -" in shown, shown
