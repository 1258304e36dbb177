# Two commands for a new machine: `make demo` and `make test`. Both build .venv themselves.
# `make demo` installs what the demo runs (core, every plugin and its simulator); `make test` adds
# the test and lint tools of requirements-dev.txt. pip shows its progress: a first install takes minutes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on
PACKAGES := -e 'core[bus,postgres]' -e plugins/paper -e 'plugins/zerodha[sim]' -e 'plugins/xts_client[sim]' -e 'plugins/xts_pro[sim]' -e server
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test bench lint install clean servers

$(BIN)/python:
	@echo "▸ creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# Reinstall whenever a distribution's metadata changes.
$(STAMP): $(BIN)/python core/pyproject.toml $(wildcard plugins/*/pyproject.toml) server/pyproject.toml
	@echo "▸ installing brokerplex, its broker plugins and their simulators into $(VENV)"
	$(PIP) $(PACKAGES)
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	@echo "▸ installing the test and lint tools (requirements-dev.txt)"
	$(PIP) -r requirements-dev.txt
	touch $(DEV_STAMP)

install: $(STAMP)

# The servers the tests start for themselves, each on its own socket: installed with apt-get when missing.
servers:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" -ne 0 ]; then echo "redis-server is missing: apt-get install redis-server (as root)" >&2; exit 1; fi; \
	  echo "▸ installing redis-server (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; }
	@command -v initdb >/dev/null || [ -x "$$(pg_config --bindir 2>/dev/null)/initdb" ] \
	  || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -ne 0 ]; then echo "PostgreSQL is missing: apt-get install postgresql (as root)" >&2; exit 1; fi; \
	  echo "▸ installing postgresql (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

demo: $(STAMP)
	$(BIN)/brokerplex demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(DEV_STAMP) servers lint
	$(BIN)/python -m pytest -n 2 tests

# Every benchmark runs; the exit status says whether one missed its goal (each names what it missed).
bench: $(STAMP)
	@missed=""; for script in benchmarks/[!_]*.py; do $(BIN)/python $$script || missed="$$missed $$script"; done; \
	  if [ -n "$$missed" ]; then echo "goals missed by:$$missed" >&2; exit 1; fi

clean:
	rm -rf $(VENV)
