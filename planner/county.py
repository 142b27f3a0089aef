"""A county's week: townships split out, planned as jobs (``planner.cluster``), merged back.

A county scenario is one scenario with one office per township (``python -m planner synth
--townships N`` writes one). A business belongs to the township of its nearest office (straight
line, the rule the router's ``split_offices`` uses to keep teams out of each other's areas), an
officer to the township of their base. Each township then plans on its own — its officers, its
businesses, its week — which is how townships work (a township does not lend its officers), so
townships are truly independent. The county's random draws (双随机) are drawn once over the
whole county and handed to each township (the drawn businesses of a department-wide sample do
not depend on how the county is cut).

Each township's week is one job (obligations → merge → teams → routing), and its siloed
baseline is one job per department (each department alone plans its own visits, as
``planner.pipeline.run_siloed_week`` does). Results merge into one plan per township with its
burden metrics, and a county summary: coverage per township and department, joint vs siloed,
and every job that failed twice with its township and error.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.auth import Accounts
from planner.cluster import Cluster, Job, JobProgress, JobResult, Measured, measured, run_here
from planner.domain import (
    DrawLog,
    Obligation,
    Office,
    Plan,
    Route,
    Scenario,
    Unscheduled,
    Visit,
    WeekDemand,
)
from planner.draws import draw_week
from planner.merge import merge_obligations, merge_siloed
from planner.metrics import evaluate, evaluate_plan, flat_metrics, write_metrics
from planner.obligations import derive_obligations, is_due
from planner.params import PlanParams, SolveParams, TeamParams
from planner.pipeline import (
    DepartmentTask,
    baseline_budget,
    department_scenario,
    run_week,
    solo_reason,
    solve_department_baseline,
)
from planner.planfile import write_plan
from planner.store import PlanInfo, Store
from planner.travel import haversine_metres

COUNTY_FILE = "county.json"
JOINT = "joint"
SILOED = "siloed"


@dataclass(frozen=True, slots=True)
class WeekSpec:
    """What every township's week is planned with (the same for all of them)."""

    week_start: dt.date
    params: PlanParams = PlanParams()
    solve_params: SolveParams = SolveParams()
    team_params: TeamParams = TeamParams()
    roads: str | None = None


@dataclass(frozen=True, slots=True)
class Township:
    """One township of a county: its office and the scenario it plans from alone."""

    office_id: str
    name: str
    scenario: Scenario


# ---------------------------------------------------------------- splitting


def township_of(scenario: Scenario) -> dict[str, str]:
    """Business id → id of its nearest office (straight line; ties to the first office)."""
    offices = scenario.settings.offices
    if not scenario.businesses or not offices:
        return {}
    lon = np.array([b.lon for b in scenario.businesses])[:, None]
    lat = np.array([b.lat for b in scenario.businesses])[:, None]
    metres = haversine_metres(
        lon, lat, np.array([o.lon for o in offices])[None, :], np.array([o.lat for o in offices])
    )
    nearest = metres.argmin(axis=1)
    return {b.id: offices[int(k)].id for b, k in zip(scenario.businesses, nearest, strict=True)}


def township_scenario(scenario: Scenario, office: Office, business_ids: Iterable[str]) -> Scenario:
    """The part of a county ``scenario`` one township plans from alone.

    Its office only; the businesses given, with their history and tasks; the officers based at
    the office, the fixed teams made only of them, and the recusals among them and its businesses.
    Catalogue, departments, settings and draw rules are the county's.
    """
    mine = set(business_ids)
    officers = tuple(o for o in scenario.inspectors if o.base == office.id)
    ids = {o.id for o in officers}
    return replace(
        scenario,
        settings=replace(scenario.settings, offices=(office,), township=office.name),
        businesses=tuple(b for b in scenario.businesses if b.id in mine),
        history=tuple(h for h in scenario.history if h.business_id in mine),
        tasks=tuple(t for t in scenario.tasks if t.business_id in mine),
        inspectors=officers,
        teams=tuple(t for t in scenario.teams if set(t.officer_ids) <= ids),
        recusals=tuple(
            r
            for r in scenario.recusals
            if r.inspector_id in ids
            and (not r.business_id or r.business_id in mine)
            and (not r.other_inspector_id or r.other_inspector_id in ids)
        ),
    )


