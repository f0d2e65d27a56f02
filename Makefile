# The news digest. `make html` builds the site, `make test` runs every test.
# Both create .venv at the repository root and install the pinned packages.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
PELICANOPTS ?=
INPUTDIR := content
OUTPUTDIR := output
CONFFILE := pelicanconf.py
PUBLISHCONF := publishconf.py
PORT ?= 8000
BIND ?= 127.0.0.1

.PHONY: html test lint publish upload serve devserver clean browser help bench fuzz

help:
	@echo "make html       build the site into $(OUTPUTDIR)/"
	@echo "make test       run the whole test suite (installs what it needs)"
	@echo "make serve      serve $(OUTPUTDIR)/ at http://$(BIND):$(PORT)/"
	@echo "make devserver  rebuild on changes and serve (pelican --listen --autoreload)"
	@echo "make publish    build with publishconf.py: SITEURL=https://… make publish"
	@echo "make upload     publish, then rsync $(OUTPUTDIR)/ to DEST=user@host:/path/"
	@echo "make clean      remove $(OUTPUTDIR)/"
	@echo "make bench      benchmark against plain Pelican (writes bench/RESULTS.md)"
	@echo "make fuzz       property tests with many more examples (FUZZ_EXAMPLES=…)"

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(VENV)/.runtime $@

html: $(VENV)/.runtime
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS)

publish: $(VENV)/.runtime
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) $(PELICANOPTS)

# Any static host over SSH: SITEURL=https://digest.example.org make upload DEST=user@host:/var/www/digest/
DEST ?=
upload:
	@test -n "$(DEST)" || { echo "make upload: set DEST=user@host:/path/ (and SITEURL)"; exit 2; }
	$(MAKE) publish
	rsync -rlvz --delete --checksum $(OUTPUTDIR)/ $(DEST)

serve: $(VENV)/.runtime
	$(PELICAN) -l $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) -p $(PORT) -b $(BIND)

devserver: $(VENV)/.runtime
	$(PELICAN) -lr $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) -p $(PORT) -b $(BIND) $(PELICANOPTS)

# devserver: pelican --listen --autoreload; the plugin (preview.py) makes it
# also rebuild on dumps in seeds/ and on the plugin's code, not only on
# content/, theme/ and pelicanconf.py.

# Debian's Chromium for the browser tests (a test tool's own browser download
# cannot work offline). Installed only when missing; needs root or sudo.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.test browser
	$(BIN)/python -m pytest

FUZZ_EXAMPLES ?= 300000
fuzz: $(VENV)/.test
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/test_properties.py

BENCH_ARGS ?=
bench: $(VENV)/.test
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check .

clean:
	rm -rf $(OUTPUTDIR) .pytest_cache
