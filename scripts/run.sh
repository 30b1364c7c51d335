#!/usr/bin/env bash
# Start the locator: set up, then the HTTP API (and maps) on http://127.0.0.1:8000, serving the
# default store ($XDG_DATA_HOME/locator/registry.sqlite, outside git) — the same one every
# `locator` command edits — which the first start creates from the shipped data.
# LOCATOR_REGISTRY, when set, names another registry (for the server and the commands alike).
# Extra arguments go to `locator serve` (e.g. --port 8080, --workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/locator serve "$@"
