"""The routing engine: a ``RoutingProblem`` → ``Solution`` with OR-Tools (the only routing import).

One routing model per problem or per part of it. Each rule is one small function that adds it to
the model (``add_time_windows``, ``add_lunch_breaks``, ``add_eligibility``, ``add_optional_visits``,
``add_deadlines``, ``add_workload_balance``, ``add_pins``). Large weeks are decomposed: an LP
assigns visits to days (``assign_days``), then each day (split into areas when large) is routed
on its own, and visits a day drops move on to later days where they are allowed. Then the repair
pass (``_repair``) solves each day again from its routes with every visit still left out that its
team-days could make, and a cheapest-insertion pass (``insert_left_out``) places what still fits
without moving a stop. Every model stops after a stall (``STALL_SHARE``). The same LP with travel
lower bounds gives ``lp_bound``, an upper bound of the priority-weighted coverage; ``travel_bound``
is a tighter one (lunch, the way back, opening hours).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.linear_solver import pywraplp

from planner.domain import WEEKDAY_NAMES
from planner.params import SolveParams
from planner.problem import (
    HORIZON,
    Insertion,
    RouteSolution,
    RoutingProblem,
    Solution,
    find_insertion,
    route_slack,
)

WEEK_SECONDS_PER_VISIT = 0.25  # time limit a whole-week model needs per visit (first plan + search)
REPAIR_SHARE = 0.2  # of the time limit, kept for the repair pass after the day decomposition
INSERTION_MIN_S = 1.0  # the final cheapest-insertion pass may run this long past the time limit
# A model's search stops once this share of its time limit (at least STALL_MIN_S) passed without
# a better plan: guided local search rarely improves after a long stall, and the rest of the
# budget goes to the models still to come (the repair pass, the siloed baseline).
STALL_SHARE = 0.1
STALL_MIN_S = 0.5
STALL_GAIN = 1e-3  # a better plan counts as a gain when its cost is this share lower (a visit
# more is worth ≥ 1 % of a day model's cost; 0.1 % of travel is a minute a day)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """An improvement found by the engine.

    ``stage`` names the model ("week", "Mon 2026-11-23", "Tue 2026-11-24 area 2/3"); ``objective``
    is that model's best cost; ``served`` counts visits planned so far over all models of the solve,
    out of ``offered`` (visits some team could make).
    """

    stage: str
    elapsed_s: float
    objective: int
    served: int
    offered: int


Progress = Callable[[ProgressEvent], None]


@dataclass(slots=True)
class Model:
    """One OR-Tools routing model over a (sub-)problem, and what the rules need to reach."""

    problem: RoutingProblem
    manager: Any
    routing: Any
    time: Any
    offsets: np.ndarray  # per vehicle: its day's start on the model's clock
    breaks: dict[int, Any] = field(default_factory=dict)

    def index(self, visit: int) -> int:
        """Routing index of visit ``visit``."""
        return int(self.manager.NodeToIndex(self.problem.node(visit)))


# ---------------------------------------------------------------- the rules


def add_travel(model: Model, params: SolveParams) -> None:
    """Arc cost = travel seconds (plus, out of a part visit, what it loses against its whole
    visit: ``add_optional_visits``); the time dimension adds each visit's service to its out-arcs."""
    p, routing = model.problem, model.routing
    service = np.concatenate([np.zeros(p.n_depots, dtype=np.int64), p.service])
    lost = np.concatenate([np.zeros(p.n_depots, dtype=np.int64), p.lost_value])
    travel = routing.RegisterTransitMatrix((p.travel_seconds + lost[:, None]).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(travel)
    transit = routing.RegisterTransitMatrix((p.travel_seconds + service[:, None]).tolist())
    horizon = (int(p.vehicle_day.max(initial=0)) + 1) * HORIZON
    routing.AddDimension(transit, HORIZON, horizon, False, "time")
    model.time = routing.GetDimensionOrDie("time")
    if params.duration_cost:
        model.time.SetSpanCostCoefficientForAllVehicles(params.duration_cost)


def add_shifts(model: Model) -> None:
    """Each team-day leaves its office and is back inside the team's shift."""
    p, routing, time_ = model.problem, model.routing, model.time
    for k in range(p.n_vehicles):
        off = int(model.offsets[k])
        start, end = (int(t) + off for t in p.vehicle_shift[k])
        time_.CumulVar(routing.Start(k)).SetRange(start, end)
        time_.CumulVar(routing.End(k)).SetRange(start, end)


def add_time_windows(model: Model) -> None:
    """A visit starts inside one opening window of a day it may happen on and ends inside it.

    The node's start time is the union over those days of ``[open, close - service]``; the gaps
    between windows (split hours, other days) are removed from its domain.
    """
    p = model.problem
    for i in range(p.n_visits):
        days = np.unique(p.vehicle_day[p.eligible[i]])
        spans = []
        for d in days.tolist():
            off = int(d) * HORIZON
            for start, end in p.windows_of(i, d).tolist():
                if end - start >= p.service[i]:
                    spans.append((off + start, off + end - int(p.service[i])))
        cumul = model.time.CumulVar(model.index(i))
        if not spans:
            model.routing.ActiveVar(model.index(i)).SetValue(0)
            continue
        spans.sort()
        cumul.SetRange(spans[0][0], spans[-1][1])
        for (_, gap_start), (gap_end, _) in zip(spans, spans[1:], strict=False):
            if gap_end - gap_start > 1:
                cumul.RemoveInterval(gap_start + 1, gap_end - 1)


def add_lunch_breaks(model: Model) -> None:
    """Every team-day takes its lunch break inside the lunch window, never during a visit.

    The break may fall before departure, after return or in a leg (interrupting the travel or the
    wait); OR-Tools needs each node's service time (``node_visit_transits``) to keep it off visits.
    """
    p, routing = model.problem, model.routing
    solver = routing.solver()
    transits = [0] * routing.Size()
    for i in range(p.n_visits):
        transits[model.index(i)] = int(p.service[i])
    for k in range(p.n_vehicles):
        window_start, window_end, duration = (int(t) for t in p.vehicle_lunch[k])
        if duration <= 0 or window_end - duration < window_start:
            continue
        off = int(model.offsets[k])
        lunch = solver.FixedDurationIntervalVar(
            off + window_start, off + window_end - duration, duration, False, f"lunch {k}"
        )
        model.time.SetBreakIntervalsOfVehicle([lunch], k, transits)
        model.breaks[k] = lunch


def add_idle_offices(model: Model) -> None:
    """An office no vehicle of the model starts from is a node nobody visits."""
    p, manager = model.problem, model.manager
    used = set(p.vehicle_depot.tolist())
    for depot in range(p.n_depots):
        if depot not in used:
            model.routing.ActiveVar(int(manager.NodeToIndex(depot))).SetValue(0)


def add_eligibility(model: Model) -> None:
    """Only a team-day that could make the visit alone may take it (certifications, recusal, day).

    ``VehicleVar.SetValues([-1] + allowed)``: ``SetAllowedVehiclesForIndex`` raises ``TypeError``
    in the ortools 9.15 wheel (DESIGN §8).
    """
    p = model.problem
    for i in range(p.n_visits):
        allowed = np.flatnonzero(p.eligible[i])
        if len(allowed) < p.n_vehicles:
            model.routing.VehicleVar(model.index(i)).SetValues([-1, *allowed.tolist()])


def add_optional_visits(model: Model) -> None:
    """Any visit may be left out, at its priority-weighted penalty.

    A whole visit and its department parts (``RoutingProblem.alternative``) are one disjunction
    of at most one visit at the whole visit's penalty; a part planned instead costs what it
    leaves unchecked (``lost_value``, on its out-arc: ``add_travel``), so the objective is exact:
    the whole's penalty when none is made, the other departments' worth when a part is.
    """
    p = model.problem
    members: dict[int, list[int]] = {}
    for i, g in enumerate(p.group.tolist()):
        members.setdefault(g, []).append(i)
    for group in members.values():
        nodes = [model.index(i) for i in group]
        model.routing.AddDisjunction(nodes, int(p.penalty[group].max()), 1)


def add_deadlines(model: Model) -> None:
    """A visit with a hard deadline goes to no team-day after its last allowed day."""
    p = model.problem
    for i in np.flatnonzero(p.hard_deadline).tolist():
        late = np.flatnonzero(p.vehicle_day > p.last_day[i])
        if len(late):
            model.routing.VehicleVar(model.index(i)).RemoveValues(late.tolist())


def add_pins(model: Model) -> None:
    """A pinned visit goes to its team-day or nowhere (its penalty makes nowhere a last resort)."""
    p = model.problem
    for i in np.flatnonzero(p.pinned >= 0).tolist():
        model.routing.VehicleVar(model.index(i)).SetValues([-1, int(p.pinned[i])])


MOVE_SHARE = 0.5  # an announced visit off its team-day costs half of leaving it out


def add_preferred_team_days(model: Model) -> None:
    """Soft: a visit on another team-day than its preferred one (a re-plan's announced visit)
    costs ``MOVE_SHARE`` of its drop penalty, once.

    Finite, so a visit that cannot stay is moved rather than dropped; large, so one stays put
    unless keeping it is impossible or costs hours of travel. A dimension whose transit out of
    visit ``i`` on vehicle ``k`` is that cost when ``k`` is not ``i``'s preferred vehicle; the
    span cost of every vehicle adds it to the objective. The day LP (``assign_days``) charges
    the same cost to other days' classes.
    """
    p, routing = model.problem, model.routing
    if p.preferred is None or not (p.preferred >= 0).any():
        return
    with_preference = np.flatnonzero(p.preferred >= 0)
    cost = np.zeros(p.n_nodes, dtype=np.int64)
    cost[p.n_depots + with_preference] = (p.penalty[with_preference] * MOVE_SHARE).astype(np.int64)
    evaluators = []
    for k in range(p.n_vehicles):
        values = cost.copy()
        values[p.n_depots + np.flatnonzero(p.preferred == k)] = 0
        evaluators.append(routing.RegisterUnaryTransitVector(values.tolist()))
    routing.AddDimensionWithVehicleTransits(evaluators, 0, int(cost.sum()) + 1, True, "moved")
    routing.GetDimensionOrDie("moved").SetSpanCostCoefficientForAllVehicles(1)


def add_workload_balance(model: Model, weight: int) -> None:
    """Soft: cost ``weight`` per second of the busiest team-day's work (service + travel).

    A second dimension counts work from 0 on every vehicle; its global span is the largest
    vehicle's work, which the objective then keeps down.
    """
    if weight <= 0:
        return
    p, routing = model.problem, model.routing
    service = np.concatenate([np.zeros(p.n_depots, dtype=np.int64), p.service])
    work = routing.RegisterTransitMatrix((p.travel_seconds + service[:, None]).tolist())
    routing.AddDimension(work, 0, HORIZON, True, "work")
    routing.GetDimensionOrDie("work").SetGlobalSpanCostCoefficient(weight)


def build_model(problem: RoutingProblem, params: SolveParams) -> Model:
    """The routing model of ``problem`` with every rule added."""
    depots = [int(d) for d in problem.vehicle_depot]
    manager = pywrapcp.RoutingIndexManager(
        problem.n_nodes, max(problem.n_vehicles, 1), depots or [0], depots or [0]
    )
    routing = pywrapcp.RoutingModel(manager)
    model = Model(problem, manager, routing, None, problem.vehicle_day * HORIZON)
    add_travel(model, params)
    add_shifts(model)
    add_idle_offices(model)
    add_time_windows(model)
    add_lunch_breaks(model)
    add_eligibility(model)
    add_deadlines(model)
    add_pins(model)
    add_optional_visits(model)
    add_workload_balance(model, params.workload_balance)
    add_preferred_team_days(model)
    return model


# ---------------------------------------------------------------- one model


def search_parameters(params: SolveParams, time_limit_s: float) -> Any:
    """OR-Tools search parameters: first-solution strategy, metaheuristic, time limit."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, params.first_solution
    )
    meta = "GUIDED_LOCAL_SEARCH" if params.use_guided_local_search else "GREEDY_DESCENT"
    search.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, meta)
    search.time_limit.FromMilliseconds(max(100, int(time_limit_s * 1000)))
    return search


@dataclass(slots=True)
class _Tracker:
    """Follows one model's solutions: best objective, when the first came, progress events."""

    model: Model
    stage: str
    started: float
    solve_started: float
    served_before: int
    offered: int
    progress: Progress | None
    best: int | None = None
    first_at: float | None = None
    stall_s: float = math.inf  # stop the search after this long without a better plan
    deadline: float = math.inf  # perf_counter time the search stops at (``stalled``)
    coverage_gains: bool = False  # only a plan serving more priority counts as a gain (repair)
    covered: int = -1  # priority served by the best plan (with ``coverage_gains``)

    def __call__(self) -> None:
        routing = self.model.routing
        cost = int(routing.CostVar().Value())
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        if self.best is not None and cost >= self.best:
            return
        if self.coverage_gains:
            covered = self.served_penalty()
            if covered > self.covered:
                self.deadline = now + self.stall_s  # a visit more (or a better one) buys time
            self.covered = max(self.covered, covered)
        elif self.best is None or cost < self.best * (1 - STALL_GAIN):
            self.deadline = now + self.stall_s  # a real gain buys the search another stall_s
        self.best = cost
        if self.progress is None:
            return
        served = sum(
            routing.NextVar(idx).Value() != idx
            for idx in (self.model.index(i) for i in range(self.model.problem.n_visits))
        )
        self.progress(
            ProgressEvent(
                self.stage,
                time.perf_counter() - self.solve_started,
                cost,
                self.served_before + served,
                self.offered,
            )
        )

    def served_penalty(self) -> int:
        """The drop penalties (priority) of the visits the current plan serves."""
        routing, problem = self.model.routing, self.model.problem
        return sum(
            int(problem.penalty[i])
            for i in range(problem.n_visits)
            if routing.NextVar(self.model.index(i)).Value() != self.model.index(i)
        )


def read_solution(model: Model, assignment: Any) -> list[RouteSolution]:
    """Routes of a solved model, times back on each vehicle's own day clock."""
    routing, time_ = model.routing, model.time
    node_visit = {model.index(i): i for i in range(model.problem.n_visits)}
    routes = []
    for k in range(model.problem.n_vehicles):
        off = int(model.offsets[k])
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        visits, starts = [], []
        while not routing.IsEnd(index):
            visits.append(node_visit[index])
            starts.append(assignment.Value(time_.CumulVar(index)) - off)
            index = assignment.Value(routing.NextVar(index))
        if not visits:
            continue
        depart = assignment.Value(time_.CumulVar(routing.Start(k))) - off
        back = assignment.Value(time_.CumulVar(routing.End(k))) - off
        lunch = -1
        if k in model.breaks:
            start = assignment.StartValue(model.breaks[k]) - off
            lunch = start if depart <= start < back else -1
        routes.append(RouteSolution(k, tuple(visits), tuple(starts), depart, back, lunch))
    return routes


@dataclass(frozen=True, slots=True)
class _ModelResult:
    routes: tuple[RouteSolution, ...]
    served: frozenset[int]
    objective: int
    first_solution_s: float
    build_s: float


def solve_model(
    problem: RoutingProblem,
    params: SolveParams,
    time_limit_s: float,
    *,
    stage: str = "week",
    started: float | None = None,
    served_before: int = 0,
    offered: int = 0,
    progress: Progress | None = None,
    initial: Sequence[Sequence[int]] | None = None,
    stall_of: float | None = None,
) -> _ModelResult:
    """Route ``problem`` as one OR-Tools model; indices in the result are ``problem``'s.

    ``initial`` (one visit list per vehicle) starts the search from those routes instead of a
    first-solution strategy; the search then only improves on them (``repair``). The search
    stops after ``STALL_SHARE`` of ``stall_of`` seconds (default: the time limit) without a
    better plan.
    """
    t0 = time.perf_counter()
    if problem.n_visits == 0 or problem.n_vehicles == 0:
        return _ModelResult((), frozenset(), 0, 0.0, 0.0)
    model = build_model(problem, params)
    built = time.perf_counter()
    tracker = _Tracker(
        model, stage, built, started or t0, served_before, offered or problem.n_visits, progress
    )
    model.routing.AddAtSolutionCallback(tracker)
    remaining = max(0.1, time_limit_s - (built - t0))
    tracker.stall_s = max(STALL_MIN_S, STALL_SHARE * min(remaining, stall_of or remaining))
    if initial is not None:
        # From given routes (the repair) the search is there to add visits: it stops
        # STALL_MIN_S after the last plan that served more priority; shorter travel alone does
        # not keep it going (on the demo and h1000 every visit a repair added came within
        # 0.6 s of the model's start or of the previous one).
        tracker.coverage_gains = True
        tracker.stall_s = STALL_MIN_S
    stalled = model.routing.solver().CustomLimit(lambda: time.perf_counter() > tracker.deadline)
    model.routing.AddSearchMonitor(stalled)
    search = search_parameters(params, remaining)
    start = None
    if initial is not None:
        nodes = [[model.index(i) for i in route] for route in initial]
        start = model.routing.ReadAssignmentFromRoutes(nodes, True)
    if start is not None:
        assignment = model.routing.SolveFromAssignmentWithParameters(start, search)
    else:
        assignment = model.routing.SolveWithParameters(search)
    if assignment is None or tracker.first_at is None:
        # No first solution in time: start from the empty plan, which is always feasible.
        fallback = SolveParams(
            time_limit_s=max(1.0, 0.25 * time_limit_s),
            first_solution="ALL_UNPERFORMED",
            use_guided_local_search=False,
        )
        model = build_model(problem, params)
        tracker.model = model
        model.routing.AddAtSolutionCallback(tracker)
        assignment = model.routing.SolveWithParameters(
            search_parameters(fallback, fallback.time_limit_s)
        )
    if assignment is None:
        return _ModelResult((), frozenset(), 0, time.perf_counter() - built, built - t0)
    routes = read_solution(model, assignment)
    served = frozenset(i for r in routes for i in r.visits)
    first = (tracker.first_at or time.perf_counter()) - built
    return _ModelResult(tuple(routes), served, int(assignment.ObjectiveValue()), first, built - t0)


# ---------------------------------------------------------------- LP over days


def _no_self_travel(problem: RoutingProblem) -> np.ndarray:
    """``float[N, N]`` travel seconds with ``inf`` from a node to itself and between alternatives
    of one visit (a whole visit and its parts: never both planned, so never one after the other)."""
    seconds = problem.travel_seconds.astype(np.float64)
    np.fill_diagonal(seconds, np.inf)
    if problem.alternative is not None:
        group = problem.group
        same = group[:, None] == group[None, :]
        seconds[problem.n_depots :, problem.n_depots :][same] = np.inf
    return seconds


def incoming_travel_bound(problem: RoutingProblem) -> np.ndarray:
    """Per visit: the least travel into it from any other node (a lower bound on its arrival leg)."""
    seconds = _no_self_travel(problem)
    lower = seconds.min(axis=0)[problem.n_depots :]
    return np.where(np.isfinite(lower), lower, 0.0)


def travel_estimate(problem: RoutingProblem, neighbours: int = 3) -> np.ndarray:
    """Per visit: mean travel from its ``neighbours`` nearest other nodes (planning estimate)."""
    seconds = _no_self_travel(problem)
    incoming = seconds[:, problem.n_depots :]
    k = min(neighbours, max(incoming.shape[0] - 1, 1))
    nearest = np.sort(incoming, axis=0)[:k]
    nearest = np.where(np.isfinite(nearest), nearest, np.nan)
    estimate = np.nanmean(nearest, axis=0) if len(nearest) else np.zeros(problem.n_visits)
    return np.nan_to_num(estimate)


def _vehicle_classes(problem: RoutingProblem, by_office: bool) -> list[tuple[int, list[int]]]:
    """Vehicles of one day (and office) with identical eligibility columns, as (day, vehicles)."""
    classes: dict[tuple[int, int, bytes], list[int]] = {}
    for k in range(problem.n_vehicles):
        office = int(problem.vehicle_depot[k]) if by_office else -1
        key = (int(problem.vehicle_day[k]), office, problem.eligible[:, k].tobytes())
        classes.setdefault(key, []).append(k)
    return [(day, ks) for (day, _, _), ks in classes.items()]


def office_detour(problem: RoutingProblem) -> np.ndarray:
    """``float[V, K]``: extra seconds from vehicle k's office to visit i over the nearest office."""
    to_visits = problem.travel_seconds[: problem.n_depots, problem.n_depots :].astype(np.float64)
    excess = to_visits - to_visits.min(axis=0, initial=np.inf)[None, :]
    return excess[problem.vehicle_depot].T if problem.n_depots else np.zeros(problem.eligible.shape)


def assign_days(
    problem: RoutingProblem,
    duration: np.ndarray,
    capacity: np.ndarray,
    *,
    detour: np.ndarray | None = None,
    hours_cuts: bool = False,
) -> tuple[np.ndarray, float]:
    """LP: which share of each visit each day takes, maximising the priority-weighted coverage.

    Variables ``y[i, c]`` ≥ 0 for visit ``i`` and class ``c`` of identical team-days of one day
    (only where eligible, pinned visits only on their team-day's class); ``Σ_c y[i, c] ≤ 1``,
    summed over a whole visit and its parts (``RoutingProblem.alternative``: at most one);
    ``Σ_i duration[i] · y[i, c] ≤ Σ_{k ∈ c} capacity[k]``; maximise ``Σ penalty[i] · y[i, c]``.

    With ``detour`` (``float[V, K]``, see ``office_detour``) classes are also split by office, a
    visit costs a team of another office that detour in time and twice it in the objective, so
    each office's teams take the visits near it as far as their capacity allows.

    With ``hours_cuts``, visits open only inside a span ``[a, b]`` of the day share the class's
    shift time inside that span: ``Σ service[i] · y[i, c] ≤ Σ_k |[a, b] ∩ shift_k|`` for the
    spans of ``hours_spans`` (what an evening-only bar or a 09–10 window really competes for).

    Returns
    -------
    (share, coverage)
        ``float[V, D]`` share of each visit on each day, and ``Σ penalty · share``.
    """
    solver = pywraplp.Solver.CreateSolver("GLOP")
    share = np.zeros((problem.n_visits, len(problem.days)))
    if solver is None or problem.n_visits == 0:
        return share, 0.0
    classes = _vehicle_classes(problem, by_office=detour is not None)
    per_visit: list[list[tuple[int, Any]]] = [[] for _ in range(problem.n_visits)]
    objective = solver.Objective()
    for c, (_, ks) in enumerate(classes):
        members = np.flatnonzero(problem.eligible[:, ks[0]])
        row = solver.Constraint(0.0, float(capacity[ks].sum()))
        for i in members.tolist():
            pin = int(problem.pinned[i])
            if pin >= 0 and pin not in ks:
                continue
            extra = float(detour[i, ks[0]]) if detour is not None else 0.0
            y = solver.NumVar(0.0, 1.0, "")
            row.SetCoefficient(y, float(duration[i]) + extra)
            # A re-plan's announced visit on another day pays add_preferred_team_days's cost.
            prefer = -1 if problem.preferred is None else int(problem.preferred[i])
            moved = (
                MOVE_SHARE * float(problem.penalty[i]) if prefer >= 0 and prefer not in ks else 0.0
            )
            objective.SetCoefficient(y, float(problem.penalty[i]) - 2 * extra - moved)
            per_visit[i].append((c, y))
    if hours_cuts:
        add_hours_cuts(problem, solver, classes, per_visit)
    per_group: dict[int, list[Any]] = {}
    for i, g in enumerate(problem.group.tolist()):
        per_group.setdefault(g, []).extend(y for _, y in per_visit[i])
    for ys in per_group.values():  # a visit, or a whole visit and its parts: at most one
        if len(ys) > 1:
            once = solver.Constraint(0.0, 1.0)
            for y in ys:
                once.SetCoefficient(y, 1.0)
    objective.SetMaximization()
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return share, 0.0
    for i, ys in enumerate(per_visit):
        for c, y in ys:
            share[i, classes[c][0]] += y.solution_value()
    return share, float((share.sum(axis=1) * problem.penalty).sum())


def hours_spans(
    problem: RoutingProblem, day: int, most: int = 40
) -> list[tuple[int, int, list[int]]]:
    """Spans ``(a, b, visits)`` of day ``day``: each visit's opening hull that day (first opening
    to last closing) shorter than a day shift, with every visit whose hull lies inside it; the
    ``most`` spans holding the most service per second of span."""
    hull: dict[int, tuple[int, int]] = {}
    for i, d, start, end in problem.windows.tolist():
        if d == day:
            lo, hi = hull.get(i, (start, end))
            hull[i] = (min(lo, start), max(hi, end))
    spans = {h for h in hull.values() if h[1] - h[0] <= 8 * 3600}
    found = []
    for a, b in spans:
        inside = [i for i, (lo, hi) in hull.items() if a <= lo and hi <= b]
        found.append((a, b, inside))
    found.sort(key=lambda s: -float(problem.service[s[2]].sum()) / max(s[1] - s[0], 1))
    return found[:most]


def add_hours_cuts(
    problem: RoutingProblem, solver: Any, classes: Sequence[tuple[int, list[int]]], per_visit: Any
) -> None:
    """The ``hours_cuts`` rows of ``assign_days`` (one per class and ``hours_spans`` span)."""
    ys: dict[tuple[int, int], Any] = {(i, c): y for i, vs in enumerate(per_visit) for c, y in vs}
    spans = {d: hours_spans(problem, d) for d in {day for day, _ in classes}}
    shift = problem.vehicle_shift
    for c, (day, ks) in enumerate(classes):
        for a, b, inside in spans[day]:
            members = [(i, ys[(i, c)]) for i in inside if (i, c) in ys]
            if len(members) < 2:
                continue
            room = float(
                np.maximum(0, np.minimum(b, shift[ks, 1]) - np.maximum(a, shift[ks, 0])).sum()
            )
            row = solver.Constraint(0.0, room)
            for i, y in members:
                row.SetCoefficient(y, float(problem.service[i]))


def lunch_overlap(problem: RoutingProblem) -> np.ndarray:
    """Per team-day: the least part of its lunch break that must fall inside its shift.

    The break (``vehicle_lunch`` = window start, window end, length) starts anywhere in its window;
    its overlap with the shift is least at one end of that range.
    """
    a, b = problem.vehicle_shift[:, 0], problem.vehicle_shift[:, 1]
    ws, we, length = (problem.vehicle_lunch[:, j] for j in range(3))

    def overlap(start: np.ndarray) -> np.ndarray:
        return np.maximum(0, np.minimum(start + length, b) - np.maximum(start, a))

    least = np.minimum(overlap(ws), overlap(np.maximum(ws, we - length)))
    return np.where(length > 0, least, 0)


def travel_bound(problem: RoutingProblem) -> float:
    """A tighter upper bound of the priority-weighted coverage than ``lp_bound``, 0–1.

    The same LP, seeing more of each route: a team-day's capacity is its shift less the part of
    the lunch break that must fall in it (``lunch_overlap``: no visit and no travel then) and
    less the shortest way back to its office from any visit it could make (every used route
    ends with one); each visit costs its service plus the least travel into it; and visits open
    only in part of the day compete for the shift time inside those hours (``hours_cuts``).
    Still a relaxation (fractional visits, no order inside a day), so never below the coverage
    any plan reaches.
    """
    total = problem.total_penalty
    if total <= 0 or problem.n_visits == 0:
        return 1.0
    duration = problem.service + incoming_travel_bound(problem)
    shift = (problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]).astype(np.float64)
    back = problem.travel_seconds[problem.n_depots :, problem.vehicle_depot].astype(np.float64)
    back = np.where(problem.eligible, back, np.inf).min(axis=0, initial=np.inf)
    back = np.where(np.isfinite(back), back, 0.0)
    capacity = np.maximum(shift - lunch_overlap(problem) - back, 0.0)
    _, value = assign_days(problem, duration, capacity, hours_cuts=True)
    return min(1.0, value / total)


