#!/usr/bin/env bash
# Set up everything (idempotent) and run every test: lint, knowledge-base validation, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/alliance-atlas validate
exec .venv/bin/pytest "$@"
