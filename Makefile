# Two commands for a fresh machine: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench area clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# `make run AREA=data/reference/NAME` (or SAFETYNET_AREA=... make run) shows another area
# built with build-area; areas under data/reference/ are offered in the sidebar.
run: $(STAMP)
	$(PY) -m analysis serve $(if $(AREA),--area "$(AREA)")

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Rebuild the bundled Bristol reference data from the raw public files.
area: $(STAMP)
	$(PY) -m analysis build-area --source ../shared/data/bristol --lad E06000023 \
		--out data/reference/bristol

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artefacts
