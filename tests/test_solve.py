"""The routing engine: one test per constraint on hand-made 1–4-visit problems."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.params import SolveParams
from planner.problem import RouteSolution, RoutingProblem, Solution, find_insertion
from planner.solve import (
    ProgressEvent,
    carry_over_order,
    choose_decomposition,
    insert_left_out,
    lp_bound,
    repair_candidates,
    routes_feasible,
    solve,
    split_areas,
    split_offices,
    travel_bound,
    worth_adding,
)

H = 3600
MONDAY = dt.date(2026, 11, 23)
WEEK = tuple(MONDAY + dt.timedelta(days=d) for d in range(7))
FAST = SolveParams(time_limit_s=1, use_guided_local_search=False)


def make_problem(
    service: Sequence[int],
    vehicles: Sequence[Mapping[str, object]],
    *,
    windows: Mapping[tuple[int, int], Sequence[tuple[int, int]]] | None = None,
    eligible: np.ndarray | None = None,
    penalty: Sequence[int] | None = None,
    hard: Sequence[bool] | None = None,
    last_day: Sequence[int] | None = None,
    pinned: Sequence[int] | None = None,
    travel: np.ndarray | None = None,
    depots: int = 1,
) -> RoutingProblem:
    """A problem by hand: ``vehicles`` are dicts with day, shift, lunch (window + seconds), depot.

    Windows default to 00:00–24:00 on every vehicle's day; travel to 600 s between any two
    different nodes.
    """
    n_v, n_k = len(service), len(vehicles)
    days = sorted({int(v.get("day", 0)) for v in vehicles})  # type: ignore[call-overload]
    if windows is None:
        windows = {(i, d): [(0, 24 * H)] for i in range(n_v) for d in days}
    rows = sorted((i, d, s, e) for (i, d), spans in windows.items() for s, e in spans)
    n = depots + n_v
    if travel is None:
        travel = np.full((n, n), 600, dtype=np.int64)
        np.fill_diagonal(travel, 0)
    lunch = [v.get("lunch", (0, 0, 0)) for v in vehicles]
    return RoutingProblem(
        days=WEEK,
        depot_ids=tuple(f"office{d}" for d in range(depots)),
        visit_ids=tuple(f"b{i}" for i in range(n_v)),
        vehicle_teams=tuple(str(v.get("team", f"t{k}")) for k, v in enumerate(vehicles)),
        vehicle_officers=tuple(("o1", "o2") for _ in vehicles),
        vehicle_day=np.array([v.get("day", 0) for v in vehicles], dtype=np.int64),
        vehicle_depot=np.array([v.get("depot", 0) for v in vehicles], dtype=np.int64),
        vehicle_shift=np.array([v.get("shift", (8 * H, 17 * H)) for v in vehicles], dtype=np.int64),
        vehicle_lunch=np.array(lunch, dtype=np.int64).reshape(n_k, 3),
        service=np.array(service, dtype=np.int64),
        windows=np.array(rows, dtype=np.int64).reshape(-1, 4),
        eligible=np.ones((n_v, n_k), dtype=bool) if eligible is None else eligible,
        penalty=np.array(penalty or [100_000] * n_v, dtype=np.int64),
        hard_deadline=np.array(hard or [False] * n_v, dtype=bool),
        last_day=np.array(last_day or [6] * n_v, dtype=np.int64),
        first_day=np.zeros(n_v, dtype=np.int64),
        pinned=np.array(pinned or [-1] * n_v, dtype=np.int64),
        travel_seconds=np.asarray(travel, dtype=np.int64),
        travel_metres=np.asarray(travel, dtype=np.int64) * 7,
        day_checks=np.full((n_v, 7), 31, dtype=np.uint8),
    )


def served_by(solution: Solution) -> dict[int, int]:
    """Visit → vehicle."""
    return {i: r.vehicle for r in solution.routes for i in r.visits}


def stop_times(solution: Solution) -> dict[int, tuple[int, int]]:
    """Visit → (vehicle, start)."""
    return {
        i: (r.vehicle, s) for r in solution.routes for i, s in zip(r.visits, r.starts, strict=True)
    }


def test_serves_everything_when_easy() -> None:
    """Three visits, one team with a whole day: all are served, inside the shift."""
    problem = make_problem([H, H, H], [{"day": 0}])
    solution = solve(problem, FAST)
    assert sorted(served_by(solution)) == [0, 1, 2]
    route = solution.routes[0]
    assert route.depart >= 8 * H and route.back <= 17 * H


def test_split_hours_window() -> None:
    """Split opening hours 09–10 and 14–16 with a 90-min visit: it must start 14:00–14:30."""
    windows = {(0, 0): [(9 * H, 10 * H), (14 * H, 16 * H)]}
    solution = solve(make_problem([90 * 60], [{"day": 0}], windows=windows), FAST)
    _, start = stop_times(solution)[0]
    assert 14 * H <= start <= 14 * H + 1800


def test_overnight_window() -> None:
    """A night shift 18:00–02:00 and a bar open 23:00–02:00: the visit runs past midnight."""
    windows = {(0, 0): [(23 * H, 26 * H)]}
    problem = make_problem([2 * H], [{"day": 0, "shift": (18 * H, 27 * H)}], windows=windows)
    _, start = stop_times(solve(problem, FAST))[0]
    assert start >= 23 * H and start + 2 * H <= 26 * H


def test_window_on_another_day_only() -> None:
    """A business open only on Tuesday is visited by the Tuesday team, not Monday's."""
    windows = {(0, 1): [(9 * H, 17 * H)]}
    problem = make_problem([H], [{"day": 0}, {"day": 1}], windows=windows)
    assert served_by(solve(problem, FAST)) == {0: 1}