def lp_bound(problem: RoutingProblem) -> float:
    """Upper bound of the priority-weighted coverage (served penalty ÷ all penalty), 0–1.

    A relaxation: whole shifts as capacity (no lunch, no return leg), each visit's service plus the
    least travel into it, fractional visits, no time windows inside a day.
    """
    total = problem.total_penalty
    if total <= 0:
        return 1.0
    duration = problem.service + incoming_travel_bound(problem)
    capacity = (problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]).astype(np.float64)
    _, value = assign_days(problem, duration, capacity)
    return min(1.0, value / total)


def plan_days(problem: RoutingProblem) -> np.ndarray:
    """Day index per visit from the LP with planning estimates (-1: the LP left it out).

    Durations are service plus the mean travel from the three nearest nodes (plus the detour when
    a team of a farther office takes it); capacity is the shift less lunch and a typical round
    trip to the office. Only whole visits get a day: a department part (``alternative``) is
    offered once its whole visit was not made (``open_alternatives``).
    """
    if problem.alternative is not None:
        wholes = np.flatnonzero(problem.whole)
        day_of = np.full(problem.n_visits, -1, dtype=np.int64)
        alone = problem.restrict(wholes.tolist(), range(problem.n_vehicles))
        day_of[wholes] = plan_days(replace(alone, alternative=None))
        return day_of
    duration = problem.service + travel_estimate(problem)
    shift = problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]
    visit_nodes = problem.n_depots + np.arange(problem.n_visits)
    round_trip = (
        problem.travel_seconds[problem.vehicle_depot[:, None], visit_nodes[None, :]].mean(axis=1)
        * 2
        if problem.n_visits
        else np.zeros(problem.n_vehicles)
    )
    capacity = np.maximum(shift - problem.vehicle_lunch[:, 2] - round_trip, 0).astype(np.float64)
    share, _ = assign_days(problem, duration, capacity, detour=office_detour(problem))
    day = share.argmax(axis=1) if share.size else np.zeros(problem.n_visits, dtype=np.int64)
    return np.where(share.sum(axis=1) >= 0.5, day, -1).astype(np.int64)


