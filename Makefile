# The two front-door commands:  `make run`  and  `make test`.
# Both create .venv with python3 (3.11 or newer) and install what they need on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run demo test lint bench lock clean

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

# requirements.txt pins every dependency of pyproject.toml for Linux and the Python of .python-version, as
# Heroku's buildpack and the Dockerfile install them; its last line installs the app itself.
lock: $(VENV)/.python
	$(BIN)/python -m pip install -q "pip-tools>=7.4"
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		--output-file=requirements.txt pyproject.toml
	printf '%s\n' '# the app itself (Heroku and the container install it from this file too)' . >> requirements.txt

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
