# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Prefect must not phone home, and its ephemeral server needs more than the
# default 20 s to start on a 2-core machine.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120

.PHONY: run test bench ui-check report-check clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/repro-tracker run examples/papers.txt

# Lint and types first (the configuration is in pyproject.toml): a finding fails the build like a test.
test: $(BIN)/.installed
	$(BIN)/ruff check tracker flows
	$(BIN)/mypy tracker flows
	$(BIN)/python -m pytest -n auto

# A Prefect server on a free port, a run against the stand-in world, and a
# headless-Chromium screenshot of the repro-status artifact (needs `chromium`).
ui-check: $(BIN)/.installed
	$(BIN)/python scripts/ui_check.py

# A one-minute sanity run of the benchmark (N=200); `bench/run.py` alone runs N=1,000 and 10,000.
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

# Headless Chromium opens the newest reports/*/report.html (or REPORT=path) from disk:
# the charts and headline figures must be in the rendered DOM; a screenshot lands beside it.
report-check: $(BIN)/.installed
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(BIN)/python scripts/report_check.py $(REPORT)