def split_county(scenario: Scenario) -> tuple[Township, ...]:
    """One ``Township`` per office that has businesses or officers, in the offices' order."""
    owner = township_of(scenario)
    found = []
    for office in scenario.settings.offices:
        businesses = [b for b, o in owner.items() if o == office.id]
        has_staff = any(o.base == office.id for o in scenario.inspectors)
        if businesses or has_staff:
            part = township_scenario(scenario, office, businesses)
            found.append(Township(office.id, office.name, part))
    return tuple(found)


def township_draws(draws: Sequence[DrawLog], township: Township) -> tuple[DrawLog, ...]:
    """The county's draw logs as one township acts on them: only its drawn businesses."""
    mine = {b.id for b in township.scenario.businesses}
    return tuple(replace(g, drawn=tuple(b for b in g.drawn if b in mine)) for g in draws)


# ---------------------------------------------------------------- the jobs


def township_obligations(
    township: Township, spec: WeekSpec, draws: Sequence[DrawLog]
) -> tuple[Obligation, ...]:
    """The township's obligations of the week, with the county's draws."""
    return derive_obligations(township.scenario, spec.week_start, spec.params, draws=draws)


def plan_joint(
    township: Township, spec: WeekSpec, draws: Sequence[DrawLog]
) -> tuple[Plan, tuple[Obligation, ...]]:
    """Job: the township's joint plan of the week, and every obligation of its week."""
    obligations = township_obligations(township, spec, draws)
    demand = merge_obligations(
        township.scenario, obligations, spec.week_start, spec.params, draws=draws
    )
    run = run_week(
        township.scenario,
        spec.params,
        spec.solve_params,
        week_start=spec.week_start,
        roads=spec.roads,
        team_params=spec.team_params,
        demand=demand,
    )
    return run.plan, run.obligations


def plan_department(
    township: Township, spec: WeekSpec, draws: Sequence[DrawLog], department_id: str
) -> Plan:
    """Job: one department of the township alone (its part of the siloed baseline).

    The township's siloed demand, then what ``planner.pipeline.run_siloed_week`` does for this
    department: with visits and two officers of its own, its ``DepartmentTask`` (time limit cut
    to its share of the routed departments' visits, ``baseline_budget``) routed by
    ``solve_department_baseline``, route team ids prefixed ``department:``; otherwise nothing
    planned (``solo_reason``).
    """
    scenario = township.scenario
    obligations = township_obligations(township, spec, draws)
    demand = merge_siloed(scenario, obligations, spec.week_start, spec.params, draws=draws)
    visits: dict[str, list[Visit]] = {d.id: [] for d in scenario.departments}
    for visit in demand.visits:
        visits[visit.department_ids[0]].append(visit)
    deferred = tuple(d for d in demand.deferred if d.obligation.department_id == department_id)
    staff = {
        d.id: sum(o.department_id == d.id for o in scenario.inspectors)
        for d in scenario.departments
    }
    sizes = {d: len(v) for d, v in visits.items() if v and staff[d] >= 2}
    mine = tuple(visits[department_id])
    if department_id not in sizes:
        reason = solo_reason(scenario.department(department_id).name, staff[department_id])
        unscheduled = tuple(Unscheduled(o, reason) for v in mine for o in v.obligations)
        unscheduled += tuple(Unscheduled(d.obligation, d.reason) for d in deferred)
        return Plan(spec.week_start, (), unscheduled)
    task = DepartmentTask(
        department_scenario(scenario, department_id),
        WeekDemand(spec.week_start, mine, deferred),
        spec.params,
        baseline_budget(spec.solve_params, sizes, department_id),
        spec.team_params,
        spec.week_start,
        spec.roads,
    )
    plan = solve_department_baseline(task).plan
    routes = tuple(replace(r, team_id=f"{department_id}:{r.team_id}") for r in plan.routes)
    return replace(plan, routes=routes)


