"""Burden and coverage metrics: hand-computed numbers on tiny hand-built plans; the siloed
baseline gets the same obligations and engine settings; files, report, charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from planner import load_scenario
from planner.charts import (
    coverage_chart,
    coverage_risk_table,
    coverage_table,
    disruption_chart,
    summary_table,
    visits_chart,
    visits_per_business_chart,
    workload_chart,
    workload_table,
    year_chart,
    year_table,
)
from planner.cli import main
from planner.domain import (
    Business,
    Department,
    Inspector,
    Item,
    Obligation,
    Office,
    OpeningHours,
    Plan,
    Reason,
    Risk,
    Route,
    Scenario,
    Settings,
    Stop,
    Unscheduled,
    Visit,
)
from planner.metrics import (
    REQUIRED_KEYS,
    evaluate,
    flat_metrics,
    plan_obligations,
    read_metrics,
    reason_category,
    spread,
    unflatten_metrics,
    year_metrics,
)
from planner.params import PlanParams, SolveParams, TeamParams
from planner.pipeline import (
    BASELINE_MIN_S,
    baseline_budget,
    plan_week,
    run_siloed_week,
    run_week,
    run_week_and_baseline,
)
from planner.planfile import plan_from_json, read_plan, write_plan
from planner.verify import verify_plan

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
MONDAY = dt.date(2026, 11, 23)
H = 3600
RISK = ((Risk.LOW, 365), (Risk.MEDIUM, 180), (Risk.HIGH, 90))
ALWAYS = OpeningHours("24/7", ())


def _item(item_id: str, dept: str, minutes: int) -> Item:
    return Item(item_id, dept, item_id.title(), "", minutes, item_id, RISK, 14, False, False, ("*",), "")  # fmt: skip


def _officer(officer_id: str, dept: str) -> Inspector:
    return Inspector(officer_id, officer_id, dept, (), (0, 1, 2, 3, 4), 8 * H, 17 * H, "hq")


SCENARIO = Scenario(
    settings=Settings(
        "T", "", "Asia/Shanghai", MONDAY, (Office("hq", "HQ", 120.0, 30.0),),
        8 * H, 17 * H, 11 * H, 13 * H, 60, setup_minutes=10,
    ),
    departments=(Department("m", "Market", ""), Department("f", "Fire", "")),
    items=(_item("food", "m", 30), _item("label", "m", 15), _item("ext", "f", 20)),
    businesses=(
        Business("b1", "Noodles", "restaurant", 120.01, 30.0, "", Risk.HIGH, ALWAYS),
        Business("b2", "Shop", "shop", 120.02, 30.0, "", Risk.LOW, ALWAYS),
    ),
    inspectors=(_officer("o1", "m"), _officer("o2", "m"), _officer("o3", "f"), _officer("o4", "f")),
)  # fmt: skip
FOOD = Obligation("b1", "food", "m", MONDAY, dt.date(2026, 11, 25), Reason.ROUTINE, 3)
EXT = Obligation("b1", "ext", "f", MONDAY, dt.date(2026, 11, 20), Reason.ROUTINE, 3)  # 3 days late
LABEL = Obligation("b2", "label", "m", MONDAY, dt.date(2026, 12, 1), Reason.ROUTINE, 1)  # not due


def _visit(*obligations: Obligation) -> Visit:
    minutes = 10 + sum(SCENARIO.item(o.item_id).minutes for o in obligations)
    return Visit(obligations[0].business_id, obligations, minutes * 60)


def _route(team: str, day: int, officers: tuple[str, ...], start: int, *visits: Visit) -> Route:
    """A route leaving at ``start`` − 20 min, 20 min travel each way (1,200 s), 8 km in all."""
    stops, t = [], start
    for v in visits:
        stops.append(Stop(v, t, t, t + v.service_seconds))
        t += v.service_seconds
    return Route(
        team, MONDAY + dt.timedelta(days=day), officers, tuple(stops),
        travel_seconds=1200, distance_metres=8000, depart=start - 600, back=t + 600,
    )  # fmt: skip


# The two-department business: once jointly (60 min), twice alone (40 + 30 min).
JOINT = Plan(
    MONDAY,
    (_route("T1", 0, ("o1", "o3"), 9 * H, _visit(FOOD, EXT)),),
    (Unscheduled(LABEL, "due 2026-12-01: no visit to Shop this week to join"),),
)
SILOED = Plan(
    MONDAY,
    (
        _route("m:T", 0, ("o1", "o2"), 9 * H, _visit(FOOD)),
        _route("f:T", 1, ("o3", "o4"), 9 * H, _visit(EXT)),
    ),
    (Unscheduled(LABEL, "due 2026-12-01: no Market visit to Shop this week to join"),),
)


@pytest.fixture(scope="module")
def doc() -> dict:
    """The hand-built pair scored."""
    return evaluate(SCENARIO, JOINT, SILOED).to_dict()


def test_to_dict_has_the_issue_keys(doc: dict) -> None:
    """``to_dict`` has every key the issue names, and is plain JSON."""
    assert set(REQUIRED_KEYS) <= set(doc)
    json.dumps(doc)


def test_two_department_business_once_jointly_twice_alone(doc: dict) -> None:
    """One joint visit against two siloed ones: one visit avoided, rate 100 %."""
    assert (doc["visits_joint"], doc["visits_siloed"]) == (1, 2)
    assert doc["visits_siloed_same_work"] == 2 and doc["visits_avoided"] == 1
    assert doc["visits_avoided_share"] == 0.5
    assert doc["joint_inspection_rate"] == 1.0
    assert doc["visits_per_business_joint"] == {"1": 1}
    assert doc["visits_per_business_siloed"] == {"2": 1}


def test_disruption_is_time_on_premises(doc: dict) -> None:
    """Joint 10 + 30 + 20 = 60 min; alone (10 + 30) + (10 + 20) = 70 min: one setup saved."""
    assert doc["disruption_minutes_joint"] == 60
    assert doc["disruption_minutes_siloed"] == 70
    assert doc["disruption_minutes_siloed_same_work"] == 70
    assert doc["disruption_minutes_avoided"] == 10


def test_officer_hours_are_travel_plus_on_site_times_officers(doc: dict) -> None:
    """Joint 2 × (20 + 60) min = 2.667 h; siloed 2 × (20 + 40) + 2 × (20 + 30) min = 3.667 h."""
    assert doc["officer_hours_joint"] == pytest.approx(2 * 4800 / H, abs=1e-4)
    assert doc["officer_hours_siloed"] == pytest.approx((2 * 3600 + 2 * 3000) / H, abs=1e-4)
    assert doc["officer_travel_hours_joint"] == pytest.approx(2 * 1200 / H, abs=1e-4)
    # depart 20 min before the first stop (10 min) and back 10 min after: span = 80 min × 2
    assert doc["officer_span_hours_joint"] == pytest.approx(2 * 80 / 60, abs=1e-4)


def test_same_work_officer_hours_estimate(doc: dict) -> None:
    """Alone: 2 officers × (70 min on site + 2 visits × 20 min travel) = 3.667 h."""
    assert doc["officer_hours_siloed_same_work"] == pytest.approx(2 * (70 + 40) / 60, abs=1e-4)


def test_travel_km_from_route_distances(doc: dict) -> None:
    """One 8 km route jointly, two alone."""
    assert (doc["travel_km_joint"], doc["travel_km_siloed"]) == (8, 16)


def test_coverage_counts_due_obligations_only(doc: dict) -> None:
    """Food and the extinguishers are due and scheduled in both; the label is not due."""
    assert doc["obligations_due"] == 2 and doc["obligations_due_scheduled"] == 2
    assert doc["coverage_by_department"] == {"m": 1.0, "f": 1.0}
    assert doc["coverage_by_department_siloed"] == {"m": 1.0, "f": 1.0}
    assert doc["overdue_due"] == 1 and doc["overdue_backlog_joint"] == 0


def test_capacity_drop_gives_reason_backlog_and_days_overdue() -> None:
    """The late extinguisher check left out for capacity: fire 0 %, backlog 1, 3 days overdue."""
    plan = Plan(
        MONDAY,
        (_route("T1", 0, ("o1", "o3"), 9 * H, _visit(FOOD)),),
        (Unscheduled(EXT, "capacity: 41 h of visits, 35 h of team time this week"),),
    )
    doc = evaluate(SCENARIO, plan, SILOED).to_dict()
    fire = doc["coverage"]["joint"]["f"]
    assert doc["coverage_by_department"]["f"] == 0.0
    assert fire["reasons"] == {"capacity": 1}
    assert (fire["overdue"], fire["backlog"], fire["backlog_days_max"]) == (1, 1, 3)
    assert fire["by_risk"] == {"high": {"due": 1, "scheduled": 0}}
    assert doc["overdue_backlog_joint"] == 1 and doc["overdue_backlog_days_max_joint"] == 3
    assert doc["joint_inspection_rate"] == 0.0


def test_pulled_forward_is_reported_apart_not_in_coverage() -> None:
    """A not-yet-due label checked at a visit is pulled forward: coverage and due are unchanged."""
    plan = Plan(
        MONDAY,
        (_route("T1", 0, ("o1", "o3"), 9 * H, _visit(FOOD, EXT), _visit(LABEL)),),
        (),
    )
    doc = evaluate(SCENARIO, plan, SILOED).to_dict()
    assert doc["obligations_pulled_forward"] == 1 and doc["obligations_scheduled"] == 3
    assert doc["obligations_due"] == 2 and doc["coverage_by_department"]["m"] == 1.0
    assert doc["coverage"]["joint"]["m"]["pulled_forward"] == 1


def test_split_visit_counts_as_an_extra_visit() -> None:
    """Items left for a second visit (no team covered all) count as one more visit."""
    reason = "no team certified for Ext together with the visit's other items: left for a second visit"  # fmt: skip
    plan = Plan(MONDAY, (_route("T1", 0, ("o1", "o2"), 9 * H, _visit(FOOD)),), (Unscheduled(EXT, reason),))  # fmt: skip
    doc = evaluate(SCENARIO, plan, SILOED).to_dict()
    assert (doc["visits_joint"], doc["visits_routed_joint"], doc["split_visits_joint"]) == (2, 1, 1)
    assert doc["visits_per_business_joint"] == {"2": 1}
    assert doc["visits_siloed_same_work"] == 2 and doc["visits_avoided"] == 0
    assert doc["coverage"]["joint"]["f"]["reasons"] == {"split: second visit": 1}


def test_workload_spread_includes_idle_officers(doc: dict) -> None:
    """Joint: o1, o3 work 80 min, o2, o4 idle; siloed: o1, o2 60 min, o3, o4 50 min."""
    assert doc["workload_officer_hours_min_joint"] == 0
    assert doc["workload_officer_hours_max_joint"] == pytest.approx(4800 / H, abs=1e-4)
    assert doc["workload_officer_hours_cv_joint"] == pytest.approx(1.0)
    assert doc["workload_officer_hours_mean_siloed"] == pytest.approx(3300 / H, abs=1e-4)
    teams = {t["id"]: t for t in doc["workload"]["siloed"]["teams"]}
    assert teams["f:T"] == {"id": "f:T", "hours": pytest.approx(3000 / H, abs=1e-4), "visits": 1, "days": 1}  # fmt: skip


def test_spread_of_nothing_is_zero() -> None:
    """No officers: every statistic is 0 rather than an error."""
    assert spread([]) == {"min": 0.0, "max": 0.0, "mean": 0.0, "cv": 0.0}


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("capacity: 41 h of visits, 35 h of team time this week", "capacity"),
        ("opening hours (Fri-Sat 18:00-02:00) outside every shift", "opening hours"),
        ("no team certified for Gas safety on any day", "no certified team"),
        ("every team certified for it has an officer recused from this business", "recusal"),
        ("Fire has only 1 officer of its own: alone it cannot field a two-officer team",
         "department alone: < 2 officers"),
        ("deadline 2026-11-23 before any feasible day (Tue)", "deadline"),
        ("desk review: sent to the desk queue instead of a visit", "desk review"),
        ("something new", "other"),
    ],
)  # fmt: skip
def test_reason_category(reason: str, category: str) -> None:
    """Each unscheduled reason falls in the category a department head reads."""
    assert reason_category(reason) == category


def test_plans_of_different_weeks_are_refused() -> None:
    """Comparing plans of two weeks is a mistake, not a metric."""
    with pytest.raises(ValueError, match="different weeks"):
        evaluate(SCENARIO, JOINT, Plan(MONDAY + dt.timedelta(days=7), (), ()))


def test_flat_metrics_round_trip(doc: dict) -> None:
    """plan.json carries numbers and one-level maps of numbers (coverage_by_department), no more."""
    flat = flat_metrics(doc)
    assert flat["coverage_by_department"] == doc["coverage_by_department"]
    for value in flat.values():
        inner = value.values() if isinstance(value, dict) else [value]
        assert all(v is None or isinstance(v, int | float) for v in inner)
    assert unflatten_metrics({"coverage_by_department.f": 1.0}) == {
        "coverage_by_department": {"f": 1.0}
    }
    assert unflatten_metrics(flat)["visits_joint"] == 1


def test_plan_json_carries_metrics_and_still_exports(doc: dict, tmp_path: Path) -> None:
    """write_plan with metrics: plan.json has them, and export's reader still reads the plan."""
    tiny = load_scenario(TINY)
    plan = Plan(MONDAY, (), ())
    write_plan(plan, tiny, tmp_path, metrics=flat_metrics(doc))
    data = read_plan(tmp_path)
    assert data["metrics"]["visits_siloed"] == 2
    assert read_metrics(tmp_path)["coverage_by_department"] == {"m": 1.0, "f": 1.0}
    assert plan_from_json(data, tiny).week_start == MONDAY


