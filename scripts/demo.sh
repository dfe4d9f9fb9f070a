#!/usr/bin/env bash
# Set up, build the demo archive (40+ articles, indexed) and serve it on http://127.0.0.1:8080
# Extra arguments go to `newsarchive demo` (e.g. --port 9000, --home DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/newsarchive demo "$@"
