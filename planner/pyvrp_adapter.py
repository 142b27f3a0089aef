"""``RoutingProblem`` → PyVRP ``ProblemData`` → engine-neutral ``Solution`` (the only pyvrp import).

What PyVRP expresses exactly, and how:

- **Nodes → locations.** Offices and visits keep their node numbers as PyVRP locations, so the
  matrices stay ``N × N`` however many copies a visit gets (PyVRP ≥ 0.14 separates clients from
  locations).
- **Days and split opening hours → client copies.** Vehicle ``k`` works on the clock of its day
  shifted by ``vehicle_day[k] · HORIZON`` (as in ``planner.solve``). A visit becomes one client per
  (allowed day, opening window long enough for it), each with a single time window on that clock;
  the copies of one visit form a mutually exclusive, optional ``ClientGroup`` (at most one served).
- **Optional visits → prizes.** Each copy carries the visit's drop penalty as its prize; a copy
  never served costs its prize. (PyVRP sums the prizes of *all* unserved copies, a constant
  offset; ``Solution.stats['objective']`` is recomputed without it.)
- **Shifts → vehicle types.** Vehicles with the same office, day, shift, capacity and profile form
  one vehicle type (``tw_early``/``tw_late`` = the shift on the shifted clock).
- **Eligibility, pins, deadlines → profiles.** Vehicles whose (effective) eligibility columns
  agree share a routing profile; in a profile, travel into a visit none of its vehicles may make
  is ``FORBIDDEN`` in distance and duration, so such a route is never feasible.
- **Costs.** Distance = travel seconds (``planner.solve``'s arc cost); ``unit_duration_cost`` =
  ``SolveParams.duration_cost`` (route duration, waiting included, like OR-Tools' span cost).
- **Loads** (VRPTW benchmarks only): an optional ``demand``/``capacity`` pair.

What it cannot express raises ``NotExpressible`` listing every reason: lunch breaks (PyVRP has no
breaks), workload balance (a max-of-routes objective), and more profiles than memory allows.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
from pyvrp.stop import MaxRuntime

from planner.errors import PlannerError
from planner.params import SolveParams
from planner.problem import HORIZON, RouteSolution, RoutingProblem, Solution

MAX_PROFILE_CELLS = 40_000_000  # profiles × N² matrix cells (two int64 matrices: ~640 MB)


class NotExpressible(PlannerError):
    """The problem has a rule the engine cannot model exactly; ``reasons`` lists every one."""

    def __init__(self, engine: str, reasons: Sequence[str]) -> None:
        self.engine = engine
        self.reasons = tuple(reasons)
        super().__init__(f"{engine} cannot express this problem: " + "; ".join(self.reasons))


@dataclass(frozen=True, slots=True, eq=False)
class PyvrpModel:
    """A ``RoutingProblem`` translated for PyVRP, with the maps back.

    Attributes
    ----------
    data
        The PyVRP problem.
    client_visit
        ``int64[C]``: the visit each PyVRP client is a copy of.
    type_vehicles
        Per vehicle type, the problem's vehicles it stands for (in order of use).
    offsets
        ``int64[K]``: each vehicle's day start on the model clock.
    unroutable
        Visits with no copy at all (no eligible vehicle, or no window long enough).
    """

    data: Any
    client_visit: np.ndarray
    type_vehicles: tuple[tuple[int, ...], ...]
    offsets: np.ndarray
    unroutable: tuple[int, ...]

    @property
    def n_profiles(self) -> int:
        """Number of routing profiles (distinct eligibility columns)."""
        return int(self.data.num_profiles)


# ---------------------------------------------------------------- what it can express


def inexpressible_reasons(problem: RoutingProblem, params: SolveParams | None = None) -> list[str]:
    """Every rule of ``problem`` (and objective term of ``params``) PyVRP cannot model exactly.

    Empty when the translation is exact.
    """
    params = params or SolveParams()
    reasons = []
    lunches = int((problem.vehicle_lunch[:, 2] > 0).sum())
    if lunches:
        reasons.append(
            f"lunch breaks ({lunches} of {problem.n_vehicles} team-days have one; "
            "PyVRP has no breaks)"
        )
    if params.workload_balance > 0 and problem.n_vehicles > 1:
        reasons.append("workload balance (a cost on the busiest route; set workload_balance = 0)")
    if problem.alternative is not None and len(np.unique(problem.alternative)) < problem.n_visits:
        reasons.append(
            "part visits (a whole visit or one department's part, at most one: "
            'set part_visits = "off")'
        )
    columns = _profile_columns(problem, effective_eligibility(problem))
    cells = len(np.unique(columns, axis=0)) * problem.n_nodes**2 if len(columns) else 0
    if cells > MAX_PROFILE_CELLS:
        reasons.append(
            f"{len(np.unique(columns, axis=0))} eligibility profiles of {problem.n_nodes}² "
            f"travel cells each exceed {MAX_PROFILE_CELLS:,} cells"
        )
    return reasons


def effective_eligibility(problem: RoutingProblem) -> np.ndarray:
    """``bool[V, K]``: eligibility with pins (only the pinned vehicle) and day limits applied."""
    ok = problem.eligible.copy()
    day = problem.vehicle_day[None, :]
    ok &= day >= problem.first_day[:, None]
    hard = problem.hard_deadline[:, None]
    ok &= ~hard | (day <= problem.last_day[:, None])
    pinned = problem.pinned >= 0
    if pinned.any():
        only = np.zeros_like(ok)
        only[np.flatnonzero(pinned), problem.pinned[pinned]] = True
        ok[pinned] &= only[pinned]
    return ok


def _profile_columns(problem: RoutingProblem, ok: np.ndarray) -> np.ndarray:
    """``bool[K, V]``: per vehicle, the visits its profile must forbid (False) or allow.

    A visit with no copy on the vehicle's day is unreachable anyway (time windows), so it is
    allowed there: vehicles of different days with the same teams then share one profile.
    """
    if problem.n_vehicles == 0:
        return np.zeros((0, problem.n_visits), dtype=bool)
    n_days = len(problem.days)
    on_day = np.zeros((problem.n_visits, n_days), dtype=bool)
    for d in range(n_days):
        on_day[:, d] = ok[:, problem.vehicle_day == d].any(axis=1)
    relevant = on_day[:, problem.vehicle_day]  # [V, K]
    return np.asarray((ok | ~relevant).T)


# ---------------------------------------------------------------- translation


def _copies(problem: RoutingProblem, ok: np.ndarray) -> list[tuple[int, int, int]]:
    """``(visit, tw_early, tw_late)`` of every client copy, on the shifted clock."""
    copies = []
    for i in range(problem.n_visits):
        service = int(problem.service[i])
        for d in np.unique(problem.vehicle_day[ok[i]]).tolist():
            off = int(d) * HORIZON
            for start, end in problem.windows_of(i, int(d)).tolist():
                if end - start >= service:
                    copies.append((i, off + start, off + end - service))
    return copies


def _profiles(
    problem: RoutingProblem, columns: np.ndarray, forbidden: int
) -> tuple[list[Any], list[Any], np.ndarray]:
    """Distance and duration matrices per distinct column, and each vehicle's profile."""
    unique, profile_of = (
        np.unique(columns, axis=0, return_inverse=True)
        if len(columns)
        else (np.ones((1, problem.n_visits), dtype=bool), np.zeros(0, dtype=np.int64))
    )
    base = problem.travel_seconds.astype(np.int64)
    distances: list[Any] = []  # PyVRP's stubs type these as ``np.ndarray[int]``
    durations: list[Any] = []
    for column in unique:
        matrix = base.copy()
        blocked = problem.n_depots + np.flatnonzero(~column)
        matrix[:, blocked] = forbidden
        matrix[blocked, blocked] = 0
        distances.append(matrix)
        durations.append(matrix)
    return distances, durations, np.asarray(profile_of, dtype=np.int64).ravel()


