"""The "together" web app: a tiny Flask (WSGI) application.

Routes:
    GET /       a short page saying what this is
    GET /statz  JSON status: {"version": "0.0.1"}

This module does not import uwsgi, so it also runs (and is tested) without it.
bin/run_dev.sh serves it with uWSGI as ``together.app:app``.
"""

from flask import Flask, jsonify

from together import __version__

app = Flask(__name__)

INDEX_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>together</title></head>
<body>
<h1>together</h1>
<p>The sample app of the docker-lessons tutorial, version {version}.</p>
<p>Its status is at <a href="/statz">/statz</a>.</p>
</body>
</html>
"""


@app.get("/")
def index():
    return INDEX_HTML.format(version=__version__)


@app.get("/statz")
def statz():
    return jsonify(version=__version__)
