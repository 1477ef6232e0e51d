# Set-up and everyday commands. `make test` and `make serve` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint screen check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check eligibility api tests bench

check: install
	$(BIN)/eligibility check

test: install lint check
	$(BIN)/pytest

screen: install
	$(BIN)/eligibility screen examples/household.json --date 2025-11-15

bench: install
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) .pytest_cache

# The HTTP API on 127.0.0.1:8000, one gunicorn worker per core (HOST, PORT, WORKERS override).
.PHONY: serve openapi bench-http
HOST ?= 127.0.0.1
PORT ?= 8000
serve: install
	$(BIN)/python -m api.serve --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

# Regenerate the committed contract from the code (tests fail while it is stale).
openapi: install
	$(BIN)/python -m api.spec > openapi.yaml.new && mv openapi.yaml.new openapi.yaml

# Our /v1/screen beside OpenFisca's web API /calculate on the same rules and worker count.
bench-http: install
	$(BIN)/python -m bench.http
