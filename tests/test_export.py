"""Exports read back: CSV, roster workbook, calendars, notices, route sheets, GeoJSON, access codes.

The plan is made by hand on the tiny scenario (week of Mon 2026-11-23):

- team T1 on Monday: b1 Noodle house 10:00–10:50 (food, extinguisher), then b2 Corner shop
  11:05–11:40 (label — unannounced in the catalogue — and extinguisher from complaint t1);
- team T1 on Friday: b3 Night bar 23:30–00:20 next day (food, follow-up);
- unscheduled: the extinguisher check at b3.

So b2's notice shows only the fire department: its market item is unannounced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from planner import load_scenario
from planner.access import DEMO_SECRET, access_code, normalise_code, verify_access_code
from planner.cli import main
from planner.domain import (
    Obligation,
    Plan,
    Reason,
    Route,
    Scenario,
    Stop,
    Unscheduled,
    Visit,
)
from planner.errors import PlannerError
from planner.export import (
    business_calendars,
    calendar_bytes,
    coverage_frame,
    csv_bytes,
    export_plan,
    export_zip_bytes,
    geojson_bytes,
    plan_to_frames,
    roster_sheet_name,
    roster_xlsx_bytes,
    routes_to_geojson,
    safe_name,
    team_calendars,
)
from planner.notices import (
    business_notice,
    business_notice_html,
    business_notice_pdf,
    route_sheet_pdf,
    time_text,
    window_text,
)
from planner.planfile import plan_from_json, plan_to_json, read_plan, write_plan

H = 3600
WEEK = dt.date(2026, 11, 23)
FRIDAY = WEEK + dt.timedelta(days=4)
SECRET = "test-secret"
TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
#: Every way the unannounced item at b2 could leak into a business-facing file.
HIDDEN = ("Product labels", "产品标签", "Product Quality Law", 'data-item="label"')


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The tiny scenario (three businesses, two departments, one unannounced item)."""
    return load_scenario(TINY)


def ob(business: str, item: str, department: str, reason: Reason = Reason.ROUTINE, task: str = ""):
    """An obligation of the week (announced; the catalogue decides about ``label``)."""
    return Obligation(
        business, item, department, WEEK, WEEK + dt.timedelta(days=6), reason, 1, False, task
    )


def make_plan() -> Plan:
    """The hand-made plan described in the module docstring."""
    monday = Route(
        "T1",
        WEEK,
        ("o1", "o2"),
        (
            Stop(
                Visit("b1", (ob("b1", "food", "market"), ob("b1", "extinguisher", "fire")), 3000),
                10 * H - 600,
                10 * H,
                10 * H + 3000,
            ),
            Stop(
                Visit(
                    "b2",
                    (
                        ob("b2", "label", "market"),
                        ob("b2", "extinguisher", "fire", Reason.COMPLAINT, "t1"),
                    ),
                    2100,
                ),
                11 * H,
                11 * H + 300,
                11 * H + 2400,
            ),
        ),
        lunch_start=12 * H,
        travel_seconds=1800,
        distance_metres=8200,
        depart=9 * H + 1800,
        back=13 * H,
    )
    friday = Route(
        "T1",
        FRIDAY,
        ("o1", "o2"),
        (
            Stop(
                Visit("b3", (ob("b3", "food", "market", Reason.FOLLOW_UP),), 3000),
                23 * H + 1500,
                23 * H + 1800,
                24 * H + 1200,
            ),
        ),
    )
    missed = Unscheduled(ob("b3", "extinguisher", "fire"), "no team certified for fire after 18:00")
    return Plan(WEEK, (monday, friday), (missed,), (("visits", 3.0), ("visits_avoided", 2.0)))


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The hand-made plan."""
    return make_plan()


def pdf_text(data: bytes) -> str:
    """All text of a PDF, as a reader extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """Text without whitespace (PDF extraction may break lines anywhere)."""
    return "".join(text.split())


# --------------------------------------------------------------------------------------------
# Access codes
# --------------------------------------------------------------------------------------------
def test_access_code_is_deterministic_and_formatted() -> None:
    """The same business, week and secret give the same XXXXX-XXXXX code."""
    code = access_code("b1", WEEK, SECRET)
    assert code == access_code("b1", WEEK, SECRET)
    assert len(code) == 11 and code[5] == "-"
    assert set(code.replace("-", "")) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_access_code_differs_by_business_week_and_secret() -> None:
    """Changing the business, the week or the secret changes the code."""
    codes = {
        access_code("b1", WEEK, SECRET),
        access_code("b2", WEEK, SECRET),
        access_code("b1", WEEK + dt.timedelta(days=7), SECRET),
        access_code("b1", WEEK, "other"),
    }
    assert len(codes) == 4