# ---------------------------------------------------------------- charts and tables


@pytest.mark.parametrize(
    "chart",
    [visits_chart, visits_per_business_chart, disruption_chart, coverage_chart, workload_chart],
)
def test_charts_draw_from_metrics_json(doc: dict, chart) -> None:  # type: ignore[no-untyped-def]
    """Every chart is a Plotly figure with data, drawn from the saved (dict) form."""
    fig = chart(json.loads(json.dumps(doc)))
    assert isinstance(fig, go.Figure) and fig.data


def test_tables_hold_hand_computed_numbers(doc: dict) -> None:
    """The tables repeat the metrics: coverage per department, workload per officer, summary."""
    cov = coverage_table(doc).set_index("department")
    assert cov.loc["f", "due"] == 1 and cov.loc["f", "share siloed"] == 1.0
    work = workload_table(doc).set_index("id")
    assert work.loc["o2", "hours joint"] == 0 and work.loc["o2", "visits siloed"] == 1
    summary = summary_table(evaluate(SCENARIO, JOINT, SILOED)).set_index("measure")
    assert summary.loc["visits", "change"] == pytest.approx(-0.5)
    risk = coverage_risk_table(doc)
    assert list(risk.columns) == ["department", "risk", "due", "scheduled", "share"]


# ---------------------------------------------------------------- the siloed baseline, for real

