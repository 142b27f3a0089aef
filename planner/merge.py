"""Obligations → one candidate visit per business (pull-forward within policy); the duration model;
the siloed baseline built by the same code; a rolling-weeks simulation of the yearly effect."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from planner.domain import (
    DeferKind,
    Deferred,
    DrawLog,
    HistoryRecord,
    Item,
    Obligation,
    Reason,
    Result,
    Scenario,
    Visit,
    WeekDemand,
)
from planner.draws import draw_week
from planner.obligations import (
    collect_obligations,
    derive_obligations,
    is_due,
    last_inspections,
    obligation_cap,
)
from planner.params import PlanParams

GroupKey = Callable[[Obligation], tuple[str, ...]]


def by_business(obligation: Obligation) -> tuple[str, ...]:
    """Joint inspection: every department's items at a business share one visit."""
    return (obligation.business_id,)


def by_business_department(obligation: Obligation) -> tuple[str, ...]:
    """Siloed baseline: each department merges only its own items at a business."""
    return (obligation.business_id, obligation.department_id)


def visit_seconds(items: Iterable[Item], setup_minutes: int, params: PlanParams) -> int:
    """On-site duration of a visit: one setup plus the items, with a same-department saving.

    ``60 × (setup_minutes + Σ_departments (longest item + (1 − s) × Σ other items))`` seconds,
    rounded, where s = ``params.same_department_saving``. Setup (arrival, introductions, signing
    the record) happens once per visit; several items of one department share its documents,
    licence check and walk-through, so every item after the department's longest one costs
    ``1 − s`` of its minutes. Items of different departments are added in full. An item listed
    twice (e.g. a routine check and a complaint on it) is checked once.

    Parameters
    ----------
    items
        Items checked at the visit.
    setup_minutes
        ``Settings.setup_minutes`` of the township.
    params
        ``same_department_saving``.

    Returns
    -------
    int
        Seconds: what routing uses as the visit's service time.
    """
    minutes: dict[str, list[int]] = defaultdict(list)
    for item in {i.id: i for i in items}.values():
        minutes[item.department_id].append(item.minutes)
    total = float(setup_minutes)
    for values in minutes.values():
        longest, *others = sorted(values, reverse=True)
        total += longest + (1 - params.same_department_saving) * sum(others)
    return round(60 * total)


