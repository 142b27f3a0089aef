"""Intake of real registries: several licences per business, holidays, inspection windows, lunch.

Each test copies the tiny scenario (tests/fixtures/tiny) to a temporary folder, changes the one
thing its rule is about, and loads it through ``load_scenario`` as a township's files would be.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from planner import load_scenario
from planner.domain import Scenario
from planner.load import check_scenario
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


# ---------------------------------------------------------------- holiday calendar

WEDNESDAY = WEEK + dt.timedelta(days=2)


def with_holidays(tmp_path: Path, line: str) -> Path:
    """The tiny scenario with ``line`` (e.g. ``holidays = [2026-11-25]``) added to its settings."""
    folder = registry(tmp_path)
    settings = folder / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("setup_minutes = 10\n", f"setup_minutes = 10\n{line}\n"))
    return folder


def test_holidays_load_from_settings(tmp_path: Path) -> None:
    """``holidays`` lists dates (TOML dates or ISO text); the settings keep them sorted, once."""
    folder = with_holidays(tmp_path, 'holidays = [2026-11-26, "2026-11-25", 2026-11-26]')
    settings = load_scenario(folder).settings
    assert settings.holidays == (WEDNESDAY, WEDNESDAY + dt.timedelta(days=1))
    assert not settings.is_working_day(WEDNESDAY)
    assert settings.is_working_day(WEEK)


def test_bad_holiday_is_reported_with_its_key(tmp_path: Path) -> None:
    """A holiday that is not a date is an error on the ``holidays`` setting, naming the value."""
    scenario, problems = check_scenario(with_holidays(tmp_path, 'holidays = ["2026-13-01"]'))
    assert scenario is None
    assert [(p.column, "2026-13-01" in p.message) for p in problems] == [("holidays", True)]


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_holidays_survive_writing_the_scenario(tmp_path: Path, suffix: str) -> None:
    """``write_scenario`` keeps the holidays, in a CSV folder and in a workbook."""
    from planner.tables import write_scenario

    scenario = load_scenario(with_holidays(tmp_path, "holidays = [2026-11-25]"))
    written = write_scenario(scenario, tmp_path / f"out{suffix}")
    assert load_scenario(written).settings.holidays == (WEDNESDAY,)


def test_public_holiday_has_no_shifts_and_no_visits(tmp_path: Path) -> None:
    """Monday and Wednesday are holidays: no team works or visits then. b2's complaint, due on
    the Wednesday holiday, still counts: visited on Tuesday, or unscheduled with a reason."""
    from planner.params import SolveParams
    from planner.pipeline import run_week

    folder = with_holidays(tmp_path, "holidays = [2026-11-23, 2026-11-25]")
    scenario = load_scenario(folder)
    run = run_week(
        scenario, solve_params=SolveParams(time_limit_s=1, use_guided_local_search=False)
    )
    holidays = {WEEK, WEDNESDAY}
    assert not any(run.teams.get(day) for day in holidays)
    assert not {r.day for r in run.plan.routes} & holidays
    complaint = [
        (r.day, o) for r in run.plan.routes for s in r.stops for o in s.visit.obligations
        if o.task_id == "t1"
    ]  # fmt: skip
    left = [u for u in run.plan.unscheduled if u.obligation.task_id == "t1"]
    assert len(complaint) + len(left) == 1
    assert all(day == WEEK + dt.timedelta(days=1) for day, _ in complaint)


def test_verify_flags_a_route_on_a_public_holiday(tmp_path: Path) -> None:
    """A plan made before Monday became a holiday breaks the rule once the holiday is known."""
    from planner.params import SolveParams
    from planner.pipeline import plan_week
    from planner.verify import verify_plan

    plain = load_scenario(registry(tmp_path))
    plan = plan_week(plain, solve_params=SolveParams(time_limit_s=1, use_guided_local_search=False))
    monday = [r for r in plan.routes if r.day == WEEK]
    assert monday
    holiday = load_scenario(with_holidays(tmp_path / "h", "holidays = [2026-11-23]"))
    assert verify_plan(plain, plan) == []
    found = [m for m in verify_plan(holiday, plan) if "public holiday" in m]
    assert len(found) == len(monday)


# ---------------------------------------------------------------- inspection windows


def late_opener(tmp_path: Path, inspection: str | None) -> Scenario:
    """b1 opens at 11:30 every day; with ``inspection``, its inspection window is that."""
    edits = [set_cell("b1", "opening_hours", "Mo-Su 11:30-21:00")]
    if inspection is not None:
        edits.append(set_cell("b1", "inspection_hours", inspection))

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        for e in edits:
            frame = e(frame)
        return frame

    return load_scenario(registry(tmp_path, businesses=edit))


def b1_stops(scenario: Scenario) -> list[tuple[int, int]]:
    from planner.params import SolveParams
    from planner.pipeline import plan_week

    plan = plan_week(
        scenario, solve_params=SolveParams(time_limit_s=1, use_guided_local_search=False)
    )
    return [(s.start, s.end) for r in plan.routes for s in r.stops if s.visit.business_id == "b1"]


def test_inspection_window_is_used_instead_of_opening_hours(tmp_path: Path) -> None:
    """Hours start 11:30 but the inspection window is 09:00–11:00: the visit is in the morning."""
    scenario = late_opener(tmp_path, "Mo-Fr 09:00-11:00")
    b1 = scenario.business("b1")
    assert b1.visit_hours is b1.inspection_hours
    stops = b1_stops(scenario)
    assert stops and all(start >= 9 * H and end <= 11 * H for start, end in stops)


def test_without_inspection_window_opening_hours_decide(tmp_path: Path) -> None:
    """The same business without an inspection window is visited after it opens at 11:30."""
    stops = b1_stops(late_opener(tmp_path, None))
    assert stops and all(start >= 11 * H + 30 * 60 for start, _ in stops)


def test_bad_inspection_window_is_reported_in_its_column(tmp_path: Path) -> None:
    """An unreadable inspection window is an error on ``inspection_hours`` with the token."""
    folder = registry(tmp_path, businesses=set_cell("b1", "inspection_hours", "Mo-Fr 9-11"))
    scenario, problems = check_scenario(folder)
    assert scenario is None
    assert [(p.row, p.column) for p in problems if p.severity == "error"] == [
        (2, "inspection_hours")
    ]


def test_inspection_window_survives_writing_the_scenario(tmp_path: Path) -> None:
    """``write_scenario`` keeps the inspection window; a business without one stays without."""
    from planner.tables import write_scenario

    scenario = late_opener(tmp_path, "Mo-Fr 09:00-11:00")
    again = load_scenario(write_scenario(scenario, tmp_path / "out"))
    assert again.business("b1").inspection_hours == scenario.business("b1").inspection_hours
    assert again.business("b2").inspection_hours is None


# ---------------------------------------------------------------- one registry with all of it


def test_registry_with_licences_holiday_window_and_lunch_loads_as_csv_and_workbook(
    tmp_path: Path,
) -> None:
    """Several licences, a holiday, an inspection window and an officer's lunch window in one
    registry: loaded from the CSV folder and from the workbook written from it, the same scenario."""
    from planner.tables import write_scenario

    def businesses(frame: pd.DataFrame) -> pd.DataFrame:
        frame = set_cell("b2", "category", "shop;restaurant")(frame)
        return set_cell("b1", "inspection_hours", "Mo-Fr 09:00-11:00")(frame)

    folder = registry(
        tmp_path,
        businesses=businesses,
        inspectors=set_cell("o1", "lunch_window", "12:00-13:00"),
    )
    settings = folder / "settings.toml"
    text = settings.read_text(encoding="utf-8").replace(
        "setup_minutes = 10\n", "setup_minutes = 10\nholidays = [2026-11-25]\n"
    )
    settings.write_text(text, encoding="utf-8")
    scenario, problems = check_scenario(folder)
    assert scenario is not None and not problems, problems
    assert scenario.business("b2").categories == ("shop", "restaurant")
    assert scenario.settings.holidays == (WEDNESDAY,)
    assert scenario.business("b1").inspection_hours is not None
    assert scenario.inspector("o1").lunch_start == 12 * H
    workbook = write_scenario(scenario, tmp_path / "registry.xlsx")
    assert load_scenario(workbook) == scenario


# ---------------------------------------------------------------- reasons a planner reads


def test_deadline_reason_names_the_public_holidays(tmp_path: Path) -> None:
    """Monday to Wednesday are holidays and b2's complaint is due Wednesday: the reason says so,
    in English and, through i18n, in Chinese without English words left."""
    from planner.i18n import reason_text
    from planner.params import SolveParams
    from planner.pipeline import plan_week

    folder = with_holidays(tmp_path, "holidays = [2026-11-23, 2026-11-24, 2026-11-25]")
    scenario = load_scenario(folder)
    plan = plan_week(
        scenario, solve_params=SolveParams(time_limit_s=1, use_guided_local_search=False)
    )
    (reason,) = {u.reason for u in plan.unscheduled if u.obligation.task_id == "t1"}
    assert reason.endswith("; public holidays: Mon 2026-11-23, Tue 2026-11-24, Wed 2026-11-25")
    chinese = reason_text(reason, "zh", scenario)
    assert "法定节假日" in chinese and not re.search(r"[A-Za-z]", chinese), chinese


def test_inspection_window_reason_says_inspection_hours(tmp_path: Path) -> None:
    """A night-only inspection window outside every shift is named as the inspection window,
    in English and in Chinese."""
    from planner.i18n import reason_text
    from planner.params import SolveParams
    from planner.pipeline import plan_week

    scenario = late_opener(tmp_path, "Mo-Su 22:00-23:00")
    plan = plan_week(
        scenario, solve_params=SolveParams(time_limit_s=1, use_guided_local_search=False)
    )
    reasons = {u.reason for u in plan.unscheduled if u.obligation.business_id == "b1"}
    assert reasons == {"inspection hours (Mo-Su 22:00-23:00) outside every shift"}
    chinese = reason_text(reasons.pop(), "zh", scenario)
    assert chinese == "检查时段（Mo-Su 22:00-23:00）不在任何班次内"


@pytest.mark.parametrize("column", ["opening_hours", "inspection_hours"])
def test_hours_that_never_open_are_a_warning(tmp_path: Path, column: str) -> None:
    """``closed`` reads (OSM), but no visit can ever be planned there: a warning on that cell."""
    folder = registry(tmp_path, businesses=set_cell("b2", column, "closed"))
    scenario, problems = check_scenario(folder)
    assert scenario is not None
    assert [(p.row, p.column, p.severity) for p in problems] == [(3, column, "warning")]
    assert "never open" in problems[0].message
