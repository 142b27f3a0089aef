"""Immutable domain objects of joint-inspection planning (综合查一次).

Units contract (holds everywhere in ``planner``):

- coordinates are ``(lon, lat)`` in WGS84 degrees at the edges (files, maps, exports);
- durations and times inside the solver are integer **seconds**; distances integer **metres**;
- a time of day is an integer number of seconds from midnight in the township's local time
  (``Settings.timezone``); a span may end after midnight (``end > 86_400``) for overnight opening;
- calendar dates are ``datetime.date``; weekdays are ``0 = Monday … 6 = Sunday``;
- minutes appear only where people type them (item minutes, lunch length) and are named ``*_minutes``;
- ids are non-empty strings, never positions in a list.

Every class is a frozen, slotted dataclass holding tuples, so a ``Scenario`` or a ``Plan`` can be
shared between threads, cached and compared for equality.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

DAY = 86_400
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Risk(StrEnum):
    """Risk class of a business (风险等级); decides how often each item is due."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Result(StrEnum):
    """Result of one inspected item."""

    PASS = "pass"
    FINDINGS = "findings"
    FAIL = "fail"


class TaskKind(StrEnum):
    """Why an explicit task exists."""

    COMPLAINT = "complaint"
    FOLLOW_UP = "follow_up"
    CAMPAIGN = "campaign"


class Reason(StrEnum):
    """Why an obligation exists (检查任务来源)."""

    ROUTINE = "routine"
    FOLLOW_UP = "follow_up"
    COMPLAINT = "complaint"
    CAMPAIGN = "campaign"
    RANDOM_DRAW = "random_draw"


class DrawMode(StrEnum):
    """Whether a random draw replaces the department's routine frequency or comes on top of it."""

    REPLACE = "replace"
    ADD = "add"


class DeferKind(StrEnum):
    """Why an obligation of the week is not in a field visit (machine-readable; see ``Deferred``)."""

    DESK = "desk_review"
    NOT_DUE = "not_due"
    NOT_OPEN = "not_open"
    NO_VISIT = "no_visit"


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """One opening span on one weekday, ``start`` < ``end`` in seconds from that day's midnight."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """A weekly opening pattern; ``text`` is the readable form it was parsed from."""

    text: str
    spans: tuple[TimeSpan, ...]

    def windows_on(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """Open windows on ``weekday`` as (start, end) seconds, including yesterday's overnight tail."""
        own = [(s.start, min(s.end, DAY)) for s in self.spans if s.weekday == weekday]
        yesterday = (weekday - 1) % 7
        tail = [(0, s.end - DAY) for s in self.spans if s.weekday == yesterday and s.end > DAY]
        return tuple(sorted(tail + own))

    def open_days(self) -> tuple[int, ...]:
        """Weekdays with at least one open window."""
        return tuple(d for d in range(7) if self.windows_on(d))


@dataclass(frozen=True, slots=True)
class Office:
    """A base where teams start and end their day."""

    id: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Settings:
    """Township-level facts from ``settings.toml``."""

    township: str
    township_zh: str
    timezone: str
    week_start: dt.date
    offices: tuple[Office, ...]
    shift_start: int
    shift_end: int
    lunch_start: int
    lunch_end: int
    lunch_minutes: int
    setup_minutes: int = 10
    holidays: tuple[dt.date, ...] = ()  # public holidays (no shifts, no visits), sorted

    def office(self, office_id: str) -> Office:
        """The office with ``office_id``."""
        return next(o for o in self.offices if o.id == office_id)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether teams work on ``day``: every day but a public holiday (officers' own
        ``working_days`` still apply on top)."""
        return day not in self.holidays


@dataclass(frozen=True, slots=True)
class Department:
    """An authority that owes inspections (部门)."""

    id: str
    name: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a department checks (检查事项), from the inspection catalogue."""

    id: str
    department_id: str
    title: str
    title_zh: str
    minutes: int
    certification: str
    interval_days: tuple[tuple[Risk, int], ...]
    follow_up_days: int
    unannounced: bool
    desk_review: bool
    categories: tuple[str, ...]
    legal_basis: str

    def interval_for(self, risk: Risk) -> int:
        """Days between routine inspections of a business of class ``risk``."""
        return dict(self.interval_days)[risk]

    def applies_to(self, category: str) -> bool:
        """Whether the item is on the scenario checklist of ``category`` (``*`` = every category)."""
        return "*" in self.categories or category in self.categories

    def applies_to_any(self, categories: Iterable[str]) -> bool:
        """Whether the item is on the checklist of at least one of ``categories`` (licences)."""
        return "*" in self.categories or any(c in self.categories for c in categories)


