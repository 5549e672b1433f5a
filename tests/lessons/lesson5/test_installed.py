"""Lesson 5's sentences on what `pip install -r requirements.txt` puts into the image, read in the
learner's image (lesson 7's Dockerfile, built as lesson 8 builds it):

- the packages go into /usr/local/lib/python3.13/site-packages, the `uwsgi` command into /usr/local/bin;
- Flask brings Werkzeug, Jinja2, click and a few more;
- uWSGI was compiled while the image was built, by the image's gcc (its build line names gcc's version).
"""

from __future__ import annotations

import json

import pytest

from learner_engine import docker
from support import ROOT

pytestmark = pytest.mark.docker

PAGE = ROOT / "docs" / "lessons" / "lesson5.md"
ASK = (
    "import json, shutil, importlib.metadata as m, flask; "
    "print(json.dumps({'flask': flask.__file__, 'uwsgi': shutil.which('uwsgi'), "
    "'flask_needs': sorted(r.split()[0].split(';')[0].split('>')[0].split('<')[0].split('=')[0] "
    "for r in m.requires('flask') if 'extra ==' not in r)}))"
)


def page_says(words: str) -> bool:
    return " ".join(words.split()) in " ".join(PAGE.read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def installed(learner_image) -> dict:
    return json.loads(docker("run", "--rm", learner_image, "python", "-c", ASK).stdout)


def test_packages_and_the_uwsgi_command_are_where_the_page_says(installed):
    assert page_says("(into `/usr/local/lib/python3.13/site-packages`, plus the `uwsgi` command in `/usr/local/bin`)")
    assert installed["flask"].startswith("/usr/local/lib/python3.13/site-packages/flask/")
    assert installed["uwsgi"] == "/usr/local/bin/uwsgi"


def test_flask_brings_werkzeug_jinja2_click_and_a_few_more(installed):
    assert page_says("(Flask brings Werkzeug, Jinja2, click and a few more)")
    needs = {name.lower() for name in installed["flask_needs"]}
    assert {"werkzeug", "jinja2", "click"} <= needs and len(needs) > 3, needs


def test_uwsgi_was_compiled_in_the_image_by_its_gcc(learner_image):
    """uWSGI prints the compiler that built it at every start ("compiled with version: 14.2.0 on <date>"):
    the image's own gcc, so pip built it from source in the image, as no wheel was there to download."""
    assert page_says("uWSGI is published as source code, and pip compiles it while installing it")
    script = "gcc -dumpfullversion; uwsgi --need-app 2>&1 | head -5"
    run = docker("run", "--rm", "--entrypoint", "sh", learner_image, "-c", script)
    gcc, banner = run.stdout.split("\n", 1)
    assert f"compiled with version: {gcc.strip()} on " in banner, run.stdout
