#!/usr/bin/env bash
# Start the locator: set up, then the HTTP API (and maps) on http://127.0.0.1:8000, serving the
# store var/registry.sqlite in this checkout (git-ignored), which the first start creates from
# the shipped data. LOCATOR_REGISTRY, when set, names another registry.
# Extra arguments go to `locator serve` (e.g. --port 8080, --workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export LOCATOR_REGISTRY="${LOCATOR_REGISTRY:-$PWD/var/registry.sqlite}"
exec .venv/bin/locator serve "$@"