# ---------------------------------------------------------------- decomposition


def split_areas(
    problem: RoutingProblem, visits: Sequence[int], vehicles: Sequence[int], groups: int
) -> list[tuple[list[int], list[int]]]:
    """Split one day's visits into ``groups`` areas by travel time, and its team-days among them.

    Seeds are picked farthest-first; every visit joins its nearest seed; team-days go, largest
    shift first, to the area whose demand is least covered among those where they can make a visit.
    """
    nodes = problem.n_depots + np.asarray(visits)
    seconds = problem.travel_seconds[np.ix_(nodes, nodes)]
    seeds = [int(np.argmax(problem.travel_seconds[problem.vehicle_depot[vehicles[0]], nodes]))]
    while len(seeds) < groups:
        seeds.append(int(np.argmax(seconds[seeds].min(axis=0))))
    area = seconds[seeds].argmin(axis=0)
    members = [[visits[int(j)] for j in np.flatnonzero(area == g)] for g in range(groups)]
    demand = np.array([float(problem.service[m].sum()) + 1.0 for m in members])
    cover = np.zeros(groups)
    crews: list[list[int]] = [[] for _ in range(groups)]
    shift = problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]
    for k in sorted(vehicles, key=lambda k: (-int(shift[k]), k)):
        useful = [g for g in range(groups) if problem.eligible[members[g], k].any()]
        g = min(useful or range(groups), key=lambda g: (cover[g] / demand[g], g))
        crews[g].append(k)
        cover[g] += float(shift[k])
    return [(members[g], crews[g]) for g in range(groups) if members[g] and crews[g]]


