# Everything a fresh machine needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := webapp

.PHONY: run dev test check-translations setup catalogs db clean

run: setup
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 wsgi:app

dev: setup
	$(BIN)/flask run --debug

test: setup $(VENV)/.test-installed
	$(BIN)/flask translate check
	$(BIN)/python -m pytest

# For translators: compiles the catalogs, then says what is missing or wrong in them.
check-translations: catalogs
	$(BIN)/flask translate check

setup: $(VENV)/.installed catalogs db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

catalogs: $(VENV)/.installed
	$(BIN)/flask translate compile

db: $(VENV)/.installed
	$(BIN)/flask init-db

clean:
	rm -rf $(VENV) build .pytest_cache
