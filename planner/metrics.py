"""Burden and coverage metrics of a joint plan against the siloed baseline (各部门单独检查).

Every definition is in ``docs/metrics.md``. Both plans are scored by the same code ("plan mode"):
``evaluate_plan`` turns one plan into a ``Side``; ``evaluate`` compares two and adds the
like-for-like numbers (the joint plan's own work, done department by department).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.domain import Obligation, Plan, Route, Scenario
from planner.merge import simulate, visit_seconds
from planner.obligations import is_due
from planner.params import PlanParams, TeamParams
from planner.problem import PART_MARK

METRICS_FILE = "metrics.json"
SPLIT_MARK = "left for a second visit"  # the reason teams.split_visit gives the left-over items
OTHER_REASON = "other"
REQUIRED_KEYS = (  # the keys issue 6 names; ``Metrics.to_dict`` has these and more
    "visits_joint",
    "visits_siloed",
    "obligations_due",
    "obligations_scheduled",
    "joint_inspection_rate",
    "disruption_minutes_joint",
    "disruption_minutes_siloed",
    "officer_hours_joint",
    "officer_hours_siloed",
    "travel_km_joint",
    "travel_km_siloed",
    "coverage_by_department",
)
SAME_WORK_OFFICERS = 2  # officers per siloed visit in the same-work estimate: the legal minimum
FLOOR_KEYS = (  # planner.floor's numbers in Plan.metrics that metrics.json reports
    "floor_due_joint",
    "floor_due_siloed",
    "floor_due_floor",
    "floor_routes_mapped",
    "floor_routes_unmapped",
    "floor_stops_lost",
    "floor_weighted_joint",
    "floor_weighted_floor",
    "floor_hard_joint",
    "floor_hard_floor",
)

# Reason categories of due obligations left out, first match wins (a substring of the reason).
REASON_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("desk review", "desk review"),
    ("part visit: rest waits", PART_MARK),  # before "certified" and "capacity": it quotes them
    ("split: second visit", SPLIT_MARK),
    ("department alone: < 2 officers", "cannot field a two-officer team"),
    ("recusal", "recused"),  # before "certified": "every team certified for it has … recused"
    ("no certified team", "certified"),
    ("opening hours", "opening hours"),
    ("opening hours", "inspection hours"),  # a business's inspection window (inspection_hours)
    ("deadline", "deadline"),
    ("earliest date", "earliest date"),
    ("pinned", "pinned"),
    ("no team", "no team works"),
    ("capacity", "capacity"),
)


def reason_category(reason: str) -> str:
    """The category of an unscheduled obligation's reason (``REASON_CATEGORIES``), else other."""
    return next((name for name, mark in REASON_CATEGORIES if mark in reason), OTHER_REASON)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One department's due obligations of the week and what one plan did with them.

    ``due`` counts obligations due or overdue in the week (``is_due``); ``scheduled`` those of
    them in a visit; ``pulled_forward`` obligations in a visit that are not yet due (reported
    apart, never in the share); ``reasons`` the due ones left out, by ``reason_category``;
    ``by_risk`` (risk class, due, scheduled); ``overdue`` due before the week's Monday,
    ``backlog`` of them not scheduled, with their days overdue on the Monday.
    """

    department_id: str
    due: int
    scheduled: int
    pulled_forward: int
    reasons: tuple[tuple[str, int], ...]
    by_risk: tuple[tuple[str, int, int], ...]
    overdue: int
    backlog: int
    backlog_days: tuple[int, ...]

    @property
    def share(self) -> float | None:
        """Scheduled / due (``None`` when nothing is due)."""
        return self.scheduled / self.due if self.due else None


@dataclass(frozen=True, slots=True)
class Workload:
    """One officer's or team's week: hours travelling and on site, visits, days worked."""

    id: str
    hours: float
    visits: int
    days: int


@dataclass(frozen=True, slots=True)
class Side:
    """One plan (joint or siloed) scored by ``evaluate_plan``; definitions in docs/metrics.md."""

    visits: int
    routed_visits: int
    split_visits: int
    part_visits: int
    multi_department_visits: int
    visits_per_business: tuple[tuple[int, int], ...]
    disruption_minutes: float
    officer_hours: float
    officer_travel_hours: float
    officer_span_hours: float
    travel_km: float
    routes: int
    officers_per_visit: float
    travel_minutes_per_visit: float
    obligations_scheduled: int
    obligations_due_scheduled: int
    pulled_forward: int
    coverage: tuple[Coverage, ...]
    due_priority: int
    due_priority_scheduled: int
    officers: tuple[Workload, ...]
    teams: tuple[Workload, ...]

    @property
    def joint_inspection_rate(self) -> float:
        """Share of routed visits that check items of at least two departments."""
        return self.multi_department_visits / self.routed_visits if self.routed_visits else 0.0

    @property
    def backlog_days(self) -> tuple[int, ...]:
        """Days overdue (on the Monday) of every overdue obligation left out, all departments."""
        return tuple(d for c in self.coverage for d in c.backlog_days)


@dataclass(frozen=True, slots=True)
class Metrics:
    """The joint plan against the siloed baseline (``evaluate``).

    ``same_work_visits`` and ``same_work_disruption_minutes`` score the joint plan's own checks
    done department by department (``same_work``); ``same_work_officer_hours`` estimates their
    officer hours with the siloed plan's officers and travel per visit.
    """

    week_start: dt.date
    businesses: int
    obligations_due: int
    joint: Side
    siloed: Side
    same_work_visits: int
    same_work_disruption_minutes: float
    same_work_officer_hours: float
    floor: tuple[tuple[str, float], ...] = ()  # the joint plan's siloed-floor metrics

    @property
    def visits_avoided(self) -> int:
        """Visits the departments alone would need for the joint plan's work, minus joint visits."""
        return self.same_work_visits - self.joint.visits

    def to_dict(self) -> dict[str, Any]:
        """Every metric as JSON-ready values (``metrics.json``; keys in docs/metrics.md)."""
        j, s = self.joint, self.siloed
        flat: dict[str, Any] = {
            "week_start": self.week_start.isoformat(),
            "businesses": self.businesses,
            "visits_joint": j.visits,
            "visits_siloed": s.visits,
            "visits_siloed_same_work": self.same_work_visits,
            "visits_avoided": self.visits_avoided,
            "visits_avoided_share": _ratio(self.visits_avoided, self.same_work_visits),
            "visits_routed_joint": j.routed_visits,
            "visits_routed_siloed": s.routed_visits,
            "split_visits_joint": j.split_visits,
            "split_visits_siloed": s.split_visits,
            "part_visits_joint": j.part_visits,
            "part_visits_siloed": s.part_visits,
            "visits_per_business_joint": {str(k): n for k, n in j.visits_per_business},
            "visits_per_business_siloed": {str(k): n for k, n in s.visits_per_business},
            "disruption_minutes_joint": _round(j.disruption_minutes),
            "disruption_minutes_siloed": _round(s.disruption_minutes),
            "disruption_minutes_siloed_same_work": _round(self.same_work_disruption_minutes),
            "disruption_minutes_avoided": _round(
                self.same_work_disruption_minutes - j.disruption_minutes
            ),
            "officer_hours_joint": _round(j.officer_hours),
            "officer_hours_siloed": _round(s.officer_hours),
            "officer_hours_siloed_same_work": _round(self.same_work_officer_hours),
            "officer_hours_avoided": _round(self.same_work_officer_hours - j.officer_hours),
            "officer_travel_hours_joint": _round(j.officer_travel_hours),
            "officer_travel_hours_siloed": _round(s.officer_travel_hours),
            "officer_span_hours_joint": _round(j.officer_span_hours),
            "officer_span_hours_siloed": _round(s.officer_span_hours),
            "officer_hours_per_obligation_joint": _ratio(j.officer_hours, j.obligations_scheduled),
            "officer_hours_per_obligation_siloed": _ratio(s.officer_hours, s.obligations_scheduled),
            "travel_km_joint": _round(j.travel_km),
            "travel_km_siloed": _round(s.travel_km),
            "routes_joint": j.routes,
            "routes_siloed": s.routes,
            "officers_per_visit_joint": _round(j.officers_per_visit),
            "officers_per_visit_siloed": _round(s.officers_per_visit),
            "travel_minutes_per_visit_joint": _round(j.travel_minutes_per_visit),
            "travel_minutes_per_visit_siloed": _round(s.travel_minutes_per_visit),
            "joint_inspection_rate": _round(j.joint_inspection_rate),
            "multi_department_visits": j.multi_department_visits,
            "obligations_due": self.obligations_due,
            "obligations_scheduled": j.obligations_scheduled,
            "obligations_due_scheduled": j.obligations_due_scheduled,
            "obligations_pulled_forward": j.pulled_forward,
            "obligations_scheduled_siloed": s.obligations_scheduled,
            "obligations_due_scheduled_siloed": s.obligations_due_scheduled,
            "obligations_pulled_forward_siloed": s.pulled_forward,
            "coverage_joint": _ratio(j.obligations_due_scheduled, self.obligations_due),
            "coverage_siloed": _ratio(s.obligations_due_scheduled, self.obligations_due),
            "coverage_weighted_joint": _ratio(j.due_priority_scheduled, j.due_priority),
            "coverage_weighted_siloed": _ratio(s.due_priority_scheduled, s.due_priority),
            "coverage_by_department": {c.department_id: _round(c.share) for c in j.coverage},
            "coverage_by_department_siloed": {c.department_id: _round(c.share) for c in s.coverage},
            "overdue_due": sum(c.overdue for c in j.coverage),
        }
        for name, side in (("joint", j), ("siloed", s)):
            days = side.backlog_days
            flat[f"overdue_backlog_{name}"] = len(days)
            flat[f"overdue_backlog_days_mean_{name}"] = _round(
                statistics.fmean(days) if days else 0
            )
            flat[f"overdue_backlog_days_max_{name}"] = max(days, default=0)
        for name, side in (("joint", j), ("siloed", s)):
            for kind, rows in (("officer", side.officers), ("team", side.teams)):
                for stat, value in spread([w.hours for w in rows]).items():
                    flat[f"workload_{kind}_hours_{stat}_{name}"] = _round(value)
        if self.floor:  # planner.floor: status code, due obligations before/after, routes
            flat["siloed_floor"] = {
                "status" if k == "siloed_floor" else k.removeprefix("floor_"): _round(v)
                for k, v in self.floor
            }
        flat["coverage"] = {"joint": _coverage_doc(j), "siloed": _coverage_doc(s)}
        flat["workload"] = {"joint": _workload_doc(j), "siloed": _workload_doc(s)}
        return flat


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _ratio(a: float, b: float) -> float | None:
    return _round(a / b) if b else None


