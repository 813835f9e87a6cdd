#!/usr/bin/env bash
# Set up everything (idempotent) and run every test: lint, the import layers, knowledge-base
# validation, pytest. Arguments go to pytest, e.g. the fast suite without Chromium and servers:
#   scripts/test.sh -m "not browser and not server" -n 2 --dist loadfile
set -euo pipefail
cd "$(dirname "$0")/.."
# pytest keeps its assertion-rewritten modules as .pyc files (and Python its compiled ones) only
# when bytecode may be written: with PYTHONDONTWRITEBYTECODE set, every pytest-xdist worker
# rewrites the test modules and the ~330 modules of dash (its pytest plugin's package) again and
# compiles everything else: `pytest --collect-only` took 8.3 s of CPU, 4.2 s with the .pyc files
# kept (they land in __pycache__/, ignored by git)
unset PYTHONDONTWRITEBYTECODE
scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/lint-imports
.venv/bin/alliance-atlas validate
exec .venv/bin/pytest "$@"
