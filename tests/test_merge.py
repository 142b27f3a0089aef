"""Merging: one visit per business, pull-forward within policy, duration model, siloed baseline,
rolling weeks; Hypothesis properties of the partition."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import (
    PlanParams,
    build_week_demand,
    merge_obligations,
    merge_siloed,
    simulate,
    visit_seconds,
)
from planner.cli import main
from planner.domain import (
    Business,
    DeferKind,
    Department,
    HistoryRecord,
    Item,
    Obligation,
    Office,
    OpeningHours,
    Reason,
    Result,
    Risk,
    Scenario,
    Settings,
    TimeSpan,
    WeekDemand,
)
from planner.merge import announced, pulled_forward, visit_items
from planner.obligations import obligation_cap

WS = dt.date(2026, 11, 23)  # a Monday
HOURS = OpeningHours("Mon-Sun 08:00-20:00", tuple(TimeSpan(d, 28_800, 72_000) for d in range(7)))
SETTINGS = Settings(
    "Test", "", "Asia/Shanghai", WS, (Office("hq", "HQ", 120.1, 30.2),),
    30_600, 63_000, 41_400, 48_600, 60, setup_minutes=10,
)  # fmt: skip
DEPARTMENTS = (Department("market", "Market", "市场"), Department("fire", "Fire", "消防"))


def item(id: str, dept: str = "market", *, minutes: int = 30, interval: int = 365,
         unannounced: bool = False, desk: bool = False) -> Item:  # fmt: skip
    """An item of every category with one interval for every risk class."""
    intervals = ((Risk.LOW, interval), (Risk.MEDIUM, interval), (Risk.HIGH, interval))
    return Item(id, dept, id, "", minutes, dept, intervals, 14, unannounced, desk, ("*",), "")


def business(id: str) -> Business:
    """A restaurant open every day."""
    return Business(id, f"Shop {id}", "restaurant", 120.1, 30.2, "", Risk.MEDIUM, HOURS)


def scenario(items: tuple[Item, ...], ids: tuple[str, ...] = ("b",), **tables: object) -> Scenario:
    """The two departments, ``items`` and one business per id."""
    shops = tuple(business(b) for b in ids)
    return Scenario(SETTINGS, DEPARTMENTS, items, shops, **tables)  # type: ignore[arg-type]


def owed(it: Item, due_in_days: int, business_id: str = "b", **kw: object) -> Obligation:
    """A routine obligation of ``it`` due ``due_in_days`` after the Monday, open since long ago."""
    due = WS + dt.timedelta(days=due_in_days)
    earliest = kw.pop("earliest", due - dt.timedelta(days=300))
    return Obligation(business_id, it.id, it.department_id, earliest, due, Reason.ROUTINE, 20,  # type: ignore[arg-type]
                      it.unannounced, str(kw.pop("task_id", "")))  # fmt: skip


def placed(demand: WeekDemand) -> Counter[Obligation]:
    """How often each obligation appears in a visit or in the deferred list."""
    return Counter([o for v in demand.visits for o in v.obligations] +
                   [d.obligation for d in demand.deferred])  # fmt: skip


FOOD, FIRE = item("food"), item("fire", "fire", minutes=20)


def test_one_visit_per_business_carries_every_due_obligation() -> None:
    """Due and overdue obligations of two departments at one business make one visit."""
    s = scenario((FOOD, FIRE))
    demand = merge_obligations(s, (owed(FOOD, -30), owed(FIRE, 3)), WS)
    (visit,) = demand.visits
    assert [o.item_id for o in visit.obligations] == ["fire", "food"]
    assert visit.department_ids == ("fire", "market") and demand.deferred == ()


def test_pull_forward_within_the_horizon_joins_the_visit() -> None:
    """An obligation due 14 days after the Monday (cap 14) joins a visit that happens anyway."""
    s = scenario((FOOD, FIRE))
    demand = merge_obligations(s, (owed(FOOD, 0), owed(FIRE, 14)), WS)
    assert [o.item_id for o in demand.visits[0].obligations] == ["fire", "food"]
    assert [o.item_id for o in pulled_forward(demand)] == ["fire"]


def test_pull_forward_beyond_the_horizon_is_deferred() -> None:
    """An obligation due 15 days after the Monday (cap 14 days) stays out, deferred as not due."""
    s = scenario((FOOD, FIRE))
    demand = merge_obligations(s, (owed(FOOD, 0), owed(FIRE, 15)), WS)
    assert [o.item_id for o in demand.visits[0].obligations] == ["food"]
    (deferred,) = demand.deferred
    assert (
        deferred.kind == DeferKind.NOT_DUE and "beyond the pull-forward horizon" in deferred.reason
    )


def test_pull_forward_is_capped_by_a_share_of_the_interval() -> None:
    """A 40-day item may be pulled forward 10 days (25 %), not 11, though 14 days are allowed."""
    monthly = item("fume", "fire", interval=40)
    s = scenario((FOOD, monthly))
    joined = merge_obligations(s, (owed(FOOD, 0), owed(monthly, 10)), WS)
    left = merge_obligations(s, (owed(FOOD, 0), owed(monthly, 11)), WS)
    assert len(joined.visits[0].obligations) == 2
    assert len(left.visits[0].obligations) == 1 and left.deferred[0].kind == DeferKind.NOT_DUE


def test_no_visit_is_created_only_to_pull_forward() -> None:
    """A business whose obligations are all only within the horizon gets no visit."""
    s = scenario((FOOD, FIRE))
    demand = merge_obligations(s, (owed(FOOD, 10), owed(FIRE, 12)), WS)
    assert demand.visits == ()
    assert {d.kind for d in demand.deferred} == {DeferKind.NO_VISIT}
    assert "never creates a visit" in demand.deferred[0].reason


def test_pull_forward_waits_for_the_obligation_to_open() -> None:
    """A candidate that may not be done before a later date than the Monday is not pulled forward."""
    s = scenario((FOOD, FIRE))
    late = owed(FIRE, 10, earliest=WS + dt.timedelta(days=2))
    demand = merge_obligations(s, (owed(FOOD, 0), late), WS)
    assert demand.deferred[0].kind == DeferKind.NOT_OPEN


def test_unannounced_item_rides_along_and_stays_flagged() -> None:
    """An unannounced item joins the visit, keeps its flag, and is never on the notice."""
    gas = item("gas", "fire", unannounced=True)
    s = scenario((FOOD, gas))
    (visit,) = merge_obligations(s, (owed(FOOD, 0), owed(gas, 5)), WS).visits
    flags = {o.item_id: o.unannounced for o in visit.obligations}
    assert flags == {"food": False, "gas": True}
    assert [o.item_id for o in announced(visit)] == ["food"]


def test_desk_review_items_go_to_the_desk_queue_when_asked() -> None:
    """With desk_review on, a desk-eligible item leaves the field for the desk queue."""
    permit = item("permit", "fire", desk=True)
    s = scenario((FOOD, permit))
    obligations = (owed(FOOD, 0), owed(permit, 0))
    desk = merge_obligations(s, obligations, WS, PlanParams(desk_review=True))
    field = merge_obligations(s, obligations, WS, PlanParams(desk_review=False))
    assert [o.item_id for o in desk.desk_queue] == ["permit"]
    assert [o.item_id for o in desk.visits[0].obligations] == ["food"]
    assert len(field.visits[0].obligations) == 2 and field.desk_queue == ()


def test_desk_only_business_gets_no_visit() -> None:
    """A business owing only desk-eligible items is not visited when desk review is on."""
    permit = item("permit", "fire", desk=True)
    demand = merge_obligations(
        scenario((permit,)), (owed(permit, 0),), WS, PlanParams(desk_review=True)
    )
    assert demand.visits == () and len(demand.desk_queue) == 1


def test_duration_is_one_setup_plus_the_items() -> None:
    """Setup once (10 min) + food 30 + fire 20 of two departments = 60 minutes."""
    assert visit_seconds((FOOD, FIRE), 10, PlanParams()) == 3_600


def test_duration_same_department_saving() -> None:
    """Two market items 30 + 20 with a 15 % saving: 10 + 30 + 0.85 × 20 = 57 minutes."""
    labels = item("labels", minutes=20)
    assert visit_seconds((FOOD, labels), 10, PlanParams(same_department_saving=0.15)) == 3_420
    assert visit_seconds((FOOD, labels), 10, PlanParams(same_department_saving=0.0)) == 3_600


def test_item_owed_twice_is_checked_once() -> None:
    """A routine check and a complaint on the same item cost the item's minutes once."""
    s = scenario((FOOD,))
    demand = merge_obligations(s, (owed(FOOD, 0), owed(FOOD, 2, task_id="t1")), WS)
    (visit,) = demand.visits
    assert len(visit.obligations) == 2 and visit.service_seconds == 40 * 60