def to_pyvrp(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    *,
    demand: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
) -> PyvrpModel:
    """Translate ``problem`` for PyVRP (see the module docstring for the mapping).

    Parameters
    ----------
    problem
        The routing problem.
    params
        ``duration_cost`` becomes the vehicles' unit duration cost; ``workload_balance`` must be 0.
    demand, capacity
        Optional loads: ``int64[V]`` per visit and ``int64[K]`` per vehicle (VRPTW benchmarks).

    Raises
    ------
    NotExpressible
        Listing every rule PyVRP cannot model (``inexpressible_reasons``).
    """
    params = params or SolveParams()
    reasons = inexpressible_reasons(problem, params)
    if reasons:
        raise NotExpressible("PyVRP", reasons)
    if (demand is None) != (capacity is None):
        raise ValueError("give both demand and capacity, or neither")
    ok = effective_eligibility(problem)
    offsets = problem.vehicle_day.astype(np.int64) * HORIZON
    span = (int(problem.vehicle_day.max(initial=0)) + 1) * HORIZON
    forbidden = max(2 * span, 2 * int(problem.penalty.max(initial=0)) + 1)
    distances, durations, profile_of = _profiles(problem, _profile_columns(problem, ok), forbidden)

    copies = _copies(problem, ok)
    per_visit: dict[int, list[int]] = {}
    for c, (i, _, _) in enumerate(copies):
        per_visit.setdefault(i, []).append(c)
    groups: list[pyvrp.ClientGroup] = []
    group_of: dict[int, int] = {}
    for i, members in per_visit.items():
        if len(members) > 1:
            group_of[i] = len(groups)
            groups.append(pyvrp.ClientGroup(members, required=False))
    clients = [
        pyvrp.Client(
            location=problem.node(i),
            delivery=[int(demand[i])] if demand is not None else [],
            service_duration=int(problem.service[i]),
            tw_early=early,
            tw_late=late,
            prize=int(problem.penalty[i]),
            required=False,
            group=group_of.get(i),
            name=problem.visit_ids[i],
        )
        for i, early, late in copies
    ]

    types: dict[tuple[int, ...], list[int]] = {}
    for k in range(problem.n_vehicles):
        cap = int(capacity[k]) if capacity is not None else -1
        start, end = (int(t) + int(offsets[k]) for t in problem.vehicle_shift[k])
        key = (int(problem.vehicle_depot[k]), start, end, cap, int(profile_of[k]))
        types.setdefault(key, []).append(k)
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=len(ks),
            capacity=[cap] if cap >= 0 else [],
            start_depot=depot,
            end_depot=depot,
            tw_early=start,
            tw_late=end,
            unit_duration_cost=int(params.duration_cost),
            profile=profile,
            name=problem.vehicle_teams[ks[0]],
        )
        for (depot, start, end, cap, profile), ks in types.items()
    ]
    locations = [pyvrp.Location(0, 0, name=n) for n in (*problem.depot_ids, *problem.visit_ids)]
    depots = [pyvrp.Depot(location=d, name=problem.depot_ids[d]) for d in range(problem.n_depots)]
    data = pyvrp.ProblemData(
        locations, clients, depots, vehicle_types, distances, durations, groups
    )
    return PyvrpModel(
        data=data,
        client_visit=np.array([i for i, _, _ in copies], dtype=np.int64),
        type_vehicles=tuple(tuple(ks) for ks in types.values()),
        offsets=offsets,
        unroutable=tuple(i for i in range(problem.n_visits) if i not in per_visit),
    )


