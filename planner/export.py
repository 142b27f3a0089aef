"""Plan → files people use: DataFrames, CSV, the roster workbook, calendars, GeoJSON, notices, route sheets.

Every export exists as bytes (for the app's download buttons) and is written by ``export_plan``.
Business-facing exports (business calendars, notices) are built from ``planner.notices``'s
``BusinessNotice`` and never contain an unannounced item; planner- and team-facing exports (roster,
CSV, team calendars, GeoJSON, route sheets) list every item with its ``unannounced`` flag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from planner.domain import (
    WEEKDAY_NAMES,
    Plan,
    Route,
    Scenario,
    Stop,
)
from planner.formulas import FORMULA_TRIGGERS, quote_formula
from planner.merge import VisitItem, visit_items
from planner.notices import (
    LANGS,
    BusinessNotice,
    PdfFont,
    business_notice,
    businesses_with_notices,
    department_name,
    find_cjk_font,
    is_unannounced,
    item_title,
    label_characters,
    local_datetime,
    notice_html,
    notice_pdf,
    officer_label,
    route_legs,
    route_office,
    route_sheet_pdf,
    scenario_characters,
    subset_font,
    time_text,
    window_text,
)

REASON_LABELS = {
    "routine": "routine 例行",
    "follow_up": "follow-up 复查",
    "complaint": "complaint 投诉",
    "campaign": "campaign 专项",
    "random_draw": "random draw 双随机",
}
UNANNOUNCED_LABEL = "unannounced 不预先告知"
PRODID = "-//Inspect Once//planner//EN"


# --------------------------------------------------------------------------------------------
# Formula injection (OWASP "CSV injection")
# --------------------------------------------------------------------------------------------
def neutralise_formula(value: Any) -> Any:
    """``value`` made inert for a CSV file: text beginning with ``= + - @``, tab or CR gets a
    leading ``'`` (OWASP's advice; ``planner.formulas``); numbers, also as text such as
    ``-120.5``, are returned unchanged, as is everything that is not text."""
    return quote_formula(value)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are passed through ``neutralise_formula``."""
    return frame.map(neutralise_formula)


def set_text_cell(cell: Any, value: Any) -> None:
    """Set an openpyxl cell so that text is text: openpyxl would store ``"=…"`` as a formula.

    Text beginning with a formula trigger is stored as a string with Excel's quote prefix (what
    typing a leading ``'`` does in Excel): shown as typed, never evaluated, not even after an edit.
    """
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):  # also numbers as text
        cell.data_type = "s"
        cell.quotePrefix = True


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def local_iso(day: dt.date, seconds: int) -> str:
    """ISO local datetime (no offset) ``seconds`` after midnight of ``day``: ``2026-11-23T09:00:00``."""
    return (dt.datetime.combine(day, dt.time(0)) + dt.timedelta(seconds=seconds)).isoformat()


def ordered_routes(plan: Plan) -> list[Route]:
    """The plan's routes by day, then team."""
    return sorted(plan.routes, key=lambda r: (r.day, r.team_id))


