# Two commands on a fresh machine with Python 3.11+ (README's quick start):
#   make demo    the bot with the simulator, on http://127.0.0.1:8080
#   make test    the whole test suite, on every core (what .ci/run calls)
# Each creates .venv on first use and installs the pinned versions of requirements/*.lock, so
# every machine runs the same ones; later runs reinstall only when a lockfile or pyproject.toml
# changed. Extra arguments: make test ARGS='-m "not e2e"', make demo ARGS=--no-browser.
# Without make: pip install -e '.[test]' in a venv of your own, then wxbot demo / pytest.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
# as if activated: tests look up gunicorn, redis-server and the like on PATH
IN_VENV := PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))"

.PHONY: demo test env lock clean-env

demo: $(VENV)/.demo-installed
	$(IN_VENV) $(BIN)/wxbot demo $(ARGS)

test: $(VENV)/.test-installed
	$(IN_VENV) $(BIN)/pytest $(ARGS)

env: $(VENV)/.test-installed  ## the test environment only (ruff, mkdocs and pytest in .venv)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "wxbot needs Python 3.11 or newer: make PYTHON=python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# demo.lock is test.lock's versions for the bot alone: the test environment serves the demo too
$(VENV)/.demo-installed: requirements/demo.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements/demo.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.test-installed: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements/test.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.demo-installed

# After a change to pyproject.toml's dependencies: new pins for every platform, Python 3.11+
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q uv
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip compile pyproject.toml --extra test --extra docs \
	  --universal --python-version 3.11 --upgrade -o requirements/test.lock
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip compile pyproject.toml --universal \
	  --python-version 3.11 --constraint requirements/test.lock -o requirements/demo.lock

clean-env:
	rm -rf $(VENV)
