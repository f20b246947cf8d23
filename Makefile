# `make serve` and `make test` do all the set-up on a fresh machine (Python >= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint bench clean

$(BIN)/opentim: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/opentim
	$(BIN)/opentim serve $(ARGS)

test: $(BIN)/opentim
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/python -m pytest $(ARGS)

# Benchmarks (not part of the tests): `make bench`, `make bench ARGS=--quick`; see bench/RESULTS.md.
# wrk gives the reference numbers (`apt-get install wrk`); without it a Python generator is used.
bench: $(BIN)/opentim
	$(BIN)/python bench/run.py $(ARGS)

lint: $(BIN)/opentim
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(VENV) build *.egg-info
