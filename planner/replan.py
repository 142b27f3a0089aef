"""Re-planning a published week: the changes (absence, closure, urgent task), the re-solve, the diff.

Plain functions of their inputs: ``apply_changes`` gives the scenario a re-plan solves,
``resolve_rest_of_week`` re-solves the days from a given day on (the days before kept),
``diff_plans`` says what moved, was added, dropped or changed and why. ``planner.store.replan_week``
runs them against a stored plan and stores the result in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from planner.domain import (
    DAY,
    WEEKDAY_NAMES,
    Obligation,
    OpeningHours,
    Plan,
    Scenario,
    Stop,
    Task,
    TaskKind,
    Team,
    TimeSpan,
    Visit,
)
from planner.params import PlanParams, SolveParams

RETIME_TOLERANCE = 30 * 60  # a visit kept on its team-day but shifted by more than this has moved


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True, slots=True)
class OfficerAbsent:
    """An officer cannot work from ``first_day`` to ``last_day`` (inclusive; ``None`` = week end)."""

    officer_id: str
    first_day: dt.date
    last_day: dt.date | None = None
    why: str = "off sick"


@dataclass(frozen=True, slots=True)
class BusinessClosed:
    """A business is closed from ``first_day`` to ``last_day`` (inclusive; ``None`` = week end)."""

    business_id: str
    first_day: dt.date
    last_day: dt.date | None = None
    why: str = "closed"


@dataclass(frozen=True, slots=True)
class UrgentTask:
    """A task that arrived mid-week (typically a complaint) and must be planned now."""

    task: Task


Change = OfficerAbsent | BusinessClosed | UrgentTask


def change_to_dict(change: Change) -> dict[str, object]:
    """A change as JSON-ready data (a drafted re-plan keeps its changes until re-published)."""
    if isinstance(change, UrgentTask):
        t = change.task
        return {
            "kind": "urgent",
            "task": {
                "id": t.id, "business_id": t.business_id, "item_id": t.item_id,
                "kind": t.kind.value, "earliest": t.earliest.isoformat() if t.earliest else None,
                "deadline": t.deadline.isoformat(), "priority": t.priority, "note": t.note,
            },
        }  # fmt: skip
    who = change.officer_id if isinstance(change, OfficerAbsent) else change.business_id
    return {
        "kind": "absent" if isinstance(change, OfficerAbsent) else "closed",
        "id": who,
        "first_day": change.first_day.isoformat(),
        "last_day": change.last_day.isoformat() if change.last_day else None,
        "why": change.why,
    }


def change_from_dict(data: Mapping[str, Any]) -> Change:
    """The inverse of ``change_to_dict``."""

    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    if data["kind"] == "urgent":
        t = data["task"]
        return UrgentTask(
            Task(
                t["id"],
                t["business_id"],
                t["item_id"],
                TaskKind(t["kind"]),
                day(t["earliest"]),
                dt.date.fromisoformat(t["deadline"]),
                int(t["priority"]),
                t["note"],
            )  # fmt: skip
        )
    first = dt.date.fromisoformat(data["first_day"])
    if data["kind"] == "absent":
        return OfficerAbsent(data["id"], first, day(data["last_day"]), data["why"])
    return BusinessClosed(data["id"], first, day(data["last_day"]), data["why"])


# ---------------------------------------------------------------- what a re-plan did


@dataclass(frozen=True, slots=True)
class Slot:
    """Where and when a visit is: team, day, start and end (seconds of the day)."""

    team_id: str
    day: dt.date
    start: int
    end: int

    def __str__(self) -> str:
        return f"{WEEKDAY_NAMES[self.day.weekday()]} {self.day} {_hhmm(self.start)} team {self.team_id}"


@dataclass(frozen=True, slots=True)
class VisitChange:
    """One visit that a re-plan moved, added or dropped, and why."""

    business_id: str
    item_ids: tuple[str, ...]
    before: Slot | None
    after: Slot | None
    reason: str
    announced: bool = False


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What changed between two plans of a week, visit by visit (a visit = one business)."""

    moved: tuple[VisitChange, ...]
    added: tuple[VisitChange, ...]
    dropped: tuple[VisitChange, ...]
    unchanged: int
    changed: tuple[VisitChange, ...] = ()  # same place and time, items added or taken out

    @property
    def renotify(self) -> tuple[str, ...]:
        """Businesses a re-publish sends a notice: announced visits moved, dropped or changed,
        and visits added."""
        told = [c for c in (*self.moved, *self.dropped, *self.changed) if c.announced]
        return tuple(sorted({c.business_id for c in (*told, *self.added)}))

    @property
    def empty(self) -> bool:
        """Whether nothing moved, was added, dropped or changed."""
        return not (self.moved or self.added or self.dropped or self.changed)

    def lines(self) -> list[str]:
        """The diff as lines a planner reads."""
        out = []
        for c in self.moved:
            told = " (business was notified)" if c.announced else ""
            out.append(f"moved   {c.business_id}: {c.before} → {c.after}{told} — {c.reason}")
        for c in self.added:
            out.append(f"added   {c.business_id}: {c.after} — {c.reason}")
        for c in self.dropped:
            told = " (business was notified)" if c.announced else ""
            out.append(f"dropped {c.business_id}: was {c.before}{told} — {c.reason}")
        for c in self.changed:
            out.append(f"changed {c.business_id}: {c.after} — {c.reason}")
        out.append(
            f"{len(self.moved)} moved, {len(self.added)} added, {len(self.dropped)} dropped, "
            f"{len(self.changed)} changed, {self.unchanged} unchanged"
        )
        return out


