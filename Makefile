# Two commands on a fresh clone: `make serve` and `make test`. Everything the project
# needs is installed from here: Python packages into .venv, Debian's chromium for the
# browser tests, npm packages for the graph page.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test check lint bench bench-serve fuzz browser clean

setup: $(STAMP) node_modules/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q plugins  # bytecode, even where PYTHONDONTWRITEBYTECODE is set
	touch $@

# Front-end libraries for the graph page, self-hosted: the site makes no outside request.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

serve: setup
	$(BIN)/mkdocs serve --dirty --dev-addr $(HOST):$(PORT)

build: setup
	$(BIN)/mkdocs build --strict

check: setup
	$(BIN)/pmkb check

lint: setup
	$(BIN)/ruff check plugins tests bench

test: setup browser
	$(BIN)/ruff check plugins tests bench
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/run.py

# The `make serve` bar: edit one of 5,000 served postmortems, time until it is fresh.
bench-serve: setup
	$(BIN)/python bench/serve_edit.py 5000

# Fuzz the parsers and the checker (hypothesis at scale; FUZZ_EXAMPLES=20000 by default).
fuzz: setup
	$(BIN)/python fuzz/run.py

clean:
	rm -rf site site-public .pytest_cache bench/out
