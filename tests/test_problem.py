"""Domain → RoutingProblem and back; the interim teams; reasons for what cannot be planned."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import pytest

from planner.crew import paired_teams_on, teams_for_week
from planner.domain import (
    DAY,
    Business,
    Department,
    Inspector,
    Item,
    Obligation,
    Office,
    Reason,
    Recusal,
    Risk,
    Scenario,
    Settings,
    Team,
    Visit,
)
from planner.hours import parse_opening_hours
from planner.params import SolveParams
from planner.problem import (
    CERTIFIED,
    HOURS_OVERLAP,
    NOT_RECUSED,
    RouteSolution,
    Solution,
    build_problem,
    capacity_text,
    day_windows,
    explain_unplanned,
    problem_points,
    screen_certifications,
    solution_to_routes,
    unplanned_obligations,
)
from planner.solve import solve
from planner.travel import straight_line_matrix

H = 3600
MONDAY = dt.date(2026, 11, 23)


def _item(item_id: str, cert: str, minutes: int = 30) -> Item:
    risk = ((Risk.LOW, 365), (Risk.MEDIUM, 180), (Risk.HIGH, 90))
    return Item(
        item_id, "market", item_id.title(), "", minutes, cert, risk, 14, False, False, ("*",), ""
    )


def _officer(
    officer_id: str, certs: Sequence[str], days: Sequence[int] = (0, 1, 2, 3, 4),
    hours: tuple[int, int] = (8 * H + 1800, 17 * H + 1800),
) -> Inspector:  # fmt: skip
    return Inspector(officer_id, officer_id, "market", tuple(certs), tuple(days), *hours, "hq")


def _business(
    business_id: str, hours: str = "Mon-Sat 08:00-20:00", lon: float = 120.11
) -> Business:
    return Business(
        business_id, business_id, "shop", lon, 30.2, "", Risk.MEDIUM, parse_opening_hours(hours)
    )


def make_scenario(
    businesses: Sequence[Business],
    officers: Sequence[Inspector],
    *,
    teams: Sequence[Team] = (),
    recusals: Sequence[Recusal] = (),
) -> Scenario:
    """A one-office township with items food, fire, drain (certifications of the same names)."""
    settings = Settings(
        "T", "", "Asia/Shanghai", MONDAY, (Office("hq", "HQ", 120.1, 30.2),),
        8 * H + 1800, 17 * H + 1800, 11 * H + 1800, 13 * H + 1800, 60,
    )  # fmt: skip
    items = (_item("food", "food"), _item("fire", "fire", 20), _item("drain", "drain", 15))
    return Scenario(
        settings, (Department("market", "Market", ""),), items, tuple(businesses),
        inspectors=tuple(officers), teams=tuple(teams), recusals=tuple(recusals),
    )  # fmt: skip


def visit(
    business_id: str, *items: str, reason: Reason = Reason.ROUTINE, due: dt.date = MONDAY
) -> Visit:
    """A visit checking ``items`` (30 min each + 10 setup)."""
    obligations = tuple(
        Obligation(business_id, i, "market", MONDAY - dt.timedelta(days=30), due, reason, 20)
        for i in items
    )
    return Visit(business_id, obligations, (10 + 30 * len(items)) * 60)


def problem_of(scenario: Scenario, visits: Sequence[Visit], teams=None, pins=None):  # type: ignore[no-untyped-def]
    """Build with the interim teams (or given ones) and straight-line travel."""
    teams = teams if teams is not None else teams_for_week(scenario, MONDAY)
    travel = straight_line_matrix(problem_points(scenario, visits))
    return build_problem(scenario, visits, teams, MONDAY, travel, pins=pins)


# ---------------------------------------------------------------- opening hours on the day clock


def test_day_windows_join_an_overnight_span() -> None:
    """Fri-Sat 18:00-02:00: Friday is one window 18:00-26:00 (02:00 Saturday)."""
    hours = parse_opening_hours("Fri-Sat 18:00-02:00")
    assert day_windows(hours, 4)[0] == (18 * H, 26 * H)
    assert day_windows(hours, 5)[0] == (0, 2 * H)  # Friday night's tail, on Saturday's clock


def test_day_windows_keep_split_hours() -> None:
    """Mon 09:00-12:00,14:00-18:00 gives two windows on Monday."""
    hours = parse_opening_hours("Mon 09:00-12:00,14:00-18:00")
    assert day_windows(hours, 0) == ((9 * H, 12 * H), (14 * H, 18 * H))


# ---------------------------------------------------------------- build


def test_eligibility_needs_every_certification() -> None:
    """A food + fire visit: only the team holding both is eligible."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"]), _officer("c", ["fire"]),
                _officer("d", ["food", "fire"])]  # fmt: skip
    teams = {MONDAY: (Team("ab", ("a", "b")), Team("cd", ("c", "d")))}
    scenario = make_scenario([_business("b1")], officers)
    problem = problem_of(scenario, [visit("b1", "food", "fire")], teams)
    assert problem.eligible[0].tolist() == [False, True]


