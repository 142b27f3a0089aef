"""Persistence (SQLAlchemy): scenario versions, plan lifecycle, visits, notices, outcomes, audit log.

The store is one of the three edges that touch the outside world (with ``load`` and the CLI/app):
it reads the clock and the database, nothing else. What it computes from stored data lives in
plain functions of their inputs: ``planner.outcomes`` (``apply_outcomes``: a week's outcomes → next
week's scenario) and ``planner.replan`` (``apply_changes``, ``resolve_rest_of_week``,
``diff_plans``); ``replan_week`` here runs a re-plan against a stored plan and stores it.

Default database: an embedded SQLite file in the user's data directory, in WAL mode;
``PLANNER_DATABASE_URL`` (or ``Store(url)``) selects another, e.g. PostgreSQL
(``postgresql://user:pass@host:5432/db``, driven by psycopg 3). The schema is created and upgraded
by Alembic migrations shipped inside the package (``planner/migrations``); ``Store.init`` runs them.

Every change is one transaction: it writes its rows and its audit-log entry together or not at
all. Plans carry a ``version`` counter (optimistic locking): a change made against an older
version is refused with ``ConflictError``, never applied over someone else's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from planner.domain import (
    Obligation,
    Outcome,
    OutcomeStatus,
    Plan,
    Reason,
    Result,
    Route,
    Scenario,
    Stop,
    Unscheduled,
    Visit,
)
from planner.errors import PlannerError, Problem
from planner.outcomes import RecordedOutcome, apply_outcomes
from planner.params import PlanParams, SolveParams
from planner.replan import (
    RETIME_TOLERANCE,
    Change,
    Placed,
    PlanDiff,
    Slot,
    UrgentTask,
    VisitChange,
    apply_changes,
    change_from_dict,
    change_to_dict,
    describe_change,
    diff_pairs,
    has_moved,
    pair_visits,
    placed_visits,
    resolve_rest_of_week,
    told_items,
    why_dropped,
)

ENV_URL = "PLANNER_DATABASE_URL"
PAUSE_ENV = "PLANNER_STORE_PAUSE"  # test hook: block inside a transaction at a named point
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PUBLISHED_WEEK_INDEX = "uq_plans_published_week"


# ---------------------------------------------------------------- errors


class StoreError(PlannerError):
    """The store refused a read or a write; the message says why and what to do.

    ``problems`` lists every reason when a write was refused for several.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        if self.problems:
            message += "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class NotFoundError(StoreError):
    """An id that is not in the database (plan, scenario version, visit …)."""


class StateError(StoreError):
    """The plan's status does not allow the change (e.g. outcomes for a draft)."""


class ConflictError(StoreError):
    """Someone else changed the plan since it was read (optimistic versioning)."""


class SchemaError(StoreError):
    """The database has no schema yet, or an older one: run ``python -m planner db init``."""


# ---------------------------------------------------------------- public records


class PlanStatus(StrEnum):
    """Lifecycle of a week's plan: draft → published → closed."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ScenarioVersion:
    """One stored version of the scenario (an import, or the outcomes of a closed week)."""

    id: int
    township: str
    created_at: dt.datetime
    created_by: str
    source: str
    note: str
    parent_id: int | None
    digest: str


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A stored plan's header: status, optimistic-lock ``version``, revision, who and when."""

    id: int
    scenario_version_id: int
    week_start: dt.date
    status: PlanStatus
    version: int
    revision: int
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
    published_at: dt.datetime | None
    published_by: str | None
    closed_at: dt.datetime | None
    closed_by: str | None
    next_scenario_version_id: int | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log: who did what, when and why."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: int
    version: int | None
    why: str
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Notice:
    """What a business was told about its visit: announce, change or cancel (announced items only)."""

    id: int
    plan_id: int
    visit_id: int
    revision: int
    kind: str
    business_id: str
    day: dt.date
    start: int
    end: int
    team_id: str
    item_ids: tuple[str, ...]
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class ReplanDraft:
    """A re-plan waiting to be re-published: the plan it proposes, its diff, who and why.

    Businesses still see the published plan; ``renotify`` lists those a re-publish notifies.
    """

    plan_id: int
    based_on_version: int
    from_day: dt.date
    plan: Plan
    diff: PlanDiff
    changes: tuple[Change, ...]
    created_at: dt.datetime
    created_by: str
    why: str

    @property
    def renotify(self) -> tuple[str, ...]:
        """Business ids that get a change, cancellation or announcement when re-published."""
        return self.diff.renotify


# ---------------------------------------------------------------- schema (ORM)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of the store's tables (the migrations create the same schema)."""

    metadata = MetaData(naming_convention=NAMING)


class ScenarioVersionRow(Base):
    """A scenario version; its tables live in ``scenario_tables``."""

    __tablename__ = "scenario_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    township: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_versions.id"))
    digest: Mapped[str] = mapped_column(String(64))
    settings_toml: Mapped[str] = mapped_column(Text)


class ScenarioTableRow(Base):
    """One table of a scenario version as a JSON document: the file format's rows of strings."""

    __tablename__ = "scenario_tables"
    version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    columns: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class PlanRow(Base):
    """A week's plan: status, optimistic-lock version, current revision, who and when."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[list[list[Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    next_scenario_version_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_versions.id"))
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="status"),
        # One published plan per week, in the database itself (migration 0002): two publishes
        # racing past the store's own check cannot both commit.
        Index(
            PUBLISHED_WEEK_INDEX,
            "week_start",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}


class PlanRevisionRow(Base):
    """A snapshot of a plan at each revision (saved, edited, re-planned), with the diff."""

    __tablename__ = "plan_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    why: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_revisions_number"),)


class RouteRow(Base):
    """One team's day in a plan (its officers); visits name the team-day they are in."""

    __tablename__ = "routes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[dt.date] = mapped_column(Date)
    officer_ids: Mapped[list[str]] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)  # depart, back, lunch, travel, distance …
    __table_args__ = (UniqueConstraint("plan_id", "team_id", "day", name="uq_routes_team_day"),)


class VisitRow(Base):
    """One visit of a plan; ``state`` dropped keeps a re-plan's cancelled visits for the record."""

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    business_id: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    arrival: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    service_seconds: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    state_reason: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    __table_args__ = (CheckConstraint("state IN ('planned', 'dropped')", name="state"),)


class VisitItemRow(Base):
    """One obligation discharged by a visit (its item, reason, due date, unannounced flag …)."""

    __tablename__ = "visit_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[str] = mapped_column(String(100))
    earliest: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer)
    unannounced: Mapped[bool] = mapped_column(Boolean)
    task_id: Mapped[str] = mapped_column(String(100))


class UnscheduledRow(Base):
    """An obligation the plan could not place, with the reason."""

    __tablename__ = "unscheduled"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    business_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[str] = mapped_column(String(100))
    earliest: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer)
    unannounced: Mapped[bool] = mapped_column(Boolean)
    task_id: Mapped[str] = mapped_column(String(100))
    why: Mapped[str] = mapped_column(Text)


class NoticeRow(Base):
    """A notice to a business about its visit (never lists unannounced items)."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    business_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[dt.date] = mapped_column(Date)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[str] = mapped_column(String(100))
    item_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    __table_args__ = (CheckConstraint("kind IN ('announce', 'change', 'cancel')", name="kind"),)


class OutcomeRow(Base):
    """The outcome of one item at one visit; ``result`` exactly when ``status`` is done."""

    __tablename__ = "outcomes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    item_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(String(16))
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))
    __table_args__ = (
        UniqueConstraint("visit_id", "item_id", name="uq_outcomes_visit_item"),
        CheckConstraint("status IN ('done', 'not_open', 'refused', 'postponed')", name="status"),
        CheckConstraint(
            "(status = 'done' AND result IN ('pass', 'findings', 'fail')) "
            "OR (status <> 'done' AND result IS NULL)",
            name="result",
        ),
    )


class ReplanDraftRow(Base):
    """A drafted re-plan of a published plan: applied (and its notices sent) when re-published."""

    __tablename__ = "replan_drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), unique=True)
    based_on_version: Mapped[int] = mapped_column(Integer)
    from_day: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    why: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditRow(Base):
    """Append-only: the code only inserts; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int | None] = mapped_column(Integer)
    why: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


