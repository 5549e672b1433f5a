"""Lesson 7's thing to try, run as the page says: `time docker stop` with CMD in exec form and in shell
form. The outputs are the page's samples (docs/samples/lesson7-try-*.txt)."""

from __future__ import annotations

import re
import shutil

import pytest

from learner_engine import (
    assert_terminal_sample,
    docker,
    transcript,
    try_sections,
    unique,
    wait_for_workers,
)

pytestmark = pytest.mark.docker


def seconds(printed: str) -> float:
    """bash's `time`: the `real` line, e.g. real\t0m10.215s."""
    minutes, secs = re.search(r"^real\s+(\d+)m([\d.]+)s", printed, re.MULTILINE).groups()
    return int(minutes) * 60 + float(secs)


def test_try_time_docker_stop_exec_form_and_shell_form(learner_workspace, tmp_path, containers, images):
    folder = tmp_path / "together"
    shutil.copytree(learner_workspace, folder)
    sections = try_sections("lesson7")
    own = unique("try")
    rename = {
        "together:exec": f"{own}:exec",
        "together:shell": f"{own}:shell",
        "--name exec-form": f"--name {own}-exec",
        "stop exec-form": f"stop {own}-exec",
        "--name shell-form": f"--name {own}-shell",
        "stop shell-form": f"stop {own}-shell",
    }
    images.extend([f"{own}:exec", f"{own}:shell"])
    durations = {}
    for form in ("exec", "shell"):
        if form == "shell":  # the learner's edit: the last line in shell form
            dockerfile = folder / "Dockerfile"
            text = dockerfile.read_text(encoding="utf-8")
            assert 'CMD ["./bin/run_dev.sh"]' in text
            dockerfile.write_text(text.replace('CMD ["./bin/run_dev.sh"]', "CMD ./bin/run_dev.sh"), encoding="utf-8")
        containers.track(f"{own}-{form}")
        transcript(sections[f"{form}-run"], cwd=folder, rename=rename)
        wait_for_workers(f"{own}-{form}")
        text, _ = transcript(sections[f"{form}-stop"], cwd=folder, shell="bash", rename=rename)
        durations[form] = seconds(text)
        text = text.replace(f"{own}-{form}", f"{form}-form")
        assert_terminal_sample(f"lesson7-try-stop-{form}", sections[f"{form}-stop"], text)
    # exec form: uWSGI is PID 1 and stops on SIGTERM; shell form: sh is PID 1, ignores it, and is killed after 10 s
    assert durations["exec"] < 5, durations
    assert durations["shell"] >= 10, durations
    # and the shell form's container was killed (128 + SIGKILL), not stopped
    assert docker("inspect", "-f", "{{.State.ExitCode}}", f"{own}-shell").stdout.strip() == "137"
    clean = sections["clean"]
    transcript(clean, rename={**rename, "rm exec-form shell-form": f"rm {own}-exec {own}-shell"})
    assert docker("image", "inspect", f"{own}:exec", check=False).returncode != 0


def test_the_articles_bash_form_of_cmd_also_makes_uwsgi_process_1(learner_image, containers):
    """The page: CMD ["/bin/bash", "./bin/run_dev.sh"] (the article's) works, and the script's exec
    still hands process 1 over to uWSGI."""
    name = containers.run(f"{learner_image} /bin/bash ./bin/run_dev.sh")
    wait_for_workers(name)
    command = docker("exec", name, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert command[0] == "uwsgi", command