FAST = SolveParams(time_limit_s=1, use_guided_local_search=False)
QUICK_TEAMS = TeamParams(time_limit_seconds=0.2, rounds=1)


@pytest.fixture(scope="module")
def tiny_pair():  # type: ignore[no-untyped-def]
    """The tiny scenario planned jointly and siloed with the same small settings."""
    tiny = load_scenario(TINY)
    joint = run_week(tiny, solve_params=FAST, team_params=QUICK_TEAMS)
    siloed = run_siloed_week(tiny, solve_params=FAST, team_params=QUICK_TEAMS)
    return tiny, joint, siloed


def test_siloed_baseline_has_the_same_obligations_and_settings(tiny_pair) -> None:  # type: ignore[no-untyped-def]
    """Same obligations as the joint plan; every department routed with the same SolveParams
    but the time limit (its share of the joint plan's, ``baseline_budget``)."""
    _, joint, siloed = tiny_pair
    assert Counter(siloed.obligations) == Counter(joint.obligations)
    assert Counter(plan_obligations(siloed.plan)) == Counter(joint.obligations)
    same = [dataclasses.replace(p, time_limit_s=FAST.time_limit_s) for _, p in siloed.solve_params]
    assert same and all(p == FAST for p in same)


def test_baseline_budget_is_proportional_to_department_size() -> None:
    """A 30-visit and a 10-visit department share a 40 s joint time limit 30 : 10; a 1-visit
    department still gets ``BASELINE_MIN_S``."""
    sizes = {"big": 30, "small": 10, "one": 1}
    limits = {
        d: baseline_budget(SolveParams(time_limit_s=41), sizes, d).time_limit_s for d in sizes
    }
    assert limits == {"big": 30.0, "small": 10.0, "one": BASELINE_MIN_S}


