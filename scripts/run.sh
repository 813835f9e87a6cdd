#!/usr/bin/env bash
# Set up everything (idempotent) and run Alliance Atlas's main job.
# With no arguments it writes the map layers to out/layers; any arguments go to `alliance-atlas`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if (($#)); then
  exec .venv/bin/alliance-atlas "$@"
fi
exec .venv/bin/alliance-atlas layers --out out/layers