def test_recused_officer_makes_team_ineligible() -> None:
    """A recusal of one member removes the team from that business only."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    teams = {MONDAY: (Team("ab", ("a", "b")),)}
    scenario = make_scenario(
        [_business("b1"), _business("b2")], officers, recusals=[Recusal("a", "b1", "relative")]
    )
    problem = problem_of(scenario, [visit("b1", "food"), visit("b2", "food")], teams)
    assert problem.eligible[:, 0].tolist() == [False, True]
    reason = explain_unplanned(problem, 0, scenario, [visit("b1", "food"), visit("b2", "food")])
    assert "recused" in reason


def test_night_opening_is_outside_every_shift() -> None:
    """A bar open Fri-Sat 18:00-02:00 fits no day shift: ineligible, with the hours in the reason."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("bar", "Fri-Sat 18:00-02:00")], officers)
    visits = [visit("bar", "food")]
    problem = problem_of(scenario, visits)
    assert not problem.eligible.any()
    assert problem.day_checks[0, 4] & (CERTIFIED | NOT_RECUSED) == CERTIFIED | NOT_RECUSED
    assert not problem.day_checks[0, 4] & HOURS_OVERLAP
    reason = explain_unplanned(problem, 0, scenario, visits)
    assert reason == "opening hours (Fri-Sat 18:00-02:00) outside every shift"


def test_night_shift_team_can_visit_past_midnight() -> None:
    """A team on duty 18:00-03:00 on Friday can make the bar's visit (window to 26:00)."""
    night = (18 * H, 27 * H)
    officers = [_officer("a", ["food"], hours=night), _officer("b", ["food"], hours=night)]
    scenario = make_scenario([_business("bar", "Fri-Sat 18:00-02:00")], officers)
    problem = problem_of(scenario, [visit("bar", "food")])
    friday = [k for k in range(problem.n_vehicles) if problem.vehicle_day[k] == 4]
    assert problem.eligible[0, friday].all()
    assert (0, 4, 18 * H, 26 * H) in {tuple(w) for w in problem.windows.tolist()}


def test_short_window_reason() -> None:
    """Open 30 minutes a day: a 70-minute visit has no slot, and the reason says how long it is."""
    officers = [_officer("a", ["food", "fire"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1", "Mon-Fri 10:00-10:30")], officers)
    visits = [visit("b1", "food", "fire")]
    reason = explain_unplanned(problem_of(scenario, visits), 0, scenario, visits)
    assert reason.startswith("opening hours (Mon-Fri 10:00-10:30) leave no 70-minute slot")


def test_deadline_before_any_feasible_day() -> None:
    """A complaint due Monday at a business open only on Friday: the reason names the deadline."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1", "Fri 09:00-17:00")], officers)
    visits = [visit("b1", "food", reason=Reason.COMPLAINT, due=MONDAY)]
    problem = problem_of(scenario, visits)
    assert problem.hard_deadline[0] and problem.last_day[0] == 0
    assert not problem.eligible.any()
    assert explain_unplanned(problem, 0, scenario, visits) == (
        "deadline 2026-11-23 before any feasible day (Fri)"
    )


def test_hard_deadline_doubles_the_penalty() -> None:
    """A complaint due in the week weighs twice a routine visit of the same priorities."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1"), _business("b2")], officers)
    visits = [visit("b1", "food"), visit("b2", "food", reason=Reason.COMPLAINT, due=MONDAY)]
    problem = problem_of(scenario, visits)
    assert problem.penalty[1] == 2 * problem.penalty[0]


