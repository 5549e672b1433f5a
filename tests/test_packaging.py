"""A plain `pip install .` (not editable) into a fresh virtualenv gives a working `checks`."""

from __future__ import annotations

import os
import subprocess
import venv

from support import ROOT


def test_wheel_install_ships_the_app_and_the_lessons(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    checks = env_dir / "bin" / "checks"
    # the installed package must not lean on the source tree
    where = subprocess.run([str(python), "-c", "import checks.catalogue as c; print(c.data_dir())"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert str(env_dir) in where.stdout, where.stdout + where.stderr
    init = subprocess.run([str(checks), "init", "ws"], cwd=tmp_path, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    workspace = tmp_path / "ws"
    assert os.access(workspace / "bin" / "run_dev.sh", os.X_OK)
    assert (workspace / "requirements.txt").is_file() and (workspace / "together" / "app.py").is_file()
    assert (workspace / "tests").is_dir()
    (workspace / "Dockerfile").write_text((ROOT / "lessons" / "lesson1" / "solution" / "Dockerfile").read_text())
    lesson = subprocess.run([str(checks), "lesson1", "--json"], cwd=workspace, capture_output=True, text=True)
    assert lesson.returncode == 0, lesson.stdout + lesson.stderr
    listing = subprocess.run([str(checks), "list"], cwd=workspace, capture_output=True, text=True)
    assert listing.returncode == 0 and "lesson1" in listing.stdout
    hint = subprocess.run([str(checks), "hint", "lesson1"], cwd=workspace, capture_output=True, text=True)
    assert hint.returncode == 0 and "Hint 1" in hint.stdout
    # the learner's install has no web server: the board asks for its extra, joining needs none
    serve = subprocess.run([str(checks), "classroom", "serve", "--port", "0", "--db", str(tmp_path / "board.db")],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert serve.returncode == 2 and "pip install '.[classroom]'" in serve.stderr, serve.stderr
    join = subprocess.run([str(checks), "join", "http://127.0.0.1:9", "--code", "X", "--name", "Ana"],
                          cwd=workspace, capture_output=True, text=True, timeout=60)
    assert join.returncode == 2 and "does not answer" in join.stderr, join.stderr
