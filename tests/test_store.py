"""Store: schema and migrations, scenario versions, plan lifecycle, outcomes, re-planning, audit.

Every test runs on SQLite (a file in tmp_path) and, when ``PLANNER_TEST_POSTGRES_URL`` is set (as
``scripts/test.sh`` does), on PostgreSQL in a fresh database of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

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
    Task,
    TaskKind,
    Unscheduled,
    Visit,
)
from planner.load import load_scenario
from planner.obligations import derive_obligations
from planner.outcomes import RecordedOutcome, apply_outcomes, return_task_id
from planner.params import SolveParams
from planner.pipeline import plan_week
from planner.replan import (
    BusinessClosed,
    OfficerAbsent,
    UrgentTask,
    apply_changes,
    diff_plans,
    hold_slot,
)
from planner.store import (
    PAUSE_ENV,
    ConflictError,
    NotFoundError,
    PlanStatus,
    SchemaError,
    StateError,
    Store,
    StoreError,
    normalise_url,
    plan_from_snapshot,
    plan_snapshot,
    replan_week,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
POSTGRES_URL = os.environ.get("PLANNER_TEST_POSTGRES_URL", "")
WEEK = dt.date(2026, 11, 23)
MON, TUE, WED, THU, FRI, SAT, SUN = (WEEK + dt.timedelta(days=d) for d in range(7))
H = 3600
WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEPARTMENT = {"food": "market", "label": "market", "extinguisher": "fire"}


# ---------------------------------------------------------------- fixtures


class Clock:
    """A clock that moves one minute per call (UTC)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


