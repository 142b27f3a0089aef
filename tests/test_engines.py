"""The engine boundary: OR-Tools and PyVRP on one RoutingProblem, the VRPLIB reader, the adapter."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence

import numpy as np
import pytest
import vrplib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engines import check_solution, choose_engine, neutral_objective, solve_with
from planner.params import SolveParams
from planner.problem import DATES_OK, VEHICLE_BITS, RouteSolution, RoutingProblem, Solution
from planner.pyvrp_adapter import NotExpressible, inexpressible_reasons, to_pyvrp
from planner.vrplib_io import (
    check_vrptw_routes,
    read_best_known,
    read_vrptw,
    read_vrptw_solution,
    route_distance,
    truncated_distances,
)
from tests.conftest import shared_data

MONDAY = dt.date(2026, 11, 23)
PLAIN = SolveParams(time_limit_s=1.0, workload_balance=0, duration_cost=0, decomposition="week")


def line_problem(
    xs: Sequence[int],
    windows: Sequence[Sequence[tuple[int, int, int]]],
    *,
    service: int = 0,
    vehicles: int = 1,
    vehicle_day: Sequence[int] | None = None,
    shift: tuple[int, int] = (0, 1000),
    lunch: tuple[int, int, int] = (0, 0, 0),
    penalty: int = 1_000_000,
    eligible: np.ndarray | None = None,
    pinned: Sequence[int] | None = None,
    days: int = 1,
) -> RoutingProblem:
    """Visits on a line at ``xs`` (the office at 0), travel = |Δx| seconds.

    ``windows[i]`` lists ``(day, start, end)`` of visit ``i``; vehicles work ``shift`` on their day.
    """
    n_v, n_k = len(xs), vehicles
    pos = np.array([0, *xs], dtype=np.int64)
    travel = np.abs(pos[:, None] - pos[None, :])
    rows = sorted((i, d, s, e) for i, ws in enumerate(windows) for d, s, e in ws)
    day_of = np.array(vehicle_day if vehicle_day is not None else [0] * n_k, dtype=np.int64)
    return RoutingProblem(
        days=tuple(MONDAY + dt.timedelta(days=d) for d in range(days)),
        depot_ids=("office",),
        visit_ids=tuple(f"b{i}" for i in range(n_v)),
        vehicle_teams=tuple(f"t{k}" for k in range(n_k)),
        vehicle_officers=tuple(("a", "b") for _ in range(n_k)),
        vehicle_day=day_of,
        vehicle_depot=np.zeros(n_k, dtype=np.int64),
        vehicle_shift=np.tile(np.array(shift, dtype=np.int64), (n_k, 1)),
        vehicle_lunch=np.tile(np.array(lunch, dtype=np.int64), (n_k, 1)),
        service=np.full(n_v, service, dtype=np.int64),
        windows=np.array(rows, dtype=np.int64).reshape(-1, 4),
        eligible=np.ones((n_v, n_k), dtype=bool) if eligible is None else eligible,
        penalty=np.full(n_v, penalty, dtype=np.int64),
        hard_deadline=np.zeros(n_v, dtype=bool),
        last_day=np.full(n_v, days - 1, dtype=np.int64),
        first_day=np.zeros(n_v, dtype=np.int64),
        pinned=np.array(pinned if pinned is not None else [-1] * n_v, dtype=np.int64),
        travel_seconds=travel,
        travel_metres=travel * 10,
        day_checks=np.full((n_v, days), VEHICLE_BITS | DATES_OK, dtype=np.uint8),
    )


def brute_force_cost(problem: RoutingProblem) -> int:
    """Least travel serving every visit with two identical one-day vehicles (all orders tried)."""
    n = problem.n_visits
    best = math.inf
    for order in itertools.permutations(range(n)):
        for cut in range(n + 1):
            parts = (order[:cut], order[cut:])
            costs = [_route_cost(problem, part) for part in parts]
            if all(c is not None for c in costs):
                best = min(best, sum(c for c in costs if c is not None))
    return int(best)


def _route_cost(problem: RoutingProblem, visits: Sequence[int]) -> int | None:
    """Travel of one route with earliest starts, or None if a window or the shift is missed."""
    clock, node, travel = int(problem.vehicle_shift[0, 0]), 0, 0
    for i in visits:
        leg = int(problem.travel_seconds[node, problem.node(i)])
        (start_, end_) = problem.windows_of(i, 0)[0].tolist()
        start = max(clock + leg, start_)
        if start + int(problem.service[i]) > end_:
            return None
        clock, node, travel = start + int(problem.service[i]), problem.node(i), travel + leg
    back = clock + int(problem.travel_seconds[node, 0])
    if visits and back > int(problem.vehicle_shift[0, 1]):
        return None
    return travel + (int(problem.travel_seconds[node, 0]) if visits else 0)


def seven_visits() -> RoutingProblem:
    """Seven visits on both sides of the office; two of them early, so one vehicle cannot do all."""
    xs = [10, 20, 30, -10, -25, 15, -5]
    windows = [[(0, 0, 1000)]] * 7
    windows[2] = [(0, 30, 45)]  # x=30 must start by 40 (service 5)
    windows[4] = [(0, 25, 40)]  # x=-25 must start by 35: no route reaches both in time
    return line_problem(xs, windows, service=5, vehicles=2, shift=(0, 400))


def test_both_engines_reach_the_brute_force_optimum() -> None:
    """Seven visits, two vehicles, time windows: OR-Tools and PyVRP both find the optimum."""
    problem = seven_visits()
    optimum = brute_force_cost(problem)
    for engine in ("ortools", "pyvrp"):
        solution = solve_with(problem, PLAIN, engine=engine)
        assert check_solution(problem, solution) == [], engine
        assert solution.dropped == (), engine
        assert neutral_objective(problem, solution.routes, (), PLAIN) == optimum, engine


def test_an_unprofitable_visit_is_dropped_by_both_engines() -> None:
    """A visit whose detour (200 s) costs more than its penalty (50) is left out by both engines."""
    problem = line_problem([10, 100], [[(0, 0, 1000)], [(0, 0, 1000)]], penalty=50)
    for engine in ("ortools", "pyvrp"):
        solution = solve_with(problem, PLAIN, engine=engine)
        assert solution.dropped == (1,), engine
        assert [r.visits for r in solution.routes] == [(0,)], engine


def test_pyvrp_serves_a_visit_in_its_only_fitting_day_and_window() -> None:
    """Copies per day and window: a 60 s visit fits only Tuesday's afternoon window (day 1)."""
    windows = [[(0, 100, 130), (1, 100, 130), (1, 300, 400)]]
    problem = line_problem(
        [10], windows, service=60, vehicles=2, vehicle_day=[0, 1], days=2, shift=(0, 1000)
    )
    model = to_pyvrp(problem, PLAIN)
    assert model.data.num_clients == 1  # the two 30 s windows cannot hold it: no copy
    solution = solve_with(problem, PLAIN, engine="pyvrp")
    assert check_solution(problem, solution) == []
    (route,) = solution.routes
    assert route.vehicle == 1 and 300 <= route.starts[0] <= 340


