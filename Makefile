# Two commands for a fresh machine: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# axe-core, which the browser tests inject to check each page's accessibility.
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint bench area clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Touched: npm may leave it older than package-lock.json, and make would reinstall each time.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

# `make run AREA=data/reference/NAME` (or SAFETYNET_AREA=... make run) shows another area
# built with build-area; areas under data/reference/ are offered in the sidebar.
run: $(STAMP)
	$(PY) -m analysis serve $(if $(AREA),--area "$(AREA)")

test: $(STAMP) $(AXE)
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
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artefacts node_modules