def test_access_code_verification_forgives_typing() -> None:
    """Lower case, spaces, no dash and O/I/L for 0/1 still verify; another code does not."""
    code = access_code("b1", WEEK, SECRET)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_code(typed) == code.replace("-", "")
    assert verify_access_code(typed, "b1", WEEK, SECRET)
    assert not verify_access_code(access_code("b2", WEEK, SECRET), "b1", WEEK, SECRET)


def test_access_code_uses_env_secret_else_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a secret argument, $PLANNER_SECRET is used, and the demo secret when it is unset."""
    monkeypatch.delenv("PLANNER_SECRET", raising=False)
    assert access_code("b1", WEEK) == access_code("b1", WEEK, DEMO_SECRET)
    monkeypatch.setenv("PLANNER_SECRET", SECRET)
    assert access_code("b1", WEEK) == access_code("b1", WEEK, SECRET)


# --------------------------------------------------------------------------------------------
# Tables and CSV
# --------------------------------------------------------------------------------------------
def test_frames_hold_every_stop_item_and_unscheduled(plan: Plan, scenario: Scenario) -> None:
    """One stop row per visit (in route order), one item row per obligation, one unscheduled row."""
    frames = plan_to_frames(plan, scenario)
    stops = frames["stops"]
    assert list(stops["business_id"]) == ["b1", "b2", "b3"]
    assert list(stops["start"]) == [
        "2026-11-23T10:00:00",
        "2026-11-23T11:05:00",
        "2026-11-27T23:30:00",
    ]
    assert list(frames["stop_items"]["item_id"]) == [
        "food",
        "extinguisher",
        "label",
        "extinguisher",
        "food",
    ]
    assert list(frames["unscheduled"]["why"]) == ["no team certified for fire after 18:00"]


def test_overnight_visit_ends_on_the_next_date(plan: Plan, scenario: Scenario) -> None:
    """A visit ending after midnight carries the next day's date and seconds past 86,400."""
    row = plan_to_frames(plan, scenario)["stops"].iloc[2]
    assert row["end"] == "2026-11-28T00:20:00" and row["end_seconds"] == 87_600


def test_unannounced_items_are_flagged_in_planner_tables(plan: Plan, scenario: Scenario) -> None:
    """The planner's tables keep unannounced items and flag them (from the catalogue)."""
    items = plan_to_frames(plan, scenario)["stop_items"]
    assert list(items.loc[items["unannounced"], "item_id"]) == ["label"]
    assert plan_to_frames(plan, scenario)["stops"].iloc[1]["unannounced_item_ids"] == "label"


def test_csv_files_read_back_equal_to_the_frames(plan: Plan, scenario: Scenario) -> None:
    """Each CSV (UTF-8 with BOM) reads back to its frame, Chinese titles included."""
    frames = plan_to_frames(plan, scenario)
    files = csv_bytes(plan, scenario)
    assert set(files) == {"stops.csv", "stop_items.csv", "unscheduled.csv"}
    for name in ("stops", "stop_items", "unscheduled"):
        data = files[f"{name}.csv"]
        assert data.startswith(b"\xef\xbb\xbf")
        back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        expected = frames[name].astype(str).replace("None", "")
        assert back.to_dict("records") == expected.to_dict("records")
    assert "灭火器和安全出口" in files["unscheduled.csv"].decode("utf-8-sig")


def test_coverage_counts_scheduled_and_unscheduled_per_department(
    plan: Plan, scenario: Scenario
) -> None:
    """Fire: 2 scheduled of 3 owed; market: 3 of 3."""
    coverage = coverage_frame(plan, scenario).set_index("department_id")
    assert coverage.loc["fire", ["scheduled", "unscheduled", "owed"]].tolist() == [2, 1, 3]
    assert coverage.loc["market", "coverage"] == 1.0


# --------------------------------------------------------------------------------------------
# Roster workbook
# --------------------------------------------------------------------------------------------
def roster_rows(ws: Any, header_row: int = 5) -> list[tuple[Any, ...]]:
    """Data rows of a team-day sheet, merged stop cells filled down from the stop's first row."""
    rows: list[tuple[Any, ...]] = []
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if rows and values[0] in (None, ""):
            values = rows[-1][:6] + values[6:]
        rows.append(values)
    return rows