# ---------------------------------------------------------------- the re-plan


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def apply_changes(scenario: Scenario, changes: Iterable[Change], week_start: dt.date) -> Scenario:
    """The scenario a re-plan solves: absences and closures for the week, urgent tasks added.

    An absent officer stops working on the weekdays of the absence; a closed business has no
    opening hours on the weekdays of the closure. Both only hold for this week's solve (they are
    not stored); urgent tasks are added to the scenario (and stored with the re-plan).
    """
    sunday = week_start + dt.timedelta(days=6)
    absent: dict[str, set[int]] = defaultdict(set)
    closed: dict[str, set[int]] = defaultdict(set)
    tasks = list(scenario.tasks)
    for change in changes:
        if isinstance(change, UrgentTask):
            tasks = [t for t in tasks if t.id != change.task.id] + [change.task]
            continue
        last = min(change.last_day or sunday, sunday)
        days = {
            (change.first_day + dt.timedelta(days=n)).weekday()
            for n in range((last - change.first_day).days + 1)
        }
        if isinstance(change, OfficerAbsent):
            absent[change.officer_id] |= days
        else:
            closed[change.business_id] |= days
    inspectors = tuple(
        replace(p, working_days=tuple(d for d in p.working_days if d not in absent[p.id]))
        if p.id in absent
        else p
        for p in scenario.inspectors
    )
    businesses = tuple(
        b.with_visit_hours(_close_days(b.visit_hours, closed[b.id])) if b.id in closed else b
        for b in scenario.businesses
    )
    return replace(scenario, inspectors=inspectors, businesses=businesses, tasks=tuple(tasks))


def _close_days(hours: OpeningHours, weekdays: set[int]) -> OpeningHours:
    # Drop the closed days' spans; yesterday's overnight tail into a closed day is cut at midnight.
    spans = []
    for span in hours.spans:
        if span.weekday in weekdays:
            continue
        if span.end > DAY and (span.weekday + 1) % 7 in weekdays:
            span = replace(span, end=DAY)
        spans.append(span)
    names = ",".join(WEEKDAY_NAMES[d] for d in sorted(weekdays))
    return OpeningHours(f"{hours.text} (closed {names} this week)", tuple(spans))