def test_lunch_break_blocks_a_visit_spanning_it() -> None:
    """Lunch fixed at 12–13 leaves no 90-minute slot in an 11–14 window; without lunch there is."""
    windows = {(0, 0): [(11 * H, 14 * H)]}
    lunch = {"day": 0, "lunch": (12 * H, 13 * H, H)}
    assert solve(make_problem([90 * 60], [lunch], windows=windows), FAST).dropped == (0,)
    assert solve(make_problem([90 * 60], [{"day": 0}], windows=windows), FAST).dropped == ()


def test_lunch_taken_inside_window_between_visits() -> None:
    """A full morning and afternoon: the break lies in its window and overlaps no visit."""
    lunch = (11 * H, 14 * H, H)
    windows = {(0, 0): [(9 * H, 12 * H + 1800)], (1, 0): [(12 * H, 17 * H)]}
    problem = make_problem([3 * H, 3 * H], [{"day": 0, "lunch": lunch}], windows=windows)
    solution = solve(problem, FAST)
    route = solution.routes[0]
    assert len(route.visits) == 2
    assert 11 * H <= route.lunch_start <= 13 * H
    for start, i in zip(route.starts, route.visits, strict=True):
        end = start + int(problem.service[i])
        assert route.lunch_start >= end or route.lunch_start + H <= start


def test_eligibility_picks_the_certified_team() -> None:
    """Only vehicle 1 holds the certifications: it makes the visit though vehicle 0 is cheaper."""
    travel = np.array([[0, 600, 9000], [600, 0, 9000], [9000, 9000, 0]])
    eligible = np.array([[False, True]])
    problem = make_problem(
        [H], [{"day": 0, "depot": 0}, {"day": 0, "depot": 1}], eligible=eligible, travel=travel,
        depots=2,
    )  # fmt: skip
    # Vehicle 1 starts at office1, 9000 s away; vehicle 0 at office0, 600 s away.
    assert served_by(solve(problem, FAST)) == {0: 1}


def test_no_eligible_team_drops_the_visit() -> None:
    """A visit no vehicle may make is dropped, not forced."""
    problem = make_problem([H], [{"day": 0}], eligible=np.array([[False]]))
    solution = solve(problem, FAST)
    assert solution.dropped == (0,) and solution.stat("visits_offered") == 0


def test_hard_deadline_moves_visit_to_the_earlier_day() -> None:
    """Monday deadline: A must take Monday's only slot (B, Monday-only, is dropped)."""
    # One 90-min visit fits a 08:00–10:00 shift; B may only go on Monday, A on Mon or Tue.
    vehicles = [{"day": 0, "shift": (8 * H, 10 * H)}, {"day": 1, "shift": (8 * H, 10 * H)}]
    eligible = np.array([[True, True], [True, False]])
    free = make_problem([90 * 60] * 2, vehicles, eligible=eligible, penalty=[200_000, 100_000])
    assert served_by(solve(free, FAST)) == {0: 1, 1: 0}
    due = make_problem(
        [90 * 60] * 2, vehicles, eligible=eligible, penalty=[200_000, 100_000],
        hard=[True, False], last_day=[0, 6],
    )  # fmt: skip
    assert served_by(solve(due, FAST)) == {0: 0}


