# The two commands of the README:
#   make serve   install everything and serve the tutorial site on http://127.0.0.1:8000/
#   make test    install everything and run the whole test suite
#   (make site and make dist: the site with --strict, and the release's sdist and wheel;
#    make site-zensical: the same site built by Zensical, Material for MkDocs' successor;
#    make lint: ruff's lint and format check on the tree and mypy on checks/, run by CI before the tests)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: serve test lint install site site-zensical dist bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# MkDocs' hook (docs/hooks/lessons.py) writes the pages' generated parts into generated/ before each
# build, `mkdocs serve`'s rebuilds included; Zensical runs no hook, so `python -m checks.site` does it first.
site: $(STAMP)
	$(BIN)/mkdocs build --strict

site-zensical: $(STAMP)
	$(BIN)/python -m checks.site
	$(BIN)/zensical build --strict

# The release's files: the sdist, then the wheel built from it (with the site inside, see setup.py),
# checked as PyPI will check them.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build
	$(BIN)/twine check --strict dist/*

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Every step runs, so one report shows all that is left; the target fails if any step did.
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/mypy checks/ || status=1; \
	exit $$status

# Every page at 1280 and 390 px, light and dark, into test-artifacts/screenshots/: a person looks at them
# before a release (the test run leaves them out).
screenshots: $(STAMP)
	SCREENSHOTS=1 $(BIN)/pytest tests/site/test_phone.py -k screenshots

bench: $(STAMP)
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/watch.py
	$(BIN)/python bench/lesson7.py
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) site generated build dist *.egg-info test-artifacts