def hold_slot(
    hours: OpeningHours, day: dt.date, start: int, end: int, tolerance: int
) -> OpeningHours:
    """Opening hours narrowed on ``day`` to ``start - tolerance … end + tolerance``.

    A re-plan uses it to keep an announced visit at the time the business was told (within the
    tolerance), inside the opening window that held it. Other days are unchanged.
    """
    weekday = day.weekday()
    window = next((w for w in hours.windows_on(weekday) if w[0] <= start < w[1]), None)
    if window is None:
        return hours
    lo, hi = max(window[0], start - tolerance), min(window[1], end + tolerance)
    spans = [s for s in hours.spans if s.weekday != weekday]
    spans = [
        replace(s, end=DAY) if s.end > DAY and (s.weekday + 1) % 7 == weekday else s for s in spans
    ]
    spans.append(TimeSpan(weekday, lo, max(hi, lo + 1)))
    note = f"{WEEKDAY_NAMES[weekday]} held at {_hhmm(lo)}-{_hhmm(hi)}"
    return OpeningHours(
        f"{hours.text} ({note})", tuple(sorted(spans, key=lambda s: (s.weekday, s.start)))
    )


def _obligation_key(business_id: str, o: Obligation) -> tuple[str, str, str, str]:
    return (business_id, o.item_id, o.task_id, o.reason.value)


def _open_on(scenario: Scenario, business_id: str, day: dt.date) -> bool:
    return bool(scenario.business(business_id).visit_hours.windows_on(day.weekday()))


def kept_teams(scenario: Scenario, old: Plan, from_day: dt.date) -> dict[dt.date, tuple[Team, ...]]:
    """The teams of a re-plan: each day from ``from_day`` keeps the old plan's team-days whose
    officers all still work that day (same id, same officers); the officers left over (a broken
    team's, or idle ones) are paired anew (``crew.paired_teams_on``). Days before: no team.

    Keeping the teams is what lets announced visits stay where they are: forming the week's
    teams again (or pairing everyone afresh) renames and regroups them, and every visit moves.
    """
    from planner.crew import paired_teams_on, teams_for_week, works_on

    officers = {o.id: o for o in scenario.inspectors}
    teams: dict[dt.date, tuple[Team, ...]] = {}
    for day, fresh in teams_for_week(scenario, old.week_start).items():
        if day < from_day:
            teams[day] = ()
            continue
        old_routes = [r for r in old.routes if r.day == day]
        if not old_routes:
            teams[day] = fresh
            continue
        kept = [
            Team(r.team_id, r.officer_ids, (day.weekday(),))
            for r in old_routes
            if all(o in officers and works_on(officers[o], day) for o in r.officer_ids)
        ]
        busy = {o for t in kept for o in t.officer_ids}
        spare = tuple(o for o in scenario.inspectors if o.id not in busy)
        taken = {t.id for t in kept}
        others = [
            t
            for t in paired_teams_on(replace(scenario, inspectors=spare), day)
            if t.id not in taken
        ]
        teams[day] = (*kept, *others)
    return teams