def test_joint_coverage_is_never_below_siloed(tiny_pair) -> None:  # type: ignore[no-untyped-def]
    """The joint plan schedules at least as many due obligations as the departments alone (the
    joint teams are the same officers, free to pair across departments)."""
    tiny, joint, siloed = tiny_pair
    doc = evaluate(tiny, joint.plan, siloed.plan).to_dict()
    assert doc["coverage_joint"] >= doc["coverage_siloed"]


def test_siloed_visits_are_one_department_by_its_own_officers(tiny_pair) -> None:  # type: ignore[no-untyped-def]
    """Each siloed visit checks one department's items, made by that department's officers;
    at most one visit per business and department in the week."""
    tiny, _, siloed = tiny_pair
    seen: Counter[tuple[str, str]] = Counter()
    for route in siloed.plan.routes:
        for stop in route.stops:
            (dept,) = stop.visit.department_ids
            assert {tiny.inspector(o).department_id for o in route.officer_ids} == {dept}
            seen[(stop.visit.business_id, dept)] += 1
    assert seen and max(seen.values()) == 1


def test_department_with_one_officer_cannot_inspect_alone(tiny_pair) -> None:  # type: ignore[no-untyped-def]
    """Tiny fire has one officer: alone it fields no team, and says so."""
    _, _, siloed = tiny_pair
    fire = [u.reason for u in siloed.plan.unscheduled if u.obligation.department_id == "fire"]
    assert fire and all("only 1 officer of its own" in r for r in fire)


