#!/usr/bin/env bash
# Set up a working copy: a virtualenv in .venv with newsarchive installed (editable).
#   scripts/setup.sh          the product
#   scripts/setup.sh --test   the product, the test tools and Debian's Chromium for browser tests
#   scripts/setup.sh --bench  the product and the benchmark's baselines and profiler
set -euo pipefail
cd "$(dirname "$0")/.."
want_tests=0
want_bench=0
[[ "${1:-}" == "--test" ]] && want_tests=1
[[ "${1:-}" == "--bench" ]] && want_bench=1

if (( want_tests )) && [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  echo "==> installing Debian's chromium for the browser tests"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
extras=""
(( want_tests )) && extras="[test,bench,cluster]"
(( want_bench )) && extras="[bench]"
echo "==> installing newsarchive${extras} into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