def test_one_visit_per_business() -> None:
    """A business is one node: however much room, it is visited once in the week."""
    problem = make_problem([H], [{"day": d} for d in range(5)])
    solution = solve(problem, FAST)
    assert sum(len(r.visits) for r in solution.routes) == 1
    with pytest.raises(ValueError, match="one visit per business"):
        RoutingProblem(**{**_fields(problem), "visit_ids": ("b0", "b0"), **_two(problem)})


def _fields(problem: RoutingProblem) -> dict[str, object]:
    names = RoutingProblem.__dataclass_fields__
    return {n: getattr(problem, n) for n in names if not n.startswith("_")}


def _two(problem: RoutingProblem) -> dict[str, object]:
    """Array fields of ``problem`` with its one visit repeated (two visits, same business)."""
    twice = {
        n: np.concatenate([getattr(problem, n)] * 2)
        for n in ("service", "eligible", "penalty", "hard_deadline", "last_day", "first_day")
    }
    twice["pinned"] = np.concatenate([problem.pinned] * 2)
    twice["day_checks"] = np.concatenate([problem.day_checks] * 2)
    travel = np.full((3, 3), 600, dtype=np.int64)
    np.fill_diagonal(travel, 0)
    return {**twice, "travel_seconds": travel, "travel_metres": travel}


def test_capacity_short_drops_the_lower_priority() -> None:
    """Room for one of two visits: the higher penalty is served, whichever it is."""
    vehicles = [{"day": 0, "shift": (8 * H, 10 * H)}]
    first = make_problem([90 * 60] * 2, vehicles, penalty=[300_000, 100_000])
    second = make_problem([90 * 60] * 2, vehicles, penalty=[100_000, 300_000])
    assert solve(first, FAST).dropped == (1,)
    assert solve(second, FAST).dropped == (0,)


def test_pinned_visit_goes_to_its_team() -> None:
    """Pinned to the far team's vehicle, the visit goes there although the near one is cheaper."""
    vehicles = [{"day": 0, "depot": 0}, {"day": 0, "depot": 1}]
    # Visit node 2 is 600 s from office0 (vehicle 0), 9000 s from office1 (vehicle 1).
    travel = np.array([[0, 5000, 600], [5000, 0, 9000], [600, 9000, 0]])
    free = make_problem([H], vehicles, travel=travel, depots=2)
    assert served_by(solve(free, FAST)) == {0: 0}
    pinned = make_problem([H], vehicles, travel=travel, depots=2, pinned=[1])
    assert served_by(solve(pinned, FAST)) == {0: 1}


def test_workload_balance_spreads_visits() -> None:
    """Four visits at one far place: one team does all unless the busiest day's work costs."""
    travel = np.full((5, 5), 60, dtype=np.int64)
    travel[0, 1:] = travel[1:, 0] = 3600
    np.fill_diagonal(travel, 0)
    problem = make_problem([H] * 4, [{"day": 0}, {"day": 0}], travel=travel)
    lazy = solve(problem, SolveParams(time_limit_s=1, workload_balance=0, duration_cost=0))
    fair = solve(problem, SolveParams(time_limit_s=1, workload_balance=10))
    assert sorted(len(r.visits) for r in lazy.routes) == [4]
    assert sorted(len(r.visits) for r in fair.routes) == [2, 2]


def test_progress_reports_improvements() -> None:
    """The progress callback sees at least one event with the visits served."""
    events: list[ProgressEvent] = []
    solve(make_problem([H, H], [{"day": 0}]), FAST, events.append)
    assert events and events[-1].served == 2 and events[-1].offered == 2


def test_seed_is_reproducible() -> None:
    """The same seed gives the same solution; the seed only reorders the visits."""
    problem = make_problem([H] * 4, [{"day": 0}, {"day": 1}])
    params = SolveParams(time_limit_s=1, use_guided_local_search=False, seed=7)
    first, again = solve(problem, params), solve(problem, params)
    assert first.routes == again.routes
    assert sorted(served_by(first)) == [0, 1, 2, 3]


