"""plan_week end to end: every plan passes the independent checker; plan.json; the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import load_scenario, plan_week
from planner.cli import main
from planner.crew import teams_for_week
from planner.domain import (
    DAY,
    Business,
    Department,
    Inspector,
    Item,
    Obligation,
    Office,
    Plan,
    Reason,
    Risk,
    Route,
    Scenario,
    Settings,
    Stop,
    Visit,
)
from planner.hours import parse_opening_hours
from planner.params import SolveParams
from planner.pipeline import plan_visits, run_week
from planner.planfile import local_datetime, plan_to_json, read_plan, write_plan
from planner.verify import verify_plan

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
FAST = SolveParams(time_limit_s=1, use_guided_local_search=False)
H = 3600


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    """The three-business tiny scenario."""
    return load_scenario(FIXTURES / "tiny")


@pytest.fixture(scope="module")
def tiny_run(tiny: Scenario):  # type: ignore[no-untyped-def]
    """The tiny week planned with the interim teams (o1 + o2 on weekdays)."""
    return run_week(
        tiny, solve_params=FAST, teams_by_day=teams_for_week(tiny, tiny.settings.week_start)
    )


def test_tiny_plan_verifies(tiny: Scenario, tiny_run) -> None:  # type: ignore[no-untyped-def]
    """The tiny plan breaks no rule, and every obligation is planned or unscheduled once."""
    problems = verify_plan(
        tiny, tiny_run.plan, tiny_run.travel, tiny_run.travel_ids, obligations=tiny_run.obligations
    )
    assert problems == []


def test_tiny_plan_content(tiny_run) -> None:  # type: ignore[no-untyped-def]
    """b1 and b2 are visited (b2's complaint by its Wednesday deadline); the night bar is not."""
    plan: Plan = tiny_run.plan
    stops = {s.visit.business_id: r.day for r in plan.routes for s in r.stops}
    assert set(stops) == {"b1", "b2"}
    assert stops["b2"] <= dt.date(2026, 11, 25)
    reasons = {u.obligation.business_id: u.reason for u in plan.unscheduled}
    assert reasons["b3"] == "opening hours (Fri-Sat 18:00-02:00) outside every shift"
    metrics = dict(plan.metrics)
    assert metrics["visits_planned"] == 2 and metrics["lp_bound"] >= metrics["weighted_coverage"]


def test_plan_week_with_team_formation_verifies(tiny: Scenario) -> None:
    """plan_week's own teams (formation) also give a plan that breaks no rule."""
    plan = plan_week(tiny, solve_params=FAST)
    assert verify_plan(tiny, plan) == []
    assert plan.routes


def test_plan_json_format(tiny: Scenario, tiny_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """plan.json has the documented keys, ISO local times, and reads back equal."""
    path = write_plan(tiny_run.plan, tiny, tmp_path)
    data = read_plan(tmp_path)
    assert data == plan_to_json(tiny_run.plan, tiny) and path.name == "plan.json"
    assert set(data) == {"week_start", "routes", "unscheduled", "metrics"}
    route = data["routes"][0]
    assert {"team_id", "day", "officers", "stops"} <= set(route)
    stop = route["stops"][0]
    assert set(stop) == {"business_id", "arrival", "start", "end", "obligations"}
    assert set(stop["obligations"][0]) == {"item_id", "department_id", "reason", "due"}
    assert {"business_id", "item_id", "reason"} <= set(data["unscheduled"][0])
    assert dt.datetime.fromisoformat(stop["start"]).date().isoformat() == route["day"]
    json.dumps(data)  # plain JSON


def test_overnight_time_goes_to_the_next_date() -> None:
    """A stop at 25:30 on Friday is written as 01:30 on Saturday."""
    assert local_datetime(dt.date(2026, 11, 27), DAY + 5400) == "2026-11-28T01:30"


def test_cli_plan_writes_plan_json(tiny_dir: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``python -m planner plan`` writes OUT/plan.json and prints a summary."""
    code = main(["plan", str(tiny_dir), "--time-limit", "1", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    assert (tmp_path / "plan.json").exists()
    out = capsys.readouterr().out
    assert "visits" in out and "outside every shift" in out


def test_overnight_visit_plans_and_verifies() -> None:
    """A night team (20:00–04:00) visits a bar open Fri 23:00–03:00 across midnight."""
    monday = dt.date(2026, 11, 23)
    settings_ = Settings(
        "N", "", "Asia/Shanghai", monday, (Office("hq", "HQ", 120.1, 30.2),),
        8 * H, 17 * H, 11 * H + 1800, 13 * H + 1800, 60,
    )  # fmt: skip
    risk = ((Risk.LOW, 365), (Risk.MEDIUM, 180), (Risk.HIGH, 90))
    food = Item("food", "d", "Food", "", 110, "food", risk, 14, False, False, ("*",), "")
    bar = Business(
        "bar", "Bar", "bar", 120.11, 30.21, "", Risk.HIGH, parse_opening_hours("Fri 23:00-03:00")
    )
    officers = tuple(
        Inspector(i, "", "d", ("food",), (4,), 20 * H, 28 * H, "hq") for i in ("o1", "o2")
    )
    scenario = Scenario(
        settings_, (Department("d", "D", ""),), (food,), (bar,), inspectors=officers
    )
    obligation = Obligation("bar", "food", "d", monday, monday, Reason.ROUTINE, 30)
    visits = [Visit("bar", (obligation,), 2 * H)]
    plan, problem, travel, _, _ = plan_visits(
        scenario, visits, teams_for_week(scenario, monday), monday, FAST
    )
    (stop,) = plan.routes[0].stops
    assert stop.start >= 23 * H and DAY < stop.end <= DAY + 3 * H
    assert verify_plan(scenario, plan, travel, problem.depot_ids + problem.visit_ids) == []
    written = plan_to_json(plan, scenario)["routes"][0]["stops"][0]
    assert written["end"].startswith("2026-11-28T")


# ---------------------------------------------------------------- the checker catches each break


def _broken(plan: Plan, change) -> Plan:  # type: ignore[no-untyped-def]
    route = plan.routes[0]
    return dataclasses.replace(plan, routes=(change(route), *plan.routes[1:]))


def _shift_stop(route: Route, seconds: int) -> Route:
    stop = route.stops[0]
    moved = Stop(stop.visit, stop.arrival + seconds, stop.start + seconds, stop.end + seconds)
    return dataclasses.replace(route, stops=(moved, *route.stops[1:]))


def _saturday(day: dt.date) -> dt.date:
    """The Saturday of ``day``'s week (the tiny officers work Mon–Fri)."""
    return day + dt.timedelta(days=5 - day.weekday())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: _shift_stop(r, -4 * H), "outside its opening hours"),
        (lambda r: dataclasses.replace(r, officer_ids=r.officer_ids[:1]), "at least two officers"),
        (lambda r: dataclasses.replace(r, day=_saturday(r.day)), "does not work"),
        (
            lambda r: dataclasses.replace(
                r, stops=(dataclasses.replace(r.stops[0], start=r.stops[0].arrival - 60),)
            ),
            "before arrival",
        ),
        (lambda r: dataclasses.replace(r, stops=r.stops * 2), "visited 2 times"),
    ],
)
def test_verify_flags_a_broken_plan(tiny: Scenario, tiny_run, change, message: str) -> None:  # type: ignore[no-untyped-def]
    """Each kind of break in an otherwise sound plan is reported."""
    problems = verify_plan(tiny, _broken(tiny_run.plan, change))
    assert any(message in p for p in problems), problems


