"""Random draws (双随机): reproducible, logged, coordinated across departments; draw tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from planner import (
    PlanParams,
    check_scenario,
    compare_draws,
    derive_obligations,
    draw_businesses,
    load_scenario,
    redraw,
    write_scenario,
)
from planner.domain import (
    Business,
    Department,
    DrawMode,
    DrawRule,
    HistoryRecord,
    Item,
    Office,
    OpeningHours,
    Reason,
    Result,
    Risk,
    Scenario,
    Settings,
    TimeSpan,
)
from planner.draws import draw_due, draw_population, draw_week, period_bounds, sample_size

WS = dt.date(2026, 11, 23)  # a Monday
HOURS = OpeningHours("Mon-Sun 08:00-20:00", tuple(TimeSpan(d, 28_800, 72_000) for d in range(7)))
SETTINGS = Settings(
    "Test", "", "Asia/Shanghai", WS, (Office("hq", "HQ", 120.1, 30.2),),
    30_600, 63_000, 41_400, 48_600, 60,
)  # fmt: skip
DEPARTMENTS = (Department("market", "Market", "市场"), Department("fire", "Fire", "消防"))
INTERVALS = ((Risk.LOW, 365), (Risk.MEDIUM, 365), (Risk.HIGH, 365))
ITEMS = (
    Item(
        "food", "market", "Food", "", 30, "food", INTERVALS, 14, False, False, ("restaurant",), ""
    ),
    Item("exit", "fire", "Exits", "", 20, "fire", INTERVALS, 7, False, False, ("*",), ""),
)
# One week per period, starting on the planning Monday, so a drawn business is due this week.
WEEKLY = PlanParams(draw_epoch=WS)


def businesses(n: int, category: str = "restaurant", prefix: str = "r") -> tuple[Business, ...]:
    """``n`` businesses of ``category`` with ids r01, r02, …"""
    return tuple(
        Business(f"{prefix}{k:02d}", f"{prefix}{k:02d}", category, 120.1, 30.2, "", Risk.LOW, HOURS)
        for k in range(1, n + 1)
    )


def scenario(shops: tuple[Business, ...], *rules: DrawRule, history=()) -> Scenario:  # type: ignore[no-untyped-def]
    """Two departments, food (restaurants) and exits (all), inspected last Friday unless given."""
    if not history:
        history = tuple(
            HistoryRecord(b.id, i.id, WS - dt.timedelta(days=3), Result.PASS)
            for b in shops
            for i in ITEMS
        )
    return Scenario(SETTINGS, DEPARTMENTS, ITEMS, shops, history=history, draws=rules)


def rule(dept: str = "market", ratio: float = 0.25, **kw: object) -> DrawRule:
    """A weekly draw over restaurants."""
    return DrawRule(dept, str(kw.pop("category", "restaurant")), ratio, 7, **kw)  # type: ignore[arg-type]


def test_same_seed_gives_the_same_draw() -> None:
    """Drawing twice with the same seed selects the same businesses in the same order."""
    s = scenario(businesses(20), rule(seed=42))
    assert draw_businesses(s, s.draws[0], WS) == draw_businesses(s, s.draws[0], WS)


def test_another_seed_gives_another_draw() -> None:
    """A different seed selects a different sample (here, of 5 out of 20)."""
    s = scenario(businesses(20))
    a = draw_businesses(s, rule(seed=1), WS).drawn
    b = draw_businesses(s, rule(seed=2), WS).drawn
    assert len(a) == len(b) == 5 and set(a) != set(b)


def test_sample_size_is_the_ratio_rounded_up() -> None:
    """ceil(ratio × population): 12 % of 20 draws 3; 30 % of 10 draws 3 despite float error."""
    assert sample_size(0.12, 20) == 3
    assert sample_size(0.3, 10) == 3
    assert sample_size(1.0, 7) == 7
    assert sample_size(0.5, 0) == 0


def test_draw_is_logged_and_recomputable() -> None:
    """The log holds seed, population, ratio and who was drawn; redraw recomputes it from the log."""
    s = scenario(businesses(20) + businesses(3, "shop", "s"), rule(seed=9))
    log = draw_businesses(s, s.draws[0], WS, WEEKLY)
    assert log.seed == 9 and log.rule.ratio == 0.25 and not log.coordinated
    assert log.population == tuple(f"r{k:02d}" for k in range(1, 21))
    assert (log.period_start, log.period_end) == (WS, WS + dt.timedelta(days=6))
    assert redraw(log) == log.drawn
    assert redraw(dataclasses.replace(log, seed=10)) != log.drawn


def test_rule_without_seed_uses_the_plan_seed() -> None:
    """A rule with no seed of its own draws with PlanParams.draw_seed."""
    s = scenario(businesses(20))
    assert draw_businesses(s, rule(), WS, PlanParams(draw_seed=5)).seed == 5


def test_population_is_where_the_department_has_an_item() -> None:
    """The population is the rule's category, or with * every business the department checks."""
    s = scenario(businesses(2) + businesses(2, "shop", "s"))
    assert draw_population(s, rule("market", category="*")) == ("r01", "r02")
    assert draw_population(s, rule("fire", category="*")) == ("r01", "r02", "s01", "s02")
    assert draw_population(s, rule("fire", category="shop")) == ("s01", "s02")


