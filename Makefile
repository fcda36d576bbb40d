# Everything a fresh machine needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
export FLASK_APP := webapp

.PHONY: run dev test bench reliability check-translations setup test-tools screenshots catalogs db assets clean vendor-leaflet favicon

run: setup
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The reloader also watches static/, whose hashes the app computes at start-up.
dev: setup
	$(BIN)/flask run --debug --extra-files "$$(find static -type f | paste -sd:)"

test: setup test-tools
	$(BIN)/flask translate check
	$(BIN)/python -m pytest

# Load, kill -9 crash rounds and hostile input against gunicorn, with a summary table
# (a smaller run of the same is part of `make test`: tests/test_reliability.py).
reliability: setup $(VENV)/.test-installed
	$(BIN)/python -m tests.reliability

# For translators: compiles the catalogs, then says what is missing or wrong in them.
check-translations: catalogs
	$(BIN)/flask translate check

# PNGs of what visitors see, in every language and width, into build/screenshots/.
screenshots: setup test-tools
	$(BIN)/python -m tests.browser.screenshots build/screenshots

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

# $(call debian-package,PROGRAM,PACKAGE): when PROGRAM is missing, install PACKAGE
# with apt-get if we are root on Debian; otherwise stop and say what to install.
define debian-package
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then \
	    echo "Installing Debian's $(2) for the browser and HTML tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2); \
	  else \
	    echo "The tests need $(1): install Debian's '$(2)' package (sudo apt-get install $(2)) and run make test again." >&2; \
	    exit 1; \
	  fi; }
endef

# Browser tests drive Debian's Chromium (never a downloaded browser); the Nu HTML
# Checker is a Java program that npm brings (its Java-downloading install script is skipped).
test-tools: $(VENV)/.test-installed node_modules/.installed
	$(call debian-package,$(CHROMIUM),chromium)
	$(call debian-package,java,default-jre-headless)
	$(call debian-package,msgfmt,gettext)

node_modules/.installed: package.json package-lock.json
	$(call debian-package,npm,npm)
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

catalogs: $(VENV)/.installed
	$(BIN)/flask translate compile

db: $(VENV)/.installed
	$(BIN)/flask init-db

# Content-hashed copies of static/ with .br and .gz variants, in build/static/.
assets: $(VENV)/.installed
	$(BIN)/flask assets build

clean:
	rm -rf $(VENV) build node_modules .pytest_cache

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
favicon: static/favicon.svg
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
	  --default-background-color=00000000 --window-size=32,32 \
	  --screenshot=$(CURDIR)/static/favicon.png file://$(CURDIR)/static/favicon.svg 2>/dev/null

# Not part of `make test`: a load test on 127.0.0.1 that takes about three minutes and
# prints a table (also in build/bench.json). See README, "Benchmark". Its SMTP server is
# the tests' (aiosmtpd, from the test extra).
bench: setup $(VENV)/.test-installed
	$(BIN)/python bench/run.py
