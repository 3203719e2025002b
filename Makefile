# One entry point for developers and CI. `make test` works on a fresh machine:
# it creates the virtualenv, installs driftui with its test extras, builds the local
# control plane (cached by input hash), then runs lint, type checks and the tests.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: test lint typecheck unit demo demo-capture install testbin screenshots bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "driftui needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

testbin: install
	@$(BIN)/python -m tests.cluster build > $(VENV)/testbin.path

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint typecheck testbin
	PATH="$$(cat $(VENV)/testbin.path):$$PATH" $(BIN)/pytest

demo: install
	$(BIN)/driftui demo

# Re-capture the demo's live snapshot from a real control plane (driftui/demo/snapshot.json)
demo-capture: testbin
	PATH="$$(cat $(VENV)/testbin.path):$$PATH" $(BIN)/python -m tests.cluster.capture_demo

screenshots: install
	$(BIN)/python screenshots/make.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
