#!/usr/bin/env bash
# One-shot GPU validation run (issue 19): set up, then benchmarks/gpu_check.py (at most 8 minutes).
#
#   benchmarks/gpu_check.sh              on a machine with an NVIDIA GPU, from a fresh clone
#   benchmarks/gpu_check.sh --dry-run    anywhere (CPU): the same code paths, tiny sizes (CI)
#
# Other arguments go to gpu_check.py (--results DIR, --budget-s S, --runs N; see --help); results in
# results/gpu_check/ (gpu_check.json, gpu_check.md). Set-up comes first and is not part of the 8
# minutes: bubblewrap from Debian (make system-packages), then the virtualenv $VENV (.venv) unless it
# exists. torch must be the CUDA build: where the machine's $PYTHON (python3) already has a CUDA torch,
# the virtualenv is built on it (--system-site-packages) and only this package and its other
# dependencies are installed (no torch download); otherwise `make setup` installs torch==2.13.0
# (constraints.txt) from the registry, which on a Linux x86_64 GPU machine is the CUDA build with its
# NVIDIA libraries (~3 GB: minutes, depending on the network; the rest of `make setup` took 2 min 52 s
# on the CPU machine).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
started=$(date +%s)

has_cuda() { "$1" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; }

if [ ! -x "$VENV/bin/python" ]; then
  make system-packages || echo "warning: system packages not installed; the sandbox records which layers it has"
  if has_cuda "$PYTHON"; then
    "$PYTHON" -m venv --system-site-packages "$VENV"
    # Offline, the machine's own packages may be enough: the script imports the engine from this clone.
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]' ||
      echo "warning: could not install this package's dependencies; running with what $PYTHON has"
  else
    make setup PYTHON="$PYTHON" VENV="$VENV"
  fi
fi
if ! has_cuda "$VENV/bin/python"; then
  echo "note: torch in $VENV has no usable GPU ($("$VENV/bin/python" -c 'import torch; print(torch.__version__)'));" \
       "on a GPU machine, set up a fresh one: VENV=.venv-gpu $0"
fi
echo "set-up: $(( $(date +%s) - started )) s"
exec "$VENV/bin/python" benchmarks/gpu_check.py "$@"