def test_item_owed_twice_is_listed_once_with_both_reasons() -> None:
    """A complaint and a routine check of one item at one business: one item, both reasons,
    the complaint first, and the item's minutes once."""
    s = scenario((FOOD, FIRE))
    complaint = dataclasses.replace(owed(FOOD, 2, task_id="t1"), reason=Reason.COMPLAINT)
    demand = merge_obligations(s, (owed(FOOD, 0), complaint, owed(FIRE, 0)), WS)
    (visit,) = demand.visits
    items = visit_items(visit.obligations)
    assert [i.item_id for i in items] == ["fire", "food"]
    assert items[1].reasons == (Reason.COMPLAINT, Reason.ROUTINE)
    assert [i.label for i in items] == ["fire", "food (complaint, routine)"]
    assert visit.service_seconds == (10 + 30 + 20) * 60


def test_obligations_command_lists_an_item_owed_twice_once(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tiny week's corner shop owes a routine and a complaint check of its extinguishers:
    the joint visit lists the item once, with both reasons."""
    assert main(["obligations", str(tiny_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    (line,) = [x for x in out if re.match(r"\s*b2\s+\d+ min", x)]  # the joint visit
    assert line.count("extinguisher") == 1
    assert "extinguisher (complaint, routine)" in line


def test_siloed_baseline_visits_once_per_department() -> None:
    """Siloed: each department visits alone, each visit with its own setup."""
    s = scenario((FOOD, FIRE))
    obligations = (owed(FOOD, 0), owed(FIRE, 0))
    joint, siloed = merge_obligations(s, obligations, WS), merge_siloed(s, obligations, WS)
    assert (len(joint.visits), len(siloed.visits)) == (1, 2)
    assert [v.service_seconds for v in siloed.visits] == [30 * 60, 40 * 60]
    assert joint.service_seconds == 60 * 60


def test_siloed_pull_forward_stays_within_the_department() -> None:
    """Siloed, a fire item cannot ride along on a market visit; joint, it can."""
    s = scenario((FOOD, FIRE))
    obligations = (owed(FOOD, 0), owed(FIRE, 10))
    siloed = merge_siloed(s, obligations, WS)
    assert len(merge_obligations(s, obligations, WS).visits[0].obligations) == 2
    assert len(siloed.visits) == 1 and siloed.deferred[0].kind == DeferKind.NO_VISIT
    assert "Fire visit" in siloed.deferred[0].reason


def test_tiny_week_joint_and_siloed(tiny_dir: Path) -> None:
    """The tiny example's week: 3 joint visits against 6 siloed ones."""
    from planner import load_scenario

    s = load_scenario(tiny_dir)
    joint, siloed = build_week_demand(s, WS), build_week_demand(s, WS, siloed=True)
    assert (len(joint.visits), len(siloed.visits)) == (3, 6)


def test_simulation_counts_fortnightly_visits() -> None:
    """Two 14-day items of two departments over 4 weeks: 2 joint visits, 4 siloed."""
    s = scenario((item("a", interval=14), item("b", "fire", interval=14)))
    result = simulate(s, 4)
    assert [c.visits for c in result.joint] == [1, 0, 1, 0]
    assert [c.visits for c in result.siloed] == [2, 0, 2, 0]
    assert result.visits_per_business_year() == 26.0
    assert result.joint_by_business == (("b", 2),)


def test_simulation_pull_forward_aligns_items() -> None:
    """A 28-day item due a week after another is pulled forward once, then both stay in step."""
    a, b = item("a", interval=28), item("b", "fire", interval=28)
    history = (
        HistoryRecord("b", "a", WS - dt.timedelta(days=28), Result.PASS),  # due on the Monday
        HistoryRecord("b", "b", WS - dt.timedelta(days=21), Result.PASS),  # due a week later
    )
    s = scenario((a, b), history=history)
    with_pf, without_pf = simulate(s, 8), simulate(s, 8, pull_forward=False)
    assert [c.visits for c in with_pf.joint] == [1, 0, 0, 0, 1, 0, 0, 0]
    assert [c.visits for c in without_pf.joint] == [1, 1, 0, 0, 1, 1, 0, 0]


def test_simulation_closes_tasks_once_done(tiny_dir: Path) -> None:
    """A complaint handled in a simulated week is not owed again the next week."""
    from planner import load_scenario

    result = simulate(load_scenario(tiny_dir), 2)
    assert result.joint[0].obligations == 7
    assert result.joint[1].visits == 0


def test_cli_obligations_prints_every_section(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m planner obligations` lists due obligations, joint, siloed, deferred, simulation."""
    code = main(["obligations", str(tiny_dir), "--week", "2026-11-23", "--simulate-weeks", "4"])
    out = capsys.readouterr().out
    assert code == 0
    for heading in ("Due or overdue obligations: 7", "Joint visits: 3", "Siloed visits", "Deferred: 0",
                    "visits per business per year"):  # fmt: skip
        assert heading in out, heading


# ---- properties -------------------------------------------------------------------------------


@st.composite
def weeks(draw: st.DrawFn) -> tuple[Scenario, tuple[Obligation, ...], PlanParams]:
    """A random small scenario, random obligations around the week, random planning knobs."""
    n_items = draw(st.integers(1, 5))
    items = tuple(
        item(
            f"i{k}",
            draw(st.sampled_from(["market", "fire"])),
            minutes=draw(st.integers(1, 120)),
            interval=draw(st.integers(1, 400)),
            unannounced=draw(st.booleans()),
            desk=draw(st.booleans()),
        )
        for k in range(n_items)
    )
    ids = tuple(f"b{k}" for k in range(draw(st.integers(1, 4))))
    s = scenario(items, ids)
    obligations = []
    for _ in range(draw(st.integers(0, 20))):
        it = draw(st.sampled_from(items))
        due = draw(st.integers(-60, 60))
        opens = draw(st.integers(0, 90))
        task = draw(st.sampled_from(["", "t1", "t2"]))
        obligations.append(owed(it, due, draw(st.sampled_from(ids)),
                                earliest=WS + dt.timedelta(days=due - opens), task_id=task))  # fmt: skip
    params = PlanParams(
        pull_forward_days=draw(st.integers(0, 30)),
        pull_forward_share=draw(st.floats(0, 1)),
        desk_review=draw(st.booleans()),
        same_department_saving=draw(st.floats(0, 0.9)),
    )
    return s, tuple(obligations), params


@settings(max_examples=150, deadline=None)
@given(weeks())
def test_property_every_obligation_in_exactly_one_visit_or_deferred(week) -> None:  # type: ignore[no-untyped-def]
    """Joint and siloed: each obligation given lands exactly once, in a visit or deferred."""
    s, obligations, params = week
    for merge in (merge_obligations, merge_siloed):
        assert placed(merge(s, obligations, WS, params)) == Counter(obligations)


@settings(max_examples=150, deadline=None)
@given(weeks())
def test_property_joint_visits_never_exceed_siloed(week) -> None:  # type: ignore[no-untyped-def]
    """Joint visits ≤ siloed visits; without pull-forward (which lets joint visits take on more
    items), joint on-site time ≤ siloed on-site time too."""
    s, obligations, params = week
    joint, siloed = (
        merge_obligations(s, obligations, WS, params),
        merge_siloed(s, obligations, WS, params),
    )
    assert len(joint.visits) <= len(siloed.visits)
    params = dataclasses.replace(params, pull_forward_days=0)
    joint, siloed = (
        merge_obligations(s, obligations, WS, params),
        merge_siloed(s, obligations, WS, params),
    )
    assert joint.service_seconds <= siloed.service_seconds


@settings(max_examples=150, deadline=None)
@given(weeks())
def test_property_pull_forward_never_exceeds_its_cap(week) -> None:  # type: ignore[no-untyped-def]
    """Every pulled-forward obligation is due within its cap of the Monday, and no visit is made
    of pulled-forward obligations only."""
    s, obligations, params = week
    demand = merge_obligations(s, obligations, WS, params)
    for o in pulled_forward(demand):
        assert (o.due - WS).days <= obligation_cap(s, o, params)
    week_end = WS + dt.timedelta(days=6)
    assert all(any(o.due <= week_end for o in v.obligations) for v in demand.visits)