def test_pyvrp_makes_one_copy_per_day_and_window_tied_by_a_group() -> None:
    """A visit open in two windows on each of two days becomes four clients in one optional group."""
    windows = [[(0, 100, 200), (0, 300, 400), (1, 100, 200), (1, 300, 400)]]
    problem = line_problem([10], windows, vehicles=2, vehicle_day=[0, 1], days=2)
    model = to_pyvrp(problem, PLAIN)
    assert model.data.num_clients == 4
    (group,) = model.data.groups()
    assert sorted(group.clients) == [0, 1, 2, 3] and not group.required


def test_pyvrp_respects_eligibility_through_profiles() -> None:
    """A visit only team 1 is certified for goes to team 1 although team 0 is as close."""
    eligible = np.array([[True, True], [False, True]])
    problem = line_problem(
        [10, -10], [[(0, 0, 1000)], [(0, 0, 1000)]], vehicles=2, eligible=eligible
    )
    model = to_pyvrp(problem, PLAIN)
    assert model.n_profiles == 2
    solution = solve_with(problem, PLAIN, engine="pyvrp")
    assert check_solution(problem, solution) == []
    assert {i: r.vehicle for r in solution.routes for i in r.visits}[1] == 1


def test_pyvrp_keeps_a_pinned_visit_on_its_team_day() -> None:
    """A visit pinned to vehicle 0 is served by vehicle 0 even when vehicle 1 is free too."""
    problem = line_problem([10, 20], [[(0, 0, 1000)], [(0, 0, 1000)]], vehicles=2, pinned=[-1, 0])
    solution = solve_with(problem, PLAIN, engine="pyvrp")
    assert {i: r.vehicle for r in solution.routes for i in r.visits}[1] == 0