def _size(township: Township) -> int:
    return len(township.scenario.businesses) + 1


def county_jobs(
    townships: Sequence[Township],
    spec: WeekSpec,
    draws: Sequence[DrawLog] = (),
    *,
    baseline: bool = True,
) -> list[Job]:
    """The jobs of a county's week: per township its joint plan (key ``OFFICE/joint``) and, with
    ``baseline``, one job per department (``OFFICE/siloed/DEPARTMENT``). Each job's value is a
    ``Measured`` (the peak memory of the worker that ran it comes along)."""
    jobs = []
    for t in townships:
        mine = township_draws(draws, t)
        jobs.append(Job(f"{t.office_id}/{JOINT}", t.office_id, measured, (plan_joint, t, spec, mine), 2 * _size(t)))  # fmt: skip
        if not baseline:
            continue
        share = _size(t) // max(len(t.scenario.departments), 1)
        for d in t.scenario.departments:
            args = (plan_department, t, spec, mine, d.id)
            jobs.append(Job(f"{t.office_id}/{SILOED}/{d.id}", t.office_id, measured, args, share))
    return jobs


# ---------------------------------------------------------------- merging


@dataclass(frozen=True, slots=True)
class TownshipPlan:
    """A township's week: its joint plan (``None`` when its job failed), the siloed baseline
    (``None`` when not planned or a department's job failed), its obligations and metrics."""

    township: Township
    joint: Plan | None
    siloed: Plan | None
    obligations: tuple[Obligation, ...]
    metrics: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class CountyPlan:
    """Every township's week, the jobs behind them, and what failed (``JobResult`` with error)."""

    week_start: dt.date
    townships: tuple[TownshipPlan, ...]
    jobs: tuple[JobResult, ...]
    workers: int

    @property
    def failures(self) -> tuple[JobResult, ...]:
        """Jobs that failed twice."""
        return tuple(j for j in self.jobs if not j.ok)


def combine_siloed(week_start: dt.date, parts: Sequence[Plan]) -> Plan:
    """The departments' plans of one township as one siloed plan (as ``run_siloed_week``
    assembles it: routes by day and team, unscheduled in department order, summed counts)."""
    routes = sorted((r for p in parts for r in p.routes), key=lambda r: (r.day, r.team_id))
    total: dict[str, float] = {}
    routed = [p for p in parts if p.metrics]
    for plan in routed:
        for name, value in plan.metrics:
            if name not in ("lp_bound", "weighted_coverage"):  # ratios do not add
                total[name] = total.get(name, 0.0) + value
    metrics = (*total.items(), ("departments_routed", float(len(routed))))
    return Plan(week_start, tuple(routes), tuple(u for p in parts for u in p.unscheduled), metrics)


def _value(result: JobResult) -> Any:
    return result.value.value if isinstance(result.value, Measured) else result.value


def merge_county(
    townships: Sequence[Township],
    spec: WeekSpec,
    results: Sequence[JobResult],
    workers: int,
) -> CountyPlan:
    """Put the jobs' results back together per township and score each (``evaluate``)."""
    by_key = {r.key: r for r in results}
    plans = []
    for t in townships:
        joint = by_key[f"{t.office_id}/{JOINT}"]
        parts = [by_key.get(f"{t.office_id}/{SILOED}/{d.id}") for d in t.scenario.departments]
        plan, obligations = _value(joint) if joint.ok else (None, ())
        siloed = None
        if all(p is not None and p.ok for p in parts):
            siloed = combine_siloed(spec.week_start, [_value(p) for p in parts if p is not None])
        metrics = None
        if plan is not None and siloed is not None:
            metrics = evaluate(
                t.scenario, plan, siloed, obligations=obligations, params=spec.params
            ).to_dict()
        plans.append(TownshipPlan(t, plan, siloed, obligations, metrics))
    return CountyPlan(spec.week_start, tuple(plans), tuple(results), workers)