def _coverage_doc(side: Side) -> dict[str, Any]:
    return {
        c.department_id: {
            "due": c.due,
            "scheduled": c.scheduled,
            "share": _round(c.share),
            "not_scheduled": c.due - c.scheduled,
            "pulled_forward": c.pulled_forward,
            "reasons": dict(c.reasons),
            "by_risk": {r: {"due": d, "scheduled": s} for r, d, s in c.by_risk},
            "overdue": c.overdue,
            "backlog": c.backlog,
            "backlog_days_mean": _round(statistics.fmean(c.backlog_days)) if c.backlog else 0,
            "backlog_days_max": max(c.backlog_days, default=0),
        }
        for c in side.coverage
    }


def _workload_doc(side: Side) -> dict[str, Any]:
    def rows(items: Sequence[Workload]) -> list[dict[str, Any]]:
        return [
            {"id": w.id, "hours": _round(w.hours), "visits": w.visits, "days": w.days}
            for w in items
        ]

    return {"officers": rows(side.officers), "teams": rows(side.teams)}


def spread(values: Sequence[float]) -> dict[str, float]:
    """``min``, ``max``, ``mean`` and ``cv`` (population standard deviation / mean; 0 if none)."""
    if not values:
        return {"min": 0.0, "max": 0.0, "mean": 0.0, "cv": 0.0}
    mean = statistics.fmean(values)
    cv = statistics.pstdev(values) / mean if mean else 0.0
    return {"min": float(min(values)), "max": float(max(values)), "mean": mean, "cv": cv}


