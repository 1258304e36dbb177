# Two commands for a new machine: `make demo` and `make test`. Both build .venv themselves.
# `make demo` installs what the demo runs (core, every plugin and its simulator) and builds the web
# console (Node 20 + npm); `make test` adds the test and lint tools of requirements-dev.txt and the
# browser (Debian's chromium). pip shows its progress: a first install takes minutes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on
PACKAGES := -e 'core[bus,postgres]' -e plugins/paper -e 'plugins/zerodha[sim]' -e 'plugins/xts_client[sim]' -e 'plugins/xts_pro[sim]' -e server
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# The web console (console/): npm ci when the lock changes, npm run build when a source changes. The build
# goes into the server's package (console_dist, gitignored, shipped in its wheel): `brokerplex serve` serves it.
CONSOLE := console
CONSOLE_MODULES := $(CONSOLE)/node_modules/.package-lock.json
CONSOLE_BUILD := server/src/brokerplex_server/console_dist/index.html
CONSOLE_SOURCES := $(CONSOLE)/package-lock.json $(CONSOLE)/index.html $(CONSOLE)/openapi.json $(wildcard $(CONSOLE)/vite.config.* \
  $(CONSOLE)/tsconfig*.json) $(shell find $(CONSOLE)/src $(CONSOLE)/public -type f 2>/dev/null)
NPM = @command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer with npm" >&2; exit 1; }; \
  cd $(CONSOLE) && npm --no-audit --no-fund

.PHONY: demo test bench lint install clean servers console

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

$(CONSOLE_MODULES): $(CONSOLE)/package-lock.json
	@echo "▸ installing the console's packages (npm ci)"
	$(NPM) ci

$(CONSOLE_BUILD): $(CONSOLE_MODULES) $(CONSOLE_SOURCES)
	@echo "▸ building the web console (npm run build)"
	$(NPM) run build

console: $(CONSOLE_BUILD)

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
	@[ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" -ne 0 ]; then echo "Chromium is missing: apt-get install chromium (as root)" >&2; exit 1; fi; \
	  echo "▸ installing chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation; }

demo: $(STAMP) console
	$(BIN)/brokerplex demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(DEV_STAMP) servers lint console
	$(NPM) test
	$(BIN)/python -m pytest -n 3 tests

# Every benchmark runs; the exit status says whether one missed its goal (each names what it missed). They
# start their servers as the tests do (redis-server, Chromium, the console's build) with the test tools.
bench: $(DEV_STAMP) servers console
	@missed=""; for script in benchmarks/[!_]*.py; do $(BIN)/python $$script || missed="$$missed $$script"; done; \
	  if [ -n "$$missed" ]; then echo "goals missed by:$$missed" >&2; exit 1; fi

clean:
	rm -rf $(VENV) $(CONSOLE)/node_modules $(dir $(CONSOLE_BUILD))
