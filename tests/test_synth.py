"""The inspection catalogue, OSM tag mapping and the seeded synthetic scenario generator."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalogue import (
    CATEGORIES,
    CERTIFICATIONS,
    DEPARTMENTS,
    ITEMS,
    ROLES,
    category_from_tags,
    checklist_for,
)
from planner.cli import main
from planner.domain import Business, Result, Risk
from planner.hours import parse_opening_hours
from planner.load import check_scenario, load_scenario
from planner.synth import (
    WEEK_START,
    count_team_minutes,
    estimate_due,
    estimate_minutes,
    synthesize,
    synthesize_history,
    synthesize_inspectors,
    synthesize_tasks,
)
from planner.tables import write_scenario


def _business(
    id: str = "b1", category: str = "restaurant", risk: Risk = Risk.MEDIUM, hours: str = ""
) -> Business:
    return Business(
        id=id,
        name="Noodle house",
        category=category,
        lon=120.0,
        lat=30.0,
        address="1 Main St",
        risk=risk,
        opening_hours=parse_opening_hours(hours or "Mo-Fr 09:00-18:00"),
    )


# ---------------------------------------------------------------- catalogue


def test_catalogue_ids_and_references_are_consistent() -> None:
    """Item ids are unique, every item's department exists, and its categories are known."""
    departments = {d.id for d in DEPARTMENTS}
    assert len({i.id for i in ITEMS}) == len(ITEMS)
    for item in ITEMS:
        assert item.department_id in departments
        assert set(item.categories) <= {*CATEGORIES, "*"}
        assert item.title_zh and "《" in item.legal_basis
        assert 10 <= item.minutes <= 45


def test_every_category_has_a_checklist() -> None:
    """Each business category has at least the fire and garbage-sorting items."""
    for category in CATEGORIES:
        assert {"fire_basic", "garbage_sorting"} <= set(checklist_for(category))


def test_restaurant_checklist_is_the_policy_scenario() -> None:
    """A restaurant is checked for food, fire, fumes, garbage, frontage, gas and drainage."""
    expected = {"food_safety", "fire_basic", "fume_purifier", "garbage_sorting", "frontage"}
    assert expected | {"gas_safety", "drainage_permit"} <= set(checklist_for("restaurant"))


def test_roles_together_hold_every_certification() -> None:
    """The officer roles of the catalogue cover every certification an item needs."""
    assert set(CERTIFICATIONS) <= {c for r in ROLES.values() for c in r.certifications}


@pytest.mark.parametrize(
    ("tags", "category"),
    [
        ({"amenity": "fast_food"}, "restaurant"),
        ({"amenity": "pub"}, "bar"),
        ({"shop": "hairdresser"}, "beauty"),
        ({"shop": "kiosk"}, "food_shop"),
        ({"shop": "clothes"}, "retail"),
        ({"tourism": "hostel"}, "hotel"),
        ({"leisure": "fitness_centre"}, "entertainment"),
        ({"office": "company"}, "office"),
        ({"craft": "brewery"}, "food_shop"),
    ],
)
def test_osm_tags_map_to_categories(tags: dict[str, str], category: str) -> None:
    """Common OSM tags map to the inspected category a township would file them under."""
    assert category_from_tags(tags) == category


def test_amenity_decides_before_shop() -> None:
    """A feature with both amenity and shop tags is classed by its amenity."""
    assert category_from_tags({"amenity": "cafe", "shop": "bakery"}) == "cafe"


def test_unknown_shop_value_is_a_shop() -> None:
    """Any shop value without a special meaning (e.g. ``yes``) is retail."""
    assert category_from_tags({"shop": "yes"}) == "retail"


def test_multi_value_tag_uses_the_first_mapped_value() -> None:
    """``amenity=nightclub;restaurant`` is read value by value; the first mapped one wins."""
    assert category_from_tags({"amenity": "nightclub;restaurant"}) == "entertainment"


@pytest.mark.parametrize(
    "tags",
    [
        {"amenity": "bench"},
        {"office": "government"},
        {"tourism": "artwork"},
        {"shop": "vacant"},
        {},
    ],
)
def test_non_businesses_map_to_none(tags: dict[str, object]) -> None:
    """Street furniture, public bodies, artworks and vacant shops are not inspected businesses."""
    assert category_from_tags(tags) is None


def test_non_string_tag_values_count_as_absent() -> None:
    """NaN or None from a DataFrame row is not a tag value."""
    assert category_from_tags({"amenity": float("nan"), "shop": None}) is None


# ---------------------------------------------------------------- generator pieces


def test_history_is_dated_before_the_week_and_only_for_checklist_items() -> None:
    """Every record precedes the week and names an item on the business's checklist."""
    business = _business()
    history = synthesize_history([business], ITEMS, rng=random.Random(1), new_share=0.0)
    assert {h.item_id for h in history} == set(checklist_for("restaurant"))
    assert all(h.date < WEEK_START for h in history)


def test_a_department_checked_its_items_on_one_day() -> None:
    """Siloed history: one department's announced items at a business share a date."""
    history = synthesize_history([_business()], ITEMS, rng=random.Random(2), new_share=0.0)
    dates = {h.date for h in history if h.item_id in ("garbage_sorting", "frontage")}
    assert len(dates) == 1