def test_decomposition_by_day_serves_all_and_respects_days() -> None:
    """Day by day (LP, then a model per day): every visit on a day it is allowed."""
    eligible = np.array([[True, False], [False, True], [True, True]])
    problem = make_problem([H] * 3, [{"day": 0}, {"day": 1}], eligible=eligible)
    params = SolveParams(time_limit_s=2, use_guided_local_search=False, decomposition="day")
    solution = solve(problem, params)
    assert choose_decomposition(problem, params) == "day"
    assert solution.stat("decomposed") == 1
    assigned = served_by(solution)
    assert sorted(assigned) == [0, 1, 2] and assigned[0] == 0 and assigned[1] == 1


def test_dropped_day_visit_moves_to_a_later_day() -> None:
    """Monday can take one of two visits: the other is carried to Tuesday, not lost."""
    vehicles = [{"day": 0, "shift": (8 * H, 10 * H)}, {"day": 1, "shift": (8 * H, 10 * H)}]
    problem = make_problem([90 * 60] * 2, vehicles)
    params = SolveParams(time_limit_s=2, use_guided_local_search=False, decomposition="day")
    assert sorted(served_by(solve(problem, params)).values()) == [0, 1]


def test_carry_over_offers_the_most_penalty_per_second_first_when_short_of_time() -> None:
    """A heavy week (4 h of team time, 5 h of visits) with a 4-hour visit worth 300,000 and a
    1-hour one worth 200,000 left out: the first carry-over place goes to the 1-hour visit (more
    penalty per second of work), not to the long one a full day could rarely fit; an earlier
    last day still goes first."""
    vehicles = [{"day": 0, "shift": (8 * H, 10 * H)}, {"day": 1, "shift": (8 * H, 10 * H)}]
    problem = make_problem([4 * H, 1 * H], vehicles, penalty=[300_000, 200_000])
    assert carry_over_order(problem, [0, 1]) == [1, 0]
    urgent = make_problem([4 * H, 1 * H], vehicles, penalty=[300_000, 200_000], last_day=[0, 6])
    assert carry_over_order(urgent, [0, 1]) == [0, 1]


def test_carry_over_offers_the_most_penalty_first_with_time_to_spare() -> None:
    """The same two visits on a week with two full days of team time (18 h for 5 h of visits):
    a dropped visit usually fits a later day, so the one worth most goes first."""
    vehicles = [{"day": 0}, {"day": 1}]
    problem = make_problem([4 * H, 1 * H], vehicles, penalty=[300_000, 200_000])
    assert carry_over_order(problem, [0, 1]) == [0, 1]


@settings(max_examples=60, deadline=None)
@given(
    hours=st.lists(st.integers(1, 6), min_size=5, max_size=5),
    penalties=st.lists(st.integers(1, 9), min_size=5, max_size=5),
    last_days=st.lists(st.integers(0, 2), min_size=5, max_size=5),
    shift=st.integers(1, 12),
)
def test_carry_over_order_is_a_permutation_by_last_day(
    hours: list[int], penalties: list[int], last_days: list[int], shift: int
) -> None:
    """Whatever the week's load: every pool visit is offered exactly once, earliest last day
    first, and with equal last days the order never prefers less penalty per second (short of
    time) or less penalty (time to spare)."""
    vehicles = [{"day": 0, "shift": (8 * H, (8 + shift) * H)}]
    problem = make_problem(
        [h * H for h in hours], vehicles, penalty=[p * 100_000 for p in penalties],
        last_day=last_days,
    )  # fmt: skip
    order = carry_over_order(problem, [4, 0, 3, 1, 2])
    assert sorted(order) == [0, 1, 2, 3, 4]
    assert [last_days[i] for i in order] == sorted(last_days)
    short = sum(hours) > shift
    value = [penalties[i] / (hours[i] * H + 600) if short else penalties[i] for i in range(5)]
    for a, b in zip(order, order[1:], strict=False):
        if last_days[a] == last_days[b]:
            assert value[a] >= value[b]


def test_lp_bound_is_an_upper_bound() -> None:
    """Room for one of two equal visits: the bound is at least the coverage achieved (½)."""
    problem = make_problem([90 * 60] * 2, [{"day": 0, "shift": (8 * H, 10 * H)}])
    solution = solve(problem, FAST)
    assert solution.stat("weighted_coverage") == pytest.approx(0.5)
    assert lp_bound(problem) >= solution.stat("weighted_coverage")


