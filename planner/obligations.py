"""Frequency engine: routine, follow-up, explicit-task and random-draw obligations of a week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from planner.domain import (
    Business,
    DrawLog,
    DrawMode,
    HistoryRecord,
    Item,
    Obligation,
    Reason,
    Result,
    Risk,
    Scenario,
    Task,
    TaskKind,
)
from planner.draws import draw_due, draw_population, draw_week
from planner.params import PlanParams

WEEK = dt.timedelta(days=7)
REASON_BASE: dict[Reason, int] = {
    Reason.COMPLAINT: 5,
    Reason.FOLLOW_UP: 4,
    Reason.CAMPAIGN: 3,
    Reason.RANDOM_DRAW: 3,
    Reason.ROUTINE: 2,
}
RISK_BONUS: dict[Risk, int] = {Risk.LOW: 0, Risk.MEDIUM: 1, Risk.HIGH: 2}
TASK_REASON: dict[TaskKind, Reason] = {
    TaskKind.COMPLAINT: Reason.COMPLAINT,
    TaskKind.FOLLOW_UP: Reason.FOLLOW_UP,
    TaskKind.CAMPAIGN: Reason.CAMPAIGN,
}
Last = Mapping[tuple[str, str], HistoryRecord]


def compute_priority(
    reason: Reason,
    risk: Risk,
    days_overdue: int,
    *,
    base: int | None = None,
    overdue_cap_days: int = 28,
) -> int:
    """Priority of an obligation: the higher, the more it matters that it is done this week.

    ``10 × base + 2 × risk + min(days overdue, cap) // 7``, where

    - ``base`` is the task's own priority (1–5) for explicit tasks, otherwise by reason:
      complaint 5, follow-up 4, campaign 3, random draw 3, routine 2;
    - ``risk`` is 0 (low), 1 (medium) or 2 (high);
    - each full week overdue adds 1, up to ``overdue_cap_days // 7`` (4 by default).

    With the default cap the last two terms add at most 8 < 10, so a higher base always wins; risk
    and lateness order obligations of equal base. Range 10–58 by default.

    Parameters
    ----------
    reason
        Why the obligation exists.
    risk
        Risk class of the business.
    days_overdue
        Days between the due date and the week's Monday (0 if not overdue).
    base
        Overrides the reason's base (explicit tasks carry their own 1–5 priority).
    overdue_cap_days
        Lateness beyond this adds nothing more.
    """
    base = REASON_BASE[reason] if base is None else base
    late_weeks = min(max(days_overdue, 0), overdue_cap_days) // 7
    return 10 * base + 2 * RISK_BONUS[risk] + late_weeks


def pull_forward_cap(interval_days: int, params: PlanParams) -> int:
    """Days an obligation may be done before its due date: ``min(days, floor(share × interval))``."""
    return min(params.pull_forward_days, int(params.pull_forward_share * interval_days))


def obligation_cap(scenario: Scenario, obligation: Obligation, params: PlanParams) -> int:
    """The pull-forward cap of ``obligation`` (from its item's interval at its business's risk)."""
    risk = scenario.business(obligation.business_id).risk
    return pull_forward_cap(scenario.item(obligation.item_id).interval_for(risk), params)


def is_due(obligation: Obligation, week_start: dt.date) -> bool:
    """Due or overdue in the week of ``week_start`` (due on or before its Sunday)."""
    return obligation.due <= week_start + dt.timedelta(days=6)


def in_horizon(obligation: Obligation, week_start: dt.date, cap_days: int) -> bool:
    """Due after the week but within ``cap_days`` of its Monday, and open from the Monday on.

    Measuring from the Monday bounds the pull-forward whatever day the visit happens.
    """
    return (
        not is_due(obligation, week_start)
        and (obligation.due - week_start).days <= cap_days
        and obligation.earliest <= week_start
    )


def last_inspections(history: Iterable[HistoryRecord]) -> dict[tuple[str, str], HistoryRecord]:
    """The latest record per (business, item)."""
    last: dict[tuple[str, str], HistoryRecord] = {}
    for record in history:
        key = (record.business_id, record.item_id)
        if key not in last or record.date > last[key].date:
            last[key] = record
    return last


def _overdue(due: dt.date, week_start: dt.date) -> int:
    return max(0, (week_start - due).days)


def routine_obligation(
    business: Business,
    item: Item,
    last: HistoryRecord | None,
    week_start: dt.date,
    params: PlanParams,
) -> Obligation:
    """The routine check: due ``interval`` days after the last one; never inspected = due now."""
    if last is None:
        earliest = due = week_start
    else:
        earliest = last.date + dt.timedelta(days=1)
        due = last.date + dt.timedelta(days=item.interval_for(business.risk))
    return _make(business, item, earliest, due, Reason.ROUTINE, week_start, params)


def follow_up_obligation(
    business: Business, item: Item, last: HistoryRecord, week_start: dt.date, params: PlanParams
) -> Obligation:
    """The follow-up of a failed check: due within the item's follow-up days of the failure.

    It takes the place of the routine check: it checks the item in full and restarts its interval.
    """
    earliest = last.date + dt.timedelta(days=1)
    due = last.date + dt.timedelta(days=item.follow_up_days)
    return _make(business, item, earliest, due, Reason.FOLLOW_UP, week_start, params)


def task_obligation(
    scenario: Scenario, task: Task, week_start: dt.date, params: PlanParams
) -> Obligation:
    """An explicit task keeps its deadline and its priority (as the base of ``compute_priority``)."""
    business, item = scenario.business(task.business_id), scenario.item(task.item_id)
    earliest = task.earliest or min(week_start, task.deadline)
    reason = TASK_REASON[task.kind]
    priority = compute_priority(
        reason,
        business.risk,
        _overdue(task.deadline, week_start),
        base=task.priority,
        overdue_cap_days=params.overdue_cap_days,
    )
    return Obligation(
        business.id, item.id, item.department_id, earliest, task.deadline, reason, priority,
        item.unannounced, task.id,
    )  # fmt: skip


def draw_obligations(
    scenario: Scenario, log: DrawLog, last: Last, week_start: dt.date, params: PlanParams
) -> list[Obligation]:
    """A drawn business owes the department's applicable items within the period.

    A draw counts as done when the item was inspected at the business since the period started.
    """
    found = []
    items = [i for i in scenario.items if i.department_id == log.rule.department_id]
    for business_id in log.drawn:
        business = scenario.business(business_id)
        due = draw_due(log, business_id)
        for item in items:
            record = last.get((business_id, item.id))
            if not item.applies_to_any(business.categories) or (
                record and record.date >= log.period_start
            ):
                continue
            found.append(
                _make(business, item, log.period_start, due, Reason.RANDOM_DRAW, week_start, params)
            )
    return found


def _make(
    business: Business,
    item: Item,
    earliest: dt.date,
    due: dt.date,
    reason: Reason,
    week_start: dt.date,
    params: PlanParams,
) -> Obligation:
    priority = compute_priority(
        reason, business.risk, _overdue(due, week_start), overdue_cap_days=params.overdue_cap_days
    )
    return Obligation(
        business.id, item.id, item.department_id, earliest, due, reason, priority, item.unannounced
    )


def replaced_by_draws(scenario: Scenario) -> set[tuple[str, str]]:
    """(department, business) pairs whose routine frequency a ``replace`` draw rule takes over."""
    return {
        (rule.department_id, business_id)
        for rule in scenario.draws
        if rule.mode == DrawMode.REPLACE
        for business_id in draw_population(scenario, rule)
    }


def _relevant(scenario: Scenario, o: Obligation, week_start: dt.date, params: PlanParams) -> bool:
    return is_due(o, week_start) or in_horizon(o, week_start, obligation_cap(scenario, o, params))


def collect_obligations(
    scenario: Scenario,
    week_start: dt.date,
    params: PlanParams,
    *,
    last: Last,
    tasks: Iterable[Task],
    draws: Iterable[DrawLog],
) -> tuple[Obligation, ...]:
    """``derive_obligations`` on an explicit state (latest inspections, open tasks, draws)."""
    replaced = replaced_by_draws(scenario)
    found: list[Obligation] = []
    for business in scenario.businesses:
        for item in scenario.items:
            if not item.applies_to_any(business.categories):
                continue
            record = last.get((business.id, item.id))
            if record is not None and record.result == Result.FAIL:
                found.append(follow_up_obligation(business, item, record, week_start, params))
            elif (item.department_id, business.id) not in replaced:
                found.append(routine_obligation(business, item, record, week_start, params))
    found += [task_obligation(scenario, t, week_start, params) for t in tasks]
    seen: set[tuple[str, str]] = set()
    for log in sorted(draws, key=lambda g: g.period_start):
        for o in draw_obligations(scenario, log, last, week_start, params):
            # A business drawn in two consecutive periods owes the item once, the earlier one.
            if (o.business_id, o.item_id) not in seen:
                seen.add((o.business_id, o.item_id))
                found.append(o)
    return tuple(o for o in found if _relevant(scenario, o, week_start, params))


def derive_obligations(
    scenario: Scenario,
    week_start: dt.date,
    params: PlanParams | None = None,
    *,
    draws: Iterable[DrawLog] | None = None,
) -> tuple[Obligation, ...]:
    """Every obligation relevant to the week of ``week_start``.

    Relevant means due or overdue by the week's Sunday, or due within the pull-forward horizon
    (``PlanParams.pull_forward_days`` from the Monday, at most ``pull_forward_share`` of the item's
    interval) and open from the Monday — a candidate to join a visit that happens anyway.

    Parameters
    ----------
    scenario
        Businesses, items, history (latest record per business and item counts), tasks, draw rules.
    week_start
        Monday of the planning week.
    params
        Planning knobs; defaults when ``None``.
    draws
        Draw logs to use; ``None`` draws them (``planner.draws.draw_week``).

    Returns
    -------
    tuple of Obligation
        Routine checks (or follow-ups after a failure), explicit tasks and random-draw checks.
    """
    params = params or PlanParams()
    if draws is None:
        draws = draw_week(scenario, week_start, params)
    return collect_obligations(
        scenario,
        week_start,
        params,
        last=last_inspections(scenario.history),
        tasks=scenario.tasks,
        draws=draws,
    )