def split_offices(
    problem: RoutingProblem, visits: Sequence[int], vehicles: Sequence[int]
) -> list[tuple[list[int], list[int]]]:
    """One part per office: its team-days and the visits it is the nearest eligible office of.

    Teams of different townships then do not criss-cross each other's areas; a visit whose
    nearest office has no team able to make it goes to the nearest office that has one.
    """
    offices = sorted({int(problem.vehicle_depot[k]) for k in vehicles})
    if len(offices) <= 1:
        return [(list(visits), list(vehicles))]
    crews = {o: [k for k in vehicles if problem.vehicle_depot[k] == o] for o in offices}
    members: dict[int, list[int]] = {o: [] for o in offices}
    for i in visits:
        able = [o for o in offices if problem.eligible[i, crews[o]].any()] or offices
        node = problem.node(i)
        members[min(able, key=lambda o: (int(problem.travel_seconds[o, node]), o))].append(i)
    return [(members[o], crews[o]) for o in offices if members[o]]


def _order(visits: Sequence[int], seed: int) -> list[int]:
    """Visits in input order, or shuffled by ``seed`` (how a seed changes OR-Tools' search)."""
    if not seed:
        return list(visits)
    return [int(v) for v in np.random.default_rng(seed).permutation(np.asarray(visits))]


