#!/usr/bin/env bash
# Set up everything the tests need, then run them. Extra arguments go to pytest:
#   scripts/test.sh              the default suite
#   scripts/test.sh -m slow      the slow suite (fault injection, property and load runs)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
