"""An independent check of a plan against the scenario: every rule a plan must keep, in words.

It shares no code with the routing engine or the problem builder: opening hours are read from the
businesses' spans, shifts from the officers, travel from a matrix (the straight line by default).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from planner.domain import DAY, Obligation, Plan, Reason, Route, Scenario, Stop
from planner.hours import format_time


class Matrices(Protocol):
    """Anything with an integer ``seconds`` matrix (``planner.travel.TravelMatrix``)."""

    @property
    def seconds(self) -> np.ndarray: ...


def _open_spans(scenario: Scenario, business_id: str, day: dt.date) -> list[tuple[int, int]]:
    """Opening spans from the day before to the day after, in seconds of ``day``, merged."""
    hours = scenario.business(business_id).visit_hours
    spans = []
    for shift in (-1, 0, 1):
        weekday = (day + dt.timedelta(days=shift)).weekday()
        spans += [
            (shift * DAY + s.start, shift * DAY + s.end)
            for s in hours.spans
            if s.weekday == weekday
        ]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _clock(seconds: int) -> str:
    text = format_time(seconds)
    return f"{text} (+1 day)" if seconds >= DAY else text


class _Travel:
    """Travel seconds between ids (office or business) of the matrix rows."""

    def __init__(self, matrix: Matrices, ids: Sequence[str]) -> None:
        self.seconds = np.asarray(matrix.seconds)
        self.index = {node: n for n, node in enumerate(ids)}

    def __call__(self, a: str, b: str) -> int:
        return int(self.seconds[self.index[a], self.index[b]])


def _default_travel(scenario: Scenario) -> tuple[Matrices, list[str]]:
    from planner.travel import straight_line_matrix

    offices = list(scenario.settings.offices)
    ids = [o.id for o in offices] + [b.id for b in scenario.businesses]
    points = [(o.lon, o.lat) for o in offices] + [(b.lon, b.lat) for b in scenario.businesses]
    return straight_line_matrix(points), ids


def verify_plan(
    scenario: Scenario,
    plan: Plan,
    travel: Matrices | None = None,
    ids: Sequence[str] | None = None,
    *,
    obligations: Iterable[Obligation] | None = None,
) -> list[str]:
    """Every rule ``plan`` breaks, one message each (an empty list: the plan is sound).

    Parameters
    ----------
    scenario
        What the plan was made from.
    plan
        The plan to check.
    travel, ids
        Travel seconds between the points named by ``ids`` (office and business ids, in matrix
        order). ``None``: the straight-line matrix with default speed over every office and
        business, which is what ``plan_week`` uses without roads.
    obligations
        The week's obligations: each must be in exactly one stop or in ``unscheduled``.
        ``None`` checks only that none appears twice.

    Returns
    -------
    list of str
        Messages such as ``"team o1+o2 on 2026-11-23: b1 starts 09:00, before its arrival 09:12"``.
    """
    if travel is None or ids is None:
        travel, ids = _default_travel(scenario)
    seconds = _Travel(travel, ids)
    problems: list[str] = []
    for route in plan.routes:
        problems += _check_team(scenario, route)
        problems += _check_times(scenario, route, seconds)
        problems += _check_lunch(scenario, route, seconds)
    problems += _check_officers_once(plan)
    problems += _check_one_visit_per_business(plan)
    problems += _check_obligations(plan, obligations)
    return problems


def _where(route: Route) -> str:
    return f"team {route.team_id} on {route.day}"


def _check_team(scenario: Scenario, route: Route) -> list[str]:
    """≥ 2 officers, all rostered that day, certified for every item, none recused."""
    where = _where(route)
    found = []
    if len(set(route.officer_ids)) < 2:
        found.append(f"{where}: needs at least two officers, has {len(set(route.officer_ids))}")
    officers = [scenario.inspector(i) for i in route.officer_ids]
    if not scenario.settings.is_working_day(route.day):
        found.append(f"{where}: {route.day} is a public holiday")
    for o in officers:
        if route.day.weekday() not in o.working_days:
            found.append(f"{where}: officer {o.id} does not work on {route.day:%a}")
    for r in scenario.recusals:
        if r.other_inspector_id and {r.inspector_id, r.other_inspector_id} <= set(
            route.officer_ids
        ):
            found.append(
                f"{where}: {r.inspector_id} and {r.other_inspector_id} must not work together"
            )
    held = {c for o in officers for c in o.certifications}
    recused = {(r.inspector_id, r.business_id) for r in scenario.recusals}
    for stop in route.stops:
        for ob in stop.visit.obligations:
            need = scenario.item(ob.item_id).certification
            if need not in held:
                found.append(f"{where}: no officer certified for {ob.item_id} at {ob.business_id}")
        for o in officers:
            if (o.id, stop.visit.business_id) in recused:
                found.append(f"{where}: officer {o.id} is recused from {stop.visit.business_id}")
    return found


def _shift(scenario: Scenario, route: Route) -> tuple[int, int, str]:
    officers = [scenario.inspector(i) for i in route.officer_ids]
    start = max(o.hours_start for o in officers)
    end = min(o.hours_end for o in officers)
    return start, end, officers[0].base


def _lunch_in_leg(route: Route, duration: int, prev_end: int, next_start: int) -> bool:
    return (
        route.lunch_start >= 0
        and prev_end <= route.lunch_start
        and (route.lunch_start + duration <= next_start)
    )


def _check_times(scenario: Scenario, route: Route, travel: _Travel) -> list[str]:
    """Shift, travel between stops, waiting, service time, opening hours, dates and deadlines."""
    where = _where(route)
    found: list[str] = []
    shift_start, shift_end, office = _shift(scenario, route)
    duration = scenario.settings.lunch_minutes * 60
    if not route.stops:
        return found
    depart = (
        route.depart
        if route.depart >= 0
        else route.stops[0].arrival - travel(office, route.stops[0].visit.business_id)
    )
    if depart < shift_start:
        found.append(f"{where}: leaves at {_clock(depart)}, before the shift {_clock(shift_start)}")
    prev, prev_end = office, depart
    for stop in route.stops:
        b = stop.visit.business_id
        leg = travel(prev, b)
        earliest = prev_end + leg
        if stop.arrival < earliest:
            found.append(
                f"{where}: arrives at {b} {_clock(stop.arrival)}, but cannot before "
                f"{_clock(earliest)} ({leg // 60} min from {prev})"
            )
        if _lunch_in_leg(route, duration, prev_end, stop.start) and stop.start - prev_end < (
            leg + duration
        ):
            found.append(f"{where}: no room for both lunch and the travel to {b}")
        if stop.start < stop.arrival:
            found.append(f"{where}: {b} starts {_clock(stop.start)}, before arrival")
        if stop.end != stop.start + stop.visit.service_seconds:
            found.append(f"{where}: {b} lasts {stop.end - stop.start} s, not its service time")
        if not any(
            s <= stop.start and stop.end <= e for s, e in _open_spans(scenario, b, route.day)
        ):
            hours = scenario.business(b).visit_hours.text
            found.append(
                f"{where}: {b} visited {_clock(stop.start)}–{_clock(stop.end)}, "
                f"outside its opening hours ({hours})"
            )
        if stop.start < shift_start or stop.end > shift_end:
            found.append(f"{where}: {b} is outside the team's shift")
        found += _check_dates(route, stop)
        prev, prev_end = b, stop.end
    leg = travel(prev, office)
    back = route.back if route.back >= 0 else prev_end + leg
    earliest_back = (
        prev_end + leg + (duration if _lunch_in_leg(route, duration, prev_end, back) else 0)
    )
    if back < earliest_back:
        found.append(f"{where}: back at {_clock(back)}, cannot be before {_clock(earliest_back)}")
    if back > shift_end:
        found.append(f"{where}: back at {_clock(back)}, after the shift ends {_clock(shift_end)}")
    return found


def _check_dates(route: Route, stop: Stop) -> list[str]:
    """Not before any obligation's earliest date; complaints, follow-ups and tasks by their due date."""
    found = []
    for o in stop.visit.obligations:
        if route.day < o.earliest:
            found.append(
                f"{_where(route)}: {o.business_id} {o.item_id} before its earliest {o.earliest}"
            )
        hard = o.reason in (Reason.COMPLAINT, Reason.FOLLOW_UP) or bool(o.task_id)
        week_start = route.day - dt.timedelta(days=route.day.weekday())
        if hard and week_start <= o.due < route.day:
            found.append(f"{_where(route)}: {o.business_id} {o.item_id} after its deadline {o.due}")
    return found


