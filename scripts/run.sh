#!/usr/bin/env bash
# Set up everything (idempotent) and run the dashboard on http://127.0.0.1:8050 (offline).
# Any arguments go to `alliance-atlas` instead (e.g. scripts/run.sh layers --out out/layers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if (($#)); then
  exec .venv/bin/alliance-atlas "$@"
fi
exec .venv/bin/alliance-atlas serve
