#!/usr/bin/env bash
# Set up everything (idempotent) and run every test: lint, the import layers, knowledge-base
# validation, pytest. Arguments go to pytest, e.g. the fast suite without Chromium and servers:
#   scripts/test.sh -m "not browser and not server" -n 2 --dist loadfile
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/lint-imports
.venv/bin/alliance-atlas validate
exec .venv/bin/pytest "$@"