def test_tiny_joint_vs_siloed_metrics(tiny_pair) -> None:  # type: ignore[no-untyped-def]
    """Both plans share the due denominator; the joint plan needs no more visits for its work."""
    tiny, joint, siloed = tiny_pair
    doc = evaluate(tiny, joint.plan, siloed.plan, obligations=joint.obligations).to_dict()
    due = {d: c["due"] for d, c in doc["coverage"]["joint"].items()}
    assert due == {d: c["due"] for d, c in doc["coverage"]["siloed"].items()}
    assert doc["visits_joint"] <= doc["visits_siloed_same_work"]
    assert doc["coverage_by_department_siloed"]["fire"] == 0.0


def test_plan_week_siloed_keyword(tiny_pair) -> None:  # type: ignore[no-untyped-def]
    """``plan_week(..., siloed=True)`` is the siloed run's plan."""
    tiny, _, siloed = tiny_pair
    plan = plan_week(tiny, solve_params=FAST, team_params=QUICK_TEAMS, siloed=True)
    assert plan.routes == siloed.plan.routes and plan.unscheduled == siloed.plan.unscheduled


@pytest.mark.parametrize("workers", [1, 0])
def test_baseline_alongside_the_joint_plan_is_the_same_plan(tiny_pair, workers: int) -> None:  # type: ignore[no-untyped-def]
    """``run_week_and_baseline`` routes the departments in a worker process while the joint
    plan is made (``workers=1``; 0: after it, as in a daemon process): the same joint plan and
    the same siloed plan as made one after the other with the same seed, and one report per
    routed department, counted 1, 2, …"""
    tiny, joint, siloed = tiny_pair
    seen: list = []  # type: ignore[type-arg]
    both = run_week_and_baseline(
        tiny, solve_params=FAST, team_params=QUICK_TEAMS, baseline_progress=seen.append,
        workers=workers,
    )  # fmt: skip
    assert both[0].plan.routes == joint.plan.routes
    assert both[0].plan.unscheduled == joint.plan.unscheduled
    assert both[1].plan.routes == siloed.plan.routes
    assert both[1].plan.unscheduled == siloed.plan.unscheduled
    assert both[1].solve_params == siloed.solve_params
    routed = sorted(d for d, _ in siloed.runs)
    assert routed and sorted(d.department_id for d in seen) == routed
    assert [d.done for d in seen] == list(range(1, len(routed) + 1))
    assert all(d.total == len(routed) and 0 <= d.planned <= d.offered for d in seen)


