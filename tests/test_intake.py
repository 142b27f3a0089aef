"""Intake of real registries: several licences per business, holidays, inspection windows, lunch.

Each test copies the tiny scenario (tests/fixtures/tiny) to a temporary folder, changes the one
thing its rule is about, and loads it through ``load_scenario`` as a township's files would be.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from planner import load_scenario
from planner.domain import Scenario
from planner.obligations import derive_obligations
from planner.params import PlanParams

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
WEEK = dt.date(2026, 11, 23)
H = 3600


def registry(tmp_path: Path, **edits: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    """The tiny scenario copied to ``tmp_path`` with ``table=function`` applied to its CSVs."""
    folder = tmp_path / "registry"
    shutil.copytree(TINY, folder)
    for table, edit in edits.items():
        path = folder / f"{table}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        edit(frame).to_csv(path, index=False)
    return folder


def set_cell(row_id: str, column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """An edit that writes ``value`` into ``column`` of the row whose id is ``row_id``."""

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        if column not in frame.columns:
            frame[column] = ""
        frame.loc[frame["id"] == row_id, column] = value
        return frame

    return edit


# ---------------------------------------------------------------- several licences per business


def two_licences(tmp_path: Path) -> Scenario:
    """b2 (Corner shop) also holds a restaurant licence: category ``shop; restaurant``."""
    return load_scenario(
        registry(tmp_path, businesses=set_cell("b2", "category", "shop; restaurant"))
    )


def test_business_with_two_licences_gets_both_checklists_once(tmp_path: Path) -> None:
    """Shop (label, extinguisher) ∪ restaurant (food, extinguisher): each item once at b2."""
    scenario = two_licences(tmp_path)
    b2 = scenario.business("b2")
    assert b2.categories == ("shop", "restaurant")
    owed = [
        o.item_id for o in derive_obligations(scenario, WEEK, PlanParams()) if o.business_id == "b2"
    ]
    assert sorted(set(owed)) == ["extinguisher", "food", "label"]
    routine = [
        o.item_id
        for o in derive_obligations(scenario, WEEK, PlanParams())
        if o.business_id == "b2" and not o.task_id
    ]
    assert len(routine) == len(set(routine))


def test_checklists_list_each_single_category(tmp_path: Path) -> None:
    """The scenario's checklists are per licence category, not per invented combination."""
    scenario = two_licences(tmp_path)
    assert [c.category for c in scenario.checklists()] == ["restaurant", "shop"]
    assert scenario.checklist_of(scenario.business("b2")) == ("food", "extinguisher", "label")


def test_duplicate_category_is_listed_once(tmp_path: Path) -> None:
    """``shop;Shop`` is one licence: categories are lower-cased and deduplicated."""
    scenario = load_scenario(registry(tmp_path, businesses=set_cell("b2", "category", "shop;Shop")))
    assert scenario.business("b2").categories == ("shop",)
