"""The wheel carries the tutorial site, so every `docs:` link that `checks` prints opens without a server.

Everything else is in pyproject.toml. `python -m build` makes the sdist, which holds what builds the
site (mkdocs.yml, docs/, the lesson data, the mistake fixtures in tests/lessons/), then the wheel from
that sdist; so does `pipx install ./docker-lessons` from a clone, straight from the tree. Either way
build_py runs `mkdocs build --strict` with Material's offline plugin (OFFLINE=true) into
checks/_site inside the wheel: pages a browser opens from the file system, search included. The
build needs the site's own packages, pinned in [build-system] requires like docs/requirements.txt.
An editable install (`make install`) skips it: in a clone, links go to `make serve`.
"""

import os
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class build_py_with_site(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib).resolve() / "checks" / "_site"
        env = {**os.environ, "OFFLINE": "true", "NO_MKDOCS_2_WARNING": "1"}
        env.pop("CHECKS_DOCS_URL", None)
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)]
        try:
            subprocess.run(command, cwd=ROOT, env=env, check=True)
        except (OSError, subprocess.CalledProcessError) as problem:
            raise SystemExit(
                f"error: building the site into the wheel failed ({problem}); "
                f"`mkdocs build --strict` in {ROOT} shows why"
            ) from None


setup(cmdclass={"build_py": build_py_with_site})