def plan_county(
    scenario: Scenario,
    spec: WeekSpec,
    *,
    cluster: Cluster | None = None,
    progress: JobProgress | None = None,
    baseline: bool = True,
) -> CountyPlan:
    """Plan a county's week: every township (and its siloed baseline) as jobs.

    Parameters
    ----------
    scenario
        The county: one office per township (``split_county``).
    spec
        Week and knobs, the same for every township.
    cluster
        Where the jobs run (``planner.cluster.open_cluster``); ``None`` runs them here, one
        after another (the sequential reference).
    progress
        Called with a ``planner.cluster.JobEvent`` when a job ends or is tried again.
    baseline
        Also plan each township's siloed baseline (one job per department) and score the joint
        plan against it.

    Returns
    -------
    CountyPlan
        A plan per township; jobs that failed twice are in ``failures`` with their township and
        error, and the other townships' plans are complete.
    """
    townships = split_county(scenario)
    draws = draw_week(scenario, spec.week_start, spec.params)
    jobs = county_jobs(townships, spec, draws, baseline=baseline)
    if cluster is None:
        return merge_county(townships, spec, run_here(jobs, progress), 1)
    return merge_county(townships, spec, cluster.run(jobs, progress), cluster.workers)


# ---------------------------------------------------------------- the county as one plan


def county_plan(county: CountyPlan) -> Plan:
    """Every planned township's routes and unscheduled obligations as one plan of the county.

    Team ids are prefixed with the township's office id (``t2:Mon-1``): formed team names repeat
    from township to township.
    """
    routes: list[Route] = []
    unscheduled: list[Unscheduled] = []
    for t in county.townships:
        if t.joint is None:
            continue
        office = t.township.office_id
        routes += [replace(r, team_id=f"{office}:{r.team_id}") for r in t.joint.routes]
        unscheduled += t.joint.unscheduled
    routes.sort(key=lambda r: (r.day, r.team_id))
    return Plan(county.week_start, tuple(routes), tuple(unscheduled))


def county_obligations(county: CountyPlan) -> tuple[Obligation, ...]:
    """The obligations of every planned township's week."""
    return tuple(o for t in county.townships for o in t.obligations)


def county_siloed(county: CountyPlan) -> Plan | None:
    """Every township's siloed baseline as one plan of the county (team ids prefixed with the
    office, as ``county_plan``); ``None`` when a township has none (a job failed, or none
    was planned)."""
    if any(t.joint is not None and t.siloed is None for t in county.townships):
        return None
    parts = [(t.township.office_id, t.siloed) for t in county.townships if t.siloed is not None]
    if not parts:
        return None
    routes = sorted(
        (replace(r, team_id=f"{office}:{r.team_id}") for office, p in parts for r in p.routes),
        key=lambda r: (r.day, r.team_id),
    )
    unscheduled = tuple(u for _, p in parts for u in p.unscheduled)
    return Plan(county.week_start, tuple(routes), unscheduled)


def county_metrics(
    scenario: Scenario, county: CountyPlan, params: PlanParams | None = None
) -> dict[str, Any] | None:
    """Burden and coverage of the county's joint plan against its siloed baseline
    (``planner.metrics.evaluate`` over every township's obligations: ``Metrics.to_dict()``),
    or ``None`` without a complete baseline."""
    siloed = county_siloed(county)
    if siloed is None:
        return None
    joint, obligations = county_plan(county), county_obligations(county)
    return evaluate(scenario, joint, siloed, obligations=obligations, params=params).to_dict()


def township_part(plan: Plan, scenario: Scenario, office_id: str) -> Plan:
    """One township's plan out of a county's (``county_plan``): its routes, team ids without
    the office prefix, and the unscheduled obligations of its businesses (``township_of``)."""
    prefix = f"{office_id}:"
    owner = township_of(scenario)
    routes = tuple(
        replace(r, team_id=r.team_id.removeprefix(prefix))
        for r in plan.routes
        if r.team_id.startswith(prefix)
    )
    unscheduled = tuple(
        u for u in plan.unscheduled if owner.get(u.obligation.business_id) == office_id
    )
    return Plan(plan.week_start, routes, unscheduled)