def test_split_areas_keeps_every_visit_once() -> None:
    """Splitting a day into areas puts each visit and each team-day in exactly one part."""
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 10_000, size=(13, 2))
    travel = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    problem = make_problem([600] * 12, [{"day": 0}] * 4, travel=travel)
    parts = split_areas(problem, list(range(12)), [0, 1, 2, 3], 3)
    visits = sorted(i for v, _ in parts for i in v)
    crews = sorted(k for _, c in parts for k in c)
    assert visits == list(range(12)) and crews == [0, 1, 2, 3] and len(parts) >= 2


def test_office_without_teams_is_not_a_stop() -> None:
    """A second office no team starts from is never routed through."""
    problem = make_problem([H], [{"day": 0, "depot": 0}], depots=2)
    solution = solve(problem, FAST)
    assert served_by(solution) == {0: 0} and solution.routes[0].visits == (0,)


def test_split_offices_gives_each_visit_to_its_nearest_office() -> None:
    """Two townships: each office's teams get the visits nearest to it."""
    travel = np.array(
        [[0, 3000, 300, 3000], [3000, 0, 3000, 300], [300, 3000, 0, 3000], [3000, 300, 3000, 0]]
    )
    vehicles = [{"day": 0, "depot": 0}, {"day": 0, "depot": 1}]
    problem = make_problem([H, H], vehicles, travel=travel, depots=2)
    assert sorted(split_offices(problem, [0, 1], [0, 1])) == [([0], [0]), ([1], [1])]


def _crowded_office() -> RoutingProblem:
    """Two offices, one day: office A's team (08–10) is next to both visits but has room for one;
    office B's team (08–17) is 20 minutes away and has nothing else to do."""
    travel = np.array(
        [
            [0, 1200, 60, 60],
            [1200, 0, 1200, 1200],
            [60, 1200, 0, 60],
            [60, 1200, 60, 0],
        ]
    )
    vehicles = [{"day": 0, "depot": 0, "shift": (8 * H, 10 * H)}, {"day": 0, "depot": 1}]
    return make_problem([H, H], vehicles, travel=travel, depots=2, penalty=[200_000, 100_000])


def test_repair_gives_a_left_out_visit_to_an_idle_team_day() -> None:
    """Day by day, office A takes both nearby visits but fits one; the repair pass gives the other
    to office B's idle team-day, which has room for it (it was left out with reason capacity)."""
    params = SolveParams(time_limit_s=2, use_guided_local_search=False, decomposition="day")
    solution = solve(_crowded_office(), params)
    assert sorted(served_by(solution)) == [0, 1]
    assert served_by(solution)[0] == 0 and served_by(solution)[1] == 1


def test_repair_moves_a_left_out_visit_to_another_day() -> None:
    """The LP puts both nearby visits on Tuesday with office A's short team-day (its estimate says
    they nearly fit); Tuesday fits one, and no later day exists. The repair pass gives the other
    to Monday's idle team of office B instead of leaving it out."""
    problem = _crowded_office()
    vehicles = [{"day": 1, "depot": 0, "shift": (8 * H, 10 * H)}, {"day": 0, "depot": 1}]
    problem = make_problem(
        [H, H],
        vehicles,
        travel=problem.travel_seconds,
        depots=2,
        penalty=[200_000, 100_000],
    )
    params = SolveParams(time_limit_s=2, use_guided_local_search=False, decomposition="day")
    solution = solve(problem, params)
    assert served_by(solution) == {0: 0, 1: 1}


def _full_day(penalty_of_stop: int) -> tuple[RoutingProblem, list[RouteSolution]]:
    """One team-day 08:00–12:00 (no lunch), busy with a three-hour visit 08:10–11:10 (visit 0,
    penalty ``penalty_of_stop``); visit 1 (two hours, penalty 200 000) and visit 2 (five hours,
    penalty 200 000) are left out."""
    problem = make_problem(
        [3 * H, 2 * H, 5 * H], [{"day": 0, "shift": (8 * H, 12 * H)}],
        penalty=[penalty_of_stop, 200_000, 200_000],
    )  # fmt: skip
    route = RouteSolution(0, (0,), (8 * H + 600,), 8 * H, 11 * H + 1200, -1)
    return problem, [route]


def test_repair_candidates_take_a_visit_that_fits_in_the_slack() -> None:
    """An idle team-day has room for a left-out visit no longer than its shift: a candidate."""
    problem = make_problem([2 * H], [{"day": 0, "shift": (8 * H, 12 * H)}])
    assert repair_candidates(problem, [], [0], [0]) == [0]