def test_cli_plan_reports_each_baseline_department(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``plan`` says the baseline is routed alongside the joint plan and prints a line per
    department when it is collected, after the joint plan's progress."""
    code = main(["plan", str(TINY), "--time-limit", "1", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "alongside the joint plan" in out.splitlines()[1]
    lines = [line for line in out.splitlines() if line.startswith("  [")]
    assert lines and "[1/" in lines[0] and "visits" in lines[0]
    assert out.index("each department as it finished") > out.index("visits ")


# ---------------------------------------------------------------- a year


def test_year_metrics_scale_and_estimate() -> None:
    """Four weeks scaled to 52; officer hours = officers × (on site + visits × travel)."""
    tiny = load_scenario(TINY)
    week = {"officers_per_visit_joint": 3.0, "travel_minutes_per_visit_joint": 12.0,
            "travel_minutes_per_visit_siloed": 30.0}  # fmt: skip
    year = year_metrics(tiny, 4, PlanParams(), week=week)
    joint, siloed = year.run("joint"), year.run("siloed")
    assert joint.visits <= siloed.visits
    assert joint.visits_per_business == pytest.approx(joint.visits / 3)
    assert joint.officer_hours == pytest.approx(3 * (joint.disruption_hours + joint.visits * 12 / 60))  # fmt: skip
    assert siloed.officer_hours == pytest.approx(2 * (siloed.disruption_hours + siloed.visits * 0.5))  # fmt: skip
    doc = year.to_dict()
    assert set(doc) >= {"pull_forward_on", "pull_forward_off"}
    assert isinstance(year_table(doc), pd.DataFrame) and year_chart(year).data


# ---------------------------------------------------------------- command line


def test_cli_plan_writes_metrics_and_report_prints_them(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``plan`` writes metrics.json and the metrics into plan.json; ``report`` prints them."""
    code = main(["plan", str(TINY), "--time-limit", "1", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert set(REQUIRED_KEYS) <= set(doc)
    assert read_plan(tmp_path)["metrics"]["visits_siloed"] == doc["visits_siloed"]
    capsys.readouterr()
    assert main(["report", str(tmp_path), "--year-weeks", "2"]) == 0
    out = capsys.readouterr().out
    assert "joint-inspection rate" in out and "visits per business per year" in out
    assert not math.isnan(doc["officer_hours_joint"])


def test_cli_report_without_baseline_is_an_input_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``report`` on a plan made with --no-baseline explains what to do (exit 2)."""
    code = main(["plan", str(TINY), "--time-limit", "1", "--out", str(tmp_path), "--quiet", "--no-baseline"])  # fmt: skip
    assert code == 0 and not (tmp_path / "metrics.json").exists()
    assert main(["report", str(tmp_path)]) == 2
    assert "no siloed baseline" in capsys.readouterr().err


# ---------------------------------------------------------------- part visits (issue 12)

SPLIT_WEEK = Path(__file__).resolve().parent / "fixtures" / "split_week"


@pytest.fixture(scope="module")
def split_pair():  # type: ignore[no-untyped-def]
    """``split_week``: three restaurants each owing food (market, 60 min) and extinguishers (fire,
    20 min); six market officers and one fire officer, Monday 09:00–11:00 only — time for one
    visit per team. Planned jointly and siloed."""
    scenario = load_scenario(SPLIT_WEEK)
    joint = run_week(scenario, solve_params=FAST, team_params=QUICK_TEAMS)
    siloed = run_siloed_week(scenario, solve_params=FAST, team_params=QUICK_TEAMS)
    return scenario, joint, siloed


def test_part_visits_keep_joint_at_least_siloed(split_pair) -> None:  # type: ignore[no-untyped-def]
    """All or nothing, only the fire officer's team can make a visit (both items), so the joint
    plan covered 2 of 6 due obligations against the market pairs' 3 alone. With part visits the
    market-only teams check food where the whole visit cannot be made: joint ≥ siloed."""
    scenario, joint, siloed = split_pair
    doc = evaluate(scenario, joint.plan, siloed.plan, obligations=joint.obligations).to_dict()
    assert doc["coverage_siloed"] == 0.5
    assert doc["coverage_joint"] >= doc["coverage_siloed"]
    assert doc["part_visits_joint"] >= 1


def test_part_visit_says_what_waits_and_why(split_pair) -> None:  # type: ignore[no-untyped-def]
    """The items a part visit leaves unchecked are unscheduled with the day, the department
    visited and why the whole visit was not made; nothing else of the business is reported."""
    scenario, joint, _ = split_pair
    parts = {
        s.visit.business_id: s.visit
        for r in joint.plan.routes
        for s in r.stops
        if s.visit.department_ids == ("market",)
    }
    assert parts
    for u in joint.plan.unscheduled:
        if u.obligation.business_id in parts:
            assert u.obligation.department_id == "fire"
            assert u.reason.startswith("visited on Mon 2026-11-23 for Market regulation only")
            assert "(a part visit: the whole visit was not made); capacity: all" in u.reason
            assert reason_category(u.reason) == "part visit: rest waits"


def test_part_visit_plan_verifies(split_pair) -> None:  # type: ignore[no-untyped-def]
    """``verify_plan`` accepts the plan with its part visits (every obligation once, one stop per
    business) and still catches a market-only team given the fire item it cannot check."""
    scenario, joint, _ = split_pair
    assert verify_plan(scenario, joint.plan, obligations=joint.obligations) == []
    route = next(r for r in joint.plan.routes if "f1" not in r.officer_ids)
    stop = route.stops[0]
    whole = next(v for v in joint.demand.visits if v.business_id == stop.visit.business_id)
    wrong = dataclasses.replace(route, stops=(dataclasses.replace(stop, visit=whole),))
    bad = dataclasses.replace(
        joint.plan, routes=tuple(wrong if r is route else r for r in joint.plan.routes)
    )
    found = verify_plan(scenario, bad)
    assert any("no officer certified for extinguisher" in m for m in found)


def test_part_visits_off_is_all_or_nothing(split_pair) -> None:  # type: ignore[no-untyped-def]
    """``part_visits = "off"``: every stop checks the whole visit (the old rule)."""
    scenario, _, _ = split_pair
    off = dataclasses.replace(FAST, part_visits="off")
    run = run_week(scenario, solve_params=off, team_params=QUICK_TEAMS)
    stops = [s for r in run.plan.routes for s in r.stops]
    assert stops and all(s.visit.department_ids == ("fire", "market") for s in stops)
    assert dict(run.plan.metrics)["part_visits"] == 0


def test_part_visit_counts_as_one_department_visit(split_pair) -> None:  # type: ignore[no-untyped-def]
    """A part visit is a routed visit of one department: it counts once in the joint visits,
    adds one (business, department) pair to the same-work visits (so it avoids none), is not a
    joint inspection, and counts as no second visit; the whole visit of two departments avoids
    one."""
    scenario, joint, siloed = split_pair
    doc = evaluate(scenario, joint.plan, siloed.plan, obligations=joint.obligations).to_dict()
    stops = [s for r in joint.plan.routes for s in r.stops]
    wholes = sum(1 for s in stops if len(s.visit.department_ids) == 2)
    parts = sum(1 for s in stops if len(s.visit.department_ids) == 1)
    assert doc["part_visits_joint"] == parts
    assert doc["visits_joint"] == doc["visits_routed_joint"] == wholes + parts
    assert doc["multi_department_visits"] == wholes
    assert doc["joint_inspection_rate"] == round(wholes / (wholes + parts), 4)
    assert doc["visits_avoided"] == wholes