@dataclass(frozen=True, slots=True)
class VisitItem:
    """One item checked at a visit, with every obligation it discharges there (a routine check
    and a complaint on the same item are one check with two reasons)."""

    item_id: str
    department_id: str
    obligations: tuple[Obligation, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The reasons the item is checked, each once, in the obligations' order."""
        return tuple(dict.fromkeys(o.reason for o in self.obligations))

    @property
    def label(self) -> str:
        """``item_id``, with its reasons in brackets unless the only one is routine:
        ``noise (complaint, routine)``."""
        reasons = [r.value for r in self.reasons]
        return self.item_id if reasons == ["routine"] else f"{self.item_id} ({', '.join(reasons)})"


_REASON_ORDER = (
    Reason.COMPLAINT,
    Reason.FOLLOW_UP,
    Reason.CAMPAIGN,
    Reason.RANDOM_DRAW,
    Reason.ROUTINE,
)


def visit_items(obligations: Iterable[Obligation]) -> tuple[VisitItem, ...]:
    """The items of a visit, each once, in order of first appearance, with their obligations
    (complaints and follow-ups before routine ones). What lists of a visit's items show."""
    grouped: dict[str, list[Obligation]] = defaultdict(list)
    for o in obligations:
        grouped[o.item_id].append(o)
    rank = {r: n for n, r in enumerate(_REASON_ORDER)}
    return tuple(
        VisitItem(
            item_id,
            members[0].department_id,
            tuple(sorted(members, key=lambda o: rank[o.reason])),
        )
        for item_id, members in grouped.items()
    )


def department_parts(
    visit: Visit, scenario: Scenario, params: PlanParams | None = None
) -> tuple[Visit, ...]:
    """Each department's part of a visit of several departments (empty for one department).

    A part is a visit to the same business with only that department's obligations, lasting what
    ``visit_seconds`` gives its items (one setup of its own), so it needs only that department's
    certifications. Routing may make one part instead of the whole visit (``SolveParams.
    part_visits``): the business is still entered once, the other items wait.
    """
    if len(visit.department_ids) < 2:
        return ()
    params = params or PlanParams()
    setup = scenario.settings.setup_minutes
    parts = []
    for department in visit.department_ids:
        mine = tuple(o for o in visit.obligations if o.department_id == department)
        seconds = visit_seconds((scenario.item(o.item_id) for o in mine), setup, params)
        parts.append(Visit(visit.business_id, mine, seconds))
    return tuple(parts)


def with_parts(
    visits: Sequence[Visit],
    scenario: Scenario,
    params: PlanParams | None = None,
    *,
    only: Collection[str] | None = None,
) -> tuple[tuple[Visit, ...], tuple[int, ...]]:
    """``visits`` followed by every department part of each (``department_parts``; with ``only``,
    of the visits of those businesses), and per visit the index of the whole visit it belongs to
    (its alternative group: at most one is planned)."""
    out = list(visits)
    group = list(range(len(visits)))
    for i, visit in enumerate(visits):
        if only is not None and visit.business_id not in only:
            continue
        for part in department_parts(visit, scenario, params):
            out.append(part)
            group.append(i)
    return tuple(out), tuple(group)


def announced(visit: Visit) -> tuple[Obligation, ...]:
    """What a notice to the business may show: the visit's items that are not unannounced."""
    return tuple(o for o in visit.obligations if not o.unannounced)


def pulled_forward(demand: WeekDemand) -> tuple[Obligation, ...]:
    """Obligations in the week's visits that are due after the week (brought forward)."""
    return tuple(
        o for v in demand.visits for o in v.obligations if not is_due(o, demand.week_start)
    )


def _order(o: Obligation) -> tuple[str, str, str, str, str, dt.date]:
    return (o.business_id, o.department_id, o.item_id, o.reason.value, o.task_id, o.due)


def _classify(
    scenario: Scenario, o: Obligation, week_start: dt.date, params: PlanParams
) -> Deferred | bool:
    """``True`` = must go to the field, ``False`` = may join a visit, else why it is deferred."""
    desk = params.desk_review and scenario.item(o.item_id).desk_review
    if is_due(o, week_start):
        if desk:
            return Deferred(
                o, "desk review: sent to the desk queue instead of a visit", DeferKind.DESK
            )
        return True
    cap = obligation_cap(scenario, o, params)
    if (o.due - week_start).days > cap:
        return Deferred(
            o,
            f"due {o.due}: after this week and beyond the pull-forward horizon "
            f"({cap} days from {week_start})",
            DeferKind.NOT_DUE,
        )
    if o.earliest > week_start:
        return Deferred(o, f"due {o.due}: may not be done before {o.earliest}", DeferKind.NOT_OPEN)
    if desk:
        return Deferred(
            o, f"due {o.due}: desk-review item, goes to the desk queue when due", DeferKind.NOT_DUE
        )
    return False


def _no_visit(scenario: Scenario, o: Obligation, siloed: bool) -> Deferred:
    business = scenario.business(o.business_id).name
    whose = f"{scenario.department(o.department_id).name} visit" if siloed else "visit"
    return Deferred(
        o,
        f"due {o.due}: no {whose} to {business} this week to join "
        "(pull-forward never creates a visit)",
        DeferKind.NO_VISIT,
    )


def _merge(
    scenario: Scenario,
    obligations: Iterable[Obligation],
    week_start: dt.date,
    params: PlanParams,
    draws: Iterable[DrawLog],
    key: GroupKey,
) -> WeekDemand:
    groups: dict[tuple[str, ...], list[Obligation]] = defaultdict(list)
    candidates: list[Obligation] = []
    deferred: list[Deferred] = []
    for o in sorted(obligations, key=_order):
        verdict = _classify(scenario, o, week_start, params)
        if verdict is True:
            groups[key(o)].append(o)
        elif verdict is False:
            candidates.append(o)
        else:
            deferred.append(verdict)
    for o in candidates:
        if key(o) in groups:  # only a visit that happens anyway takes a pulled-forward item
            groups[key(o)].append(o)
        else:
            deferred.append(_no_visit(scenario, o, key is by_business_department))
    setup = scenario.settings.setup_minutes
    visits = tuple(
        Visit(
            group_key[0],
            tuple(sorted(members, key=_order)),
            visit_seconds((scenario.item(o.item_id) for o in members), setup, params),
        )
        for group_key, members in sorted(groups.items())
    )
    return WeekDemand(
        week_start,
        visits,
        tuple(sorted(deferred, key=lambda d: _order(d.obligation))),
        tuple(draws),
    )


def merge_obligations(
    scenario: Scenario,
    obligations: Iterable[Obligation],
    week_start: dt.date,
    params: PlanParams | None = None,
    *,
    draws: Iterable[DrawLog] = (),
) -> WeekDemand:
    """Merge the week's obligations into one candidate visit per business.

    Rules, in order:

    1. due or overdue by the week's Sunday → the business's visit (desk-review items go to the
       desk queue instead when ``params.desk_review``);
    2. due later but within the pull-forward cap (``pull_forward_cap``, measured from the Monday)
       and open from the Monday → joins the business's visit *if it has one*, else deferred;
    3. anything else → deferred with its reason.

    Unannounced items ride along with ``Obligation.unannounced`` kept (see ``announced``).

    Parameters
    ----------
    scenario
        Items (minutes, desk review, intervals), businesses (risk) and the setup minutes.
    obligations
        Typically ``derive_obligations(scenario, week_start, params)``.
    week_start
        Monday of the planning week.
    params
        Planning knobs; defaults when ``None``.
    draws
        Draw logs behind the obligations, carried into the result for audit.

    Returns
    -------
    WeekDemand
        Every obligation given is in exactly one visit or in ``deferred``.
    """
    return _merge(scenario, obligations, week_start, params or PlanParams(), draws, by_business)


def merge_siloed(
    scenario: Scenario,
    obligations: Iterable[Obligation],
    week_start: dt.date,
    params: PlanParams | None = None,
    *,
    draws: Iterable[DrawLog] = (),
) -> WeekDemand:
    """The siloed baseline: as ``merge_obligations``, but one visit per business and department."""
    params = params or PlanParams()
    return _merge(scenario, obligations, week_start, params, draws, by_business_department)


def build_week_demand(
    scenario: Scenario,
    week_start: dt.date,
    params: PlanParams | None = None,
    *,
    siloed: bool = False,
) -> WeekDemand:
    """Draw, derive and merge the week of ``week_start`` (joint, or the siloed baseline)."""
    params = params or PlanParams()
    logs = draw_week(scenario, week_start, params)
    obligations = derive_obligations(scenario, week_start, params, draws=logs)
    merge = merge_siloed if siloed else merge_obligations
    return merge(scenario, obligations, week_start, params, draws=logs)


@dataclass(frozen=True, slots=True)
class WeekCount:
    """What one simulated week planned."""

    week_start: dt.date
    visits: int
    service_seconds: int
    obligations: int
    pulled_forward: int
    desk: int
    deferred: int


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Rolling weeks of obligations → merge, joint and siloed, each with its own history."""

    start: dt.date
    weeks: int
    businesses: int
    pull_forward: bool
    joint: tuple[WeekCount, ...]
    siloed: tuple[WeekCount, ...]
    joint_by_business: tuple[tuple[str, int], ...]
    siloed_by_business: tuple[tuple[str, int], ...]

    def visits_per_business_year(self, *, siloed: bool = False) -> float:
        """Visits per business, scaled to 52 weeks."""
        counts = self.siloed if siloed else self.joint
        return sum(c.visits for c in counts) / max(self.businesses, 1) * 52 / max(self.weeks, 1)

    def summary(self) -> dict[str, float]:
        """Headline numbers (totals over the simulated weeks unless named per year)."""
        joint, siloed = self.joint, self.siloed
        jv, sv = sum(c.visits for c in joint), sum(c.visits for c in siloed)
        return {
            "weeks": self.weeks,
            "businesses": self.businesses,
            "joint_visits": jv,
            "siloed_visits": sv,
            "visits_avoided_share": round(1 - jv / sv, 4) if sv else 0.0,
            "joint_visits_per_business_year": round(self.visits_per_business_year(), 3),
            "siloed_visits_per_business_year": round(self.visits_per_business_year(siloed=True), 3),
            "joint_onsite_hours": round(sum(c.service_seconds for c in joint) / 3600, 1),
            "siloed_onsite_hours": round(sum(c.service_seconds for c in siloed) / 3600, 1),
            "joint_first_week_visits": joint[0].visits if joint else 0,
            "siloed_first_week_visits": siloed[0].visits if siloed else 0,
            "joint_pulled_forward": sum(c.pulled_forward for c in joint),
            "siloed_pulled_forward": sum(c.pulled_forward for c in siloed),
        }


def visit_day(visit: Visit, week_start: dt.date) -> dt.date:
    """The day a simulation assumes a visit happens: its earliest due day, kept to Mon–Fri of the
    week (overdue → Monday), and not before any of its obligations may be done."""
    friday = week_start + dt.timedelta(days=4)
    due = [o.due for o in visit.obligations if is_due(o, week_start)] or [week_start]
    day = min(max(min(due), week_start), friday)
    return min(max([day, *(o.earliest for o in visit.obligations)]), week_start + dt.timedelta(6))


def _run(
    scenario: Scenario, weeks: int, params: PlanParams, start: dt.date, siloed: bool
) -> tuple[tuple[WeekCount, ...], Counter[str]]:
    last = last_inspections(scenario.history)
    open_tasks = list(scenario.tasks)
    merge = merge_siloed if siloed else merge_obligations
    counts: list[WeekCount] = []
    per_business: Counter[str] = Counter()
    for week in range(weeks):
        week_start = start + dt.timedelta(weeks=week)
        logs = draw_week(scenario, week_start, params)
        obligations = collect_obligations(
            scenario, week_start, params, last=last, tasks=open_tasks, draws=logs
        )
        demand = merge(scenario, obligations, week_start, params, draws=logs)
        done: set[str] = set()
        for visit in demand.visits:
            per_business[visit.business_id] += 1
            day = visit_day(visit, week_start)
            for o in visit.obligations:
                last[(o.business_id, o.item_id)] = HistoryRecord(
                    o.business_id, o.item_id, day, Result.PASS
                )
                done.add(o.task_id)
        for o in demand.desk_queue:
            day = min(max(o.due, week_start), week_start + dt.timedelta(days=4))
            last[(o.business_id, o.item_id)] = HistoryRecord(
                o.business_id, o.item_id, day, Result.PASS
            )
            done.add(o.task_id)
        open_tasks = [t for t in open_tasks if t.id not in done]
        counts.append(
            WeekCount(
                week_start,
                len(demand.visits),
                demand.service_seconds,
                sum(len(v.obligations) for v in demand.visits),
                len(pulled_forward(demand)),
                len(demand.desk_queue),
                len(demand.deferred) - len(demand.desk_queue),
            )
        )
    return tuple(counts), per_business


def simulate(
    scenario: Scenario,
    weeks: int = 52,
    params: PlanParams | None = None,
    *,
    start: dt.date | None = None,
    pull_forward: bool = True,
) -> SimulationResult:
    """Plan ``weeks`` weeks in a row, assuming every planned visit happens and every check passes.

    Joint and siloed runs each keep their own history: a check done in a visit restarts its
    interval from the visit's day (``visit_day``); tasks done are closed; desk reviews count as
    done. Draws follow the scenario's rules period after period.

    Parameters
    ----------
    scenario
        The starting state (history, tasks, draw rules).
    weeks
        Number of weeks; 52 for a year.
    params
        Planning knobs; defaults when ``None``.
    start
        Monday of the first week; ``scenario.settings.week_start`` when ``None``.
    pull_forward
        ``False`` sets the pull-forward horizon to 0 days (to measure what it contributes).

    Returns
    -------
    SimulationResult
        Per-week counts and per-business visit counts, joint and siloed.
    """
    params = params or PlanParams()
    if not pull_forward:
        params = replace(params, pull_forward_days=0)
    start = start or scenario.settings.week_start
    joint, joint_counts = _run(scenario, weeks, params, start, siloed=False)
    siloed, siloed_counts = _run(scenario, weeks, params, start, siloed=True)
    ids = [b.id for b in scenario.businesses]
    return SimulationResult(
        start,
        weeks,
        len(ids),
        pull_forward,
        joint,
        siloed,
        tuple((b, joint_counts[b]) for b in ids),
        tuple((b, siloed_counts[b]) for b in ids),
    )