def test_repair_candidates_take_a_visit_worth_a_swap() -> None:
    """A full team-day whose stop is worth less than a left-out visit that would fit in its
    place: a candidate (the repair may swap them); the five-hour visit fits nowhere: not one."""
    problem, routes = _full_day(penalty_of_stop=100_000)
    assert repair_candidates(problem, routes, [1, 2], [0]) == [1]


def test_repair_candidates_skip_a_visit_not_worth_the_stop_it_needs_out() -> None:
    """The same full team-day with a stop worth more than the left-out visit: no candidate, so
    the repair pass does not solve that day again."""
    problem, routes = _full_day(penalty_of_stop=300_000)
    assert repair_candidates(problem, routes, [1, 2], [0]) == []


def test_repair_swaps_in_a_left_out_visit_worth_more() -> None:
    """The full team-day of ``_full_day`` (a three-hour stop worth 100 000, 40 min of slack):
    no insertion places the two-hour visit worth 200 000, but the repair pass, solving the day
    again from its route, swaps it for the stop (a screen on slack alone would have skipped the
    day); the five-hour visit stays out."""
    import time

    from planner.solve import _repair, _Run

    problem, routes = _full_day(penalty_of_stop=100_000)
    params = SolveParams(time_limit_s=2, use_guided_local_search=False, decomposition="day")
    run = _Run(problem, params, None, time.perf_counter(), 3, routes=list(routes), served={0})
    _repair(run, [0, 1, 2])
    assert run.served == {1} and run.repaired == 1


def test_insertion_fills_the_morning_before_an_afternoon_visit() -> None:
    """A team-day whose only visit is at 14:00 has the morning free: a left-out one-hour visit
    open 09–12 goes there, and the route with it is feasible for the routing model."""
    windows = {(0, 0): [(14 * H, 16 * H)], (1, 0): [(9 * H, 12 * H)]}
    problem = make_problem([H, H], [{"day": 0, "lunch": (12 * H, 13 * H, 1800)}], windows=windows)
    route = RouteSolution(0, (0,), (14 * H,), 14 * H - 600, 15 * H + 600, 12 * H)
    found = find_insertion(problem, 0, route, 1)
    assert found is not None and found.position == 0 and 9 * H <= found.start <= 11 * H
    assert routes_feasible(problem, [found.apply(route, 1)])


@settings(max_examples=40, deadline=None)
@given(
    opens=st.lists(st.integers(7, 16), min_size=4, max_size=4),
    lengths=st.lists(st.integers(1, 6), min_size=4, max_size=4),
    minutes=st.lists(st.integers(2, 12), min_size=4, max_size=4),
    legs=st.lists(st.integers(1, 40), min_size=25, max_size=25),
    lunch=st.booleans(),
)
def test_found_insertions_are_feasible(
    opens: list[int], lengths: list[int], minutes: list[int], legs: list[int], lunch: bool
) -> None:
    """Property: whatever the windows, legs and lunch, a visit ``insert_left_out`` places keeps
    every route feasible for the routing model (``routes_feasible``)."""
    windows = {
        (i, 0): [(o * H, min(o + n, 20) * H)]
        for i, (o, n) in enumerate(zip(opens, lengths, strict=True))
    }
    travel = np.array(legs, dtype=np.int64).reshape(5, 5) * 60
    np.fill_diagonal(travel, 0)
    vehicle = {"day": 0, "shift": (8 * H, 17 * H), "lunch": (11 * H, 14 * H, 3600 if lunch else 0)}
    problem = make_problem(
        [m * 10 * 60 for m in minutes], [vehicle], windows=windows, travel=travel
    )
    eligible_left = [i for i in range(4) if problem.windows_of(i, 0)[:, 1].max() > 0]
    routes = insert_left_out(problem, [], eligible_left)
    assert routes_feasible(problem, routes)


def test_travel_bound_sees_opening_hours_and_the_way_back() -> None:
    """Two one-hour visits open only 09:00-10:00, one team-day: at most one can be made. The LP
    bound says both (1.0); the travel bound, sharing the hour between them, says one (0.5)."""
    windows = {(0, 0): [(9 * H, 10 * H)], (1, 0): [(9 * H, 10 * H)]}
    problem = make_problem([H, H], [{"day": 0}], windows=windows)
    assert lp_bound(problem) == pytest.approx(1.0)
    assert travel_bound(problem) == pytest.approx(0.5)


