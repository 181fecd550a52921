# Engram Memory — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test stop doctor bench clean

# The virtualenv, rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start Neo4j + GDS (fetched from Maven Central on first run), apply the schema, load seeds/,
## print the URLs and serve the GraphQL API in the foreground. Neo4j keeps running: `make stop`.
run: install
	$(BIN)/engram up

## The whole test suite against a real Neo4j that the test session starts (or NEO4J_URI).
test: install
	$(BIN)/pytest

stop: install
	$(BIN)/engram db stop

doctor: install
	$(BIN)/engram doctor

## The benchmarks written so far; each prints a table and writes bench/results/*.md.
## (The learning simulation and latency-vs-concurrency plots of issue 8 are not written yet.)
LOGHUB ?= ../shared/data/loghub
bench: install
	$(BIN)/engram db start
	$(BIN)/python -m bench.redaction
	$(BIN)/python -m bench.grouping_offline --loghub $(LOGHUB)
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.retention_cleanup
	$(BIN)/python -m bench.patterns --loghub $(LOGHUB) --scale 10000,100000

clean:
	-$(BIN)/engram db stop
	rm -rf .engram $(VENV)