# ---------------------------------------------------------------- way back


def from_pyvrp(problem: RoutingProblem, model: PyvrpModel, best: Any) -> list[RouteSolution]:
    """Routes of a PyVRP solution in the problem's indices, times on each vehicle's day clock.

    A route that is not feasible on its own (time warp, excess load) is left out: its visits
    count as dropped, so what comes back is always a plan the teams can follow.
    """
    unused = [list(ks) for ks in model.type_vehicles]
    routes = []
    for route in best.routes():
        if not route.is_feasible():
            continue
        k = unused[route.vehicle_type()].pop(0)
        off = int(model.offsets[k])
        visits, starts = [], []
        for activity in route.schedule():
            if activity.is_client():
                visits.append(int(model.client_visit[activity.idx]))
                starts.append(int(activity.start_time) - off)
        if visits:
            depart, back = int(route.start_time()) - off, int(route.end_time()) - off
            routes.append(RouteSolution(k, tuple(visits), tuple(starts), depart, back))
    return sorted(routes, key=lambda r: r.vehicle)


def to_pyvrp_solution(
    problem: RoutingProblem, model: PyvrpModel, routes: Sequence[RouteSolution]
) -> Any:
    """A PyVRP solution of ``model`` from engine-neutral routes (a warm start).

    Each visit's copy is the one whose window holds its start time; vehicles map to their type.
    """
    type_of = {k: t for t, ks in enumerate(model.type_vehicles) for k in ks}
    copy_of: dict[int, list[int]] = {}
    for c, i in enumerate(model.client_visit.tolist()):
        copy_of.setdefault(i, []).append(c)
    clients = model.data.clients()
    pyvrp_routes = []
    for r in routes:
        off = int(model.offsets[r.vehicle])
        visits = []
        for i, start in zip(r.visits, r.starts, strict=True):
            fits = [
                c
                for c in copy_of.get(i, [])
                if clients[c].tw_early <= start + off <= clients[c].tw_late
            ]
            if fits:
                visits.append(fits[0])
        if visits:
            pyvrp_routes.append(pyvrp.Route(model.data, visits, type_of[r.vehicle]))
    return pyvrp.Solution(model.data, pyvrp_routes)


