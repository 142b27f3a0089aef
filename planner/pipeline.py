"""The week's plan end to end: obligations → merge → teams → travel → problem → solve → ``Plan``."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from planner.domain import (
    Deferred,
    Obligation,
    Plan,
    Route,
    Scenario,
    Team,
    Unscheduled,
    Visit,
    WeekDemand,
)
from planner.draws import draw_week
from planner.engines import solve_with
from planner.merge import (
    build_week_demand,
    merge_obligations,
    merge_siloed,
    visit_seconds,
    with_parts,
)
from planner.obligations import derive_obligations, is_due
from planner.params import PlanParams, SolveParams, TeamParams
from planner.problem import (
    RoutingProblem,
    Solution,
    build_problem,
    capacity_bound,
    part_only_teams,
    problem_points,
    screen_certifications,
    solution_to_routes,
    unplanned_obligations,
)
from planner.reform import reform_made
from planner.solve import Progress
from planner.teams import (
    Formation,
    improve_rounds,
    plan_score,
    split_uncoverable,
    unscheduled_businesses,
)
from planner.travel import TravelMatrix, travel_matrix

TeamProgress = Callable[[Formation], None]  # one day's teams formed (before routing starts)


@dataclass(frozen=True, slots=True)
class WeekRun:
    """A plan and everything it was made from (for checks, benchmarks and explanations)."""

    plan: Plan
    demand: WeekDemand
    teams: Mapping[dt.date, tuple[Team, ...]]
    visits: tuple[Visit, ...]
    problem: RoutingProblem
    travel: TravelMatrix
    solution: Solution

    @property
    def travel_ids(self) -> tuple[str, ...]:
        """Ids of the travel matrix rows: offices, then the visits' businesses."""
        return self.problem.depot_ids + self.problem.visit_ids

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        """Every obligation of the week: in a candidate visit or deferred by the merge."""
        in_visits = tuple(o for v in self.demand.visits for o in v.obligations)
        return in_visits + tuple(d.obligation for d in self.demand.deferred)


def plan_visits(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    week_start: dt.date,
    solve_params: SolveParams | None = None,
    *,
    travel: TravelMatrix | None = None,
    roads: Path | str | None = None,
    deferred: Sequence[Deferred] = (),
    pins: Mapping[str, tuple[str, dt.date]] | None = None,
    plan_params: PlanParams | None = None,
    progress: Progress | None = None,
    prefer: Mapping[str, tuple[str, dt.date]] | None = None,
) -> tuple[Plan, RoutingProblem, TravelMatrix, Solution, tuple[Visit, ...]]:
    """Route given visits with given teams; the part of ``plan_week`` after merging.

    Returns the plan, the problem, the travel matrix over ``problem_points``, the solution and
    the visits as routed (items no team is certified for taken out; then the department parts
    ``offer_parts`` adds, in node order). ``pins`` fix visits to a team-day; ``prefer`` only
    makes other team-days cost more (a re-plan's announced visits).
    """
    solve_params = solve_params or SolveParams()
    plan_params = plan_params or PlanParams()
    started = time.perf_counter()
    setup = scenario.settings.setup_minutes

    def duration(obligations: Sequence[Obligation]) -> int:
        return visit_seconds((scenario.item(o.item_id) for o in obligations), setup, plan_params)

    routed, uncertified = screen_certifications(scenario, visits, teams_by_day, duration=duration)
    # Last resort: a visit no single team can make in full keeps its coverable part (teams.py).
    routed, split_off, second_visits = split_uncoverable(
        scenario, routed, teams_by_day, plan_params
    )
    uncertified += split_off
    routed, alternative = offer_parts(
        scenario, routed, teams_by_day, solve_params, plan_params, pins
    )
    if travel is None:
        ids = [o.id for o in scenario.settings.offices] + [v.business_id for v in routed]
        travel = travel_matrix(problem_points(scenario, routed), roads=roads, ids=ids)
    problem = build_problem(
        scenario,
        routed,
        teams_by_day,
        week_start,
        travel,
        drop_penalty=solve_params.drop_penalty,
        pins=pins,
        prefer=prefer,
        alternative=alternative,
    )
    solution = solve_with(problem, solve_params, engine=solve_params.engine, progress=progress)
    routes = solution_to_routes(problem, solution, routed)
    unscheduled = (
        uncertified
        + unplanned_obligations(problem, solution.dropped, scenario, routed, solution.routes)
        + tuple(Unscheduled(d.obligation, d.reason) for d in deferred)
    )
    plan = Plan(week_start, routes, unscheduled)
    metrics = plan_metrics(plan, visits, deferred, solution, week_start)
    metrics["total_seconds"] = time.perf_counter() - started
    metrics["second_visits"] = float(second_visits)
    metrics["part_visits"] = solution.stat("part_visits")
    plan = Plan(week_start, routes, unscheduled, tuple(metrics.items()))
    return plan, problem, travel, solution, routed


