# Two commands on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
TOOLS  ?= .venv-tools
LOWEST ?= .venv-lowest
CHECKOV_VERSION := 3.3.30
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build test test-lowest setup setup-dev tools graphviz bench clean

build: setup graphviz
	$(BIN)/archc build spec/

# The whole suite at the newest dependency versions the ranges allow (what `pip install` picks
# today), after the lowest-versions run, so pytest's summary of the whole suite is the last line.
test: setup-dev graphviz tools test-lowest
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

# pyproject.toml's dependencies are ranges; this proves their lower bounds. A venv holds every
# runtime dependency at exactly its lower bound (.ci/lowest.py reads them from pyproject.toml)
# and runs the tests that exercise each of them: parse and the overlay schema (lark, PyYAML,
# jsonschema), check, build with the diagrams and their golden bytes (networkx, Jinja2,
# diagrams), build --check, and diff. About 20 s once the venv exists.
LOWEST_TESTS := tests/unit/spec tests/test_cases.py tests/test_example_outputs.py \
                tests/test_build.py tests/test_check_renderer.py tests/test_diff_cases.py
test-lowest: $(LOWEST)/.installed graphviz
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider $(LOWEST_TESTS)

$(LOWEST)/.installed: pyproject.toml .ci/lowest.py
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(PYTHON) .ci/lowest.py > $(LOWEST)/pins.txt
	$(LOWEST)/bin/python -m pip install --quiet --disable-pip-version-check -r $(LOWEST)/pins.txt
	$(LOWEST)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(LOWEST)/bin/python -m pip check   # the pins satisfy archc's declared ranges
	touch $@

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

# Ends with what ran and what was skipped, and why (the parser benchmark needs the Mermaid oracle).
bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(TOOLS) $(LOWEST) build dist *.egg-info .pytest_cache