def test_no_single_team_covers_the_visit() -> None:
    """Food and fire are each held, but by different teams: reported, not split."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"]), _officer("c", ["fire"]),
                _officer("d", ["fire"])]  # fmt: skip
    teams = {MONDAY: (Team("ab", ("a", "b")), Team("cd", ("c", "d")))}
    scenario = make_scenario([_business("b1")], officers)
    visits = [visit("b1", "food", "fire")]
    reason = explain_unplanned(problem_of(scenario, visits, teams), 0, scenario, visits)
    assert reason == "no single team certified for all of Fire + Food on any day"


def test_screen_takes_out_items_nobody_is_certified_for() -> None:
    """Nobody holds 'drain': that item is unscheduled with its reason, the rest is still visited."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1")], officers)
    kept, out = screen_certifications(
        scenario, [visit("b1", "food", "drain")], teams_for_week(scenario, MONDAY)
    )
    assert [o.item_id for o in kept[0].obligations] == ["food"]
    assert kept[0].service_seconds == (10 + 60) * 60 - 15 * 60
    assert [(u.obligation.item_id, u.reason) for u in out] == [
        ("drain", "no team certified for Drain on any day")
    ]


def test_one_visit_per_business_is_enforced() -> None:
    """Two visits to one business cannot be built into one problem."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1")], officers)
    visits = [visit("b1", "food"), visit("b1", "food")]
    with pytest.raises(ValueError, match="one visit per business"):
        problem_of(scenario, visits)


def test_pins_map_to_team_days() -> None:
    """A pin names a team-day; an unknown one is refused."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1")], officers)
    problem = problem_of(scenario, [visit("b1", "food")], pins={"b1": ("a+b", MONDAY)})
    assert problem.vehicle_day[problem.pinned[0]] == 0
    with pytest.raises(ValueError, match="does not work"):
        problem_of(scenario, [visit("b1", "food")], pins={"b1": ("x", MONDAY)})


def test_capacity_text_counts_hours() -> None:
    """Visit hours and team hours (shift less lunch) of the week, rounded."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1")], officers)
    problem = problem_of(scenario, [visit("b1", "food")])
    assert capacity_text(problem) == "capacity: 1 h of visits, 40 h of team time this week"


def test_restrict_keeps_ids_and_travel() -> None:
    """A sub-problem of visit 1 and vehicle 2 keeps ids, travel rows and eligibility aligned."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1"), _business("b2", lon=120.2)], officers)
    problem = problem_of(scenario, [visit("b1", "food"), visit("b2", "food")])
    sub = problem.restrict([1], [2])
    assert sub.visit_ids == ("b2",) and sub.vehicle_day.tolist() == [2]
    assert sub.travel_seconds[0, 1] == problem.travel_seconds[0, 2]
    assert sub.eligible[0, 0] == problem.eligible[1, 2]


def test_solution_to_routes_times_and_lunch_in_a_leg() -> None:
    """Lunch starting before the team would arrive delays the arrival by its length."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1"), _business("b2", lon=120.2)], officers)
    visits = [visit("b1", "food"), visit("b2", "food")]
    problem = problem_of(scenario, visits)
    leg = int(problem.travel_seconds[1, 2])
    first_end = 11 * H + 40 * 60
    route = RouteSolution(0, (0, 1), (11 * H, 14 * H), 10 * H, 16 * H, lunch_start=first_end)
    (result,) = solution_to_routes(problem, Solution((route,), ()), visits)
    assert result.stops[1].arrival == first_end + leg + 60 * 60
    assert result.stops[0].end == first_end and result.lunch_start == first_end
    assert result.travel_seconds > leg and result.day == MONDAY


# ---------------------------------------------------------------- interim teams


def test_fixed_teams_follow_their_days_and_rosters() -> None:
    """A Mon-Tue team works only then, and only with members rostered that day."""
    officers = [
        _officer("a", ["food"]),
        _officer("b", ["food"], days=(0,)),
        _officer("c", ["fire"]),
    ]
    scenario = make_scenario(
        [_business("b1")], officers, teams=[Team("T", ("a", "b", "c"), (0, 1))]
    )
    week = teams_for_week(scenario, MONDAY)
    assert week[MONDAY][0].officer_ids == ("a", "b", "c")
    assert week[MONDAY + dt.timedelta(days=1)][0].officer_ids == ("a", "c")
    assert week[MONDAY + dt.timedelta(days=2)] == ()


def test_pairing_rules() -> None:
    """Pairs cover most certifications, everyone working is in one team, odd one joins as third."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"]), _officer("c", ["fire"]),
                _officer("d", ["fire"]), _officer("e", ["drain"]),
                _officer("f", ["food"], days=(5,))]  # fmt: skip
    scenario = make_scenario([_business("b1")], officers)
    teams = paired_teams_on(scenario, MONDAY)
    members = [o for t in teams for o in t.officer_ids]
    assert sorted(members) == ["a", "b", "c", "d", "e"]
    assert all(len(t.officer_ids) >= 2 for t in teams)
    assert {frozenset(t.officer_ids) for t in teams if len(t.officer_ids) == 2} <= {
        frozenset(p) for p in (("a", "c"), ("b", "d"), ("a", "d"), ("b", "c"))
    }
    assert paired_teams_on(scenario, MONDAY) == teams  # deterministic