# ---------------------------------------------------------------- one plan


def route_onsite_seconds(route: Route) -> int:
    """Seconds a route's team spends on premises: the sum of its stops' end − start."""
    return sum(s.end - s.start for s in route.stops)


def route_work_seconds(route: Route) -> int:
    """A route's travel plus on-site seconds (waiting and lunch not counted)."""
    return route.travel_seconds + route_onsite_seconds(route)


def plan_obligations(plan: Plan) -> tuple[Obligation, ...]:
    """Every obligation a plan holds: in its stops, then in ``unscheduled``."""
    routed = tuple(o for r in plan.routes for s in r.stops for o in s.visit.obligations)
    return routed + tuple(u.obligation for u in plan.unscheduled)


def split_businesses(plan: Plan) -> frozenset[str]:
    """Businesses whose visit was split: items left for a second visit (``SPLIT_MARK``)."""
    return frozenset(u.obligation.business_id for u in plan.unscheduled if SPLIT_MARK in u.reason)


def part_businesses(plan: Plan) -> frozenset[str]:
    """Businesses visited in part: a stop checked some departments' items and the rest of the
    visit waits (``planner.problem.PART_MARK`` in their reason). No second visit this week."""
    return frozenset(u.obligation.business_id for u in plan.unscheduled if PART_MARK in u.reason)


