#!/usr/bin/env bash
# Create .venv (if missing) and install what is missing into it.
# Re-running is cheap: a stamp records the hash of the dependency list last installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${ICS_TORCH_SPEC:-torch==2.13.0}   # the CPU wheel; override for a GPU build
EXTRAS=${ICS_EXTRAS:-dev,bench}

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.ics-installed
want=$( (cat pyproject.toml; echo "$TORCH_SPEC $EXTRAS") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "bootstrap: installing dependencies into .venv (first run takes a few minutes)" >&2
.venv/bin/python -m pip install -q --upgrade pip
# torch first, so that sentence-transformers does not pull a multi-GB CUDA build
.venv/bin/python -m pip install -q "$TORCH_SPEC"
.venv/bin/python -m pip install -q -e ".[$EXTRAS]"
echo "$want" > "$stamp"