def summary_key(plan_id: int) -> str:
    """Where the county summary of stored plan ``plan_id`` is kept (an ``Accounts``
    preference, next to the plan's metrics)."""
    return f"county-summary/{plan_id}"


def save_county(
    store: Store,
    accounts: Accounts,
    scenario: Scenario,
    county: CountyPlan,
    *,
    scenario_version: int,
    by: str,
    params: PlanParams | None = None,
    wall_seconds: float | None = None,
) -> PlanInfo:
    """Store the county's week as one draft plan (``county_plan``: notices, re-plans and
    closing the week work on it as on any plan), its burden metrics against the county's
    siloed baseline (``county_metrics``) and its county summary (``county_summary``)."""
    summary = county_summary(county, wall_seconds=wall_seconds)
    why = f"county: {summary['townships_planned']} township(s) on {county.workers} worker(s)"
    info = store.save_plan(county_plan(county), scenario_version=scenario_version, by=by, why=why)
    doc = county_metrics(scenario, county, params)
    if doc is not None:
        accounts.save_plan_metrics(info.id, info.revision, doc, by=by)
    accounts.save_preference(summary_key(info.id), summary, by=by)
    return info


def stored_summary(accounts: Accounts, plan_id: int) -> dict[str, Any] | None:
    """The county summary kept with stored plan ``plan_id`` (``None``: not a county plan)."""
    return accounts.preference(summary_key(plan_id))


