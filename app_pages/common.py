"""Helpers shared by the pages: which scenario is open, loaded once per file version."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from planner import check_scenario
from planner.domain import Scenario
from planner.errors import Problem

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


def default_scenario_path() -> Path:
    """The demo, or the scenario named by PLANNER_SCENARIO."""
    return Path(os.environ.get("PLANNER_SCENARIO", DEMO))


@st.cache_data(show_spinner="Loading scenario …")
def cached_check(path: str, _version: float) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Load and validate once per path and modification time (plain data, safe to cache)."""
    return check_scenario(path)


def open_scenario(path: Path) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Load ``path`` through the cache, keyed by its newest file's modification time."""
    files = list(path.iterdir()) if path.is_dir() else [path]
    version = max((f.stat().st_mtime for f in files), default=0.0) if path.exists() else 0.0
    return cached_check(str(path), version)