def test_periods_are_counted_from_the_epoch() -> None:
    """Period k of a rule starts epoch + k × period_days."""
    epoch = dt.date(2024, 1, 1)
    assert period_bounds(dt.date(2024, 4, 1), 91, epoch) == (
        dt.date(2024, 4, 1),
        dt.date(2024, 6, 30),
    )
    assert period_bounds(dt.date(2024, 3, 31), 91, epoch) == (epoch, dt.date(2024, 3, 31))


def test_coordinated_draw_overlaps_where_ratios_allow() -> None:
    """Coordinated: the 20 % sample lies inside the 50 % one, so 10 visits serve both departments."""
    shops = businesses(20)
    s = scenario(shops, rule("market", 0.2, seed=3), rule("fire", 0.5, seed=4))
    comparison = compare_draws(s, WS, WEEKLY)
    market, fire = (set(g.drawn) for g in comparison.coordinated)
    assert (len(market), len(fire)) == (4, 10) and market <= fire
    assert comparison.siloed_visits == 14
    assert comparison.coordinated_visits == 10
    independent_market, independent_fire = (set(g.drawn) for g in comparison.independent)
    assert comparison.independent_visits == len(independent_market | independent_fire) > 10
    assert comparison.saved == comparison.independent_visits - 10


def test_coordinated_draws_share_the_due_date() -> None:
    """A business drawn by two departments in a coordinated draw is due the same day for both."""
    s = scenario(businesses(20), rule("market", 0.2), rule("fire", 0.5))
    params = PlanParams(coordinate_draws=True)
    market, fire = (draw_businesses(s, r, WS, params) for r in s.draws)
    assert {draw_due(market, b) for b in market.drawn} == {draw_due(fire, b) for b in market.drawn}


def test_drawn_business_owes_the_department_items_in_its_period() -> None:
    """Each drawn business owes the department's applicable items, open from the period start."""
    s = scenario(businesses(8), rule("market", 0.25, seed=1))
    log = draw_businesses(s, s.draws[0], WS, WEEKLY)
    found = derive_obligations(s, WS, WEEKLY)
    assert sorted(o.business_id for o in found) == sorted(log.drawn)
    assert {(o.item_id, o.reason, o.earliest) for o in found} == {("food", Reason.RANDOM_DRAW, WS)}
    assert all(WS <= o.due <= WS + dt.timedelta(days=6) for o in found)


def test_draw_done_since_the_period_start_is_not_owed_again() -> None:
    """A drawn business whose item was inspected since the period started owes nothing more."""
    shops = businesses(4)
    history = tuple(HistoryRecord(b.id, i.id, WS, Result.PASS) for b in shops for i in ITEMS)
    s = scenario(shops, rule("market", 1.0), history=history)
    assert derive_obligations(s, WS, WEEKLY) == ()


def test_undone_draw_of_the_last_period_stays_owed() -> None:
    """A business drawn last period and not inspected since owes the item, overdue."""
    shops = businesses(8)
    history = tuple(
        HistoryRecord(b.id, "food", WS - dt.timedelta(days=10), Result.PASS) for b in shops
    )
    s = scenario(shops, rule("market", 0.25, seed=1), history=history)
    last_week = draw_businesses(s, s.draws[0], WS - dt.timedelta(days=7), WEEKLY)
    this_week = draw_businesses(s, s.draws[0], WS, WEEKLY)
    found = [o for o in derive_obligations(s, WS, WEEKLY) if o.item_id == "food"]
    overdue = {o.business_id for o in found if o.due < WS}
    assert overdue == set(last_week.drawn)
    assert {o.business_id for o in found} == set(last_week.drawn) | set(this_week.drawn)