def test_pyvrp_refuses_lunch_breaks_with_a_clear_message() -> None:
    """Lunch breaks are not expressible in PyVRP: NotExpressible names them; auto picks OR-Tools."""
    problem = line_problem([10], [[(0, 0, 1000)]], lunch=(400, 600, 60))
    with pytest.raises(NotExpressible, match="lunch breaks"):
        solve_with(problem, PLAIN, engine="pyvrp")
    engine, reason = choose_engine(problem, PLAIN)
    assert engine == "ortools" and "lunch" in reason


def test_pyvrp_refuses_workload_balance() -> None:
    """A workload-balance weight is a max-of-routes cost PyVRP has no term for: refused."""
    problem = line_problem([10, 20], [[(0, 0, 1000)]] * 2, vehicles=2)
    reasons = inexpressible_reasons(problem, SolveParams(workload_balance=1))
    assert len(reasons) == 1 and "workload balance" in reasons[0]


def test_auto_picks_pyvrp_for_plain_routing_and_ortools_for_weeks() -> None:
    """One allowed day per visit → PyVRP; a visit allowed on two days → OR-Tools."""
    one_day = line_problem([10], [[(0, 0, 1000)]])
    assert choose_engine(one_day, PLAIN)[0] == "pyvrp"
    week = line_problem(
        [10], [[(0, 0, 1000), (1, 0, 1000)]], vehicles=2, vehicle_day=[0, 1], days=2
    )
    assert choose_engine(week, PLAIN)[0] == "ortools"


def test_pyvrp_without_team_days_drops_every_visit() -> None:
    """No vehicle at all (PyVRP needs one vehicle type): every visit dropped, no error."""
    problem = line_problem([10, 20], [[(0, 0, 1000)]] * 2).restrict([0, 1], [])
    solution = solve_with(problem, PLAIN, engine="pyvrp")
    assert solution.routes == () and solution.dropped == (0, 1)


def test_unknown_engine_is_an_error() -> None:
    """An engine name outside ENGINES is refused with the known names."""
    with pytest.raises(ValueError, match="auto, ortools, pyvrp"):
        solve_with(line_problem([10], [[(0, 0, 1000)]]), PLAIN, engine="vroom")


def test_check_solution_reports_a_visit_outside_its_window() -> None:
    """The engine-free checker flags a start before the window opens."""
    problem = line_problem([10], [[(0, 100, 200)]])
    bad = Solution((RouteSolution(0, (0,), (50,), 0, 100),), ())
    assert any("outside its hours" in p for p in check_solution(problem, bad))


