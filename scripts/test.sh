#!/usr/bin/env bash
# Install everything (Python packages and the system packages the tests use) and run every check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -e ".[dev]"
echo "== ruff"; python3 -m ruff check . && python3 -m ruff format --check .
echo "== mypy"; python3 -m mypy planner
echo "== pytest"; python3 -m pytest -q "$@"