def department_coverage(
    scenario: Scenario, plan: Plan, due: Sequence[Obligation], department_id: str
) -> Coverage:
    """How ``plan`` covers one department's due obligations (see ``Coverage``)."""
    week_start = plan.week_start
    routed = Counter(o for r in plan.routes for s in r.stops for o in s.visit.obligations)
    reason_of = {u.obligation: u.reason for u in plan.unscheduled}
    mine = [o for o in due if o.department_id == department_id]
    done: list[Obligation] = []
    left: list[Obligation] = []
    for o in mine:
        if routed[o] > 0:
            routed[o] -= 1
            done.append(o)
        else:
            left.append(o)
    pulled = sum(
        1
        for r in plan.routes
        for s in r.stops
        for o in s.visit.obligations
        if o.department_id == department_id and not is_due(o, week_start)
    )
    reasons = Counter(reason_category(reason_of.get(o, "not in the plan")) for o in left)
    risk_due = Counter(scenario.business(o.business_id).risk.value for o in mine)
    risk_done = Counter(scenario.business(o.business_id).risk.value for o in done)
    backlog = sorted((week_start - o.due).days for o in left if o.due < week_start)
    return Coverage(
        department_id,
        len(mine),
        len(done),
        pulled,
        tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        tuple((r, risk_due[r], risk_done[r]) for r in sorted(risk_due)),
        sum(1 for o in mine if o.due < week_start),
        len(backlog),
        tuple(backlog),
    )


def officer_workload(scenario: Scenario, plan: Plan) -> tuple[Workload, ...]:
    """Every officer rostered in the week (idle ones at 0): travel + on-site hours, visits, days."""
    hours: dict[str, float] = defaultdict(float)
    visits: Counter[str] = Counter()
    days: dict[str, set[dt.date]] = defaultdict(set)
    for route in plan.routes:
        for officer in route.officer_ids:
            hours[officer] += route_work_seconds(route) / 3600
            visits[officer] += len(route.stops)
            days[officer].add(route.day)
    ids = [o.id for o in scenario.inspectors if o.working_days]
    ids += sorted(set(hours) - set(ids))
    return tuple(Workload(i, hours.get(i, 0.0), visits[i], len(days[i])) for i in ids)


def team_workload(plan: Plan) -> tuple[Workload, ...]:
    """Every team of the plan: travel + on-site hours (the team's, not × officers), visits, days."""
    hours: dict[str, float] = defaultdict(float)
    visits: Counter[str] = Counter()
    days: dict[str, set[dt.date]] = defaultdict(set)
    for route in plan.routes:
        hours[route.team_id] += route_work_seconds(route) / 3600
        visits[route.team_id] += len(route.stops)
        days[route.team_id].add(route.day)
    return tuple(Workload(t, hours[t], visits[t], len(days[t])) for t in sorted(hours))


def _due_priority_scheduled(plan: Plan, due: Sequence[Obligation]) -> int:
    """Σ priority (at least 1) of the ``due`` obligations in the plan's stops."""
    routed = Counter(o for r in plan.routes for s in r.stops for o in s.visit.obligations)
    total = 0
    for o in due:
        if routed[o] > 0:
            routed[o] -= 1
            total += max(o.priority, 1)
    return total