def _create_database(template: str = "") -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` when given), dropped afterwards."""
    admin_url = normalise_url(POSTGRES_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"planner_t_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a PostgreSQL database migrated once, copied for each test (fast)."""
    if not POSTGRES_URL:
        pytest.skip("PLANNER_TEST_POSTGRES_URL is not set (scripts/test.sh starts PostgreSQL)")
    for url in _create_database():
        with Store(url) as store:
            store.init()
        yield make_url(url).database or ""


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on."""
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("PLANNER_TEST_POSTGRES_URL is not set (scripts/test.sh starts PostgreSQL)")
    return str(request.param)


@pytest.fixture
def url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'planner.db'}"
    else:
        yield from _create_database()


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """An initialised store of its own with a minute-by-minute clock."""
    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'store.db'}"])
    else:
        urls = _create_database(request.getfixturevalue("postgres_template"))
    for url in urls:
        with Store(url, clock=Clock()) as s:
            s.init()
            yield s


@pytest.fixture
def tiny() -> Scenario:
    """Three businesses, two departments, three officers; complaint t1 at b2."""
    return load_scenario(TINY)


def ob(business: str, item: str, *, reason: Reason = Reason.ROUTINE, task: str = "", priority: int = 24) -> Obligation:  # fmt: skip
    """An obligation of the tiny scenario (label is its unannounced item)."""
    return Obligation(
        business, item, DEPARTMENT[item], WEEK - dt.timedelta(days=30), WEEK + dt.timedelta(days=3),
        reason, priority, item == "label", task,
    )  # fmt: skip


def stop(business: str, *obligations: Obligation, at: int) -> Stop:
    """A 30-minute visit starting at ``at``."""
    return Stop(Visit(business, obligations, 1800), at - 600, at, at + 1800)


def route(day: dt.date, *stops: Stop, team: str = "T1") -> Route:
    """A route of officers o1 and o2 with its times and totals."""
    return Route(team, day, ("o1", "o2"), stops, 12 * H, 1200, 3400, 8 * H, 17 * H)


def hand_plan() -> Plan:
    """b1 on Monday, b2 (announced extinguisher complaint + unannounced label) on Tuesday, b3 Wed."""
    return Plan(
        WEEK,
        (
            route(MON, stop("b1", ob("b1", "food"), ob("b1", "extinguisher"), at=10 * H)),
            route(
                TUE,
                stop(
                    "b2",
                    ob("b2", "label"),
                    ob("b2", "extinguisher", reason=Reason.COMPLAINT, task="t1", priority=52),
                    at=9 * H,
                ),
            ),  # fmt: skip
            route(WED, stop("b3", ob("b3", "food"), at=11 * H)),
        ),
        (Unscheduled(ob("b3", "extinguisher"), "capacity: no team left on Wed"),),
        (("visits_planned", 3.0), ("lp_bound", float("inf"))),
    )


@pytest.fixture
def saved(store: Store, tiny: Scenario) -> int:
    """The tiny scenario imported and ``hand_plan`` saved as a draft; returns the plan id."""
    version = store.import_scenario(tiny, by="ana", source=str(TINY))
    return store.save_plan(hand_plan(), scenario_version=version.id, by="ana", why="first draft").id


@pytest.fixture
def published(store: Store, saved: int) -> int:
    """``saved`` published."""
    store.publish(saved, by="ana")
    return saved


# ---------------------------------------------------------------- schema


def test_init_is_idempotent_and_at_head(url: str) -> None:
    """Running ``init`` twice leaves the database at the newest migration."""
    with Store(url) as store:
        first = store.init()
        assert store.init() == first
        assert store.schema_revision() == first


def test_store_without_schema_says_run_init(url: str) -> None:
    """Using a database before ``init`` is refused with a message naming the command."""
    with Store(url) as store, pytest.raises(SchemaError, match="db init"):
        store.plans()


def test_migrations_match_the_models(store: Store) -> None:
    """The migrated schema is exactly what the ORM models declare (nothing to autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from planner.store import Base

    with store._engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


def test_sqlite_database_is_in_wal_mode(tmp_path: Path) -> None:
    """The default embedded database journals in WAL mode (readers do not block the writer)."""
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        store.init()
        with store._engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_default_url_is_environment_or_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """``PLANNER_DATABASE_URL`` wins; otherwise a SQLite file in the user's data directory."""
    from planner.store import default_url

    monkeypatch.setenv("PLANNER_DATABASE_URL", "postgresql://u@h/db")
    assert default_url() == "postgresql://u@h/db"
    monkeypatch.delenv("PLANNER_DATABASE_URL")
    assert default_url().startswith("sqlite:///") and default_url().endswith("planner.db")
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


# ---------------------------------------------------------------- scenarios


def test_scenario_version_round_trips(store: Store, tiny: Scenario) -> None:
    """A stored scenario version loads back equal to what was imported."""
    version = store.import_scenario(tiny, by="ana", source="tiny")
    assert store.load_scenario(version.id) == tiny
    assert store.load_scenario() == tiny  # the newest by default


def test_scenario_versions_are_listed_in_order(store: Store, tiny: Scenario) -> None:
    """Each import is a new version, listed oldest first with who imported it."""
    store.import_scenario(tiny, by="ana")
    store.import_scenario(replace(tiny, tasks=()), by="bob")
    versions = store.scenario_versions()
    assert [v.created_by for v in versions] == ["ana", "bob"]
    assert versions[0].digest != versions[1].digest
    assert store.load_scenario(versions[1].id).tasks == ()


def test_unknown_scenario_version_is_refused(store: Store) -> None:
    """Loading a version that does not exist names it."""
    with pytest.raises(NotFoundError, match="scenario version 7"):
        store.load_scenario(7)


# ---------------------------------------------------------------- plans


def test_plan_round_trips_as_draft(store: Store, saved: int) -> None:
    """A saved plan loads back equal (routes, times, extras, unscheduled, metrics), as a draft."""
    assert store.load_plan(saved) == hand_plan()
    info = store.plan_info(saved)
    assert (info.status, info.version, info.revision, info.created_by) == (
        PlanStatus.DRAFT, 1, 1, "ana",
    )  # fmt: skip


def test_plan_with_unknown_ids_is_refused_listing_every_problem(store: Store, tiny: Scenario) -> None:  # fmt: skip
    """A plan naming an unknown business, item, officer or a day outside the week is refused."""
    version = store.import_scenario(tiny, by="ana")
    bad = Plan(
        WEEK,
        (
            Route(
                "T1",
                MON + dt.timedelta(days=7),
                ("o1", "o9"),
                (stop("b9", ob("b9", "food"), at=9 * H),),
            ),  # fmt: skip
            route(TUE, stop("b1", replace(ob("b1", "food"), item_id="gas"), at=9 * H)),
        ),
        (),
    )
    with pytest.raises(StoreError) as caught:
        store.save_plan(bad, scenario_version=version.id, by="ana")
    text_ = str(caught.value)
    for needle in ("outside the week", "unknown officer 'o9'", "unknown business 'b9'", "unknown item 'gas'"):  # fmt: skip
        assert needle in text_
    assert store.plans() == ()


def test_plan_for_unknown_scenario_version_is_refused(store: Store) -> None:
    """Saving against a scenario version that does not exist is refused."""
    with pytest.raises(NotFoundError, match="scenario version 3"):
        store.save_plan(hand_plan(), scenario_version=3, by="ana")


def test_publish_sends_notices_without_unannounced_items(store: Store, saved: int) -> None:
    """Publishing notifies each business of its visit; unannounced items are never listed."""
    info = store.publish(saved, by="bob", why="week agreed")
    assert (info.status, info.published_by, info.version) == (PlanStatus.PUBLISHED, "bob", 2)
    notices = {n.business_id: n for n in store.notices(saved)}
    assert set(notices) == {"b1", "b2", "b3"}
    assert notices["b2"].item_ids == ("extinguisher",)  # label is unannounced
    assert (notices["b2"].day, notices["b2"].start, notices["b2"].kind) == (TUE, 9 * H, "announce")


def test_publishing_twice_is_refused(store: Store, published: int) -> None:
    """A published plan cannot be published again."""
    with pytest.raises(StateError, match="it is published"):
        store.publish(published, by="bob")


def test_only_one_published_plan_per_week(store: Store, published: int) -> None:
    """A second plan of the same week cannot be published while the first one is: a conflict
    naming the published plan and saying to reload."""
    other = store.save_plan(hand_plan(), scenario_version=1, by="bob").id
    with pytest.raises(ConflictError, match=f"another plan for this week .* plan {published}, by ana .*reload"):  # fmt: skip
        store.publish(other, by="bob")


def test_draft_edit_is_a_new_revision(store: Store, saved: int) -> None:
    """Editing a draft replaces its routes, bumps revision and version, keeps the old revision."""
    edited = replace(hand_plan(), routes=hand_plan().routes[:2])
    info = store.update_plan(saved, edited, by="bob", why="b3 moved out", expected_version=1)
    assert (info.revision, info.version) == (2, 2)
    assert store.load_plan(saved) == edited
    assert [(n, kind) for n, kind, _, _ in store.revisions(saved)] == [(1, "saved"), (2, "edited")]
    assert store.revisions(saved)[0][2] == hand_plan()


def test_second_save_of_a_stale_version_is_refused(store: Store, saved: int) -> None:
    """Two planners read version 1; ana's save wins, bob's is refused naming ana; nothing is lost."""
    ana_reads = bob_reads = store.plan_info(saved).version
    edited = replace(hand_plan(), routes=hand_plan().routes[:2])
    store.update_plan(saved, edited, by="ana", why="drop Wed", expected_version=ana_reads)
    with pytest.raises(ConflictError) as caught:
        store.publish(saved, by="bob", expected_version=bob_reads)
    message = str(caught.value)
    assert f"plan {saved} was changed by ana at" in message
    assert "(version 2)" in message and "reload and redo your change" in message
    assert store.load_plan(saved) == edited
    assert store.plan_info(saved).status == PlanStatus.DRAFT
    assert [e.action for e in store.history(saved)] == ["plan.save", "plan.edit"]


def test_concurrent_edits_one_wins_the_other_conflicts(store: Store, published: int) -> None:
    """Two threads record outcomes against the same version at once: one wins, one conflicts."""
    version = store.plan_info(published).version
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def record(who: str, business: str) -> None:
        outcome = Outcome(business, "", TUE, OutcomeStatus.DONE, Result.PASS)
        barrier.wait()
        try:
            store.record_outcomes(published, [outcome], by=who, expected_version=version)
            results[who] = "ok"
        except ConflictError as exc:
            results[who] = exc

    threads = [threading.Thread(target=record, args=a) for a in (("ana", "b1"), ("bob", "b2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [w for w, r in results.items() if r == "ok"]
    losers = [r for r in results.values() if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    assert f"changed by {winners[0]}" in str(losers[0])
    recorded = {o.business_id for o in store.outcomes(published)}
    assert recorded == {"b1" if winners == ["ana"] else "b2"}
    assert store.plan_info(published).version == version + 1


def test_version_column_catches_a_write_between_read_and_save(
    store: Store, saved: int, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another transaction commits after publish read the plan: the UPDATE … WHERE version finds
    nothing, and the publish is refused as a conflict instead of overwriting."""
    if backend == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: nothing can commit in between")
    read = Store._plan_for_change

    def read_then_someone_saves(self: Store, session: Any, plan_id: int, *args: Any) -> Any:
        row = read(self, session, plan_id, *args)
        other = create_engine(normalise_url(store.url))
        with other.begin() as connection:
            connection.execute(
                text("UPDATE plans SET version = version + 1, updated_by = 'ana' WHERE id = :id"),
                {"id": plan_id},
            )
        other.dispose()
        return row

    monkeypatch.setattr(Store, "_plan_for_change", read_then_someone_saves)
    with pytest.raises(ConflictError, match=f"plan {saved} was changed by ana .*version 2"):
        store.publish(saved, by="bob")
    monkeypatch.undo()
    assert store.plan_info(saved).status == PlanStatus.DRAFT
    assert store.notices(saved) == ()


PUBLISH_RACE_ROUNDS = 12
PUBLISH_RACERS = 4


def _race_publishes(store: Store, drafts: list[int]) -> dict[int, object]:
    """Publish every draft from its own thread, all released at once; what each one got."""
    barrier = threading.Barrier(len(drafts))
    results: dict[int, object] = {}

    def publish(plan_id: int) -> None:
        barrier.wait()
        try:
            store.publish(plan_id, by=f"racer{plan_id}")
            results[plan_id] = "published"
        except Exception as exc:  # noqa: BLE001 - the test asserts which kind it was
            results[plan_id] = exc

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_publishes_of_one_week_publish_exactly_one(store: Store, tiny: Scenario) -> None:
    """Four drafts of one week published at once from four threads, round after round: exactly
    one plan per week is published (with its notices); every other publish is a ``ConflictError``
    saying to reload, never a database error, and leaves its draft and no notice behind."""
    version = store.import_scenario(tiny, by="ana").id
    for n in range(PUBLISH_RACE_ROUNDS):
        shift = dt.timedelta(days=7 * n)
        week = replace(
            hand_plan(),
            week_start=WEEK + shift,
            routes=tuple(replace(r, day=r.day + shift) for r in hand_plan().routes),
        )
        drafts = [
            store.save_plan(week, scenario_version=version, by=f"p{k}").id
            for k in range(PUBLISH_RACERS)
        ]
        results = _race_publishes(store, drafts)
        winners = [d for d in drafts if results[d] == "published"]
        losers = [results[d] for d in drafts if d not in winners]
        assert len(winners) == 1, f"round {n}: {results}"
        for exc in losers:
            assert isinstance(exc, ConflictError), f"round {n}: {exc!r}"
            assert "another plan for this week was published" in str(exc)
            assert "reload" in str(exc)
        statuses = [store.plan_info(d).status for d in drafts]
        assert statuses.count(PlanStatus.PUBLISHED) == 1
        assert statuses.count(PlanStatus.DRAFT) == PUBLISH_RACERS - 1
        for d in drafts:
            assert len(store.notices(d)) == (3 if d in winners else 0)


def test_database_refuses_a_second_published_plan_of_a_week(store: Store, published: int) -> None:
    """The rule lives in the schema too: flipping a second plan of the week to published behind
    the store's back is refused by the database (a partial unique index)."""
    other = store.save_plan(hand_plan(), scenario_version=1, by="bob").id
    with pytest.raises(DBAPIError), store._engine.begin() as connection:
        connection.execute(
            text("UPDATE plans SET status = 'published' WHERE id = :id"), {"id": other}
        )
    assert store.plan_info(other).status == PlanStatus.DRAFT


# ---------------------------------------------------------------- integrity


PUBLISH = "import sys; from planner.store import Store; Store(sys.argv[1]).publish(int(sys.argv[2]), by='bob')"  # fmt: skip
RECORD = (
    "import sys, datetime as dt; from planner.store import Store; "
    "from planner.domain import Outcome, OutcomeStatus, Result; "
    "Store(sys.argv[1]).record_outcomes(int(sys.argv[2]), "
    "[Outcome('b1', '', dt.date(2026, 11, 23), OutcomeStatus.DONE, Result.PASS)], by='bob')"
)


def _run_until_paused(code: str, url: str, plan_id: int, point: str) -> subprocess.Popen[str]:
    env = {**os.environ, PAUSE_ENV: point}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, url, str(plan_id)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the hook says where it is (or the process ends)
    if line.strip() != f"PAUSED {point}":
        proc.kill()
        _, err = proc.communicate(timeout=60)
        pytest.fail(f"subprocess did not reach {point}: {line!r} {err}")
    return proc


def test_publish_killed_midway_leaves_the_draft(store: Store, saved: int) -> None:
    """SIGKILL in the middle of publishing (status flipped, some notices written) changes nothing."""
    before = store.plan_info(saved)
    proc = _run_until_paused(PUBLISH, store.url, saved, "publish")
    assert store.plan_info(saved).status == PlanStatus.DRAFT  # half a transaction is never seen
    proc.kill()
    proc.communicate(timeout=60)  # reaps it and closes its pipes
    assert store.plan_info(saved) == before
    assert store.notices(saved) == ()
    assert [e.action for e in store.history(saved)] == ["plan.save"]
    info = store.publish(saved, by="ana")  # the database is usable and the publish can be redone
    assert info.status == PlanStatus.PUBLISHED and len(store.notices(saved)) == 3


def test_record_killed_midway_leaves_no_outcome(store: Store, published: int) -> None:
    """SIGKILL after the outcome rows are written but before commit leaves no outcome behind."""
    before = store.plan_info(published)
    proc = _run_until_paused(RECORD, store.url, published, "record")
    proc.kill()
    proc.communicate(timeout=60)  # reaps it and closes its pipes
    assert store.plan_info(published) == before
    assert store.outcomes(published) == ()
    assert store.count_rows("outcomes") == 0


def test_audit_log_refuses_update_and_delete(store: Store, saved: int) -> None:
    """The audit log is append-only in the database itself (triggers), not only in the code."""
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store._engine.begin() as connection:
            connection.execute(text(statement))
    assert [e.actor for e in store.history()] == ["ana", "ana"]


def test_every_change_is_audited_with_who_and_why(store: Store, saved: int) -> None:
    """Import, save, publish, record and close each leave one audit entry with actor and reason."""
    store.publish(saved, by="bob", why="agreed at Monday meeting")
    store.record_outcomes(saved, [Outcome("b1", "food", MON, OutcomeStatus.DONE, Result.PASS)], by="cai", why="field sheet")  # fmt: skip
    store.close_plan(saved, by="dan", why="week over")
    entries = store.history()
    assert [(e.action, e.actor) for e in entries] == [
        ("scenario.import", "ana"),
        ("plan.save", "ana"),
        ("plan.publish", "bob"),
        ("outcome.record", "cai"),
        ("plan.close", "dan"),
        ("scenario.derive", "dan"),
    ]
    assert entries[2].why == "agreed at Monday meeting"
    assert entries[3].details["outcomes"][0]["result"] == "pass"
    assert [e.at for e in entries] == sorted(e.at for e in entries)


# ---------------------------------------------------------------- outcomes


def test_outcomes_for_a_draft_are_refused(store: Store, saved: int) -> None:
    """Outcomes can only be recorded for a published plan."""
    with pytest.raises(StateError, match="it is draft"):
        store.record_outcomes(saved, [Outcome("b1", "food", MON, OutcomeStatus.DONE, Result.PASS)], by="ana")  # fmt: skip


def test_invalid_outcomes_are_refused_listing_every_problem(store: Store, published: int) -> None:
    """Unknown business, item not at the visit, date off-week, missing result: all listed, none saved."""
    bad = [
        Outcome("b9", "food", MON, OutcomeStatus.DONE, Result.PASS),
        Outcome("b1", "label", MON, OutcomeStatus.DONE, Result.PASS),
        Outcome("b1", "food", MON + dt.timedelta(days=8), OutcomeStatus.DONE, Result.PASS),
        Outcome("b2", "extinguisher", TUE, OutcomeStatus.DONE),
        Outcome("b3", "food", WED, OutcomeStatus.NOT_OPEN, Result.FAIL),
    ]
    with pytest.raises(StoreError) as caught:
        store.record_outcomes(published, bad, by="ana")
    assert len(caught.value.problems) == 5
    message = str(caught.value)
    for needle in ("no visit to business 'b9'", "'label' is not checked", "outside the week", "needs a result", "has no result"):  # fmt: skip
        assert needle in message
    assert store.outcomes(published) == ()


def test_outcome_without_item_covers_the_whole_visit(store: Store, published: int) -> None:
    """An outcome with an empty item applies to every item of the business's visit."""
    store.record_outcomes(published, [Outcome("b2", "", TUE, OutcomeStatus.NOT_OPEN)], by="ana")
    assert {(o.item_id, o.status) for o in store.outcomes(published)} == {
        ("extinguisher", OutcomeStatus.NOT_OPEN),
        ("label", OutcomeStatus.NOT_OPEN),
    }


def test_recorded_outcome_is_not_overwritten_silently(store: Store, published: int) -> None:
    """Recording an item twice is refused unless it is a correction; the correction is audited."""
    first = Outcome("b1", "food", MON, OutcomeStatus.DONE, Result.PASS)
    store.record_outcomes(published, [first], by="ana")
    fix = replace(first, result=Result.FINDINGS)
    with pytest.raises(StoreError, match="already recorded"):
        store.record_outcomes(published, [fix], by="bob")
    store.record_outcomes(published, [fix], by="bob", replace_existing=True)
    assert store.outcomes(published) == (fix,)
    last = store.history(published)[-1]
    assert last.details["outcomes"][0]["replaces"] == {"status": "done", "result": "pass"}


def test_closed_plan_takes_no_more_outcomes(store: Store, published: int) -> None:
    """After closing, the week's outcomes are final."""
    store.close_plan(published, by="ana")
    with pytest.raises(StateError, match="it is closed"):
        store.record_outcomes(published, [Outcome("b1", "food", MON, OutcomeStatus.DONE, Result.PASS)], by="ana")  # fmt: skip


# ---- apply_outcomes (pure)


def _rec(outcome: Outcome, *obligations: Obligation) -> RecordedOutcome:
    return RecordedOutcome(outcome, obligations, ("o1", "o2"))


def test_done_item_updates_last_inspected_date(tiny: Scenario) -> None:
    """A done item adds a history record at the outcome's date, with the officers present."""
    out = apply_outcomes(
        tiny,
        [_rec(Outcome("b1", "food", TUE, OutcomeStatus.DONE, Result.FINDINGS), ob("b1", "food"))],
        label="plan 1",  # fmt: skip
    )
    latest = max((h for h in out.history if (h.business_id, h.item_id) == ("b1", "food")), key=lambda h: h.date)  # fmt: skip
    assert (latest.date, latest.result, latest.officer_ids) == (TUE, Result.FINDINGS, ("o1", "o2"))


def test_done_item_closes_its_task(tiny: Scenario) -> None:
    """A complaint done at the visit is no longer owed."""
    complaint = ob("b2", "extinguisher", reason=Reason.COMPLAINT, task="t1")
    out = apply_outcomes(tiny, [_rec(Outcome("b2", "extinguisher", TUE, OutcomeStatus.DONE, Result.PASS), complaint)], label="p")  # fmt: skip
    assert "t1" not in {t.id for t in out.tasks}


def test_failed_item_becomes_a_follow_up_within_its_days(tiny: Scenario) -> None:
    """A failure is followed up: due ``follow_up_days`` after the failed check."""
    out = apply_outcomes(tiny, [_rec(Outcome("b3", "extinguisher", WED, OutcomeStatus.DONE, Result.FAIL), ob("b3", "extinguisher"))], label="p")  # fmt: skip
    found = [
        o for o in derive_obligations(out, WEEK + dt.timedelta(days=7))
        if (o.business_id, o.item_id) == ("b3", "extinguisher")
    ]  # fmt: skip
    assert [(o.reason, o.due) for o in found] == [(Reason.FOLLOW_UP, WED + dt.timedelta(days=7))]


def test_not_open_task_returns_with_raised_priority(tiny: Scenario) -> None:
    """A complaint whose visit found the business closed stays owed, one priority step higher."""
    scenario = replace(tiny, tasks=(replace(tiny.tasks[0], priority=3),))
    complaint = ob("b2", "extinguisher", reason=Reason.COMPLAINT, task="t1")
    out = apply_outcomes(scenario, [_rec(Outcome("b2", "extinguisher", TUE, OutcomeStatus.NOT_OPEN), complaint)], label="plan 4")  # fmt: skip
    (task,) = out.tasks
    assert (task.id, task.priority) == ("t1", 4)
    assert task.note.endswith("returned: not open on 2026-11-24 (plan 4)")


def test_refused_routine_item_returns_as_a_raised_task(tiny: Scenario) -> None:
    """A routine item the business refused comes back as a return task above routine priority."""
    out = apply_outcomes(tiny, [_rec(Outcome("b1", "food", MON, OutcomeStatus.REFUSED), ob("b1", "food"))], label="p")  # fmt: skip
    task = next(t for t in out.tasks if t.id == return_task_id("b1", "food"))
    assert (task.kind, task.priority, task.deadline) == (
        TaskKind.FOLLOW_UP,
        3,
        ob("b1", "food").due,
    )
    assert out.history == tiny.history  # not inspected: the item stays due


def test_returned_twice_raises_priority_again(tiny: Scenario) -> None:
    """A second miss raises the return task's priority once more."""
    first = apply_outcomes(tiny, [_rec(Outcome("b1", "food", MON, OutcomeStatus.POSTPONED), ob("b1", "food"))], label="w1")  # fmt: skip
    again = replace(ob("b1", "food"), task_id=return_task_id("b1", "food"))
    second = apply_outcomes(first, [_rec(Outcome("b1", "food", MON + dt.timedelta(days=7), OutcomeStatus.NOT_OPEN), again)], label="w2")  # fmt: skip
    task = next(t for t in second.tasks if t.id == return_task_id("b1", "food"))
    assert task.priority == 4


def test_close_stores_the_next_scenario_version(store: Store, published: int) -> None:
    """Closing a week derives the next scenario version from its outcomes and links it."""
    store.record_outcomes(published, [Outcome("b1", "food", MON, OutcomeStatus.DONE, Result.PASS)], by="ana")  # fmt: skip
    info, version = store.close_plan(published, by="ana")
    assert info.status == PlanStatus.CLOSED and info.next_scenario_version_id == version.id
    assert version.parent_id == info.scenario_version_id
    nxt = store.load_scenario(version.id)
    assert any((h.business_id, h.item_id, h.date) == ("b1", "food", MON) for h in nxt.history)
    assert store.next_week_scenario(published) == nxt


# ---------------------------------------------------------------- re-planning (store side)


def test_diff_lists_moved_added_dropped_with_reasons() -> None:
    """b3 moves Wed→Thu (officer off), b2 is dropped (closed), b4 is added (urgent complaint)."""
    old = hand_plan()
    complaint = Task("t9", "b4", "food", TaskKind.COMPLAINT, None, FRI, 5, "smell of gas")
    new = replace(
        old,
        routes=(
            old.routes[0],
            route(
                THU,
                stop("b3", ob("b3", "food"), at=11 * H),
                stop("b4", ob("b4", "food", reason=Reason.COMPLAINT, task="t9"), at=14 * H),
            ),  # fmt: skip
        ),
    )
    changes = [
        OfficerAbsent("o2", WED, why="off sick"),
        BusinessClosed("b2", TUE, TUE, why="closed for renovation"),
        UrgentTask(complaint),
    ]
    diff = diff_plans(old, new, changes=changes, announced={"b2", "b3"})
    assert [(c.business_id, c.after.day if c.after else None) for c in diff.moved] == [("b3", THU)]
    assert diff.moved[0].reason.startswith("officer o2 off sick from Wed")
    assert diff.moved[0].announced
    assert [(c.business_id, c.reason) for c in diff.dropped] == [("b2", "business closed for renovation Tue 2026-11-24–Tue 2026-11-24")]  # fmt: skip
    assert [(c.business_id, c.reason) for c in diff.added] == [("b4", "urgent complaint t9: smell of gas")]  # fmt: skip
    assert diff.unchanged == 1


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """Random plans of one week: some of b1–b6 visited by T1 or T2 on a weekday at some hour."""
    routes: dict[tuple[str, dt.date], list[Stop]] = {}
    for business in draw(st.lists(st.sampled_from(["b1", "b2", "b3", "b4", "b5", "b6"]), unique=True)):  # fmt: skip
        team = draw(st.sampled_from(["T1", "T2"]))
        day = draw(st.sampled_from([MON, TUE, WED, THU, FRI]))
        items = draw(st.lists(st.sampled_from(["food", "extinguisher"]), min_size=1, unique=True))
        at = draw(st.integers(8, 16)) * H
        routes.setdefault((team, day), []).append(stop(business, *(ob(business, i) for i in items), at=at))  # fmt: skip
    return Plan(WEEK, tuple(route(day, *stops, team=team) for (team, day), stops in sorted(routes.items())), ())  # fmt: skip


def _visits(plan: Plan) -> int:
    return sum(len(r.stops) for r in plan.routes)


@given(plans(), plans())
@settings(max_examples=60, deadline=None)
def test_diff_accounts_for_every_visit_once(old: Plan, new: Plan) -> None:
    """Every old visit is moved, changed, unchanged or dropped; every new one moved, changed,
    unchanged or added; a plan against itself has no difference."""
    diff = diff_plans(old, new)
    kept = len(diff.moved) + len(diff.changed) + diff.unchanged
    assert kept + len(diff.dropped) == _visits(old)
    assert kept + len(diff.added) == _visits(new)
    same = diff_plans(old, old)
    assert same.empty and same.unchanged == _visits(old)


@given(plans())
@settings(max_examples=30, deadline=None)
def test_plan_snapshot_round_trips(plan: Plan) -> None:
    """A revision's JSON snapshot reads back as the same plan."""
    assert plan_from_snapshot(json.loads(json.dumps(plan_snapshot(plan)))) == plan


def test_small_retime_is_not_a_move() -> None:
    """A start shifted within the tolerance on the same team-day is unchanged; beyond it, moved."""
    old = hand_plan()
    shifted = replace(old, routes=(route(MON, stop("b1", ob("b1", "food"), ob("b1", "extinguisher"), at=10 * H + 900)),) + old.routes[1:])  # fmt: skip
    assert diff_plans(old, shifted).empty
    assert len(diff_plans(old, shifted, tolerance=600).moved) == 1


def test_apply_changes_for_the_week(tiny: Scenario) -> None:
    """An absence removes the officer's days, a closure the business's hours, a task is added."""
    task = Task("t9", "b1", "food", TaskKind.COMPLAINT, None, FRI, 5)
    out = apply_changes(
        tiny,
        [OfficerAbsent("o1", WED), BusinessClosed("b1", THU, FRI), UrgentTask(task)],
        WEEK,
    )
    assert out.inspector("o1").working_days == (0, 1)
    assert out.business("b1").opening_hours.windows_on(3) == ()
    assert out.business("b1").opening_hours.windows_on(5) != ()
    assert task in out.tasks


def test_hold_slot_keeps_an_announced_time(tiny: Scenario) -> None:
    """Holding b1's Monday 10:00–10:30 visit ± 30 min narrows Monday to 10:00 (it opens then)
    to 11:00; other days stay as they were."""
    hours = tiny.business("b1").opening_hours
    held = hold_slot(hours, MON, 10 * H, 10 * H + 1800, 1800)
    assert held.windows_on(0) == ((10 * H, 11 * H),)
    assert all(held.windows_on(d) == hours.windows_on(d) for d in range(1, 7))


def test_replan_keeps_fixed_days_and_notifies_moves(store: Store, published: int) -> None:
    """A re-plan from Wed moves b3 to Thu: change notice, new revision with its diff, audit."""
    new = replace(hand_plan(), routes=hand_plan().routes[:2] + (route(THU, stop("b3", ob("b3", "food"), at=11 * H)),))  # fmt: skip
    diff = store.replan(published, new, from_day=WED, by="ana", why="o2 sick", changes=[OfficerAbsent("o2", WED)])  # fmt: skip
    assert [c.business_id for c in diff.moved] == ["b3"] and not diff.added and not diff.dropped
    store.publish(published, by="ana", why="re-notify b3")
    assert store.load_plan(published) == new
    assert [(n.business_id, n.kind, n.day) for n in store.notices(published)][-1] == ("b3", "change", THU)  # fmt: skip
    number, kind, _, stored_diff = store.revisions(published)[-1]
    assert (number, kind, stored_diff) == (2, "replanned", diff)
    assert store.history(published)[-1].details["changes"] == ["officer o2 off sick from Wed 2026-11-25"]  # fmt: skip


def test_replan_refuses_to_touch_days_before_it(store: Store, published: int) -> None:
    """A re-plan from Wed may not move Monday's visit."""
    moved_monday = replace(hand_plan(), routes=(route(THU, stop("b1", ob("b1", "food"), ob("b1", "extinguisher"), at=10 * H)),) + hand_plan().routes[1:])  # fmt: skip
    with pytest.raises(StoreError, match="b1: its visit on 2026-11-23 is before 2026-11-25 but changed"):  # fmt: skip
        store.replan(published, moved_monday, from_day=WED, by="ana")
    assert store.load_plan(published) == hand_plan()


def test_replan_keeps_started_visits(store: Store, published: int) -> None:
    """A visit with an outcome recorded may not be dropped by a re-plan."""
    store.record_outcomes(published, [Outcome("b3", "food", WED, OutcomeStatus.DONE, Result.PASS)], by="ana")  # fmt: skip
    without_b3 = replace(hand_plan(), routes=hand_plan().routes[:2])
    with pytest.raises(StoreError, match="b3: its visit on 2026-11-25 is fixed but was dropped"):
        store.replan(published, without_b3, from_day=WED, by="ana")


def test_replan_dropping_an_announced_visit_cancels_it(store: Store, published: int) -> None:
    """A dropped announced visit gets a cancellation and stays on record as dropped."""
    without_b3 = replace(hand_plan(), routes=hand_plan().routes[:2])
    diff = store.replan(published, without_b3, from_day=WED, by="ana", changes=[BusinessClosed("b3", WED)])  # fmt: skip
    store.publish(published, by="ana")
    assert [(c.business_id, c.reason) for c in diff.dropped] == [("b3", "business closed from Wed 2026-11-25")]  # fmt: skip
    assert store.notices(published)[-1].kind == "cancel"
    assert "b3" not in {
        s.visit.business_id for r in store.load_plan(published).routes for s in r.stops
    }


def test_replan_with_urgent_task_stores_it_for_next_week(store: Store, published: int) -> None:
    """An urgent complaint placed by a re-plan is kept in a new scenario version of the plan."""
    task = Task("t9", "b1", "food", TaskKind.COMPLAINT, None, FRI, 5, "smell")
    visit = stop("b1", ob("b1", "food", reason=Reason.COMPLAINT, task="t9"), at=15 * H)
    new = replace(hand_plan(), routes=hand_plan().routes + (route(THU, visit),))
    diff = store.replan(published, new, from_day=WED, by="ana", changes=[UrgentTask(task)])
    store.publish(published, by="ana")
    assert [(c.business_id, c.after.day if c.after else None) for c in diff.added] == [("b1", THU)]
    assert task in store.plan_scenario(published).tasks
    assert store.plan_info(published).scenario_version_id == 2
    # b1 now has two visits this week: an outcome names its date to pick one.
    store.record_outcomes(published, [Outcome("b1", "food", THU, OutcomeStatus.DONE, Result.PASS)], by="ana")  # fmt: skip
    assert {t.id for t in store.next_week_scenario(published).tasks} == {"t1"}  # t9 done


def test_replan_is_a_draft_the_business_sees_only_when_republished(
    store: Store, published: int, tiny: Scenario
) -> None:
    """A re-plan is a draft: the live plan, its notices and the business's page keep the old
    time; re-publishing applies it and notifies exactly the businesses whose visit changed."""
    from planner.notices import business_notice

    new = replace(hand_plan(), routes=hand_plan().routes[:2] + (route(THU, stop("b3", ob("b3", "food"), at=11 * H)),))  # fmt: skip
    before_notices = store.notices(published)
    version = store.plan_info(published).version
    diff = store.replan(published, new, from_day=WED, by="ana", why="o2 sick", changes=[OfficerAbsent("o2", WED)])  # fmt: skip
    assert store.load_plan(published) == hand_plan()
    assert store.notices(published) == before_notices
    assert store.plan_info(published).version == version
    page = business_notice(store.load_plan(published), tiny, "b3")
    assert [(v.day, v.start) for v in page.visits] == [(WED, 11 * H)]
    pending = store.pending_replan(published)
    assert pending is not None and pending.diff == diff and pending.plan == new
    assert pending.renotify == ("b3",)
    store.publish(published, by="ana", why="re-notify")
    assert store.pending_replan(published) is None
    page = business_notice(store.load_plan(published), tiny, "b3")
    assert [(v.day, v.start) for v in page.visits] == [(THU, 11 * H)]
    issued = store.notices(published)[len(before_notices) :]
    assert [(n.business_id, n.kind, n.day) for n in issued] == [("b3", "change", THU)]
    assert [e.action for e in store.history(published)][-2:] == ["plan.replan", "plan.republish"]


def test_republishing_a_stale_replan_is_a_conflict(store: Store, published: int) -> None:
    """Outcomes recorded after the re-plan was drafted: re-publishing it is refused (re-plan
    again), and nothing changes."""
    new = replace(hand_plan(), routes=hand_plan().routes[:2] + (route(THU, stop("b3", ob("b3", "food"), at=11 * H)),))  # fmt: skip
    store.replan(published, new, from_day=WED, by="ana")
    store.record_outcomes(published, [Outcome("b1", "food", MON, OutcomeStatus.DONE, Result.PASS)], by="bob")  # fmt: skip
    with pytest.raises(ConflictError, match="re-plan again"):
        store.publish(published, by="ana")
    assert store.load_plan(published) == hand_plan()


def test_discarding_a_replan_keeps_the_published_plan(store: Store, published: int) -> None:
    """A drafted re-plan can be thrown away; then there is nothing to re-publish."""
    new = replace(hand_plan(), routes=hand_plan().routes[:2])
    store.replan(published, new, from_day=WED, by="ana")
    store.discard_replan(published, by="ana")
    assert store.pending_replan(published) is None
    with pytest.raises(StateError, match="it is published"):
        store.publish(published, by="ana")


# ---------------------------------------------------------------- with the solver

FAST = SolveParams(time_limit_s=0.5)


def _obligations(plan: Plan) -> list[Obligation]:
    return [o for r in plan.routes for s in r.stops for o in s.visit.obligations]


def _stop_of(plan: Plan, business: str) -> tuple[Route, Stop]:
    return next((r, s) for r in plan.routes for s in r.stops if s.visit.business_id == business)


def test_week_to_week_outcomes_feed_next_weeks_plan(store: Store, tiny: Scenario) -> None:
    """Plan, publish, record a failure and a not-open, close: next week owes the follow-up and
    the returned items, with a raised priority, and does not owe what passed."""
    version = store.import_scenario(tiny, by="ana")
    plan = plan_week(tiny, solve_params=FAST, week_start=WEEK)
    plan_id = store.save_plan(plan, scenario_version=version.id, by="ana").id
    store.publish(plan_id, by="ana")
    (_, b1), (_, b2) = _stop_of(plan, "b1"), _stop_of(plan, "b2")
    day1 = next(r.day for r in plan.routes if b1 in r.stops)
    day2 = next(r.day for r in plan.routes if b2 in r.stops)
    store.record_outcomes(
        plan_id,
        [
            Outcome("b1", "food", day1, OutcomeStatus.DONE, Result.PASS),
            Outcome("b1", "extinguisher", day1, OutcomeStatus.DONE, Result.FAIL, "exit blocked"),
            Outcome("b2", "", day2, OutcomeStatus.NOT_OPEN, note="shutters down"),
        ],
        by="ana",
    )
    _, nxt = store.close_plan(plan_id, by="ana")
    following = WEEK + dt.timedelta(days=7)
    scenario = store.load_scenario(nxt.id)
    week2 = plan_week(scenario, solve_params=FAST, week_start=following)
    owed = _obligations(week2) + [u.obligation for u in week2.unscheduled]
    follow_up = [o for o in owed if (o.business_id, o.item_id) == ("b1", "extinguisher")]
    assert [(o.reason, o.due) for o in follow_up] == [(Reason.FOLLOW_UP, day1 + dt.timedelta(days=7))]  # fmt: skip
    assert not [o for o in owed if (o.business_id, o.item_id) == ("b1", "food")]  # passed
    before = {(o.item_id, o.task_id): o.priority for o in b2.visit.obligations}
    returned = {(o.item_id, o.task_id): o.priority for o in owed if o.business_id == "b2"}
    assert ("extinguisher", "t1") in returned  # the complaint is still owed
    assert returned[("label", return_task_id("b2", "label"))] > before[("label", "")]
    scheduled = {(o.business_id, o.item_id) for o in _obligations(week2)}
    assert {("b1", "extinguisher"), ("b2", "extinguisher"), ("b2", "label")} <= scheduled


def _replan_scenario(folder: Path) -> Scenario:
    """Twelve restaurants (b01–b04 open Mon–Tue, b05–b12 Wed–Fri), fixed teams T1 (o1+o2), T2."""
    (folder / "settings.toml").write_text(
        (TINY / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "departments.csv").write_text((TINY / "departments.csv").read_text(encoding="utf-8"))
    (folder / "items.csv").write_text(
        "id,department,title,minutes,certification,interval_low,interval_medium,interval_high,categories\n"
        "food,market,Food safety,30,food,90,90,90,restaurant\n"
        "fire,fire,Fire exits,20,fire,180,180,180,restaurant\n"
    )  # fmt: skip
    (folder / "inspectors.csv").write_text(
        "id,name,department,certifications,working_days,base\n"
        + "".join(
            f"o{n},Officer {n},{d},{c},Mon-Fri,hq\n"
            for n, d, c in (
                (1, "market", "food"),
                (2, "fire", "fire"),
                (3, "market", "food"),
                (4, "fire", "fire"),
            )
        )  # fmt: skip
    )
    (folder / "teams.csv").write_text("id,officers\nT1,o1;o2\nT2,o3;o4\n")
    rows = ["id,name,category,lon,lat,risk,opening_hours"]
    for i in range(1, 13):
        hours = "Mon-Tue 09:00-17:00" if i <= 4 else "Wed-Fri 09:00-17:00"
        lon, lat = 120.1 + 0.004 * (i % 4 - 1.5), 30.2 + 0.004 * (i // 4 - 1)
        rows.append(f"b{i:02d},Shop {i},restaurant,{lon:.4f},{lat:.4f},high,{hours}")
    (folder / "businesses.csv").write_text("\n".join(rows) + "\n")
    return load_scenario(folder)


def test_replan_with_an_officer_off_from_wednesday(store: Store, tmp_path: Path) -> None:
    """o2 off from Wed: Mon–Tue stay untouched, T1's later visits move (naming o2), T2's stay
    with their team, day and time, and the diff lists exactly the visits whose place changed."""
    scenario = _replan_scenario(tmp_path)
    version = store.import_scenario(scenario, by="ana")
    old = plan_week(scenario, solve_params=FAST, week_start=WEEK)
    plan_id = store.save_plan(old, scenario_version=version.id, by="ana").id
    before = store.publish(plan_id, by="ana")
    diff = replan_week(store, plan_id, [OfficerAbsent("o2", WED)], from_day=WED, by="bob", why="o2 sick", solve_params=FAST)  # fmt: skip
    assert store.load_plan(plan_id) == old  # a draft until re-published
    store.publish(plan_id, by="bob")
    new = store.load_plan(plan_id)
    assert [r for r in new.routes if r.day < WED] == [r for r in old.routes if r.day < WED]
    assert not any("o2" in r.officer_ids for r in new.routes if r.day >= WED)
    place = {s.visit.business_id: (r.team_id, r.day, s.start) for r in old.routes for s in r.stops}
    place_now = {s.visit.business_id: (r.team_id, r.day, s.start) for r in new.routes for s in r.stops}  # fmt: skip
    expected = {
        b for b, (team, day, start) in place.items()
        if b in place_now and (place_now[b][:2] != (team, day) or abs(place_now[b][2] - start) > 1800)
    }  # fmt: skip
    assert {c.business_id for c in diff.moved} == expected
    t1_later = {b for b, (team, day, _) in place.items() if team == "T1" and day >= WED}
    assert t1_later <= expected | {c.business_id for c in diff.dropped}
    assert all("officer o2" in c.reason for c in diff.moved if c.business_id in t1_later)
    for b, (team, day, start) in place.items():
        if team == "T2" and day >= WED:
            assert place_now[b][:2] == (team, day) and abs(place_now[b][2] - start) <= 1800
    assert set(place_now) | {c.business_id for c in diff.dropped} == set(place)
    assert store.plan_info(plan_id).version == before.version + 1
    changes = [n for n in store.notices(plan_id) if n.kind == "change"]
    assert {n.business_id for n in changes} == expected


def _formed_scenario(folder: Path) -> Scenario:
    """24 restaurants open Mon–Fri, six officers (three food, three fire), no teams table: the
    week's teams are formed by ``planner.teams`` (ids like ``Wed-2``)."""
    (folder / "settings.toml").write_text((TINY / "settings.toml").read_text(encoding="utf-8"))
    (folder / "departments.csv").write_text((TINY / "departments.csv").read_text(encoding="utf-8"))
    (folder / "items.csv").write_text(
        "id,department,title,minutes,certification,interval_low,interval_medium,interval_high,categories\n"
        "food,market,Food safety,30,food,90,90,90,restaurant\n"
        "fire,fire,Fire exits,20,fire,180,180,180,restaurant\n"
    )  # fmt: skip
    (folder / "inspectors.csv").write_text(
        "id,name,department,certifications,working_days,base\n"
        + "".join(
            f"o{n},Officer {n},{'market' if n % 2 else 'fire'},{'food' if n % 2 else 'fire'},Mon-Fri,hq\n"
            for n in range(1, 7)
        )  # fmt: skip
    )
    rows = ["id,name,category,lon,lat,risk,opening_hours"]
    for i in range(1, 25):
        lon, lat = 120.1 + 0.004 * (i % 5 - 2), 30.2 + 0.004 * (i // 5 - 2)
        rows.append(f"b{i:02d},Shop {i},restaurant,{lon:.4f},{lat:.4f},high,Mon-Fri 09:00-17:00")
    (folder / "businesses.csv").write_text("\n".join(rows) + "\n")
    return load_scenario(folder)


def test_replan_after_an_absence_and_a_complaint_moves_only_what_must_move(
    store: Store, tmp_path: Path
) -> None:
    """One officer off from Wednesday and one urgent complaint: only the visits of the team-days
    that officer was in (from Wednesday) may move or drop; every other announced visit keeps its
    team, day and time (the old re-plan re-formed all teams and moved most of the week)."""
    scenario = _formed_scenario(tmp_path)
    version = store.import_scenario(scenario, by="ana")
    old = plan_week(scenario, solve_params=FAST, week_start=WEEK)
    plan_id = store.save_plan(old, scenario_version=version.id, by="ana").id
    store.publish(plan_id, by="ana")
    officer = next(o for r in old.routes if r.day >= WED for o in r.officer_ids)
    task = Task("u1", "b01", "food", TaskKind.COMPLAINT, None, SUN, 5, "smell")
    changes = [OfficerAbsent(officer, WED), UrgentTask(task)]
    diff = replan_week(store, plan_id, changes, from_day=WED, by="bob", solve_params=FAST)
    must_move = {
        s.visit.business_id
        for r in old.routes
        if r.day >= WED and officer in r.officer_ids
        for s in r.stops
    }
    touched = {c.business_id for c in diff.moved + diff.dropped}
    assert touched <= must_move, f"moved without need: {sorted(touched - must_move)}"
    assert len(touched) <= len(must_move) < sum(len(r.stops) for r in old.routes) // 2
    pending = store.pending_replan(plan_id)
    assert pending is not None and set(pending.renotify) <= must_move | {"b01"}


def test_replan_with_64_character_officer_ids_saves_its_draft(store: Store, tmp_path: Path) -> None:
    """Officer ids may be 64 characters (``validate.MAX_ID_CHARS``); a re-plan pairs the officers
    of a broken team anew, and the new team's id must still fit the store's team key (the old
    id joined the officers' ids with ``+``: 129 characters, refused by PostgreSQL)."""
    scenario = _formed_scenario(tmp_path)
    long_ids = {o.id: o.id + "-" + "x" * (64 - len(o.id) - 1) for o in scenario.inspectors}
    scenario = replace(
        scenario, inspectors=tuple(replace(o, id=long_ids[o.id]) for o in scenario.inspectors)
    )
    version = store.import_scenario(scenario, by="ana")
    old = plan_week(scenario, solve_params=FAST, week_start=WEEK)
    plan_id = store.save_plan(old, scenario_version=version.id, by="ana").id
    store.publish(plan_id, by="ana")
    officer = next(o for r in old.routes if r.day >= WED for o in r.officer_ids)
    replan_week(store, plan_id, [OfficerAbsent(officer, WED)], from_day=WED, by="bob", solve_params=FAST)  # fmt: skip
    pending = store.pending_replan(plan_id)
    assert pending is not None
    store.publish(plan_id, by="ana")  # the re-plan's routes become rows keyed by team id
    teams = {r.team_id for r in store.load_plan(plan_id).routes}
    assert teams and all(len(t) <= 64 for t in teams), sorted(teams, key=len)[-1]


def _week_of(scenario: Scenario) -> tuple[list[Visit], dict[dt.date, tuple[Any, ...]]]:
    from planner.crew import teams_for_week
    from planner.merge import build_week_demand

    return list(build_week_demand(scenario, WEEK).visits), teams_for_week(scenario, WEEK)


def _team_days(plan: Plan) -> dict[str, tuple[str, dt.date]]:
    return {s.visit.business_id: (r.team_id, r.day) for r in plan.routes for s in r.stops}


def test_preferred_team_days_are_kept_by_the_solver(tmp_path: Path) -> None:
    """Each visit told to prefer the team-day of a shuffled plan (the same team a day later)
    lands there: another team-day costs a penalty (``add_preferred_team_days``), so the solver
    keeps nearly all of them where chance would keep a fifth."""
    from planner.pipeline import plan_visits

    scenario = _formed_scenario(tmp_path)
    visits, teams = _week_of(scenario)
    plain = plan_visits(scenario, visits, teams, WEEK, FAST)[0]
    later = {
        b: (team.replace(WEEKDAY[day.weekday()], WEEKDAY[day.weekday() + 1]), day + dt.timedelta(days=1))
        for b, (team, day) in _team_days(plain).items()
        if day < FRI
    }  # fmt: skip
    prefer = {b: slot for b, slot in later.items() if slot[1] in teams and any(t.id == slot[0] for t in teams[slot[1]])}  # fmt: skip
    assert len(prefer) >= 8
    kept = plan_visits(scenario, visits, teams, WEEK, FAST, prefer=prefer)[0]
    where = _team_days(kept)
    on_preferred = [b for b, slot in prefer.items() if where.get(b) == slot]
    assert len(on_preferred) >= 0.9 * len(prefer), (len(on_preferred), len(prefer))


def test_a_preferred_team_day_that_cannot_be_kept_moves_the_visit(tmp_path: Path) -> None:
    """A visit preferring a day its business is now closed is planned on another day (a
    finite penalty), where a hard pin to that team-day leaves it out."""
    from planner.pipeline import plan_visits

    scenario = _formed_scenario(tmp_path)
    closed = apply_changes(scenario, [BusinessClosed("b05", WED, WED)], WEEK)
    visits, teams = _week_of(closed)
    slot = (teams[WED][0].id, WED)
    moved = _team_days(plan_visits(closed, visits, teams, WEEK, FAST, prefer={"b05": slot})[0])
    assert "b05" in moved and moved["b05"][1] != WED
    pinned = plan_visits(closed, visits, teams, WEEK, FAST, pins={"b05": slot})[0]
    assert "b05" not in _team_days(pinned)


# ---------------------------------------------------------------- command line


def test_cli_lifecycle_and_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``db init|import|publish|record|close|history`` work; a stale version exits 2 saying who."""
    from planner.cli import main

    db = ["db", "--url", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert main([*db, "init"]) == 0
    assert main([*db, "import", str(TINY), "--by", "ana", "--why", "week 48"]) == 0
    with Store(f"sqlite:///{tmp_path / 'cli.db'}") as store:
        plan_id = store.save_plan(hand_plan(), scenario_version=1, by="ana").id
    assert main([*db, "publish", str(plan_id), "--by", "bob", "--expect-version", "1"]) == 0
    assert main([*db, "publish", str(plan_id), "--by", "cai", "--expect-version", "1"]) == 2
    assert "was changed by bob" in capsys.readouterr().err
    sheet = tmp_path / "outcomes.csv"
    sheet.write_text(
        "business,item,date,status,result,note\n"
        "b1,food,2026-11-23,done,fail,dirty fridge\n"
        "b2,,2026-11-24,not_open,,\n"
        "b3,food,2026-12-24,done,pass,\n"
    )
    assert main([*db, "record", str(plan_id), str(sheet), "--by", "cai"]) == 2
    assert "outside the week" in capsys.readouterr().err
    sheet.write_text("\n".join(sheet.read_text().splitlines()[:3]) + "\n")
    assert main([*db, "record", str(plan_id), str(sheet), "--by", "cai"]) == 0
    assert main([*db, "close", str(plan_id), "--by", "dan", "--why", "week over"]) == 0
    assert "scenario version 2" in capsys.readouterr().out
    assert main([*db, "history", str(plan_id)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[3] for line in lines] == ["plan.save", "plan.publish", "outcome.record", "plan.close"]  # fmt: skip
    assert lines[-1].endswith("— week over")
    assert main([*db, "list"]) == 0
    assert f"plan {plan_id}  week 2026-11-23  closed" in capsys.readouterr().out


def test_cli_replan_prints_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``db plan`` then ``db replan --officer-off`` prints moved visits with their reason."""
    from planner.cli import main

    scenario_dir = tmp_path / "scenario"
    scenario_dir.mkdir()
    _replan_scenario(scenario_dir)
    db = ["db", "--url", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert main([*db, "init"]) == 0
    assert main([*db, "import", str(scenario_dir), "--by", "ana"]) == 0
    assert main([*db, "plan", "--time-limit", "0.5", "--by", "ana"]) == 0
    assert main([*db, "publish", "1", "--by", "ana"]) == 0
    capsys.readouterr()
    args = ["replan", "1", "--from", "2026-11-25", "--officer-off", "o2", "--time-limit", "0.5"]
    assert main([*db, *args, "--by", "bob", "--why", "o2 sick"]) == 0
    out = capsys.readouterr().out
    assert "officer o2 unavailable from Wed 2026-11-25" in out
    assert "moved" in out and "unchanged" in out
