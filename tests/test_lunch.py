"""Lunch breaks: per-officer lunch windows, and a team's break always inside its shift (#12).

One office, one shop open all day, township lunch 11:30–13:30 for 45 minutes. Officers differ
only in their hours and lunch windows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from planner.domain import (
    Business,
    Department,
    Inspector,
    Item,
    Obligation,
    Office,
    Reason,
    Risk,
    Scenario,
    Settings,
    Team,
    Visit,
)
from planner.hours import parse_opening_hours
from planner.load import check_scenario
from planner.params import SolveParams
from planner.problem import build_problem, team_lunch
from planner.solve import build_model, search_parameters
from planner.travel import straight_line_matrix

H = 3600
M = 60
MONDAY = dt.date(2026, 11, 23)
LATE = (12 * H, 19 * H + 52 * M)  # the late team of #12: 12:00–19:52
TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"


def officer(
    officer_id: str, hours: tuple[int, int] = (8 * H + 30 * M, 17 * H + 30 * M),
    lunch: tuple[int, int] = (-1, -1),
) -> Inspector:  # fmt: skip
    return Inspector(
        officer_id, officer_id, "market", ("food",), (0, 1, 2, 3, 4), *hours, "hq", "",
        lunch_start=lunch[0], lunch_end=lunch[1],
    )  # fmt: skip


def township(officers: Sequence[Inspector]) -> Scenario:
    """Township lunch window 11:30–13:30, 45 minutes; one shop open around the clock."""
    settings = Settings(
        "T", "", "Asia/Shanghai", MONDAY, (Office("hq", "HQ", 120.1, 30.2),),
        8 * H + 30 * M, 17 * H + 30 * M, 11 * H + 30 * M, 13 * H + 30 * M, 45,
    )  # fmt: skip
    risk = ((Risk.LOW, 365), (Risk.MEDIUM, 180), (Risk.HIGH, 90))
    food = Item("food", "market", "Food", "", 30, "food", risk, 14, False, False, ("*",), "")
    shop = Business(
        "s1", "Shop", "shop", 120.11, 30.2, "", Risk.MEDIUM, parse_opening_hours("24/7")
    )
    return Scenario(
        settings,
        (Department("market", "Market", ""),),
        (food,),
        (shop,),
        inspectors=tuple(officers),
    )


def problem_for(scenario: Scenario) -> tuple[object, ...]:
    """The Monday routing problem of the scenario's officers as one team, with one visit."""
    visit = Visit(
        "s1",
        (Obligation("s1", "food", "market", MONDAY, MONDAY, Reason.ROUTINE, 3),),
        40 * M,
    )
    team = Team("t1", tuple(o.id for o in scenario.inspectors))
    points = [(o.lon, o.lat) for o in scenario.settings.offices] + [(120.11, 30.2)]
    return build_problem(scenario, [visit], {MONDAY: [team]}, MONDAY, straight_line_matrix(points))


def test_late_team_lunch_window_lies_inside_its_shift() -> None:
    """#12: a team working 12:00–19:52 gets the window 12:00–13:30, not 11:30–13:30."""
    problem = problem_for(township([officer("a", LATE), officer("b", LATE)]))
    assert problem.vehicle_lunch.tolist() == [[12 * H, 13 * H + 30 * M, 45 * M]]


def test_late_team_takes_its_break_inside_the_shift() -> None:
    """#12 reproduced: ten 50-minute visits fill a 12:00–19:52 shift; with the township window the
    solver put the break at 11:30, before the shift, to fit one more visit. Now it starts ≥ 12:00."""
    base = township([officer("a", LATE), officer("b", LATE)])
    shops = tuple(
        dataclasses.replace(base.businesses[0], id=f"s{i}", lon=120.1001 + i * 0.0001)
        for i in range(10)
    )
    scenario = dataclasses.replace(base, businesses=shops)
    visits = [
        Visit(
            b.id, (Obligation(b.id, "food", "market", MONDAY, MONDAY, Reason.ROUTINE, 3),), 50 * M
        )
        for b in shops
    ]
    points = [(120.1, 30.2)] + [(b.lon, b.lat) for b in shops]
    teams = {MONDAY: [Team("t1", ("a", "b"))]}
    problem = build_problem(scenario, visits, teams, MONDAY, straight_line_matrix(points))
    model = build_model(problem, SolveParams())
    assignment = model.routing.SolveWithParameters(search_parameters(SolveParams(), 2.0))
    assert assignment is not None
    start = assignment.StartValue(model.breaks[0]) - int(model.offsets[0])
    assert start >= 12 * H and start + 45 * M <= 13 * H + 30 * M


