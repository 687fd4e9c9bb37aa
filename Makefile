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

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/demo bench/out