# ---------------------------------------------------------------- engine and migrations


def default_url() -> str:
    """``PLANNER_DATABASE_URL``, else a SQLite file in the user's data directory."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('planner', appauthor=False)) / 'planner.db'}"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a plain ``postgresql://`` (or ``postgres://``) URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling would defer BEGIN; we emit BEGIN ourselves (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, and vice versa
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")  # wait for another writer instead of failing
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A write takes the lock at BEGIN (IMMEDIATE), so two writers queue instead of failing later.
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys and real transactions."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration shipped with this package."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()
    assert head is not None
    return head


# ---------------------------------------------------------------- pure helpers


def _week_days(week_start: dt.date) -> tuple[dt.date, dt.date]:
    return week_start, week_start + dt.timedelta(days=6)


def _week_text(week_start: dt.date) -> str:
    first, last = _week_days(week_start)
    return f"{first}–{last}"


def scenario_document(scenario: Scenario) -> tuple[str, dict[str, tuple[list[str], list[dict]]]]:
    """``settings.toml`` text and every table as (columns, rows of strings) — the file format."""
    from planner.tables import scenario_to_frames, settings_to_toml

    tables = {
        name: (list(frame.columns), frame.to_dict(orient="records"))
        for name, frame in scenario_to_frames(scenario).items()
    }
    return settings_to_toml(scenario.settings), tables


def scenario_from_document(
    settings_toml: str, tables: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, str]]]]
) -> Scenario:
    """Validate a stored document back into a ``Scenario`` (the same checks as files get)."""
    scenario, problems = check_document(settings_toml, tables)
    if scenario is None:
        errors = [str(p) for p in problems if p.severity == "error"]
        raise StoreError("a stored scenario version no longer validates", errors)
    return scenario


def check_document(
    settings_toml: str, tables: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, str]]]]
) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Validate a scenario document (``scenario_document``): the scenario (``None`` on any error)
    and every problem found, as ``planner.load.check_scenario`` gives them for files."""
    from planner.load import RawScenario, RawTable
    from planner.tables import SETTINGS_FILE
    from planner.validate import validate_raw

    raw_tables = {
        name: RawTable(
            name,
            f"{name}.csv",
            tuple(columns),
            [(n, {c: str(r.get(c, "")) for c in columns}) for n, r in enumerate(rows, start=2)],
        )
        for name, (columns, rows) in tables.items()
    }
    settings = tomllib.loads(settings_toml)
    raw = RawScenario("store", SETTINGS_FILE, settings, raw_tables)
    return validate_raw(raw)