def offer_parts(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    solve_params: SolveParams,
    plan_params: PlanParams,
    pins: Mapping[str, tuple[str, dt.date]] | None = None,
) -> tuple[tuple[Visit, ...], tuple[int, ...] | None]:
    """The visits to route and their alternative groups (``RoutingProblem.alternative``).

    ``solve_params.part_visits``: ``always`` — every visit of several departments also offers
    each department's part (``planner.merge.with_parts``); ``auto`` — on a capacity-bound week
    (``capacity_bound``) every such visit, else only those with a part some team of the week may
    make while it may not make the whole visit (``part_only_teams``: elsewhere a part would only
    be the whole visit's shorter twin); ``off`` — none. Never for pinned visits (the planner
    fixed the whole visit) nor on PyVRP (it has no alternatives). ``None``: no parts.
    """
    mode = solve_params.part_visits
    if mode == "off" or solve_params.engine == "pyvrp":
        return tuple(visits), None
    pinned = set(pins or {})
    if mode == "always" or capacity_bound(scenario, visits, teams_by_day):
        chosen = {v.business_id for v in visits} - pinned
    else:
        chosen = part_only_teams(scenario, visits, teams_by_day) - pinned
    out, group = with_parts(visits, scenario, plan_params, only=chosen)
    return (out, group) if len(out) > len(visits) else (tuple(visits), None)


def plan_metrics(
    plan: Plan,
    candidates: Sequence[Visit],
    deferred: Sequence[Deferred],
    solution: Solution,
    week_start: dt.date,
) -> dict[str, float]:
    """Counts, travel and solver statistics of a plan (``Plan.metrics``)."""
    stops = [s for r in plan.routes for s in r.stops]
    scheduled = [o for s in stops for o in s.visit.obligations]
    routing_out = len(plan.unscheduled) - len(deferred)
    due = [o for v in candidates for o in v.obligations if is_due(o, week_start)]
    due_done = [o for o in scheduled if is_due(o, week_start)]
    metrics = {
        "visits_candidate": float(len(candidates)),
        "visits_offered": solution.stat("visits_offered"),
        "visits_planned": float(len(stops)),
        "obligations_scheduled": float(len(scheduled)),
        "obligations_unscheduled": float(routing_out),
        "obligations_deferred": float(len(deferred)),
        "obligations_due": float(len(due)),
        "obligations_due_scheduled": float(len(due_done)),
        "routes": float(len(plan.routes)),
        "service_seconds": float(sum(s.end - s.start for s in stops)),
        "travel_seconds": float(sum(r.travel_seconds for r in plan.routes)),
        "distance_metres": float(sum(r.distance_metres for r in plan.routes)),
        "officer_hours": float(sum((r.back - r.depart) * len(r.officer_ids) for r in plan.routes))
        / 3600,
    }
    for name in (
        "lp_bound",
        "weighted_coverage",
        "first_solution_seconds",
        "solve_seconds",
        "models",
        "decomposed",
        "engine_pyvrp",
    ):
        metrics[name] = solution.stat(name)
    return metrics