@settings(max_examples=25, deadline=None)
@given(
    opens=st.lists(st.integers(7, 16), min_size=5, max_size=5),
    lengths=st.lists(st.integers(1, 5), min_size=5, max_size=5),
    minutes=st.lists(st.integers(3, 15), min_size=5, max_size=5),
    legs=st.lists(st.integers(1, 60), min_size=36, max_size=36),
)
def test_travel_bound_is_an_upper_bound(
    opens: list[int], lengths: list[int], minutes: list[int], legs: list[int]
) -> None:
    """Property: the coverage a solve reaches ≤ the travel bound ≤ the LP bound."""
    windows = {
        (i, 0): [(o * H, min(o + n, 20) * H)]
        for i, (o, n) in enumerate(zip(opens, lengths, strict=True))
    }
    travel = np.array(legs, dtype=np.int64).reshape(6, 6) * 60
    np.fill_diagonal(travel, 0)
    vehicle = {"day": 0, "shift": (8 * H, 14 * H), "lunch": (11 * H, 13 * H, 1800)}
    problem = make_problem(
        [m * 10 * 60 for m in minutes], [vehicle], windows=windows, travel=travel
    )
    reached = solve(problem, FAST).stat("weighted_coverage")
    assert reached <= travel_bound(problem) + 1e-9 <= lp_bound(problem) + 2e-9


# ---------------------------------------------------------------- part visits (alternatives)


def with_alternatives(problem: RoutingProblem, group: Sequence[int]) -> RoutingProblem:
    """``problem`` with visits sharing a label of ``group`` made alternatives of one business
    (named after the label: a whole visit and its department parts)."""
    return dataclasses.replace(
        problem,
        visit_ids=tuple(f"b{g}" for g in group),
        alternative=np.asarray(group, dtype=np.int64),
    )


def _whole_and_parts(shift_hours: int, eligible: np.ndarray) -> RoutingProblem:
    """Visit 0: a whole 90-min visit worth 3; visits 1 and 2: its two parts (70 min worth 2,
    30 min worth 1) — node 0's business, one disjunction."""
    vehicles = [{"day": 0, "shift": (8 * H, (8 + shift_hours) * H)}, {"day": 0}]
    problem = make_problem(
        [90 * 60, 70 * 60, 30 * 60],
        vehicles,
        eligible=eligible,
        penalty=[300_000, 200_000, 100_000],
    )
    return with_alternatives(problem, [0, 0, 0])


def test_part_visit_when_no_team_may_make_the_whole() -> None:
    """Only team 1 is certified for part 1 and nobody for the whole: part 1 is made (worth ⅔ of
    the whole), and never together with another alternative of the business."""
    eligible = np.array([[False, False], [False, True], [False, False]])
    solution = solve(_whole_and_parts(9, eligible), FAST)
    assert served_by(solution) == {1: 1}
    assert solution.stat("weighted_coverage") == pytest.approx(2 / 3)
    assert solution.stat("part_visits") == 1


def test_whole_visit_wins_over_its_parts() -> None:
    """Both teams may make everything with a whole day each: the whole visit is made, once."""
    solution = solve(_whole_and_parts(9, np.ones((3, 2), dtype=bool)), FAST)
    assert served_by(solution).keys() == {0}
    assert solution.stat("weighted_coverage") == pytest.approx(1.0)


def test_lp_groups_alternatives() -> None:
    """The day LP takes at most one of a whole visit and its parts: the bound of a business
    whose parts and whole all fit is 1, not 2."""
    problem = _whole_and_parts(9, np.ones((3, 2), dtype=bool))
    assert lp_bound(problem) == pytest.approx(1.0)
    assert travel_bound(problem) == pytest.approx(1.0)


def test_one_visit_per_business_unless_alternatives() -> None:
    """Two nodes of one business need one alternative label; different labels are refused."""
    problem = make_problem([H, H], [{"day": 0}])
    with pytest.raises(ValueError, match="one visit per business"):
        dataclasses.replace(problem, visit_ids=("b0", "b0"), alternative=np.array([0, 1]))
    assert with_alternatives(problem, [0, 0]).n_visits == 2