def resolve_rest_of_week(
    scenario: Scenario,
    old: Plan,
    *,
    from_day: dt.date,
    keep: Iterable[str] = (),
    fixed: Iterable[str] = (),
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    tolerance: int = RETIME_TOLERANCE,
) -> Plan:
    """Re-solve the days from ``from_day`` on; the days before stay exactly as in ``old``.

    The week's visits are derived again from ``scenario`` (absences, closures and urgent tasks
    already applied, see ``apply_changes``); what the kept days' visits discharge is taken out.
    The teams are the old plan's where their officers still work (``kept_teams``). A visit of
    ``keep`` (announced) or ``fixed`` (started) on a re-solved day stays on its team-day when
    that team still works then and the business is open, held to its announced time there
    (± ``tolerance``, via ``hold_slot``; longer by what an urgent item adds). First every such
    visit is pinned there; an announced one the solve could not keep is then offered to every
    team-day at a finite cost per move (``solve.add_preferred_team_days``), so it is moved
    rather than dropped. A started visit is never moved.

    Parameters
    ----------
    scenario
        The scenario of the re-plan.
    old
        The plan as it stands.
    from_day
        First day to re-solve.
    keep
        Business ids whose visits should stay where they are (announced): moved only when
        they cannot stay.
    fixed
        Business ids whose visits must stay on their team-day (started): never moved.
    params, solve_params
        Planning and routing knobs.

    Returns
    -------
    Plan
        The kept days' routes followed by the re-solved days', the re-solve's unscheduled and
        metrics.
    """
    from planner.merge import build_week_demand, visit_seconds
    from planner.pipeline import plan_visits

    params = params or PlanParams()
    week = old.week_start
    kept_routes = tuple(r for r in old.routes if r.day < from_day)
    done = {
        _obligation_key(s.visit.business_id, o)
        for r in kept_routes
        for s in r.stops
        for o in s.visit.obligations
    }
    demand = build_week_demand(scenario, week, params)
    setup = scenario.settings.setup_minutes
    visits = []
    for visit in demand.visits:
        rest = tuple(
            o for o in visit.obligations if _obligation_key(visit.business_id, o) not in done
        )
        if len(rest) == len(visit.obligations):
            visits.append(visit)
        elif rest:
            seconds = visit_seconds((scenario.item(o.item_id) for o in rest), setup, params)
            visits.append(Visit(visit.business_id, rest, seconds))
    teams = kept_teams(scenario, old, from_day)
    working = {(t.id, day) for day, ts in teams.items() for t in ts}
    service = {v.business_id: v.service_seconds for v in visits}
    wanted, must = set(keep), set(fixed)
    offered = {v.business_id for v in visits}
    slots = {
        s.visit.business_id: (r.team_id, r.day)
        for r in old.routes
        if r.day >= from_day
        for s in r.stops
        if s.visit.business_id in (wanted | must) & offered
        and (r.team_id, r.day) in working
        and _open_on(scenario, s.visit.business_id, r.day)
    }
    held = {}
    for r in old.routes:
        for s in r.stops:
            business_id = s.visit.business_id
            if slots.get(business_id) == (r.team_id, r.day):
                longer = service.get(business_id, s.visit.service_seconds) - s.visit.service_seconds
                business = scenario.business(business_id)
                hours = hold_slot(
                    business.visit_hours, r.day, s.start, s.end + max(longer, 0), tolerance
                )
                held[business_id] = business.with_visit_hours(hours)
    if held:
        businesses = tuple(held.get(b.id, b) for b in scenario.businesses)
        scenario = replace(scenario, businesses=businesses)
    rest_plan, *_ = plan_visits(
        scenario, visits, teams, week, solve_params,
        deferred=demand.deferred, pins=slots, plan_params=params,
    )  # fmt: skip
    # Kept where they were first (pinned: a search with little time keeps pins, while it loses
    # soft preferences); announced visits that could not stay are then offered anywhere at a
    # finite cost per move (solve.add_preferred_team_days) instead of being dropped.
    lost = {u.obligation.business_id for u in rest_plan.unscheduled} & (set(slots) - must)
    if lost:
        pins = {b: slot for b, slot in slots.items() if b not in lost}
        prefer = {b: slot for b, slot in slots.items() if b in lost}
        rest_plan, *_ = plan_visits(
            scenario, visits, teams, week, solve_params,
            deferred=demand.deferred, pins=pins, plan_params=params, prefer=prefer,
        )  # fmt: skip
    routes = tuple(sorted(kept_routes + rest_plan.routes, key=lambda r: (r.day, r.team_id)))
    return Plan(week, routes, rest_plan.unscheduled, rest_plan.metrics)


# ---------------------------------------------------------------- the diff


@dataclass(frozen=True, slots=True)
class Placed:
    """A visit where a plan put it (the diff and the store's re-plan work on these)."""

    team_id: str
    day: dt.date
    seq: int
    stop: Stop
    officer_ids: tuple[str, ...]
    ref: int = 0  # the stored visit id, when there is one

    @property
    def business_id(self) -> str:
        return self.stop.visit.business_id

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(sorted({o.item_id for o in self.stop.visit.obligations}))

    @property
    def slot(self) -> Slot:
        return Slot(self.team_id, self.day, self.stop.start, self.stop.end)


def placed_visits(plan: Plan) -> list[Placed]:
    """Every visit of ``plan`` where it was put (team, day, order)."""
    return [
        Placed(r.team_id, r.day, n, s, r.officer_ids)
        for r in plan.routes
        for n, s in enumerate(r.stops)
    ]


