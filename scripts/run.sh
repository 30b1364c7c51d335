#!/usr/bin/env bash
# Run the locator on the shipped data: set up, validate data/, answer a nearest query.
# (Once the HTTP server lands this starts `locator serve`.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/locator validate
.venv/bin/locator nearest 39.95 116.38 "$@"
