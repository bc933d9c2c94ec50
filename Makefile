# Two commands for a fresh machine: `make run` and `make test`. Both bootstrap everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEVSTACK := $(PYTHON) deploy/local/devstack.py

.PHONY: run test bench lint format requirements bootstrap system-packages stop clean

run: bootstrap
	@$(DEVSTACK) run

test: bootstrap
	@$(DEVSTACK) test $(PYTEST_ARGS)

bench: bootstrap
	@$(DEVSTACK) bench $(BENCH)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

requirements: $(BIN)/.installed
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in

bootstrap: system-packages $(BIN)/.installed

# Debian packages the integration tests use (Redis for the Celery worker, Chromium for the browser
# tests); installed only when
# running as root on a Debian-like system and missing. Without them those tests are skipped.
system-packages:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null && ! (command -v redis-server && command -v chromium) >/dev/null; then \
		echo "Installing redis-server and chromium ..."; \
		(apt-get install -y -qq redis-server chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server chromium >/dev/null)) || echo "warning: redis-server/chromium could not be installed; their tests will be skipped"; \
	fi

$(BIN)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || (echo "error: python3 not found: install Python 3.11+"; exit 1)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

stop:
	@$(DEVSTACK) stop

clean:
	rm -rf $(VENV) .data
