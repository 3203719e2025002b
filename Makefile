# One entry point for developers and CI. `make test` works on a fresh machine:
# it creates the virtualenv, installs driftui with its test extras, builds the local
# control plane (cached by input hash), then runs lint, type checks and the tests.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: test lint typecheck unit demo demo-capture install testbin screenshots bench clean krew

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

# The krew release archive and its filled-in manifest, in dist/krew (packaging/krew/build.py).
# WHEELHOUSE=DIR (optional): every dependency's wheel, so the plugin's first run is offline.
krew: install
	@test -n "$(VERSION)" -a -n "$(RELEASE_URL)" || \
		{ echo "usage: make krew VERSION=v0.1.0 RELEASE_URL=https://…/download/v0.1.0"; exit 2; }
	$(BIN)/python packaging/krew/build.py --version "$(VERSION)" --release-url "$(RELEASE_URL)" \
		$(if $(WHEELHOUSE),--wheelhouse "$(WHEELHOUSE)")

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