def test_verify_flags_missing_obligation(tiny: Scenario, tiny_run) -> None:  # type: ignore[no-untyped-def]
    """An obligation neither planned nor unscheduled is reported."""
    plan = dataclasses.replace(tiny_run.plan, unscheduled=tiny_run.plan.unscheduled[1:])
    problems = verify_plan(tiny, plan, obligations=tiny_run.obligations)
    assert any("neither planned nor unscheduled" in p for p in problems)


# ---------------------------------------------------------------- demo (when generated)


def test_demo_plan_verifies() -> None:
    """The demo week plans in a few seconds and every rule holds."""
    if not (DEMO / "settings.toml").exists():
        pytest.skip(f"no demo scenario at {DEMO}")
    scenario = load_scenario(DEMO)
    week = scenario.settings.week_start
    run = run_week(
        scenario,
        solve_params=SolveParams(time_limit_s=6, use_guided_local_search=False),
        teams_by_day=teams_for_week(scenario, week),
    )
    assert (
        verify_plan(scenario, run.plan, run.travel, run.travel_ids, obligations=run.obligations)
        == []
    )
    metrics = dict(run.plan.metrics)
    assert metrics["visits_planned"] > 0.5 * metrics["visits_offered"]


# ---------------------------------------------------------------- property: every plan verifies

