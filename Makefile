# The two set-up commands of the README:
#   make demo   installs offhours into .venv and runs the main job on the bundled example
#   make test   installs what the tests need (Prometheus too, when missing) and runs them all
VENV ?= .venv
PY := $(VENV)/bin/python
OFFHOURS := $(VENV)/bin/offhours
PYTEST_ARGS ?=

.PHONY: demo test check install install-test prometheus bench clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(OFFHOURS) validate --policies policies --repo .
	$(OFFHOURS) demo --output demo-output

# Prometheus (Debian package) for the integration tests; installed when missing.
prometheus:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q prometheus; }
	@prometheus --version 2>&1 | head -n 1

check: install-test
	$(VENV)/bin/ruff check scheduler tests bench
	$(VENV)/bin/ruff format --check scheduler tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: install-test prometheus check
	OFFHOURS_REQUIRE_PROMETHEUS=1 OFFHOURS_REQUIRE_ENGINES=1 $(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: install
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