def evaluate_plan(scenario: Scenario, plan: Plan, due: Sequence[Obligation]) -> Side:
    """Score one plan: visits, disruption, officer hours, travel, coverage and workload.

    Parameters
    ----------
    scenario
        Departments, businesses (risk class) and inspectors (workload of idle officers).
    plan
        A joint or siloed plan.
    due
        The week's due obligations (the same list for both plans of a comparison).

    Returns
    -------
    Side
        The plan's numbers; definitions in ``docs/metrics.md``.
    """
    stops = [(r, s) for r in plan.routes for s in r.stops]
    split = split_businesses(plan)
    per_business = Counter(s.visit.business_id for _, s in stops)
    for b in split:
        per_business[b] += 1  # the left-over items need a second visit
    scheduled = [o for _, s in stops for o in s.visit.obligations]
    officer_visits = sum(len(r.officer_ids) for r, _ in stops)
    return Side(
        visits=len(stops) + len(split),
        routed_visits=len(stops),
        split_visits=len(split),
        part_visits=len(part_businesses(plan)),
        multi_department_visits=sum(1 for _, s in stops if len(s.visit.department_ids) >= 2),
        visits_per_business=tuple(sorted(Counter(per_business.values()).items())),
        disruption_minutes=sum(s.end - s.start for _, s in stops) / 60,
        officer_hours=sum(route_work_seconds(r) * len(r.officer_ids) for r in plan.routes) / 3600,
        officer_travel_hours=sum(r.travel_seconds * len(r.officer_ids) for r in plan.routes) / 3600,
        officer_span_hours=sum(max(r.back - r.depart, 0) * len(r.officer_ids) for r in plan.routes)
        / 3600,
        travel_km=sum(r.distance_metres for r in plan.routes) / 1000,
        routes=len(plan.routes),
        officers_per_visit=officer_visits / len(stops) if stops else 0.0,
        travel_minutes_per_visit=(
            sum(r.travel_seconds for r in plan.routes) / 60 / len(stops) if stops else 0.0
        ),
        obligations_scheduled=len(scheduled),
        obligations_due_scheduled=sum(1 for o in scheduled if is_due(o, plan.week_start)),
        pulled_forward=sum(1 for o in scheduled if not is_due(o, plan.week_start)),
        coverage=tuple(
            department_coverage(scenario, plan, due, d.id) for d in scenario.departments
        ),
        due_priority=sum(max(o.priority, 1) for o in due),
        due_priority_scheduled=_due_priority_scheduled(plan, due),
        officers=officer_workload(scenario, plan),
        teams=team_workload(plan),
    )


# ---------------------------------------------------------------- joint vs siloed


def same_work(
    scenario: Scenario, plan: Plan, params: PlanParams | None = None
) -> tuple[int, float]:
    """The joint plan's checks done department by department: (visits, disruption minutes).

    One visit per (business, department) among the obligations in the plan's visits and those
    left for a second visit (split visits). Pulled-forward items count too: a department alone
    needs a visit to check them, this week or later. Each visit lasts what ``visit_seconds``
    gives its items; disruption is scored on the routed items only (split-off ones have no stop).
    """
    params = params or PlanParams()
    routed: dict[tuple[str, str], list[Obligation]] = defaultdict(list)
    for r in plan.routes:
        for s in r.stops:
            for o in s.visit.obligations:
                routed[(o.business_id, o.department_id)].append(o)
    split_off = {
        (u.obligation.business_id, u.obligation.department_id)
        for u in plan.unscheduled
        if SPLIT_MARK in u.reason
    }
    setup = scenario.settings.setup_minutes
    seconds = sum(
        visit_seconds((scenario.item(o.item_id) for o in members), setup, params)
        for members in routed.values()
    )
    return len(set(routed) | split_off), seconds / 60


def evaluate(
    scenario: Scenario,
    joint: Plan,
    siloed: Plan,
    *,
    obligations: Iterable[Obligation] | None = None,
    params: PlanParams | None = None,
) -> Metrics:
    """Burden and coverage of the joint plan against the siloed baseline of the same week.

    Parameters
    ----------
    scenario
        The scenario both plans were made from.
    joint
        The joint plan (``plan_week``).
    siloed
        The siloed baseline (``plan_week(..., siloed=True)``) of the same week and obligations.
    obligations
        The week's obligations (``WeekRun.obligations``); by default every obligation the joint
        plan holds (its stops and ``unscheduled``). Their due ones are both plans' denominator.
    params
        The ``PlanParams`` of the plans (the duration model of the like-for-like visits).

    Returns
    -------
    Metrics
        ``to_dict()`` gives every number; definitions in ``docs/metrics.md``.

    Raises
    ------
    ValueError
        If the two plans are not of the same week.
    """
    if joint.week_start != siloed.week_start:
        raise ValueError(f"plans of different weeks: {joint.week_start} and {siloed.week_start}")
    pool = plan_obligations(joint) if obligations is None else tuple(obligations)
    due = [o for o in pool if is_due(o, joint.week_start)]
    visits, minutes = same_work(scenario, joint, params)
    joint_side = evaluate_plan(scenario, joint, due)
    siloed_side = evaluate_plan(scenario, siloed, due)
    travel = siloed_side.travel_minutes_per_visit or joint_side.travel_minutes_per_visit
    return Metrics(
        week_start=joint.week_start,
        businesses=len(scenario.businesses),
        obligations_due=len(due),
        joint=joint_side,
        siloed=siloed_side,
        same_work_visits=visits,
        same_work_disruption_minutes=minutes,
        same_work_officer_hours=SAME_WORK_OFFICERS * (minutes + visits * travel) / 60,
        floor=tuple((k, v) for k, v in joint.metrics if k == "siloed_floor" or k in FLOOR_KEYS),
    )