def test_replace_mode_takes_over_routine_frequency() -> None:
    """With mode=replace, only drawn businesses owe the department's items (never-inspected too)."""
    shops = businesses(4)
    history = tuple(HistoryRecord(b.id, "exit", WS, Result.PASS) for b in shops)  # food never
    s = scenario(shops, rule("market", 0.5, mode=DrawMode.REPLACE, seed=2), history=history)
    drawn = {b for g in draw_week(s, WS, WEEKLY) for b in g.drawn}  # this and last period
    found = derive_obligations(s, WS, WEEKLY)
    assert {o.reason for o in found} == {Reason.RANDOM_DRAW}
    assert {o.business_id for o in found} == drawn and len(found) == len(drawn) < 4


def test_add_mode_keeps_routine_frequency() -> None:
    """With mode=add, routine obligations stay and the draw comes on top."""
    shops = businesses(4)
    history = tuple(HistoryRecord(b.id, "exit", WS, Result.PASS) for b in shops)  # food never
    s = scenario(shops, rule("market", 0.5, seed=2), history=history)
    drawn = {b for g in draw_week(s, WS, WEEKLY) for b in g.drawn}
    reasons = [o.reason for o in derive_obligations(s, WS, WEEKLY)]
    assert reasons.count(Reason.ROUTINE) == 4
    assert reasons.count(Reason.RANDOM_DRAW) == len(drawn) > 0


def test_draws_table_round_trips(tiny_dir: Path, tmp_path: Path) -> None:
    """Draw rules written as draws.csv load back equal."""
    rules = (
        DrawRule("market", "restaurant", 0.2, 91, DrawMode.ADD, None),
        DrawRule("fire", "*", 0.05, 30, DrawMode.REPLACE, 7),
    )
    s = dataclasses.replace(load_scenario(tiny_dir), draws=rules)
    assert load_scenario(write_scenario(s, tmp_path / "out")).draws == rules


def test_bad_draw_rows_are_all_reported(tiny_dir: Path, tmp_path: Path) -> None:
    """Unknown department, ratio 0, bad mode and a duplicate rule are each an error on their row."""
    folder = write_scenario(load_scenario(tiny_dir), tmp_path / "s")
    (folder / "draws.csv").write_text(
        "department,category,ratio,period_days,mode,seed\n"
        "police,restaurant,0.1,91,,\n"
        "market,restaurant,0,91,add,\n"
        "market,shop,0.1,91,sometimes,\n"
        "fire,*,0.1,91,add,\n"
        "fire,*,0.2,91,add,\n",
        encoding="utf-8",
    )
    result, problems = check_scenario(folder)
    errors = {(p.row, p.column) for p in problems if p.severity == "error"}
    assert result is None
    assert errors == {(2, "department"), (3, "ratio"), (4, "mode"), (6, "category")}


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    ratio=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**63 - 1),
    coordinated=st.booleans(),
)
def test_property_same_seed_same_draw(n: int, ratio: float, seed: int, coordinated: bool) -> None:
    """Any seed, ratio and population: the same inputs draw the same sample, of ceil(ratio × N)."""
    s = scenario(businesses(n))
    params = PlanParams(draw_seed=seed, coordinate_draws=coordinated)
    first = draw_businesses(s, rule(ratio=ratio), WS, params)
    assert first == draw_businesses(s, rule(ratio=ratio), WS, params)
    assert len(first.drawn) == sample_size(ratio, n) and redraw(first) == first.drawn


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    ratios=st.tuples(st.floats(0.01, 1.0), st.floats(0.01, 1.0)),
    seed=st.integers(0, 10**9),
)
def test_property_coordinated_samples_nest(n: int, ratios: tuple[float, float], seed: int) -> None:
    """Coordinated draws over one population: the smaller sample always lies inside the larger."""
    s = scenario(businesses(n))
    params = PlanParams(draw_seed=seed, coordinate_draws=True)
    small, large = sorted(
        (
            set(draw_businesses(s, rule(d, r), WS, params).drawn)
            for d, r in zip(("market", "fire"), ratios, strict=True)
        ),
        key=len,
    )
    assert small <= large
