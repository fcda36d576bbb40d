# Everything a fresh machine needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := webapp

.PHONY: run dev test setup catalogs db clean vendor-leaflet favicon

run: setup
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 wsgi:app

dev: setup
	$(BIN)/flask run --debug

test: setup $(VENV)/.test-installed
	$(BIN)/python -m pytest

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
	$(BIN)/pybabel compile -d translations --statistics

db: $(VENV)/.installed
	$(BIN)/flask init-db

clean:
	rm -rf $(VENV) build .pytest_cache

# Leaflet is committed under static/vendor/leaflet/ so the site needs no npm at run time.
# This re-creates that copy from the npm package, checked against the pinned tarball hash.
LEAFLET_VERSION := 1.9.4
LEAFLET_SHA256  := 84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77
vendor-leaflet:
	rm -rf build/leaflet && mkdir -p build/leaflet
	cd build/leaflet && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null
	echo "$(LEAFLET_SHA256)  build/leaflet/leaflet-$(LEAFLET_VERSION).tgz" | sha256sum -c -
	tar -xzf build/leaflet/leaflet-$(LEAFLET_VERSION).tgz -C build/leaflet
	rm -rf static/vendor/leaflet && mkdir -p static/vendor/leaflet/images
	cp build/leaflet/package/LICENSE build/leaflet/package/dist/leaflet.js build/leaflet/package/dist/leaflet.js.map \
	   build/leaflet/package/dist/leaflet.css static/vendor/leaflet/
	cp build/leaflet/package/dist/images/*.png static/vendor/leaflet/images/

# The PNG favicon, for browsers without SVG icons, is drawn from the SVG by Debian's
# chromium (transparent corners kept); the result is committed.
CHROMIUM := /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
favicon: static/favicon.svg
	$(CHROMIUM) --default-background-color=00000000 --window-size=32,32 \
	  --screenshot=$(CURDIR)/static/favicon.png file://$(CURDIR)/static/favicon.svg 2>/dev/null