HOURS = (
    "Mon-Fri 09:00-17:00",
    "Mon-Sat 10:00-14:00,17:00-21:00",
    "Fri-Sat 18:00-02:00",
    "Tue,Thu 08:00-12:00",
    "daily 07:00-23:00",
    "Mon-Fri 11:00-12:30",
)
CERTS = ("food", "fire", "drain")


@st.composite
def weeks(draw: st.DrawFn) -> tuple[Scenario, list[Visit]]:
    """A random one-office township: 2–5 officers (some on night shifts), 1–8 visits."""
    monday = dt.date(2026, 11, 23)
    settings_ = Settings(
        "R", "", "Asia/Shanghai", monday, (Office("hq", "HQ", 120.1, 30.2),),
        8 * H, 17 * H, 11 * H + 1800, 13 * H + 1800, 60,
    )  # fmt: skip
    risk = ((Risk.LOW, 365), (Risk.MEDIUM, 180), (Risk.HIGH, 90))
    items = tuple(
        Item(c, "d", c, "", m, c, risk, 14, False, False, ("*",), "")
        for c, m in zip(CERTS, (60, 45, 30), strict=True)
    )
    officers = []
    usual = draw(st.sampled_from(((8 * H, 17 * H), (14 * H, 26 * H))))
    for n in range(draw(st.integers(2, 5))):
        certs = draw(st.lists(st.sampled_from(CERTS), min_size=2, max_size=3, unique=True))
        days = draw(st.sampled_from(((0, 1, 2, 3, 4), tuple(range(7)), (0, 2, 4), (4, 5, 6))))
        hours = draw(st.sampled_from((usual, usual, (8 * H, 12 * H), (18 * H, 27 * H))))
        officers.append(Inspector(f"o{n}", "", "d", tuple(certs), days, *hours, "hq"))
    businesses, visits = [], []
    for n in range(draw(st.integers(1, 8))):
        bid = f"b{n}"
        lon = 120.1 + draw(st.floats(-0.05, 0.05))
        lat = 30.2 + draw(st.floats(-0.05, 0.05))
        hours = parse_opening_hours(draw(st.sampled_from(HOURS)))
        businesses.append(Business(bid, bid, "shop", lon, lat, "", Risk.MEDIUM, hours))
        chosen = draw(st.lists(st.sampled_from(CERTS), min_size=1, max_size=2, unique=True))
        reason = draw(st.sampled_from((Reason.ROUTINE, Reason.COMPLAINT)))
        due = monday + dt.timedelta(days=draw(st.integers(-10, 6)))
        obligations = tuple(
            Obligation(
                bid, c, "d", monday - dt.timedelta(days=30), due, reason, draw(st.integers(10, 58))
            )
            for c in chosen
        )
        visits.append(
            Visit(bid, obligations, (10 + sum(i.minutes for i in items if i.id in chosen)) * 60)
        )
    scenario = Scenario(
        settings_, (Department("d", "D", ""),), items, tuple(businesses), inspectors=tuple(officers)
    )
    return scenario, visits


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks(), st.sampled_from(("week", "day")))
def test_every_plan_verifies(week: tuple[Scenario, list[Visit]], mode: str) -> None:
    """Whatever the township, every plan the engine makes passes the independent checker."""
    scenario, visits = week
    monday = scenario.settings.week_start
    params = SolveParams(time_limit_s=1, use_guided_local_search=False, decomposition=mode)
    plan, problem, travel, solution, _ = plan_visits(
        scenario, visits, teams_for_week(scenario, monday), monday, params
    )
    ids = problem.depot_ids + problem.visit_ids
    obligations = [o for v in visits for o in v.obligations]
    assert verify_plan(scenario, plan, travel, ids, obligations=obligations) == []
    assert solution.stat("lp_bound") >= solution.stat("weighted_coverage") - 1e-9