def _remap(result: _ModelResult, visits: Sequence[int], vehicles: Sequence[int]) -> list[Any]:
    return [
        RouteSolution(
            vehicles[r.vehicle],
            tuple(visits[i] for i in r.visits),
            r.starts,
            r.depart,
            r.back,
            r.lunch_start,
        )
        for r in result.routes
    ]


def choose_decomposition(problem: RoutingProblem, params: SolveParams) -> str:
    """``week`` (one model) or ``day`` (LP, then a model per day) for this problem."""
    if params.decomposition != "auto":
        return params.decomposition
    # Businesses with a visit some team could make (a whole visit and its parts are one).
    offered = len(problem.served_groups(np.flatnonzero(problem.eligible.any(axis=1)).tolist()))
    small = offered <= params.whole_week_max_visits
    return "week" if small and params.time_limit_s >= offered * WEEK_SECONDS_PER_VISIT else "day"


@dataclass(slots=True)
class _Run:
    """State of one solve across its models."""

    problem: RoutingProblem
    params: SolveParams
    progress: Progress | None
    started: float
    offered: int
    routes: list[RouteSolution] = field(default_factory=list)
    served: set[int] = field(default_factory=set)
    objective: int = 0
    first_plan_s: float = 0.0
    models: int = 0
    reserve: float = 0.0  # seconds kept back for the repair pass
    repaired: int = 0  # visits the repair pass added
    tried: set[int] = field(default_factory=set)  # alternative groups whose whole visit was offered

    def run(
        self,
        visits: Sequence[int],
        vehicles: Sequence[int],
        stage: str,
        limit: float,
        stall_of: float | None = None,
    ) -> set[int]:
        """Solve one model over ``visits`` × ``vehicles``; return the visits it served
        (``stall_of``: as in ``solve_model``)."""
        part_of_week = len(vehicles) < self.problem.n_vehicles
        visits = open_alternatives(
            self.problem, visits, self.routes, vehicles, tried=self.tried if part_of_week else None
        )
        self.tried |= self.problem.served_groups(visits)
        ordered = _order(visits, self.params.seed)
        sub = self.problem.restrict(ordered, vehicles)
        result = solve_model(
            sub,
            self.params,
            limit,
            stage=stage,
            started=self.started,
            served_before=len(self.served),
            offered=self.offered,
            progress=self.progress,
            stall_of=stall_of,
        )
        self.routes += _remap(result, ordered, vehicles)
        served = {ordered[i] for i in result.served}
        self.served |= served
        self.objective += result.objective
        self.first_plan_s += result.build_s + result.first_solution_s
        self.models += 1
        return served

    def rerun(
        self, visits: Sequence[int], vehicles: Sequence[int], stage: str, limit: float
    ) -> None:
        """Solve ``visits`` × ``vehicles`` again, starting from those vehicles' current routes.

        The search starts from the plan as it is and only accepts better ones, so a visit joins
        when it fits somewhere (cheapest insertion, relocations, exchanges) and leaves only for a
        visit worth more.
        """
        mine = set(vehicles)
        visits = open_alternatives(self.problem, visits, self.routes, vehicles, tried=self.tried)
        self.tried |= self.problem.served_groups(visits)
        before = [r for r in self.routes if r.vehicle in mine]
        ordered = list(dict.fromkeys([i for r in before for i in r.visits] + list(visits)))
        position = {v: j for j, v in enumerate(ordered)}
        slot = {k: j for j, k in enumerate(vehicles)}
        initial: list[list[int]] = [[] for _ in vehicles]
        for r in before:
            initial[slot[r.vehicle]] = [position[i] for i in r.visits]
        result = solve_model(
            self.problem.restrict(ordered, vehicles),
            self.params,
            limit,
            stage=stage,
            started=self.started,
            served_before=len(self.served) - len(set(ordered) & self.served),
            offered=self.offered,
            progress=self.progress,
            initial=initial,
        )
        old = {i for r in before for i in r.visits}
        new = {ordered[i] for i in result.served}
        if not result.routes and old:
            return  # the search returned nothing: keep the routes as they were
        self.routes = [r for r in self.routes if r.vehicle not in mine]
        self.routes += _remap(result, ordered, vehicles)
        self.served = (self.served - old) | new
        self.repaired += len(new - old)
        self.models += 1

    def remaining(self) -> float:
        return self.params.time_limit_s - (time.perf_counter() - self.started) - self.reserve


