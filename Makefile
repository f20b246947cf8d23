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
	$(BIN)/python -m pytest $(ARGS)

lint: $(BIN)/opentim
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(VENV) build *.egg-info