def _check_lunch(scenario: Scenario, route: Route, travel: _Travel) -> list[str]:
    """A route spanning the lunch window takes the break inside it, clear of every visit."""
    settings = scenario.settings
    window_start, window_end = settings.lunch_start, settings.lunch_end
    duration = settings.lunch_minutes * 60
    if duration <= 0 or not route.stops:
        return []
    where = _where(route)
    shift_start, _, office = _shift(scenario, route)
    depart = (
        route.depart
        if route.depart >= 0
        else route.stops[0].arrival - travel(office, route.stops[0].visit.business_id)
    )
    back = (
        route.back
        if route.back >= 0
        else route.stops[-1].end + travel(route.stops[-1].visit.business_id, office)
    )
    outside = window_start + duration <= depart or max(back, window_start) + duration <= window_end
    if route.lunch_start < 0:
        return [] if outside else [f"{where}: works through the lunch window with no break"]
    found = []
    lunch_end = route.lunch_start + duration
    if route.lunch_start < window_start or lunch_end > window_end:
        found.append(
            f"{where}: lunch {_clock(route.lunch_start)}–{_clock(lunch_end)} outside the window "
            f"{_clock(window_start)}–{_clock(window_end)}"
        )
    for stop in route.stops:
        if route.lunch_start < stop.end and stop.start < lunch_end:
            found.append(f"{where}: lunch overlaps the visit to {stop.visit.business_id}")
    if route.lunch_start < depart or lunch_end > back:
        found.append(f"{where}: lunch recorded outside the route")
    return found