def test_pairing_never_joins_officers_kept_apart() -> None:
    """A recusal between two officers keeps them in different teams."""
    officers = [_officer("a", ["food"]), _officer("b", ["fire"]), _officer("c", ["food"]),
                _officer("d", ["fire"])]  # fmt: skip
    apart = Recusal("a", "", "conflict", other_inspector_id="b")
    scenario = make_scenario([_business("b1")], officers, recusals=[apart])
    teams = paired_teams_on(scenario, MONDAY)
    assert not any({"a", "b"} <= set(t.officer_ids) for t in teams)


def test_team_shift_is_the_intersection() -> None:
    """A team's vehicle works only the hours all members share."""
    officers = [_officer("a", ["food"], hours=(8 * H, 12 * H)), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1")], officers)
    problem = problem_of(scenario, [visit("b1", "food")])
    assert problem.vehicle_shift[0].tolist() == [8 * H + 1800, 12 * H]
    assert np.all(problem.vehicle_shift[:, 1] <= DAY)


def _monday_plan(hours: str, items: Sequence[str], n: int):  # type: ignore[no-untyped-def]
    """``n`` businesses open ``hours`` only on Monday, each a visit of ``items``, solved."""
    from planner.params import SolveParams
    from planner.solve import solve

    officers = [_officer("a", ["food", "fire", "drain"]), _officer("b", ["food"])]
    scenario = make_scenario([_business(f"b{i}", hours) for i in range(n)], officers)
    visits = [visit(f"b{i}", *items) for i in range(n)]
    problem = problem_of(scenario, visits)
    solution = solve(problem, SolveParams(time_limit_s=2, use_guided_local_search=False))
    return scenario, visits, problem, solution


def test_room_only_while_closed_is_not_capacity() -> None:
    """Two 40-minute visits at businesses open only Monday 09:00-10:00: the team fits one and has
    the rest of Monday free, so the other is left out for its opening hours, not for capacity."""
    scenario, visits, problem, solution = _monday_plan("Mon 09:00-10:00", ["food"], 2)
    assert len(solution.dropped) == 1
    reason = explain_unplanned(problem, solution.dropped[0], scenario, visits, solution.routes)
    assert reason.startswith("no team-day with room within its opening hours (Mon 09:00-10:00)")


def test_visit_the_lunch_break_leaves_no_room_for_says_so() -> None:
    """A 100-minute visit at a business open only Monday 11:00-13:00: the slot is inside the
    shift, but the hour's lunch break must lie in 11:30-13:30 and never falls inside a visit, so
    no team-day can make it, empty or not. The reason names the lunch break (it said capacity or
    'room only while closed', and the demo's three ten-item visits read 'all 14 team-days full')."""
    scenario, visits, problem, solution = _monday_plan("Mon 11:00-13:00", ["food", "fire", "drain"], 1)  # fmt: skip
    assert list(solution.dropped) == [0]
    for routes in (solution.routes, None):
        reason = explain_unplanned(problem, 0, scenario, visits, routes)
        assert reason.startswith("opening hours (Mon 11:00-13:00) and the lunch break"), reason
        assert "100-minute" in reason and "11:30-13:30" in reason


def test_capacity_only_when_every_team_day_is_full() -> None:
    """Six 100-minute visits at businesses open only on Monday: Monday's one team-day is full
    (8 h less lunch), so what is left out is left out for capacity."""
    scenario, visits, problem, solution = _monday_plan(
        "Mon 08:00-20:00", ["food", "fire", "drain"], 6
    )
    assert solution.dropped
    reason = explain_unplanned(problem, solution.dropped[0], scenario, visits, solution.routes)
    assert reason.startswith("capacity:")


def test_capacity_reason_names_the_full_team_days() -> None:
    """The capacity reason says how many team-days could make the visit, that they are full, and
    their most free time against the visit's length (not only the week's hours)."""
    scenario, visits, problem, solution = _monday_plan(
        "Mon 08:00-20:00", ["food", "fire", "drain"], 6
    )
    reason = explain_unplanned(problem, solution.dropped[0], scenario, visits, solution.routes)
    assert reason.startswith("capacity: all 1 team-day(s) that could make it (Mon) are full")
    assert "the visit takes 100 min" in reason


def test_only_the_hard_obligation_counts_double() -> None:
    """A complaint on food plus a routine drain check weighs 2 × 20 + 20 = 60 (÷ 10), not
    2 × (20 + 20): the routine item riding along is not doubled, so a visit weighs the sum of
    its parts and a part visit's lost value is what its unchecked items are worth."""
    officers = [_officer("a", ["food", "drain"]), _officer("b", ["food", "drain"])]
    scenario = make_scenario([_business("b1"), _business("b2")], officers)
    complaint = visit("b1", "food", reason=Reason.COMPLAINT, due=MONDAY).obligations
    routine = visit("b1", "drain").obligations
    both = Visit("b1", complaint + routine, 70 * 60)
    problem = problem_of(scenario, [both, visit("b2", "drain")])
    assert problem.penalty[0] == 3 * problem.penalty[1]


def test_pulled_forward_obligation_counts_a_quarter() -> None:
    """A routine item due after the week (pulled forward to ride along) weighs a quarter of a due
    one (``PULL_FORWARD_WEIGHT``): food due + drain due in three weeks = 20 + 20 / 4 = 25 (÷ 10),
    against 20 for food alone — what rides along is worth something, never as much as due work."""
    officers = [_officer("a", ["food", "drain"]), _officer("b", ["food", "drain"])]
    scenario = make_scenario([_business("b1"), _business("b2")], officers)
    due = visit("b1", "food").obligations
    later = visit("b1", "drain", due=MONDAY + dt.timedelta(days=21)).obligations
    problem = problem_of(scenario, [Visit("b1", due + later, 70 * 60), visit("b2", "food")])
    assert 4 * problem.penalty[0] == 5 * problem.penalty[1]


def test_heavy_week_makes_due_work_before_pulled_forward_work() -> None:
    """One team-day with room for one of two 4-hour visits: b1 owes food and fire now (40), b2
    owes food now and fire and drain in three weeks (20 + 40 pulled forward). The day goes to
    b1's two due checks, not to b2's one due check padded with work not yet due."""
    officers = [_officer("a", ["food", "fire", "drain"], days=(0,))]
    officers.append(_officer("b", ["food", "fire", "drain"], days=(0,)))
    scenario = make_scenario([_business("b1"), _business("b2")], officers)
    later = MONDAY + dt.timedelta(days=21)
    padded = visit("b2", "food").obligations + visit("b2", "fire", "drain", due=later).obligations
    visits = [
        Visit("b1", visit("b1", "food", "fire").obligations, 4 * H),
        Visit("b2", padded, 4 * H),
    ]
    solution = solve(problem_of(scenario, visits), SolveParams(time_limit_s=1, part_visits="off"))
    assert [v for r in solution.routes for v in r.visits] == [0]


def test_part_visit_reason_names_day_department_and_why() -> None:
    """The items a part visit leaves are reported with the day, the departments visited and
    why the whole visit was not made; a part left out says nothing of its own."""
    officers = [_officer("a", ["food"]), _officer("b", ["food"])]
    scenario = make_scenario([_business("b1")], officers)
    food = visit("b1", "food").obligations
    fire = (dataclasses.replace(visit("b1", "fire").obligations[0], department_id="fire"),)
    scenario = dataclasses.replace(
        scenario, departments=(*scenario.departments, Department("fire", "Fire", ""))
    )
    whole = Visit("b1", food + fire, 60 * 60)
    parts = [Visit("b1", food, 40 * 60), Visit("b1", fire, 30 * 60)]
    visits = [whole, *parts]
    travel = straight_line_matrix(problem_points(scenario, visits))
    teams = teams_for_week(scenario, MONDAY)
    problem = build_problem(scenario, visits, teams, MONDAY, travel, alternative=[0, 0, 0])
    assert problem.eligible[1].any() and not problem.eligible[0].any()
    route = RouteSolution(0, (1,), (9 * H,), 8 * H + 1800, 10 * H)
    out = unplanned_obligations(problem, [0, 2], scenario, visits, [route])
    day = problem.days[int(problem.vehicle_day[0])]
    assert [u.obligation.item_id for u in out] == ["fire"]
    assert out[0].reason == (
        f"visited on {day:%a} {day} for Market only (a part visit: the whole visit was not "
        "made); "
        "no single team certified for all of Fire + Food on any day"
    )