def waiting_parts(problem: RoutingProblem, offered: Sequence[int]) -> set[int]:
    """Department parts among ``offered`` whose whole visit is offered too: in the day
    decomposition they wait until the whole visit was tried and dropped (``parts_of``).

    Offered from the start, parts took carry-over places of whole visits and were made early
    in a whole visit's stead (measured on the synthetic heavy weeks: weighted coverage −1 % at
    1,000 businesses; with parts joining once their whole visit is dropped, +2.4 % and +1.7 %
    at 1,000 and 2,000 businesses, demo +1.2 %).
    """
    if problem.alternative is None:
        return set()
    whole, group = problem.whole, problem.group
    tried = {int(group[i]) for i in offered if whole[i]}
    return {i for i in offered if not whole[i] and int(group[i]) in tried}


def parts_of(problem: RoutingProblem, dropped: Sequence[int], offered: Sequence[int]) -> list[int]:
    """The department parts among ``offered`` of the whole visits in ``dropped``."""
    if problem.alternative is None:
        return []
    whole, group = problem.whole, problem.group
    out = {int(group[i]) for i in dropped if whole[i]}
    return [i for i in offered if not whole[i] and int(group[i]) in out]


def open_alternatives(
    problem: RoutingProblem,
    visits: Sequence[int],
    routes: Sequence[RouteSolution],
    vehicles: Sequence[int],
    *,
    tried: set[int] | None = None,
) -> list[int]:
    """``visits`` less those whose business is already visited (the visit itself, its whole
    visit or a part of it: ``RoutingProblem.alternative``) on a route of a vehicle outside
    ``vehicles`` — a model over ``vehicles`` may swap a part for its whole, never add a second.

    With ``tried`` (groups whose whole visit an earlier model was offered), a part is kept only
    once its whole visit was offered, or when no team-day could make the whole at all: a model of
    one day cannot see that a later day would make the whole visit, and a part made early would
    take its place (on the demo, offering parts from the start planned 376 due obligations
    instead of 457).
    """
    if problem.alternative is None:
        return list(visits)
    mine = set(vehicles)
    taken = problem.served_groups(i for r in routes if r.vehicle not in mine for i in r.visits)
    group, whole = problem.group, problem.whole
    able = set(group[whole & problem.eligible.any(axis=1)].tolist())  # some team-day could make
    keep = []
    for i in visits:
        g = int(group[i])
        if g in taken:
            continue
        if tried is not None and not whole[i] and g not in tried and g in able:
            continue  # its whole visit is still to be tried
        keep.append(i)
    return keep


def short_of_time(problem: RoutingProblem) -> bool:
    """Whether the week's whole visits need more time on site than all its team-days' shifts
    (less lunch) hold: a heavy week, where time, not value, is what runs out."""
    shift = problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0] - problem.vehicle_lunch[:, 2]
    return int(problem.service[problem.whole].sum()) > int(np.maximum(shift, 0).sum())


def carry_over_order(
    problem: RoutingProblem, pool: Sequence[int], cost: np.ndarray | None = None
) -> list[int]:
    """The carry-over ``pool`` in the order a day's model is offered it: the earliest last day
    first, then, on a week ``short_of_time``, the most penalty per second of work (``cost``:
    service + ``travel_estimate``), else the most penalty.

    On a heavy week the few carry-over places went, by penalty alone, to the longest visits (a
    visit's penalty grows with its items), which a full day could rarely fit; by penalty per
    second the synthetic heavy weeks planned 20–70 % more visits, +0.4 to +2.0 points of due
    priority and +2.4 to +3.5 of weighted coverage, for 1.8–3.0 points fewer due obligations
    (more short complaint and follow-up visits, fewer long routine ones: ``benchmarks/
    weights_study.py``, docs/benchmarks.md). With time to spare (the demo) the most valuable
    visit still goes first: there a dropped visit usually fits a later day.
    """
    if not short_of_time(problem):
        return sorted(pool, key=lambda i: (int(problem.last_day[i]), -int(problem.penalty[i]), i))
    if cost is None:
        cost = problem.service + travel_estimate(problem)
    density = problem.penalty / np.maximum(cost, 1.0)
    return sorted(pool, key=lambda i: (int(problem.last_day[i]), -float(density[i]), i))


def _solve_week(run: _Run, offered: Sequence[int]) -> None:
    run.run(offered, range(run.problem.n_vehicles), "week", run.remaining())


def _solve_by_day(run: _Run, offered: Sequence[int]) -> None:
    p, params = run.problem, run.params
    t0 = time.perf_counter()
    day_of = plan_days(p)
    run.first_plan_s += time.perf_counter() - t0
    days = sorted(set(p.vehicle_day.tolist()))
    own = {d: [i for i in offered if day_of[i] == d] for d in days}
    waiting = waiting_parts(p, offered)
    pool = [i for i in offered if day_of[i] < 0 and i not in waiting]
    cost = p.service + travel_estimate(p) if short_of_time(p) else None
    for n, d in enumerate(days):
        vehicles = np.flatnonzero(p.vehicle_day == d).tolist()
        on_day = np.asarray(p.eligible[:, vehicles].any(axis=1))
        room = math.ceil(params.carry_over_share * max(len(own[d]), 10))
        left = [i for i in pool if on_day[i] and i not in run.served]
        extra = carry_over_order(p, left, cost)[:room]
        candidates = [i for i in own[d] if i not in run.served] + extra
        later = sum(len(own[e]) for e in days[n:]) + len(pool)
        budget = run.remaining() * len(candidates) / max(later, 1)
        stage = f"{WEEKDAY_NAMES[p.days[d].weekday()]} {p.days[d]}"
        parts = []
        for visits_, crew_ in split_offices(p, candidates, vehicles):
            groups = math.ceil(len(visits_) / params.area_split_visits)
            parts += split_areas(p, visits_, crew_, groups) if groups > 1 else [(visits_, crew_)]
        for g, (visits, crew) in enumerate(parts):
            name = stage if len(parts) == 1 else f"{stage} area {g + 1}/{len(parts)}"
            share = budget * len(visits) / max(len(candidates), 1)
            # The stall is judged against the model's even share of the whole limit: the time
            # earlier days left over makes a later day's limit long, not its search slower.
            even = (params.time_limit_s - run.reserve) * len(visits) / max(len(offered), 1)
            run.run(visits, crew, name, max(share, 0.5), stall_of=even)
        dropped = [i for i in candidates if i not in run.served]
        pool = [i for i in pool if i not in run.served and i not in extra] + dropped
        pool += parts_of(p, dropped, offered)  # a whole visit dropped: its parts may go later