def test_roster_has_summary_one_sheet_per_team_day_and_unscheduled(
    plan: Plan, scenario: Scenario
) -> None:
    """Sheets: the summary, one per team-day in day order, the unscheduled obligations."""
    book = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, scenario)))
    assert book.sheetnames == ["Summary 汇总", "T1 Mon 11-23", "T1 Fri 11-27", "Unscheduled 未安排"]


def test_roster_team_day_sheet_matches_the_route(plan: Plan, scenario: Scenario) -> None:
    """Order, time window, business, address and each item with its department, as planned."""
    book = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, scenario)))
    rows = roster_rows(book["T1 Mon 11-23"])
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        (1, "10:00–10:50", "Noodle house", "1 Main St"),
        (1, "10:00–10:50", "Noodle house", "1 Main St"),
        (2, "11:05–11:40", "Corner shop", "2 Main St"),
        (2, "11:05–11:40", "Corner shop", "2 Main St"),
    ]
    assert [r[7] for r in rows] == [
        "Food safety 食品安全",
        "Fire extinguishers and exits 灭火器和安全出口",
        "Product labels 产品标签",
        "Fire extinguishers and exits 灭火器和安全出口",
    ]
    assert rows[0][6] == "Market regulation 市场监管" and rows[1][6] == "Fire and rescue 消防救援"
    assert "unannounced" in rows[2][8] and "complaint" in rows[3][8]
    assert "ZJ-001" in book["T1 Mon 11-23"]["A2"].value


def test_roster_overnight_window_is_marked(plan: Plan, scenario: Scenario) -> None:
    """The Friday night visit reads 23:30–00:20 (next day)."""
    book = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, scenario)))
    assert roster_rows(book["T1 Fri 11-27"])[0][1] == "23:30–00:20 (next day)"


def test_roster_prints_on_a4_landscape(plan: Plan, scenario: Scenario) -> None:
    """Every sheet: A4, landscape, one page wide, header row repeated."""
    book = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, scenario)))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.print_title_rows


def test_roster_summary_has_metrics_and_coverage(plan: Plan, scenario: Scenario) -> None:
    """The summary lists the plan's metrics and each department's coverage."""
    ws = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, scenario)))["Summary 汇总"]
    cells = [row for row in ws.iter_rows(values_only=True)]
    assert next(r[:2] for r in cells if r[0] == "visits_avoided") == ("visits_avoided", 2)
    fire = next(r for r in cells if r[0] == "Fire and rescue")
    assert fire[2:6] == (2, 1, 3, pytest.approx(2 / 3))


def test_roster_sheet_names_are_legal_and_unique() -> None:
    """Forbidden characters are replaced, names cut to 31 characters and made unique."""
    route = Route("team/with:a-very-long-name-indeed", WEEK, ("o1", "o2"), ())
    taken: set[str] = set()
    first, second = roster_sheet_name(route, taken), roster_sheet_name(route, taken)
    assert first != second and len(first) <= 31 and len(second) <= 31
    assert not set("[]:*?/\\") & set(first + second)


# --------------------------------------------------------------------------------------------
# Calendars
# --------------------------------------------------------------------------------------------
def events(cal: Any) -> list[Any]:
    """The VEVENTs of a calendar parsed back from its bytes."""
    return list(Calendar.from_ical(calendar_bytes(cal)).walk("VEVENT"))


def test_team_calendar_has_one_event_per_stop_with_local_times(
    plan: Plan, scenario: Scenario
) -> None:
    """T1's calendar: three events at the planned local times (Asia/Shanghai), with a VTIMEZONE."""
    cal = team_calendars(plan, scenario)["T1"]
    parsed = Calendar.from_ical(calendar_bytes(cal))
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    found = [(e.start.isoformat(), e.end.isoformat(), str(e["SUMMARY"])) for e in events(cal)]
    assert found == [
        ("2026-11-23T10:00:00+08:00", "2026-11-23T10:50:00+08:00", "1. Noodle house"),
        ("2026-11-23T11:05:00+08:00", "2026-11-23T11:40:00+08:00", "2. Corner shop"),
        ("2026-11-27T23:30:00+08:00", "2026-11-28T00:20:00+08:00", "1. Night bar"),
    ]
    assert all(str(e.start.tzinfo) == "Asia/Shanghai" for e in events(cal))


