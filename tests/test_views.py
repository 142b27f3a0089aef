"""App-side tables, maps and the Gantt frame (planner.views) and the app's words (planner.i18n)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from planner.domain import Obligation, Plan, Reason, Route, Stop, Visit
from planner.i18n import EN, ZH, day_label, t
from planner.load import load_scenario
from planner.views import (
    department_doc,
    fit_view,
    plan_cards,
    route_map,
    route_segments,
    route_stops_frame,
    schedule_frame,
    unscheduled_frame,
)

MON = dt.date(2026, 11, 23)
H = 3600


def _stop(
    business: str, items: tuple[tuple[str, str], ...], arrival: int, start: int, end: int
) -> Stop:
    obligations = tuple(
        Obligation(business, item, dept, MON, MON, Reason.ROUTINE, 1) for item, dept in items
    )
    return Stop(Visit(business, obligations, end - start), arrival, start, end)


@pytest.fixture
def plan() -> Plan:
    """Team T1 on Monday: b2 (the label check is unannounced) then b1, with lunch at 12:00."""
    route = Route(
        "T1",
        MON,
        ("o1", "o2"),
        (
            _stop("b2", (("extinguisher", "fire"), ("label", "market")), 9 * H, 9 * H, 10 * H),
            _stop("b1", (("food", "market"),), 13 * H + 1800, 14 * H, 15 * H),
        ),
        lunch_start=12 * H,
        travel_seconds=3600,
        distance_metres=5000,
        depart=8 * H + 1800,
        back=15 * H + 1800,
    )
    return Plan(MON, (route,), ())


def test_route_segments_cut_lunch_out_of_travel(plan: Plan) -> None:
    """Travel to a stop is the gap before its arrival, waiting until its start, lunch cut out."""
    segments = route_segments(plan.routes[0], lunch_minutes=60)
    assert [(k, a // 60, b // 60) for k, a, b, _ in segments] == [
        ("travel", 510, 540),
        ("visit", 540, 600),
        ("travel", 600, 720),
        ("lunch", 720, 780),
        ("travel", 780, 810),
        ("wait", 810, 840),
        ("visit", 840, 900),
        ("travel", 900, 930),
    ]


def test_schedule_frame_has_a_lane_per_team_day(tiny_dir, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    """Every Gantt row names its lane (day and the team's officers) and kind; visits carry the
    business and its items."""
    scenario = load_scenario(tiny_dir)
    frame = schedule_frame(plan, scenario)
    assert set(frame["lane"]) == {"Mon 23 Nov · T1 (Li Wei, Wang Fang)"}
    visits = frame[frame["kind"] == "visit"]
    assert list(visits["business"]) == ["Corner shop", "Noodle house"]
    assert "Food safety (Market regulation)" in visits["items"].iloc[1]


def test_stop_numbers_follow_the_route_order(tiny_dir, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    """Stops are numbered in route order and the unannounced item is marked for the team."""
    scenario = load_scenario(tiny_dir)
    stops = route_stops_frame(plan, scenario)
    assert list(zip(stops["order"], stops["business_id"], strict=True)) == [(1, "b2"), (2, "b1")]
    assert "Product labels (Market regulation) ⚑" in stops["items"].iloc[0]


def test_route_map_needs_no_tile_server(tiny_dir, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    """The route map has no base map provider or style, a path, numbers and a hover text."""
    scenario = load_scenario(tiny_dir)
    made = route_map(plan, scenario)
    deck = json.loads(made.to_json())
    assert "mapProvider" not in deck and "mapStyle" not in deck
    layers = {layer["@@type"]: layer for layer in deck["layers"]}
    assert {"PathLayer", "TextLayer"} <= set(layers)
    assert [row["label"] for row in layers["TextLayer"]["data"]] == ["1", "2"]
    tooltip = made._tooltip["html"]  # what st.pydeck_chart sends with the deck
    assert "{business}" in tooltip and "{time}" in tooltip and "{items}" in tooltip


def test_route_map_filters_by_team(tiny_dir, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    """A team that is not in the plan leaves no stop on the map."""
    scenario = load_scenario(tiny_dir)
    deck = json.loads(route_map(plan, scenario, teams=["T9"]).to_json())
    text = next(layer for layer in deck["layers"] if layer["@@type"] == "TextLayer")
    assert text["data"] == []


def test_fit_view_contains_every_point() -> None:
    """The view is centred on the points and zooms out for a wider spread."""
    near = fit_view([(24.90, 60.15), (24.92, 60.16)])
    far = fit_view([(24.80, 60.10), (25.10, 60.25)])
    assert near.longitude == pytest.approx(24.91) and near.zoom > far.zoom


def test_unscheduled_frame_keeps_one_department(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """Filtering by department keeps only that department's obligations."""
    from planner.domain import Unscheduled

    scenario = load_scenario(tiny_dir)
    left = tuple(
        Unscheduled(Obligation("b3", i, d, MON, MON, Reason.ROUTINE, 1), "opening hours")
        for i, d in (("food", "market"), ("extinguisher", "fire"))
    )
    frame = unscheduled_frame(Plan(MON, (), left), scenario, department_id="market", lang="zh")
    assert list(frame["department"]) == ["市场监管"] and list(frame["item"]) == ["食品安全"]


def test_department_doc_hides_other_departments() -> None:
    """A department head's metrics keep township totals and only their own coverage."""
    doc = {
        "visits_joint": 5,
        "coverage_by_department": {"market": 0.5, "fire": 1.0},
        "coverage_by_department_siloed": {"market": 0.2, "fire": 0.0},
        "coverage": {"joint": {"market": {"due": 2}, "fire": {"due": 1}}, "siloed": {}},
        "workload": {"joint": {"officers": [{"id": "o1"}]}},
    }
    kept = department_doc(doc, "market")
    assert kept["visits_joint"] == 5 and "workload" not in kept
    assert kept["coverage_by_department"] == {"market": 0.5}
    assert "fire" not in json.dumps(kept)


def test_plan_cards_without_a_baseline_use_the_plan(plan: Plan) -> None:
    """Without a siloed baseline the cards count the plan's own visits and team-days."""
    cards = plan_cards(plan, None)
    assert [(c.label, c.value) for c in cards[:2]] == [("Visits (joint)", "2"), ("Team-days", "1")]


def test_plan_cards_compare_with_the_baseline(plan: Plan) -> None:
    """With a baseline the visits card shows the visits avoided as a negative delta."""
    doc = {"visits_joint": 2, "visits_siloed": 4, "visits_siloed_same_work": 3,
           "coverage_joint": 0.8, "coverage_siloed": 0.5}  # fmt: skip
    cards = plan_cards(plan, doc)
    coverage = next(c for c in cards if c.label == "Coverage of due obligations")
    assert cards[0].delta == "-1" and coverage.delta == "+30 pt"


def test_officer_hours_card_compares_the_same_work(plan: Plan) -> None:
    """The hours card's change is against the same checks done by departments alone, never
    against a siloed plan that checked less; a per-check card compares like with like."""
    doc = {"visits_joint": 2, "visits_siloed": 1, "visits_siloed_same_work": 3,
           "officer_hours_joint": 10.0, "officer_hours_siloed": 4.0,
           "officer_hours_siloed_same_work": 12.0, "obligations_scheduled": 20,
           "obligations_scheduled_siloed": 5, "officer_hours_per_obligation_joint": 0.5,
           "officer_hours_per_obligation_siloed": 0.8}  # fmt: skip
    cards = {c.label: c for c in plan_cards(plan, doc)}
    assert cards["Officer hours"].delta == "-2.0 h"  # not +6.0 against the siloed plan's 4 h
    assert "12.0 h" in (cards["Officer hours"].help or "")
    assert cards["Officer hours per check"].value == "0.50 h"
    assert cards["Officer hours per check"].delta == "-0.30 h"


def test_every_word_exists_in_both_languages() -> None:
    """The two dictionaries have the same keys and no empty text."""
    assert set(EN) == set(ZH)
    assert all(EN[k].strip() and ZH[k].strip() for k in EN)


def test_fields_are_filled_and_unknown_keys_show_themselves() -> None:
    """``t`` fills fields, falls back to English for an unknown language, and returns an
    unknown key as it is."""
    assert t("n_errors", "zh", n=3).startswith("3 个错误")
    assert t("n_errors", "fr", n=3).startswith("3 error(s)")
    assert t("no-such-key", "en") == "no-such-key"
    assert day_label(MON, "zh") == "11月23日 周一"


def test_progress_tally_adds_the_departments_runs() -> None:
    """The siloed baseline solves each department on its own (each run counts from zero): the
    progress text counts every department's visits, not the last run's."""
    from planner.solve import ProgressEvent
    from planner.views import ProgressTally

    tally = ProgressTally()
    assert tally.add(ProgressEvent("week", 0.5, 10, 2, 4)) == (2, 4, 0.5)
    assert tally.add(ProgressEvent("week", 1.0, 8, 3, 4)) == (3, 4, 1.0)
    assert tally.add(ProgressEvent("week", 0.2, 5, 1, 6)) == (4, 10, 1.2)  # the next department
    assert tally.add(ProgressEvent("week", 0.4, 5, 5, 6)) == (8, 10, 1.4)


def test_office_picker_grid_covers_the_township_and_reads_a_click(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """The office picker's invisible grid covers every business; a click's selection (what
    st.pydeck_chart returns) gives the grid point's coordinates."""
    from planner.views import OFFICE_PICK_LAYER, office_picker_map, picked_point

    scenario = load_scenario(tiny_dir)
    office = scenario.settings.offices[0]
    deck = json.loads(office_picker_map(scenario, office.lon, office.lat).to_json())
    grid = next(layer for layer in deck["layers"] if layer["id"] == OFFICE_PICK_LAYER)
    assert grid["pickable"] and "mapProvider" not in deck
    lons = [p["lon"] for p in grid["data"]]
    lats = [p["lat"] for p in grid["data"]]
    for b in scenario.businesses:
        assert min(lons) < b.lon < max(lons) and min(lats) < b.lat < max(lats)
    selection = {"selection": {"objects": {OFFICE_PICK_LAYER: [{"lon": 120.1, "lat": 30.2}]}}}
    assert picked_point(selection) == (120.1, 30.2)
    assert picked_point({"selection": {"objects": {}}}) is None


def test_problems_table_converts_to_arrow() -> None:
    """The Data page's problems table (row numbers next to blanks for whole-file problems) is
    all text, so Arrow converts it: no ArrowInvalid traceback in the server log."""
    import pyarrow as pa

    from planner.errors import Problem
    from planner.views import problems_frame

    problems = [
        Problem("businesses.csv", 3, "lat", "not a number: 'x'"),
        Problem("items.csv", 0, "", "header only", "warning"),
    ]
    frame = problems_frame(problems)
    pa.Table.from_pandas(frame)  # raised ArrowInvalid with a mixed int/str column
    assert list(frame["row"]) == ["3", ""]
    assert list(problems_frame(problems, "zh")["severity"]) == ["错误", "警告"]


def test_stops_at_one_place_share_a_label() -> None:
    """Two stops a few metres apart get one map label ``1 · 3`` (never two overlapping ones);
    a stop elsewhere keeps its own."""
    import pandas as pd

    from planner.views import stop_labels

    stops = pd.DataFrame(
        {"lon": [120.1, 120.10001, 120.2], "lat": [30.2, 30.20001, 30.3], "label": ["1", "3", "2"]}
    )
    assert sorted(stop_labels(stops)["label"]) == ["1 · 3", "2"]


def test_plan_cards_in_chinese_say_hours_in_chinese(plan: Plan) -> None:
    """The Plan page in 简体中文 showed officer hours as ``400.2 h`` and ``-39.1 h`` (the English
    unit); with and without a baseline every card's value and change reads in Chinese."""
    doc = {"visits_joint": 2, "visits_siloed": 1, "visits_siloed_same_work": 3,
           "officer_hours_joint": 10.0, "officer_hours_siloed": 4.0,
           "officer_hours_siloed_same_work": 12.0, "obligations_scheduled": 20,
           "obligations_scheduled_siloed": 5, "officer_hours_per_obligation_joint": 0.5,
           "officer_hours_per_obligation_siloed": 0.8, "coverage_joint": 0.8,
           "coverage_siloed": 0.5}  # fmt: skip
    for cards in (plan_cards(plan, doc, "zh"), plan_cards(plan, None, "zh")):
        shown = [part for c in cards for part in (c.value, c.delta or "", c.help or "")]
        assert not [s for s in shown if re.search(r"[A-Za-z]", s)], shown
    hours = {c.label: c for c in plan_cards(plan, doc, "zh")}["执法人员工时"]
    assert (hours.value, hours.delta) == ("10.0 小时", "-2.0 小时")


def test_officers_working_days_read_in_chinese(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """The Data page's officers table in 简体中文 listed working days as ``Mon,Tue,Wed,Thu,Fri``;
    they read ``周一、周二…`` now (English keeps the file's form)."""
    from planner.tables import scenario_to_frames
    from planner.views import localised_frame

    frame = scenario_to_frames(load_scenario(tiny_dir))["inspectors"]
    zh = localised_frame(frame, "zh")["working_days"]
    assert all(re.fullmatch(r"周[一二三四五六日](、周[一二三四五六日])*", d) for d in zh), list(zh)
    assert list(localised_frame(frame, "en")["working_days"]) == list(frame["working_days"])


def test_risk_table_lists_high_medium_low() -> None:
    """The Department page's risk table listed 高, 低, 中 (the order the obligations came in);
    it lists high, medium, low in either language."""
    from planner.metrics import Coverage
    from planner.views import risk_frame

    coverage = Coverage("market", 9, 6, 0, (), (("high", 3, 3), ("low", 4, 2), ("medium", 2, 1)),
                        0, 0, ())  # fmt: skip
    assert list(risk_frame(coverage, "zh")["risk"]) == ["高", "中", "低"]
    assert list(risk_frame(coverage, "en")["due"]) == [3, 2, 4]


def test_a_visits_items_use_chinese_brackets_and_separators(tiny_dir, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    """The Map page's stops table in 简体中文 listed items as ``生活垃圾分类 (综合执法); 燃气安全
    (应急)``: English brackets and semicolons in Chinese text. It reads ``食品安全（市场监管）；…``
    now; English keeps ``title (department); …``."""
    scenario = load_scenario(tiny_dir)
    zh = route_stops_frame(plan, scenario, lang="zh")["items"]
    en = route_stops_frame(plan, scenario, lang="en")["items"]
    assert all("（" in text and " (" not in text and "; " not in text for text in zh), list(zh)
    assert all(" (" in text and "（" not in text for text in en), list(en)