def repair_parts(
    problem: RoutingProblem,
    routes: Sequence[RouteSolution],
    candidates: Sequence[int],
    vehicles: Sequence[int],
    size: int,
) -> list[tuple[list[int], list[int]]]:
    """One day's team-days in groups of at most ~``size`` planned visits, each with the left-out
    visits its team-days could make, nearest to its routes (offices and stops) first, at most
    ``max(20, size - planned // 2)`` of them.

    A day with at most ``size`` planned visits is one group (so a team-day of one office can take
    over visits of a full one of another, freeing it for a visit only it can make); larger days
    are grouped by office (a group never mixes two) in the team-days' order within an office. A
    left-out visit may be offered to several groups (the first that takes it keeps it).
    """
    p = problem
    planned = {r.vehicle: r.visits for r in routes}
    crews: list[list[int]] = []
    if sum(len(planned.get(k, ())) for k in vehicles) <= size:
        crews.append(list(vehicles))
    for office in [] if crews else sorted({int(p.vehicle_depot[k]) for k in vehicles}):
        crew: list[int] = []
        load = 0
        for k in (k for k in vehicles if p.vehicle_depot[k] == office):
            if crew and load + len(planned.get(k, ())) > size:
                crews.append(crew)
                crew, load = [], 0
            crew.append(k)
            load += len(planned.get(k, ()))
        if crew:
            crews.append(crew)
    left = np.asarray(candidates, dtype=np.int64)
    parts = []
    for crew in crews:
        able = left[p.eligible[np.ix_(left, np.asarray(crew))].any(axis=1)] if len(left) else left
        if not len(able):
            continue
        nodes = [int(p.vehicle_depot[k]) for k in crew]
        nodes += [p.node(i) for k in crew for i in planned.get(k, ())]
        reach = p.travel_seconds[np.ix_(np.asarray(nodes), p.n_depots + able)].min(axis=0)
        order = np.lexsort((able, -p.penalty[able], reach))
        load = sum(len(planned.get(k, ())) for k in crew)
        cap = max(20, size - load // 2)
        parts.append(([int(i) for i in able[order][:cap]], crew))
    return parts


def repair_candidates(
    problem: RoutingProblem,
    routes: Sequence[RouteSolution],
    left: Sequence[int],
    vehicles: Sequence[int],
) -> list[int]:
    """The left-out visits one of ``vehicles`` might still take by one insertion or one swap:
    an eligible team-day (its pin, if pinned) whose slack (``route_slack``) is at least the
    visit's service, or would be once one of its visits of lower penalty (priority) left it
    (that visit's service and detour freed).

    The team-day must also be able to make the visit on a day with nothing else planned
    (``find_insertion`` into an empty route: opening hours, shift, travel from and to the office,
    lunch break — the test behind the "leave no N-minute slot" reason): on the demo, every
    left-out visit after the day models was a whole visit whose opening hours and lunch break
    leave no slot, and the five repair models solved for them added nothing (~2.7 s).

    Otherwise a screen for the repair pass, optimistic on purpose (travel to the visit and the
    route's own times are not checked): a visit it leaves out could only join the day's routes
    by moves of several visits at once. Measured: every visit the repair pass added on the demo and on
    the h1000 heavy week (``benchmarks/weekly.py``) passed it.
    """
    p = problem
    by_vehicle = {r.vehicle: r for r in routes}
    slack = {k: route_slack(p, k, by_vehicle.get(k)) for k in vehicles}
    freed: dict[int, list[tuple[int, int]]] = {}  # vehicle → (penalty, seconds freed) per stop
    for k in vehicles:
        route = by_vehicle.get(k)
        if route is None or not route.visits:
            freed[k] = []
            continue
        depot = int(p.vehicle_depot[k])
        nodes = [depot, *(p.node(i) for i in route.visits), depot]
        legs = p.travel_seconds
        freed[k] = [
            (
                int(p.penalty[j]),
                int(p.service[j])
                + int(legs[nodes[n], nodes[n + 1]] + legs[nodes[n + 1], nodes[n + 2]])
                - int(legs[nodes[n], nodes[n + 2]]),
            )
            for n, j in enumerate(route.visits)
        ]

    def fits(i: int, k: int) -> bool:
        need = int(p.service[i]) - slack[k]
        if need <= 0:
            return True
        return any(pen < p.penalty[i] and gain >= need for pen, gain in freed[k])

    found = []
    for i in left:
        pin = int(p.pinned[i])
        able = [k for k in vehicles if p.eligible[i, k] and (pin < 0 or k == pin)]
        if any(fits(i, k) and find_insertion(p, k, None, i) is not None for k in able):
            found.append(i)
    return found


def worth_adding(
    problem: RoutingProblem, routes: Sequence[RouteSolution], left: Sequence[int]
) -> list[int]:
    """The left-out visits among ``left`` that would serve more priority if planned: those of
    businesses no route visits, and those worth more than the business's planned alternative
    (its whole visit where a part is planned). A department part of a business whose whole
    visit is planned only ever takes priority away: no repair model needs it.
    """
    group, penalty = problem.group, problem.penalty
    planned: dict[int, int] = {}
    for route in routes:
        for i in route.visits:
            g = int(group[i])
            planned[g] = max(planned.get(g, 0), int(penalty[i]))
    return [i for i in left if int(penalty[i]) > planned.get(int(group[i]), -1)]


def _repair(run: _Run, offered: Sequence[int]) -> None:
    """Offer every visit still left out to every day it may happen on, the day's routes kept.

    The day decomposition fixes each visit's day by an LP with estimated travel, and a day's model
    only sees its own visits (split by office and area): a visit can be left out while a team-day
    of another office, area or day that could make it has room. First the cheapest insertions
    (``insert_left_out``: no stop moves); then each day, its team-days (in ``repair_parts``
    groups) are solved again from their routes with the left-out visits they might take
    (``repair_candidates``) added as optional visits, until every day was tried or the time is
    up. A day none of them might join is not solved again: no left-out visit passes
    ``repair_candidates`` for it, or each that does is of a business visited on another day
    (``open_alternatives``) or is a department part of a business whose whole visit is planned
    (``worth_adding``).
    """
    p, params = run.problem, run.params
    run.reserve = 0.0
    left = [i for i in offered if i not in run.served]
    if left:
        before = len(run.served)
        run.routes = insert_left_out(p, run.routes, left, span_cost=params.duration_cost)
        run.served = {i for r in run.routes for i in r.visits}
        run.repaired += len(run.served) - before
    days = sorted(set(p.vehicle_day.tolist()))
    for d in days:
        left = worth_adding(p, run.routes, [i for i in offered if i not in run.served])
        if not left or run.remaining() <= 0.05:
            break
        vehicles = np.flatnonzero(p.vehicle_day == d).tolist()
        on_day = [r for r in run.routes if r.vehicle in set(vehicles)]
        left = repair_candidates(p, on_day, left, vehicles)
        # What the day's model would be offered (``rerun``): a business visited on another day
        # stays there, so a whole visit whose part is planned elsewhere is nothing to solve for.
        left = open_alternatives(p, left, run.routes, vehicles, tried=run.tried)
        if not left:
            continue
        parts = repair_parts(p, on_day, left, vehicles, params.area_split_visits)
        later = sum(1 for e in days if e >= d)
        for g, (visits, crew) in enumerate(parts):
            limit = run.remaining() / later / max(len(parts) - g, 1)
            if limit < 0.05:
                break
            stage = f"repair {WEEKDAY_NAMES[p.days[d].weekday()]} {p.days[d]}"
            run.rerun([i for i in visits if i not in run.served], crew, stage, limit)


def routes_feasible(problem: RoutingProblem, routes: Sequence[RouteSolution]) -> bool:
    """Whether ``routes`` (visits in order at their start times, departures, returns and lunch
    breaks) obey every rule of ``build_model``: the routing model checks them."""
    model = build_model(problem, SolveParams())
    routing, time_ = model.routing, model.time
    per_vehicle: list[list[int]] = [[] for _ in range(problem.n_vehicles)]
    try:
        for r in routes:
            off = int(model.offsets[r.vehicle])
            per_vehicle[r.vehicle] = [model.index(i) for i in r.visits]
            for i, start in zip(r.visits, r.starts, strict=True):
                time_.CumulVar(model.index(i)).SetRange(start + off, start + off)
            time_.CumulVar(routing.Start(r.vehicle)).SetMax(r.depart + off)
            time_.CumulVar(routing.End(r.vehicle)).SetMin(r.back + off)
    except Exception:  # noqa: BLE001 - pywrapcp raises a bare Exception on an empty domain
        return False
    routing.CloseModelWithParameters(search_parameters(SolveParams(), 1.0))
    assignment = routing.ReadAssignmentFromRoutes(per_vehicle, True)
    return assignment is not None and bool(routing.CheckIfAssignmentIsFeasible(assignment, False))


def insert_left_out(
    problem: RoutingProblem,
    routes: Sequence[RouteSolution],
    left: Sequence[int],
    *,
    deadline: float = math.inf,
    span_cost: int = 1,
) -> list[RouteSolution]:
    """Cheapest feasible insertion of left-out visits, most valuable first (``find_insertion``).

    Every stop keeps its time, so nothing already planned moves; each visit goes to the eligible
    team-day (its pin, if it has one) where it adds the least cost — travel plus ``span_cost``
    per second the route gets longer (``SolveParams.duration_cost``) — and only when that is
    below its penalty (as the routing objective would have it); team-days whose slack
    (``route_slack``) is shorter than the visit are skipped. What the search's moves missed (a
    team-day it never saw with room, a gap before the lunch break) is caught here. Stops at
    ``deadline`` (``time.perf_counter()``).
    """

    def cost(f: Insertion) -> int:
        route = by_vehicle.get(f.vehicle)
        before = route.back - route.depart if route is not None else 0
        return f.detour + span_cost * (f.back - f.depart - before)

    by_vehicle = {r.vehicle: r for r in routes}
    slack = {k: route_slack(problem, k, by_vehicle.get(k)) for k in range(problem.n_vehicles)}
    group = problem.group
    taken = problem.served_groups(i for r in routes for i in r.visits)
    for i in sorted(left, key=lambda i: (-int(problem.penalty[i]), i)):
        if time.perf_counter() > deadline:
            break
        if int(group[i]) in taken:
            continue  # its business is visited already (a whole visit before its parts)
        pin = int(problem.pinned[i])
        able = [pin] if pin >= 0 else np.flatnonzero(problem.eligible[i]).tolist()
        found = [
            f
            for k in able
            if problem.eligible[i, k]
            and slack[k] >= problem.service[i]
            and (f := find_insertion(problem, k, by_vehicle.get(k), i)) is not None
        ]
        if found:
            best = min(found, key=lambda f: (cost(f), f.start, f.vehicle))
            if cost(best) >= problem.penalty[i]:
                continue  # cheaper to leave it out
            k = best.vehicle
            by_vehicle[k] = best.apply(by_vehicle.get(k), i)
            slack[k] = route_slack(problem, k, by_vehicle[k])
            taken.add(int(group[i]))
    return list(by_vehicle.values())


def solve(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Plan the routes of ``problem``.

    Parameters
    ----------
    problem
        From ``planner.problem.build_problem``.
    params
        Time limit, seed, strategy, weights and decomposition (``SolveParams``).
    progress
        Called with a ``ProgressEvent`` on each improvement of each model.

    Returns
    -------
    Solution
        Routes in the problem's indices, dropped visits, and ``stats``: ``lp_bound`` (upper bound
        of the priority-weighted coverage), ``weighted_coverage``, ``visits_offered``,
        ``visits_served``, ``objective``, ``models``, ``decomposed`` (1 = by day),
        ``first_solution_seconds`` (until every model had a plan), ``solve_seconds``.
    """
    params = params or SolveParams()
    started = time.perf_counter()
    offered = np.flatnonzero(problem.eligible.any(axis=1)).tolist()
    run = _Run(problem, params, progress, started, len(problem.served_groups(offered)))
    mode = choose_decomposition(problem, params)
    if offered and mode == "week":
        _solve_week(run, offered)
    elif offered:
        run.reserve = REPAIR_SHARE * params.time_limit_s
        _solve_by_day(run, offered)
        _repair(run, offered)
    if offered:
        before = len(run.served)
        left = [i for i in offered if i not in run.served]
        deadline = time.perf_counter() + max(INSERTION_MIN_S, run.remaining())
        run.routes = insert_left_out(
            problem, run.routes, left, deadline=deadline, span_cost=params.duration_cost
        )
        run.served = {i for r in run.routes for i in r.visits}
        run.repaired += len(run.served) - before
    bound = lp_bound(problem) if problem.n_visits else 1.0  # after routing: not on its clock
    dropped = tuple(i for i in range(problem.n_visits) if i not in run.served)
    total = problem.total_penalty
    covered = float(problem.penalty[sorted(run.served)].sum()) if run.served else 0.0
    stats = {
        "lp_bound": bound,
        "weighted_coverage": covered / total if total else 1.0,
        "visits_offered": float(run.offered),
        "part_visits": float(len(run.served) - int(problem.whole[sorted(run.served)].sum())),
        "visits_served": float(len(run.served)),
        "objective": float(run.objective),
        "models": float(run.models),
        "decomposed": float(mode == "day"),
        "repaired_visits": float(run.repaired),
        "first_solution_seconds": run.first_plan_s,
        "solve_seconds": time.perf_counter() - started,
    }
    routes = tuple(sorted(run.routes, key=lambda r: r.vehicle))
    return Solution(routes, dropped, tuple(stats.items()))


# ---------------------------------------------------------------- local search to a local optimum

# Large-neighbourhood operators on by default in OR-Tools: with them a greedy descent never
# settles and runs to its time limit; without them it stops at a local optimum.
_LNS_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)


def descend_from(
    problem: RoutingProblem,
    initial: Sequence[Sequence[int]],
    params: SolveParams | None = None,
    time_limit_s: float = 30.0,
    *,
    until_served: Sequence[int] = (),
    max_steps: int = 0,
) -> list[RouteSolution] | None:
    """``initial`` (one visit list per vehicle) improved by local search until no move improves
    it: relocations, exchanges, insertions of left-out visits, … but no large-neighbourhood
    operator, so the search ends at a local optimum whatever the clock (``time_limit_s`` is
    only a backstop) — or, with ``until_served``, at the first plan that serves one of those
    visits, or after ``max_steps`` improving moves (0: no limit). The same input gives the
    same routes. ``None`` when ``initial`` breaks a rule of the model.
    """
    from ortools.util import optional_boolean_pb2

    params = params or SolveParams()
    model = build_model(problem, params)
    routing = model.routing
    search = search_parameters(
        SolveParams(first_solution=params.first_solution, use_guided_local_search=False),
        time_limit_s,
    )
    for name in _LNS_OPERATORS:
        setattr(search.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    if max_steps:
        search.solution_limit = max_steps
    wanted = [model.index(i) for i in until_served]
    done = [False]

    def seen() -> None:
        done[0] = done[0] or any(routing.NextVar(i).Value() != i for i in wanted)

    if wanted:
        routing.AddAtSolutionCallback(seen)
        routing.AddSearchMonitor(routing.solver().CustomLimit(lambda: done[0]))
    nodes = [[model.index(i) for i in route] for route in initial]
    start = routing.ReadAssignmentFromRoutes(nodes, True)
    if start is None:
        return None
    found = routing.SolveFromAssignmentWithParameters(start, search)
    return read_solution(model, found if found is not None else start)
