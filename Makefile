# Everything a fresh machine needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := webapp

.PHONY: run dev test bench setup catalogs db assets clean

run: setup
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The reloader also watches static/, whose hashes the app computes at start-up.
dev: setup
	$(BIN)/flask run --debug --extra-files "$$(find static -type f | paste -sd:)"

test: setup $(VENV)/.test-installed
	$(BIN)/python -m pytest

setup: $(VENV)/.installed catalogs db assets

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
	$(BIN)/pybabel compile -d translations --statistics

db: $(VENV)/.installed
	$(BIN)/flask init-db

# Content-hashed copies of static/ with .br and .gz variants, in build/static/.
assets: $(VENV)/.installed
	$(BIN)/flask assets build

clean:
	rm -rf $(VENV) build .pytest_cache

# Not part of `make test`: a load test on 127.0.0.1 that takes about a minute and
# prints a table (also in build/bench.json). See README, "Benchmark".
bench: setup
	$(BIN)/python bench/run.py
