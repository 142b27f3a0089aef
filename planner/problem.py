"""Domain → solver-independent routing problem (integer numpy arrays) and solution → routes.

A ``RoutingProblem`` is what every routing engine sees: nodes (offices, then one node per visit),
vehicles (one per team and day), integer seconds and metres, time windows, eligibility and drop
penalties. Ids map to positions only here; engines work on positions, ``Solution`` comes back in
positions, and ``solution_to_routes`` turns it into domain ``Route`` objects again.

Times of a vehicle are seconds from the midnight of its day and may run past midnight (up to
``2 * DAY``) for overnight shifts; a window of day ``d`` ending at 26:00 ends at 02:00 of ``d + 1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from planner.domain import (
    DAY,
    WEEKDAY_NAMES,
    Business,
    Inspector,
    Obligation,
    OpeningHours,
    Reason,
    Route,
    Scenario,
    Settings,
    Stop,
    Team,
    Unscheduled,
    Visit,
)
from planner.hours import format_time

WEEK_DAYS = 7
HORIZON = 2 * DAY  # a vehicle's times lie in [0, HORIZON) of its day
HARD_REASONS = (Reason.COMPLAINT, Reason.FOLLOW_UP)
DEADLINE_WEIGHT = 2.0  # an obligation with a hard deadline in the week counts double
PULL_FORWARD_WEIGHT = 0.25  # an obligation due after the week (pulled forward) counts a quarter
PIN_WEIGHT = 100.0  # a pinned visit is left out only when it cannot be made at all

# Bits of ``RoutingProblem.day_checks``: what holds for a visit on a day (for reasons).
CERTIFIED = 1  # some team of the day holds every certification the visit needs
NOT_RECUSED = 2  # … and none of its officers is recused from the business
HOURS_OVERLAP = 4  # … and the business is open at some time inside that team's shift
HOURS_FIT = 8  # … long enough for the whole visit, travel from and to the office included
DATES_OK = 16  # the day is within the visit's earliest date and hard deadline
VEHICLE_BITS = CERTIFIED | NOT_RECUSED | HOURS_OVERLAP | HOURS_FIT


class Matrices(Protocol):
    """Anything with integer ``seconds`` and ``metres`` matrices (``planner.travel.TravelMatrix``)."""

    @property
    def seconds(self) -> np.ndarray: ...
    @property
    def metres(self) -> np.ndarray: ...


@dataclass(frozen=True, slots=True, eq=False)
class RoutingProblem:
    """A week (or part of one) of joint-inspection routing, as integer arrays.

    Nodes ``0 … n_depots - 1`` are offices, node ``n_depots + j`` is visit ``j``. Vehicle ``k`` is
    team ``vehicle_teams[k]`` on day ``days[vehicle_day[k]]``.

    Attributes
    ----------
    days
        The calendar days vehicles may work on (index = ``vehicle_day`` value).
    depot_ids, visit_ids
        Office ids and business ids (one visit per business, so a business id names its visit).
    vehicle_teams, vehicle_officers
        Team id and officer ids of each vehicle.
    vehicle_day, vehicle_depot
        ``int64[K]``: day index; node of the office the vehicle starts and ends at.
    vehicle_shift
        ``int64[K, 2]``: earliest departure and latest return, seconds of the vehicle's day.
    vehicle_lunch
        ``int64[K, 3]``: lunch window start, window end, duration (0: no break).
    service
        ``int64[V]``: seconds on site.
    windows
        ``int64[W, 4]`` rows ``(visit, day, start, end)`` sorted: the whole visit must lie inside
        one window; windows are opening hours already cut to the day's shifts.
    eligible
        ``bool[V, K]``: the vehicle alone could make the visit (certifications, recusals, hours,
        travel from and to its office, earliest date and hard deadline).
    penalty
        ``int64[V]``: cost of leaving the visit out (priority-weighted).
    hard_deadline, last_day, first_day
        ``bool[V]`` and ``int64[V]``: a hard deadline (complaint, follow-up, task) must be met by
        day index ``last_day``; no day before ``first_day`` (earliest date of its obligations).
    pinned
        ``int64[V]``: the vehicle the planner fixed the visit to, or -1.
    travel_seconds, travel_metres
        ``int64[N, N]`` between nodes.
    day_checks
        ``uint8[V, D]``: bits ``CERTIFIED | NOT_RECUSED | HOURS_OVERLAP | HOURS_FIT | DATES_OK``.
    preferred
        ``int64[V]`` or ``None``: the vehicle a re-plan would rather keep the visit on (its
        announced team-day), or -1; another vehicle costs a finite penalty
        (``solve.add_preferred_team_days``), unlike ``pinned``.
    alternative
        ``int64[V]`` or ``None``: a group label per visit; visits sharing one are alternatives of
        one business's visit — the whole visit and each department's part
        (``SolveParams.part_visits``) — and at most one of them is planned (the business is
        entered once). The whole is the one with the highest penalty; a part's penalty is what
        its own obligations are worth, so the whole's less the part's is what making only the
        part loses (``lost_value``). ``None``: every visit is its own group.
    """

    days: tuple[dt.date, ...]
    depot_ids: tuple[str, ...]
    visit_ids: tuple[str, ...]
    vehicle_teams: tuple[str, ...]
    vehicle_officers: tuple[tuple[str, ...], ...]
    vehicle_day: np.ndarray
    vehicle_depot: np.ndarray
    vehicle_shift: np.ndarray
    vehicle_lunch: np.ndarray
    service: np.ndarray
    windows: np.ndarray
    eligible: np.ndarray
    penalty: np.ndarray
    hard_deadline: np.ndarray
    last_day: np.ndarray
    first_day: np.ndarray
    pinned: np.ndarray
    travel_seconds: np.ndarray
    travel_metres: np.ndarray
    day_checks: np.ndarray
    preferred: np.ndarray | None = None
    alternative: np.ndarray | None = None
    _window_rows: dict[tuple[int, int], np.ndarray] = field(
        default_factory=dict, init=False, repr=False
    )
    _wholes: list[np.ndarray] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        n, v, k = self.n_nodes, self.n_visits, self.n_vehicles
        shapes = {
            "vehicle_day": (k,),
            "vehicle_depot": (k,),
            "vehicle_shift": (k, 2),
            "vehicle_lunch": (k, 3),
            "service": (v,),
            "eligible": (v, k),
            "penalty": (v,),
            "hard_deadline": (v,),
            "last_day": (v,),
            "first_day": (v,),
            "pinned": (v,),
            "travel_seconds": (n, n),
            "travel_metres": (n, n),
            "day_checks": (v, len(self.days)),
        }
        wrong = [
            f"{name} {getattr(self, name).shape} != {shape}"
            for name, shape in shapes.items()
            if getattr(self, name).shape != shape
        ]
        if self.preferred is not None and self.preferred.shape != (v,):
            wrong.append(f"preferred {self.preferred.shape} != {(v,)}")
        if self.alternative is not None and self.alternative.shape != (v,):
            wrong.append(f"alternative {self.alternative.shape} != {(v,)}")
        if self.windows.ndim != 2 or self.windows.shape[1] != 4:
            wrong.append(f"windows {self.windows.shape} is not (W, 4)")
        if len(self.vehicle_teams) != k or len(self.vehicle_officers) != k:
            wrong.append("vehicle_teams / vehicle_officers do not match vehicle_day")
        pairs = set(zip(self.visit_ids, self.group.tolist(), strict=True)) if not wrong else set()
        if not wrong and not len(set(self.visit_ids)) == len(pairs) == len(
            set(self.group.tolist())
        ):
            wrong.append(
                "a business has more than one visit (one visit per business per week; "
                "alternatives of one visit share an alternative label)"
            )
        if wrong:
            raise ValueError("inconsistent RoutingProblem: " + "; ".join(wrong))

    @property
    def n_depots(self) -> int:
        """Number of offices."""
        return len(self.depot_ids)

    @property
    def n_visits(self) -> int:
        """Number of visits."""
        return len(self.visit_ids)

    @property
    def n_nodes(self) -> int:
        """Offices plus visits."""
        return self.n_depots + self.n_visits

    @property
    def n_vehicles(self) -> int:
        """Team-days."""
        return len(self.vehicle_teams)

    @property
    def group(self) -> np.ndarray:
        """``int64[V]``: each visit's alternative group (``alternative``; its own index if none)."""
        if self.alternative is None:
            return np.arange(self.n_visits, dtype=np.int64)
        return self.alternative

    @property
    def whole(self) -> np.ndarray:
        """``bool[V]``: the whole visit of each group (its highest penalty, first on a tie)."""
        if self.alternative is None:
            return np.ones(self.n_visits, dtype=bool)
        if self._wholes:
            return self._wholes[0]
        best: dict[int, int] = {}
        for i, g in enumerate(self.alternative.tolist()):
            if g not in best or self.penalty[i] > self.penalty[best[g]]:
                best[g] = i
        found = np.zeros(self.n_visits, dtype=bool)
        found[list(best.values())] = True
        found.setflags(write=False)
        self._wholes.append(found)
        return found

    @property
    def lost_value(self) -> np.ndarray:
        """``int64[V]``: what planning this visit loses against its group's whole visit (0 for a
        whole visit; the unchecked departments' worth for a part)."""
        if self.alternative is None:
            return np.zeros(self.n_visits, dtype=np.int64)
        _, inverse = np.unique(self.alternative, return_inverse=True)
        top = np.zeros(self.n_visits, dtype=np.int64)
        np.maximum.at(top, inverse, self.penalty)
        return top[inverse] - self.penalty

    @property
    def total_penalty(self) -> float:
        """The week's whole worth: the penalties of the whole visits (parts are alternatives)."""
        return float(self.penalty[self.whole].sum())

    def served_groups(self, served: Iterable[int]) -> set[int]:
        """Alternative groups with a planned visit among ``served``."""
        group = self.group
        return {int(group[i]) for i in served}

    def node(self, visit: int) -> int:
        """The node of visit ``visit``."""
        return self.n_depots + visit

    def windows_of(self, visit: int, day: int) -> np.ndarray:
        """``int64[w, 2]`` windows (start, end) of ``visit`` on day index ``day``."""
        key = (visit, day)
        if not self._window_rows:
            rows: dict[tuple[int, int], list[int]] = {}
            for r, (i, d, _, _) in enumerate(self.windows.tolist()):
                rows.setdefault((i, d), []).append(r)
            for k, idx in rows.items():
                self._window_rows[k] = self.windows[idx, 2:4]
            self._window_rows[(-1, -1)] = np.zeros((0, 2), dtype=np.int64)
        return self._window_rows.get(key, self._window_rows[(-1, -1)])

    def restrict(self, visits: Sequence[int], vehicles: Sequence[int]) -> RoutingProblem:
        """The sub-problem of ``visits`` (in this order) and ``vehicles``; offices are kept."""
        vi = np.asarray(visits, dtype=np.int64)
        ki = np.asarray(vehicles, dtype=np.int64)
        nodes = np.concatenate([np.arange(self.n_depots), self.n_depots + vi])
        new_index = np.full(self.n_visits, -1, dtype=np.int64)
        new_index[vi] = np.arange(len(vi))
        keep = new_index[self.windows[:, 0]] >= 0 if len(self.windows) else np.zeros(0, bool)
        windows = self.windows[keep].copy()
        if len(windows):
            windows[:, 0] = new_index[windows[:, 0]]
            windows = windows[np.lexsort((windows[:, 2], windows[:, 1], windows[:, 0]))]
        old_to_new_vehicle = np.full(self.n_vehicles, -1, dtype=np.int64)
        old_to_new_vehicle[ki] = np.arange(len(ki))
        pinned = np.full(len(vi), -1, dtype=np.int64)
        has_pin = self.pinned[vi] >= 0
        pinned[has_pin] = old_to_new_vehicle[self.pinned[vi][has_pin]]
        eligible = self.eligible[np.ix_(vi, ki)]
        eligible[has_pin & (pinned < 0)] = False  # pinned to a team-day outside this part
        preferred = None
        if self.preferred is not None:  # a preferred team-day outside this part: no preference
            preferred = np.full(len(vi), -1, dtype=np.int64)
            has_preference = self.preferred[vi] >= 0
            preferred[has_preference] = old_to_new_vehicle[self.preferred[vi][has_preference]]
        return RoutingProblem(
            days=self.days,
            depot_ids=self.depot_ids,
            visit_ids=tuple(self.visit_ids[i] for i in vi.tolist()),
            vehicle_teams=tuple(self.vehicle_teams[k] for k in ki.tolist()),
            vehicle_officers=tuple(self.vehicle_officers[k] for k in ki.tolist()),
            vehicle_day=self.vehicle_day[ki],
            vehicle_depot=self.vehicle_depot[ki],
            vehicle_shift=self.vehicle_shift[ki],
            vehicle_lunch=self.vehicle_lunch[ki],
            service=self.service[vi],
            windows=windows.reshape(-1, 4),
            eligible=eligible,
            penalty=self.penalty[vi],
            hard_deadline=self.hard_deadline[vi],
            last_day=self.last_day[vi],
            first_day=self.first_day[vi],
            pinned=pinned,
            travel_seconds=self.travel_seconds[np.ix_(nodes, nodes)],
            travel_metres=self.travel_metres[np.ix_(nodes, nodes)],
            day_checks=self.day_checks[vi],
            preferred=preferred,
            alternative=None if self.alternative is None else self.alternative[vi],
        )


