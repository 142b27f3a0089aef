"""Post-routing team re-formation (``planner.reform``): idle officers take work over so that
waiting visits get made; every plan still verifies."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain import (
    Business,
    Department,
    Inspector,
    Item,
    Obligation,
    Office,
    Plan,
    Reason,
    Risk,
    Scenario,
    Settings,
    Team,
    Unscheduled,
    Visit,
    WeekDemand,
)
from planner.hours import parse_opening_hours
from planner.params import SolveParams
from planner.pipeline import plan_visits
from planner.problem import RouteSolution, Solution, build_problem, problem_points
from planner.reform import reform_made, reform_week
from planner.solve import descend_from, routes_feasible
from planner.teams import idle_officer_days, idle_officer_days_with_work
from planner.travel import travel_matrix
from planner.verify import verify_plan

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)
H = 3600
# All or nothing (part_visits off): these fixtures are about teams; with part visits y + z
# would make W's gas part and HX's hygiene part without any re-formation.
FAST = SolveParams(time_limit_s=1, use_guided_local_search=False, part_visits="off")
CERTS = ("food", "fire", "gas", "hygiene")


def _scenario(officers: Sequence[Inspector], shops: Mapping[str, str], teams=()) -> Scenario:  # type: ignore[no-untyped-def]
    """One office; every business at the office (no travel), open as ``shops`` says."""
    settings_ = Settings(
        "Tiny", "小镇", "Asia/Shanghai", MONDAY, (Office("hq", "HQ", 120.1, 30.2),),
        8 * H, 17 * H, 11 * H + 1800, 13 * H + 1800, 60,
    )  # fmt: skip
    items = tuple(
        Item(c, c, c, c, 30, c, tuple((r, 90) for r in Risk), 14, False, False, ("*",), "")
        for c in CERTS
    )
    businesses = tuple(
        Business(b, b, "shop", 120.1, 30.2, "", Risk.MEDIUM, parse_opening_hours(hours))
        for b, hours in shops.items()
    )
    return Scenario(
        settings_, tuple(Department(c, c, c) for c in CERTS), items, businesses,
        inspectors=tuple(officers), teams=tuple(teams),
    )  # fmt: skip


def _officer(oid: str, *certs: str, days: tuple[int, ...] = (0, 1)) -> Inspector:
    return Inspector(oid, oid.upper(), certs[0], certs, days, 8 * H, 17 * H, "hq")


def _visit(business: str, minutes: int, *certs: str, priority: int = 30) -> Visit:
    obligations = tuple(
        Obligation(business, c, c, MONDAY - dt.timedelta(days=30), MONDAY + dt.timedelta(days=6),
                   Reason.ROUTINE, priority)
        for c in certs
    )  # fmt: skip
    return Visit(business, obligations, minutes * 60)


def _route(scenario: Scenario, visits: Sequence[Visit], teams):  # type: ignore[no-untyped-def]
    """The week routed with the given teams (``plan_visits``), then re-formed (``reform_made``)."""
    made = plan_visits(scenario, visits, teams, MONDAY, FAST)
    demand = WeekDemand(MONDAY, tuple(visits), ())
    return made, reform_made(scenario, demand, teams, made, solve_params=FAST)


def _planned(plan) -> set[str]:  # type: ignore[no-untyped-def]
    return {s.visit.business_id for r in plan.routes for s in r.stops}


# ---------------------------------------------------------------- the swap fixture

SWAP_OFFICERS = [_officer("f", "food"), _officer("x", "fire"), _officer("y", "gas"),
                 _officer("z", "hygiene")]  # fmt: skip
# Everything opens on Monday only; Tuesday's teams exist so that no visit is split (some team
# of the week may make each in full) — they just have nothing open to visit.
SWAP_SHOPS = {"F1": "Mo 08:00-20:00", "F2": "Mo 08:00-20:00", "W": "Mo 08:00-20:00",
              "HX": "Mo 08:00-20:00"}  # fmt: skip
SWAP_VISITS = [_visit("F1", 90, "food"), _visit("F2", 90, "food"),
               _visit("W", 120, "food", "gas"), _visit("HX", 60, "fire", "hygiene")]  # fmt: skip
SWAP_TEAMS = {
    MONDAY: (Team("Mon-1", ("f", "x")), Team("Mon-2", ("y", "z"))),
    TUESDAY: (Team("Tue-1", ("f", "y")), Team("Tue-2", ("x", "z"))),
}


def test_idle_team_takes_a_waiting_visit_after_a_swap() -> None:
    """Monday: f+x make the two food visits, y+z (gas, hygiene) can make nothing, while W (food +
    gas) and HX (fire + hygiene) wait. Swapping x and y — f+y keep the food route and add W, x+z
    make HX — leaves nobody idle and nothing waiting."""
    scenario = _scenario(SWAP_OFFICERS, SWAP_SHOPS)
    made, (teams, after) = _route(scenario, SWAP_VISITS, SWAP_TEAMS)
    before = made[0]
    assert _planned(before) == {"F1", "F2"}
    assert ("2026-11-23", "y") in {(str(d), o) for d, o in idle_officer_days(scenario, before)}
    plan = after[0]
    assert _planned(plan) == {"F1", "F2", "W", "HX"}
    assert {frozenset(t.officer_ids) for t in teams[MONDAY]} == {
        frozenset("fy"),
        frozenset("xz"),
    }
    assert idle_officer_days(scenario, plan) == ()
    assert plan.unscheduled == ()
    assert dict(plan.metrics)["reform_moves"] >= 1
    ids = after[1].depot_ids + after[1].visit_ids
    obligations = [o for v in SWAP_VISITS for o in v.obligations]
    assert verify_plan(scenario, plan, after[2], ids, obligations=obligations) == []


def test_fixed_team_is_never_re_formed() -> None:
    """The same Monday with f+x a fixed team (the scenario's teams table): the pass may not
    touch it, so W and HX stay unscheduled, with their reasons judged by routing."""
    fixed = Team("Mon-1", ("f", "x"), (0,))
    scenario = _scenario(SWAP_OFFICERS, SWAP_SHOPS, teams=(fixed,))
    made, (teams, after) = _route(scenario, SWAP_VISITS, SWAP_TEAMS)
    assert after[0].routes == made[0].routes and teams[MONDAY] == SWAP_TEAMS[MONDAY]
    assert dict(after[0].metrics)["reform_moves"] == 0
    assert {u.obligation.business_id for u in after[0].unscheduled} == {"W", "HX"}


def test_pairing_core_stays_together() -> None:
    """With f+x a pairing (a core that formation may grow, never split), f and x stay in one
    team: the swap that separates them is not made."""
    core = Team("Mon-1", ("f", "x"), (0,), pairing=True)
    scenario = _scenario(SWAP_OFFICERS, SWAP_SHOPS, teams=(core,))
    _, (teams, _) = _route(scenario, SWAP_VISITS, SWAP_TEAMS)
    assert any({"f", "x"} <= set(t.officer_ids) for t in teams[MONDAY])


def test_a_team_a_visit_is_pinned_to_keeps_its_members() -> None:
    """The same Monday with F1 pinned to Mon-1 (f+x) by the planner: Mon-1 keeps exactly its
    officers, so the swap is not made and F1 stays with them."""
    scenario = _scenario(SWAP_OFFICERS, SWAP_SHOPS)
    pins = {"F1": ("Mon-1", MONDAY)}
    made = plan_visits(scenario, SWAP_VISITS, SWAP_TEAMS, MONDAY, FAST, pins=pins)
    demand = WeekDemand(MONDAY, tuple(SWAP_VISITS), ())
    teams, after = reform_made(scenario, demand, SWAP_TEAMS, made, solve_params=FAST, pins=pins)
    assert ("f", "x") in {t.officer_ids for t in teams[MONDAY]}
    (route,) = [r for r in after[0].routes if "F1" in {s.visit.business_id for s in r.stops}]
    assert (route.team_id, route.officer_ids) == ("Mon-1", ("f", "x"))


def test_officers_in_no_team_are_paired_for_a_waiting_visit() -> None:
    """y and z are rostered on Monday but in no team; a visit needing gas + hygiene waits. The
    pass forms y+z for it."""
    scenario = _scenario(SWAP_OFFICERS, {**SWAP_SHOPS, "G": "Mo 08:00-20:00"})
    visits = [*SWAP_VISITS[:2], _visit("G", 60, "gas", "hygiene")]
    tuesday = (Team("Tue-1", ("f", "x")), Team("Tue-2", ("y", "z")))  # G is whole in the week
    teams = {MONDAY: (Team("Mon-1", ("f", "x")),), TUESDAY: tuesday}
    made, (new_teams, after) = _route(scenario, visits, teams)
    assert _planned(made[0]) == {"F1", "F2"}
    assert _planned(after[0]) == {"F1", "F2", "G"}
    assert frozenset("yz") in {frozenset(t.officer_ids) for t in new_teams[MONDAY]}
    assert idle_officer_days(scenario, after[0]) == ()


def test_stops_are_handed_over_to_make_room() -> None:
    """Monday: f+x (the only food certificate) have a full day — four fire and four food visits
    of an hour — while y+x2 (gas, fire) have nothing and a two-hour food visit waits. Handing
    the fire stops over to y+x2 frees the time the food visit needs (a routed week given by
    hand: routing itself would not leave this)."""
    officers = [_officer("f", "food", "fire"), _officer("x", "fire"), _officer("y", "gas", "fire"),
                _officer("x2", "fire")]  # fmt: skip
    shops = {f"B{n}": "Mo 08:00-20:00" for n in range(8)} | {"LONG": "Mo 08:00-20:00"}
    visits = [_visit(f"B{n}", 60, "food" if n % 2 else "fire") for n in range(8)]
    visits.append(_visit("LONG", 120, "food", priority=58))
    teams = {MONDAY: (Team("Mon-1", ("f", "x")), Team("Mon-2", ("y", "x2"))),
             TUESDAY: (Team("Tue-1", ("f", "y")),)}  # fmt: skip
    scenario = _scenario(officers, shops)
    travel = travel_matrix(problem_points(scenario, visits))
    problem = build_problem(scenario, visits, teams, MONDAY, travel)
    starts = [h * H for h in (8, 9, 10, 11, 13, 14, 15, 16)]
    full = RouteSolution(0, tuple(range(8)), tuple(starts), 8 * H, 17 * H, 12 * H)
    assert routes_feasible(problem, [full])
    solution = Solution((full,), (8,))
    reformed = reform_week(scenario, visits, teams, problem, solution)
    served = {problem.visit_ids[i] for r in reformed.solution.routes for i in r.visits}
    assert served == {v.business_id for v in visits}
    (move,) = reformed.moves
    assert move.added == ("LONG",) and move.handed and not move.lost
    assert len(reformed.solution.routes) == 2  # both Monday teams now have stops
    assert routes_feasible(reformed.problem, reformed.solution.routes)


def test_descent_from_given_routes_stops_at_the_first_plan_making_a_wanted_visit() -> None:
    """``solve.descend_from``: local search from the full day of the hand-over fixture (both
    teams' vehicles, LONG left out) reaches a plan that makes LONG without losing a stop, and
    given routes that break a rule (a stop twice) are refused with ``None``."""
    officers = [_officer("f", "food", "fire"), _officer("x", "fire"), _officer("y", "gas", "fire"),
                _officer("x2", "fire")]  # fmt: skip
    shops = {f"B{n}": "Mo 08:00-20:00" for n in range(8)} | {"LONG": "Mo 08:00-20:00"}
    visits = [_visit(f"B{n}", 60, "food" if n % 2 else "fire") for n in range(8)]
    visits.append(_visit("LONG", 120, "food", priority=58))
    teams = {MONDAY: (Team("Mon-1", ("f", "x")), Team("Mon-2", ("y", "x2")))}
    scenario = _scenario(officers, shops)
    problem = build_problem(
        scenario, visits, teams, MONDAY, travel_matrix(problem_points(scenario, visits))
    )
    routes = descend_from(problem, [list(range(8)), []], until_served=[8])
    assert routes is not None and routes_feasible(problem, routes)
    assert {i for r in routes for i in r.visits} == set(range(9))
    assert descend_from(problem, [[0, 1], [1]]) is None


# ---------------------------------------------------------------- measuring what is left


def _idle_week_plan(minutes: int) -> tuple[Scenario, Plan, Visit]:
    """f and x rostered Monday and Tuesday, no route, one visit due this week waiting: open
    Monday 10:30–14:00 only (lunch 11:30–13:30, an hour) and ``minutes`` long."""
    scenario = _scenario(SWAP_OFFICERS[:2], {"L": "Mo 10:30-14:00"})
    visit = _visit("L", minutes, "food")
    unscheduled = (Unscheduled(visit.obligations[0], "capacity"),)
    plan = Plan(MONDAY, (), unscheduled, (("obligations_unscheduled", 1.0),))
    return scenario, plan, visit


def test_idleness_no_team_could_fill_is_told_apart() -> None:
    """A 170-minute visit open 10:30–14:00 cannot fit any day with an hour's lunch in
    11:30–13:30, so the idle officers could not have made it: every idle officer-day counts in
    ``idle_officer_days``, none in ``idle_officer_days_with_work``. An hour-long visit fits
    Monday: Monday's idle officer-days count, Tuesday's (closed) do not."""
    scenario, plan, visit = _idle_week_plan(170)
    assert len(idle_officer_days(scenario, plan)) == 4
    assert idle_officer_days_with_work(scenario, plan, visits=[visit]) == ()
    scenario, plan, visit = _idle_week_plan(60)
    found = idle_officer_days_with_work(scenario, plan, visits=[visit])
    assert found == ((MONDAY, "f"), (MONDAY, "x"))


# ---------------------------------------------------------------- property


@st.composite
def mondays(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    """A random Monday: 3–6 officers with one or two certifications, paired at random (one may
    stay in no team), 2–8 visits needing one or two certifications; Tuesday holds one team of
    everyone (so no visit is split), with nothing open."""
    n = draw(st.integers(3, 6))
    officers = [
        _officer(
            f"o{i}",
            *draw(st.lists(st.sampled_from(CERTS), min_size=1, max_size=2, unique=True)),
        )
        for i in range(n)
    ]
    order = draw(st.permutations([o.id for o in officers]))
    monday = tuple(Team(f"Mon-{k + 1}", tuple(order[2 * k : 2 * k + 2])) for k in range(n // 2))
    tuesday = (Team("Tue-1", tuple(o.id for o in officers)),)
    shops: dict[str, str] = {}
    visits = []
    for i in range(draw(st.integers(2, 8))):
        bid = f"b{i}"
        shops[bid] = draw(st.sampled_from(("Mo 08:00-20:00", "Mo 10:00-14:00", "Mo 14:00-18:00")))
        need = draw(st.lists(st.sampled_from(CERTS), min_size=1, max_size=2, unique=True))
        minutes = draw(st.sampled_from((30, 60, 120, 180)))
        visits.append(_visit(bid, minutes, *need, priority=draw(st.integers(10, 58))))
    return _scenario(officers, shops), visits, {MONDAY: monday, TUESDAY: tuesday}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mondays())
def test_re_formed_plans_verify_gain_and_leave_no_insertion_move(case) -> None:  # type: ignore[no-untyped-def]
    """Whatever the township: the re-formed plan passes the independent checker, schedules at
    least the priority-weighted value it had, and a second pass (insertion only) finds no
    re-split of an idle unit and a routed team that would schedule more."""
    scenario, visits, teams = case
    made, (new_teams, after) = _route(scenario, visits, teams)
    plan, problem, travel, solution, routed = after
    ids = problem.depot_ids + problem.visit_ids
    obligations = [o for v in visits for o in v.obligations]
    assert verify_plan(scenario, plan, travel, ids, obligations=obligations) == []
    value = [
        sum(max(o.priority, 1) for r in p.routes for s in r.stops for o in s.visit.obligations)
        for p in (made[0], plan)
    ]
    assert value[1] >= value[0]
    again = reform_week(scenario, routed, new_teams, problem, solution, max_solves=0)
    assert again.moves == ()


def test_re_formation_with_part_visits_visits_each_business_once() -> None:
    """With part visits on, routing makes W's and HX's parts with y + z and the pass then works
    on a week holding whole visits and parts: the plan verifies, every business is visited at
    most once, and every obligation is planned or unscheduled once."""
    scenario = _scenario(SWAP_OFFICERS, SWAP_SHOPS)
    parts = dataclasses.replace(FAST, part_visits="always")
    made = plan_visits(scenario, SWAP_VISITS, SWAP_TEAMS, MONDAY, parts)
    demand = WeekDemand(MONDAY, tuple(SWAP_VISITS), ())
    _, after = reform_made(scenario, demand, SWAP_TEAMS, made, solve_params=parts)
    plan = after[0]
    ids = after[1].depot_ids + after[1].visit_ids
    obligations = [o for v in SWAP_VISITS for o in v.obligations]
    assert verify_plan(scenario, plan, after[2], ids, obligations=obligations) == []
    assert _planned(plan) == {"F1", "F2", "W", "HX"}
