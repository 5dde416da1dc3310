# Two commands for a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: install run demo test test-fast clean-data screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Our own modules' bytecode too (pip compiles only what it installs, not an editable tree): with
# PYTHONDONTWRITEBYTECODE set, as on the shared machine, every `kpi` run would compile them again
# (~0.15 s CPU of each command's start-up). A module edited since is compiled in memory as before.
install: $(STAMP)
	@$(BIN)/python -m compileall -q kpi pipelines dashboard >/dev/null

demo: install
	$(BIN)/kpi demo

# The dashboard and `kpi watch` (inbox -> ingest) side by side; Ctrl-C stops both. A background
# job of a non-interactive shell ignores SIGINT, so the trap stops the watcher with SIGTERM.
run: demo
	@trap 'kill -TERM $$watcher 2>/dev/null; wait $$watcher' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/kpi watch & watcher=$$!; \
	$(BIN)/streamlit run dashboard/server.py --server.address 127.0.0.1 --server.port $(PORT)

# Two pytest-xdist workers (the CI machine's two cores): each test module runs whole on one worker,
# and the browser, replica, load and bench suites (servers, Chromium) one after another on one
# worker (tests/conftest.py, ModuleOrSerialScheduling). TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser and not replicas"

clean-data:
	rm -rf data/inbox data/archive data/rejected data/warehouse

screenshots: install
	$(BIN)/python scripts/make_screenshots.py

# Ingest and dashboard benchmarks (issue 7; docs/benchmarks.md). Not a test, not in CI:
# the full run takes 20-30 minutes. BENCH_ARGS=--quick for a tiny run.
.PHONY: bench
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# N dashboard replicas behind HAProxy on one machine (issue 20; docs/deployment.md, "Several
# replicas behind HAProxy"). REPLICAS defaults to one per core; SERVE_PORT is the proxy's port.
# Needs Debian's haproxy. Ctrl-C stops the proxy and every replica.
REPLICAS ?=
SERVE_PORT ?= 8500
.PHONY: serve bench-replicas
serve: install
	$(BIN)/python -m deploy.serve --port $(SERVE_PORT) $(if $(REPLICAS),--replicas $(REPLICAS))

# 1 and 2 replicas through the proxy at 20 and 50 sessions (docs/benchmarks.md, "Replicas"). Not in CI.
bench-replicas: install
	$(BIN)/python -m bench.replicas $(BENCH_ARGS)
# Serving bench (issue 13; docs/benchmarks.md, docs/load-test.md): protocol-level sessions against
# one `streamlit run` pinned to core 0, with the bare-Streamlit floor. Not a test, not in CI.
# SERVING_ARGS="--sessions 50 --views 6 --think 1" or "--ingest-rows 20000 --ingests 3".
.PHONY: bench-serving
SERVING_ARGS ?= --sessions 20 --views 6 --think 1 --floor-defaults
bench-serving: install
	$(BIN)/python -m bench.serving $(SERVING_ARGS)

# Ingest on every kind of valid file (issue 21; docs/benchmarks.md, "File shapes"): 1M-row CSV
# shapes and a 100k-row workbook against DuckDB, Polars and pandas, pinned to core 1. Not in CI
# (about 15 minutes). SHAPES_ARGS="--quick" for a tiny run, "--shapes notes,cp1258 --repeats 5".
.PHONY: bench-shapes
SHAPES_ARGS ?= --dir /tmp/kpi-bench-shapes
bench-shapes: install
	$(BIN)/python -m bench.shapes $(SHAPES_ARGS)
