# ganbook: `make book` builds the executed book, `make test` runs every test.
# Both set up .venv first (Python 3.11, the pinned CPU torch wheel, then requirements.txt).

SHELL  := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BROWSER_STAMP := .cache/integration.installed
HTML   := _build/html
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: book test setup lint html pytest integration integration-deps notebooks release bench mutate mutation-score reference clean

book: html
	@echo "Book built: $(abspath $(HTML))/index.html"

# the linter, unit tests, then the executed book (every chapter's checks), then the built site in
# a real browser and one notebook in a clean Colab-like environment
test: lint pytest html integration

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

# ruff, pinned, on the package and its tests (configuration: [tool.ruff] in pyproject.toml)
RUFF := ruff==0.17.5
RUFF_STAMP := $(VENV)/.$(RUFF)
lint: $(RUFF_STAMP)
	$(BIN)/ruff check src tests

$(RUFF_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check $(RUFF)
	touch $@

pytest: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/integration

integration: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/python -m pytest tests/integration

# Debian's Chromium (the browser test drives it) and MathJax 3 from npm (served in place of the
# CDN copy the pages load, so the test runs offline).
integration-deps: $(BROWSER_STAMP)

$(BROWSER_STAMP):
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } \
	  || { echo "install Debian's chromium (as root: apt-get install chromium)"; exit 1; }
	npm install --prefix .cache/npm --no-audit --no-fund --silent mathjax@3.2.2
	touch $@

# Executing the book is the chapter test: a cell error or a failed claim check fails the build.
# .ci/execute.py runs every chapter (as many at a time as there are cores, one thread each) into
# the build's cache and prints a failing chapter's traceback; the build then renders them and runs
# the pages that summarise their ledgers (execute.raise_on_error in _config.yml, -W for warnings).
html: $(STAMP)
	$(BIN)/python .ci/execute.py
	set -o pipefail; $(BIN)/jupyter-book build . --all -W -n --keep-going 2>&1 | tee _build/build.log \
	  || { cat $(HTML)/reports/*.log $(HTML)/reports/*/*.log 2>/dev/null; exit 1; }
	! grep -E "book/[0-9]{2}-[^:]*: Executing notebook" _build/build.log \
	  || { echo "a chapter missed the cache of .ci/execute.py and ran again in the build"; exit 1; }
	$(BIN)/python .ci/summary.py

# Reference runs (ganbook.reference): the mode benchmarks at GDPP's budget (chapter 09) and the WGAN
# arms at a quarter of the paper's generator steps (chapter 06), on CUDA when present; results in
# book/results/<name>.json, which the chapters read (every build re-runs each stored prefix).
# One experiment: make reference NAME=ring-gan
NAME ?=
reference: $(STAMP)
	$(BIN)/python -m ganbook.reference $(NAME) --out book/results

# Speed: trainer vs a hand-written loop, exact W1 vs POT, chapter times vs budgets (last build).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Named student mistakes applied to a copy of the package: each must fail a chapter's check.
mutate: $(STAMP)
	$(BIN)/python .ci/mutate.py

# Mutation testing of the numerical core (mutmut, installed on demand): kill rate per module.
mutation-score: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check mutmut==3.8.1
	rm -rf mutants
	# one OpenMP thread: mutmut forks a worker per mutant, and torch's thread pool does not
	# survive a fork (workers hang until the time limit, which would count as false kills)
	OMP_NUM_THREADS=1 $(BIN)/mutmut run --max-children 2 > /dev/null
	$(BIN)/python .ci/mutation_score.py

notebooks: $(STAMP)
	$(BIN)/python .ci/notebooks.py

# A release: wheel and sdist in dist/ (python -m build), checked (twine check --strict); prints the
# tag command. The notebooks install a release by its tag v<version> (version in pyproject.toml).
release: $(STAMP)
	$(BIN)/python .ci/release.py

# what builds and tests leave: the book, wheels and sdists, caches, mutants
clean:
	rm -rf _build build dist src/*.egg-info mutants .pytest_cache .ruff_cache .hypothesis
	find src tests benchmarks .ci -name __pycache__ -type d -prune -exec rm -rf {} +
