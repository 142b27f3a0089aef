"""Every business-facing and team-facing document renders without a Python repr leaking into it.

The tiny scenario (tests/fixtures/tiny) is planned for real, then every template in
planner/templates is rendered for every business that gets a notice, in English and Chinese, and
the notice PDFs and route sheets are read back as text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner import load_scenario
from planner.domain import Plan, Scenario
from planner.notices import (
    LANGS,
    _jinja_env,
    business_notice,
    business_notice_html,
    business_notice_pdf,
    businesses_with_notices,
    notice_text,
    route_sheet_pdf,
)
from planner.params import SolveParams
from planner.pipeline import plan_week

TEMPLATES = Path(__file__).resolve().parents[1] / "planner" / "templates"
FAST = SolveParams(time_limit_s=1, use_guided_local_search=False)
SECRET = "test-secret"
#: What a Python object looks like when it is printed instead of its text.
REPR_LEAKS = (
    re.compile(r"<built-in"),
    re.compile(r"<bound method"),
    re.compile(r"object at 0x"),
    re.compile(r"\{'"),
    re.compile(r"\['"),
    re.compile(r"\(\('"),
    re.compile(r"\bNone\b"),
    re.compile(r"\w+\(\w+="),  # a dataclass repr: NoticeItem(item_id=…
)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(Path(__file__).resolve().parent / "fixtures" / "tiny")


@pytest.fixture(scope="module")
def plan(scenario: Scenario) -> Plan:
    return plan_week(scenario, solve_params=FAST)


def leaks(text: str) -> list[str]:
    """The repr-looking fragments of ``text``."""
    return [m.group(0) for pattern in REPR_LEAKS for m in pattern.finditer(text)]


def test_leak_detector_finds_the_dict_method_heading() -> None:
    """The detector catches the heading the notices used to show, and passes clean text."""
    assert leaks("<h3><built-in method items of dict object at 0x7f></h3>")
    assert leaks("Items: ['food', 'fire']")
    assert not leaks("What will be checked: Food safety (Market regulation)")


def test_notice_heading_is_the_label_not_the_dict_method(plan: Plan, scenario: Scenario) -> None:
    """The items heading of the HTML notice is the label text, in both languages."""
    business = businesses_with_notices(plan, scenario)[0]
    assert "<h3>What will be checked</h3>" in business_notice_html(
        plan, scenario, business, "en", secret=SECRET
    )
    assert "<h3>检查事项</h3>" in business_notice_html(
        plan, scenario, business, "zh", secret=SECRET
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_template_renders_without_repr_leaks(
    plan: Plan, scenario: Scenario, lang: str
) -> None:
    """Each template, for each business with a notice, shows text only — no Python reprs."""
    templates = sorted(p.name for p in TEMPLATES.iterdir() if p.suffix == ".j2")
    businesses = businesses_with_notices(plan, scenario)
    assert templates and businesses
    env = _jinja_env()
    for name in templates:
        for business in businesses:
            notice = business_notice(plan, scenario, business, lang, secret=SECRET)
            text = env.get_template(name).render(**notice_text(notice))
            assert notice.business_name in text
            assert not leaks(text), (name, business, lang, leaks(text))


@pytest.mark.parametrize("lang", LANGS)
def test_notice_and_route_sheet_pdfs_have_no_repr_leaks(
    plan: Plan, scenario: Scenario, lang: str
) -> None:
    """The PDF notices and route sheets, read back as text, show no Python reprs."""
    pdfs = [
        business_notice_pdf(plan, scenario, b, lang, secret=SECRET)
        for b in businesses_with_notices(plan, scenario)
    ]
    pdfs += [route_sheet_pdf(plan, scenario, r.team_id, r.day, lang=lang) for r in plan.routes]
    assert pdfs
    for data in pdfs:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert not leaks(text), (lang, leaks(text))
