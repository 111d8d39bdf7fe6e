# kgrec — the two commands of the README, and a few more for development.
# `make demo`: set up, start Neo4j, ingest → train → serve.   `make test`: the whole suite on real Neo4j.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kgrec-installed
# Real datasets for tests, benchmarks and the demo (never copied into the repository).
KGREC_DATA_DIR ?= $(abspath ../shared/datasets)
export KGREC_DATA_DIR

.PHONY: install demo test lint neo4j-start neo4j-stop bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $@

install: $(STAMP)  ## create the virtual environment and install kgrec with its test extras

demo: install  ## Neo4j up, MovieLens-100K + DBpedia ingested, a model trained, GraphQL API serving
	$(BIN)/kgrec demo

test: install  ## lint, then the whole test suite against a real Neo4j 5.26
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

neo4j-start: install
	$(BIN)/kgrec neo4j start

neo4j-stop: install
	$(BIN)/kgrec neo4j stop

bench: install  ## the speed benchmarks (ingest, export, serving) → benchmarks/README.md; accuracy: see there
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/kgrec demo --no-serve
	$(BIN)/python benchmarks/export.py
	$(BIN)/python -m benchmarks.serve

clean:
	rm -rf $(VENV) .kgrec .pytest_cache .ruff_cache