def run_week(
    scenario: Scenario,
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    *,
    week_start: dt.date | None = None,
    roads: Path | str | None = None,
    teams_by_day: Mapping[dt.date, Sequence[Team]] | None = None,
    pins: Mapping[str, tuple[str, dt.date]] | None = None,
    progress: Progress | None = None,
    team_params: TeamParams | None = None,
    demand: WeekDemand | None = None,
    team_progress: TeamProgress | None = None,
) -> WeekRun:
    """``plan_week`` keeping every intermediate result (demand, teams, problem, travel, solution).

    Without ``teams_by_day``, teams are formed (``planner.teams``: fixed teams kept, the rest
    formed for the week's visits) in ``team_params.rounds`` formation ↔ routing rounds;
    ``team_progress`` is called with each day's ``Formation`` as soon as it is made.
    ``demand`` replaces the week's merged demand (the siloed baseline routes one department's).
    """
    params = params or PlanParams()
    week_start = week_start or scenario.settings.week_start
    if demand is None:
        demand = build_week_demand(scenario, week_start, params)

    Made = tuple[Plan, RoutingProblem, TravelMatrix, Solution, tuple[Visit, ...]]

    def route(
        teams: Mapping[dt.date, Sequence[Team]],
    ) -> tuple[float, frozenset[str], tuple[Mapping[dt.date, Sequence[Team]], Made]]:
        made = plan_visits(
            scenario,
            demand.visits,
            teams,
            week_start,
            solve_params,
            roads=roads,
            deferred=demand.deferred,
            pins=pins,
            plan_params=params,
            progress=progress,
        )
        return plan_score(made[0]), unscheduled_businesses(made[0], demand.visits), (teams, made)

    if teams_by_day is not None:
        teams, made = route(teams_by_day)[2]
    else:
        rounds = improve_rounds(
            scenario, week_start, demand.visits, route, params=team_params, on_day=team_progress
        )
        teams, made = rounds.result
        ran = (("formation_rounds", float(len(rounds.log))),)
        made = (replace(made[0], metrics=made[0].metrics + ran), *made[1:])
    if teams_by_day is None:  # teams formed here: idle officers may still take work over
        teams, made = reform_made(
            scenario, demand, teams, made, solve_params=solve_params, team_params=team_params,
            pins=pins,
        )  # fmt: skip
    plan, problem, travel, solution, routed = made
    frozen = {day: tuple(ts) for day, ts in teams.items()}
    return WeekRun(plan, demand, frozen, routed, problem, travel, solution)


def plan_week(
    scenario: Scenario,
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    *,
    week_start: dt.date | None = None,
    roads: Path | str | None = None,
    progress: Progress | None = None,
    team_params: TeamParams | None = None,
    siloed: bool = False,
) -> Plan:
    """Plan the joint inspections of one week (or, with ``siloed``, the siloed baseline).

    Parameters
    ----------
    scenario
        A loaded scenario (``load_scenario``).
    params
        Obligations and merging knobs (``PlanParams``); defaults when ``None``.
    solve_params
        Routing knobs: time limit, seed… (``SolveParams``); defaults when ``None``.
    week_start
        Monday of the week; ``scenario.settings.week_start`` when ``None``.
    roads
        An ``.osm.pbf`` road network for travel times; the straight line when ``None``.
    progress
        Called with a ``planner.solve.ProgressEvent`` on each improvement.
    team_params
        Team formation knobs (``TeamParams``: sizes, weights, random draw, rounds).
    siloed
        Plan the siloed baseline instead: each department alone (``run_siloed_week``).

    Returns
    -------
    Plan
        Routes per team and day, every obligation not in a route in ``unscheduled`` with its
        reason, and ``metrics``.
    """
    if siloed:
        return run_siloed_week(
            scenario,
            params,
            solve_params,
            week_start=week_start,
            roads=roads,
            progress=progress,
            team_params=team_params,
        ).plan
    return run_week(
        scenario,
        params,
        solve_params,
        week_start=week_start,
        roads=roads,
        progress=progress,
        team_params=team_params,
    ).plan


