# Set-up and everyday commands. `make test` and `make serve` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint screen check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml package.json package-lock.json
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error  # USWDS for the web pages, axe-core for their tests
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

# A long, random schemathesis run against openapi.yaml (CI runs 200 derandomized cases per operation):
# `make fuzz` (5,000 per operation) or `make fuzz FUZZ_EXAMPLES=20000`.
.PHONY: fuzz bench-load
FUZZ_EXAMPLES ?= 5000
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/pytest tests/test_fuzz.py -q -s -p no:cacheprovider

# Five minutes at 80% of this machine's measured maximum throughput (screen, batch, catalogue); loopback only.
# Append the report to docs/performance.md with `make bench-load LOAD_ARGS=--append`.
bench-load: install
	$(BIN)/python -m bench.load $(LOAD_ARGS)
