"""The engine boundary: one ``RoutingProblem``, two routing engines (OR-Tools, PyVRP), one rule.

``solve_with(problem, params, engine="auto")`` routes with ``planner.solve`` (OR-Tools) or
``planner.pyvrp_adapter`` (PyVRP) and returns the same engine-neutral ``Solution``.

The ``auto`` rule (``choose_engine``), from the measurements in ``docs/benchmarks.md``:

1. PyVRP when it models the problem **exactly** (no lunch breaks, no workload-balance term, the
   eligibility profiles fit in memory) **and** the problem is a plain routing problem (every
   visit has one allowed day, so no client copies) or carries vehicle capacities: on all 56
   Solomon instances at 5 s PyVRP is 0.24 % above the best-known solutions (worst 1.3 %),
   OR-Tools 4.1 % (worst 13.8 %); on Gehring–Homberger 200 at 30 s 0.5 % against 6.8 %.
2. OR-Tools otherwise: lunch breaks and workload balance exist only there, and on a week without
   lunch PyVRP was level at 133 visits but far behind at 413 (coverage 0.79 against 0.93), where
   OR-Tools decomposes the week by day (DESIGN §8).

An explicit ``engine="pyvrp"`` raises ``NotExpressible`` (every reason listed) when PyVRP
cannot model the problem; it never silently drops a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from planner import pyvrp_adapter, solve
from planner.params import SolveParams
from planner.problem import RoutingProblem, Solution
from planner.pyvrp_adapter import NotExpressible, neutral_objective

ENGINES = ("auto", "ortools", "pyvrp")

__all__ = [
    "ENGINES",
    "NotExpressible",
    "check_solution",
    "choose_engine",
    "neutral_objective",
    "solve_with",
]


def has_copies(problem: RoutingProblem) -> bool:
    """Whether some visit has more than one allowed day (PyVRP would need one client per day)."""
    ok = pyvrp_adapter.effective_eligibility(problem)
    days_per_visit = [len(np.unique(problem.vehicle_day[ok[i]])) for i in range(problem.n_visits)]
    return any(n > 1 for n in days_per_visit)


def choose_engine(
    problem: RoutingProblem, params: SolveParams | None = None, *, loads: bool = False
) -> tuple[str, str]:
    """The engine ``auto`` picks for ``problem``, and why (a sentence for logs and the app).

    Parameters
    ----------
    problem, params
        What is to be solved, and how (the objective terms matter).
    loads
        Whether the problem carries vehicle capacities (only PyVRP models them here).

    Returns
    -------
    (engine, reason)
        ``"pyvrp"`` or ``"ortools"``.
    """
    reasons = pyvrp_adapter.inexpressible_reasons(problem, params)
    if reasons:
        return "ortools", "PyVRP cannot express " + "; ".join(reasons)
    if loads:
        return "pyvrp", "vehicle capacities (the OR-Tools engine has no capacity rule)"
    if has_copies(problem):
        return "ortools", "visits with several allowed days (a week): OR-Tools plans weeks better"
    return "pyvrp", "plain one-day routing that PyVRP models exactly (best gap on Solomon)"


def solve_with(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    *,
    engine: str = "auto",
    progress: Callable[[Any], None] | None = None,
    demand: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
) -> Solution:
    """Route ``problem`` with the chosen engine.

    Parameters
    ----------
    problem
        From ``planner.problem.build_problem`` (or ``planner.vrplib_io.read_vrptw``).
    params
        Time limit, seed, objective weights (``SolveParams``); both engines honour the time limit,
        the seed and the objective terms they can express.
    engine
        ``"auto"`` (``choose_engine``), ``"ortools"`` or ``"pyvrp"``.
    progress
        Called with a ``planner.solve.ProgressEvent`` on each improvement.
    demand, capacity
        Optional loads, ``int64[V]`` and ``int64[K]`` (VRPTW benchmarks; PyVRP only).

    Returns
    -------
    Solution
        Routes in the problem's indices and the dropped visits; ``stats`` as
        ``planner.solve.solve`` documents them, plus ``engine_pyvrp`` (1 = PyVRP, 0 = OR-Tools).

    Raises
    ------
    NotExpressible
        The engine named cannot model the problem exactly (every reason listed).
    ValueError
        An unknown engine name.
    """
    params = params or SolveParams()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    loads = demand is not None
    if engine == "auto":
        engine, _ = choose_engine(problem, params, loads=loads)
    if engine == "ortools":
        if loads:
            raise NotExpressible(
                "OR-Tools", ["vehicle capacities (planner.solve has no load rule)"]
            )
        solution = solve.solve(problem, params, progress)
        return _with_stats(solution, {"engine_pyvrp": 0.0})
    solution = pyvrp_adapter.solve_pyvrp(
        problem, params, demand=demand, capacity=capacity, progress=progress
    )
    bound = solve.lp_bound(problem) if problem.n_visits else 1.0
    return _with_stats(solution, {"lp_bound": bound, "engine_pyvrp": 1.0})


def _with_stats(solution: Solution, extra: dict[str, float]) -> Solution:
    stats = dict(solution.stats)
    stats.update(extra)
    return Solution(solution.routes, solution.dropped, tuple(stats.items()))


def check_solution(
    problem: RoutingProblem,
    solution: Solution,
    *,
    demand: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
) -> list[str]:
    """Every way ``solution`` breaks a hard rule of ``problem`` (empty: feasible), engine-free.

    Checks that each visit is served at most once and dropped otherwise, by an eligible vehicle
    (its pin, its days), starting inside one window of that day and ending inside it, with times
    that allow the travel between stops, inside the vehicle's shift; loads when given. The lunch
    break is not checked here (``planner.solve`` owns that rule).
    """
    p = problem
    found: list[str] = []
    served = [i for r in solution.routes for i in r.visits]
    if len(served) != len(set(served)):
        found.append("a visit is served twice")
    if len(p.served_groups(served)) != len(set(served)):
        found.append("a business is visited twice (a whole visit and its part, or two parts)")
    if sorted(set(served) | set(solution.dropped)) != list(range(p.n_visits)) or set(served) & set(
        solution.dropped
    ):
        found.append("served and dropped visits do not partition the visits")
    ok = pyvrp_adapter.effective_eligibility(p)
    for r in solution.routes:
        found += _route_problems(p, ok, r.vehicle, r.visits, r.starts, r.depart, r.back)
        if demand is not None and capacity is not None:
            load = int(np.asarray(demand)[list(r.visits)].sum())
            if load > int(capacity[r.vehicle]):
                found.append(f"vehicle {r.vehicle}: load {load} > capacity {capacity[r.vehicle]}")
    return found


def _route_problems(
    p: RoutingProblem,
    ok: np.ndarray,
    k: int,
    visits: Sequence[int],
    starts: Sequence[int],
    depart: int,
    back: int,
) -> list[str]:
    found = []
    shift_start, shift_end = (int(t) for t in p.vehicle_shift[k])
    if depart < shift_start or back > shift_end:
        found.append(
            f"vehicle {k}: out {depart}–{back} outside its shift {shift_start}–{shift_end}"
        )
    day = int(p.vehicle_day[k])
    node, free = int(p.vehicle_depot[k]), depart
    for i, start in zip(visits, starts, strict=True):
        if not ok[i, k]:
            found.append(f"vehicle {k}: visit {p.visit_ids[i]} is not eligible for it")
        end = start + int(p.service[i])
        if not any(s <= start and end <= e for s, e in p.windows_of(i, day).tolist()):
            found.append(f"vehicle {k}: visit {p.visit_ids[i]} at {start}–{end} outside its hours")
        if start < free + int(p.travel_seconds[node, p.node(i)]):
            found.append(f"vehicle {k}: visit {p.visit_ids[i]} starts before the team arrives")
        node, free = p.node(i), end
    if back < free + int(p.travel_seconds[node, p.vehicle_depot[k]]):
        found.append(f"vehicle {k}: back at {back} before it can reach the office")
    return found