# ---------------------------------------------------------------- the siloed baseline (metrics.py)
# Each department alone: its own items merged per business (merge_siloed), teams of its own
# officers only, routed by the same engine with the same SolveParams and TeamParams. The joint
# plan's time limit is shared among the departments in proportion to their visits (at least
# BASELINE_MIN_S each), and departments are routed side by side in worker processes: one task
# per department (``DepartmentTask`` → ``solve_department_baseline``, plain picklable data and
# a top-level function, so any executor can run it).

BASELINE_MIN_S = 2.0  # a department's least routing budget: a first plan and some search


@dataclass(frozen=True, slots=True)
class DepartmentTask:
    """One department's share of the siloed baseline: everything ``run_week`` needs, picklable."""

    scenario: Scenario
    demand: WeekDemand
    params: PlanParams
    solve_params: SolveParams
    team_params: TeamParams
    week_start: dt.date
    roads: str | None


def solve_department_baseline(task: DepartmentTask) -> WeekRun:
    """Plan one department alone (a top-level function: it runs in a worker process)."""
    return run_week(
        task.scenario,
        task.params,
        task.solve_params,
        week_start=task.week_start,
        roads=task.roads,
        team_params=task.team_params,
        demand=task.demand,
    )


def baseline_budget(
    solve_params: SolveParams, sizes: Mapping[str, int], department: str
) -> SolveParams:
    """``solve_params`` with the time limit cut to the department's share of all visits."""
    total = sum(sizes.values()) or 1
    share = solve_params.time_limit_s * sizes[department] / total
    return replace(solve_params, time_limit_s=max(BASELINE_MIN_S, share))


def largest_first(tasks: Mapping[str, DepartmentTask]) -> list[str]:
    """The departments in the order their tasks are submitted: most visits first."""
    return sorted(tasks, key=lambda d: -len(tasks[d].demand.visits))