def test_engine_choice_reaches_the_pipeline(tiny: Scenario) -> None:
    """auto routes a week with lunch breaks with OR-Tools; pyvrp is refused with every reason."""
    from planner.pyvrp_adapter import NotExpressible

    auto = plan_week(tiny, solve_params=FAST)
    ortools = plan_week(tiny, solve_params=dataclasses.replace(FAST, engine="ortools"))
    assert auto.routes == ortools.routes
    assert dict(auto.metrics)["engine_pyvrp"] == 0
    with pytest.raises(NotExpressible, match="lunch breaks"):
        plan_week(tiny, solve_params=dataclasses.replace(FAST, engine="pyvrp"))


# ---------------------------------------------------------------- part visits (issue 12)


def _split_week_variant(
    market: int, fire: int, food: int, extinguisher: int, hours: int, businesses: int
) -> Scenario:
    """``fixtures/split_week`` with ``market`` market and ``fire`` fire officers, the two items'
    minutes, a Monday shift of ``hours`` from 09:00 and the first ``businesses`` restaurants."""
    source = FIXTURES / "split_week"
    scenario = load_scenario(source)
    items = tuple(
        dataclasses.replace(i, minutes=food if i.id == "food" else extinguisher)
        for i in scenario.items
    )
    template = {o.department_id: o for o in scenario.inspectors}
    officers = tuple(
        dataclasses.replace(template[d], id=f"{d}{n}", name=f"{d} {n}", certificate_no=f"{d}-{n}")
        for d, count in (("market", market), ("fire", fire))
        for n in range(count)
    )
    officers = tuple(
        dataclasses.replace(o, hours_start=9 * H, hours_end=(9 + hours) * H) for o in officers
    )
    return dataclasses.replace(
        scenario,
        items=items,
        inspectors=officers,
        businesses=scenario.businesses[:businesses],
    )


@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    market=st.integers(2, 5),
    fire=st.integers(1, 3),
    food=st.integers(20, 90),
    extinguisher=st.integers(10, 40),
    hours=st.integers(1, 4),
    businesses=st.integers(1, 3),
)
def test_part_visits_never_lower_coverage(
    market: int, fire: int, food: int, extinguisher: int, hours: int, businesses: int
) -> None:
    """Property: with the same teams, offering part visits never lowers the priority-weighted
    coverage against all-or-nothing visits (every all-or-nothing plan is a plan with parts, at
    the same objective: the disjunction's penalty is the whole visit's, a part pays what it
    leaves unchecked), on weeks small enough for the search to be exhaustive in practice (one
    day, ≤ 3 businesses, ≤ 8 officers); and every plan verifies."""
    scenario = _split_week_variant(market, fire, food, extinguisher, hours, businesses)
    week = scenario.settings.week_start
    run = run_week(scenario, solve_params=dataclasses.replace(FAST, part_visits="off"))
    coverage = {}
    for mode in ("off", "always"):
        params = SolveParams(time_limit_s=2, part_visits=mode)
        plan, *_ = plan_visits(
            scenario, run.demand.visits, run.teams, week, params, deferred=run.demand.deferred
        )
        assert verify_plan(scenario, plan, obligations=run.obligations) == []
        coverage[mode] = dict(plan.metrics)["weighted_coverage"]
    assert coverage["always"] >= coverage["off"] - 1e-9


def test_auto_offers_parts_only_where_a_team_may_make_a_part_alone(
    tiny: Scenario, tiny_run
) -> None:  # type: ignore[no-untyped-def]
    """``part_visits = "auto"`` on a week that is not capacity-bound: the tiny week's one team
    (o1 + o2) holds every certification, so no part is offered (it would only be the whole
    visit's shorter twin); on ``split_week`` the market-only teams may make the food parts."""
    assert tiny_run.problem.alternative is None
    split = load_scenario(FIXTURES / "split_week")
    run = run_week(split, solve_params=FAST)
    assert run.problem.alternative is not None
    assert run.problem.n_visits == 3 * len(run.demand.visits)


def test_week_demands_are_the_two_week_demands(tiny: Scenario) -> None:
    """``week_demands`` (one draw, one derivation, used by ``run_week_and_baseline``) gives the
    joint and the siloed demand exactly as two ``build_week_demand`` calls do."""
    from planner.merge import build_week_demand
    from planner.params import PlanParams
    from planner.pipeline import week_demands

    params = PlanParams()
    week = tiny.settings.week_start
    joint, siloed = week_demands(tiny, week, params)
    assert joint == build_week_demand(tiny, week, params)
    assert siloed == build_week_demand(tiny, week, params, siloed=True)
    assert joint.visits and siloed.visits
