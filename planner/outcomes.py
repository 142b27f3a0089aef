"""Recorded outcomes → next week's scenario: history for what was done, returned items for what was not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from planner.domain import (
    HistoryRecord,
    Obligation,
    Outcome,
    OutcomeStatus,
    Reason,
    Scenario,
    Task,
    TaskKind,
)
from planner.obligations import REASON_BASE

MAX_TASK_PRIORITY = 5


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """An outcome with the obligations it discharges and the officers who were there."""

    outcome: Outcome
    obligations: tuple[Obligation, ...]
    officer_ids: tuple[str, ...] = ()


def _raised(priority: int) -> int:
    return min(MAX_TASK_PRIORITY, priority + 1)


def return_task_id(business_id: str, item_id: str) -> str:
    """Id of the task that returns an item to the pool after a visit that did not happen."""
    return f"return-{business_id}-{item_id}"


def apply_outcomes(
    scenario: Scenario, recorded: Iterable[RecordedOutcome], *, label: str
) -> Scenario:
    """The scenario of the next week: ``scenario`` with a week's recorded outcomes applied.

    Rules, one per outcome status:

    - **done** (pass, findings or fail): a ``HistoryRecord`` at the outcome's date (the latest date
      wins, so the item's interval restarts from it); the tasks the visit discharged (complaints,
      follow-ups, campaigns, returned items) are closed. A **fail** needs nothing more: the
      frequency engine turns a failed last inspection into a follow-up obligation due within the
      item's ``follow_up_days`` (``planner.obligations.follow_up_obligation``).
    - **not open / refused / postponed**: the item goes back to the pool with a raised priority.
      A task behind it keeps its id and gets priority + 1 (at most 5); an item without a task
      (routine, random draw, follow-up of a failure) gets a *return task*
      (``return-<business>-<item>``, kind follow_up) one priority step above its reason's base,
      due when the original obligation was due. Its history is untouched, so it stays due.

    Parameters
    ----------
    scenario
        The scenario the week was planned from.
    recorded
        The week's outcomes with the obligations of their visit's item.
    label
        Where the outcomes come from (e.g. ``"plan 3"``), written into returned tasks' notes.

    Returns
    -------
    Scenario
        A new scenario; ``scenario`` itself is unchanged.
    """
    history = {(h.business_id, h.item_id, h.date): h for h in scenario.history}
    tasks = {t.id: t for t in scenario.tasks}
    order = [t.id for t in scenario.tasks]
    closed: set[str] = set()
    for rec in sorted(recorded, key=lambda r: r.outcome.date):
        o = rec.outcome
        task_ids = [ob.task_id for ob in rec.obligations if ob.task_id]
        if o.status == OutcomeStatus.DONE:
            assert o.result is not None
            key = (o.business_id, o.item_id, o.date)
            history[key] = HistoryRecord(*key, o.result, tuple(rec.officer_ids))
            closed.update(task_ids)
            continue
        note = f"returned: {o.status.value.replace('_', ' ')} on {o.date} ({label})"
        known = [t for t in task_ids if t in tasks]
        if known:
            for task_id in known:
                task = tasks[task_id]
                tasks[task_id] = replace(
                    task, priority=_raised(task.priority), note=_join(task.note, note)
                )
            continue
        ob = min(rec.obligations, key=lambda x: x.due) if rec.obligations else None
        task_id = return_task_id(o.business_id, o.item_id)
        if task_id in tasks:
            task = tasks[task_id]
            tasks[task_id] = replace(
                task, priority=_raised(task.priority), note=_join(task.note, note)
            )
        else:
            base = REASON_BASE[ob.reason] if ob else REASON_BASE[Reason.ROUTINE]
            deadline = ob.due if ob else o.date
            tasks[task_id] = Task(
                task_id, o.business_id, o.item_id, TaskKind.FOLLOW_UP, None, deadline,
                _raised(base), note,
            )  # fmt: skip
            order.append(task_id)
    kept = tuple(tasks[t] for t in order if t not in closed)
    return replace(scenario, history=tuple(history.values()), tasks=kept)


def _join(note: str, more: str) -> str:
    return f"{note}; {more}" if note else more


__all__ = ["MAX_TASK_PRIORITY", "RecordedOutcome", "apply_outcomes", "return_task_id"]