def solve_departments(
    tasks: Mapping[str, DepartmentTask],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[str, WeekRun]:
    """Each task's ``WeekRun``, routed in up to ``workers`` processes (largest first).

    One task, or ``workers == 1``, runs here (with ``progress``); worker processes report none.
    A daemon process (a pool's or a cluster's worker) cannot start processes: it runs them here.
    """
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    if multiprocessing.current_process().daemon:
        workers = 1
    if workers <= 1:
        return {
            did: run_week(
                t.scenario,
                t.params,
                t.solve_params,
                week_start=t.week_start,
                roads=t.roads,
                team_params=t.team_params,
                demand=t.demand,
                progress=progress,
            )  # fmt: skip
            for did, t in tasks.items()
        }
    order = largest_first(tasks)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {did: pool.submit(solve_department_baseline, tasks[did]) for did in order}
        return {did: futures[did].result() for did in tasks}


def solo_reason(department: str, officers: int) -> str:
    """Why a department alone plans nothing: fewer than two officers of its own (by law two)."""
    staff = "no officer" if officers == 0 else f"only {officers} officer"
    return f"{department} has {staff} of its own: alone it cannot field a two-officer team"


@dataclass(frozen=True, slots=True)
class SiloedRun:
    """The siloed baseline of a week: the combined plan, its demand and each department's run.

    ``solve_params`` holds the routing knobs each routed department got: the joint plan's.
    """

    plan: Plan
    demand: WeekDemand
    solve_params: tuple[tuple[str, SolveParams], ...]
    runs: tuple[tuple[str, WeekRun], ...]

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        """Every obligation of the week: in a candidate visit or deferred by the merge."""
        in_visits = tuple(o for v in self.demand.visits for o in v.obligations)
        return in_visits + tuple(d.obligation for d in self.demand.deferred)


def department_scenario(scenario: Scenario, department_id: str) -> Scenario:
    """The scenario as one department working alone sees it: only its own officers (home
    department), the fixed teams made only of them, and the recusals that concern them."""
    own = tuple(o for o in scenario.inspectors if o.department_id == department_id)
    ids = {o.id for o in own}
    return replace(
        scenario,
        inspectors=own,
        teams=tuple(t for t in scenario.teams if set(t.officer_ids) <= ids),
        recusals=tuple(
            r
            for r in scenario.recusals
            if r.inspector_id in ids and (not r.other_inspector_id or r.other_inspector_id in ids)
        ),
    )


_RATIOS = ("lp_bound", "weighted_coverage")


def _sum_metrics(plans: Sequence[Plan]) -> tuple[tuple[str, float], ...]:
    """The departments' ``Plan.metrics`` added up (ratios left out: they do not add)."""
    total: dict[str, float] = {}
    for plan in plans:
        for name, value in plan.metrics:
            if name not in _RATIOS:
                total[name] = total.get(name, 0.0) + value
    return tuple(total.items())


@dataclass(frozen=True, slots=True)
class SiloedSetup:
    """The siloed baseline before routing: its demand, each department's visits and deferred
    obligations, its staff, and one ``DepartmentTask`` per department that can be routed."""

    week_start: dt.date
    demand: WeekDemand
    staff: Mapping[str, int]
    visits: Mapping[str, tuple[Visit, ...]]
    deferred: Mapping[str, tuple[Deferred, ...]]
    tasks: Mapping[str, DepartmentTask]


def week_demands(
    scenario: Scenario, week_start: dt.date, params: PlanParams
) -> tuple[WeekDemand, WeekDemand]:
    """The week's joint and siloed demand from one draw and one derivation of its obligations:
    what ``build_week_demand`` gives without and with ``siloed``, for the cost of one call."""
    logs = draw_week(scenario, week_start, params)
    obligations = derive_obligations(scenario, week_start, params, draws=logs)
    return (
        merge_obligations(scenario, obligations, week_start, params, draws=logs),
        merge_siloed(scenario, obligations, week_start, params, draws=logs),
    )


def siloed_setup(
    scenario: Scenario,
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    *,
    week_start: dt.date | None = None,
    roads: Path | str | None = None,
    team_params: TeamParams | None = None,
    demand: WeekDemand | None = None,
) -> SiloedSetup:
    """The siloed demand split by department, and the tasks of the departments with visits and
    at least two officers of their own (time limits cut by ``baseline_budget``). ``demand``:
    the week's siloed demand when already made (``week_demands``)."""
    params = params or PlanParams()
    solve_params = solve_params or SolveParams()
    team_params = team_params or TeamParams()
    week_start = week_start or scenario.settings.week_start
    if demand is None:
        demand = build_week_demand(scenario, week_start, params, siloed=True)
    staff = {
        d.id: sum(o.department_id == d.id for o in scenario.inspectors)
        for d in scenario.departments
    }
    visits: dict[str, list[Visit]] = {d.id: [] for d in scenario.departments}
    for visit in demand.visits:
        visits[visit.department_ids[0]].append(visit)
    deferred: dict[str, list[Deferred]] = {d.id: [] for d in scenario.departments}
    for d in demand.deferred:
        deferred[d.obligation.department_id].append(d)
    routed = [d.id for d in scenario.departments if visits[d.id] and staff[d.id] >= 2]
    sizes = {d: len(visits[d]) for d in routed}
    tasks = {
        did: DepartmentTask(
            department_scenario(scenario, did),
            WeekDemand(week_start, tuple(visits[did]), tuple(deferred[did])),
            params,
            baseline_budget(solve_params, sizes, did),
            team_params,
            week_start,
            str(roads) if roads is not None else None,
        )
        for did in routed
    }
    return SiloedSetup(
        week_start,
        demand,
        staff,
        {d: tuple(v) for d, v in visits.items()},
        {d: tuple(v) for d, v in deferred.items()},
        tasks,
    )


def combine_departments(
    scenario: Scenario, setup: SiloedSetup, done: Mapping[str, WeekRun]
) -> SiloedRun:
    """The departments' runs as one ``SiloedRun``: routes by day and team (ids prefixed
    ``department:``), unscheduled in department order, summed metrics; a department not routed
    leaves its obligations unscheduled with ``solo_reason``."""
    routes: list[Route] = []
    unscheduled: list[Unscheduled] = []
    plans: list[Plan] = []
    runs: list[tuple[str, WeekRun]] = []
    for department in scenario.departments:
        did = department.id
        if did in done:
            run = done[did]
            runs.append((did, run))
            plans.append(run.plan)
            routes += [replace(r, team_id=f"{did}:{r.team_id}") for r in run.plan.routes]
            unscheduled += run.plan.unscheduled
            continue
        reason = solo_reason(department.name, setup.staff[did])
        unscheduled += [Unscheduled(o, reason) for v in setup.visits[did] for o in v.obligations]
        unscheduled += [Unscheduled(d.obligation, d.reason) for d in setup.deferred[did]]
    plan = Plan(
        setup.week_start,
        tuple(sorted(routes, key=lambda r: (r.day, r.team_id))),
        tuple(unscheduled),
        _sum_metrics(plans) + (("departments_routed", float(len(runs))),),
    )
    budgets = tuple((d, setup.tasks[d].solve_params) for d, _ in runs)
    return SiloedRun(plan, setup.demand, budgets, tuple(runs))


def run_siloed_week(
    scenario: Scenario,
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    *,
    week_start: dt.date | None = None,
    roads: Path | str | None = None,
    progress: Progress | None = None,
    team_params: TeamParams | None = None,
    workers: int | None = None,
) -> SiloedRun:
    """Plan the siloed baseline: the same week's obligations, each department visiting alone.

    Parameters
    ----------
    scenario, params, solve_params, week_start, roads, progress, team_params
        As in ``plan_week`` for the joint plan (give the same values to compare the two).
    workers
        Processes routing departments side by side (``solve_departments``; default: the CPUs).

    Returns
    -------
    SiloedRun
        One plan holding every department's routes (team ids prefixed ``department:``), every
        obligation not in a route in ``unscheduled`` with its reason, and summed ``metrics``.
        A department with fewer than two officers of its own plans nothing (``solo_reason``).
    """
    setup = siloed_setup(
        scenario,
        params,
        solve_params,
        week_start=week_start,
        roads=roads,
        team_params=team_params,
    )
    done = solve_departments(setup.tasks, workers=workers, progress=progress)
    return combine_departments(scenario, setup, done)


# ---------------------------------------------------------------- joint plan and baseline at once
# The baseline's departments start in worker processes before the joint plan's formation, so
# they route on the other cores while this process forms and routes the joint plan; they are
# collected when the joint plan is done. Worker processes report no progress: each department
# is reported (``DepartmentDone``) as it is collected.


@dataclass(frozen=True, slots=True)
class DepartmentDone:
    """One department of the siloed baseline finished (reported after the joint plan).

    ``planned``/``offered`` are that department's visits; ``elapsed_s`` is its run's time in
    its worker; ``done`` of ``total`` departments are in so far.
    """

    department_id: str
    planned: int
    offered: int
    elapsed_s: float
    done: int
    total: int


BaselineProgress = Callable[[DepartmentDone], None]


def timed_department_baseline(task: DepartmentTask) -> tuple[WeekRun, float]:
    """``solve_department_baseline`` and the seconds it took (a worker process's task)."""
    started = time.perf_counter()
    run = solve_department_baseline(task)
    return run, time.perf_counter() - started


def baseline_workers(workers: int | None = None) -> int:
    """Worker processes for a baseline routed alongside the joint plan: ``workers``, else every
    CPU but the one the joint plan uses (at least one); 0 in a daemon process (a pool's or a
    cluster's worker cannot start processes: the baseline then runs after the joint plan)."""
    if multiprocessing.current_process().daemon:
        return 0
    return workers if workers is not None else max(1, (os.cpu_count() or 1) - 1)


def run_week_and_baseline(
    scenario: Scenario,
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    *,
    week_start: dt.date | None = None,
    roads: Path | str | None = None,
    progress: Progress | None = None,
    team_params: TeamParams | None = None,
    baseline_progress: BaselineProgress | None = None,
    workers: int | None = None,
    team_progress: TeamProgress | None = None,
) -> tuple[WeekRun, SiloedRun]:
    """The joint plan (``run_week``) and its siloed baseline (``run_siloed_week``) at once.

    The baseline's department tasks start first, in ``baseline_workers(workers)`` processes
    (largest department first); this process makes the joint plan meanwhile (``team_progress``:
    each day's teams as they are formed; ``progress``: routing), then collects the departments
    in the order they finish (``baseline_progress``). Each department's run is the one
    ``run_siloed_week`` makes (same tasks, same function).

    Returns
    -------
    tuple[WeekRun, SiloedRun]
        The joint run and the siloed baseline, as ``run_week`` and ``run_siloed_week`` give them;
        the joint run is the siloed floor's where that covers more due obligations (``with_floor``).
    """
    params = params or PlanParams()
    solve_params = solve_params or SolveParams()
    team_params = team_params or TeamParams()
    week_start = week_start or scenario.settings.week_start
    demand, siloed_demand = week_demands(scenario, week_start, params)
    setup = siloed_setup(
        scenario,
        params,
        solve_params,
        week_start=week_start,
        roads=roads,
        team_params=team_params,
        demand=siloed_demand,
    )
    tasks = setup.tasks
    workers = min(baseline_workers(workers), len(tasks))

    def joint() -> WeekRun:
        return run_week(
            scenario,
            params,
            solve_params,
            week_start=week_start,
            roads=roads,
            progress=progress,
            team_params=team_params,
            team_progress=team_progress,
            demand=demand,
        )

    def report(did: str, run: WeekRun, seconds: float, done: int) -> None:
        if baseline_progress is None:
            return
        m = dict(run.plan.metrics)
        planned, offered = int(m["visits_planned"]), int(m["visits_offered"])
        baseline_progress(DepartmentDone(did, planned, offered, seconds, done, len(tasks)))

    timed: dict[str, tuple[WeekRun, float]] = {}
    if workers < 1:
        made = joint()
        for did, task in tasks.items():
            timed[did] = timed_department_baseline(task)
            report(did, *timed[did], len(timed))
        siloed = combine_departments(scenario, setup, {d: r for d, (r, _) in timed.items()})
        return with_floor(scenario, made, siloed, params, solve_params), siloed
    order = largest_first(tasks)
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(timed_department_baseline, tasks[did]): did for did in order}
        made = joint()
        for future in as_completed(futures):
            did = futures[future]
            timed[did] = future.result()
            report(did, *timed[did], len(timed))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed joint plan waits for nothing
        raise
    pool.shutdown()
    done = {d: timed[d][0] for d in tasks}
    siloed = combine_departments(scenario, setup, done)
    return with_floor(scenario, made, siloed, params, solve_params), siloed


def with_floor(
    scenario: Scenario,
    joint: WeekRun,
    siloed: SiloedRun,
    params: PlanParams,
    solve_params: SolveParams,
) -> WeekRun:
    """The joint run, or the siloed floor's when the joint plan covers fewer due obligations
    than the baseline (``planner.floor.floor_week``; ``Plan.metrics["siloed_floor"]`` says
    which)."""
    from planner.floor import floor_week

    return floor_week(scenario, joint, siloed, params=params, solve_params=solve_params).run
