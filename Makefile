# Two commands for a fresh clone (see README.md):
#   make dashboard   install, build the seed table, start the dashboard
#   make test        install, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: dashboard test install browser lock bench

# Bytecode is written at install: where PYTHONDONTWRITEBYTECODE is set, every process (each Dask
# worker too) would otherwise compile pandas, pyarrow and distributed again at start, about 1.5 s each.
$(BIN)/govstats: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python -q --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	$(BIN)/python -m compileall -q etl dashboard > /dev/null
	touch $@

install: $(BIN)/govstats

dashboard: install
	$(BIN)/govstats dashboard

# The end-to-end browser test drives Debian's Chromium; install it where we may.
browser:
	@bash scripts/ensure-chromium

test: install browser
	$(BIN)/python -m pytest -n 2

lock:
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --extra train -o requirements.lock -q --python-version 3.11

bench: install
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done
