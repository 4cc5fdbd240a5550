# Two commands on a fresh clone: `make serve` and `make test`. Everything the project
# needs is installed from here: Python packages into .venv from uv.lock, Debian's
# chromium for the browser tests, npm packages (package-lock.json) for the graph page.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1
# uv uses the interpreter that made .venv and never downloads one.
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup lock lock-check serve build test check lint bench bench-serve fuzz eval browser clean

setup: $(STAMP) node_modules/.installed

# Python packages come from uv.lock alone (hashes checked). uv itself is bootstrapped
# from requirements/uv.txt, which `make lock` exports from the same lock.
$(UV): requirements/uv.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/uv.txt
	$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check --yes setuptools  # venv's seed, not in the lock
	touch $@

$(STAMP): $(UV) pyproject.toml $(wildcard uv.lock)
	@$(LOCK_CHECK)
	$(UV) sync --frozen --all-extras --all-groups --compile-bytecode --quiet
	touch $@

# A missing lock, or one older than pyproject.toml's ranges, stops the install with one
# line saying what to run: never a silent resolve to whatever is newest today.
LOCK_CHECK = test -f uv.lock || { echo "uv.lock is missing: run 'make lock' to create it" >&2; exit 1; }; \
	$(UV) lock --check --offline --quiet 2>/dev/null || { \
	  echo "uv.lock is out of date with pyproject.toml: run 'make lock' to refresh it" >&2; exit 1; }

lock-check: $(UV)
	@$(LOCK_CHECK)

# Upgrade: the newest versions pyproject.toml allows, then `make test` is the gate.
lock: $(UV)
	$(UV) lock --upgrade
	$(UV) export --frozen --only-group tools --no-emit-project --format requirements.txt --quiet -o requirements/uv.txt

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
	$(BIN)/ruff check plugins tests bench fuzz
	$(BIN)/ruff format --check plugins tests bench fuzz

test: setup browser
	$(BIN)/ruff check plugins tests bench fuzz
	$(BIN)/ruff format --check plugins tests bench fuzz
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/run.py

# The `make serve` bar: edit one of 5,000 served postmortems, time until it is fresh.
bench-serve: setup
	$(BIN)/python bench/serve_edit.py 5000

# Fuzz the parsers and the checker (hypothesis at scale; FUZZ_EXAMPLES=20000 by default).
fuzz: setup
	$(BIN)/python fuzz/run.py

# Precision and recall of the language rules on the labelled evaluation set (eval/).
eval: setup
	$(BIN)/python eval/run.py

clean:
	rm -rf site site-public .pytest_cache bench/out