@dataclass(frozen=True, slots=True)
class RouteSolution:
    """One vehicle's route in a solution: visits in order and their service start times."""

    vehicle: int
    visits: tuple[int, ...]
    starts: tuple[int, ...]
    depart: int
    back: int
    lunch_start: int = -1  # -1: the break is taken before departure or after return


@dataclass(frozen=True, slots=True)
class Solution:
    """What an engine returns: non-empty routes, visits left out, and statistics."""

    routes: tuple[RouteSolution, ...]
    dropped: tuple[int, ...]
    stats: tuple[tuple[str, float], ...] = ()

    def stat(self, name: str, default: float = 0.0) -> float:
        """One statistic by name."""
        return dict(self.stats).get(name, default)


# ---------------------------------------------------------------- building blocks


def team_shift(officers: Sequence[Inspector]) -> tuple[int, int]:
    """A team's hours: the intersection of its members' hours (start ≥ end means none)."""
    return max(o.hours_start for o in officers), min(o.hours_end for o in officers)


def officer_lunch(officer: Inspector, settings: Settings) -> tuple[int, int]:
    """The officer's lunch window: their own where given, else the township's."""
    if officer.lunch_start >= 0:
        return officer.lunch_start, officer.lunch_end
    return settings.lunch_start, settings.lunch_end