def test_new_businesses_have_no_history() -> None:
    """With new_share = 1 every business is newly registered: never inspected, all due."""
    assert synthesize_history([_business()], ITEMS, rng=random.Random(0), new_share=1.0) == ()


def test_failures_are_recent_only() -> None:
    """A failed check is younger than twice its follow-up days (else a re-check would be on file)."""
    rows = [_business(f"b{n}") for n in range(200)]
    history = synthesize_history(rows, ITEMS, rng=random.Random(3), new_share=0.0)
    fails = [h for h in history if h.result is Result.FAIL]
    assert fails
    items = {i.id: i for i in ITEMS}
    assert all((WEEK_START - h.date).days <= 2 * items[h.item_id].follow_up_days for h in fails)


def test_tasks_fall_in_the_week_on_checklist_items_at_businesses_open_by_day() -> None:
    """Complaints and campaigns have deadlines in the week and can be acted on in office hours."""
    open_by_day, night_only = _business("b1"), _business("b2", hours="Fr-Sa 22:00-04:00")
    tasks = synthesize_tasks([open_by_day, night_only], ITEMS, count=9, rng=random.Random(0))
    assert tasks
    week_end = WEEK_START + dt.timedelta(days=6)
    for task in tasks:
        assert task.business_id == "b1"
        assert WEEK_START <= task.deadline <= week_end
        assert task.item_id in checklist_for("restaurant")


def test_small_office_still_holds_every_certification() -> None:
    """Two officers at an office carry every certification between them (no uncheckable item)."""
    officers = synthesize_inspectors([("t1", 2)])
    assert len(officers) == 2
    assert set(CERTIFICATIONS) <= {c for o in officers for c in o.certifications}
    assert [o.department_id for o in officers] == ["urban", "market"]


def test_roster_has_the_seven_plus_n_shape() -> None:
    """Fourteen officers: six comprehensive (urban) officers and specialists of six departments."""
    officers = synthesize_inspectors([("hq", 14)])
    departments = [o.department_id for o in officers]
    assert departments.count("urban") == 6
    assert {"market", "fire", "ecology", "emergency", "health", "culture"} <= set(departments)
    assert len({o.certificate_no for o in officers}) == 14


# ---------------------------------------------------------------- synthesize


def test_synthesize_rejects_an_empty_scenario() -> None:
    """Zero businesses or zero townships is a ValueError, not an empty scenario."""
    with pytest.raises(ValueError, match="at least one business"):
        synthesize(businesses=0)
    with pytest.raises(ValueError, match="at least one business"):
        synthesize(businesses=5, townships=0)


def test_same_seed_same_scenario() -> None:
    """The generator is deterministic: the same seed gives an equal Scenario, another seed not."""
    assert synthesize(businesses=40, townships=2, seed=11) == synthesize(
        businesses=40, townships=2, seed=11
    )
    assert synthesize(businesses=40, seed=11) != synthesize(businesses=40, seed=12)


def test_each_township_has_an_office_and_officers_based_there() -> None:
    """K townships give K offices, and every office has at least one two-person team."""
    scenario = synthesize(businesses=30, townships=3, seed=1)
    offices = {o.id for o in scenario.settings.offices}
    assert len(offices) == 3
    for office in offices:
        assert sum(p.base == office for p in scenario.inspectors) >= 2


def test_roster_is_sized_to_the_weeks_demand() -> None:
    """Officers scale with demand: the week's rough work is about 1.1 × the teams' capacity."""
    scenario = synthesize(businesses=800, seed=4)
    teams = len(scenario.inspectors) // 2
    ratio = estimate_minutes(scenario, estimate_due(scenario)) / (
        teams * count_team_minutes(scenario.settings)
    )
    assert teams >= 3
    assert 0.85 <= ratio <= 1.4


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # fmt: skip
@given(
    businesses=st.integers(1, 60),
    townships=st.integers(1, 3),
    seed=st.integers(0, 2**31 - 1),
)
def test_synthetic_scenario_round_trips_and_validates(
    businesses: int, townships: int, seed: int
) -> None:
    """Any synthetic scenario, written as CSV and read back, has no errors and loads equal."""
    scenario = synthesize(businesses=businesses, townships=townships, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        loaded, problems = check_scenario(write_scenario(scenario, Path(folder) / "s"))
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert loaded == scenario


def test_csv_and_workbook_of_one_scenario_load_equal(tmp_path: Path) -> None:
    """The CSV folder and the XLSX workbook of one synthetic scenario load to equal Scenarios."""
    scenario = synthesize(businesses=25, townships=2, seed=3)
    from_csv = load_scenario(write_scenario(scenario, tmp_path / "csv"))
    from_xlsx = load_scenario(write_scenario(scenario, tmp_path / "s.xlsx"))
    assert from_csv == from_xlsx == scenario


def test_cli_synth_writes_a_valid_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m planner synth`` writes the folder and prints its counts."""
    out = tmp_path / "synth"
    assert main(["synth", "--businesses", "12", "--townships", "2", "--seed", "5", str(out)]) == 0
    assert "businesses" in capsys.readouterr().out
    assert load_scenario(out) == synthesize(businesses=12, townships=2, seed=5)


def test_cli_synth_rejects_zero_businesses(tmp_path: Path) -> None:
    """A size below one is an input error (exit 2), not a traceback."""
    assert main(["synth", "--businesses", "0", str(tmp_path / "x")]) == 2