def test_team_calendar_lists_unannounced_items_marked(plan: Plan, scenario: Scenario) -> None:
    """The team sees the unannounced item, marked as such."""
    description = str(events(team_calendars(plan, scenario)["T1"])[1]["DESCRIPTION"])
    assert "Product labels" in description and "unannounced" in description


def test_calendars_are_valid_rfc5545(plan: Plan, scenario: Scenario) -> None:
    """Required properties present, CRLF lines of at most 75 octets, one UID per event."""
    calendars = [
        *team_calendars(plan, scenario).values(),
        *business_calendars(plan, scenario).values(),
    ]
    for cal in calendars:
        data = calendar_bytes(cal)
        assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
        assert all(len(line) <= 75 for line in data.split(b"\r\n"))
        parsed = Calendar.from_ical(data)
        assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
        uids = [str(e["UID"]) for e in parsed.walk("VEVENT")]
        assert len(uids) == len(set(uids))
        for event in parsed.walk("VEVENT"):
            assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= set(event)


def test_business_calendar_shows_announced_items_only(plan: Plan, scenario: Scenario) -> None:
    """b2's event lists the fire check and its access code, not the unannounced label check."""
    cals = business_calendars(plan, scenario, secret=SECRET)
    assert sorted(cals) == ["b1", "b2", "b3"]
    text = calendar_bytes(cals["b2"]).decode()
    unfolded = text.replace("\r\n ", "")
    assert "Fire extinguishers and exits" in unfolded and "灭火器和安全出口" in unfolded
    assert access_code("b2", WEEK, SECRET) in unfolded
    assert not any(h in unfolded for h in HIDDEN)
    assert "Market regulation" not in unfolded and "Noodle house" not in unfolded


def test_business_with_only_unannounced_visit_gets_no_calendar_or_notice(
    plan: Plan, scenario: Scenario
) -> None:
    """A visit whose items are all unannounced is not announced at all."""
    monday = plan.routes[0]
    only_label = Stop(
        Visit("b2", (ob("b2", "label", "market"),), 900), 11 * H, 11 * H, 11 * H + 900
    )
    hidden = dataclasses.replace(
        plan, routes=(dataclasses.replace(monday, stops=(monday.stops[0], only_label)),)
    )
    assert "b2" not in business_calendars(hidden, scenario)
    with pytest.raises(PlannerError, match="no announced visit"):
        business_notice(hidden, scenario, "b2")


# --------------------------------------------------------------------------------------------
# Business notices
# --------------------------------------------------------------------------------------------
def test_notice_html_has_visit_team_items_and_code(plan: Plan, scenario: Scenario) -> None:
    """b1's notice: date, window, officers with certificate numbers, items with legal basis, code."""
    html = business_notice_html(plan, scenario, "b1", "en", secret=SECRET)
    for expected in (
        "Noodle house",
        "Monday 23 November 2026",
        "10:00–10:50",
        "Li Wei (ZJ-001)",
        "Wang Fang (ZJ-002)",
        "Food Safety Law art. 87",
        "Fire Protection Law art. 53",
        access_code("b1", WEEK, SECRET),
        'lang="en"',
    ):
        assert expected in html


def test_notice_in_chinese_uses_chinese_titles(plan: Plan, scenario: Scenario) -> None:
    """The Chinese notice names departments and items in Chinese and dates the Chinese way."""
    html = business_notice_html(plan, scenario, "b1", "zh", secret=SECRET)
    for expected in (
        "联合检查告知书",
        "2026年11月23日（星期一）",
        "市场监管",
        "食品安全",
        'lang="zh-CN"',
    ):
        assert expected in html


def test_notice_hides_unannounced_item_and_its_only_department(
    plan: Plan, scenario: Scenario
) -> None:
    """b2's notice has the fire check only: no label item, no market department."""
    for lang in ("en", "zh"):
        html = business_notice_html(plan, scenario, "b2", lang)
        assert not any(h in html for h in HIDDEN)
        assert ("Market regulation" if lang == "en" else "市场监管") not in html
    notice = business_notice(plan, scenario, "b2")
    assert [v.item_ids for v in notice.visits] == [("extinguisher",)]