# ---------------------------------------------------------------- solve


@dataclass(slots=True)
class _Callbacks(IteratedLocalSearchCallbacks):
    """Sends a progress event whenever PyVRP finds a new best feasible solution."""

    report: Callable[[int, int], None] | None
    first_at: float | None = None

    def on_start(self, ils: Any) -> None:
        self.on_best(ils.initial_solution)  # PyVRP reports improvements only, not the start

    def on_best(self, best: Any) -> None:
        if not best.is_feasible():
            return
        if self.first_at is None:
            self.first_at = time.perf_counter()
        if self.report is not None:
            self.report(int(best.distance_cost() + best.duration_cost()), best.num_clients())


def solve_pyvrp(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    *,
    demand: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
    initial: Sequence[RouteSolution] | None = None,
    progress: Callable[[Any], None] | None = None,
) -> Solution:
    """Plan the routes of ``problem`` with PyVRP's iterated local search (single-threaded).

    Parameters
    ----------
    problem
        The routing problem (``NotExpressible`` if PyVRP cannot model it exactly).
    params
        ``time_limit_s`` (wall clock, translation included), ``seed``, ``duration_cost``.
    demand, capacity
        Optional loads (VRPTW benchmarks).
    initial
        Routes to start from (e.g. another engine's plan); PyVRP builds its own otherwise.
    progress
        Called with a ``planner.solve.ProgressEvent`` on each new best feasible solution.

    Returns
    -------
    Solution
        Stats as ``planner.solve.solve`` (no ``lp_bound``; ``planner.engines`` adds it), plus
        ``pyvrp_clients`` (copies) and ``pyvrp_profiles``.
    """
    params = params or SolveParams()
    started = time.perf_counter()
    offered = int(problem.eligible.any(axis=1).sum())
    reasons = inexpressible_reasons(problem, params)
    if reasons:
        raise NotExpressible("PyVRP", reasons)
    # PyVRP needs at least one vehicle type: without team-days every visit is simply dropped.
    model = (
        to_pyvrp(problem, params, demand=demand, capacity=capacity) if problem.n_vehicles else None
    )
    built = time.perf_counter()
    routes: list[RouteSolution] = []
    first_s = 0.0
    penalty_warnings = 0
    if model is not None and model.data.num_clients:
        report = _reporter(progress, started, offered) if progress else None
        callbacks = _Callbacks(report)
        solve_params = pyvrp.SolveParams(ils=IteratedLocalSearchParams(callbacks=callbacks))
        warm = to_pyvrp_solution(problem, model, initial) if initial else None
        remaining = max(0.05, params.time_limit_s - (built - started))
        with warnings.catch_warnings(record=True) as caught:
            # PyVRP warns when its penalties saturate (e.g. forbidden arcs everywhere); the
            # routes that come back are checked one by one, so it is a statistic, not an error.
            warnings.simplefilter("always", PenaltyBoundWarning)
            result = pyvrp.solve(
                model.data,
                MaxRuntime(remaining),
                seed=params.seed,
                collect_stats=False,
                display=False,
                params=solve_params,
                initial_solution=warm,
            )
        penalty_warnings = sum(issubclass(w.category, PenaltyBoundWarning) for w in caught)
        for w in caught:
            if not issubclass(w.category, PenaltyBoundWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        routes = from_pyvrp(problem, model, result.best)
        first_s = (callbacks.first_at or time.perf_counter()) - started
    served = {i for r in routes for i in r.visits}
    dropped = tuple(i for i in range(problem.n_visits) if i not in served)
    total = float(problem.penalty.sum())
    covered = float(problem.penalty[sorted(served)].sum()) if served else 0.0
    stats = {
        "weighted_coverage": covered / total if total else 1.0,
        "visits_offered": float(offered),
        "visits_served": float(len(served)),
        "objective": float(neutral_objective(problem, routes, dropped, params)),
        "models": 1.0,
        "decomposed": 0.0,
        "first_solution_seconds": first_s,
        "solve_seconds": time.perf_counter() - started,
        "pyvrp_clients": float(model.data.num_clients if model else 0),
        "pyvrp_profiles": float(model.n_profiles if model else 0),
        "pyvrp_penalty_warnings": float(penalty_warnings),
    }
    return Solution(tuple(routes), dropped, tuple(stats.items()))


def neutral_objective(
    problem: RoutingProblem,
    routes: Sequence[RouteSolution],
    dropped: Sequence[int],
    params: SolveParams,
) -> int:
    """The objective both engines minimise, recomputed from routes: travel + duration + drops.

    Travel seconds over every leg, ``duration_cost`` × (back − depart) per route, the penalty of
    every dropped visit, and ``workload_balance`` × the busiest route's travel + service.
    """
    travel = 0
    busiest = 0
    duration = 0
    for r in routes:
        depot = int(problem.vehicle_depot[r.vehicle])
        nodes = [depot, *(problem.node(i) for i in r.visits), depot]
        legs = sum(
            int(problem.travel_seconds[a, b]) for a, b in zip(nodes, nodes[1:], strict=False)
        )
        travel += legs
        duration += r.back - r.depart
        busiest = max(busiest, legs + int(problem.service[list(r.visits)].sum()))
    penalties = int(problem.penalty[list(dropped)].sum()) if len(dropped) else 0
    return (
        travel
        + int(params.duration_cost) * duration
        + penalties
        + int(params.workload_balance) * busiest
    )


def _reporter(
    progress: Callable[[Any], None], started: float, offered: int
) -> Callable[[int, int], None]:
    from planner.solve import ProgressEvent  # the event type the OR-Tools engine sends

    def report(objective: int, served: int) -> None:
        progress(ProgressEvent("pyvrp", time.perf_counter() - started, objective, served, offered))

    return report
