# The two commands of the README, and what they need. Works on a fresh machine with only Python 3.11+.
#   make demo   set up, release the problem sets, grade the sample submissions in examples/
#   make test   set up, lint, run the whole test suite (what .ci/run calls)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint clean system-packages

# bubblewrap confines the sandboxed child (README, Security); chromium renders the HTML reports in
# a test. Installed when we are root on Debian; elsewhere the sandbox degrades with a warning and
# records which layers were active.
SYSTEM_PACKAGES := bwrap:bubblewrap chromium:chromium
system-packages:
	@missing=""; for entry in $(SYSTEM_PACKAGES); do \
	  command -v $${entry%%:*} >/dev/null 2>&1 || missing="$$missing $${entry##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: not installed:$$missing (see README, Security)"; fi; fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: system-packages $(STAMP)

demo: setup
	$(BIN)/autograder release --all
	$(BIN)/autograder grade ps1_linalg examples/ps1_linalg/* -o results/demo

lint: setup
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) results .pytest_cache build *.egg-info
