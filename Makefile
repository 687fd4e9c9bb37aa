# wirewatch: `make demo`, `make test`, `make bench`. Each creates .venv and installs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	# pywb (the test's WARC replay) pulls in brotlipy, which shadows the brotli module Scrapy
	# decodes `br` with and breaks it: put Google's brotli back.
	$(BIN)/pip uninstall --quiet -y brotlipy
	$(BIN)/pip install --quiet --force-reinstall --no-deps brotli==1.2.1
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m wirewatch.demo
	@echo "Browse the demo archive (read-only, on this machine only):"
	@echo "  $(BIN)/wirewatch serve --archive data/demo/wirewatch.duckdb --seeds data/demo/seeds   # then open http://127.0.0.1:8080/"

# The web view's tests drive Debian's headless Chromium (Playwright never downloads a browser here);
# the shared archive's tests start a throwaway PostgreSQL server (Debian's postgresql: initdb and
# pg_ctl as an unprivileged user), and here they must run rather than skip.
test: $(STAMP) /usr/bin/chromium $(PG_CTL)
	WIREWATCH_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q -n 2

/usr/bin/chromium:
	apt-get update -q && apt-get install -y -q chromium chromium-driver

PG_CTL := $(firstword $(wildcard /usr/lib/postgresql/*/bin/pg_ctl) /usr/lib/postgresql/15/bin/pg_ctl)

/usr/lib/postgresql/15/bin/pg_ctl:
	apt-get update -q && apt-get install -y -q postgresql

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.webbench

clean:
	rm -rf $(VENV) data/demo bench/out
