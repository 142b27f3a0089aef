"""Frequency engine: one test per rule on hand-checkable fixtures; PlanParams loading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner import InputError, PlanParams, compute_priority, derive_obligations, load_scenario
from planner.domain import (
    Business,
    Department,
    HistoryRecord,
    Item,
    Office,
    OpeningHours,
    Reason,
    Result,
    Risk,
    Scenario,
    Settings,
    Task,
    TaskKind,
    TimeSpan,
)
from planner.obligations import pull_forward_cap, routine_obligation

WS = dt.date(2026, 11, 23)  # a Monday
DAY = dt.timedelta(days=1)
HOURS = OpeningHours("Mon-Sun 08:00-20:00", tuple(TimeSpan(d, 28_800, 72_000) for d in range(7)))
SETTINGS = Settings(
    "Test", "", "Asia/Shanghai", WS, (Office("hq", "HQ", 120.1, 30.2),),
    30_600, 63_000, 41_400, 48_600, 60, setup_minutes=10,
)  # fmt: skip
DEPARTMENTS = (Department("market", "Market", "市场"), Department("fire", "Fire", "消防"))


def item(id: str, dept: str = "market", *, low: int = 365, medium: int = 180, high: int = 90,
         follow_up: int = 14, unannounced: bool = False) -> Item:  # fmt: skip
    """A restaurant item with the given intervals by risk class."""
    intervals = ((Risk.LOW, low), (Risk.MEDIUM, medium), (Risk.HIGH, high))
    return Item(id, dept, id, "", 30, dept, intervals, follow_up, unannounced, False,
                ("restaurant",), "")  # fmt: skip


def business(id: str, risk: Risk = Risk.MEDIUM) -> Business:
    """A restaurant open every day."""
    return Business(id, f"Shop {id}", "restaurant", 120.1, 30.2, "", risk, HOURS)


def scenario(
    items: tuple[Item, ...], businesses: tuple[Business, ...], **tables: object
) -> Scenario:
    """A scenario of the two departments, ``items`` and ``businesses`` (plus history, tasks)."""
    return Scenario(SETTINGS, DEPARTMENTS, items, businesses, **tables)  # type: ignore[arg-type]


def test_routine_interval_depends_on_risk_class() -> None:
    """Routine due = last inspection + the item's interval for the business's risk class."""
    food = item("food", low=365, medium=180, high=90)
    last = dt.date(2026, 6, 1)
    due = {
        risk: routine_obligation(
            business("b", risk), food, HistoryRecord("b", "food", last, Result.PASS), WS,
            PlanParams(),
        ).due
        for risk in Risk
    }  # fmt: skip
    assert due == {
        Risk.LOW: dt.date(2027, 6, 1),
        Risk.MEDIUM: dt.date(2026, 11, 28),
        Risk.HIGH: dt.date(2026, 8, 30),
    }


def test_never_inspected_is_due_at_week_start() -> None:
    """A business never inspected for an item owes it now: due on the week's Monday."""
    (o,) = derive_obligations(scenario((item("food"),), (business("b"),)), WS)
    assert (o.reason, o.due, o.earliest) == (Reason.ROUTINE, WS, WS)


def test_failed_check_creates_a_follow_up_within_follow_up_days() -> None:
    """A failed result creates a follow-up due follow-up days after it, in place of routine."""
    history = (HistoryRecord("b", "food", dt.date(2026, 11, 20), Result.FAIL),)
    s = scenario((item("food", follow_up=7),), (business("b"),), history=history)
    (o,) = derive_obligations(s, WS)
    assert (o.reason, o.due, o.earliest) == (
        Reason.FOLLOW_UP,
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 21),
    )


def test_findings_do_not_create_a_follow_up() -> None:
    """Only a failed result creates a follow-up; findings leave the routine interval running."""
    history = (HistoryRecord("b", "food", dt.date(2026, 11, 20), Result.FINDINGS),)
    s = scenario((item("food", follow_up=7),), (business("b"),), history=history)
    assert derive_obligations(s, WS) == ()


def test_latest_history_record_decides() -> None:
    """With several records of one item at one business, the latest one counts."""
    history = (
        HistoryRecord("b", "food", dt.date(2026, 11, 20), Result.PASS),
        HistoryRecord("b", "food", dt.date(2026, 1, 1), Result.FAIL),
    )
    s = scenario((item("food"),), (business("b"),), history=history)
    assert derive_obligations(s, WS) == ()


def test_complaint_keeps_its_deadline_and_priority() -> None:
    """An explicit complaint keeps its deadline, and its own priority is the base of the score."""
    history = (HistoryRecord("b", "food", dt.date(2026, 11, 1), Result.PASS),)
    task = Task("t1", "b", "food", TaskKind.COMPLAINT, None, dt.date(2026, 11, 25), 4, "smell")
    s = scenario((item("food"),), (business("b", Risk.HIGH),), history=history, tasks=(task,))
    (o,) = derive_obligations(s, WS)
    assert (o.reason, o.due, o.task_id) == (Reason.COMPLAINT, dt.date(2026, 11, 25), "t1")
    assert o.priority == compute_priority(Reason.COMPLAINT, Risk.HIGH, 0, base=4) == 44