def test_team_lunch_is_the_intersection_of_members_windows() -> None:
    """One officer lunches 12:30–14:00, the other in the township window: together 12:30–13:30."""
    scenario = township([officer("a", lunch=(12 * H + 30 * M, 14 * H)), officer("b")])
    assert team_lunch(scenario.inspectors, scenario.settings) == (
        12 * H + 30 * M,
        13 * H + 30 * M,
        45 * M,
    )


def test_no_room_for_lunch_means_no_break() -> None:
    """Windows 11:00–12:00 and 12:30–14:00 share nothing: the team's day has no break."""
    scenario = township(
        [officer("a", lunch=(11 * H, 12 * H)), officer("b", lunch=(12 * H + 30 * M, 14 * H))]
    )
    assert team_lunch(scenario.inspectors, scenario.settings)[2] == 0
    assert problem_for(scenario).vehicle_lunch[0, 2] == 0


def test_shift_ending_before_lunch_has_no_break() -> None:
    """A morning shift 07:00–11:00 has no room for lunch: no break (not one after the shift)."""
    morning = (7 * H, 11 * H)
    scenario = township([officer("a", morning), officer("b", morning)])
    assert team_lunch(scenario.inspectors, scenario.settings)[2] == 0


# ---------------------------------------------------------------- officers' lunch columns


def roster(tmp_path: Path, rows: dict[str, tuple[str, str]]) -> Path:
    """The tiny scenario with officers' ``hours`` and ``lunch_window`` set from ``rows``."""
    import shutil

    import pandas as pd

    folder = tmp_path / "registry"
    shutil.copytree(TINY, folder)
    frame = pd.read_csv(folder / "inspectors.csv", dtype=str, keep_default_na=False)
    frame["lunch_window"] = ""
    for officer_id, (hours, lunch) in rows.items():
        frame.loc[frame["id"] == officer_id, ["hours", "lunch_window"]] = [hours, lunch]
    frame.to_csv(folder / "inspectors.csv", index=False)
    return folder


def test_officer_lunch_window_loads() -> None:
    """``lunch_window`` on an officer row is that officer's window; empty keeps the township's."""
    import tempfile

    folder = roster(Path(tempfile.mkdtemp()), {"o1": ("08:30-17:30", "12:00-13:00")})
    scenario, problems = check_scenario(folder)
    assert scenario is not None, problems
    o1, o2 = scenario.inspector("o1"), scenario.inspector("o2")
    assert (o1.lunch_start, o1.lunch_end) == (12 * H, 13 * H)
    assert (o2.lunch_start, o2.lunch_end) == (-1, -1)


@pytest.mark.parametrize(("hours", "lunch"), [("14:00-22:00", ""), ("08:30-17:30", "18:00-19:00")])
def test_validate_warns_when_an_officer_has_no_room_for_lunch(
    tmp_path: Path, hours: str, lunch: str
) -> None:
    """Hours and lunch window share less than the lunch minutes: a warning on that officer's row."""
    scenario, problems = check_scenario(roster(tmp_path, {"o1": (hours, lunch)}))
    assert scenario is not None
    warned = [(p.row, p.column) for p in problems if "no lunch break" in p.message]
    assert warned == [(2, "lunch_window")]


def test_validate_warns_about_a_fixed_team_with_no_common_lunch(tmp_path: Path) -> None:
    """o1 lunches 11:30–12:15, o2 12:30–13:30: fine alone, but fixed together they have no break."""
    folder = roster(
        tmp_path, {"o1": ("08:30-17:30", "11:30-12:30"), "o2": ("08:30-17:30", "12:30-13:30")}
    )
    (folder / "teams.csv").write_text("id,officers,days,kind\nT1,o1;o2,,team\n", encoding="utf-8")
    scenario, problems = check_scenario(folder)
    assert scenario is not None
    warned = [(p.file, p.row, p.column) for p in problems if "no lunch break" in p.message]
    assert warned == [("teams.csv", 2, "officers")]