def test_pyvrp_reports_progress_events() -> None:
    """Each new best feasible PyVRP solution reaches the progress callback as a ProgressEvent."""
    events = []
    solve_with(seven_visits(), PLAIN, engine="pyvrp", progress=events.append)
    assert events and events[-1].served == 7 and events[-1].offered == 7


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    xs=st.lists(st.integers(-50, 50).filter(bool), min_size=1, max_size=6),
    opens=st.lists(st.integers(0, 200), min_size=6, max_size=6),
    two_days=st.booleans(),
)
def test_pyvrp_plans_always_pass_the_engine_free_check(
    xs: list[int], opens: list[int], two_days: bool
) -> None:
    """Whatever the windows, every PyVRP plan is feasible and partitions served and dropped."""
    windows = [[(0, o, o + 40)] + ([(1, o + 50, o + 120)] if two_days else []) for o in opens]
    problem = line_problem(
        xs,
        windows[: len(xs)],
        service=10,
        vehicles=2,
        vehicle_day=[0, 1] if two_days else [0, 0],
        days=2 if two_days else 1,
        shift=(0, 300),
    )
    solution = solve_with(
        problem, SolveParams(time_limit_s=0.1, workload_balance=0), engine="pyvrp"
    )
    assert check_solution(problem, solution) == []


@given(st.lists(st.tuples(st.integers(-300, 300), st.integers(-300, 300)), min_size=2, max_size=8))
def test_truncated_distances_are_exact(points: list[tuple[int, int]]) -> None:
    """floor(10 · d) from integer square roots equals the exact truncation, never a float slip."""
    matrix = truncated_distances(np.array(points))
    for (i, a), (j, b) in itertools.product(enumerate(points), repeat=2):
        assert matrix[i, j] == math.isqrt(100 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2))


def test_solomon_best_known_solution_reads_back_at_its_cost() -> None:
    """R101's .sol file is feasible under the reader's rules and costs bks.csv's 1637.7 (DIMACS)."""
    folder = shared_data("vrptw")
    instance = read_vrptw(folder / "solomon" / "R101.vrp")
    routes = read_vrptw_solution(folder / "solomon" / "R101.sol")
    best = read_best_known(folder / "bks.csv")["R101"]
    assert check_vrptw_routes(instance, routes) == []
    assert route_distance(instance, routes) == round(best.distance * 10) == 16377


def test_solomon_instance_solved_feasibly_and_costed_independently() -> None:
    """C201 by auto (PyVRP, loads): feasible, every customer once, cost recomputed from raw data."""
    path = shared_data("vrptw", "solomon", "C201.vrp")
    instance = read_vrptw(path)
    solution = solve_with(
        instance.problem,
        SolveParams(time_limit_s=2.0, workload_balance=0, duration_cost=0),
        demand=instance.demand,
        capacity=instance.vehicle_capacity,
    )
    raw = vrplib.read_instance(str(path), compute_edge_weights=False)
    xy, tw = raw["node_coord"].astype(int), raw["time_window"].astype(int)
    service, demand = int(raw["service_time"]), raw["demand"].astype(int)

    def dist10(a: int, b: int) -> int:
        return math.isqrt(100 * int(((xy[a] - xy[b]) ** 2).sum()))

    total, customers = 0, []
    for route in solution.routes:
        nodes = [0, *(i + 1 for i in route.visits), 0]  # visit i is VRPLIB node i + 1
        clock = 10 * int(tw[0, 0])
        for a, b in zip(nodes, nodes[1:], strict=False):
            total += dist10(a, b)
            clock += dist10(a, b)
            if b:
                clock = max(clock, 10 * int(tw[b, 0]))
                assert clock <= 10 * int(tw[b, 1])
                clock += 10 * service
        assert clock <= 10 * int(tw[0, 1])
        assert demand[nodes].sum() <= int(raw["capacity"])
        customers += nodes[1:-1]
    assert sorted(customers) == list(range(1, len(xy)))
    assert total == route_distance(instance, [r.visits for r in solution.routes])
    assert total <= 5891 * 1.02  # BKS 589.1; PyVRP reaches it in well under a second
