# Everything a fresh machine needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
export FLASK_APP := webapp

.PHONY: run dev test test-fast bench reliability check-translations setup test-tools screenshots catalogs db assets clean vendor-leaflet favicon lock

# Without WEBAPP_MAIL_SERVER the mail is written to instance/mail/ (WEBAPP_MAIL_FILE_DIR), on purpose:
# production refuses to start with neither set.
run: setup
	@if [ -z "$$WEBAPP_MAIL_SERVER" ] && [ -z "$$WEBAPP_MAIL_FILE_DIR" ]; then \
	  echo "No WEBAPP_MAIL_SERVER: the mail is written to instance/mail/ (WEBAPP_MAIL_FILE_DIR=instance/mail)."; fi
	@echo "The staff area is http://$${WEBAPP_BIND:-127.0.0.1:5000}/staff/; to sign in, print a one-time link in another terminal:"
	@echo "  .venv/bin/flask staff link you@goteborg.se --role admin"
	WEBAPP_MAIL_FILE_DIR="$${WEBAPP_MAIL_FILE_DIR:-$$([ -n "$$WEBAPP_MAIL_SERVER" ] || echo instance/mail)}" \
	  $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Flask's reloader on WEBAPP_BIND (host:port, as for gunicorn; port 5000 is taken on macOS).
# It also restarts for static/, whose hashes the app computes at start-up, and for
# translations/LANGUAGES; a saved .po needs no restart (webapp/i18n/reload.py).
dev: setup
	bind="$${WEBAPP_BIND:-127.0.0.1:5000}"; \
	$(BIN)/flask run --debug --host "$${bind%:*}" --port "$${bind##*:}" \
	  --extra-files "$$(find static -type f | paste -sd:):translations/LANGUAGES"

test: setup test-tools
	$(BIN)/flask translate check
	$(BIN)/python -m pytest

# The edit-test loop: everything but the tests marked slow (gunicorn, Chromium, Java, Litestream, load).
test-fast: setup test-tools
	$(BIN)/python -m pytest -m "not slow" -q

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

# Exactly the versions and files in the lock (pip and setuptools included), then the project
# itself in two steps, since pip refuses an editable install in hash-checking mode. Without
# build isolation the locked setuptools builds it, so nothing unlocked is downloaded.
$(VENV)/.installed: requirements/runtime.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-installed: requirements/test.txt $(VENV)/.installed
	$(BIN)/pip install -q --require-hashes -r requirements/test.txt
	touch $@

# Re-resolves the lock files from pyproject.toml's ranges, keeping every pin that still fits
# (run it after changing a dependency); `make lock LOCK_UPGRADE=--upgrade` moves all to the newest.
# The test lock is constrained by the runtime lock, so both install the same versions.
PIP_COMPILE = $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_UPGRADE)
lock: | $(BIN)/python
	$(BIN)/pip install -q 'pip-tools>=7.4,<8'
	$(PIP_COMPILE) -o requirements/runtime.txt pyproject.toml
	$(PIP_COMPILE) --extra test -c requirements/runtime.txt -o requirements/test.txt pyproject.toml

# $(call debian-package,PROGRAM,PACKAGE): when PROGRAM is missing, install PACKAGE
# with apt-get if we are root on Debian; otherwise stop and say what to install.
define debian-package
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then \
	    echo "Installing Debian's $(2)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2); \
	  else \
	    echo "This needs $(1): install Debian's '$(2)' package (sudo apt-get install $(2)) and run make again." >&2; \
	    exit 1; \
	  fi; }
endef

# Browser tests drive Debian's Chromium (never a downloaded browser); the Nu HTML
# Checker is a Java program that npm brings (its Java-downloading install script is skipped);
# pdftotext reads the printed page back, w3m shows the page as a text browser does;
# nginx runs ops/nginx.conf in front of gunicorn (tests/test_nginx.py).
test-tools: $(VENV)/.test-installed node_modules/.installed
	$(call debian-package,$(CHROMIUM),chromium)
	$(call debian-package,java,default-jre-headless)
	$(call debian-package,msgfmt,gettext)
	$(call debian-package,pdftotext,poppler-utils)
	$(call debian-package,w3m,w3m)
	$(call debian-package,nginx,nginx)

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
	$(call debian-package,wrk,wrk)
	$(BIN)/python bench/run.py
