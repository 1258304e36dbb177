# Two commands for a new machine: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := -e core -e plugins/paper -e 'plugins/zerodha[sim]' -e 'plugins/xts_client[sim]' -e 'plugins/xts_pro[sim]'
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever a distribution's metadata or the tool list changes.
$(STAMP): $(BIN)/python core/pyproject.toml $(wildcard plugins/*/pyproject.toml) requirements-dev.txt
	$(BIN)/python -m pip install --quiet $(PACKAGES) -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/brokerplex demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 tests

bench: $(STAMP)
	@for script in benchmarks/[!_]*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV)