def _digest(settings_toml: str, tables: Mapping[str, Any]) -> str:
    text = json.dumps([settings_toml, tables], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _obligation_dict(o: Obligation) -> dict[str, Any]:
    return {
        "business_id": o.business_id,
        "item_id": o.item_id,
        "department_id": o.department_id,
        "earliest": o.earliest.isoformat(),
        "due": o.due.isoformat(),
        "reason": o.reason.value,
        "priority": o.priority,
        "unannounced": o.unannounced,
        "task_id": o.task_id,
    }


def _obligation_from_dict(d: Mapping[str, Any]) -> Obligation:
    return Obligation(
        d["business_id"],
        d["item_id"],
        d["department_id"],
        dt.date.fromisoformat(d["earliest"]),
        dt.date.fromisoformat(d["due"]),
        Reason(d["reason"]),
        int(d["priority"]),
        bool(d["unannounced"]),
        d["task_id"],
    )


ROUTE_CORE = ("team_id", "day", "officer_ids", "stops")


def route_extra(route: Route) -> dict[str, Any]:
    """A route's fields beyond team, day, officers and stops (times, lunch, travel totals)."""
    return {f.name: getattr(route, f.name) for f in fields(Route) if f.name not in ROUTE_CORE}


def _route_of(
    team_id: str, day: dt.date, officers: Sequence[str], stops: tuple[Stop, ...], extra: Mapping
) -> Route:
    known = {f.name for f in fields(Route)} - set(ROUTE_CORE)
    kept = {k: v for k, v in extra.items() if k in known}
    return Route(team_id, day, tuple(officers), stops, **kept)


def metrics_document(metrics: Iterable[tuple[str, float]]) -> list[list[Any]]:
    """Metrics as JSON pairs; non-finite values as text (JSON has no NaN or infinity)."""
    return [[k, float(v) if math.isfinite(v) else str(float(v))] for k, v in metrics]


def metrics_of(document: Iterable[Sequence[Any]]) -> tuple[tuple[str, float], ...]:
    """The inverse of ``metrics_document``."""
    return tuple((str(k), float(v)) for k, v in document)


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """A plan as a JSON-ready dictionary (what a revision keeps)."""
    return {
        "week_start": plan.week_start.isoformat(),
        "routes": [
            {
                "team_id": r.team_id,
                "day": r.day.isoformat(),
                "officer_ids": list(r.officer_ids),
                "extra": route_extra(r),
                "stops": [
                    {
                        "business_id": s.visit.business_id,
                        "service_seconds": s.visit.service_seconds,
                        "arrival": s.arrival,
                        "start": s.start,
                        "end": s.end,
                        "obligations": [_obligation_dict(o) for o in s.visit.obligations],
                    }
                    for s in r.stops
                ],
            }
            for r in plan.routes
        ],
        "unscheduled": [
            {"obligation": _obligation_dict(u.obligation), "reason": u.reason}
            for u in plan.unscheduled
        ],
        "metrics": metrics_document(plan.metrics),
    }


def plan_from_snapshot(data: Mapping[str, Any]) -> Plan:
    """The inverse of ``plan_snapshot``."""
    routes = tuple(
        _route_of(
            r["team_id"],
            dt.date.fromisoformat(r["day"]),
            r["officer_ids"],
            tuple(
                Stop(
                    Visit(
                        s["business_id"],
                        tuple(_obligation_from_dict(o) for o in s["obligations"]),
                        int(s["service_seconds"]),
                    ),
                    int(s["arrival"]),
                    int(s["start"]),
                    int(s["end"]),
                )
                for s in r["stops"]
            ),
            r.get("extra", {}),
        )
        for r in data["routes"]
    )
    unscheduled = tuple(
        Unscheduled(_obligation_from_dict(u["obligation"]), u["reason"])
        for u in data["unscheduled"]
    )
    week_start = dt.date.fromisoformat(data["week_start"])
    return Plan(week_start, routes, unscheduled, metrics_of(data["metrics"]))


def plan_problems(plan: Plan, scenario: Scenario) -> list[str]:
    """Every reason ``plan`` cannot be stored against ``scenario`` (unknown ids, days off-week)."""
    first, last = _week_days(plan.week_start)
    businesses = {b.id for b in scenario.businesses}
    items = {i.id for i in scenario.items}
    officers = {p.id for p in scenario.inspectors}
    problems: list[str] = []
    for route in plan.routes:
        where = f"route {route.team_id} {route.day}"
        if not first <= route.day <= last:
            problems.append(f"{where}: day outside the week {_week_text(plan.week_start)}")
        for officer in route.officer_ids:
            if officer not in officers:
                problems.append(f"{where}: unknown officer '{officer}'")
        for stop in route.stops:
            business = stop.visit.business_id
            if business not in businesses:
                problems.append(f"{where}: unknown business '{business}'")
            for o in stop.visit.obligations:
                if o.item_id not in items:
                    problems.append(f"{where}: unknown item '{o.item_id}' at '{business}'")
                if o.business_id != business:
                    problems.append(f"{where}: an obligation of '{o.business_id}' at '{business}'")
    for u in plan.unscheduled:
        if u.obligation.business_id not in businesses:
            problems.append(f"unscheduled: unknown business '{u.obligation.business_id}'")
        if u.obligation.item_id not in items:
            problems.append(f"unscheduled: unknown item '{u.obligation.item_id}'")
    return problems


def _diff_dict(diff: PlanDiff) -> dict[str, Any]:
    def slot(s: Slot | None) -> dict[str, Any] | None:
        if s is None:
            return None
        return {"team_id": s.team_id, "day": s.day.isoformat(), "start": s.start, "end": s.end}

    def changes(cs: tuple[VisitChange, ...]) -> list[dict[str, Any]]:
        return [
            {
                "business_id": c.business_id,
                "item_ids": list(c.item_ids),
                "before": slot(c.before),
                "after": slot(c.after),
                "reason": c.reason,
                "announced": c.announced,
            }
            for c in cs
        ]

    return {
        "moved": changes(diff.moved),
        "added": changes(diff.added),
        "dropped": changes(diff.dropped),
        "changed": changes(diff.changed),
        "unchanged": diff.unchanged,
    }


def replan_week(
    store: Store,
    plan_id: int,
    changes: Sequence[Change],
    *,
    from_day: dt.date,
    by: str,
    why: str = "",
    params: PlanParams | None = None,
    solve_params: SolveParams | None = None,
    expected_version: int | None = None,
) -> PlanDiff:
    """Re-plan a published week from ``from_day`` after ``changes`` as a draft; returns the diff.

    Days before ``from_day`` and visits already started stay as they are; the week's teams are
    kept where their officers still work and announced visits stay on their team-day and time
    where it still works (see ``resolve_rest_of_week``). The re-plan is stored as a draft
    (``Store.replan``): businesses see the published plan until ``Store.publish`` re-publishes
    it, which sends the notices of moved, dropped and added visits.

    Raises
    ------
    ConflictError
        When the plan changed since ``expected_version`` (or while re-solving).
    StoreError
        When the plan is not published or ``from_day`` is outside its week.
    """
    info = store.plan_info(plan_id)
    first, last = _week_days(info.week_start)
    if not first <= from_day <= last:
        raise StoreError(f"{from_day} is outside the week {_week_text(info.week_start)}")
    if info.status != PlanStatus.PUBLISHED:
        raise StateError(f"cannot re-plan plan {plan_id}: it is {info.status}, not published")
    version = info.version if expected_version is None else expected_version
    old = store.load_plan(plan_id)
    scenario = apply_changes(store.plan_scenario(plan_id), changes, info.week_start)
    new = resolve_rest_of_week(
        scenario, old, from_day=from_day, keep=store.announced_visits(plan_id),
        fixed=store.fixed_visits(plan_id, from_day), params=params, solve_params=solve_params,
    )  # fmt: skip
    return store.replan(
        plan_id, new, from_day=from_day, by=by, why=why, changes=changes,
        expected_version=version,
    )  # fmt: skip


def pause_point(name: str) -> None:
    """Test hook: when ``PLANNER_STORE_PAUSE`` names this point, say so and block (to be killed).

    Only the kill-in-the-middle tests set the variable; it is inert otherwise.
    """
    if os.environ.get(PAUSE_ENV) != name:
        return
    print(f"PAUSED {name}", flush=True)
    sys.stdout.flush()
    while True:  # pragma: no cover - the test kills the process here
        time.sleep(60)


# ---------------------------------------------------------------- the store


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def local_time(moment: dt.datetime) -> str:
    """A stored (UTC) timestamp as local time, e.g. ``2026-11-25 10:42``."""
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class Store:
    """The planner's database: scenario versions, plans and their lifecycle, outcomes, audit log.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``None`` uses ``PLANNER_DATABASE_URL`` or the default SQLite file.
    clock
        Returns the current time (aware or UTC); tests pass a fixed one.
    """

    def __init__(
        self, url: str | None = None, *, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.url = normalise_url(url or default_url())
        self._engine = make_engine(self.url)
        self._writer = self._engine.execution_options(immediate=True)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._schema_ok = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def _now(self) -> dt.datetime:
        return _utc_naive(self._clock())

    # ---- schema

    def init(self) -> str:
        """Create or upgrade the schema to the newest migration; returns its revision id."""
        from alembic import command

        with self._writer.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
        self._schema_ok = True
        return head_revision()

    def schema_revision(self) -> str | None:
        """The migration the database is at (``None`` before ``init``)."""
        from alembic.runtime.migration import MigrationContext

        with self._engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def _check_schema(self) -> None:
        if self._schema_ok:
            return
        try:
            current = self.schema_revision()
        except OperationalError as exc:
            raise SchemaError(f"cannot open the database {self._safe_url()}: {exc.orig}") from None
        head = head_revision()
        if current is None:
            raise SchemaError(
                f"the database {self._safe_url()} has no planner schema yet: "
                "run `python -m planner db init`"
            )
        if current != head:
            raise SchemaError(
                f"the database {self._safe_url()} is at schema {current}, this planner needs "
                f"{head}: run `python -m planner db init` to upgrade it"
            )
        self._schema_ok = True

    def _safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    # ---- transactions

    @contextmanager
    def _read(self) -> Iterator[Session]:
        self._check_schema()
        with Session(self._engine) as session, session.begin():
            yield session

    @contextmanager
    def _write(self, plan_id: int | None = None) -> Iterator[Session]:
        self._check_schema()
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except StaleDataError:
            # Another transaction changed the plan between our read and our write.
            raise self._conflict(plan_id or 0) from None
        except IntegrityError as exc:
            if _is_published_week_violation(exc):
                # Another publish of the same week committed first (the partial unique index).
                raise self._week_taken(plan_id or 0) from None
            raise StoreError(f"the database refused the change: {exc.orig}") from None
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise StoreError(
                    "the database is busy (another planner is saving); try again"
                ) from None
            raise

    def _conflict(self, plan_id: int, *, expected: int | None = None) -> ConflictError:
        with Session(self._engine) as session:
            row = session.get(PlanRow, plan_id)
            if row is None:
                return ConflictError(f"plan {plan_id} was deleted meanwhile")
            told = f" (you had version {expected})" if expected is not None else ""
            return ConflictError(
                f"plan {plan_id} was changed by {row.updated_by} at {local_time(row.updated_at)} "
                f"(version {row.version}){told}; reload and redo your change"
            )

    def _week_taken(self, plan_id: int, other: PlanRow | None = None) -> ConflictError:
        """The conflict of publishing ``plan_id`` when another plan of its week is published."""
        with Session(self._engine) as session:
            row = session.get(PlanRow, plan_id)
            if other is None and row is not None:
                other = session.scalars(
                    select(PlanRow).where(
                        PlanRow.week_start == row.week_start,
                        PlanRow.status == PlanStatus.PUBLISHED.value,
                        PlanRow.id != plan_id,
                    )
                ).first()
            facts = [f"week {_week_text(row.week_start)}"] if row is not None else []
            if other is not None:
                when = local_time(other.published_at or other.updated_at)
                facts.append(f"plan {other.id}, by {other.published_by} at {when}")
            return ConflictError(
                f"another plan for this week was published ({'; '.join(facts)}); reload — "
                f"plan {plan_id} stays a draft (close the published plan first to publish "
                "this one instead)"
            )

    def _audit(
        self,
        session: Session,
        action: str,
        entity: str,
        entity_id: int,
        *,
        by: str,
        why: str,
        version: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        # The only code path that touches audit_log: an INSERT.
        session.add(
            AuditRow(
                at=self._now(),
                actor=by,
                action=action,
                entity=entity,
                entity_id=entity_id,
                version=version,
                why=why,
                details=dict(details or {}),
            )
        )

    # ---- scenarios

    def import_scenario(
        self, scenario: Scenario, *, by: str, why: str = "", source: str = ""
    ) -> ScenarioVersion:
        """Store ``scenario`` as a new version; returns it."""
        settings_toml, tables = scenario_document(scenario)
        with self._write() as session:
            row = self._add_version(session, scenario, settings_toml, tables, by, source, why, None)
            self._audit(
                session, "scenario.import", "scenario", row.id, by=by, why=why,
                details={"source": source, "rows": {n: len(r) for n, (_, r) in tables.items()}},
            )  # fmt: skip
            return _version_info(row)

    def _add_version(
        self,
        session: Session,
        scenario: Scenario,
        settings_toml: str,
        tables: Mapping[str, tuple[list[str], list[dict]]],
        by: str,
        source: str,
        note: str,
        parent_id: int | None,
    ) -> ScenarioVersionRow:
        row = ScenarioVersionRow(
            township=scenario.settings.township,
            created_at=self._now(),
            created_by=by,
            source=source,
            note=note,
            parent_id=parent_id,
            digest=_digest(settings_toml, tables),
            settings_toml=settings_toml,
        )
        session.add(row)
        session.flush()
        for name, (columns, rows) in tables.items():
            session.add(ScenarioTableRow(version_id=row.id, name=name, columns=columns, rows=rows))
        return row

    def scenario_versions(self) -> tuple[ScenarioVersion, ...]:
        """Every stored scenario version, oldest first."""
        with self._read() as session:
            rows = session.scalars(select(ScenarioVersionRow).order_by(ScenarioVersionRow.id))
            return tuple(_version_info(r) for r in rows)

    def latest_scenario_version(self) -> ScenarioVersion:
        """The newest scenario version."""
        versions = self.scenario_versions()
        if not versions:
            raise NotFoundError("no scenario stored yet: import one with `db import PATH`")
        return versions[-1]

    def load_scenario(self, version_id: int | None = None) -> Scenario:
        """The scenario of ``version_id`` (the newest when ``None``), validated as files are."""
        with self._read() as session:
            row = self._version_row(session, version_id)
            return _scenario_of(session, row)

    def _version_row(self, session: Session, version_id: int | None) -> ScenarioVersionRow:
        if version_id is None:
            row = session.scalars(
                select(ScenarioVersionRow).order_by(ScenarioVersionRow.id.desc()).limit(1)
            ).first()
            if row is None:
                raise NotFoundError("no scenario stored yet: import one with `db import PATH`")
            return row
        found = session.get(ScenarioVersionRow, version_id)
        if found is None:
            raise NotFoundError(f"scenario version {version_id} does not exist")
        return found

    # ---- plans

    def save_plan(self, plan: Plan, *, scenario_version: int, by: str, why: str = "") -> PlanInfo:
        """Store ``plan`` (built from ``scenario_version``) as a new draft; returns its header."""
        with self._write() as session:
            version = self._version_row(session, scenario_version)
            problems = plan_problems(plan, _scenario_of(session, version))
            if problems:
                raise StoreError("the plan does not fit its scenario version", problems)
            now = self._now()
            row = PlanRow(
                scenario_version_id=version.id,
                week_start=plan.week_start,
                status=PlanStatus.DRAFT.value,
                revision=1,
                metrics=metrics_document(plan.metrics),
                created_at=now,
                created_by=by,
                updated_at=now,
                updated_by=by,
            )
            session.add(row)
            session.flush()
            self._insert_plan_rows(session, row.id, plan, revision=1)
            self._add_revision(session, row, plan, "saved", by, why)
            session.flush()
            self._audit(
                session, "plan.save", "plan", row.id, by=by, why=why, version=row.version,
                details={"week_start": plan.week_start.isoformat(), **_counts(plan)},
            )  # fmt: skip
            return _plan_info(row)

    def update_plan(
        self, plan_id: int, plan: Plan, *, by: str, why: str = "", expected_version: int | None
    ) -> PlanInfo:
        """Replace a draft's routes with ``plan`` (a new revision); published plans use ``replan``."""
        with self._write(plan_id) as session:
            row = self._plan_for_change(
                session, plan_id, expected_version, PlanStatus.DRAFT, "edit"
            )
            if plan.week_start != row.week_start:
                raise StoreError(
                    f"plan {plan_id} is for the week {_week_text(row.week_start)}, "
                    f"not {_week_text(plan.week_start)}"
                )
            problems = plan_problems(plan, self._plan_scenario(session, row))
            if problems:
                raise StoreError("the plan does not fit its scenario version", problems)
            self._delete_plan_rows(session, plan_id)
            row.revision += 1
            row.metrics = metrics_document(plan.metrics)
            self._touch(row, by)
            self._insert_plan_rows(session, plan_id, plan, revision=row.revision)
            self._add_revision(session, row, plan, "edited", by, why)
            session.flush()
            self._audit(
                session, "plan.edit", "plan", plan_id, by=by, why=why, version=row.version,
                details={"revision": row.revision, **_counts(plan)},
            )  # fmt: skip
            return _plan_info(row)

    def publish(
        self, plan_id: int, *, by: str, why: str = "", expected_version: int | None = None
    ) -> PlanInfo:
        """Publish a draft: its status, and a notice to every business with announced items.

        A published plan with a drafted re-plan (``replan``) is re-published instead: the
        re-plan is applied and only the businesses whose visit changed are notified.
        One transaction: a process killed in the middle leaves the draft as it was.
        """
        with self._write(plan_id) as session:
            current = self._plan_row(session, plan_id)
            draft = self._draft_row(session, plan_id)
            if current.status == PlanStatus.PUBLISHED.value and draft is not None:
                row = self._plan_for_change(
                    session, plan_id, expected_version, PlanStatus.PUBLISHED, "re-publish"
                )
                self._republish(session, row, draft, by, why)
                return _plan_info(row)
            row = self._plan_for_change(
                session, plan_id, expected_version, PlanStatus.DRAFT, "publish"
            )
            other = session.scalars(
                select(PlanRow).where(
                    PlanRow.week_start == row.week_start,
                    PlanRow.status == PlanStatus.PUBLISHED.value,
                    PlanRow.id != plan_id,
                )
            ).first()
            if other is not None:
                raise self._week_taken(plan_id, other)
            now = self._now()
            row.status = PlanStatus.PUBLISHED.value
            row.published_at, row.published_by = now, by
            self._touch(row, by)
            session.flush()
            visits = self._visits(session, plan_id)
            half = len(visits) // 2
            notices = 0
            for n, visit in enumerate(visits):
                if n == half:
                    session.flush()
                    pause_point("publish")  # tests kill the process here, mid-transaction
                notices += self._notify(session, visit, "announce", row.revision, by)
            session.flush()
            self._audit(
                session, "plan.publish", "plan", plan_id, by=by, why=why, version=row.version,
                details={"notices": notices, "visits": len(visits)},
            )  # fmt: skip
            return _plan_info(row)

    def close_plan(
        self, plan_id: int, *, by: str, why: str = "", expected_version: int | None = None
    ) -> tuple[PlanInfo, ScenarioVersion]:
        """Close a published week: its outcomes become the next scenario version.

        Returns the plan's header and the new scenario version (history and tasks updated by
        ``apply_outcomes``), which next week's plan is built from.
        """
        with self._write(plan_id) as session:
            row = self._plan_for_change(
                session, plan_id, expected_version, PlanStatus.PUBLISHED, "close"
            )
            scenario = self._plan_scenario(session, row)
            recorded = self._recorded(session, plan_id)
            missing = self._items_without_outcome(session, plan_id)
            nxt = apply_outcomes(scenario, recorded, label=f"plan {plan_id}")
            settings_toml, tables = scenario_document(nxt)
            version = self._add_version(
                session, nxt, settings_toml, tables, by,
                f"outcomes of plan {plan_id} (week {_week_text(row.week_start)})", why,
                row.scenario_version_id,
            )  # fmt: skip
            now = self._now()
            row.status = PlanStatus.CLOSED.value
            row.closed_at, row.closed_by = now, by
            row.next_scenario_version_id = version.id
            self._touch(row, by)
            session.flush()
            self._audit(
                session, "plan.close", "plan", plan_id, by=by, why=why, version=row.version,
                details={
                    "next_scenario_version": version.id,
                    "outcomes": len(recorded),
                    "items_without_outcome": missing,
                },
            )  # fmt: skip
            self._audit(
                session, "scenario.derive", "scenario", version.id, by=by, why=why,
                details={"from_plan": plan_id, "parent": row.scenario_version_id},
            )  # fmt: skip
            return _plan_info(row), _version_info(version)

    def record_outcomes(
        self,
        plan_id: int,
        outcomes: Sequence[Outcome],
        *,
        by: str,
        why: str = "",
        expected_version: int | None = None,
        replace_existing: bool = False,
    ) -> PlanInfo:
        """Record what happened at the visits of a published plan (one transaction).

        An outcome with an empty ``item_id`` applies to every item of the business's visit.
        Refused, listing every problem: a plan that is not published, a business or item with no
        visit in the plan, a date outside the week, a result missing for ``done`` (or given for
        another status), an outcome already recorded (unless ``replace_existing``).
        """
        with self._write(plan_id) as session:
            row = self._plan_for_change(
                session, plan_id, expected_version, PlanStatus.PUBLISHED, "record outcomes for"
            )
            visits: dict[str, list[VisitRow]] = defaultdict(list)
            for v in self._visits(session, plan_id):
                visits[v.business_id].append(v)
            items = self._visit_items(session, [v.id for vs in visits.values() for v in vs])
            existing = {
                (o.visit_id, o.item_id): o
                for o in session.scalars(select(OutcomeRow).where(OutcomeRow.plan_id == plan_id))
            }
            expanded, problems = _expand_outcomes(outcomes, visits, items, row.week_start)
            seen: set[tuple[int, str]] = set()
            for n, (visit, outcome) in enumerate(expanded, start=1):
                key = (visit.id, outcome.item_id)
                if key in seen:
                    problems.append(f"outcome {n}: {outcome.business_id}/{outcome.item_id} twice")
                seen.add(key)
                if key in existing and not replace_existing:
                    prior = existing[key]
                    problems.append(
                        f"outcome {n}: {outcome.business_id}/{outcome.item_id} already recorded "
                        f"({prior.status}{' ' + prior.result if prior.result else ''} by "
                        f"{prior.recorded_by}); give replace to correct it"
                    )
            if problems:
                raise StoreError(f"outcomes for plan {plan_id} refused", problems)
            now = self._now()
            changes = []
            for visit, outcome in expanded:
                entry = _outcome_dict(outcome)
                target = existing.get((visit.id, outcome.item_id))
                if target is None:
                    target = OutcomeRow(plan_id=plan_id, visit_id=visit.id, item_id=outcome.item_id)
                    session.add(target)
                else:
                    entry["replaces"] = {"status": target.status, "result": target.result}
                target.status = outcome.status.value
                target.result = outcome.result.value if outcome.result else None
                target.date, target.note = outcome.date, outcome.note
                target.recorded_at, target.recorded_by = now, by
                changes.append(entry)
            self._touch(row, by)
            session.flush()
            pause_point("record")
            self._audit(
                session, "outcome.record", "plan", plan_id, by=by, why=why, version=row.version,
                details={"outcomes": changes},
            )  # fmt: skip
            return _plan_info(row)

    def replan(
        self,
        plan_id: int,
        plan: Plan,
        *,
        from_day: dt.date,
        by: str,
        why: str = "",
        changes: Sequence[Change] = (),
        expected_version: int | None = None,
        tolerance: int = RETIME_TOLERANCE,
    ) -> PlanDiff:
        """Draft a re-plan of a published plan: ``plan``'s days from ``from_day`` on; the diff.

        A draft only: the published plan, its notices and the businesses' pages stay as they
        are until ``publish`` re-publishes it (``pending_replan`` shows it meanwhile; a new
        re-plan replaces an earlier draft). Refused when ``plan`` changes a visit before
        ``from_day`` or one with an outcome recorded.
        """
        with self._write(plan_id) as session:
            row = self._plan_for_change(
                session, plan_id, expected_version, PlanStatus.PUBLISHED, "re-plan"
            )
            diff = self._checked_replan(session, row, plan, from_day, changes, tolerance)[0]
            session.execute(delete(ReplanDraftRow).where(ReplanDraftRow.plan_id == plan_id))
            session.flush()
            session.add(
                ReplanDraftRow(
                    plan_id=plan_id,
                    based_on_version=row.version,
                    from_day=from_day,
                    created_at=self._now(),
                    created_by=by,
                    why=why,
                    changes=[change_to_dict(c) for c in changes],
                    snapshot=plan_snapshot(plan),
                    diff=_diff_dict(diff),
                )
            )
            self._audit(
                session, "plan.replan", "plan", plan_id, by=by, why=why, version=row.version,
                details={
                    "from_day": from_day.isoformat(),
                    "changes": [describe_change(c) for c in changes],
                    "diff": _diff_dict(diff),
                    "renotify": list(diff.renotify),
                },
            )  # fmt: skip
            return diff

    def pending_replan(self, plan_id: int) -> ReplanDraft | None:
        """The re-plan of ``plan_id`` drafted and not yet re-published, if any."""
        with self._read() as session:
            self._plan_row(session, plan_id)
            draft = self._draft_row(session, plan_id)
            if draft is None:
                return None
            diff = _diff_from(draft.diff)
            assert diff is not None
            return ReplanDraft(
                plan_id, draft.based_on_version, draft.from_day, plan_from_snapshot(draft.snapshot),
                diff, tuple(change_from_dict(c) for c in draft.changes), draft.created_at,
                draft.created_by, draft.why,
            )  # fmt: skip

    def discard_replan(self, plan_id: int, *, by: str, why: str = "") -> None:
        """Throw away the drafted re-plan of ``plan_id`` (``StateError`` when there is none)."""
        with self._write(plan_id) as session:
            self._plan_row(session, plan_id)
            if self._draft_row(session, plan_id) is None:
                raise StateError(f"plan {plan_id} has no re-plan waiting to be published")
            session.execute(delete(ReplanDraftRow).where(ReplanDraftRow.plan_id == plan_id))
            self._audit(session, "plan.replan_discard", "plan", plan_id, by=by, why=why)

    def _draft_row(self, session: Session, plan_id: int) -> ReplanDraftRow | None:
        return session.scalars(
            select(ReplanDraftRow).where(ReplanDraftRow.plan_id == plan_id)
        ).first()

    def _checked_replan(
        self,
        session: Session,
        row: PlanRow,
        plan: Plan,
        from_day: dt.date,
        changes: Sequence[Change],
        tolerance: int,
    ) -> tuple[PlanDiff, Scenario, list[tuple[Placed, Placed]], list[Placed], list[Placed]]:
        """The diff of re-planning ``row`` to ``plan``, or ``StoreError`` listing why not."""
        if plan.week_start != row.week_start:
            raise StoreError(
                f"plan {row.id} is for the week {_week_text(row.week_start)}, "
                f"not {_week_text(plan.week_start)}"
            )
        scenario = self._plan_scenario(session, row)
        urgent = [c for c in changes if isinstance(c, UrgentTask)]
        if urgent:
            scenario = apply_changes(scenario, urgent, row.week_start)
        problems = plan_problems(plan, scenario)
        old = self._placed_rows(session, row.id)
        with_outcome = set(
            session.scalars(select(OutcomeRow.visit_id).where(OutcomeRow.plan_id == row.id)).all()
        )
        pairs, dropped, added = pair_visits(old, placed_visits(plan))
        problems += _replan_problems(pairs, dropped, added, from_day, with_outcome)
        if problems:
            raise StoreError(f"re-plan of plan {row.id} refused", problems)
        announced = self._announced(session, row.id)
        told = {b.business_id for b in old if b.ref in announced}
        diff = diff_pairs(pairs, dropped, added, plan, changes, told, tolerance)
        return diff, scenario, pairs, dropped, added

    def _republish(
        self, session: Session, row: PlanRow, draft: ReplanDraftRow, by: str, why: str
    ) -> None:
        """Apply a drafted re-plan to the published plan and send the changed notices.

        Moved announced visits get a change notice, dropped ones a cancellation, added ones an
        announcement; untouched businesses get nothing. Urgent tasks among the changes are
        stored in a new scenario version the plan then refers to (so next week still owes them
        if they are not done).
        """
        if draft.based_on_version != row.version:
            raise ConflictError(
                f"plan {row.id} changed since its re-plan was drafted (version "
                f"{draft.based_on_version}, now {row.version}, by {row.updated_by}); "
                "re-plan again"
            )
        plan_id, plan = row.id, plan_from_snapshot(draft.snapshot)
        changes = [change_from_dict(c) for c in draft.changes]
        tolerance = RETIME_TOLERANCE
        diff, scenario, pairs, dropped, added = self._checked_replan(
            session, row, plan, draft.from_day, changes, tolerance
        )
        announced = self._announced(session, plan_id)
        urgent = [c for c in changes if isinstance(c, UrgentTask)]
        revision = row.revision + 1  # the row itself changes once, at the end (one version)
        notices = 0
        for b, a in pairs:
            if (b.team_id, b.day, b.seq, b.stop) == (a.team_id, a.day, a.seq, a.stop):
                continue
            visit = session.get(VisitRow, b.ref)
            assert visit is not None
            self._place(visit, a, revision)
            if b.stop.visit.obligations != a.stop.visit.obligations:
                session.execute(delete(VisitItemRow).where(VisitItemRow.visit_id == visit.id))
                self._insert_items(session, visit.id, a.stop.visit.obligations)
            told_changed = has_moved(b, a, tolerance) or told_items(b) != told_items(a)
            if told_changed and visit.id in announced:
                notices += self._notify(session, visit, "change", revision, by)
        for b in dropped:
            visit = session.get(VisitRow, b.ref)
            assert visit is not None
            visit.state, visit.revision = "dropped", revision
            visit.state_reason = why_dropped(b, plan, changes)
            if visit.id in announced:
                notices += self._notify(session, visit, "cancel", revision, by)
        for a in added:
            visit = self._insert_visit(session, plan_id, a, revision)
            notices += self._notify(session, visit, "announce", revision, by)
        session.execute(delete(RouteRow).where(RouteRow.plan_id == plan_id))
        session.execute(delete(UnscheduledRow).where(UnscheduledRow.plan_id == plan_id))
        self._insert_routes(session, plan_id, plan)
        self._insert_unscheduled(session, plan_id, plan)
        if urgent:
            settings_toml, tables = scenario_document(scenario)
            version = self._add_version(
                session, scenario, settings_toml, tables, by,
                f"urgent tasks of the re-plan of plan {plan_id}", why, row.scenario_version_id,
            )  # fmt: skip
            row.scenario_version_id = version.id
        session.execute(delete(ReplanDraftRow).where(ReplanDraftRow.plan_id == plan_id))
        row.revision = revision
        row.metrics = metrics_document(plan.metrics)
        self._touch(row, by)
        self._add_revision(session, row, plan, "replanned", by, draft.why or why, diff)
        session.flush()
        pause_point("replan")
        self._audit(
            session, "plan.republish", "plan", plan_id, by=by, why=why, version=row.version,
            details={
                "from_day": draft.from_day.isoformat(),
                "changes": [describe_change(c) for c in changes],
                "diff": _diff_dict(diff),
                "notices": notices,
                "drafted_by": draft.created_by,
            },
        )  # fmt: skip

    # ---- reads

    def plan_info(self, plan_id: int) -> PlanInfo:
        """The header of plan ``plan_id``."""
        with self._read() as session:
            return _plan_info(self._plan_row(session, plan_id))

    def plans(self) -> tuple[PlanInfo, ...]:
        """Every stored plan, oldest first."""
        with self._read() as session:
            return tuple(
                _plan_info(r) for r in session.scalars(select(PlanRow).order_by(PlanRow.id))
            )

    def load_plan(self, plan_id: int) -> Plan:
        """Plan ``plan_id`` as it stands (dropped visits left out)."""
        with self._read() as session:
            return self._plan_of(session, self._plan_row(session, plan_id))

    def plan_scenario(self, plan_id: int) -> Scenario:
        """The scenario version plan ``plan_id`` was built from (with its urgent tasks)."""
        with self._read() as session:
            return self._plan_scenario(session, self._plan_row(session, plan_id))

    def revisions(self, plan_id: int) -> tuple[tuple[int, str, Plan, PlanDiff | None], ...]:
        """Every revision of a plan: (number, kind, plan as it was, diff to the one before)."""
        with self._read() as session:
            self._plan_row(session, plan_id)
            rows = session.scalars(
                select(PlanRevisionRow)
                .where(PlanRevisionRow.plan_id == plan_id)
                .order_by(PlanRevisionRow.number)
            )
            return tuple(
                (r.number, r.kind, plan_from_snapshot(r.snapshot), _diff_from(r.diff)) for r in rows
            )

    def outcomes(self, plan_id: int) -> tuple[Outcome, ...]:
        """The outcomes recorded for plan ``plan_id``."""
        with self._read() as session:
            self._plan_row(session, plan_id)
            return tuple(r.outcome for r in self._recorded(session, plan_id))

    def notices(self, plan_id: int) -> tuple[Notice, ...]:
        """Every notice of plan ``plan_id``, in the order they were made."""
        with self._read() as session:
            self._plan_row(session, plan_id)
            rows = session.scalars(
                select(NoticeRow).where(NoticeRow.plan_id == plan_id).order_by(NoticeRow.id)
            )
            return tuple(
                Notice(
                    r.id,
                    r.plan_id,
                    r.visit_id,
                    r.revision,
                    r.kind,
                    r.business_id,
                    r.day,
                    r.start,
                    r.end,
                    r.team_id,
                    tuple(r.item_ids),
                    r.created_at,
                    r.created_by,
                )  # fmt: skip
                for r in rows
            )

    def history(self, plan_id: int | None = None) -> tuple[AuditEntry, ...]:
        """The audit log, oldest first; only plan ``plan_id``'s entries when given."""
        with self._read() as session:
            query = select(AuditRow).order_by(AuditRow.id)
            if plan_id is not None:
                self._plan_row(session, plan_id)
                query = query.where(AuditRow.entity == "plan", AuditRow.entity_id == plan_id)
            return tuple(
                AuditEntry(
                    r.id,
                    r.at,
                    r.actor,
                    r.action,
                    r.entity,
                    r.entity_id,
                    r.version,
                    r.why,
                    dict(r.details),
                )  # fmt: skip
                for r in session.scalars(query)
            )

    def next_week_scenario(self, plan_id: int) -> Scenario:
        """The scenario the week after plan ``plan_id`` is planned from.

        A closed plan's stored next version; for a published one, its outcomes so far applied
        to its scenario (nothing stored).
        """
        with self._read() as session:
            row = self._plan_row(session, plan_id)
            if row.next_scenario_version_id is not None:
                return _scenario_of(
                    session, self._version_row(session, row.next_scenario_version_id)
                )
            scenario = self._plan_scenario(session, row)
            return apply_outcomes(
                scenario, self._recorded(session, plan_id), label=f"plan {plan_id}"
            )

    def fixed_visits(self, plan_id: int, from_day: dt.date) -> tuple[str, ...]:
        """Business ids whose visit a re-plan from ``from_day`` must keep as it is.

        Visits before ``from_day`` and visits with an outcome recorded (already started).
        """
        with self._read() as session:
            self._plan_row(session, plan_id)
            with_outcome = set(
                session.scalars(
                    select(OutcomeRow.visit_id).where(OutcomeRow.plan_id == plan_id)
                ).all()
            )
            return tuple(
                v.business_id
                for v in self._visits(session, plan_id)
                if v.day < from_day or v.id in with_outcome
            )

    def announced_visits(self, plan_id: int) -> tuple[str, ...]:
        """Business ids that hold a notice of their (still planned) visit."""
        with self._read() as session:
            self._plan_row(session, plan_id)
            announced = self._announced(session, plan_id)
            return tuple(v.business_id for v in self._visits(session, plan_id) if v.id in announced)

    # ---- internals

    def _plan_row(self, session: Session, plan_id: int) -> PlanRow:
        row = session.get(PlanRow, plan_id)
        if row is None:
            raise NotFoundError(f"plan {plan_id} does not exist")
        return row

    def _plan_for_change(
        self,
        session: Session,
        plan_id: int,
        expected_version: int | None,
        status: PlanStatus,
        what: str,
    ) -> PlanRow:
        row = self._plan_row(session, plan_id)
        if expected_version is not None and row.version != expected_version:
            raise self._conflict(plan_id, expected=expected_version)
        if row.status != status.value:
            raise StateError(
                f"cannot {what} plan {plan_id}: it is {row.status}, "
                f"only a {status.value} plan can be changed that way"
            )
        return row

    def _touch(self, row: PlanRow, by: str) -> None:
        row.updated_at, row.updated_by = self._now(), by

    def _plan_scenario(self, session: Session, row: PlanRow) -> Scenario:
        return _scenario_of(session, self._version_row(session, row.scenario_version_id))

    def _visits(self, session: Session, plan_id: int) -> list[VisitRow]:
        return list(
            session.scalars(
                select(VisitRow)
                .where(VisitRow.plan_id == plan_id, VisitRow.state == "planned")
                .order_by(VisitRow.day, VisitRow.team_id, VisitRow.seq)
            )
        )

    def _visit_items(self, session: Session, visit_ids: list[int]) -> dict[int, list[VisitItemRow]]:
        found: dict[int, list[VisitItemRow]] = defaultdict(list)
        if not visit_ids:
            return found
        rows = session.scalars(
            select(VisitItemRow)
            .where(VisitItemRow.visit_id.in_(visit_ids))
            .order_by(VisitItemRow.visit_id, VisitItemRow.position)
        )
        for r in rows:
            found[r.visit_id].append(r)
        return found

    def _announced(self, session: Session, plan_id: int) -> set[int]:
        """Visits whose latest notice is not a cancellation."""
        latest: dict[int, str] = {}
        for visit_id, kind in session.execute(
            select(NoticeRow.visit_id, NoticeRow.kind)
            .where(NoticeRow.plan_id == plan_id)
            .order_by(NoticeRow.id)
        ):
            latest[visit_id] = kind
        return {v for v, kind in latest.items() if kind != "cancel"}

    def _placed_rows(self, session: Session, plan_id: int) -> list[Placed]:
        """The plan's planned visits where they are, with their row ids."""
        visits = self._visits(session, plan_id)
        items = self._visit_items(session, [v.id for v in visits])
        officers = {
            (r.team_id, r.day): tuple(r.officer_ids)
            for r in session.scalars(select(RouteRow).where(RouteRow.plan_id == plan_id))
        }
        return [
            Placed(
                v.team_id,
                v.day,
                v.seq,
                Stop(
                    Visit(
                        v.business_id,
                        tuple(_obligation_of(v.business_id, i) for i in items[v.id]),
                        v.service_seconds,
                    ),
                    v.arrival,
                    v.start,
                    v.end,
                ),
                officers.get((v.team_id, v.day), ()),
                v.id,
            )
            for v in visits
        ]

    def _plan_of(self, session: Session, row: PlanRow) -> Plan:
        visits = self._visits(session, row.id)
        items = self._visit_items(session, [v.id for v in visits])
        by_route: dict[tuple[str, dt.date], list[Stop]] = defaultdict(list)
        for v in visits:
            obligations = tuple(_obligation_of(v.business_id, i) for i in items[v.id])
            visit = Visit(v.business_id, obligations, v.service_seconds)
            by_route[(v.team_id, v.day)].append(Stop(visit, v.arrival, v.start, v.end))
        routes = tuple(
            _route_of(r.team_id, r.day, r.officer_ids, tuple(by_route[(r.team_id, r.day)]), r.extra)
            for r in session.scalars(
                select(RouteRow).where(RouteRow.plan_id == row.id).order_by(RouteRow.position)
            )
        )
        unscheduled = tuple(
            Unscheduled(_obligation_of(u.business_id, u), u.why)
            for u in session.scalars(
                select(UnscheduledRow)
                .where(UnscheduledRow.plan_id == row.id)
                .order_by(UnscheduledRow.position)
            )
        )
        return Plan(row.week_start, routes, unscheduled, metrics_of(row.metrics))

    def _insert_plan_rows(
        self, session: Session, plan_id: int, plan: Plan, *, revision: int
    ) -> None:
        self._insert_routes(session, plan_id, plan)
        for placed in placed_visits(plan):
            self._insert_visit(session, plan_id, placed, revision)
        self._insert_unscheduled(session, plan_id, plan)

    def _insert_routes(self, session: Session, plan_id: int, plan: Plan) -> None:
        for n, route in enumerate(plan.routes):
            session.add(
                RouteRow(
                    plan_id=plan_id,
                    position=n,
                    team_id=route.team_id,
                    day=route.day,
                    officer_ids=list(route.officer_ids),
                    extra=route_extra(route),
                )
            )

    def _insert_unscheduled(self, session: Session, plan_id: int, plan: Plan) -> None:
        for n, u in enumerate(plan.unscheduled):
            o = u.obligation
            session.add(
                UnscheduledRow(
                    plan_id=plan_id,
                    position=n,
                    why=u.reason,
                    business_id=o.business_id,
                    **_obligation_columns(o),
                )
            )

    def _insert_visit(
        self, session: Session, plan_id: int, placed: Placed, revision: int
    ) -> VisitRow:
        visit = VisitRow(
            plan_id=plan_id,
            business_id=placed.business_id,
            service_seconds=placed.stop.visit.service_seconds,
            state="planned",
            state_reason="",
        )
        self._place(visit, placed, revision)
        session.add(visit)
        session.flush()
        self._insert_items(session, visit.id, placed.stop.visit.obligations)
        return visit

    def _place(self, visit: VisitRow, placed: Placed, revision: int) -> None:
        visit.team_id, visit.day, visit.seq = placed.team_id, placed.day, placed.seq
        stop = placed.stop
        visit.arrival, visit.start, visit.end = stop.arrival, stop.start, stop.end
        visit.service_seconds = stop.visit.service_seconds
        visit.revision = revision

    def _insert_items(
        self, session: Session, visit_id: int, obligations: Iterable[Obligation]
    ) -> None:
        for n, o in enumerate(obligations):
            session.add(VisitItemRow(visit_id=visit_id, position=n, **_obligation_columns(o)))

    def _delete_plan_rows(self, session: Session, plan_id: int) -> None:
        visit_ids = select(VisitRow.id).where(VisitRow.plan_id == plan_id)
        session.execute(delete(VisitItemRow).where(VisitItemRow.visit_id.in_(visit_ids)))
        session.execute(delete(VisitRow).where(VisitRow.plan_id == plan_id))
        session.execute(delete(RouteRow).where(RouteRow.plan_id == plan_id))
        session.execute(delete(UnscheduledRow).where(UnscheduledRow.plan_id == plan_id))

    def _add_revision(
        self,
        session: Session,
        row: PlanRow,
        plan: Plan,
        kind: str,
        by: str,
        why: str,
        diff: PlanDiff | None = None,
    ) -> None:
        session.add(
            PlanRevisionRow(
                plan_id=row.id,
                number=row.revision,
                kind=kind,
                created_at=self._now(),
                created_by=by,
                why=why,
                snapshot=plan_snapshot(plan),
                diff=_diff_dict(diff) if diff else None,
            )
        )

    def _notify(self, session: Session, visit: VisitRow, kind: str, revision: int, by: str) -> int:
        """Add a notice for ``visit`` when it has announced items; returns how many (0 or 1)."""
        items = [
            i.item_id
            for i in session.scalars(
                select(VisitItemRow)
                .where(VisitItemRow.visit_id == visit.id)
                .order_by(VisitItemRow.position)
            )
            if not i.unannounced
        ]
        if not items:
            return 0  # a wholly unannounced visit is never told to the business
        session.add(
            NoticeRow(
                plan_id=visit.plan_id,
                visit_id=visit.id,
                revision=revision,
                kind=kind,
                business_id=visit.business_id,
                day=visit.day,
                start=visit.start,
                end=visit.end,
                team_id=visit.team_id,
                item_ids=sorted(set(items)),
                created_at=self._now(),
                created_by=by,
            )
        )
        return 1

    def _recorded(self, session: Session, plan_id: int) -> list[RecordedOutcome]:
        rows = list(
            session.scalars(
                select(OutcomeRow).where(OutcomeRow.plan_id == plan_id).order_by(OutcomeRow.id)
            )
        )
        visits = {
            v.id: v for v in session.scalars(select(VisitRow).where(VisitRow.plan_id == plan_id))
        }
        items = self._visit_items(session, list(visits))
        routes = {
            (r.team_id, r.day): tuple(r.officer_ids)
            for r in session.scalars(select(RouteRow).where(RouteRow.plan_id == plan_id))
        }
        found = []
        for r in rows:
            visit = visits[r.visit_id]
            outcome = Outcome(
                visit.business_id,
                r.item_id,
                r.date,
                OutcomeStatus(r.status),
                Result(r.result) if r.result else None,
                r.note,
            )
            obligations = tuple(
                _obligation_of(visit.business_id, i)
                for i in items[visit.id]
                if i.item_id == r.item_id
            )
            found.append(
                RecordedOutcome(outcome, obligations, routes.get((visit.team_id, visit.day), ()))
            )
        return found

    def _items_without_outcome(self, session: Session, plan_id: int) -> int:
        visits = self._visits(session, plan_id)
        items = self._visit_items(session, [v.id for v in visits])
        wanted = {(v.id, i.item_id) for v in visits for i in items[v.id]}
        query = select(OutcomeRow.visit_id, OutcomeRow.item_id).where(OutcomeRow.plan_id == plan_id)
        done = {(visit_id, item_id) for visit_id, item_id in session.execute(query)}
        return len(wanted - done)

    def count_rows(self, table: str) -> int:
        """Rows in one of the store's tables (for checks and tests)."""
        model = {m.__tablename__: m for m in _MODELS}[table]
        with self._read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


_MODELS: tuple[type[Base], ...] = (
    ScenarioVersionRow,
    ScenarioTableRow,
    PlanRow,
    PlanRevisionRow,
    RouteRow,
    VisitRow,
    VisitItemRow,
    UnscheduledRow,
    NoticeRow,
    OutcomeRow,
    ReplanDraftRow,
    AuditRow,
)


def _scenario_of(session: Session, row: ScenarioVersionRow) -> Scenario:
    tables = {
        t.name: (t.columns, t.rows)
        for t in session.scalars(
            select(ScenarioTableRow).where(ScenarioTableRow.version_id == row.id)
        )
    }
    return scenario_from_document(row.settings_toml, tables)


def _version_info(row: ScenarioVersionRow) -> ScenarioVersion:
    return ScenarioVersion(
        row.id, row.township, row.created_at, row.created_by, row.source, row.note,
        row.parent_id, row.digest,
    )  # fmt: skip


def _plan_info(row: PlanRow) -> PlanInfo:
    return PlanInfo(
        row.id, row.scenario_version_id, row.week_start, PlanStatus(row.status), row.version,
        row.revision, row.created_at, row.created_by, row.updated_at, row.updated_by,
        row.published_at, row.published_by, row.closed_at, row.closed_by,
        row.next_scenario_version_id,
    )  # fmt: skip


def _is_published_week_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a second published plan of a week (migration 0002's index).

    PostgreSQL names the index; SQLite names the indexed column.
    """
    diag = getattr(exc.orig, "diag", None)
    if getattr(diag, "constraint_name", None) == PUBLISHED_WEEK_INDEX:
        return True
    message = str(exc.orig)
    return PUBLISHED_WEEK_INDEX in message or "plans.week_start" in message


def _counts(plan: Plan) -> dict[str, int]:
    return {
        "routes": len(plan.routes),
        "visits": sum(len(r.stops) for r in plan.routes),
        "unscheduled": len(plan.unscheduled),
    }


def _obligation_columns(o: Obligation) -> dict[str, Any]:
    return {
        "item_id": o.item_id,
        "department_id": o.department_id,
        "earliest": o.earliest,
        "due": o.due,
        "reason": o.reason.value,
        "priority": o.priority,
        "unannounced": o.unannounced,
        "task_id": o.task_id,
    }


def _obligation_of(business_id: str, row: VisitItemRow | UnscheduledRow) -> Obligation:
    return Obligation(
        business_id, row.item_id, row.department_id, row.earliest, row.due, Reason(row.reason),
        row.priority, row.unannounced, row.task_id,
    )  # fmt: skip


def _outcome_dict(o: Outcome) -> dict[str, Any]:
    return {
        "business_id": o.business_id,
        "item_id": o.item_id,
        "date": o.date.isoformat(),
        "status": o.status.value,
        "result": o.result.value if o.result else None,
        "note": o.note,
    }


def _expand_outcomes(
    outcomes: Sequence[Outcome],
    visits: Mapping[str, list[VisitRow]],
    items: Mapping[int, list[VisitItemRow]],
    week_start: dt.date,
) -> tuple[list[tuple[VisitRow, Outcome]], list[str]]:
    """Outcomes matched to their visit (an empty item = every item of the visit), and problems."""
    first, last = _week_days(week_start)
    found: list[tuple[VisitRow, Outcome]] = []
    problems: list[str] = []
    for n, o in enumerate(outcomes, start=1):
        where = f"outcome {n} ({o.business_id}/{o.item_id or '*'})"
        candidates = visits.get(o.business_id, [])
        if len(candidates) > 1:  # two visits this week (e.g. an urgent complaint): the date decides
            candidates = [v for v in candidates if v.day == o.date] or candidates
        if not candidates:
            problems.append(f"{where}: no visit to business '{o.business_id}' in this plan")
            continue
        if len(candidates) > 1:
            days = ", ".join(str(v.day) for v in candidates)
            problems.append(f"{where}: the business has visits on {days}; give the date of one")
            continue
        visit = candidates[0]
        checked = [i.item_id for i in items[visit.id]]
        if o.item_id and o.item_id not in checked:
            problems.append(
                f"{where}: item '{o.item_id}' is not checked at this visit "
                f"(it checks {', '.join(sorted(set(checked)))})"
            )
            continue
        if not first <= o.date <= last:
            problems.append(f"{where}: date {o.date} is outside the week {_week_text(week_start)}")
            continue
        if (o.status == OutcomeStatus.DONE) != (o.result is not None):
            problems.append(
                f"{where}: a 'done' outcome needs a result (pass, findings or fail)"
                if o.status == OutcomeStatus.DONE
                else f"{where}: a '{o.status.value}' outcome has no result"
            )
            continue
        for item_id in [o.item_id] if o.item_id else sorted(set(checked)):
            found.append((visit, replace(o, item_id=item_id)))
    return found, problems


def _replan_problems(
    pairs: Sequence[tuple[Placed, Placed]],
    dropped: Sequence[Placed],
    added: Sequence[Placed],
    from_day: dt.date,
    started: set[int],
) -> list[str]:
    """Why a re-plan may not be stored: it touches a day before ``from_day`` or a started visit.

    Visits before ``from_day`` must stay exactly as they are; a visit with an outcome recorded
    (started) must stay with its team on its day.
    """
    problems = []
    for b, a in pairs:
        if b.day < from_day and (b.slot, b.stop) != (a.slot, a.stop):
            problems.append(
                f"{b.business_id}: its visit on {b.day} is before {from_day} but changed"
            )
        elif b.ref in started and (b.team_id, b.day) != (a.team_id, a.day):
            problems.append(
                f"{b.business_id}: its visit has outcomes recorded; it must stay with team "
                f"{b.team_id} on {b.day}"
            )
        elif a.day < from_day and b.day >= from_day:
            problems.append(f"{b.business_id}: moved to {a.day}, before {from_day}")
    for b in dropped:
        if b.day < from_day or b.ref in started:
            problems.append(f"{b.business_id}: its visit on {b.day} is fixed but was dropped")
    for a in added:
        if a.day < from_day:
            problems.append(f"{a.business_id}: a visit added on {a.day}, before {from_day}")
    return problems


def _diff_from(data: Mapping[str, Any] | None) -> PlanDiff | None:
    if data is None:
        return None

    def slot(d: Mapping[str, Any] | None) -> Slot | None:
        if d is None:
            return None
        return Slot(d["team_id"], dt.date.fromisoformat(d["day"]), d["start"], d["end"])

    def changes(items: Sequence[Mapping[str, Any]]) -> tuple[VisitChange, ...]:
        return tuple(
            VisitChange(
                c["business_id"],
                tuple(c["item_ids"]),
                slot(c["before"]),
                slot(c["after"]),
                c["reason"],
                c["announced"],
            )  # fmt: skip
            for c in items
        )

    return PlanDiff(
        changes(data["moved"]),
        changes(data["added"]),
        changes(data["dropped"]),
        data["unchanged"],
        changes(data.get("changed", ())),
    )


__all__ = [
    "AuditEntry",
    "ConflictError",
    "NotFoundError",
    "Notice",
    "PlanInfo",
    "PlanStatus",
    "ReplanDraft",
    "ScenarioVersion",
    "SchemaError",
    "StateError",
    "Store",
    "StoreError",
    "default_url",
    "replan_week",
]