def test_campaign_task_is_not_derived_before_its_window() -> None:
    """A campaign task whose earliest date and deadline lie after the horizon is not in the week."""
    history = (HistoryRecord("b", "food", dt.date(2026, 11, 1), Result.PASS),)
    task = Task("c1", "b", "food", TaskKind.CAMPAIGN, dt.date(2027, 3, 1), dt.date(2027, 3, 31), 3)
    s = scenario((item("food"),), (business("b"),), history=history, tasks=(task,))
    assert derive_obligations(s, WS) == ()


def test_priority_reason_outweighs_risk_and_lateness() -> None:
    """A higher reason base beats any risk class and any lateness of a lower one."""
    assert compute_priority(Reason.FOLLOW_UP, Risk.LOW, 0) > compute_priority(
        Reason.CAMPAIGN, Risk.HIGH, 10_000
    )
    assert compute_priority(Reason.ROUTINE, Risk.HIGH, 14) == 20 + 4 + 2


def test_priority_lateness_is_capped() -> None:
    """Days overdue add one point per full week, up to the cap (28 days by default)."""
    assert compute_priority(Reason.ROUTINE, Risk.LOW, 6) == 20
    assert compute_priority(Reason.ROUTINE, Risk.LOW, 28) == 24
    assert compute_priority(Reason.ROUTINE, Risk.LOW, 400) == 24


def test_overdue_obligation_priority_counts_weeks_late() -> None:
    """An obligation overdue three weeks gets three lateness points."""
    history = (HistoryRecord("b", "food", WS - dt.timedelta(days=90 + 21), Result.PASS),)
    s = scenario((item("food"),), (business("b", Risk.HIGH),), history=history)
    (o,) = derive_obligations(s, WS)
    assert o.priority == 20 + 4 + 3


def test_unannounced_flag_comes_from_the_item() -> None:
    """An obligation of an unannounced item is flagged unannounced."""
    s = scenario((item("gas", unannounced=True),), (business("b"),))
    assert [o.unannounced for o in derive_obligations(s, WS)] == [True]


def test_pull_forward_cap_is_days_or_share_of_interval() -> None:
    """The pull-forward cap is the smaller of the days and floor(share × interval)."""
    params = PlanParams(pull_forward_days=14, pull_forward_share=0.25)
    assert pull_forward_cap(365, params) == 14
    assert pull_forward_cap(40, params) == 10
    assert pull_forward_cap(3, params) == 0


def test_candidates_within_the_horizon_are_derived_and_later_ones_not() -> None:
    """Obligations due within the pull-forward horizon are derived; later ones are not."""
    food, fire = item("food", low=365), item("fire", "fire", low=365)
    last = {"food": WS + dt.timedelta(days=14) - dt.timedelta(days=365),  # due Monday + 14
            "fire": WS + dt.timedelta(days=15) - dt.timedelta(days=365)}  # fmt: skip
    history = tuple(HistoryRecord("b", i, d, Result.PASS) for i, d in last.items())
    s = scenario((food, fire), (business("b", Risk.LOW),), history=history)
    assert [o.item_id for o in derive_obligations(s, WS)] == ["food"]


def test_tiny_fixture_derives_its_week(tiny_dir: Path) -> None:
    """The tiny example: follow-up after b1's failed extinguisher check, b2's complaint, b3 new."""
    s = load_scenario(tiny_dir)
    found = {(o.business_id, o.item_id, o.reason.value): o for o in derive_obligations(s, WS)}
    assert found[("b1", "extinguisher", "follow_up")].due == dt.date(2026, 10, 8)
    assert found[("b2", "extinguisher", "complaint")].due == dt.date(2026, 11, 25)
    assert found[("b3", "food", "routine")].due == WS
    assert len(found) == 7


def test_plan_params_from_toml_file_and_dict(tmp_path: Path) -> None:
    """PlanParams reads the [plan] table of a TOML file, or a plain dictionary."""
    path = tmp_path / "params.toml"
    path.write_text(
        "[plan]\npull_forward_days = 7\ndesk_review = true\ndraw_epoch = 2026-01-05\n"
        "[solve]\ntime_limit = 5\n",
        encoding="utf-8",
    )
    params = PlanParams.from_toml(path)
    assert (params.pull_forward_days, params.desk_review) == (7, True)
    assert params.draw_epoch == dt.date(2026, 1, 5)
    assert PlanParams.from_toml({"pull_forward_share": 0.5}).pull_forward_share == 0.5


def test_plan_params_report_every_bad_key() -> None:
    """Unknown keys and bad values are all reported at once, never only the first."""
    with pytest.raises(InputError) as caught:
        PlanParams.from_toml({"pull_forward_days": "soon", "colour": "red", "desk_review": 1})
    assert {p.column for p in caught.value.problems} == {
        "pull_forward_days",
        "colour",
        "desk_review",
    }
    with pytest.raises(InputError):
        PlanParams(pull_forward_share=1.5)
