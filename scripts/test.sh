#!/usr/bin/env bash
# Install everything (Python packages and the system packages the tests use) and run every check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -e ".[dev]"
# Chinese glyphs for the PDF notices and route sheets (planner/notices.py), only when missing.
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null)
# Debian's Chromium for the browser test (tests/test_browser.py; Playwright's own download is not used).
dpkg -s chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
# PostgreSQL on loopback for the store tests (tests/test_store.py run on SQLite and on it).
# In CI a PostgreSQL that cannot be had fails the run; elsewhere the tests say they skipped it.
if [ -z "${PLANNER_TEST_POSTGRES_URL:-}" ]; then
  echo "== postgres"
  if PLANNER_TEST_POSTGRES_URL="$(bash scripts/postgres.sh)"; then
    export PLANNER_TEST_POSTGRES_URL
    echo "store tests also run on $PLANNER_TEST_POSTGRES_URL"
  elif [ "${CI:-}" = "true" ]; then
    echo "FAILED: could not start PostgreSQL for the store tests (scripts/postgres.sh)"; exit 1
  else
    unset PLANNER_TEST_POSTGRES_URL
    echo "PostgreSQL not available: store tests run on SQLite only (PostgreSQL cases skip)"
  fi
fi
# Every check runs even when an earlier one fails, so one run shows everything; any failure fails.
failed=()
step() { local name=$1; shift; echo "== $name"; "$@" || failed+=("$name"); }
step "ruff check" python3 -m ruff check .
step "ruff format" python3 -m ruff format --check .
step "mypy" python3 -m mypy planner
step "pytest" python3 -m pytest -q "$@"
if ((${#failed[@]})); then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all checks passed"