@dataclass(frozen=True, slots=True)
class Checklist:
    """The items that apply to one business category (综合查一次场景清单)."""

    category: str
    item_ids: tuple[str, ...]


CATEGORY_SEPARATOR = ";"


@dataclass(frozen=True, slots=True)
class Business:
    """A place that gets inspected (检查对象).

    ``category`` holds one category per licence the business holds, separated by ``;``
    (``restaurant;shop``); ``categories`` is that list. Its checklist is the union of its
    categories' checklists, each item once.
    """

    id: str
    name: str
    category: str
    lon: float
    lat: float
    address: str
    risk: Risk
    opening_hours: OpeningHours
    phone: str = ""
    inspection_hours: OpeningHours | None = (
        None  # when inspectors may come, if not the opening hours
    )

    @property
    def visit_hours(self) -> OpeningHours:
        """When a visit may take place: the inspection window where given, else the opening hours."""
        return self.opening_hours if self.inspection_hours is None else self.inspection_hours

    def with_visit_hours(self, hours: OpeningHours) -> Business:
        """This business with ``hours`` as its visit hours (the field that ``visit_hours`` reads)."""
        if self.inspection_hours is None:
            return replace(self, opening_hours=hours)
        return replace(self, inspection_hours=hours)

    @property
    def categories(self) -> tuple[str, ...]:
        """The business's categories (one per licence), in the order given."""
        return split_categories(self.category)


def split_categories(text: str) -> tuple[str, ...]:
    """``'Shop; restaurant;shop'`` → ``('shop', 'restaurant')``: lower-cased, each once, in order."""
    parts = (c.strip().lower() for c in text.split(CATEGORY_SEPARATOR))
    return tuple(dict.fromkeys(c for c in parts if c))


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """The last inspection of one item at one business."""

    business_id: str
    item_id: str
    date: dt.date
    result: Result
    officer_ids: tuple[str, ...] = ()  # who inspected (optional; feeds the rotation rule)


@dataclass(frozen=True, slots=True)
class Task:
    """An explicit obligation: complaint, follow-up or campaign, with a deadline."""

    id: str
    business_id: str
    item_id: str
    kind: TaskKind
    earliest: dt.date | None
    deadline: dt.date
    priority: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Inspector:
    """An officer (执法人员) with certifications (持证) and a weekly roster."""

    id: str
    name: str
    department_id: str
    certifications: tuple[str, ...]
    working_days: tuple[int, ...]
    hours_start: int
    hours_end: int
    base: str
    certificate_no: str = ""
    lunch_start: int = -1  # the officer's own lunch window; -1: the township's (Settings)
    lunch_end: int = -1

    def certified_for(self, certification: str) -> bool:
        """Whether the officer holds ``certification``."""
        return certification in self.certifications


@dataclass(frozen=True, slots=True)
class Team:
    """Two or more officers travelling together (联合检查组); ``days`` empty = every working day.

    A ``pairing`` is a partial lock: these officers work together, and team formation may add
    members up to the maximum team size; otherwise the team is exactly ``officer_ids``.
    """

    id: str
    officer_ids: tuple[str, ...]
    days: tuple[int, ...] = ()
    pairing: bool = False


@dataclass(frozen=True, slots=True)
class Obligation:
    """One item owed at one business within a window (检查任务)."""

    business_id: str
    item_id: str
    department_id: str
    earliest: dt.date
    due: dt.date
    reason: Reason
    priority: int
    unannounced: bool = False
    task_id: str = ""


@dataclass(frozen=True, slots=True)
class Visit:
    """One combined visit (联合检查) to one business discharging a set of obligations."""

    business_id: str
    obligations: tuple[Obligation, ...]
    service_seconds: int

    @property
    def department_ids(self) -> tuple[str, ...]:
        """Departments whose items are checked at this visit, sorted."""
        return tuple(sorted({o.department_id for o in self.obligations}))


@dataclass(frozen=True, slots=True)
class Stop:
    """A visit placed in a route: arrival, start and end in seconds of the route's day."""

    visit: Visit
    arrival: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Route:
    """One team's ordered visits on one day.

    ``depart`` and ``back`` are when the team leaves and returns to its office, ``lunch_start`` when
    its lunch break starts (-1: taken outside the route), all in seconds of ``day``; ``travel_seconds``
    and ``distance_metres`` cover the whole route, office to office.
    """

    team_id: str
    day: dt.date
    officer_ids: tuple[str, ...]
    stops: tuple[Stop, ...]
    lunch_start: int = -1
    travel_seconds: int = 0
    distance_metres: int = 0
    depart: int = -1
    back: int = -1


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """An obligation the plan could not place, with a reason a planner understands."""

    obligation: Obligation
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    """The week's routes, what could not be scheduled, and the metrics (周计划)."""

    week_start: dt.date
    routes: tuple[Route, ...]
    unscheduled: tuple[Unscheduled, ...]
    metrics: tuple[tuple[str, float], ...] = ()