def pair_visits(
    old: Sequence[Placed], new: Sequence[Placed]
) -> tuple[list[tuple[Placed, Placed]], list[Placed], list[Placed]]:
    """Pair old and new visits of the same business (most items in common first)."""
    by_business: dict[str, list[Placed]] = defaultdict(list)
    for p in new:
        by_business[p.business_id].append(p)
    pairs, dropped = [], []
    for p in old:
        candidates = by_business.get(p.business_id, [])
        if not candidates:
            dropped.append(p)
            continue
        best = max(
            candidates,
            key=lambda q: (len(set(q.item_ids) & set(p.item_ids)), q.day == p.day, -q.seq),
        )
        candidates.remove(best)
        pairs.append((p, best))
    added = [q for qs in by_business.values() for q in qs]
    return pairs, dropped, added


def has_moved(before: Placed, after: Placed, tolerance: int) -> bool:
    """Whether a visit changed team or day, or its start shifted by more than ``tolerance``."""
    return (
        before.team_id != after.team_id
        or before.day != after.day
        or abs(before.stop.start - after.stop.start) > tolerance
    )


def _span(first: dt.date, last: dt.date | None) -> str:
    start = f"{WEEKDAY_NAMES[first.weekday()]} {first}"
    return f"from {start}" if last is None else f"{start}–{WEEKDAY_NAMES[last.weekday()]} {last}"


def _covers(first: dt.date, last: dt.date | None, day: dt.date) -> bool:
    return first <= day and (last is None or day <= last)


def _why_moved(before: Placed, after: Placed, changes: Sequence[Change]) -> str:
    for c in changes:
        if (
            isinstance(c, OfficerAbsent)
            and c.officer_id in before.officer_ids
            and _covers(c.first_day, c.last_day, before.day)
        ):
            return f"officer {c.officer_id} {c.why} {_span(c.first_day, c.last_day)}"
        if (
            isinstance(c, BusinessClosed)
            and c.business_id == before.business_id
            and _covers(c.first_day, c.last_day, before.day)
        ):
            return f"business {c.why} {_span(c.first_day, c.last_day)}"
    if before.team_id == after.team_id and before.day == after.day:
        return f"retimed {_hhmm(before.stop.start)} → {_hhmm(after.stop.start)} to fit the changes"
    return "re-solved to fit the changes"


def why_dropped(before: Placed, new: Plan, changes: Sequence[Change]) -> str:
    """Why a visit of the old plan has none in ``new`` (a closure, the re-solve's reasons)."""
    for c in changes:
        if isinstance(c, BusinessClosed) and c.business_id == before.business_id:
            return f"business {c.why} {_span(c.first_day, c.last_day)}"
    reasons = sorted(
        {u.reason for u in new.unscheduled if u.obligation.business_id == before.business_id}
    )
    if reasons:
        return "; ".join(reasons)
    return "not placed in the re-plan"


def _urgent_text(task_ids: set[str], changes: Sequence[Change]) -> str | None:
    for c in changes:
        if isinstance(c, UrgentTask) and c.task.id in task_ids:
            note = f": {c.task.note}" if c.task.note else ""
            return f"urgent {c.task.kind.value.replace('_', '-')} {c.task.id}{note}"
    return None


def _why_added(after: Placed, changes: Sequence[Change]) -> str:
    task_ids = {o.task_id for o in after.stop.visit.obligations}
    return _urgent_text(task_ids, changes) or "placed in the re-plan (capacity freed or newly due)"


def _contents(placed: Placed) -> set[tuple[str, str]]:
    return {(o.item_id, o.task_id) for o in placed.stop.visit.obligations}


def _why_changed(before: Placed, after: Placed, changes: Sequence[Change]) -> str:
    old, new = _contents(before), _contents(after)
    parts = []
    for item, task in sorted(new - old):
        why = _urgent_text({task}, changes) if task else None
        parts.append(f"+{item}" + (f" ({why})" if why else f" (task {task})" if task else ""))
    parts += [f"-{item}" + (f" (task {task})" if task else "") for item, task in sorted(old - new)]
    return "items changed: " + ", ".join(parts)


