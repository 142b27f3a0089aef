"""Reasons in either language (planner.i18n): every reason the planner writes has a code and
parameters, and renders in 简体中文 without English words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import load_scenario, plan_week
from planner.i18n import OTHER, REASONS, category_name, reason_parts, reason_text
from planner.params import SolveParams

# One English reason of each form, as planner.problem / teams / pipeline / merge / replan write it.
EXAMPLES = {
    "no_team": "no team works this week",
    "no_single_team_items": (
        "no single team certified for all 4 items on any day (certifications fire, food)"
    ),
    "no_single_team": "no single team certified for all of Food safety + Product labels on any day",
    "recused": "every team certified for it has an officer recused from this business",
    "hours_outside_shift": "opening hours (Fri-Sat 18:00-02:00) outside every shift",
    "hours_no_slot": (
        "opening hours (Mo 10:00-10:20) leave no 45-minute slot inside any shift "
        "(travel from and to the office included)"
    ),
    "inspection_hours_outside_shift": "inspection hours (Fri-Sat 18:00-02:00) outside every shift",
    "inspection_hours_no_slot": (
        "inspection hours (Mo 10:00-10:20) leave no 45-minute slot inside any shift "
        "(travel from and to the office included)"
    ),
    "hours_lunch": (
        "opening hours (Mo 10:00-10:20) and the lunch break (11:30-13:30) leave "
        "no 166-minute slot in any shift: the break never falls inside a visit"
    ),
    "inspection_hours_lunch": (
        "inspection hours (Mo 10:00-10:20) and the lunch break (11:30-13:30, 12:00-14:00) leave "
        "no 100-minute slot in any shift: the break never falls inside a visit"
    ),
    "holidays": "public holidays: Mon 2026-11-23, Wed 2026-11-25",
    "deadline": "deadline 2026-11-24 before any feasible day (Wed, Thu)",
    "earliest": "earliest date 2026-11-27 after every feasible day (Mon, Tue)",
    "pinned": "pinned to team Mon-1 on 2026-11-23, which cannot make this visit",
    "capacity": "capacity: 12 h of visits, 40 h of team time this week",
    "capacity_full": (
        "capacity: all 2 team-day(s) that could make it (Mon, Tue) are full (at most 10 min "
        "free, the visit takes 45 min), 12 h of visits, 40 h of team time this week"
    ),
    "hours_gaps": (
        "no team-day with room within its opening hours (Mo 10:00-10:20): 1 team-day(s) that "
        "could make it have time left (Fri), but only while it is closed or in gaps between "
        "planned visits too short for it"
    ),
    "search_left": (
        "left out by the search although team Mon-1 has room for it on Mon 2026-11-23 (a longer "
        "time limit may place it)"
    ),
    "split": (
        "no team certified for Product labels together with the visit's other items on Mon: "
        "left for a second visit"
    ),
    "no_certified_team": "no team certified for Food safety on any day",
    "part_visit": (
        "visited on Tue 2026-11-24 for Market regulation only (a part visit: the whole visit was "
        "not made)"
    ),
    "department_no_officer": (
        "Fire and rescue has no officer of its own: alone it cannot field a two-officer team"
    ),
    "department_one_officer": (
        "Fire and rescue has only 1 officer of its own: alone it cannot field a two-officer team"
    ),
    "desk_review": "desk review: sent to the desk queue instead of a visit",
    "beyond_horizon": (
        "due 2027-03-01: after this week and beyond the pull-forward horizon (14 days from "
        "2026-11-23)"
    ),
    "not_before": "due 2026-12-01: may not be done before 2026-11-30",
    "desk_when_due": "due 2026-12-01: desk-review item, goes to the desk queue when due",
    "no_visit_to_join": (
        "due 2026-12-01: no Market regulation visit to Noodle house this week to join "
        "(pull-forward never creates a visit)"
    ),
    "officer_away": "officer o1 absent Mon 2026-11-23–Wed 2026-11-25",
    "business_away": "business closed from Tue 2026-11-24",
    "retimed": "retimed 09:00 → 11:30 to fit the changes",
    "resolved": "re-solved to fit the changes",
    "not_placed": "not placed in the re-plan",
    "placed": "placed in the re-plan (capacity freed or newly due)",
    "urgent": "urgent complaint urgent-1-1-b2: smoke in the kitchen",
    "items_changed": "items changed: +food (task t1), -label",
}
# Data values a Chinese reason may still hold: the scenario's names, hours, ids and dates.
DATA = re.compile(
    r"Fri-Sat 18:00-02:00|Mo 10:00-10:20|Noodle house|urgent-1-1-b2|smoke in the kitchen|"
    r"Mon-1|Li Wei|fire|food|t1|\d"
)


def test_every_form_has_an_example() -> None:
    """Each reason form is covered by one example here."""
    assert set(EXAMPLES) == {form.code for form in REASONS}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_reason_reads_as_its_code_and_renders_in_chinese(code: str, tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """An English reason reads back as its code; in Chinese no English word is left (data
    values aside); English shows it as written."""
    scenario = load_scenario(tiny_dir)
    text = EXAMPLES[code]
    assert reason_parts(text)[0][0] == code
    zh = reason_text(text, "zh", scenario)
    assert not re.search(r"[A-Za-z]{2,}", DATA.sub("", zh)), zh
    assert reason_text(text, "en", scenario) == text


def test_the_planners_reasons_of_the_tiny_week_are_all_known(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """Every reason the joint plan and the siloed baseline give on the tiny week has a code."""
    scenario = load_scenario(tiny_dir)
    solve = SolveParams(time_limit_s=1)
    reasons = {
        u.reason
        for siloed in (False, True)
        for u in plan_week(scenario, solve_params=solve, siloed=siloed).unscheduled
    }
    assert reasons
    assert [r for r in reasons if any(c == OTHER for c, _ in reason_parts(r))] == []


@given(st.text(max_size=60))
def test_any_text_renders_without_failing(text: str) -> None:
    """A reason of no known form shows as it is, in both languages (never an exception)."""
    assert reason_text(text, "en") == text
    reason_text(text, "zh")


def test_categories_are_named_in_the_language() -> None:
    """Catalogue categories are named in Chinese; several (`;`) are each named; unknown ones
    stay as the data has them."""
    assert category_name("restaurant", "zh") == "餐馆"
    assert category_name("restaurant;hotel", "zh") == "餐馆、宾馆酒店"
    assert category_name("shop", "zh") == "shop"


def test_opening_hours_of_several_rules_stay_one_reason_in_chinese(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """Opening hours of several rules hold ``; `` inside their parentheses
    (``Mo-Fr 10:30-14:00; Sa-Su 12:00-22:00``): the reason is still one reason of its form, so a
    Chinese planner reads it in Chinese (the demo's Plan and Department pages showed it in
    English, cut in two at the hours' ``;``)."""
    scenario = load_scenario(tiny_dir)
    hours = "Mo-Fr 10:30-14:00,17:00-22:00; Sa-Su 12:00-22:00"
    text = (
        f"{EXAMPLES['part_visit']}; opening hours ({hours}) and the lunch break (11:30-13:30) "
        "leave no 167-minute slot in any shift: the break never falls inside a visit"
    )
    assert [code for code, _ in reason_parts(text)] == ["part_visit", "hours_lunch"]
    assert reason_parts(text)[1][1]["hours"] == hours
    zh = reason_text(text, "zh", scenario)
    assert hours in zh
    assert not re.search(r"[A-Za-z]{2,}", DATA.sub("", zh.replace(hours, ""))), zh
    outside = f"opening hours ({hours}) outside every shift"
    assert [code for code, _ in reason_parts(outside)] == ["hours_outside_shift"]


def test_a_part_visit_reads_well_with_and_without_its_day(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """A part visit without a day read “已于仅检查…” (“on” with no day) in Chinese, and one with a
    day ran the date into the next word (“2026-11-27仅检查”)."""
    scenario = load_scenario(tiny_dir)
    tail = "for Market regulation only (a part visit: the whole visit was not made)"
    without = reason_text(f"visited {tail}", "zh", scenario)
    assert without.startswith("仅检查") and "已于" not in without, without
    on_day = reason_text(f"visited on Fri 2026-11-27 {tail}", "zh", scenario)
    assert on_day.startswith("已于周五 2026-11-27 仅检查"), on_day