def plan_to_frames(plan: Plan, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The plan as tables: ``stops`` (one row per visit), ``stop_items`` (one per item), ``unscheduled``.

    Times are ISO local datetimes (a visit after midnight carries the next date) and, for stops,
    also seconds of the route's day. These are the planner's tables: unannounced items are included
    and flagged.
    """
    stops: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for route in ordered_routes(plan):
        for order, stop in enumerate(route.stops, start=1):
            stops.append(_stop_record(route, order, stop, scenario))
            for o in stop.visit.obligations:
                items.append(
                    {
                        "team_id": route.team_id,
                        "day": route.day.isoformat(),
                        "order": order,
                        "business_id": o.business_id,
                        "business": scenario.business(o.business_id).name,
                        "start": local_iso(route.day, stop.start),
                        "end": local_iso(route.day, stop.end),
                        **_obligation_record(o, scenario),
                    }
                )
    unscheduled = [
        {
            "business_id": u.obligation.business_id,
            "business": scenario.business(u.obligation.business_id).name,
            **_obligation_record(u.obligation, scenario),
            "why": u.reason,
        }
        for u in plan.unscheduled
    ]
    return {
        "stops": pd.DataFrame(stops, columns=STOP_COLUMNS),
        "stop_items": pd.DataFrame(items, columns=STOP_ITEM_COLUMNS),
        "unscheduled": pd.DataFrame(unscheduled, columns=UNSCHEDULED_COLUMNS),
    }


_OBLIGATION_COLUMNS = [
    "item_id",
    "item",
    "item_zh",
    "department_id",
    "department",
    "department_zh",
    "reason",
    "priority",
    "earliest",
    "due",
    "unannounced",
    "task_id",
]
STOP_COLUMNS = [
    "team_id",
    "day",
    "weekday",
    "order",
    "business_id",
    "business",
    "address",
    "phone",
    "arrival",
    "start",
    "end",
    "arrival_seconds",
    "start_seconds",
    "end_seconds",
    "service_minutes",
    "officer_ids",
    "officers",
    "item_ids",
    "department_ids",
    "unannounced_item_ids",
    "lon",
    "lat",
]
STOP_ITEM_COLUMNS = [
    "team_id",
    "day",
    "order",
    "business_id",
    "business",
    "start",
    "end",
    *_OBLIGATION_COLUMNS,
]
UNSCHEDULED_COLUMNS = ["business_id", "business", *_OBLIGATION_COLUMNS, "why"]


def _stop_record(route: Route, order: int, stop: Stop, scenario: Scenario) -> dict[str, Any]:
    business = scenario.business(stop.visit.business_id)
    obligations = stop.visit.obligations
    return {
        "team_id": route.team_id,
        "day": route.day.isoformat(),
        "weekday": WEEKDAY_NAMES[route.day.weekday()],
        "order": order,
        "business_id": business.id,
        "business": business.name,
        "address": business.address,
        "phone": business.phone,
        "arrival": local_iso(route.day, stop.arrival),
        "start": local_iso(route.day, stop.start),
        "end": local_iso(route.day, stop.end),
        "arrival_seconds": stop.arrival,
        "start_seconds": stop.start,
        "end_seconds": stop.end,
        "service_minutes": round(stop.visit.service_seconds / 60),
        "officer_ids": ";".join(route.officer_ids),
        "officers": ";".join(officer_label(o, scenario)[0] for o in route.officer_ids),
        "item_ids": ";".join(i.item_id for i in visit_items(obligations)),
        "department_ids": ";".join(stop.visit.department_ids),
        "unannounced_item_ids": ";".join(
            dict.fromkeys(o.item_id for o in obligations if is_unannounced(o, scenario))
        ),
        "lon": business.lon,
        "lat": business.lat,
    }


def _obligation_record(o: Any, scenario: Scenario) -> dict[str, Any]:
    item = scenario.item(o.item_id)
    department = scenario.department(o.department_id)
    return {
        "item_id": o.item_id,
        "item": item.title,
        "item_zh": item.title_zh,
        "department_id": o.department_id,
        "department": department.name,
        "department_zh": department.name_zh,
        "reason": str(o.reason),
        "priority": o.priority,
        "earliest": o.earliest.isoformat(),
        "due": o.due.isoformat(),
        "unannounced": is_unannounced(o, scenario),
        "task_id": o.task_id,
    }


def coverage_frame(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """Per department: obligations scheduled, unscheduled, owed, and coverage (scheduled / owed)."""
    scheduled: dict[str, int] = {}
    missed: dict[str, int] = {}
    for route in plan.routes:
        for stop in route.stops:
            for o in stop.visit.obligations:
                scheduled[o.department_id] = scheduled.get(o.department_id, 0) + 1
    for u in plan.unscheduled:
        missed[u.obligation.department_id] = missed.get(u.obligation.department_id, 0) + 1
    rows = []
    for department in scenario.departments:
        done, left = scheduled.get(department.id, 0), missed.get(department.id, 0)
        owed = done + left
        rows.append(
            {
                "department_id": department.id,
                "department": department.name,
                "department_zh": department.name_zh,
                "scheduled": done,
                "unscheduled": left,
                "owed": owed,
                "coverage": done / owed if owed else None,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------
CSV_FILES = {"stops": "stops.csv", "stop_items": "stop_items.csv", "unscheduled": "unscheduled.csv"}


def csv_bytes(plan: Plan, scenario: Scenario) -> dict[str, bytes]:
    """``stops.csv``, ``stop_items.csv`` and ``unscheduled.csv`` as UTF-8 with BOM (Excel reads Chinese)."""
    frames = plan_to_frames(plan, scenario)
    return {
        file: neutralise_frame(frames[name])
        .to_csv(index=False, lineterminator="\n")
        .encode("utf-8-sig")
        for name, file in CSV_FILES.items()
    }


def write_csvs(plan: Plan, scenario: Scenario, folder: Path | str) -> list[Path]:
    """Write the CSV files of ``csv_bytes`` into ``folder``; return their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for file, data in csv_bytes(plan, scenario).items():
        (out / file).write_bytes(data)
        paths.append(out / file)
    return paths


# --------------------------------------------------------------------------------------------
# The roster workbook
# --------------------------------------------------------------------------------------------
ROSTER_HEADER = (
    ("No. 序号", 7),
    ("Time 时间", 14),
    ("Arrive 到达", 9),
    ("Business 检查对象", 24),
    ("Address 地址", 28),
    ("Phone 电话", 15),
    ("Department 部门", 22),
    ("Item 检查事项", 30),
    ("Note 备注", 20),
)


def roster_sheet_name(route: Route, taken: set[str]) -> str:
    """A worksheet name for a team-day (``T1 Mon 11-23``): ≤ 31 characters, legal, unique."""
    base = f"{route.team_id} {WEEKDAY_NAMES[route.day.weekday()]} {route.day:%m-%d}"
    base = re.sub(r"[\[\]:*?/\\']", "_", base)[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def write_roster_xlsx(plan: Plan, scenario: Scenario, path: Path | str) -> Path:
    """Write the roster workbook (see ``roster_xlsx_bytes``) to ``path``."""
    out = Path(path)
    out.write_bytes(roster_xlsx_bytes(plan, scenario))
    return out


def roster_xlsx_bytes(plan: Plan, scenario: Scenario) -> bytes:
    """The roster workbook: a summary sheet, one sheet per team-day, and the unscheduled obligations.

    The summary holds the plan's metrics, coverage per department and a linked list of team-days;
    each team-day sheet lists its stops in order (time window, business, address, phone) with one
    row per item and its department. Every sheet prints on A4 landscape, one page wide, with its
    header row repeated.
    """
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary 汇总"
    taken = {summary.title.lower()}
    names = [(route, roster_sheet_name(route, taken)) for route in ordered_routes(plan)]
    _fill_summary(summary, plan, scenario, names)
    for route, name in names:
        _fill_route_sheet(book.create_sheet(name), route, scenario)
    _fill_unscheduled_sheet(book.create_sheet("Unscheduled 未安排"), plan, scenario)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "fill": PatternFill("solid", fgColor="E1E8F0"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def _print_setup(ws: Any, header_row: int, township: str, week: dt.date) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.center.text = f"{township} · week of {week.isoformat()}"
    ws.oddFooter.center.text = "&P / &N"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _table_rows(ws: Any, top: int, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a bordered table with a shaded header at row ``top``; return the next free row."""
    style = _styles()
    for col, value in enumerate(header, start=1):
        cell = ws.cell(row=top, column=col, value=value)
        cell.font, cell.fill, cell.border = style["bold"], style["fill"], style["border"]
    row_number = top
    for row_number, values in enumerate(rows, start=top + 1):  # noqa: B007
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=col)
            set_text_cell(cell, value)
            cell.border, cell.alignment = style["border"], style["wrap"]
    return row_number + 1


def _fill_summary(
    ws: Any, plan: Plan, scenario: Scenario, names: Sequence[tuple[Route, str]]
) -> None:
    s = scenario.settings
    ws["A1"] = f"Weekly roster 周计划 — {s.township} {s.township_zh}".strip()
    ws["A1"].font = _styles()["title"]
    ws["A2"] = f"Week of {plan.week_start.isoformat()} · times in {s.timezone}"
    row = 4
    ws.cell(row=row, column=1, value="Metrics 指标").font = _styles()["bold"]
    row = _table_rows(ws, row + 1, ("Metric", "Value"), plan.metrics) + 1
    ws.cell(row=row, column=1, value="Coverage per department 各部门覆盖率").font = _styles()[
        "bold"
    ]
    coverage = coverage_frame(plan, scenario)
    first = row + 2
    row = _table_rows(
        ws,
        row + 1,
        (
            "Department 部门",
            "中文",
            "Scheduled 已安排",
            "Unscheduled 未安排",
            "Owed 应检",
            "Coverage 覆盖率",
        ),
        coverage[
            ["department", "department_zh", "scheduled", "unscheduled", "owed", "coverage"]
        ].itertuples(index=False),
    )
    for r in range(first, row):
        ws.cell(row=r, column=6).number_format = "0.0%"
    row += 1
    ws.cell(row=row, column=1, value="Team-days 检查组日程").font = _styles()["bold"]
    header = (
        "Sheet 工作表",
        "Team 检查组",
        "Day 日期",
        "Officers 人员",
        "Stops 检查点",
        "First 开始",
        "Last 结束",
    )
    first = row + 2
    row = _table_rows(
        ws, row + 1, header, (_route_summary(route, name, scenario) for route, name in names)
    )
    for r, (_, name) in zip(range(first, row), names, strict=True):
        ws.cell(row=r, column=1).hyperlink = f"#'{name}'!A1"
        ws.cell(row=r, column=1).style = "Hyperlink"
    for col, width in zip("ABCDEFG", (30, 16, 14, 40, 14, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    _print_setup(ws, 5, s.township, plan.week_start)
    ws.freeze_panes = None


def _route_summary(route: Route, name: str, scenario: Scenario) -> tuple[Any, ...]:
    officers = ", ".join(officer_label(o, scenario)[0] for o in route.officer_ids)
    first = time_text(route.stops[0].start) if route.stops else ""
    last = time_text(route.stops[-1].end) if route.stops else ""
    return (name, route.team_id, route.day.isoformat(), officers, len(route.stops), first, last)


def _fill_route_sheet(ws: Any, route: Route, scenario: Scenario) -> None:
    s = scenario.settings
    style = _styles()
    day = f"{WEEKDAY_NAMES[route.day.weekday()]} {route.day.isoformat()}"
    ws["A1"] = f"Team 检查组 {route.team_id} — {day}"
    ws["A1"].font = style["title"]
    officers = "; ".join(
        f"{name} ({cert})" if cert else name
        for name, cert in (officer_label(o, scenario) for o in route.officer_ids)
    )
    ws["A2"] = f"Officers 执法人员: {officers}"
    office = route_office(route, scenario)
    ws["A3"] = f"Office 出发地: {office.name if office else '—'} · {s.township} · {s.timezone}"
    header_row = 5
    rows: list[tuple[Any, ...]] = []
    merges: list[tuple[int, int]] = []
    for order, stop in enumerate(route.stops, start=1):
        business = scenario.business(stop.visit.business_id)
        first_row = header_row + 1 + len(rows)
        items = visit_items(stop.visit.obligations)
        for k, item in enumerate(items):
            o = item.obligations[0]
            stop_cells: tuple[Any, ...] = (
                (
                    order,
                    window_text(stop.start, stop.end),
                    time_text(stop.arrival),
                    business.name,
                    business.address,
                    business.phone,
                )
                if k == 0
                else ("",) * 6
            )
            rows.append(
                (
                    *stop_cells,
                    f"{department_name(o.department_id, scenario, 'en')} "
                    f"{department_name(o.department_id, scenario, 'zh')}",
                    f"{item_title(o.item_id, scenario, 'en')} {item_title(o.item_id, scenario, 'zh')}",
                    _note(item, scenario),
                )
            )
        merges.append((first_row, first_row + len(items) - 1))
    _table_rows(ws, header_row, [h for h, _ in ROSTER_HEADER], rows)
    for first, last in merges:
        if last > first:
            for col in range(1, 7):
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
    for col, (_, width) in enumerate(ROSTER_HEADER, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width
    _print_setup(ws, header_row, s.township, route.day - dt.timedelta(days=route.day.weekday()))


def _note(item: VisitItem, scenario: Scenario) -> str:
    """The roster's note of an item: its reasons (unless only routine), unannounced."""
    reasons = [str(r) for r in item.reasons]
    parts = [REASON_LABELS.get(r, r) for r in reasons] if reasons != ["routine"] else []
    if any(is_unannounced(o, scenario) for o in item.obligations):
        parts.append(UNANNOUNCED_LABEL)
    return "; ".join(parts)


def _why_both(why: str, scenario: Scenario) -> str:
    """Why an obligation is not scheduled, in English and (on its own line) in 简体中文, as the
    sheet's other columns give both (``planner.i18n.reason_text``)."""
    from planner.i18n import reason_text

    zh = reason_text(why, "zh", scenario)
    return why if not why or zh == why else f"{why}\n{zh}"


def _fill_unscheduled_sheet(ws: Any, plan: Plan, scenario: Scenario) -> None:
    frame = plan_to_frames(plan, scenario)["unscheduled"]
    ws["A1"] = "Unscheduled obligations 未安排的检查任务"
    ws["A1"].font = _styles()["title"]
    header = (
        "Business 检查对象",
        "Item 检查事项",
        "Department 部门",
        "Due 截止",
        "Reason 来源",
        "Why 原因",
    )
    rows = (
        (
            r.business,
            f"{r.item} {r.item_zh}",
            f"{r.department} {r.department_zh}",
            r.due,
            r.reason,
            _why_both(str(r.why), scenario),
        )
        for r in frame.itertuples(index=False)
    )
    _table_rows(ws, 3, header, rows)
    for col, width in zip("ABCDEF", (24, 30, 24, 12, 14, 60), strict=True):
        ws.column_dimensions[col].width = width
    _print_setup(ws, 3, scenario.settings.township, plan.week_start)


# --------------------------------------------------------------------------------------------
# Calendars (RFC 5545)
# --------------------------------------------------------------------------------------------
def _new_calendar(name: str, timezone: str) -> Any:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    return cal


def _event(uid: str, stamp: dt.datetime, start: dt.datetime, end: dt.datetime, **text: str) -> Any:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    for key, value in text.items():
        if value:
            event.add(key, value)
    return event


def _stamp(plan: Plan, stamp: dt.datetime | None) -> dt.datetime:
    """DTSTAMP in UTC: the given time, else midnight UTC of the week start (reproducible output)."""
    if stamp is None:
        return dt.datetime.combine(plan.week_start, dt.time(0), tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def _add_timezones(cal: Any, plan: Plan) -> None:
    """Add the VTIMEZONE of every TZID used, with the rules of the weeks around the plan."""
    first = plan.week_start - dt.timedelta(days=7)
    cal.add_missing_timezones(first_date=first, last_date=plan.week_start + dt.timedelta(days=21))


def _uid(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9._-]", "_", p) for p in parts) + "@inspect-once.planner"


def team_calendars(
    plan: Plan, scenario: Scenario, *, stamp: dt.datetime | None = None
) -> dict[str, Any]:
    """One ``icalendar.Calendar`` per team: an event per visit with every item (unannounced marked).

    Events carry local times with ``TZID`` and the calendar its ``VTIMEZONE``; UIDs are stable
    (team, day, business), so importing a re-exported plan updates the events.
    """
    tz = scenario.settings.timezone
    when = _stamp(plan, stamp)
    calendars: dict[str, Any] = {}
    for route in ordered_routes(plan):
        cal = calendars.get(route.team_id)
        if cal is None:
            cal = calendars[route.team_id] = _new_calendar(
                f"{scenario.settings.township} · {route.team_id}", tz
            )
        officers = "; ".join(officer_label(o, scenario)[0] for o in route.officer_ids)
        for order, stop in enumerate(route.stops, start=1):
            business = scenario.business(stop.visit.business_id)
            lines = [
                f"{item_title(i.item_id, scenario, 'en')} / {item_title(i.item_id, scenario, 'zh')}"
                f" ({department_name(i.department_id, scenario, 'en')})"
                + (f" [{_note(i, scenario)}]" if _note(i, scenario) else "")
                for i in visit_items(stop.visit.obligations)
            ]
            description = "\n".join(
                [f"Stop {order} · arrive {time_text(stop.arrival)}"]
                + [f"- {line}" for line in lines]
                + [f"Phone: {business.phone}" if business.phone else "", f"Officers: {officers}"]
            )
            cal.add_component(
                _event(
                    _uid("team", route.team_id, route.day.isoformat(), business.id),
                    when,
                    local_datetime(route.day, stop.start, tz),
                    local_datetime(route.day, stop.end, tz),
                    summary=f"{order}. {business.name}",
                    location=business.address,
                    description=description.replace("\n\n", "\n").strip(),
                )
            )
    for cal in calendars.values():
        _add_timezones(cal, plan)
    return calendars


def business_calendars(
    plan: Plan,
    scenario: Scenario,
    *,
    secret: str | bytes | None = None,
    stamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """One ``icalendar.Calendar`` per business with an announced visit: its announced visits only.

    Built from the business's ``BusinessNotice`` in English and Chinese, so it shows exactly what the
    notice shows (no unannounced item, no other business, no route).
    """
    tz = scenario.settings.timezone
    when = _stamp(plan, stamp)
    calendars: dict[str, Any] = {}
    for business_id in businesses_with_notices(plan, scenario):
        en, zh = (
            business_notice(plan, scenario, business_id, lang, secret=secret) for lang in LANGS
        )
        cal = _new_calendar(f"{en.township} · {en.business_name}", tz)
        for visit_en, visit_zh in zip(en.visits, zh.visits, strict=True):
            cal.add_component(
                _event(
                    _uid("business", business_id, visit_en.day.isoformat(), str(visit_en.start)),
                    when,
                    local_datetime(visit_en.day, visit_en.start, tz),
                    local_datetime(visit_en.day, visit_en.end, tz),
                    summary=f"Joint inspection 联合检查 — {en.township} {zh.township}".strip(),
                    location=en.address,
                    description=_business_event_text(en, visit_en)
                    + "\n\n"
                    + _business_event_text(zh, visit_zh),
                )
            )
        _add_timezones(cal, plan)
        calendars[business_id] = cal
    return calendars


def _business_event_text(notice: BusinessNotice, visit: Any) -> str:
    from planner.notices import LABELS

    labels = LABELS[notice.lang]
    officers = "; ".join(f"{n} ({c})" if c else n for n, c in visit.officers)
    lines = [f"{labels['team']}: {officers}", f"{labels['items']}:"]
    for department in visit.departments:
        lines += [f"- {department.name}: {item.title}" for item in department.items]
    lines.append(f"{labels['access']}: {notice.access_code}")
    return "\n".join(lines)


def calendar_bytes(calendar: Any) -> bytes:
    """An ``icalendar.Calendar`` as the bytes of an ``.ics`` file (CRLF lines, folded)."""
    return bytes(calendar.to_ical())


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------
def _rounded(point: tuple[float, float]) -> list[float]:
    return [round(point[0], 6), round(point[1], 6)]


def routes_to_geojson(
    plan: Plan,
    scenario: Scenario,
    *,
    roads: Path | str | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """The plan as an RFC 7946 FeatureCollection: a LineString per route and a Point per stop.

    Route lines run office → stops → office, straight or along ``roads`` (the OSM ``.pbf`` the plan
    was made with). Stop points carry their order, times (ISO local) and items with the
    ``unannounced`` flag: this is a planner's file, not a business's.
    """
    features: list[dict[str, Any]] = []
    for route in ordered_routes(plan):
        legs = route_legs(route, scenario, roads=roads, cache_dir=cache_dir)
        line: list[list[float]] = []
        for leg in legs:
            for point in leg:
                if not line or _rounded(point) != line[-1]:
                    line.append(_rounded(point))
        if len(line) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": line},
                    "properties": _route_properties(route, roads is not None),
                }
            )
        for order, stop in enumerate(route.stops, start=1):
            business = scenario.business(stop.visit.business_id)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": _rounded((business.lon, business.lat)),
                    },
                    "properties": _stop_properties(route, order, stop, scenario),
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _route_properties(route: Route, roads: bool) -> dict[str, Any]:
    return {
        "kind": "route",
        "team_id": route.team_id,
        "day": route.day.isoformat(),
        "officer_ids": list(route.officer_ids),
        "stops": len(route.stops),
        "depart": local_iso(route.day, route.depart) if route.depart >= 0 else None,
        "back": local_iso(route.day, route.back) if route.back >= 0 else None,
        "distance_metres": route.distance_metres,
        "travel_seconds": route.travel_seconds,
        "geometry": "roads" if roads else "straight",
    }


def _stop_properties(route: Route, order: int, stop: Stop, scenario: Scenario) -> dict[str, Any]:
    business = scenario.business(stop.visit.business_id)
    return {
        "kind": "stop",
        "team_id": route.team_id,
        "day": route.day.isoformat(),
        "order": order,
        "business_id": business.id,
        "business": business.name,
        "address": business.address,
        "arrival": local_iso(route.day, stop.arrival),
        "start": local_iso(route.day, stop.start),
        "end": local_iso(route.day, stop.end),
        "items": [
            {
                "item_id": i.item_id,
                "title": item_title(i.item_id, scenario, "en"),
                "title_zh": item_title(i.item_id, scenario, "zh"),
                "department_id": i.department_id,
                "reasons": [str(r) for r in i.reasons],
                "unannounced": any(is_unannounced(o, scenario) for o in i.obligations),
            }
            for i in visit_items(stop.visit.obligations)
        ],
    }


def geojson_bytes(
    plan: Plan,
    scenario: Scenario,
    *,
    roads: Path | str | None = None,
    cache_dir: Path | None = None,
) -> bytes:
    """``routes_to_geojson`` as UTF-8 JSON bytes (Chinese kept readable)."""
    data = routes_to_geojson(plan, scenario, roads=roads, cache_dir=cache_dir)
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


# --------------------------------------------------------------------------------------------
# Everything
# --------------------------------------------------------------------------------------------
def safe_name(text: str) -> str:
    """A file-name-safe form of an id; a short hash keeps ids that differ only in symbols apart."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip("._") or "x"
    if cleaned != text:
        cleaned += "-" + hashlib.sha256(text.encode()).hexdigest()[:6]
    return cleaned


def export_plan(
    plan: Plan,
    scenario: Scenario,
    out_dir: Path | str,
    *,
    secret: str | bytes | None = None,
    roads: Path | str | None = None,
    cache_dir: Path | None = None,
    stamp: dt.datetime | None = None,
    langs: Sequence[str] = LANGS,
    font: PdfFont | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write every export of ``plan`` into ``out_dir``; return the files written.

    Layout::

        roster.xlsx  stops.csv  stop_items.csv  unscheduled.csv  routes.geojson
        calendars/teams/<team>.ics          calendars/businesses/<business>.ics
        notices/<business>.<lang>.html|pdf  route-sheets/<team>_<day>.<lang>.pdf

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made from.
    out_dir
        Created if missing; files of the same name are replaced.
    secret
        For access codes (``None``: ``$PLANNER_SECRET`` or the demo secret).
    roads, cache_dir
        The OSM ``.pbf`` the plan's travel came from: route lines follow its roads.
    stamp
        DTSTAMP of calendar events (default: midnight UTC of the week start, for reproducible files).
    langs
        Languages of notices and route sheets.
    font
        Font for PDFs (default ``find_cjk_font()``); it is subset once for the whole export.
    progress
        Called with (PDFs written, PDFs in all) after each PDF (they take nearly all the time).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_roster_xlsx(plan, scenario, out / "roster.xlsx")]
    written += write_csvs(plan, scenario, out)
    written.append(
        _write(
            out / "routes.geojson", geojson_bytes(plan, scenario, roads=roads, cache_dir=cache_dir)
        )
    )
    for team_id, cal in team_calendars(plan, scenario, stamp=stamp).items():
        written.append(
            _write(out / "calendars" / "teams" / f"{safe_name(team_id)}.ics", calendar_bytes(cal))
        )
    for business_id, cal in business_calendars(plan, scenario, secret=secret, stamp=stamp).items():
        path = out / "calendars" / "businesses" / f"{safe_name(business_id)}.ics"
        written.append(_write(path, calendar_bytes(cal)))
    with tempfile.TemporaryDirectory() as tmp:
        team_ids = "".join(r.team_id for r in plan.routes)  # teams may be formed by the planner
        characters = label_characters() + scenario_characters(scenario) + team_ids
        small = subset_font(font or find_cjk_font(), characters, Path(tmp))
        notified = businesses_with_notices(plan, scenario)
        total = (len(notified) + len(plan.routes)) * len(langs)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        for business_id in notified:
            for lang in langs:
                notice = business_notice(plan, scenario, business_id, lang, secret=secret)
                stem = f"{safe_name(business_id)}.{lang}"
                html = notice_html(notice).encode()
                written.append(_write(out / "notices" / f"{stem}.html", html))
                written.append(
                    _write(out / "notices" / f"{stem}.pdf", notice_pdf(notice, font=small))
                )
                tick()
        for route in ordered_routes(plan):
            for lang in langs:
                data = route_sheet_pdf(
                    plan, scenario, route.team_id, route.day,
                    lang=lang, roads=roads, cache_dir=cache_dir, font=small,
                )  # fmt: skip
                name = f"{safe_name(route.team_id)}_{route.day.isoformat()}.{lang}.pdf"
                written.append(_write(out / "route-sheets" / name, data))
                tick()
    return written


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def export_zip_bytes(plan: Plan, scenario: Scenario, **options: Any) -> bytes:
    """Every export of ``export_plan`` in one ``.zip`` (for a single download); same options
    (``progress`` too)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = export_plan(plan, scenario, root, **options)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(paths):
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()