def test_notice_escapes_html(plan: Plan, scenario: Scenario) -> None:
    """A business name with markup is printed as text, not injected."""
    evil = dataclasses.replace(scenario.business("b1"), name="<script>x</script>")
    changed = dataclasses.replace(
        scenario, businesses=(evil, *(b for b in scenario.businesses if b.id != "b1"))
    )
    html = business_notice_html(plan, changed, "b1")
    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_follow_up_visit_asks_for_rectification_evidence(plan: Plan, scenario: Scenario) -> None:
    """A follow-up item adds the rectification report to what to prepare."""
    assert any("rectification" in line for line in business_notice(plan, scenario, "b3").prepare)
    assert not any(
        "rectification" in line for line in business_notice(plan, scenario, "b1").prepare
    )


def test_notice_pdf_english_reads_back(plan: Plan, scenario: Scenario) -> None:
    """The English PDF holds the business, window, officers, items, legal basis and code."""
    text = flat(pdf_text(business_notice_pdf(plan, scenario, "b2", "en", secret=SECRET)))
    for expected in ("Cornershop", "11:05–11:40", "LiWei(ZJ-001)", "Fireextinguishersandexits"):
        assert expected in text
    assert access_code("b2", WEEK, SECRET) in text
    assert not any(flat(h) in text for h in HIDDEN)


def test_notice_pdf_chinese_text_renders(plan: Plan, scenario: Scenario) -> None:
    """The Chinese PDF embeds a CJK font: the Chinese words come back out of it."""
    data = business_notice_pdf(plan, scenario, "b2", "zh", secret=SECRET)
    text = flat(pdf_text(data))
    for expected in ("联合检查告知书", "灭火器和安全出口", "消防救援", "2026年11月23日"):
        assert expected in text
    assert "产品标签" not in text and "市场监管" not in text
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    descriptor = next(iter(fonts.values())).get_object()["/DescendantFonts"][0].get_object()
    assert (
        "/FontFile2" in descriptor["/FontDescriptor"]
        or "/FontFile3" in descriptor["/FontDescriptor"]
    )


# --------------------------------------------------------------------------------------------
# Route sheets
# --------------------------------------------------------------------------------------------
def test_route_sheet_lists_stops_in_order_with_times(plan: Plan, scenario: Scenario) -> None:
    """Monday's sheet: Noodle house then Corner shop, arrivals and windows as planned."""
    text = flat(pdf_text(route_sheet_pdf(plan, scenario, "T1", WEEK)))
    assert text.index("Noodlehouse") < text.index("Cornershop")
    for expected in ("09:50", "10:00–10:50", "11:00", "11:05–11:40", "Leaveoffice09:30", "8.2km"):
        assert expected in text


def test_route_sheet_shows_unannounced_items_to_the_team(plan: Plan, scenario: Scenario) -> None:
    """The team's sheet lists the unannounced item, marked."""
    text = flat(pdf_text(route_sheet_pdf(plan, scenario, "T1", WEEK, lang="zh")))
    assert "产品标签" in text and "不预先告知" in text


def test_route_sheet_draws_a_map(plan: Plan, scenario: Scenario) -> None:
    """The page has the map's path drawing and scale bar (no tiles, no image)."""
    data = route_sheet_pdf(plan, scenario, "T1", WEEK)
    page = PdfReader(io.BytesIO(data)).pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    assert content.count(" l") >= 4  # route legs and scale bar are line segments
    assert "/XObject" not in page["/Resources"]
    assert " m" in flat(pdf_text(data)) or "500m" in flat(pdf_text(data))


def test_route_sheet_of_unknown_team_day_is_an_error(plan: Plan, scenario: Scenario) -> None:
    """Asking for a team-day the plan does not have says so."""
    with pytest.raises(PlannerError, match="no route for team 'T9'"):
        route_sheet_pdf(plan, scenario, "T9", WEEK)


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------
def test_geojson_routes_start_and_end_at_the_office(plan: Plan, scenario: Scenario) -> None:
    """Each route is a LineString office → stops → office (straight by default)."""
    data = json.loads(geojson_bytes(plan, scenario))
    lines = [f for f in data["features"] if f["properties"]["kind"] == "route"]
    assert [f["properties"]["day"] for f in lines] == ["2026-11-23", "2026-11-27"]
    monday = lines[0]["geometry"]["coordinates"]
    assert monday == [[120.1, 30.2], [120.11, 30.21], [120.12, 30.19], [120.1, 30.2]]
    assert lines[0]["properties"]["geometry"] == "straight"