class OutcomeStatus(StrEnum):
    """What happened to one item of a planned visit (检查结果)."""

    DONE = "done"
    NOT_OPEN = "not_open"
    REFUSED = "refused"
    POSTPONED = "postponed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The recorded outcome of one item at one business's visit of a plan.

    ``result`` is given exactly when ``status`` is ``done``; ``date`` is the day it happened.
    """

    business_id: str
    item_id: str
    date: dt.date
    status: OutcomeStatus
    result: Result | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Recusal:
    """An officer who must not inspect a business (回避), or must not work with another officer.

    Exactly one of ``business_id`` and ``other_inspector_id`` is non-empty.
    """

    inspector_id: str
    business_id: str
    reason: str
    other_inspector_id: str = ""


@dataclass(frozen=True, slots=True)
class DrawRule:
    """A department samples ``ratio`` of a category's businesses every ``period_days`` (双随机).

    ``category`` ``*`` means every business where the department has an applicable item;
    ``seed`` ``None`` uses the plan's draw seed.
    """

    department_id: str
    category: str
    ratio: float
    period_days: int
    mode: DrawMode = DrawMode.ADD
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class DrawLog:
    """The audit record of one random draw: enough to recompute it (``planner.draws.redraw``)."""

    rule: DrawRule
    period_start: dt.date
    period_end: dt.date
    seed: int
    coordinated: bool
    population: tuple[str, ...]
    drawn: tuple[str, ...]
    method: str = "sha256-prn"


@dataclass(frozen=True, slots=True)
class Deferred:
    """An obligation of the week that is in no field visit, with a reason a planner understands."""

    obligation: Obligation
    reason: str
    kind: DeferKind = DeferKind.NOT_DUE


@dataclass(frozen=True, slots=True)
class WeekDemand:
    """The week's candidate visits, the obligations deferred with reasons, and the draws behind them.

    Every obligation given to the merge is in exactly one visit or in ``deferred``.
    """

    week_start: dt.date
    visits: tuple[Visit, ...]
    deferred: tuple[Deferred, ...]
    draws: tuple[DrawLog, ...] = ()

    @property
    def desk_queue(self) -> tuple[Obligation, ...]:
        """Obligations routed to desk review instead of the field."""
        return tuple(d.obligation for d in self.deferred if d.kind == DeferKind.DESK)

    @property
    def service_seconds(self) -> int:
        """Total on-site time of the visits."""
        return sum(v.service_seconds for v in self.visits)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a township plans from, validated and immutable."""

    settings: Settings
    departments: tuple[Department, ...]
    items: tuple[Item, ...]
    businesses: tuple[Business, ...]
    history: tuple[HistoryRecord, ...] = ()
    tasks: tuple[Task, ...] = ()
    inspectors: tuple[Inspector, ...] = ()
    teams: tuple[Team, ...] = ()
    recusals: tuple[Recusal, ...] = ()
    draws: tuple[DrawRule, ...] = ()
    _index: dict[str, dict[str, object]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def checklists(self) -> tuple[Checklist, ...]:
        """The scenario checklist of every business category present (each licence on its own)."""
        categories = sorted({c for b in self.businesses for c in b.categories})
        return tuple(
            Checklist(c, tuple(i.id for i in self.items if i.applies_to(c))) for c in categories
        )

    def checklist_of(self, business: Business) -> tuple[str, ...]:
        """Ids of the items checked at ``business``: its categories' checklists, each item once."""
        return tuple(i.id for i in self.items if i.applies_to_any(business.categories))

    def _by_id(self, table: str) -> dict[str, object]:
        if table not in self._index:
            self._index[table] = {row.id: row for row in getattr(self, table)}
        return self._index[table]

    def business(self, business_id: str) -> Business:
        """The business with ``business_id``."""
        return self._by_id("businesses")[business_id]  # type: ignore[return-value]

    def item(self, item_id: str) -> Item:
        """The catalogue item with ``item_id``."""
        return self._by_id("items")[item_id]  # type: ignore[return-value]

    def department(self, department_id: str) -> Department:
        """The department with ``department_id``."""
        return self._by_id("departments")[department_id]  # type: ignore[return-value]

    def inspector(self, inspector_id: str) -> Inspector:
        """The inspector with ``inspector_id``."""
        return self._by_id("inspectors")[inspector_id]  # type: ignore[return-value]
