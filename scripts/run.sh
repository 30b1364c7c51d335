#!/usr/bin/env bash
# Start the locator on the shipped data: set up, then the HTTP API (and maps) on http://127.0.0.1:8000
# Extra arguments go to `locator serve` (e.g. --port 8080, --workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/locator serve "$@"
