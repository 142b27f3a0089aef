#!/usr/bin/env bash
# Install everything and start the app on the demo district (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -e .
exec python3 -m streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