def test_geojson_stops_carry_times_and_items(plan: Plan, scenario: Scenario) -> None:
    """Stop points: the business's (lon, lat), order, ISO local times, items with the flag."""
    data = json.loads(geojson_bytes(plan, scenario))
    stops = [f for f in data["features"] if f["properties"]["kind"] == "stop"]
    assert [f["properties"]["business_id"] for f in stops] == ["b1", "b2", "b3"]
    corner = stops[1]
    assert corner["geometry"]["coordinates"] == [120.12, 30.19]
    assert corner["properties"]["start"] == "2026-11-23T11:05:00"
    assert [(i["item_id"], i["unannounced"]) for i in corner["properties"]["items"]] == [
        ("label", True),
        ("extinguisher", False),
    ]


def test_geojson_follows_roads_when_a_network_is_given(
    plan: Plan, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``roads``, each leg is the path ``travel.road_path`` returns."""
    from planner import travel

    def fake_road_path(
        pbf: Any, a: Any, b: Any, *, cache_dir: Any = None
    ) -> list[tuple[float, float]]:
        return [a, (a[0], b[1]), b]  # an L-shaped street

    monkeypatch.setattr(travel, "road_path", fake_road_path)
    data = routes_to_geojson(plan, scenario, roads="fake.osm.pbf")
    monday = data["features"][0]
    assert monday["properties"]["geometry"] == "roads"
    assert monday["geometry"]["coordinates"][:3] == [[120.1, 30.2], [120.1, 30.21], [120.11, 30.21]]


# --------------------------------------------------------------------------------------------
# Everything at once
# --------------------------------------------------------------------------------------------
def business_facing(paths: list[Path]) -> list[Path]:
    """The files a business may receive: notices and business calendars."""
    return [p for p in paths if p.parent.name in ("notices", "businesses")]


def readable_text(path: Path) -> str:
    """The text a person could read in an exported file."""
    if path.suffix == ".pdf":
        return pdf_text(path.read_bytes())
    return path.read_text(encoding="utf-8").replace("\r\n ", "")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The hand-made plan exported once: the folder and the files written."""
    folder = tmp_path_factory.mktemp("export")
    return folder, export_plan(make_plan(), load_scenario(TINY), folder, secret=SECRET)


def test_export_plan_writes_every_file(exported: tuple[Path, list[Path]]) -> None:
    """Workbook, CSVs, GeoJSON, calendars, notices (2 languages × HTML/PDF), route sheets."""
    tmp_path, paths = exported
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert {
        "roster.xlsx",
        "stops.csv",
        "stop_items.csv",
        "unscheduled.csv",
        "routes.geojson",
    } <= names
    assert "calendars/teams/T1.ics" in names
    assert {f"calendars/businesses/{b}.ics" for b in ("b1", "b2", "b3")} <= names
    assert {f"notices/b1.{lang}.{ext}" for lang in ("en", "zh") for ext in ("html", "pdf")} <= names
    assert "route-sheets/T1_2026-11-27.zh.pdf" in names
    assert len(names) == len(paths) == 5 + 1 + 3 + 12 + 4
    assert all(p.stat().st_size > 0 for p in paths)


def test_no_business_facing_file_mentions_an_unannounced_item(
    exported: tuple[Path, list[Path]],
) -> None:
    """Across every notice and business calendar written, the label check never appears."""
    paths = business_facing(exported[1])
    assert len(paths) == 15
    for path in paths:
        text = readable_text(path)
        assert not any(flat(h) in flat(text) for h in HIDDEN), path


def test_export_pdfs_with_subset_font_keep_chinese(exported: tuple[Path, list[Path]]) -> None:
    """The export's shared subset font still renders every Chinese word of the documents."""
    text = flat(pdf_text((exported[0] / "route-sheets" / "T1_2026-11-23.zh.pdf").read_bytes()))
    for expected in ("路线单", "小镇", "食品安全", "灭火器和安全出口", "不预先告知"):
        assert expected in text


def test_export_zip_holds_the_same_files(
    plan: Plan, scenario: Scenario, exported: tuple[Path, list[Path]]
) -> None:
    """The one-download zip holds exactly the files ``export_plan`` writes, byte for byte."""
    folder, written = exported
    archive = zipfile.ZipFile(io.BytesIO(export_zip_bytes(plan, scenario, secret=SECRET)))
    assert sorted(archive.namelist()) == sorted(p.relative_to(folder).as_posix() for p in written)
    assert (
        archive.read("calendars/businesses/b2.ics")
        == (folder / "calendars/businesses/b2.ics").read_bytes()
    )


# --------------------------------------------------------------------------------------------
# plan.json and the command line
# --------------------------------------------------------------------------------------------
def test_plan_json_reads_back_to_the_same_exports(
    plan: Plan, scenario: Scenario, tmp_path: Path
) -> None:
    """plan.json (planfile) → Plan gives the same stops, times and items as the plan itself."""
    back = plan_from_json(read_plan(write_plan(plan, scenario, tmp_path)), scenario)
    before, after = plan_to_frames(plan, scenario), plan_to_frames(back, scenario)
    pd.testing.assert_frame_equal(before["stops"], after["stops"])
    columns = ["team_id", "day", "order", "business_id", "item_id", "start", "end", "unannounced"]
    pd.testing.assert_frame_equal(before["stop_items"][columns], after["stop_items"][columns])
    assert list(after["unscheduled"]["why"]) == ["no team certified for fire after 18:00"]
    assert back.routes[0].depart == 9 * H + 1800 and back.routes[0].lunch_start == 12 * H


def test_plan_json_for_another_scenario_is_an_error(plan: Plan, scenario: Scenario) -> None:
    """A plan naming a business the scenario lacks is a PlannerError, not a KeyError."""
    data = plan_to_json(plan, scenario)
    data["routes"][0]["stops"][0]["business_id"] = "nowhere"
    with pytest.raises(PlannerError, match="does not match the scenario"):
        plan_from_json(data, scenario)


def test_cli_export_writes_the_files(
    plan: Plan, scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m planner export PLAN_DIR --to DIR --scenario S`` writes every export, exit 0."""
    # Without PLANNER_SECRET the codes come from the installation's database: a test one here.
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'planner.db'}")
    write_plan(plan, scenario, tmp_path / "plan")
    code = main(
        ["export", str(tmp_path / "plan"), "--to", str(tmp_path / "out"), "--scenario", str(TINY)]
    )
    assert code == 0
    assert (tmp_path / "out" / "roster.xlsx").is_file()
    assert len(list((tmp_path / "out" / "notices").iterdir())) == 12


def test_cli_export_without_scenario_exits_2(
    plan: Plan, scenario: Scenario, tmp_path: Path
) -> None:
    """Without --scenario (and none recorded in plan.json) the command says so and exits 2."""
    write_plan(plan, scenario, tmp_path)
    assert main(["export", str(tmp_path), "--to", str(tmp_path / "out")]) == 2


def test_export_is_reproducible(plan: Plan, scenario: Scenario) -> None:
    """Two exports of the same plan give byte-identical workbook-free files (calendars, notices)."""
    first = {n: team_calendars(plan, scenario)[n].to_ical() for n in ("T1",)}
    second = {n: team_calendars(plan, scenario)[n].to_ical() for n in ("T1",)}
    assert first == second
    assert business_notice_pdf(plan, scenario, "b1") == business_notice_pdf(plan, scenario, "b1")


def test_safe_name_keeps_plain_ids_and_separates_odd_ones() -> None:
    """Plain ids are kept; ids with other characters get a hash so they cannot collide."""
    assert safe_name("b1") == "b1"
    assert safe_name("a/b") != safe_name("a:b")
    assert "/" not in safe_name("a/b")


def test_times_for_people() -> None:
    """A time past midnight is marked as the next day in both languages."""
    assert time_text(87_600) == "00:20 (next day)"
    assert time_text(87_600, "zh") == "次日00:20"
    assert window_text(9 * H, 9 * H + 1800) == "09:00–09:30"


# --------------------------------------------------------------------------------------------
# Property: no notice ever shows an unannounced obligation, and shows every announced one
# --------------------------------------------------------------------------------------------
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flags=st.lists(st.booleans(), min_size=4, max_size=4))
def test_notices_show_exactly_the_announced_items(scenario: Scenario, flags: list[bool]) -> None:
    """Whatever obligations are flagged unannounced, a notice lists exactly the announced ones."""
    obligations = [
        dataclasses.replace(o, unannounced=flag)
        for o, flag in zip(
            (ob("b1", "food", "market"), ob("b1", "extinguisher", "fire")) * 2, flags, strict=True
        )
    ]
    stops = (
        Stop(Visit("b1", tuple(obligations[:2]), 1800), 10 * H, 10 * H, 10 * H + 1800),
        Stop(Visit("b1", tuple(obligations[2:]), 1800), 14 * H, 14 * H, 14 * H + 1800),
    )
    plan = Plan(WEEK, (Route("T1", WEEK, ("o1", "o2"), stops),), ())
    expected = [tuple(o.item_id for o in s.visit.obligations if not o.unannounced) for s in stops]
    if not any(expected):
        with pytest.raises(PlannerError):
            business_notice(plan, scenario, "b1")
        return
    notice = business_notice(plan, scenario, "b1")
    assert [sorted(v.item_ids) for v in notice.visits] == [sorted(e) for e in expected if e]


def test_docs_describe_every_export_function() -> None:
    """docs/exports.md names each public export function and the PLANNER_SECRET variable."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "exports.md").read_text(encoding="utf-8")
    for name in (
        "plan_to_frames",
        "csv_bytes",
        "roster_xlsx_bytes",
        "team_calendars",
        "business_calendars",
        "calendar_bytes",
        "business_notice_html",
        "business_notice_pdf",
        "route_sheet_pdf",
        "routes_to_geojson",
        "geojson_bytes",
        "export_plan",
        "export_zip_bytes",
        "plan_from_json",
        "access_code",
        "PLANNER_SECRET",
    ):
        assert name in text, name


def test_exports_list_an_item_owed_twice_once_with_both_reasons(scenario: Scenario) -> None:
    """A complaint and a routine check of b2's extinguishers at one stop: the stop's item ids,
    the roster, the team calendar and the GeoJSON show the item once, with both reasons."""
    twice = Visit(
        "b2",
        (
            ob("b2", "extinguisher", "fire", Reason.COMPLAINT, "t1"),
            ob("b2", "extinguisher", "fire"),
        ),
        1800,
    )
    route = Route("T1", WEEK, ("o1", "o2"), (Stop(twice, 10 * H, 10 * H, 10 * H + 1800),))
    plan = Plan(WEEK, (route,), ())
    assert plan_to_frames(plan, scenario)["stops"].iloc[0]["item_ids"] == "extinguisher"
    sheet = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, scenario))).worksheets[1]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert sum("Fire extinguishers" in c for c in cells) == 1
    assert "complaint 投诉; routine 例行" in cells
    (cal,) = team_calendars(plan, scenario).values()
    (event,) = [e for e in Calendar.from_ical(calendar_bytes(cal)).walk("VEVENT")]
    assert str(event["DESCRIPTION"]).count("Fire extinguishers") == 1
    stop = next(
        f for f in routes_to_geojson(plan, scenario)["features"] if "items" in f["properties"]
    )
    assert [(i["item_id"], i["reasons"]) for i in stop["properties"]["items"]] == [
        ("extinguisher", ["complaint", "routine"])
    ]


