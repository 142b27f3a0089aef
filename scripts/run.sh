#!/usr/bin/env bash
# Install everything and start the app on the demo district (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -e .
# Chinese glyphs for the PDF notices and route sheets (planner/notices.py), only when missing.
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null)
# Demo mode (PLANNER_DEMO=1, the default here): a warning on every page, demo accounts with fresh
# passwords printed below. A real installation runs with PLANNER_DEMO=0: its accounts are made
# with `python -m planner.auth add`, and access codes use the secret the database made on first
# start (or PLANNER_SECRET, at least 12 random characters); see docs/security.md.
export PLANNER_DEMO="${PLANNER_DEMO:-1}"
# The database (PLANNER_DATABASE_URL, default: SQLite in the user's data directory) with the demo
# stored, and the demo accounts with fresh passwords, printed here (only their hashes are kept).
python3 -m planner db init
if [ "$PLANNER_DEMO" = 1 ]; then
  python3 -m planner.auth demo --scenario "${PLANNER_SCENARIO:-data/demo}" --reset
fi
exec python3 -m streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
