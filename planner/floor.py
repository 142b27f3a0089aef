"""The siloed floor: a joint plan never covers fewer due obligations than the departments alone.

The joint plan is routed for its priority-weighted objective (hard deadlines double, pulled-forward
items valued), so on a heavy week it may make fewer, longer visits than the departments would make
alone and cover fewer *due obligations* than the siloed baseline (issue 12: h2000, 27 % vs 33 %).
When the baseline is at hand (``planner.pipeline.run_week_and_baseline``), ``floor_week``:

1. counts the due obligations both plans cover; when the joint plan covers at least as many,
   nothing else is done (``FLOOR_NOT_NEEDED``: the demo, a few milliseconds);
2. otherwise maps the siloed plan onto the joint plan's teams: a siloed route whose officers are
   all in one joint team of that day (same office) becomes part of that team's route, each of its
   visits made as the joint visit's department part (``planner.merge.department_parts``), or as
   the whole visit when the department's items are all the business has. A siloed route whose
   officers are split across joint teams has no mapping (counted in ``floor_routes_unmapped``);
   joint team-days that take no siloed route keep their own joint stops;
3. every stop is placed by ``planner.problem.find_insertion`` (no placed stop moves, so every
   route stays feasible); then parts are made whole where the team may and time allows, and the
   week's left-out visits are inserted (``planner.solve.insert_left_out``): insertion only, so
   nothing the siloed plan covered is lost after it was placed;
4. the result is adopted when it covers **more due obligations** than the joint plan (the rule is
   lexicographic: due obligations covered first, the routing objective only after; what the
   floor costs in that objective and in hard-deadline obligations is reported next to it,
   ``floor_weighted_*``, ``floor_hard_*``), after the routing model checked each route
   (``route_holds``). Unscheduled reasons are judged again on the final routes
   (``unplanned_obligations``), as ``planner.reform`` does.

Where every siloed stop is placed (``floor_routes_unmapped`` and ``floor_stops_lost`` 0) the
adopted plan covers at least the siloed plan's due obligations: it holds each of them. Where not
(a siloed route split across joint teams; two siloed routes inside one joint team-day; a
business two departments visit apart, which a joint plan enters once) the floor only does what
it can, and says so.

``Plan.metrics`` say what happened: ``siloed_floor`` (``FLOOR_*`` codes), ``floor_due_joint`` /
``floor_due_siloed`` / ``floor_due_floor`` (and ``floor_hard_joint`` / ``floor_hard_floor``: due
obligations with a hard deadline), ``floor_routes_mapped`` / ``floor_routes_unmapped``,
``floor_stops_lost`` (siloed stops the mapping could not place), ``floor_seconds``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from planner.domain import Obligation, Plan, Route, Scenario, Team, Visit
from planner.merge import with_parts
from planner.obligations import is_due
from planner.params import PlanParams, SolveParams
from planner.problem import (
    RouteSolution,
    RoutingProblem,
    Solution,
    build_problem,
    find_insertion,
    is_hard,
    solution_to_routes,
    unplanned_obligations,
)
from planner.solve import insert_left_out, routes_feasible
from planner.travel import TravelMatrix

if TYPE_CHECKING:
    from planner.pipeline import SiloedRun, WeekRun

FLOOR_NOT_NEEDED = 0.0  # the joint plan covers at least the siloed plan's due obligations
FLOOR_ADOPTED = 1.0  # the floor plan covers more than the joint plan: it is the plan
FLOOR_NOT_BETTER = 2.0  # built, but it covers no more than the joint plan (kept)
FLOOR_NO_MAPPING = 3.0  # no siloed route has its officers in one joint team of its day
FLOOR_INFEASIBLE = 4.0  # the routing model rejected the floor plan (a bug: kept the joint plan)
FLOOR_TEXT = {
    FLOOR_NOT_NEEDED: "not needed",
    FLOOR_ADOPTED: "adopted",
    FLOOR_NOT_BETTER: "not better",
    FLOOR_NO_MAPPING: "no mapping",
    FLOOR_INFEASIBLE: "rejected by the routing model",
}


def floor_text(code: float | None) -> str | None:
    """The words of a ``siloed_floor`` code (``None`` when the plan has none)."""
    return None if code is None else FLOOR_TEXT.get(float(code), f"code {code:g}")


def due_covered(plan: Plan, *, hard: bool = False) -> int:
    """Due obligations in the plan's stops (``metrics.evaluate``'s ``obligations_due_scheduled``);
    with ``hard``, only those with a hard deadline (complaints, follow-ups, tasks: ``is_hard``)."""
    return sum(
        is_due(o, plan.week_start) and (not hard or is_hard(o))
        for r in plan.routes
        for s in r.stops
        for o in s.visit.obligations
    )


@dataclass(frozen=True, slots=True)
class FloorWeek:
    """The floor's problem before routes: visits (wholes, then every department part), their
    problem over the joint plan's teams, its travel matrix and the visit index by
    (business, departments)."""

    visits: tuple[Visit, ...]
    problem: RoutingProblem
    travel: TravelMatrix
    index: Mapping[tuple[str, tuple[str, ...]], int]


def floor_problem(
    scenario: Scenario, joint: WeekRun, params: PlanParams, solve_params: SolveParams
) -> FloorWeek:
    """The joint run's whole visits with every department part offered (``with_parts``; none
    when ``solve_params.part_visits`` is ``off``), over its teams, travel taken from its matrix
    (a part is its business's node again)."""
    p = joint.problem
    wholes = [v for v, w in zip(joint.visits, p.whole.tolist(), strict=True) if w]
    off = solve_params.part_visits == "off"  # the planner wants every visit all or nothing
    visits, group = with_parts(wholes, scenario, params, only=() if off else None)
    node_of: dict[str, int] = {}
    for i, business in enumerate(p.visit_ids):
        node_of.setdefault(business, p.n_depots + i)
    nodes = np.array(list(range(p.n_depots)) + [node_of[v.business_id] for v in visits])
    snap = joint.travel.snap_metres
    travel = TravelMatrix(
        p.travel_seconds[np.ix_(nodes, nodes)],
        p.travel_metres[np.ix_(nodes, nodes)],
        joint.travel.source,
        snap_metres=tuple(snap[n] for n in nodes.tolist()) if snap else (),
        warnings=joint.travel.warnings,
    )
    problem = build_problem(
        scenario,
        visits,
        joint.teams,
        p.days[0],
        travel,
        drop_penalty=solve_params.drop_penalty,
        alternative=group if len(visits) > len(wholes) else None,
    )
    index = {(v.business_id, v.department_ids): i for i, v in enumerate(visits)}
    return FloorWeek(tuple(visits), problem, travel, index)


def map_routes(
    problem: RoutingProblem, routes: Iterable[Route]
) -> tuple[dict[int, list[Route]], list[Route]]:
    """Each siloed route on the vehicle (joint team-day) holding all its officers, and the routes
    no single team of their day holds."""
    by_day: dict[dt.date, list[int]] = {}
    for k in range(problem.n_vehicles):
        by_day.setdefault(problem.days[int(problem.vehicle_day[k])], []).append(k)
    mapped: dict[int, list[Route]] = {}
    unmapped: list[Route] = []
    for route in routes:
        if not route.stops:
            continue
        officers = set(route.officer_ids)
        holders = [
            k for k in by_day.get(route.day, []) if officers <= set(problem.vehicle_officers[k])
        ]
        if holders:
            mapped.setdefault(holders[0], []).append(route)
        else:
            unmapped.append(route)
    return mapped, unmapped


class _Routes:
    """The floor's routes while they are built: one per vehicle, groups (businesses) taken."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        self.by_vehicle: dict[int, RouteSolution] = {}
        self.taken: set[int] = set()

    def place(self, k: int, i: int) -> bool:
        """Insert visit ``i`` into vehicle ``k``'s route where it fits (stops keep their times);
        ``False`` when its business is visited already, the team may not make it or no place
        fits."""
        p = self.problem
        group = int(p.group[i])
        if group in self.taken or not p.eligible[i, k]:
            return False
        found = find_insertion(p, k, self.by_vehicle.get(k), i)
        if found is None:
            return False
        self.by_vehicle[k] = found.apply(self.by_vehicle.get(k), i)
        self.taken.add(group)
        return True

    def copy(self, k: int, visits: Sequence[int], source: RouteSolution) -> int:
        """Give vehicle ``k`` a route another plan made: ``visits`` (this problem's indices, -1
        where a stop has none) at the times and lunch break of ``source`` (that plan's route),
        without the stops whose business is visited already or that the team may not make.
        Where the routing model rejects it (another shift, lunch or visit length: ``route_holds``)
        the stops are inserted one by one instead (``place``). Returns the stops not placed."""
        p = self.problem
        keep = [
            (i, start)
            for i, start in zip(visits, source.starts, strict=True)
            if i >= 0 and int(p.group[i]) not in self.taken and p.eligible[i, k]
        ]
        groups = {int(p.group[i]) for i, _ in keep}
        if k not in self.by_vehicle and keep and len(groups) == len(keep):
            copied = replace(
                source,
                vehicle=k,
                visits=tuple(i for i, _ in keep),
                starts=tuple(start for _, start in keep),
            )
            if route_holds(p, copied):
                self.by_vehicle[k] = copied
                self.taken |= groups
                return len(visits) - len(keep)
        return sum(i < 0 or not self.place(k, i) for i in visits)

    def upgrade(self, values: np.ndarray) -> int:
        """Replace part visits by their whole visit, in place, where the team may make it and the
        gap holds it (most valuable first); returns how many."""
        p = self.problem
        whole_of = {int(p.group[i]): i for i in np.flatnonzero(p.whole).tolist()}
        spots = [
            (k, j, i)
            for k, r in self.by_vehicle.items()
            for j, i in enumerate(r.visits)
            if not p.whole[i] and p.eligible[whole_of[int(p.group[i])], k]
        ]
        spots.sort(key=lambda s: (-int(values[s[2]]), s[0], s[1]))
        done = 0
        for k, _, part in spots:
            route = self.by_vehicle[k]
            j = route.visits.index(part)
            whole = whole_of[int(p.group[part])]
            rest = RouteSolution(
                k,
                route.visits[:j] + route.visits[j + 1 :],
                route.starts[:j] + route.starts[j + 1 :],
                route.depart,
                route.back,
                route.lunch_start,
            )
            found = find_insertion(p, k, rest if rest.visits else None, whole)
            if found is not None and found.position == j:  # the legs around the gap are checked
                self.by_vehicle[k] = found.apply(rest if rest.visits else None, whole)
                done += 1
        return done


def timed(route: Route) -> RouteSolution:
    """A domain route's times as a ``RouteSolution`` (vehicle and visit indices left at 0)."""
    return RouteSolution(
        0,
        (0,) * len(route.stops),
        tuple(s.start for s in route.stops),
        route.depart,
        route.back,
        route.lunch_start,
    )


def route_holds(problem: RoutingProblem, route: RouteSolution) -> bool:
    """Whether one vehicle's ``route`` obeys every rule of the routing model (``routes_feasible``
    on the problem cut to that vehicle and its stops: a model of a few nodes)."""
    sub = problem.restrict(route.visits, [route.vehicle])
    local = replace(route, vehicle=0, visits=tuple(range(len(route.visits))))
    return routes_feasible(sub, [local])


def _due_of(visits: Sequence[Visit], served: Iterable[int], week: dt.date) -> int:
    """Due obligations of the ``served`` visits (indices into ``visits``)."""
    return sum(is_due(o, week) for i in served for o in visits[i].obligations)


@dataclass(frozen=True, slots=True)
class FloorResult:
    """``floor_week``'s verdict: the run to use (the joint one unless adopted) and the metrics
    added to its plan."""

    run: WeekRun
    metrics: tuple[tuple[str, float], ...]


def floor_week(
    scenario: Scenario,
    joint: WeekRun,
    siloed: SiloedRun,
    *,
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
) -> FloorResult:
    """The joint run, or a plan built from the siloed one when that covers more due obligations.

    Parameters
    ----------
    scenario
        The scenario both plans were made from.
    joint, siloed
        The joint run and its siloed baseline (``run_week_and_baseline``).
    params, solve_params
        As given to both (the part visits' durations; drop penalty and duration cost). With
        ``solve_params.siloed_floor`` off, the joint run as it is and no floor metrics.

    Returns
    -------
    FloorResult
        The run to use and its floor metrics (also in its plan's ``metrics``).
    """
    started = time.perf_counter()
    params = params or PlanParams()
    solve_params = solve_params or SolveParams()
    if not solve_params.siloed_floor:
        return FloorResult(joint, ())
    week = joint.plan.week_start
    due_joint, due_siloed = due_covered(joint.plan), due_covered(siloed.plan)
    found: dict[str, float] = {
        "floor_due_joint": float(due_joint),
        "floor_due_siloed": float(due_siloed),
    }

    def verdict(code: float, run: WeekRun) -> FloorResult:
        found["siloed_floor"] = code
        found["floor_seconds"] = time.perf_counter() - started
        metrics = tuple(found.items())
        plan = replace(run.plan, metrics=_merged(run.plan.metrics, metrics))
        return FloorResult(replace(run, plan=plan), metrics)

    if due_joint >= due_siloed:
        return verdict(FLOOR_NOT_NEEDED, joint)
    floor = floor_problem(scenario, joint, params, solve_params)
    p = floor.problem
    mapped, unmapped = map_routes(p, siloed.plan.routes)
    found["floor_routes_mapped"] = float(sum(len(rs) for rs in mapped.values()))
    found["floor_routes_unmapped"] = float(len(unmapped))
    if not mapped:
        return verdict(FLOOR_NO_MAPPING, joint)
    routes = _Routes(p)
    lost = 0
    for k in sorted(mapped):
        for route in mapped[k]:
            stops = [floor.index.get((s.visit.business_id, s.visit.department_ids), -1)
                     for s in route.stops]  # fmt: skip
            lost += routes.copy(k, stops, timed(route))
    found["floor_stops_lost"] = float(lost)
    # Team-days no siloed route maps to keep the joint plan's stops (what they are left with).
    jp = joint.problem
    vehicle = {(p.days[int(p.vehicle_day[k])], p.vehicle_teams[k]): k for k in range(p.n_vehicles)}
    for r in joint.solution.routes:
        k = vehicle[jp.days[int(jp.vehicle_day[r.vehicle])], jp.vehicle_teams[r.vehicle]]
        if k in mapped:
            continue
        stops = [floor.index.get((jp.visit_ids[i], joint.visits[i].department_ids), -1)
                 for i in r.visits]  # fmt: skip
        routes.copy(k, stops, r)
    found["floor_upgrades"] = float(routes.upgrade(p.lost_value + p.penalty))
    placed = list(routes.by_vehicle.values())
    served = {i for r in placed for i in r.visits}
    left = [i for i in range(p.n_visits) if i not in served]
    final = insert_left_out(p, placed, left, span_cost=solve_params.duration_cost)
    final = sorted((r for r in final if r.visits), key=lambda r: r.vehicle)
    served = {i for r in final for i in r.visits}
    due_floor = _due_of(floor.visits, served, week)
    found["floor_due_floor"] = float(due_floor)
    total = p.total_penalty
    covered = float(p.penalty[sorted(served)].sum()) if served else 0.0
    found["floor_weighted_joint"] = joint.solution.stat("weighted_coverage")
    found["floor_weighted_floor"] = covered / total if total else 1.0
    found["floor_hard_joint"] = float(due_covered(joint.plan, hard=True))
    found["floor_hard_floor"] = float(
        sum(is_due(o, week) and is_hard(o) for i in served for o in floor.visits[i].obligations)
    )
    if due_floor <= due_joint:
        return verdict(FLOOR_NOT_BETTER, joint)
    # Each route checked by the routing model on its own (the whole week's model costs tens of
    # seconds to build on a heavy week: a time window per day of each visit); one visit per
    # business holds by construction (``_Routes.taken``, ``insert_left_out``).
    if len(p.served_groups(served)) != len(served) or not all(route_holds(p, r) for r in final):
        return verdict(FLOOR_INFEASIBLE, joint)
    return verdict(FLOOR_ADOPTED, _adopt(scenario, joint, floor, final, served))


def _adopt(
    scenario: Scenario,
    joint: WeekRun,
    floor: FloorWeek,
    routes: Sequence[RouteSolution],
    served: set[int],
) -> WeekRun:
    """The joint run with the floor's routes: unscheduled reasons judged on them (as
    ``planner.reform.reform_made`` does), metrics counted again, the rest carried over."""
    from planner.pipeline import WeekRun, plan_metrics

    p, visits, plan, demand = floor.problem, floor.visits, joint.plan, joint.demand
    dropped = tuple(i for i in range(p.n_visits) if i not in served)
    total = p.total_penalty
    stats = dict(joint.solution.stats) | {
        "visits_served": float(len(served)),
        "part_visits": float(len(served) - int(p.whole[sorted(served)].sum())),
        "weighted_coverage": float(p.penalty[sorted(served)].sum()) / total if total else 1.0,
    }
    solution = Solution(tuple(routes), dropped, tuple(stats.items()))
    in_routing: set[Obligation] = {o for v in visits for o in v.obligations}
    deferred = {d.obligation for d in demand.deferred}
    kept = [u for u in plan.unscheduled if u.obligation not in in_routing]
    unscheduled = (
        tuple(u for u in kept if u.obligation not in deferred)
        + unplanned_obligations(p, dropped, scenario, visits, solution.routes)
        + tuple(u for u in kept if u.obligation in deferred)
    )
    new_plan = Plan(plan.week_start, solution_to_routes(p, solution, visits), unscheduled)
    metrics = plan_metrics(new_plan, demand.visits, demand.deferred, solution, plan.week_start)
    for name, value in plan.metrics:
        metrics.setdefault(name, value)
    metrics["part_visits"] = solution.stat("part_visits")
    new_plan = replace(new_plan, metrics=tuple(metrics.items()))
    teams: dict[dt.date, tuple[Team, ...]] = dict(joint.teams)
    return WeekRun(new_plan, demand, teams, visits, p, floor.travel, solution)


def _merged(
    metrics: Sequence[tuple[str, float]], more: Sequence[tuple[str, float]]
) -> tuple[tuple[str, float], ...]:
    """``metrics`` with ``more`` set (replacing names already there); ``total_seconds`` grows by
    ``floor_seconds``."""
    out = dict(metrics)
    extra = dict(more)
    out.update(extra)
    if "total_seconds" in out:
        out["total_seconds"] += extra.get("floor_seconds", 0.0)
    return tuple(out.items())
