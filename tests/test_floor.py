"""The siloed floor (``planner.floor``): the joint plan never covers fewer due obligations than
the departments alone, and every plan it makes verifies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from planner.domain import (
    Business,
    Department,
    Inspector,
    Item,
    Office,
    Risk,
    Scenario,
    Settings,
    Task,
    TaskKind,
    Team,
)
from planner.floor import FLOOR_ADOPTED, FLOOR_NO_MAPPING
from planner.hours import parse_opening_hours
from planner.metrics import evaluate
from planner.params import PlanParams, SolveParams
from planner.pipeline import WeekRun, run_week_and_baseline
from planner.verify import verify_plan

MONDAY = dt.date(2026, 11, 23)
H = 3600
FAST = SolveParams(time_limit_s=1, use_guided_local_search=False)
EVERY_DAY = tuple((r, 90) for r in Risk)


def _item(item_id: str, department: str, minutes: int, *categories: str) -> Item:
    return Item(item_id, department, item_id, item_id, minutes, item_id, EVERY_DAY, 14, False,
                False, categories, "")  # fmt: skip


def _officer(oid: str, department: str, cert: str, base: str = "hq") -> Inspector:
    return Inspector(oid, oid.upper(), department, (cert,), (0,), 8 * H, 17 * H, base)


def _scenario(
    officers: Sequence[Inspector], teams: Sequence[Team] = (), restaurants: int = 3, shops: int = 14
) -> Scenario:
    """One office, Monday only; restaurants owe a long food check (a complaint, due Monday) and
    a short garbage check, shops only the garbage check; every business at the office."""
    settings = Settings(
        "Tiny", "小镇", "Asia/Shanghai", MONDAY, (Office("hq", "HQ", 120.1, 30.2),),
        8 * H, 17 * H, 11 * H + 1800, 13 * H + 1800, 60,
    )  # fmt: skip
    items = (_item("food", "market", 150, "restaurant"), _item("garbage", "urban", 15, "*"))
    hours = parse_opening_hours("Mo-Su 08:00-20:00")
    businesses = tuple(
        Business(f"r{i}", f"R{i}", "restaurant", 120.1, 30.2, "", Risk.MEDIUM, hours)
        for i in range(restaurants)
    ) + tuple(
        Business(f"s{i:02}", f"S{i}", "shop", 120.1, 30.2, "", Risk.MEDIUM, hours)
        for i in range(shops)
    )
    tasks = tuple(
        Task(f"c{i}", f"r{i}", "food", TaskKind.COMPLAINT, None, MONDAY, 5)
        for i in range(restaurants)
    )
    departments = (Department("market", "Market", "市场"), Department("urban", "Urban", "城管"))
    return Scenario(settings, departments, items, businesses, tasks=tasks,
                    inspectors=tuple(officers), teams=tuple(teams))  # fmt: skip


TRIO = [_officer("u1", "urban", "garbage"), _officer("u2", "urban", "garbage"),
        _officer("m1", "market", "food")]  # fmt: skip


def _run(scenario: Scenario) -> tuple[WeekRun, dict]:  # type: ignore[type-arg]
    joint, siloed = run_week_and_baseline(scenario, PlanParams(), FAST, workers=0)
    doc = evaluate(scenario, joint.plan, siloed.plan, obligations=joint.obligations).to_dict()
    return joint, doc


def _verified(scenario: Scenario, run: WeekRun) -> list[str]:
    return verify_plan(scenario, run.plan, run.travel, run.travel_ids, obligations=run.obligations)


def test_joint_below_siloed_adopts_the_floor() -> None:
    """Two urban officers and one market officer, always one team of three (fixed). Alone, the
    urban pair makes the garbage check at all 17 businesses; jointly, the trio's objective
    prefers the restaurants' complaints (double weight), 3 h each, and covers fewer due
    obligations. The floor maps the urban pair's route onto the trio: at least as many due
    obligations as siloed, and the plan verifies."""
    scenario = _scenario(TRIO, [Team("T", ("u1", "u2", "m1"))])
    joint, doc = _run(scenario)
    assert doc["coverage_joint"] >= doc["coverage_siloed"]
    m = dict(joint.plan.metrics)
    assert m["floor_due_joint"] < m["floor_due_siloed"]  # the joint plan alone fell below
    assert m["siloed_floor"] == FLOOR_ADOPTED
    assert m["floor_due_floor"] >= m["floor_due_siloed"]
    assert _verified(scenario, joint) == []


def test_no_mapping_is_reported_not_pretended() -> None:
    """Four officers in two fixed mixed teams (u1 + m1, u2 + m2): the urban pair and the market
    pair that work alone have no joint team holding both their officers. The joint plan
    (complaints first) covers fewer due obligations than the pairs alone, and the plan says the
    floor found no mapping instead of claiming the floor holds."""
    officers = [*TRIO, _officer("m2", "market", "food")]
    teams = [Team("A", ("u1", "m1")), Team("B", ("u2", "m2"))]
    scenario = _scenario(officers, teams, restaurants=6)
    joint, doc = _run(scenario)
    m = dict(joint.plan.metrics)
    assert m["floor_due_joint"] < m["floor_due_siloed"]
    assert m["siloed_floor"] == FLOOR_NO_MAPPING
    assert m["floor_routes_unmapped"] == 2 and m["floor_routes_mapped"] == 0
    assert doc["coverage_joint"] < doc["coverage_siloed"]  # reported, not hidden
    assert _verified(scenario, joint) == []