def townships_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """One row per township of a county summary: status, size, coverage joint and siloed,
    visits, job seconds, retried and failed jobs (columns ``col_<name>`` in ``planner.i18n``)."""
    rows = [
        {
            "name": r["name"],
            "office_id": r["office_id"],
            "township_status": r["status"],
            "businesses": r["businesses"],
            "officers": r["officers"],
            "obligations_due": r.get("obligations_due"),
            "coverage_joint": r.get("coverage_joint"),
            "coverage_siloed": r.get("coverage_siloed"),
            "visits_joint": r.get("visits_joint"),
            "visits_siloed": r.get("visits_siloed"),
            "job_seconds": r["job_seconds"],
            "retried": len(r["retried"]),
        }
        for r in summary["townships"]
    ]
    columns = ["name", "office_id", "township_status", "businesses", "officers", "obligations_due",
               "coverage_joint", "coverage_siloed", "visits_joint", "visits_siloed",
               "job_seconds", "retried"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def departments_frame(summary: Mapping[str, Any], names: Mapping[str, str]) -> pd.DataFrame:
    """The county's coverage per department, joint and siloed (``names``: id → name)."""
    c = summary["county"]
    siloed = c["coverage_by_department_siloed"]
    rows = [
        {
            "department": names.get(d, d),
            "obligations_due": row["due"],
            "scheduled": row["scheduled"],
            "coverage_joint": row["share"],
            "coverage_siloed": siloed.get(d, {}).get("share"),
        }
        for d, row in c["coverage_by_department"].items()
    ]
    columns = ["department", "obligations_due", "scheduled", "coverage_joint", "coverage_siloed"]
    return pd.DataFrame(rows, columns=columns)


def failures_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Every job that failed twice: its township (name and office), job, error and tries."""
    rows = [
        {
            "name": f["name"],
            "office_id": f["township"],
            "job": f["job"],
            "error": f["error"],
            "attempts": f["attempts"],
        }  # fmt: skip
        for f in summary["failed"]
    ]
    return pd.DataFrame(rows, columns=["name", "office_id", "job", "error", "attempts"])


# ---------------------------------------------------------------- summary and files


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _department_totals(
    docs: Sequence[Mapping[str, Any]], side: str
) -> dict[str, dict[str, float | None]]:
    totals: dict[str, dict[str, float | None]] = {}
    for doc in docs:
        for department, row in doc["coverage"][side].items():
            entry = totals.setdefault(department, {"due": 0, "scheduled": 0})
            entry["due"] = (entry["due"] or 0) + row["due"]
            entry["scheduled"] = (entry["scheduled"] or 0) + row["scheduled"]
    for entry in totals.values():
        entry["share"] = _share(entry["scheduled"] or 0, entry["due"] or 0)
    return totals


def _joint_only(t: TownshipPlan) -> dict[str, Any]:
    """Coverage of a joint plan whose baseline is missing (a department's job failed)."""
    assert t.joint is not None
    due = [o for o in t.obligations if is_due(o, t.joint.week_start)]
    side = evaluate_plan(t.township.scenario, t.joint, due)
    return {
        "obligations_due": len(due),
        "obligations_due_scheduled": side.obligations_due_scheduled,
        "coverage_joint": _share(side.obligations_due_scheduled, len(due)),
        "visits_joint": side.visits,
        "coverage_by_department": {c.department_id: c.share for c in side.coverage},
    }


def _ran(job: JobResult) -> float:
    """Seconds a job ran on its worker (its wall time when it failed)."""
    return job.value.seconds if isinstance(job.value, Measured) else job.seconds


def township_row(t: TownshipPlan, jobs: Sequence[JobResult]) -> dict[str, Any]:
    """One township's line of the county summary."""
    mine = [j for j in jobs if j.township == t.township.office_id]
    failed = [{"job": j.key, "error": j.error} for j in mine if not j.ok]
    row: dict[str, Any] = {
        "office_id": t.township.office_id,
        "name": t.township.name,
        "businesses": len(t.township.scenario.businesses),
        "officers": len(t.township.scenario.inspectors),
        "status": "failed" if t.joint is None else ("planned" if not failed else "partial"),
        "plan": f"{t.township.office_id}/plan.json" if t.joint is not None else None,
        "job_seconds": round(sum(_ran(j) for j in mine), 2),
        "retried": [j.key for j in mine if j.attempts > 1],
        "failed": failed,
    }
    if t.metrics is not None:
        m = t.metrics
        keys = ("obligations_due", "obligations_due_scheduled", "obligations_due_scheduled_siloed",
                "coverage_joint", "coverage_siloed", "visits_joint", "visits_siloed",
                "visits_avoided", "officer_hours_joint", "officer_hours_siloed",
                "coverage_by_department", "coverage_by_department_siloed")  # fmt: skip
        row |= {k: m.get(k) for k in keys}
    elif t.joint is not None:
        row |= _joint_only(t)
    return row


def county_summary(county: CountyPlan, *, wall_seconds: float | None = None) -> dict[str, Any]:
    """The county's week in one document (``county.json``).

    ``townships``: one row each (status, coverage joint and siloed, per department); ``county``:
    the totals; ``failed``: every job that failed twice, with its
    township and error; ``workers`` and per-job memory (``peak_rss_mib`` by worker process).
    Joint coverage counts every planned township; siloed coverage those with a baseline.
    """
    rows = [township_row(t, county.jobs) for t in county.townships]
    docs = [t.metrics for t in county.townships if t.metrics is not None]
    planned = [r for r in rows if r["status"] != "failed"]
    due = sum(r.get("obligations_due") or 0 for r in planned)
    joint = sum(r.get("obligations_due_scheduled") or 0 for r in planned)
    compared = sum(d["obligations_due"] for d in docs)  # townships with a siloed baseline
    siloed = sum(d["obligations_due_scheduled_siloed"] for d in docs)
    memory: dict[int, float] = {}
    for j in county.jobs:
        if isinstance(j.value, Measured):
            memory[j.value.pid] = max(memory.get(j.value.pid, 0.0), j.value.peak_rss_mib)
    names = {t.township.office_id: t.township.name for t in county.townships}
    return {
        "week_start": county.week_start.isoformat(),
        "workers": county.workers,
        "wall_seconds": None if wall_seconds is None else round(wall_seconds, 2),
        "townships_planned": sum(t.joint is not None for t in county.townships),
        "townships_failed": [r["office_id"] for r in rows if r["status"] == "failed"],
        "county": {
            "townships_compared": len(docs),
            "obligations_due": due,
            "obligations_due_scheduled": joint,
            "obligations_due_scheduled_siloed": siloed,
            "coverage_joint": _share(joint, due),
            "coverage_siloed": _share(siloed, compared),
            "visits_joint": sum(d["visits_joint"] for d in docs),
            "visits_siloed": sum(d["visits_siloed"] for d in docs),
            "coverage_by_department": _department_totals(docs, "joint"),
            "coverage_by_department_siloed": _department_totals(docs, "siloed"),
        },
        "townships": rows,
        "failed": [
            {
                "township": j.township,
                "name": names.get(j.township, ""),
                "job": j.key,
                "error": j.error,
                "attempts": j.attempts,
            }  # fmt: skip
            for j in county.failures
        ],
        "peak_rss_mib_by_worker": {str(pid): round(mib, 1) for pid, mib in sorted(memory.items())},
    }


def write_county(
    county: CountyPlan,
    out_dir: Path | str,
    *,
    scenario_path: Path | str | None = None,
    roads: Path | str | None = None,
    wall_seconds: float | None = None,
) -> Path:
    """Write ``OUT/OFFICE/plan.json`` (+ ``metrics.json``) per planned township and
    ``OUT/county.json`` (``county_summary``); return the summary's path.

    Each ``plan.json`` records ``scenario_path`` and ``roads`` as a single plan's does
    (``planner.planfile``), so ``python -m planner export OUT/OFFICE`` finds them; the county
    scenario is recorded (its businesses include the township's).
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    made_from = {"scenario_path": scenario_path, "roads": roads}
    for t in county.townships:
        if t.joint is None:
            continue
        where = folder / t.township.office_id
        metrics = None
        if t.metrics is not None:
            doc = dict(t.metrics)
            if scenario_path is not None:
                doc["scenario"] = str(Path(scenario_path).resolve())
            doc["office_id"] = t.township.office_id
            write_metrics(doc, where)
            metrics = flat_metrics(doc)
        write_plan(t.joint, t.township.scenario, where, metrics=metrics, **made_from)
    summary = county_summary(county, wall_seconds=wall_seconds)
    path = folder / COUNTY_FILE
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def share_text(value: float | None) -> str:
    """A share as a percentage, ``—`` when there is none."""
    return "—" if value is None else f"{value:.1%}"


def summary_lines(summary: Mapping[str, Any]) -> list[str]:
    """The county summary as lines for a terminal."""
    c = summary["county"]
    lines = [
        f"County week {summary['week_start']}: {summary['townships_planned']} township(s) planned"
        f" on {summary['workers']} worker(s)"
        + (f" in {summary['wall_seconds']:.1f} s" if summary.get("wall_seconds") else ""),
        f"  {'township':10} {'businesses':>10} {'due':>6} {'joint':>7} {'siloed':>7}  status",
    ]
    for r in summary["townships"]:
        lines.append(
            f"  {r['office_id']:10} {r['businesses']:>10} {r.get('obligations_due') or 0:>6} "
            f"{share_text(r.get('coverage_joint')):>7} {share_text(r.get('coverage_siloed')):>7}  {r['status']}"
        )
    lines.append(
        f"  {'county':10} {'':>10} {c['obligations_due']:>6} {share_text(c['coverage_joint']):>7} "
        f"{share_text(c['coverage_siloed']):>7}"
    )
    lines.append("  coverage by department (joint / siloed):")
    siloed = c["coverage_by_department_siloed"]
    for department, row in c["coverage_by_department"].items():
        other = siloed.get(department, {}).get("share")
        lines.append(
            f"    {department:14} {share_text(row['share']):>7} / {share_text(other):>7}  ({row['due']} due)"
        )
    for f in summary["failed"]:
        lines.append(f"  FAILED {f['job']} ({f['name']}) after {f['attempts']} tries: {f['error']}")
    return lines
