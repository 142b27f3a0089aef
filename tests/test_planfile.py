"""plan.json records what it was made from, so `export` needs no repeated flags (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner import load_scenario
from planner.cli import main
from planner.domain import Plan
from planner.planfile import read_plan, write_plan


def test_export_needs_no_flags_after_plan(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan` writes the scenario's path into plan.json; `export PLAN_DIR --to DIR` then finds
    the scenario by itself (it exited 2 asking for --scenario before)."""
    plan_dir = tmp_path / "plan"
    args = ["plan", str(tiny_dir), "--out", str(plan_dir), "--no-baseline", "--quiet"]
    assert main([*args, "--time-limit", "2"]) == 0
    data = read_plan(plan_dir)
    assert data["scenario"] == str(tiny_dir.resolve()) and data["roads"] is None
    assert main(["export", str(plan_dir), "--to", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "roster.xlsx").is_file()


def test_plan_json_records_the_road_file(tiny_dir: Path, tmp_path: Path) -> None:
    """The road file a plan was made with is recorded (absolute), for export's route lines."""
    roads = tmp_path / "town.osm.pbf"
    path = write_plan(
        Plan(load_scenario(tiny_dir).settings.week_start, (), ()),
        load_scenario(tiny_dir),
        tmp_path / "p",
        scenario_path=tiny_dir,
        roads=roads,
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["scenario"], data["roads"]) == (str(tiny_dir.resolve()), str(roads.resolve()))