@settings(max_examples=25, deadline=None)
@given(
    n_whole=st.integers(1, 3),
    minutes=st.lists(st.integers(2, 9), min_size=9, max_size=9),
    shift=st.integers(1, 6),
    able=st.lists(st.booleans(), min_size=18, max_size=18),
    days=st.integers(1, 2),
)
def test_alternatives_property(
    n_whole: int, minutes: list[int], shift: int, able: list[bool], days: int
) -> None:
    """Property: with random whole visits and two parts each (parts shorter and worth less,
    random eligibility), a solve plans at most one visit per business, and its coverage ≤ the
    travel bound ≤ the LP bound; offering parts never lowers the LP bound of the whole visits
    alone (a relaxation of more plans)."""
    service, penalty, group = [], [], []
    for w in range(n_whole):
        a, b = minutes[3 * w] * 10 * 60, minutes[3 * w + 1] * 10 * 60
        service += [a + b, a, b]
        wa, wb = minutes[3 * w + 2] * 10_000, 10_000
        penalty += [wa + wb, wa, wb]
        group += [w, w, w]
    vehicles = [{"day": d, "shift": (8 * H, (8 + shift) * H)} for d in range(days) for _ in (0, 1)]
    eligible = np.array(able[: 3 * n_whole * len(vehicles)] + [True] * 36)[
        : 3 * n_whole * len(vehicles)
    ].reshape(3 * n_whole, len(vehicles))
    plain = make_problem(service, vehicles, eligible=eligible, penalty=penalty)
    problem = with_alternatives(plain, group)
    solution = solve(problem, FAST)
    served = [i for r in solution.routes for i in r.visits]
    assert len({group[i] for i in served}) == len(served)
    reached = solution.stat("weighted_coverage")
    assert reached <= travel_bound(problem) + 1e-9 <= lp_bound(problem) + 2e-9
    wholes = plain.restrict([3 * w for w in range(n_whole)], range(len(vehicles)))
    assert lp_bound(problem) >= lp_bound(wholes) - 1e-9


def test_repair_candidates_skip_a_visit_no_empty_team_day_could_make() -> None:
    """An idle team-day with its lunch break 11:30–13:30 (30 min) and a left-out three-hour
    visit open 10:30–14:00: the break would fall inside the visit, so even alone it fits no
    slot; not a candidate, so the repair pass does not solve the day again for it (the slack
    alone would have let it through)."""
    windows = {(0, 0): [(10 * H + 1800, 14 * H)]}
    day = {"day": 0, "lunch": (11 * H + 1800, 13 * H + 1800, 1800)}
    problem = make_problem([3 * H], [day], windows=windows)
    assert repair_candidates(problem, [], [0], [0]) == []


def test_worth_adding_keeps_upgrades_and_unvisited_businesses_only() -> None:
    """Business 0 is visited whole (visit 0): its parts 1 and 2 add nothing. Business 1 is
    visited by its smaller part (visit 4): its whole visit 3 would add priority, its other,
    smaller part 5 would not. Business 2 (visit 6) is not visited: it would."""
    problem = make_problem(
        [H] * 7, [{"day": 0}],
        penalty=[300_000, 200_000, 100_000, 300_000, 150_000, 100_000, 50_000],
    )  # fmt: skip
    problem = with_alternatives(problem, [0, 0, 0, 1, 1, 1, 2])
    routes = [RouteSolution(0, (0, 4), (9 * H, 11 * H), 8 * H, 13 * H, -1)]
    assert worth_adding(problem, routes, [1, 2, 3, 5, 6]) == [3, 6]


def test_repair_skips_a_day_whose_candidate_is_visited_on_another_day() -> None:
    """Monday's team-day is idle and could make business 0's whole visit (visit 0), but the
    business is visited on Tuesday by a part (visit 1): a Monday model could not add it (one
    visit per business), so the repair pass solves no model for Monday; Tuesday's full day
    (its part fills the shift) is not solved again either: the whole visit fits no room there."""
    import time

    from planner.solve import _repair, _Run

    vehicles = [{"day": 0}, {"day": 1, "shift": (8 * H, 9 * H + 1800)}]
    eligible = np.array([[True, False], [False, True]])
    problem = make_problem([2 * H, H], vehicles, eligible=eligible, penalty=[300_000, 150_000])
    problem = with_alternatives(problem, [0, 0])
    routes = [RouteSolution(1, (1,), (8 * H + 600,), 8 * H, 9 * H + 1200, -1)]
    params = SolveParams(time_limit_s=2, use_guided_local_search=False, decomposition="day")
    run = _Run(problem, params, None, time.perf_counter(), 1, routes=list(routes), served={1})
    _repair(run, [0, 1])
    assert run.models == 0 and run.served == {1}
