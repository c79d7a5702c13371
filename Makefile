# Plain targets for a newcomer: `make venv`, then `make run` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
EXTRAS ?= edge,hub,dev

.PHONY: venv run test lint bench clean

$(BIN)/comptoir: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

## venv: create .venv and install Comptoir with the edge, hub and dev extras
venv: $(BIN)/comptoir

## run: the whole simulated shop (comptoir demo): prints the dashboard and kiosk URLs and a staff login
run: venv
	$(BIN)/comptoir demo

## test: the whole test suite, against a real mosquitto when one is installed
test: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check .

## bench: the benchmarks of bench/, each printing its ratios
bench: venv
	$(BIN)/python bench/link.py
	$(BIN)/python bench/bridge.py
	$(BIN)/python bench/rfid.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