def test_part_visit_shows_as_a_visit_with_its_items() -> None:
    """``split_week`` (tests/fixtures): the market-only teams make part visits. In the tables, the
    business notice and plan.json a part visit is a visit listing only the items checked; the
    items it left are unscheduled with the part-visit reason."""
    from planner.params import SolveParams, TeamParams
    from planner.pipeline import run_week

    scenario = load_scenario(Path(__file__).resolve().parent / "fixtures" / "split_week")
    fast = SolveParams(time_limit_s=1, use_guided_local_search=False)
    plan = run_week(scenario, solve_params=fast, team_params=TeamParams(rounds=1)).plan
    part = next(
        s.visit.business_id
        for r in plan.routes
        for s in r.stops
        if s.visit.department_ids == ("market",)
    )
    frames = plan_to_frames(plan, scenario)
    items = frames["stop_items"]
    assert items[items["business_id"] == part]["item_id"].tolist() == ["food"]
    left = frames["unscheduled"][frames["unscheduled"]["business_id"] == part]
    assert left["item_id"].tolist() == ["extinguisher"]
    assert "(a part visit: the whole visit was not made)" in left["why"].iloc[0]
    notice = business_notice(plan, scenario, part)
    assert [v.item_ids for v in notice.visits] == [("food",)]
    again = plan_from_json(json.loads(json.dumps(plan_to_json(plan, scenario))), scenario)

    def visits(p: Any) -> set[tuple[str, tuple[str, ...]]]:
        return {
            (s.visit.business_id, tuple(sorted(o.item_id for o in s.visit.obligations)))
            for r in p.routes
            for s in r.stops
        }

    assert visits(again) == visits(plan) and (part, ("food",)) in visits(plan)
