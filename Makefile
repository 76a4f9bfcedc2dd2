VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: install run test

$(PY):
	python3 -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py run_platform

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# One tier at a time (pytest.ini "markers"; tests/conftest.py marks each test).
.PHONY: test-fast test-integration test-browser test-fuzz imports
test-fast test-integration test-browser test-fuzz: test-%: install
	$(PY) -m pytest -m $* $(PYTEST_ARGS)

# No module imports another that (directly or not) imports it back.
imports: install
	$(PY) -m stigmer.devtools.import_cycles

.PHONY: bench bench-smoke bench-in-flight

# Benchmarks (docs/benchmarks.md): needs PostgreSQL and Redis on 127.0.0.1;
# the peer (LangGraph Server) is installed into .bench-venv on first use.
bench: install
	$(PY) -m bench

bench-smoke: install
	$(PY) -m bench --smoke

# The runs-in-flight section alone (docs/benchmarks-in-flight.md), about a quarter of an hour.
bench-in-flight: install
	$(PY) -m bench --only in-flight