def _check_officers_once(plan: Plan) -> list[str]:
    """No officer in two routes on one day."""
    seen = Counter((r.day, o) for r in plan.routes for o in set(r.officer_ids))
    return [
        f"officer {o} is in {n} teams on {day}" for (day, o), n in sorted(seen.items()) if n > 1
    ]


def _check_one_visit_per_business(plan: Plan) -> list[str]:
    """At most one stop per business per week."""
    seen = Counter(s.visit.business_id for r in plan.routes for s in r.stops)
    return [f"{b} is visited {n} times this week" for b, n in sorted(seen.items()) if n > 1]


def _check_obligations(plan: Plan, obligations: Iterable[Obligation] | None) -> list[str]:
    """Every obligation exactly once, in a stop or in ``unscheduled``."""
    placed = Counter(o for r in plan.routes for s in r.stops for o in s.visit.obligations)
    placed.update(u.obligation for u in plan.unscheduled)
    found = [
        f"obligation {o.business_id}/{o.item_id} ({o.reason}) appears {n} times"
        for o, n in placed.items()
        if n > 1
    ]
    if obligations is not None:
        expected = Counter(obligations)
        found += [
            f"obligation {o.business_id}/{o.item_id} ({o.reason}) is neither planned nor unscheduled"
            for o in expected
            if o not in placed
        ]
        found += [
            f"obligation {o.business_id}/{o.item_id} ({o.reason}) is not one of the week's"
            for o in placed
            if o not in expected
        ]
    return found
