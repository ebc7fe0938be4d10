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
# Another package manager (unattended-upgrades, a second apt-get) may hold apt's locks: wait for it, up
# to APT_LOCK_WAIT seconds. apt-get install waits by itself (DPkg::Lock::Timeout); apt 2.6's update
# does not wait for the lists lock, so it is retried every APT_LOCK_POLL seconds while that lock is
# what it reports.
APT_LOCK_WAIT ?= 600
APT_LOCK_POLL ?= 5
APT_UPDATE = waited=0; while ! out=$$(apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT) update -qq 2>&1); do \
	  case "$$out" in *"Could not get lock"*|*"Unable to lock"*) ;; *) echo "$$out" >&2; exit 1;; esac; \
	  [ $$waited -lt $(APT_LOCK_WAIT) ] || { echo "$$out" >&2; exit 1; }; \
	  [ $$waited -gt 0 ] || echo "waiting for another package manager to release apt's lock..."; \
	  sleep $(APT_LOCK_POLL); waited=$$((waited + $(APT_LOCK_POLL) + 1)); done
system-packages:
	@missing=""; for entry in $(SYSTEM_PACKAGES); do \
	  command -v $${entry%%:*} >/dev/null 2>&1 || missing="$$missing $${entry##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    $(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT) \
	      install -y -qq $$missing >/dev/null; \
	  else echo "warning: not installed:$$missing (see README, Security)"; fi; fi

# PyTorch: PyPI's torch for Linux is the CUDA build (about 3 GB with its NVIDIA libraries). Where
# `nvidia-smi` fails (no GPU), torch comes from PyTorch's CPU index first; where it works, from PyPI
# with everything else (the CUDA build). A torch that pip finds without any index (a local wheel
# folder in pip's own configuration) is used as it is. `make setup TORCH_INDEX=URL` picks an index;
# `TORCH_INDEX=` (empty) leaves torch to pip's own configuration.
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(shell nvidia-smi >/dev/null 2>&1 || echo $(TORCH_CPU_INDEX))

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@index="$(TORCH_INDEX)"; \
	if [ -n "$$index" ] && ! $(BIN)/python -m pip install --dry-run --quiet --no-index --no-deps \
	    -c constraints.txt torch >/dev/null 2>&1; then \
	  echo "torch from $$index"; \
	  $(BIN)/python -m pip install --quiet -c constraints.txt --index-url "$$index" torch || exit 1; fi
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: system-packages $(STAMP)

demo: setup
	$(BIN)/autograder release --all
	$(BIN)/autograder grade ps1_linalg examples/ps1_linalg/* -o results/demo

# ruff, and the engine's import layers (pyproject.toml [tool.importlinter], docs/architecture.md).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo --no-cache

# The suite in parallel, one worker per core (pytest-xdist); a file's tests share a worker unless
# marked independent (tests/conftest.py). TEST_WORKERS=0 runs it in this one process. The 20 slowest
# tests are listed at the end (where CI's time goes).
TEST_WORKERS ?= auto
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=20

clean:
	rm -rf $(VENV) results .pytest_cache build *.egg-info