def team_lunch(officers: Sequence[Inspector], settings: Settings) -> tuple[int, int, int]:
    """A team's lunch break: (window start, window end, seconds), 0 seconds when there is none.

    The window is the intersection of every member's lunch window and hours, so the break lies
    inside the team's shift (a team working 12:00–19:52 lunches from 12:00, never at 11:30 before
    it starts). When the intersection cannot hold ``settings.lunch_minutes`` the day has no
    break (``validate`` warns about such officers and fixed teams).
    """
    windows = [officer_lunch(o, settings) for o in officers]
    start = max([s for s, _ in windows] + [o.hours_start for o in officers])
    end = min([e for _, e in windows] + [o.hours_end for o in officers])
    seconds = settings.lunch_minutes * 60
    return (start, end, seconds) if seconds and end - start >= seconds else (start, end, 0)


def team_office(officers: Sequence[Inspector]) -> str:
    """The office a team starts and ends at: its first officer's base."""
    return officers[0].base


def day_windows(hours: OpeningHours, weekday: int) -> tuple[tuple[int, int], ...]:
    """Open windows of a day on an extended clock ``[0, 2 * DAY)``, merged where they touch.

    The day's own windows (yesterday's overnight tail included) plus the next day's windows
    shifted by ``DAY``, so that a bar open Fri 18:00–02:00 is one window 18:00–26:00 on Friday.
    """
    spans = list(hours.windows_on(weekday))
    spans += [(s + DAY, e + DAY) for s, e in hours.windows_on((weekday + 1) % 7)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def visit_weight(visit: Visit, week: Sequence[dt.date]) -> float:
    """Priority weight of a visit: the sum of its obligations' priorities / 10, each doubled when
    it has a hard deadline (``is_hard``) inside ``week`` and counted a quarter
    (``PULL_FORWARD_WEIGHT``) when it is due only after ``week`` (pulled forward to ride along).

    Priorities already grow with reason, risk and days overdue (``obligations.compute_priority``).
    Work not yet due is worth something (a visit saved later), never as much as due work: at
    full weight, heavy weeks spent their time on visits padded with it (at a quarter, due
    obligations covered +1.3 to +3.5 points, due priority +0.5 to +2.4 on the synthetic heavy
    weeks, the demo's plan the same: ``benchmarks/weights_study.py``, docs/benchmarks.md).
    Only the obligation with the deadline counts double, not the items riding along with it, so
    a visit weighs the sum of its department parts' weights (``planner.merge.department_parts``)
    and a part visit's lost value is exactly what its unchecked items are worth.
    """
    return (
        sum(
            max(o.priority, 1)
            * (DEADLINE_WEIGHT if is_hard(o) and week[0] <= o.due <= week[-1] else 1)
            * (PULL_FORWARD_WEIGHT if o.due > week[-1] else 1)
            for o in visit.obligations
        )
        / 10.0
    )


def is_hard(obligation: Obligation) -> bool:
    """A deadline that must be met: complaints, follow-ups and explicit tasks."""
    return obligation.reason in HARD_REASONS or bool(obligation.task_id)


def visit_dates(visit: Visit, week: Sequence[dt.date]) -> tuple[int, int, bool, dt.date | None]:
    """First and last allowed day index, whether a hard deadline limits it, and that deadline.

    A hard deadline already past at the week's start does not limit the days (it is overdue:
    any day is late, the earliest is best, and its weight says so).
    """
    first = max([0] + [(o.earliest - week[0]).days for o in visit.obligations])
    deadlines = [o.due for o in visit.obligations if is_hard(o) and week[0] <= o.due <= week[-1]]
    if not deadlines:
        return first, len(week) - 1, False, None
    deadline = min(deadlines)
    return first, (deadline - week[0]).days, True, deadline


def required_certifications(scenario: Scenario, visit: Visit) -> frozenset[str]:
    """Certifications a team needs to check every item of ``visit``."""
    return frozenset(scenario.item(o.item_id).certification for o in visit.obligations)


def team_certifications(officers: Iterable[Inspector]) -> frozenset[str]:
    """What a team can check: the union of its members' certifications."""
    return frozenset(c for o in officers for c in o.certifications)


# ---------------------------------------------------------------- build


@dataclass(frozen=True, slots=True)
class _Vehicle:
    team: Team
    day: int
    officers: tuple[Inspector, ...]
    shift: tuple[int, int]
    depot: int


def _vehicles(
    scenario: Scenario,
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    week: Sequence[dt.date],
    depot_index: Mapping[str, int],
) -> list[_Vehicle]:
    found = []
    for d, day in enumerate(week):
        if not scenario.settings.is_working_day(day):
            continue  # a public holiday: no shifts, whatever teams were given
        for team in teams_by_day.get(day, ()):
            officers = tuple(scenario.inspector(i) for i in team.officer_ids)
            shift = team_shift(officers)
            if shift[0] < shift[1]:
                found.append(_Vehicle(team, d, officers, shift, depot_index[team_office(officers)]))
    return found


def build_problem(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    week_start: dt.date,
    travel: Matrices,
    *,
    drop_penalty: int = 36_000,
    pins: Mapping[str, tuple[str, dt.date]] | None = None,
    prefer: Mapping[str, tuple[str, dt.date]] | None = None,
    alternative: Sequence[int] | None = None,
) -> RoutingProblem:
    """Turn the week's visits and teams into a ``RoutingProblem``.

    Parameters
    ----------
    scenario
        Businesses, items, inspectors, recusals, settings (lunch, offices).
    visits
        One visit per business (``ValueError`` otherwise, unless ``alternative`` groups them),
        in the order nodes get.
    teams_by_day
        The teams working each day; a team whose members' hours do not overlap is skipped.
    week_start
        Monday of the week; days are ``week_start … week_start + 6``.
    travel
        Matrices over ``problem_points(scenario, visits)``: offices first, then visits.
    drop_penalty
        Penalty of leaving out a visit of weight 1 (``SolveParams.drop_penalty``).
    pins
        Business id → (team id, day): the planner fixed this visit to that team-day.
    prefer
        Business id → (team id, day): a re-plan would rather keep the visit there (its
        announced team-day); ignored where that team does not work that day.
    alternative
        A group label per visit (``RoutingProblem.alternative``): a whole visit and its
        department parts (``planner.merge.with_parts``) share one, and at most one is planned.

    Returns
    -------
    RoutingProblem
    """
    week = tuple(week_start + dt.timedelta(days=d) for d in range(WEEK_DAYS))
    settings = scenario.settings
    depot_ids = tuple(o.id for o in settings.offices)
    depot_index = {d: i for i, d in enumerate(depot_ids)}
    vehicles = _vehicles(scenario, teams_by_day, week, depot_index)
    n_d, n_v, n_k = len(depot_ids), len(visits), len(vehicles)
    seconds = np.asarray(travel.seconds, dtype=np.int64)
    metres = np.asarray(travel.metres, dtype=np.int64)
    if seconds.shape != (n_d + n_v, n_d + n_v):
        raise ValueError(
            f"travel matrix is {seconds.shape}, expected {(n_d + n_v,) * 2} "
            "(offices then visits, see problem_points)"
        )
    recused = {(r.inspector_id, r.business_id) for r in scenario.recusals}
    service = np.array([v.service_seconds for v in visits], dtype=np.int64)
    eligible = np.zeros((n_v, n_k), dtype=bool)
    checks = np.zeros((n_v, WEEK_DAYS), dtype=np.uint8)
    penalty = np.zeros(n_v, dtype=np.int64)
    hard = np.zeros(n_v, dtype=bool)
    first_day = np.zeros(n_v, dtype=np.int64)
    last_day = np.full(n_v, WEEK_DAYS - 1, dtype=np.int64)
    windows: list[tuple[int, int, int, int]] = []
    certs = [team_certifications(v.officers) for v in vehicles]
    hull = _shift_hull(vehicles)
    for i, visit in enumerate(visits):
        business = scenario.business(visit.business_id)
        need = required_certifications(scenario, visit)
        first_day[i], last_day[i], hard[i], _ = visit_dates(visit, week)
        penalty[i] = round(visit_weight(visit, week) * drop_penalty)
        open_on = [day_windows(business.visit_hours, day.weekday()) for day in week]
        for d in range(WEEK_DAYS):
            windows += [(i, d, s, e) for s, e in _clip(open_on[d], hull.get(d))]
            if first_day[i] <= d <= last_day[i]:
                checks[i, d] |= DATES_OK
        for k, vehicle in enumerate(vehicles):
            bits = _vehicle_checks(
                vehicle, business, open_on[vehicle.day], need, certs[k], recused, int(service[i]),
                int(seconds[vehicle.depot, n_d + i]), int(seconds[n_d + i, vehicle.depot]),
            )  # fmt: skip
            checks[i, vehicle.day] |= bits
            eligible[i, k] = bits == VEHICLE_BITS and bool(checks[i, vehicle.day] & DATES_OK)
    pinned = _pins(pins or {}, visits, vehicles, week)
    penalty = np.where(pinned >= 0, (penalty * PIN_WEIGHT).astype(np.int64), penalty)
    window_array = np.array(sorted(windows), dtype=np.int64).reshape(-1, 4)
    return RoutingProblem(
        days=week,
        depot_ids=depot_ids,
        visit_ids=tuple(v.business_id for v in visits),
        vehicle_teams=tuple(v.team.id for v in vehicles),
        vehicle_officers=tuple(tuple(o.id for o in v.officers) for v in vehicles),
        vehicle_day=np.array([v.day for v in vehicles], dtype=np.int64),
        vehicle_depot=np.array([v.depot for v in vehicles], dtype=np.int64),
        vehicle_shift=np.array([v.shift for v in vehicles], dtype=np.int64).reshape(-1, 2),
        vehicle_lunch=np.array(
            [team_lunch(v.officers, settings) for v in vehicles], dtype=np.int64
        ).reshape(-1, 3),
        service=service,
        windows=window_array,
        eligible=eligible,
        penalty=penalty,
        hard_deadline=hard,
        last_day=last_day,
        first_day=first_day,
        pinned=pinned,
        travel_seconds=seconds,
        travel_metres=metres,
        day_checks=checks,
        preferred=None if prefer is None else _preferences(prefer, visits, vehicles, week),
        alternative=None if alternative is None else np.asarray(alternative, dtype=np.int64),
    )


def problem_points(scenario: Scenario, visits: Sequence[Visit]) -> list[tuple[float, float]]:
    """``(lon, lat)`` of the problem's nodes: every office, then each visit's business."""
    offices = [(o.lon, o.lat) for o in scenario.settings.offices]
    businesses = [scenario.business(v.business_id) for v in visits]
    return offices + [(b.lon, b.lat) for b in businesses]


def _shift_hull(vehicles: Sequence[_Vehicle]) -> dict[int, tuple[int, int]]:
    """Per day: the earliest shift start and latest shift end of its teams."""
    hull: dict[int, tuple[int, int]] = {}
    for v in vehicles:
        lo, hi = hull.get(v.day, v.shift)
        hull[v.day] = (min(lo, v.shift[0]), max(hi, v.shift[1]))
    return hull


def _clip(
    windows: Iterable[tuple[int, int]], span: tuple[int, int] | None
) -> list[tuple[int, int]]:
    if span is None:
        return []
    clipped = [(max(s, span[0]), min(e, span[1])) for s, e in windows]
    return [(s, e) for s, e in clipped if s < e]


def _vehicle_checks(
    vehicle: _Vehicle,
    business: Business,
    windows: Sequence[tuple[int, int]],
    need: frozenset[str],
    certs: frozenset[str],
    recused: set[tuple[str, str]],
    service: int,
    travel_out: int,
    travel_back: int,
) -> int:
    """The ``day_checks`` bits one vehicle earns for one visit (each only if the previous hold)."""
    if not need <= certs:
        return 0
    bits = CERTIFIED
    if any((o.id, business.id) in recused for o in vehicle.officers):
        return bits
    bits |= NOT_RECUSED
    shift_start, shift_end = vehicle.shift
    overlap = [(max(s, shift_start), min(e, shift_end)) for s, e in windows]
    if any(s < e for s, e in overlap):
        bits |= HOURS_OVERLAP
    earliest, latest = shift_start + travel_out, shift_end - travel_back
    if any(max(s, earliest) + service <= min(e, latest) for s, e in windows):
        bits |= HOURS_FIT
    return bits


def _pins(
    pins: Mapping[str, tuple[str, dt.date]],
    visits: Sequence[Visit],
    vehicles: Sequence[_Vehicle],
    week: Sequence[dt.date],
) -> np.ndarray:
    index = {(v.team.id, week[v.day]): k for k, v in enumerate(vehicles)}
    pinned = np.full(len(visits), -1, dtype=np.int64)
    for i, visit in enumerate(visits):
        if visit.business_id in pins:
            team_id, day = pins[visit.business_id]
            if (team_id, day) not in index:
                raise ValueError(
                    f"{visit.business_id} is pinned to team {team_id} on {day}, "
                    "which does not work that day"
                )
            pinned[i] = index[(team_id, day)]
    return pinned


def _preferences(
    prefer: Mapping[str, tuple[str, dt.date]],
    visits: Sequence[Visit],
    vehicles: Sequence[_Vehicle],
    week: Sequence[dt.date],
) -> np.ndarray:
    index = {(v.team.id, week[v.day]): k for k, v in enumerate(vehicles)}
    return np.array(
        [index.get(prefer.get(visit.business_id, ("", week[0])), -1) for visit in visits],
        dtype=np.int64,
    ).reshape(-1)


# ---------------------------------------------------------------- way back


def solution_to_routes(
    problem: RoutingProblem, solution: Solution, visits: Sequence[Visit]
) -> tuple[Route, ...]:
    """Domain routes of ``solution``: stops with arrival, start and end; lunch; travel totals.

    ``visits`` are the visits the problem was built from, in node order. Arrival is when the team
    reaches the door travelling straight from the previous stop; when the lunch break falls in that
    leg and starts before the team would arrive, the break interrupts the journey and delays the
    arrival by its length (otherwise the team arrives first and eats before the visit starts).
    """
    if tuple(v.business_id for v in visits) != problem.visit_ids:
        raise ValueError("visits do not match the problem's visits")
    routes = []
    for r in solution.routes:
        k = r.vehicle
        depot = int(problem.vehicle_depot[k])
        duration = int(problem.vehicle_lunch[k, 2])
        prev_node, prev_end = depot, r.depart
        stops, travel, metres = [], 0, 0
        for i, start in zip(r.visits, r.starts, strict=True):
            node = problem.node(i)
            leg = int(problem.travel_seconds[prev_node, node])
            arrival = prev_end + leg
            if r.lunch_start >= 0 and prev_end <= r.lunch_start < arrival:
                arrival += duration
            end = start + int(problem.service[i])
            stops.append(Stop(visits[i], arrival, start, end))
            travel += leg
            metres += int(problem.travel_metres[prev_node, node])
            prev_node, prev_end = node, end
        travel += int(problem.travel_seconds[prev_node, depot])
        metres += int(problem.travel_metres[prev_node, depot])
        routes.append(
            Route(
                team_id=problem.vehicle_teams[k],
                day=problem.days[int(problem.vehicle_day[k])],
                officer_ids=problem.vehicle_officers[k],
                stops=tuple(stops),
                lunch_start=r.lunch_start,
                travel_seconds=travel,
                distance_metres=metres,
                depart=r.depart,
                back=r.back,
            )
        )
    return tuple(sorted(routes, key=lambda r: (r.day, r.team_id)))


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where a left-out visit fits into a route: before stop ``position`` (``len`` = at the end),
    starting at ``start``, adding ``detour`` seconds of travel; the route then departs at
    ``depart``, is back at ``back`` and takes its lunch break at ``lunch_start`` (-1: before
    departure or after return)."""

    vehicle: int
    position: int
    start: int
    depart: int
    back: int
    lunch_start: int
    detour: int

    def apply(self, route: RouteSolution | None, visit: int) -> RouteSolution:
        """``route`` (``None``: the vehicle's empty day) with ``visit`` inserted here."""
        visits = route.visits if route is not None else ()
        starts = route.starts if route is not None else ()
        j = self.position
        return RouteSolution(
            self.vehicle,
            (*visits[:j], visit, *visits[j:]),
            (*starts[:j], self.start, *starts[j:]),
            self.depart,
            self.back,
            self.lunch_start,
        )


def _lunch(problem: RoutingProblem, k: int) -> tuple[int, int, int] | None:
    """Vehicle ``k``'s lunch window start, latest start and length, or ``None`` (no break)."""
    window_start, window_end, duration = (int(t) for t in problem.vehicle_lunch[k])
    if duration <= 0 or window_end - duration < window_start:
        return None
    return window_start, window_end - duration, duration


def find_insertion(
    problem: RoutingProblem, vehicle: int, route: RouteSolution | None, visit: int
) -> Insertion | None:
    """The cheapest place ``visit`` fits into ``route`` of ``vehicle`` with every stop kept
    (least added travel, then earliest start).

    Conservative (a place found is always feasible, some feasible ones are missed): the other
    stops keep their start times and a break taken between stops keeps its time. The visit must
    start and end inside one opening window of the vehicle's day, legs are the matrix's, the
    route stays inside the shift, and the lunch break (``planner.solve.add_lunch_breaks``) still
    fits: before departure, after return, or between two stops (interrupting a leg or a wait,
    never a visit). Eligibility (certifications, dates, pins) is the caller's check.
    """
    p, k = problem, vehicle
    depot = int(p.vehicle_depot[k])
    shift_start, shift_end = (int(t) for t in p.vehicle_shift[k])
    node, service = p.node(visit), int(p.service[visit])
    stops = route.visits if route is not None else ()
    starts = route.starts if route is not None else ()
    lunch = _lunch(p, k)
    fixed = route.lunch_start if route is not None and lunch is not None else -1
    best: Insertion | None = None
    for j in range(len(stops) + 1):
        first, last = j == 0, j == len(stops)
        ready = shift_start if first else starts[j - 1] + int(p.service[stops[j - 1]])
        due = shift_end if last else starts[j]
        a = depot if first else p.node(stops[j - 1])
        b = depot if last else p.node(stops[j])
        there, on = int(p.travel_seconds[a, node]), int(p.travel_seconds[node, b])
        detour = there + on - (int(p.travel_seconds[a, b]) if stops else 0)
        for open_, close in p.windows_of(visit, int(p.vehicle_day[k])).tolist():
            gap = _Gap(ready, due, there, on, int(open_), int(close) - service, service)
            for start, lunch_start in gap.starts(lunch, fixed, floating=not (first or last)):
                depart = min(route.depart, start - there) if route is not None else start - there
                depart = depart if first else route.depart  # type: ignore[union-attr]
                back = start + service + on
                back = max(route.back, back) if route is not None and last else back
                back = back if last else route.back  # type: ignore[union-attr]
                if lunch is not None and lunch_start < 0:
                    window_start, latest, duration = lunch
                    if window_start + duration > depart and latest < back:
                        continue  # the break no longer fits before departure or after return
                if best is None or (detour, start) < (best.detour, best.start):
                    best = Insertion(k, j, start, depart, back, lunch_start, detour)
    return best


@dataclass(frozen=True, slots=True)
class _Gap:
    """Between a stop (or the office) free at ``ready`` and the next starting at ``due``: legs
    ``there`` (to the visit) and ``on`` (from it), the visit's start in ``[earliest, latest]``."""

    ready: int
    due: int
    there: int
    on: int
    earliest: int
    latest: int
    service: int

    def starts(
        self, lunch: tuple[int, int, int] | None, fixed: int, *, floating: bool
    ) -> list[tuple[int, int]]:
        """Feasible (start, lunch start) pairs, earliest start of each way to take the break.

        ``fixed`` ≥ 0: the route's break starts then (in this gap the visit goes before or after
        it); otherwise it stays outside the route (-1) or, when ``floating``, moves into the gap.
        """
        found: list[tuple[int, int]] = []
        plain = max(self.ready + self.there, self.earliest)
        if lunch is None:
            self._keep(found, plain, -1, plain + self.service + self.on)
            return found
        window_start, latest_lunch, duration = lunch
        in_gap = fixed >= 0 and self.ready <= fixed and fixed + duration <= self.due
        if fixed >= 0 and not in_gap:
            self._keep(found, plain, fixed, plain + self.service + self.on)
            return found
        if not in_gap:
            self._keep(found, plain, -1, plain + self.service + self.on)
            if not floating:
                return found
        eat = fixed if in_gap else max(window_start, self.ready)
        if eat <= latest_lunch or in_gap:  # the break first, then the visit
            start = max(self.ready + self.there, eat, self.earliest - duration) + duration
            start = max(start, self.earliest)
            self._keep(found, start, eat, start + self.service + self.on)
        end = plain + self.service
        eat = fixed if in_gap else max(window_start, end)
        if eat >= end and (eat <= latest_lunch or in_gap):  # the visit first, then the break
            self._keep(found, plain, eat, max(end + self.on, eat) + duration)
        return found

    def _keep(self, found: list[tuple[int, int]], start: int, lunch: int, arrive: int) -> None:
        if self.earliest <= start <= self.latest and arrive <= self.due:
            found.append((start, lunch))


def capacity_text(problem: RoutingProblem) -> str:
    """``capacity: N h of visits, M h of team time this week`` (visits some team could make)."""
    offered = np.isin(problem.group, problem.group[problem.eligible.any(axis=1)]) & problem.whole
    visit_hours = float(problem.service[offered].sum()) / 3600  # whole visits, not their parts
    shift = problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]
    team_hours = float(np.maximum(shift - problem.vehicle_lunch[:, 2], 0).sum()) / 3600
    return f"capacity: {visit_hours:.0f} h of visits, {team_hours:.0f} h of team time this week"


def _holidays_text(scenario: Scenario, days: Iterable[dt.date]) -> str:
    """``; public holidays: Mon 2026-11-23, …`` for the public holidays among ``days``, else ``""``."""
    holidays = [d for d in days if not scenario.settings.is_working_day(d)]
    named = ", ".join(f"{WEEKDAY_NAMES[d.weekday()]} {d}" for d in holidays)
    return f"; public holidays: {named}" if holidays else ""


def _days_text(problem: RoutingProblem, days: Iterable[int]) -> str:
    return ", ".join(WEEKDAY_NAMES[problem.days[d].weekday()] for d in days)


def route_slack(problem: RoutingProblem, vehicle: int, route: RouteSolution | None) -> int:
    """Seconds of ``vehicle``'s shift spent neither on site, nor travelling, nor at lunch (waits
    count as slack). A visit longer than this fits nowhere in the route."""
    shift = int(problem.vehicle_shift[vehicle, 1] - problem.vehicle_shift[vehicle, 0])
    lunch = _lunch(problem, vehicle)
    free = shift - (lunch[2] if lunch is not None else 0)
    if route is None or not route.visits:
        return free
    depot = int(problem.vehicle_depot[vehicle])
    nodes = [depot, *(problem.node(i) for i in route.visits), depot]
    travel = int(problem.travel_seconds[nodes[:-1], nodes[1:]].sum())
    return free - travel - int(problem.service[list(route.visits)].sum())


def room_text(
    problem: RoutingProblem,
    visit: int,
    routes: Sequence[RouteSolution],
    hours: str,
    slack: Mapping[int, int] | None = None,
) -> str | None:
    """Why a visit some team-day could make is left out, judged against the final ``routes``.

    ``None`` when every team-day that could make it is full (``route_slack`` shorter than the
    visit): capacity. A team-day where it fits (``find_insertion``) means the search left it out;
    room only while the business is closed, or in pieces too short, is said so. ``slack``:
    ``route_slack`` per vehicle, when already computed.
    """
    by_vehicle = {r.vehicle: r for r in routes}
    if slack is None:
        slack = {k: route_slack(problem, k, by_vehicle.get(k)) for k in range(problem.n_vehicles)}
    pin = int(problem.pinned[visit])
    able = [pin] if pin >= 0 else np.flatnonzero(problem.eligible[visit]).tolist()
    service = int(problem.service[visit])
    roomy = []
    for k in able:
        route = by_vehicle.get(k)
        if slack[k] < service:
            continue
        if find_insertion(problem, k, route, visit) is not None:
            day = problem.days[int(problem.vehicle_day[k])]
            return (
                f"left out by the search although team {problem.vehicle_teams[k]} has room "
                f"for it on {WEEKDAY_NAMES[day.weekday()]} {day} (a longer time limit may place it)"
            )
        roomy.append(int(problem.vehicle_day[k]))
    if roomy:
        days = _days_text(problem, sorted(set(roomy)))
        return (
            f"no team-day with room within its opening hours ({hours}): {len(roomy)} team-day(s) "
            f"that could make it have time left ({days}), but only while it is closed or in gaps "
            "between planned visits too short for it"
        )
    return None


def full_text(
    problem: RoutingProblem,
    visit: int,
    routes: Sequence[RouteSolution],
    slack: Mapping[int, int] | None = None,
) -> str:
    """``capacity: …`` for a visit every team-day that could make it is too full for: how many
    there are, on which days, their most free time against the visit's length, and the week's
    hours (``capacity_text``)."""
    if slack is None:
        by_vehicle = {r.vehicle: r for r in routes}
        slack = {k: route_slack(problem, k, by_vehicle.get(k)) for k in range(problem.n_vehicles)}
    pin = int(problem.pinned[visit])
    able = [pin] if pin >= 0 else np.flatnonzero(problem.eligible[visit]).tolist()
    most = max((slack[k] for k in able), default=0) // 60
    days = _days_text(problem, sorted({int(problem.vehicle_day[k]) for k in able}))
    minutes = -(-int(problem.service[visit]) // 60)
    week = capacity_text(problem).removeprefix("capacity: ")
    return (
        f"capacity: all {len(able)} team-day(s) that could make it ({days}) are full "
        f"(at most {max(most, 0)} min free, the visit takes {minutes} min), {week}"
    )


def lunch_blocks_text(problem: RoutingProblem, visit: int, which: str, hours: str) -> str | None:
    """``… and the lunch break leave no N-minute slot …`` when the visit fits no team-day that
    could make it even with nothing else planned (``find_insertion`` into an empty route), because
    the break must lie in its window and never falls inside a visit; ``None`` when one could."""
    pin = int(problem.pinned[visit])
    able = [pin] if pin >= 0 else np.flatnonzero(problem.eligible[visit]).tolist()
    if not able or any(find_insertion(problem, k, None, visit) is not None for k in able):
        return None
    windows = sorted(
        {(int(problem.vehicle_lunch[k, 0]), int(problem.vehicle_lunch[k, 1])) for k in able}
    )
    texts = ", ".join(f"{format_time(a)}-{format_time(b)}" for a, b in windows)
    minutes = -(-int(problem.service[visit]) // 60)
    return (
        f"{which} ({hours}) and the lunch break ({texts}) leave no {minutes}-minute slot in any "
        "shift: the break never falls inside a visit"
    )


def explain_unplanned(
    problem: RoutingProblem,
    visit: int,
    scenario: Scenario,
    visits: Sequence[Visit],
    routes: Sequence[RouteSolution] | None = None,
    slack: Mapping[int, int] | None = None,
) -> str:
    """Why visit ``visit`` is not in the plan, in a planner's words, from the problem's checks.

    The first rule that holds wins: no team at all; no single team certified for every item; every
    certified team has a recused officer; opening hours outside every shift (or too short for the
    visit); a hard deadline (or earliest date) excluding every day that works; a pin to a team-day
    that cannot make it; with the plan's ``routes``, a team-day that could make it with room
    (``room_text``); otherwise capacity.
    """
    checks = problem.day_checks[visit]
    obligations = visits[visit].obligations
    business = scenario.business(problem.visit_ids[visit])

    def days_with(bits: int) -> list[int]:
        return [d for d in range(len(problem.days)) if checks[d] & bits == bits]

    if problem.n_vehicles == 0:
        return "no team works this week"
    if not days_with(CERTIFIED):
        titles = sorted({scenario.item(o.item_id).title for o in obligations})
        if len(titles) <= 3:
            return f"no single team certified for all of {' + '.join(titles)} on any day"
        certs = sorted({scenario.item(o.item_id).certification for o in obligations})
        return (
            f"no single team certified for all {len(titles)} items on any day "
            f"(certifications {', '.join(certs)})"
        )
    if not days_with(CERTIFIED | NOT_RECUSED):
        return "every team certified for it has an officer recused from this business"
    hours = business.visit_hours.text
    which = "opening hours" if business.inspection_hours is None else "inspection hours"
    if not days_with(CERTIFIED | NOT_RECUSED | HOURS_OVERLAP):
        return f"{which} ({hours}) outside every shift"
    fit = days_with(VEHICLE_BITS)
    if not fit:
        minutes = -(-int(problem.service[visit]) // 60)
        return (
            f"{which} ({hours}) leave no {minutes}-minute slot inside any shift "
            "(travel from and to the office included)"
        )
    lunch = lunch_blocks_text(problem, visit, which, hours)
    if lunch is not None:
        return lunch
    if not days_with(VEHICLE_BITS | DATES_OK):
        if problem.hard_deadline[visit] and all(d > problem.last_day[visit] for d in fit):
            deadline = problem.days[int(problem.last_day[visit])]
            reason = f"deadline {deadline} before any feasible day ({_days_text(problem, fit)})"
            return reason + _holidays_text(
                scenario, problem.days[: int(problem.last_day[visit]) + 1]
            )
        earliest = max(o.earliest for o in obligations)
        return f"earliest date {earliest} after every feasible day ({_days_text(problem, fit)})"
    k = int(problem.pinned[visit])
    if k >= 0 and not problem.eligible[visit, k]:
        day = problem.days[int(problem.vehicle_day[k])]
        return f"pinned to team {problem.vehicle_teams[k]} on {day}, which cannot make this visit"
    if routes is not None:
        room = room_text(problem, visit, routes, hours, slack)
        if room is not None:
            return room
        return full_text(problem, visit, routes, slack)
    return capacity_text(problem)


def unplanned_obligations(
    problem: RoutingProblem,
    dropped: Iterable[int],
    scenario: Scenario,
    visits: Sequence[Visit],
    routes: Sequence[RouteSolution] | None = None,
) -> tuple[Unscheduled, ...]:
    """Every obligation of every dropped visit, with its visit's reason (``explain_unplanned``;
    give the plan's ``routes`` so that capacity is said only when every team-day is full)."""
    found = []
    slack = None
    if routes is not None:
        by_vehicle = {r.vehicle: r for r in routes}
        slack = {k: route_slack(problem, k, by_vehicle.get(k)) for k in range(problem.n_vehicles)}
    group, whole = problem.group, problem.whole
    out = set(dropped)
    made = {int(group[i]): i for i in range(problem.n_visits) if i not in out}
    day_of = {
        i: problem.days[int(problem.vehicle_day[r.vehicle])] for r in routes or () for i in r.visits
    }
    for i in sorted(out):
        if not whole[i]:
            continue  # a part left out: its whole visit speaks for the business
        reason = explain_unplanned(problem, i, scenario, visits, routes, slack)
        part = made.get(int(group[i]))
        if part is None:
            found += [Unscheduled(o, reason) for o in visits[i].obligations]
            continue
        checked = set(visits[part].obligations)
        reason = part_visit_text(scenario, visits[part], day_of.get(part), reason)
        found += [Unscheduled(o, reason) for o in visits[i].obligations if o not in checked]
    return tuple(found)


PART_MARK = "(a part visit: the whole visit was not made)"  # reason of the items a part left


def part_visit_text(scenario: Scenario, part: Visit, day: dt.date | None, whole_reason: str) -> str:
    """Why items of a business visited in part were not checked: ``visited on Tue 2026-11-24 for
    Market regulation only (a part visit: the whole visit was not made); <why the whole visit
    was not made>`` (two reasons joined by ``; ``, each translatable: ``planner.i18n``)."""
    names = " + ".join(scenario.department(d).name for d in part.department_ids)
    when = f" on {WEEKDAY_NAMES[day.weekday()]} {day}" if day is not None else ""
    return f"visited{when} for {names} only {PART_MARK}; {whole_reason}"


def part_only_teams(
    scenario: Scenario, visits: Sequence[Visit], teams_by_day: Mapping[dt.date, Sequence[Team]]
) -> set[str]:
    """Businesses whose visit has a department's part that some team of the week is certified
    for while it is not certified for the whole visit (the part is more than a shorter twin of
    the whole: ``SolveParams.part_visits = "auto"``)."""
    held = {
        team_certifications(scenario.inspector(i) for i in team.officer_ids)
        for teams in teams_by_day.values()
        for team in teams
    }
    found = set()
    for visit in visits:
        if len(visit.department_ids) < 2:
            continue
        need = required_certifications(scenario, visit)
        parts = [
            frozenset(scenario.item(o.item_id).certification for o in visit.obligations
                      if o.department_id == d)
            for d in visit.department_ids
        ]  # fmt: skip
        if any(not need <= c and any(p <= c for p in parts) for c in held):
            found.add(visit.business_id)
    return found


def capacity_bound(
    scenario: Scenario, visits: Sequence[Visit], teams_by_day: Mapping[dt.date, Sequence[Team]]
) -> bool:
    """Whether the team-days able to make some visit of several departments whole have less time
    (shift less lunch) than the visits they are certified for take on site.

    Then some whole visits wait whatever the routes, while a part visit (one department's items)
    may be made by teams that could not make the whole (``SolveParams.part_visits = "auto"``).
    Certifications only: hours, recusals and dates are left to routing.
    """
    needs = [required_certifications(scenario, v) for v in visits]
    multi = {n for v, n in zip(visits, needs, strict=True) if len(v.department_ids) > 1}
    if not multi:
        return False
    able: list[frozenset[str]] = []
    have = 0
    for day, teams in teams_by_day.items():
        if not scenario.settings.is_working_day(day):
            continue
        for team in teams:
            officers = [scenario.inspector(i) for i in team.officer_ids]
            certs = team_certifications(officers)
            if not any(n <= certs for n in multi):
                continue
            able.append(certs)
            start, end = team_shift(officers)
            have += max(0, end - start - team_lunch(officers, scenario.settings)[2])
    kinds = set(able)
    need = sum(
        v.service_seconds
        for v, n in zip(visits, needs, strict=True)
        if any(n <= certs for certs in kinds)
    )
    return need > have


def screen_certifications(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    *,
    duration: Callable[[Sequence[Obligation]], int] | None = None,
) -> tuple[tuple[Visit, ...], tuple[Unscheduled, ...]]:
    """Take out of the visits every item no team of the week is certified for.

    Such an item cannot be checked this week whatever the routes; the rest of its visit still can.
    A visit left with no item disappears.

    Parameters
    ----------
    duration
        Seconds on site of a set of obligations (the merge's duration model); by default the visit
        loses the minutes of the items taken out, and keeps at least the township's setup time.

    Returns
    -------
    (visits, unscheduled)
        The visits still to route, and the obligations taken out with
        "no team certified for <item> on any day".
    """
    held: set[str] = set()
    for teams in teams_by_day.values():
        for team in teams:
            held |= team_certifications(scenario.inspector(i) for i in team.officer_ids)
    setup = scenario.settings.setup_minutes * 60
    kept: list[Visit] = []
    out: list[Unscheduled] = []
    for visit in visits:
        ok = [o for o in visit.obligations if scenario.item(o.item_id).certification in held]
        if len(ok) == len(visit.obligations):
            kept.append(visit)
            continue
        for o in visit.obligations:
            if scenario.item(o.item_id).certification not in held:
                title = scenario.item(o.item_id).title
                out.append(Unscheduled(o, f"no team certified for {title} on any day"))
        if not ok:
            continue
        if duration is not None:
            seconds = duration(ok)
        else:
            removed = sum(
                scenario.item(o.item_id).minutes * 60 for o in visit.obligations if o not in ok
            )
            seconds = max(setup, visit.service_seconds - removed)
        kept.append(Visit(visit.business_id, tuple(ok), seconds))
    return tuple(kept), tuple(out)