def diff_plans(
    old: Plan,
    new: Plan,
    *,
    changes: Sequence[Change] = (),
    announced: Iterable[str] = (),
    tolerance: int = RETIME_TOLERANCE,
) -> PlanDiff:
    """What a re-plan changed: visits moved, added and dropped, each with a reason.

    A visit is one business's visit of the week. It has **moved** when its team or day changed, or
    its start shifted by more than ``tolerance`` seconds; **added** when the old plan had no visit
    to the business; **dropped** when the new plan has none.

    Parameters
    ----------
    old, new
        Two plans of the same week.
    changes
        What prompted the re-plan (absences, closures, urgent tasks): the reasons name them.
    announced
        Business ids whose visit the business was told about (their changes cost a notice).
    tolerance
        Seconds a start may shift without counting as a move (the notice gives a time).

    Returns
    -------
    PlanDiff
        Moved, added and dropped visits, and how many stayed as they were.
    """
    return diff_pairs(
        *pair_visits(placed_visits(old), placed_visits(new)),
        new,
        changes,
        set(announced),
        tolerance,
    )


def diff_pairs(
    pairs: Sequence[tuple[Placed, Placed]],
    dropped: Sequence[Placed],
    added: Sequence[Placed],
    new: Plan,
    changes: Sequence[Change],
    told: set[str],
    tolerance: int,
) -> PlanDiff:
    """The ``PlanDiff`` of paired, dropped and added visits (see ``diff_plans``)."""
    moved = [
        VisitChange(
            b.business_id, a.item_ids, b.slot, a.slot, _why_moved(b, a, changes),
            b.business_id in told,
        )
        for b, a in pairs
        if has_moved(b, a, tolerance)
    ]  # fmt: skip
    changed = [
        VisitChange(
            b.business_id, a.item_ids, b.slot, a.slot, _why_changed(b, a, changes),
            b.business_id in told,
        )
        for b, a in pairs
        if not has_moved(b, a, tolerance) and _contents(b) != _contents(a)
    ]  # fmt: skip
    return PlanDiff(
        moved=tuple(
            sorted(moved, key=lambda c: (c.before.day if c.before else dt.date.min, c.business_id))
        ),
        added=tuple(
            VisitChange(a.business_id, a.item_ids, None, a.slot, _why_added(a, changes))
            for a in sorted(added, key=lambda p: (p.day, p.business_id))
        ),
        dropped=tuple(
            VisitChange(
                b.business_id,
                b.item_ids,
                b.slot,
                None,
                why_dropped(b, new, changes),
                b.business_id in told,
            )
            for b in sorted(dropped, key=lambda p: (p.day, p.business_id))
        ),  # fmt: skip
        unchanged=len(pairs) - len(moved) - len(changed),
        changed=tuple(
            sorted(changed, key=lambda c: (c.after.day if c.after else dt.date.min, c.business_id))
        ),
    )


def told_items(placed: Placed) -> set[str]:
    """The items of a visit that its business may be told about (not unannounced)."""
    return {o.item_id for o in placed.stop.visit.obligations if not o.unannounced}


def describe_change(change: Change) -> str:
    """A change as one line of the audit log (ids, not names)."""
    if isinstance(change, OfficerAbsent):
        return (
            f"officer {change.officer_id} {change.why} {_span(change.first_day, change.last_day)}"
        )
    if isinstance(change, BusinessClosed):
        return (
            f"business {change.business_id} {change.why} {_span(change.first_day, change.last_day)}"
        )
    return f"urgent {change.task.kind.value} {change.task.id} at {change.task.business_id}"


__all__ = [
    "RETIME_TOLERANCE",
    "BusinessClosed",
    "Change",
    "OfficerAbsent",
    "PlanDiff",
    "Placed",
    "Slot",
    "UrgentTask",
    "VisitChange",
    "apply_changes",
    "change_from_dict",
    "change_to_dict",
    "describe_change",
    "diff_pairs",
    "diff_plans",
    "has_moved",
    "hold_slot",
    "kept_teams",
    "pair_visits",
    "placed_visits",
    "resolve_rest_of_week",
    "told_items",
    "why_dropped",
]
