# Two commands on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
TOOLS  ?= .venv-tools
CHECKOV_VERSION := 3.3.30
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build test setup setup-dev tools graphviz bench clean

build: setup graphviz
	$(BIN)/archc build spec/

test: setup-dev graphviz tools
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev
tools: $(TOOLS)/.installed

# checkov pins packages that clash with archc's (and installs a second `hcl2`), so the
# security scanner the tests run on the generated Terraform lives in its own venv.
$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Graphviz renders the PNG/SVG diagrams; archc still writes Mermaid and DOT without it.
graphviz:
	@command -v dot >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq graphviz >/dev/null; }

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(TOOLS) build dist *.egg-info .pytest_cache