# ---------------------------------------------------------------- files


def flat_metrics(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What ``plan.json``'s ``metrics`` carries: the numbers of ``doc`` and its one-level maps of
    numbers (e.g. ``coverage_by_department``: department id → share); deeper detail left out."""
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, Mapping):
            numbers = {
                str(sub): inner
                for sub, inner in value.items()
                if inner is None or isinstance(inner, int | float)
            }
            if numbers:
                flat[key] = numbers
        elif value is None or isinstance(value, int | float):
            flat[key] = value
    return flat


def unflatten_metrics(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``plan.json``'s metrics as a document; older ``key.sub`` entries become ``{key: {sub: …}}``."""
    doc: dict[str, Any] = {}
    for key, value in flat.items():
        head, dot, sub = key.partition(".")
        if dot:
            doc.setdefault(head, {})[sub] = value
        else:
            doc[key] = value
    return doc


def write_metrics(doc: Mapping[str, Any], out_dir: Path | str) -> Path:
    """Write ``out_dir/metrics.json`` (UTF-8, indented); return its path."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / METRICS_FILE
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read_metrics(plan_dir: Path | str) -> dict[str, Any]:
    """The metrics of a plan folder: ``metrics.json``, else ``plan.json``'s (unflattened)."""
    folder = Path(plan_dir)
    if folder.is_file():
        folder = folder.parent
    path = folder / METRICS_FILE
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return unflatten_metrics(plan.get("metrics", {}))


# ---------------------------------------------------------------- a year


@dataclass(frozen=True, slots=True)
class YearRun:
    """One rolling-weeks run (joint or siloed, pull-forward on or off), scaled to 52 weeks."""

    mode: str
    pull_forward: bool
    visits: float
    visits_per_business: float
    disruption_hours: float
    officer_hours: float


@dataclass(frozen=True, slots=True)
class YearMetrics:
    """Visits, disruption and officer hours per year, joint vs siloed, pull-forward on and off.

    Officer hours are estimated (the simulation does not route): ``officers_per_visit`` × (on-site
    time + ``travel_minutes_per_visit`` per visit), per mode (``_calibration``).
    """

    start: dt.date
    weeks: int
    businesses: int
    officers_per_visit: tuple[tuple[str, float], ...]
    travel_minutes_per_visit: tuple[tuple[str, float], ...]
    runs: tuple[YearRun, ...]

    def run(self, mode: str, pull_forward: bool = True) -> YearRun:
        """The run of ``mode`` (``joint`` / ``siloed``) with pull-forward on or off."""
        return next(r for r in self.runs if r.mode == mode and r.pull_forward == pull_forward)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per pull-forward setting, each number joint and siloed (per year)."""
        doc: dict[str, Any] = {
            "start": self.start.isoformat(),
            "weeks": self.weeks,
            "businesses": self.businesses,
            "officers_per_visit": dict(self.officers_per_visit),
            "travel_minutes_per_visit": dict(self.travel_minutes_per_visit),
        }
        for pf in (True, False):
            j, s = self.run("joint", pf), self.run("siloed", pf)
            doc["pull_forward_on" if pf else "pull_forward_off"] = {
                "visits_joint": _round(j.visits, 1),
                "visits_siloed": _round(s.visits, 1),
                "visits_avoided_share": _ratio(s.visits - j.visits, s.visits),
                "visits_per_business_joint": _round(j.visits_per_business, 3),
                "visits_per_business_siloed": _round(s.visits_per_business, 3),
                "disruption_hours_joint": _round(j.disruption_hours, 1),
                "disruption_hours_siloed": _round(s.disruption_hours, 1),
                "officer_hours_joint": _round(j.officer_hours, 1),
                "officer_hours_siloed": _round(s.officer_hours, 1),
            }
        return doc


def _calibration(week: Metrics | Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    """(officers per visit, travel minutes per visit) of each mode for the officer-hour estimate.

    Joint: measured on the routed week. Siloed: the legal minimum of two officers (as in the
    same-work estimate; conservative) and the siloed plan's travel per visit. Without a week:
    two officers and ``TeamParams.travel_minutes_per_visit``.
    """
    travel = float(TeamParams().travel_minutes_per_visit)
    officers = float(SAME_WORK_OFFICERS)
    if week is None:
        return {"joint": (officers, travel), "siloed": (officers, travel)}
    doc = week.to_dict() if isinstance(week, Metrics) else week
    joint_travel = float(doc.get("travel_minutes_per_visit_joint") or travel)
    return {
        "joint": (float(doc.get("officers_per_visit_joint") or officers), joint_travel),
        "siloed": (officers, float(doc.get("travel_minutes_per_visit_siloed") or joint_travel)),
    }


def year_metrics(
    scenario: Scenario,
    weeks: int = 52,
    params: PlanParams | None = None,
    *,
    start: dt.date | None = None,
    week: Metrics | Mapping[str, Any] | None = None,
) -> YearMetrics:
    """A year of rolling weeks (``merge.simulate``), joint vs siloed, pull-forward on and off.

    Parameters
    ----------
    scenario
        The starting state.
    weeks
        Weeks simulated; every number is scaled to 52 weeks.
    params
        Planning knobs (pull-forward horizon, duration model).
    start
        Monday of the first week (default: the scenario's week).
    week
        A routed week's ``Metrics`` (or its ``to_dict()``) to calibrate the officer-hour estimate
        (officers and travel per visit; see ``_calibration``). Without it: two officers (the legal
        minimum) and ``TeamParams.travel_minutes_per_visit`` for both modes.

    Returns
    -------
    YearMetrics
    """
    params = params or PlanParams()
    calibration = _calibration(week)
    scale = 52 / max(weeks, 1)
    n = max(len(scenario.businesses), 1)
    runs = []
    for pf in (True, False):
        result = simulate(scenario, weeks, params, start=start, pull_forward=pf)
        for mode, counts in (("joint", result.joint), ("siloed", result.siloed)):
            visits = sum(c.visits for c in counts) * scale
            onsite = sum(c.service_seconds for c in counts) / 3600 * scale
            officers, travel = calibration[mode]
            runs.append(
                YearRun(
                    mode,
                    pf,
                    visits,
                    visits / n,
                    onsite,
                    officers * (onsite + visits * travel / 60),
                )
            )
    return YearMetrics(
        start or scenario.settings.week_start,
        weeks,
        len(scenario.businesses),
        tuple((m, c[0]) for m, c in calibration.items()),
        tuple((m, c[1]) for m, c in calibration.items()),
        tuple(runs),
    )


# ---------------------------------------------------------------- text report


def _fmt(value: Any, spec: str = "g") -> str:
    if value is None:
        return "–"
    return format(value, spec)


def _line(label: str, j: Any, s: Any, spec: str, change: bool = True) -> str:
    delta = ""
    if change and isinstance(j, int | float) and isinstance(s, int | float) and s:
        delta = f"{(j - s) / s:+.1%}"
    return f"  {label:36} {_fmt(j, spec):>10} {_fmt(s, spec):>10} {delta:>9}"


def floor_lines(floor: Mapping[str, Any] | None) -> list[str]:
    """What the siloed floor (``planner.floor``) did to the joint plan, in a few lines; none
    when the plan has no floor entry or it was not needed."""
    if not floor or floor.get("status") in (None, 0):
        return []
    from planner.floor import FLOOR_ADOPTED, FLOOR_NO_MAPPING, floor_text

    status = floor["status"]
    lines = [
        f"  siloed floor: {floor_text(status)} — due obligations covered by the joint plan "
        f"{_fmt(floor.get('due_joint'))}, by the departments alone {_fmt(floor.get('due_siloed'))}"
    ]
    unmapped = int(floor.get("routes_unmapped") or 0)
    if status == FLOOR_NO_MAPPING:
        return lines + [
            "  no siloed team's officers are all in one joint team of its day: the joint plan "
            "stays below"
        ]
    if status == FLOOR_ADOPTED:
        lines += [
            "  the siloed routes given to the joint teams (department parts, then filled) cover "
            f"{_fmt(floor.get('due_floor'))};",
            f"  hard-deadline due obligations {_fmt(floor.get('hard_joint'))} → "
            f"{_fmt(floor.get('hard_floor'))}, routing objective (priority-weighted) "
            f"{_fmt(floor.get('weighted_joint'), '.1%')} → "
            f"{_fmt(floor.get('weighted_floor'), '.1%')}",
        ]
    if unmapped:
        lines.append(f"  {unmapped} siloed route(s) had no joint team holding all their officers")
    return lines


def report_lines(doc: Mapping[str, Any], year: Mapping[str, Any] | None = None) -> list[str]:
    """The burden and coverage summary of ``metrics.json`` (and a year) as printable lines."""

    def pair(label: str, joint: str, siloed: str, spec: str = ",.0f", change: bool = True) -> str:
        return _line(label, doc.get(joint), doc.get(siloed), spec, change)

    lines = [
        f"Week of {doc.get('week_start')}: joint inspection vs each department alone",
        "",
        "The joint plan's checks, done jointly vs by each department on its own (same work)",
        f"  {'':36} {'joint':>10} {'alone':>10} {'change':>9}",
        pair("visits", "visits_joint", "visits_siloed_same_work"),
        pair("disruption (minutes on premises)", "disruption_minutes_joint",
             "disruption_minutes_siloed_same_work"),
        pair("officer hours (alone: estimate)", "officer_hours_joint",
             "officer_hours_siloed_same_work", ",.1f"),
        f"  joint-inspection rate {_fmt(doc.get('joint_inspection_rate'), '.1%')}: visits "
        "checking items of ≥ 2 departments (Wenling 31.3 %; Daye 2025 target ≥ 60 %)",
        "",
        "Siloed baseline plan: same obligations, engine and settings, each department's own officers",
        f"  {'':36} {'joint':>10} {'siloed':>10} {'change':>9}",
        pair("visits", "visits_joint", "visits_siloed"),
        pair("due obligations scheduled", "obligations_due_scheduled",
             "obligations_due_scheduled_siloed"),
        pair("coverage of due obligations", "coverage_joint", "coverage_siloed", ".1%", False),
        pair("pulled forward (not in coverage)", "obligations_pulled_forward",
             "obligations_pulled_forward_siloed"),
        pair("overdue backlog (obligations)", "overdue_backlog_joint", "overdue_backlog_siloed"),
        pair("disruption (minutes on premises)", "disruption_minutes_joint",
             "disruption_minutes_siloed"),
        pair("officer hours (travel + on site)", "officer_hours_joint", "officer_hours_siloed",
             ",.1f"),
        pair("officer hours per obligation", "officer_hours_per_obligation_joint",
             "officer_hours_per_obligation_siloed", ".3f"),
        pair("travel km", "travel_km_joint", "travel_km_siloed", ",.1f"),
        f"  obligations due this week: {_fmt(doc.get('obligations_due'))} "
        f"({_fmt(doc.get('overdue_due'))} of them overdue on Monday)",
        "",
        f"  {'coverage by department':36} {'joint':>10} {'siloed':>10}",
    ]  # fmt: skip
    joint_cov = doc.get("coverage_by_department", {}) or {}
    siloed_cov = doc.get("coverage_by_department_siloed", {}) or {}
    detail = (doc.get("coverage") or {}).get("joint", {})
    for dept in joint_cov:
        due = detail.get(dept, {}).get("due")
        label = f"{dept} ({due} due)" if due is not None else dept
        lines.append(
            f"  {label:36} {_fmt(joint_cov.get(dept), '.1%'):>10} "
            f"{_fmt(siloed_cov.get(dept), '.1%'):>10}"
        )
    lines.append(
        f"  {'all departments':36} {_fmt(doc.get('coverage_joint'), '.1%'):>10} "
        f"{_fmt(doc.get('coverage_siloed'), '.1%'):>10}"
    )
    lines += floor_lines(doc.get("siloed_floor"))
    lines += ["", f"  {'officer workload (hours a week)':36} {'joint':>10} {'siloed':>10}"]
    for stat in ("min", "mean", "max", "cv"):
        key = f"workload_officer_hours_{stat}"
        lines.append(pair(f"  {stat}", f"{key}_joint", f"{key}_siloed", ".2f", False))
    if year:
        lines += [
            "",
            f"A year: {year['weeks']} rolling weeks from {year['start']} scaled to 52, every "
            "planned visit done (merge simulation, no routing; officer hours estimated)",
            f"  {'':36} {'joint':>10} {'siloed':>10} {'change':>9}",
        ]
        for pf in ("pull_forward_on", "pull_forward_off"):
            y = year[pf]
            lines.append(f"  pull-forward {pf.rsplit('_', 1)[1]}")
            for label, key, spec in (
                ("visits per business per year", "visits_per_business", ".2f"),
                ("visits per year", "visits", ",.0f"),
                ("disruption hours per year", "disruption_hours", ",.0f"),
                ("officer hours per year", "officer_hours", ",.0f"),
            ):
                lines.append(_line(f"  {label}", y[f"{key}_joint"], y[f"{key}_siloed"], spec))
    return lines
