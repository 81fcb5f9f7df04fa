# The two front-door commands:  `make run`  and  `make test`.
# Both create .venv with python3 (3.11 or newer) and install what they need on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run demo test lint bench clean

run: $(VENV)/.run  ## start the bot: the console when no Slack/Lark credentials are set
	$(BIN)/tradewind $(ARGS)

demo: $(VENV)/.run  ## the console, filled with a sample seller's backlog
	$(BIN)/tradewind console --demo

test: $(VENV)/.test  ## lint, then the whole suite on SQLite and PostgreSQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test
	$(BIN)/python bench/bench_slack.py $(ARGS)

$(VENV)/.python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Tradewind needs Python 3.11 or newer"' \
		|| { echo "Install Python 3.11+ and retry (or: make PYTHON=python3.12 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $@

$(VENV)/.run: $(VENV)/.python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: $(VENV)/.python pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(VENV)/.run $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
