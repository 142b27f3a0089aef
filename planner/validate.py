"""Raw tables → ``Scenario``, collecting every problem with its file, row and column."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import zoneinfo
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from planner.domain import (
    CATEGORY_SEPARATOR,
    Business,
    Department,
    DrawMode,
    DrawRule,
    HistoryRecord,
    Inspector,
    Item,
    Office,
    OpeningHours,
    Recusal,
    Result,
    Risk,
    Scenario,
    Settings,
    Task,
    TaskKind,
    Team,
    split_categories,
)
from planner.errors import BadValue, Message, Problem
from planner.hours import format_time, parse_days, parse_opening_hours, parse_span
from planner.load import RawScenario, RawTable
from planner.problem import team_lunch
from planner.tables import LIST_SEPARATOR, REQUIRED_TABLES, SCHEMA, SETTINGS_KEYS
from planner.travel import haversine_metres

T = TypeVar("T")
MAX_ITEM_MINUTES = 480
MAX_INTERVAL_DAYS = 3650
MAX_ID_CHARS = 64  # ids end up in file names, URLs and database keys (VARCHAR(100) with a prefix)
MAX_TEXT_CHARS = 2_000  # any other cell: names, addresses, notes, legal bases
MAX_SETTING_CHARS = 200  # a text setting (the township's name is a VARCHAR(200) in the store)
MAX_MESSAGE_CHARS = 300  # a problem quoting a huge value is cut, not printed whole
FAR_FROM_OFFICE_KM = 100.0
BREAK_AFTER_HOURS = 6  # a working day longer than this needs its lunch break
NO_HOURS = OpeningHours("", ())  # an empty optional hours cell: no inspection window
_YES = {"yes", "y", "true", "1", "是", "x"}
_NO = {"no", "n", "false", "0", "否", ""}


def parse_date(text: str) -> dt.date:
    """A date ``2026-11-23``, or a date and time as a spreadsheet writes it (``2026-11-23 00:00:00``);
    nothing else may follow the date (``2026-11-23abc`` is an error, not 23 November)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise BadValue.of("not_date", value=text, example="2026-11-23") from None


class _Row:
    """One row being validated: typed getters that record a problem instead of raising."""

    def __init__(self, table: RawTable, number: int, values: dict[str, str], out: list[Problem]):
        self.table, self.line, self.values, self.out = table, number, values, out
        self.ok = True

    def problem(self, column: str, message: Message | str, severity: str = "error") -> None:
        self.out.append(Problem.of(self.table.file, self.line, column, message, severity))
        if severity == "error":
            self.ok = False

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            self.problem(column, Message.of("empty"))
        return value

    def parsed(
        self, column: str, parse: Callable[[str], T], *, default: T | None = None
    ) -> T | None:
        value = self.text(column, required=default is None)
        if not value:
            return default
        try:
            return parse(value)
        except ValueError as exc:
            self.problem(column, exc.message if isinstance(exc, BadValue) else str(exc))
            return None

    def integer(
        self, column: str, low: int, high: int, *, default: int | None = None
    ) -> int | None:
        def parse(text: str) -> int:
            try:
                number = float(text)
            except ValueError:
                raise BadValue.of("not_number", value=text) from None
            if not number.is_integer():
                raise BadValue.of("not_whole_number", value=text)
            if not low <= number <= high:
                raise BadValue.of("outside_range", value=text, low=low, high=high)
            return int(number)

        return self.parsed(column, parse, default=default)

    def number(self, column: str, low: float, high: float) -> float | None:
        def parse(text: str) -> float:
            try:
                number = float(text)
            except ValueError:
                raise BadValue.of("not_number", value=text) from None
            if not math.isfinite(number) or not low <= number <= high:
                raise BadValue.of("outside_range_to", value=text, low=f"{low:g}", high=f"{high:g}")
            return number

        return self.parsed(column, parse)

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        def parse(text: str) -> dt.date:
            return parse_date(text)

        value = self.text(column, required=required)
        return self.parsed(column, parse) if value else None

    def flag(self, column: str) -> bool:
        value = self.values.get(column, "").strip().lower()
        if value in _YES:
            return True
        if value not in _NO:
            self.problem(column, Message.of("not_yes_no", value=value))
        return False

    def choice(self, column: str, enum: type[Any]) -> Any:
        value = self.text(column).lower()
        if not value:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            self.problem(column, Message.of("not_one_of", value=value, allowed=allowed))
            return None

    def listed(self, column: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.text(column, required=required)
        entries = tuple(v.strip() for v in value.split(LIST_SEPARATOR) if v.strip())
        if value and not entries:
            self.problem(column, Message.of("lists_nothing", value=value))
        return entries


def _rows(table: RawTable | None, out: list[Problem]) -> list[_Row]:
    """Rows of ``table`` after checking its columns (missing = error, unknown = warning)."""
    if table is None or table.unreadable:
        return []
    schema = SCHEMA[table.name]
    known = {c.name for c in schema}
    ok = True
    for column, count in Counter(table.header).items():
        if not column:
            out.append(Problem.coded(table.file, 1, "", "column_no_name"))
            ok = False
        elif count > 1:
            out.append(Problem.coded(table.file, 1, column, "column_repeated", count=count))
            ok = False
        elif column not in known:
            out.append(Problem.coded(table.file, 1, column, "unknown_column", "warning"))
    for spec in schema:
        if spec.required and spec.name not in table.header:
            doc = {"doc": spec.doc, "doc_zh": spec.doc_zh}
            out.append(Problem.coded(table.file, 1, spec.name, "missing_column", **doc))
            ok = False
    if not ok:
        return []
    return [_Row(table, number, values, out) for number, values in table.rows]


def _unique_ids(rows: list[_Row], out: list[Problem], column: str = "id") -> None:
    first: dict[str, int] = {}
    for row in rows:
        key = row.values.get(column, "").strip()
        if not key:
            continue
        if key in first:
            row.problem(column, Message.of("duplicate_id", id=key, first=first[key]))
        else:
            first[key] = row.line


def _reference(
    row: _Row, column: str, value: str, known: set[str] | dict[str, Any], what: str
) -> None:
    if value and value not in known:
        row.problem(column, Message.of("unknown_reference", what=what, value=value))


def _time_span(text: str) -> tuple[int, int]:
    return parse_span(text)


def _settings(raw: RawScenario, out: list[Problem]) -> Settings | None:
    data, file = raw.settings, raw.settings_file
    if not data:
        if not any(p.file == file for p in out):
            out.append(Problem.coded(file, 0, "", "no_settings"))
        return None
    ok = True

    def problem(key: str, message: Message | str, severity: str = "error") -> None:
        nonlocal ok
        out.append(Problem.of(file, 0, key, message, severity))
        ok = ok and severity != "error"

    def text(key: str, required: bool = True) -> str:
        value = str(data.get(key, "")).strip()
        if required and not value:
            problem(key, Message.of("missing_setting"))
        return value

    def span(key: str) -> tuple[int, int]:
        try:
            return _time_span(text(key))
        except ValueError as exc:
            if key in data:
                problem(key, exc.message if isinstance(exc, BadValue) else str(exc))
            return (0, 0)

    def minutes(key: str, default: int | None, high: int) -> int:
        value = data.get(key, default)
        if value is None:
            problem(key, Message.of("missing_setting"))
            return 0
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
            problem(key, Message.of("not_minutes", value=value, high=high))
            return 0
        return value

    for key in sorted(set(data) - set(SETTINGS_KEYS)):
        problem(key, Message.of("unknown_setting"), "warning")
    township, township_zh = text("township"), text("township_zh", required=False)
    timezone = text("timezone")
    if timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problem("timezone", Message.of("not_timezone", value=timezone))
    week_start = data.get("week_start")
    if isinstance(week_start, str):
        with contextlib.suppress(ValueError):
            week_start = dt.date.fromisoformat(week_start)
    if not isinstance(week_start, dt.date) or isinstance(week_start, dt.datetime):
        problem("week_start", Message.of("not_date", value=week_start, example="2026-11-23"))
    elif week_start.weekday() != 0:
        problem("week_start", Message.of("not_monday", date=week_start), "warning")
    shift, lunch = span("shift"), span("lunch_window")
    lunch_minutes = minutes("lunch_minutes", None, 240)
    setup_minutes = minutes("setup_minutes", 10, 120)
    if shift[1] and lunch[1] and not (shift[0] <= lunch[0] and lunch[1] <= shift[1]):
        problem("lunch_window", Message.of("lunch_outside_shift"))
    if lunch[1] and lunch_minutes * 60 > lunch[1] - lunch[0]:
        problem("lunch_minutes", Message.of("lunch_does_not_fit", minutes=lunch_minutes))
    no_room = shift[1] and lunch[1] and no_room_for_lunch(shift, lunch, lunch_minutes)
    if no_room:
        problem("shift", no_room)
    holidays = _holidays(data.get("holidays", ()), problem)
    offices = _offices(raw, out)
    if not offices:
        problem("offices", Message.of("no_office"))
    if not ok or not offices or not isinstance(week_start, dt.date):
        return None
    return Settings(
        township=township,
        township_zh=township_zh,
        timezone=timezone,
        week_start=week_start,
        offices=offices,
        shift_start=shift[0],
        shift_end=shift[1],
        lunch_start=lunch[0],
        lunch_end=lunch[1],
        lunch_minutes=lunch_minutes,
        setup_minutes=setup_minutes,
        holidays=holidays,
    )


def no_room_for_lunch(
    hours: tuple[int, int], lunch_window: tuple[int, int], lunch_minutes: int
) -> Message | None:
    """Why ``hours`` (seconds from midnight) leave no working time once the lunch break is taken.

    The break (``lunch_minutes`` somewhere inside ``lunch_window``) may fall before or after the
    hours; it is placed where it takes least of them. ``None`` when some working time is left.
    """
    (start, end), (window_start, window_end) = hours, lunch_window
    duration = lunch_minutes * 60
    if duration <= 0 or window_end - window_start < duration:
        return None  # no break, or a break that cannot fit at all (reported on lunch_minutes)

    def overlap(t: int) -> int:
        return max(0, min(end, t + duration) - max(start, t))

    # overlap is rising, flat, then falling as the break slides: least at either end
    least = min(overlap(window_start), overlap(window_end - duration))
    if end - start - least > 0:
        return None
    return Message.of(
        "no_room_for_lunch",
        hours=f"{format_time(start)}-{format_time(end)}",
        minutes=lunch_minutes,
        window=f"{format_time(window_start)}-{format_time(window_end)}",
    )


def _holidays(value: Any, problem: Callable[[str, Message], None]) -> tuple[dt.date, ...]:
    """The ``holidays`` setting: a list of dates (TOML dates or ``YYYY-MM-DD`` text), or one text
    with dates separated by ``;`` or ``,`` (a workbook cell). Sorted, each once."""
    if isinstance(value, str):
        value = [v for v in value.replace(",", ";").split(";") if v.strip()]
    elif isinstance(value, dt.date):
        value = [value]
    if not isinstance(value, list | tuple):
        problem("holidays", Message.of("not_date_list", value=value))
        return ()
    days: set[dt.date] = set()
    for entry in value:
        day = entry if isinstance(entry, dt.date) and not isinstance(entry, dt.datetime) else None
        if day is None:
            try:
                day = dt.date.fromisoformat(str(entry).strip())
            except ValueError:
                problem("holidays", Message.of("not_date", value=entry, example="2026-10-01"))
                continue
        days.add(day)
    return tuple(sorted(days))


def _offices(raw: RawScenario, out: list[Problem]) -> tuple[Office, ...]:
    table = raw.offices
    if table is None:
        return ()
    offices: list[Office] = []
    table = RawTable("offices", table.file, table.header, table.rows)
    rows = [_Row(table, n, v, out) for n, v in table.rows]
    _unique_ids(rows, out)
    for row in rows:
        lon, lat = _coordinates(row)
        office = Office(row.text("id"), row.text("name", required=False), lon or 0.0, lat or 0.0)
        if row.ok:
            offices.append(office)
    return tuple(offices) if len(offices) == len(rows) else ()


def _coordinates(row: _Row) -> tuple[float | None, float | None]:
    lon = row.number("lon", -180, 180)
    lat = row.number("lat", -90, 90)
    if lon == 0 and lat == 0:
        row.problem("lon", Message.of("zero_coordinates"))
    return lon, lat


def _departments(raw: RawScenario, out: list[Problem]) -> list[Department]:
    rows = _rows(raw.tables.get("departments"), out)
    _unique_ids(rows, out)
    found = []
    for row in rows:
        department = Department(
            row.text("id"), row.text("name"), row.text("name_zh", required=False)
        )
        if row.ok:
            found.append(department)
    return found


def _items(raw: RawScenario, out: list[Problem], departments: set[str]) -> list[Item]:
    rows = _rows(raw.tables.get("items"), out)
    _unique_ids(rows, out)
    found = []
    for row in rows:
        department = row.text("department")
        _reference(row, "department", department, departments, "department")
        minutes = row.integer("minutes", 1, MAX_ITEM_MINUTES)
        intervals = tuple(
            (risk, row.integer(f"interval_{risk.value}", 1, MAX_INTERVAL_DAYS)) for risk in Risk
        )
        follow_up = row.integer("follow_up_days", 1, 365, default=14)
        categories = row.listed("categories")
        item = Item(
            id=row.text("id"),
            department_id=department,
            title=row.text("title"),
            title_zh=row.text("title_zh", required=False),
            minutes=minutes or 0,
            certification=row.text("certification"),
            interval_days=tuple((r, d or 0) for r, d in intervals),
            follow_up_days=follow_up or 0,
            unannounced=row.flag("unannounced"),
            desk_review=row.flag("desk_review"),
            categories=categories,
            legal_basis=row.text("legal_basis", required=False),
        )
        if row.ok:
            found.append(item)
    return found


def _businesses(raw: RawScenario, out: list[Problem]) -> list[Business]:
    rows = _rows(raw.tables.get("businesses"), out)
    _unique_ids(rows, out)
    found = []
    for row in rows:
        lon, lat = _coordinates(row)
        hours = row.parsed("opening_hours", parse_opening_hours)
        business = Business(
            id=row.text("id"),
            name=row.text("name"),
            category=_categories(row),
            lon=lon or 0.0,
            lat=lat or 0.0,
            address=row.text("address", required=False),
            risk=row.choice("risk", Risk),
            opening_hours=hours,  # type: ignore[arg-type]
            phone=row.text("phone", required=False),
            inspection_hours=_inspection_hours(row),
        )
        if row.ok:
            found.append(business)
            _never_open(row, business)
    return found


def _never_open(row: _Row, business: Business) -> None:
    """Visit hours that read but never open (``closed``, ``Mo-Su off``): no visit can be planned."""
    column = "opening_hours" if business.inspection_hours is None else "inspection_hours"
    hours = business.visit_hours
    if not hours.spans:
        row.problem(column, Message.of("never_open", hours=hours.text), "warning")


def _inspection_hours(row: _Row) -> OpeningHours | None:
    """The optional inspection window; ``None`` when the cell is empty (opening hours apply)."""
    hours = row.parsed("inspection_hours", parse_opening_hours, default=NO_HOURS)
    return None if hours is NO_HOURS else hours


def _categories(row: _Row) -> str:
    """The business's categories (one per licence, ``;``-separated), lower-cased, each once."""
    text = row.text("category")
    categories = split_categories(text)
    if text and not categories:
        row.problem("category", Message.of("lists_no_categories", value=text))
    return CATEGORY_SEPARATOR.join(categories)


def _history(
    raw: RawScenario, out: list[Problem], known: dict[str, set[str]]
) -> list[HistoryRecord]:
    rows = _rows(raw.tables.get("history"), out)
    found = []
    for row in rows:
        business, item = row.text("business"), row.text("item")
        _reference(row, "business", business, known["businesses"], "business")
        _reference(row, "item", item, known["items"], "item")
        officers = row.listed("officers", required=False)
        for officer in officers:
            if officer not in known["inspectors"]:
                message = Message.of("unknown_officer_rotation", value=officer)
                row.problem("officers", message, "warning")
        date, result = row.date("date"), row.choice("result", Result)
        record = HistoryRecord(business, item, date, result, officers)  # type: ignore[arg-type]
        if row.ok:
            found.append(record)
    return found


def _tasks(raw: RawScenario, out: list[Problem], known: dict[str, set[str]]) -> list[Task]:
    rows = _rows(raw.tables.get("tasks"), out)
    _unique_ids(rows, out)
    found = []
    for row in rows:
        business, item = row.text("business"), row.text("item")
        _reference(row, "business", business, known["businesses"], "business")
        _reference(row, "item", item, known["items"], "item")
        earliest, deadline = row.date("earliest", required=False), row.date("deadline")
        if earliest and deadline and deadline < earliest:
            message = Message.of("deadline_before_earliest", deadline=deadline, earliest=earliest)
            row.problem("deadline", message)
        task = Task(
            id=row.text("id"),
            business_id=business,
            item_id=item,
            kind=row.choice("kind", TaskKind),
            earliest=earliest,
            deadline=deadline,  # type: ignore[arg-type]
            priority=row.integer("priority", 1, 5, default=3) or 0,
            note=row.text("note", required=False),
        )
        if row.ok:
            found.append(task)
    return found


def _inspectors(
    raw: RawScenario, out: list[Problem], known: dict[str, set[str]], settings: Settings | None
) -> list[Inspector]:
    rows = _rows(raw.tables.get("inspectors"), out)
    _unique_ids(rows, out)
    listed = raw.offices
    offices = {v.get("id", "").strip() for _, v in listed.rows} if listed else set()
    default_hours = (settings.shift_start, settings.shift_end) if settings else (0, 0)
    found = []
    for row in rows:
        department, base = row.text("department"), row.text("base")
        _reference(row, "department", department, known["departments"], "department")
        _reference(row, "base", base, offices, "office")
        days = row.parsed("working_days", parse_days) or ()
        hours = row.parsed("hours", _time_span, default=default_hours) or (0, 0)
        lunch = row.parsed("lunch_window", _time_span, default=(-1, -1)) or (-1, -1)
        if settings and hours[1] and row.text("hours", required=False):
            window = lunch if lunch[1] > 0 else (settings.lunch_start, settings.lunch_end)
            no_room = no_room_for_lunch(hours, window, settings.lunch_minutes)
            if no_room:
                row.problem("hours", no_room)
        inspector = Inspector(
            id=row.text("id"),
            name=row.text("name"),
            department_id=department,
            certifications=row.listed("certifications"),
            working_days=days,
            hours_start=hours[0],
            hours_end=hours[1],
            base=base,
            certificate_no=row.text("certificate_no", required=False),
            lunch_start=lunch[0],
            lunch_end=lunch[1],
        )
        if row.ok:
            found.append(inspector)
            if settings:
                _lunch_room(row, [inspector], settings)
    return found


def _lunch_room(row: _Row, officers: list[Inspector], settings: Settings, column: str = "") -> None:
    """Warn when officers' hours and lunch windows leave no room for the lunch break together:
    such a day is planned without a break (``planner.problem.team_lunch``). Days of at most
    ``BREAK_AFTER_HOURS`` (a half-day officer) need none and are not warned about."""
    start, end, minutes = team_lunch(officers, settings)
    day = min(o.hours_end for o in officers) - max(o.hours_start for o in officers)
    if settings.lunch_minutes and not minutes and day > BREAK_AFTER_HOURS * 3600:
        column = column or ("lunch_window" if "lunch_window" in row.values else "hours")
        message = (
            Message.of(
                "no_lunch_room",
                shared=f"{format_time(start)}-{format_time(end)}",
                minutes=settings.lunch_minutes,
            )
            if start < end
            else Message.of("no_lunch_overlap", minutes=settings.lunch_minutes)
        )
        row.problem(column, message, "warning")


def _teams(raw: RawScenario, out: list[Problem], inspectors: set[str]) -> list[Team]:
    rows = _rows(raw.tables.get("teams"), out)
    _unique_ids(rows, out)
    found = []
    for row in rows:
        officers = row.listed("officers")
        for officer in officers:
            _reference(row, "officers", officer, inspectors, "inspector")
        if len(set(officers)) < 2:
            row.problem("officers", Message.of("team_too_small"))
        kind = row.text("kind", required=False).lower() or "team"
        if kind not in ("team", "pairing"):
            row.problem("kind", Message.of("not_one_of", value=kind, allowed="team, pairing"))
        days: tuple[int, ...] = row.parsed("days", parse_days, default=()) or ()
        team = Team(row.text("id"), officers, days, pairing=kind == "pairing")
        if row.ok:
            found.append(team)
            _one_fixed_team_a_day(row, team, found[:-1])
    return found


def _one_fixed_team_a_day(row: _Row, team: Team, earlier: list[Team]) -> None:
    """An officer is in at most one fixed team on any day (empty ``days`` = every day)."""
    days = set(team.days or range(7))
    for other in earlier:
        shared = set(team.officer_ids) & set(other.officer_ids)
        if shared and days & set(other.days or range(7)):
            officers = ", ".join(sorted(shared))
            row.problem(
                "officers", Message.of("officer_in_two_teams", officers=officers, team=other.id)
            )


def _fixed_team_lunch(
    teams: list[Team], inspectors: list[Inspector], settings: Settings, raw: RawScenario,
    out: list[Problem],
) -> None:  # fmt: skip
    """A fixed team whose members' hours and lunch windows leave no room for lunch together."""
    table = raw.tables.get("teams")
    if table is None:
        return
    by_id = {o.id: o for o in inspectors}
    for team in teams:
        members = [by_id[i] for i in team.officer_ids if i in by_id]
        number = next((n for n, v in table.rows if v.get("id", "").strip() == team.id), 0)
        if len(members) == len(team.officer_ids):
            _lunch_room(_Row(table, number, {}, out), members, settings, column="officers")


def _recused_pairs_in_teams(
    teams: list[Team], recusals: list[Recusal], raw: RawScenario, out: list[Problem]
) -> None:
    """A fixed team must not hold two officers listed as never working together."""
    table = raw.tables.get("teams")
    rows = {v.get("id", "").strip(): n for n, v in table.rows} if table else {}
    pairs = {
        frozenset((r.inspector_id, r.other_inspector_id)) for r in recusals if r.other_inspector_id
    }
    for team in teams:
        for pair in pairs:
            if pair <= set(team.officer_ids):
                file = table.file if table else "teams"
                a, b = sorted(pair)
                message = Message.of("recused_pair_in_team", first=a, second=b)
                out.append(Problem.of(file, rows.get(team.id, 0), "officers", message))


def _recusals(raw: RawScenario, out: list[Problem], known: dict[str, set[str]]) -> list[Recusal]:
    found = []
    for row in _rows(raw.tables.get("recusals"), out):
        inspector = row.text("inspector")
        business = row.text("business", required=False)
        other = row.text("other_inspector", required=False)
        _reference(row, "inspector", inspector, known["inspectors"], "inspector")
        _reference(row, "business", business, known["businesses"], "business")
        _reference(row, "other_inspector", other, known["inspectors"], "inspector")
        if bool(business) == bool(other):
            row.problem("business", Message.of("recusal_business_or_officer"))
        elif other and other == inspector:
            row.problem("other_inspector", Message.of("recused_from_self"))
        recusal = Recusal(inspector, business, row.text("reason", required=False), other)
        if row.ok:
            found.append(recusal)
    return found


def _draws(
    raw: RawScenario, out: list[Problem], known: dict[str, set[str]], items: list[Item],
    businesses: list[Business],
) -> list[DrawRule]:  # fmt: skip
    categories = {c for b in businesses for c in b.categories}
    first: dict[tuple[str, str], int] = {}
    found = []
    for row in _rows(raw.tables.get("draws"), out):
        department, category = row.text("department"), row.text("category").lower()
        _reference(row, "department", department, known["departments"], "department")
        ratio = row.number("ratio", 0, 1)
        if ratio == 0:
            row.problem("ratio", Message.of("draw_ratio_zero"))
        period = row.integer("period_days", 1, MAX_INTERVAL_DAYS)
        mode = row.choice("mode", DrawMode) if row.text("mode", required=False) else DrawMode.ADD
        seed = row.integer("seed", 0, 2**63 - 1, default=-1)
        key = (department, category)
        if key in first:
            row.problem(
                "category", Message.of("draw_twice", department=department, first=first[key])
            )
        first.setdefault(key, row.line)
        has_item = any(
            i.department_id == department and (category == "*" or i.applies_to(category))
            for i in items
        )
        if category not in ("", "*") and businesses and category not in categories:
            row.problem("category", Message.of("draw_no_business", category=category), "warning")
        elif department in known["departments"] and items and not has_item:
            row.problem("category", Message.of("draw_no_item", department=department), "warning")
        seed = None if seed in (None, -1) else seed
        rule = DrawRule(department, category, ratio or 0.0, period or 1, mode, seed)
        if row.ok:
            found.append(rule)
    return found


def _ids(rows: list[Any]) -> set[str]:
    return {r.id for r in rows}


class _AnyId(set[str]):
    """The ids of a table that is missing or unreadable (already reported): every reference to it
    passes, so one unreadable file is one problem, not one per row that refers to it."""

    def __contains__(self, item: object) -> bool:
        return True


def _raw_ids(raw: RawScenario, table: str) -> set[str]:
    """Ids present in a table, valid rows or not, so one bad row does not cascade."""
    if table not in raw.tables or raw.tables[table].unreadable:
        return _AnyId()
    return {values.get("id", "").strip() for _, values in raw.tables[table].rows} - {""}


def _coverage_warnings(
    items: list[Item], businesses: list[Business], raw: RawScenario, out: list[Problem]
) -> None:
    listed = raw.tables.get("inspectors")
    rows = listed.rows if listed else []
    held = {c.strip() for _, v in rows for c in v.get("certifications", "").split(LIST_SEPARATOR)}
    item_rows = {v.get("id", ""): n for n, v in raw.tables["items"].rows} if items else {}
    for item in items:
        if item.certification not in held:
            out.append(
                Problem.coded(
                    raw.tables["items"].file,
                    item_rows.get(item.id, 0),
                    "certification",
                    "certification_uncovered",
                    "warning",
                    certification=item.certification,
                    item=item.id,
                )
            )
    business_rows = (
        {v.get("id", ""): n for n, v in raw.tables["businesses"].rows} if businesses else {}
    )
    for business in businesses:
        if not any(i.applies_to_any(business.categories) for i in items):
            out.append(
                Problem.coded(
                    raw.tables["businesses"].file,
                    business_rows.get(business.id, 0),
                    "category",
                    "category_uncovered",
                    "warning",
                    category=business.category,
                )
            )


def validate_raw(raw: RawScenario) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Validate raw tables into a ``Scenario``; ``None`` when there is any error.

    Every row is checked even after an error, and references are checked against every id present
    (valid row or not), so one mistake yields one problem, not a cascade.
    """
    out = list(raw.problems)
    if raw.unreadable:
        return None, tuple(printable_problem(p) for p in out)
    settings = _settings(raw, out)
    known = {t: _raw_ids(raw, t) for t in ("departments", "items", "businesses", "inspectors")}
    departments = _departments(raw, out)
    items = _items(raw, out, known["departments"])
    businesses = _businesses(raw, out)
    history = _history(raw, out, known)
    tasks = _tasks(raw, out, known)
    inspectors = _inspectors(raw, out, known, settings)
    teams = _teams(raw, out, known["inspectors"])
    recusals = _recusals(raw, out, known)
    _recused_pairs_in_teams(teams, recusals, raw, out)
    if settings:
        _fixed_team_lunch(teams, inspectors, settings, raw, out)
    draws = _draws(raw, out, known, items, businesses)
    if "items" in raw.tables and "businesses" in raw.tables:
        _coverage_warnings(items, businesses, raw, out)
    if settings:
        _far_from_offices(businesses, settings, raw, out)
        _future_history(history, settings, raw, out)
    _empty_required_tables(raw, out)
    _unsafe_cells(raw, out)
    problems = tuple(printable_problem(p) for p in out)
    if any(p.severity == "error" for p in problems) or settings is None:
        return None, problems
    scenario = Scenario(
        settings=settings,
        departments=tuple(departments),
        items=tuple(items),
        businesses=tuple(businesses),
        history=tuple(history),
        tasks=tuple(tasks),
        inspectors=tuple(inspectors),
        teams=tuple(teams),
        recusals=tuple(recusals),
        draws=tuple(draws),
    )
    return scenario, problems


def _far_from_offices(
    businesses: list[Business], settings: Settings, raw: RawScenario, out: list[Problem]
) -> None:
    if not businesses:
        return
    rows = {v.get("id", ""): n for n, v in raw.tables["businesses"].rows}
    lon, lat = np.array([[b.lon, b.lat] for b in businesses]).T
    office_lon, office_lat = np.array([[o.lon, o.lat] for o in settings.offices]).T
    nearest = haversine_metres(lon[:, None], lat[:, None], office_lon, office_lat).min(axis=1)
    for b, metres in zip(businesses, nearest, strict=True):
        km = float(metres) / 1000
        if km > FAR_FROM_OFFICE_KM:
            out.append(
                Problem.coded(
                    raw.tables["businesses"].file,
                    rows.get(b.id, 0),
                    "lon",
                    "far_from_office",
                    "warning",
                    km=f"{km:.0f}",
                )
            )


# ---------------------------------------------------------------- faults no other check sees


def _future_history(
    history: list[HistoryRecord], settings: Settings, raw: RawScenario, out: list[Problem]
) -> None:
    """An inspection dated after the planned week has not happened: a typo in the year, usually."""
    table = raw.tables.get("history")
    if table is None or not history:
        return
    last_day = settings.week_start + dt.timedelta(days=6)
    for number, values in table.rows:
        with contextlib.suppress(ValueError):
            date = parse_date(values.get("date", "").strip())
            if date > last_day:
                message = Message.of(
                    "history_in_future", date=date, start=settings.week_start, end=last_day
                )
                out.append(Problem.of(table.file, number, "date", message))


def _empty_required_tables(raw: RawScenario, out: list[Problem]) -> None:
    """A required table with a header and no rows leaves nothing to plan: say so, not 'valid'."""
    for name in REQUIRED_TABLES:
        table = raw.tables.get(name)
        if table is None or table.unreadable or not table.header or table.rows:
            continue
        if any(p.file == table.file and p.severity == "error" for p in out):
            continue  # its rows were refused already (ragged, too long …): that is the news
        what = name.removesuffix("es") if name == "businesses" else name.removesuffix("s")
        out.append(Problem.coded(table.file, 0, "", "table_no_rows", what=what))


def _unsafe_cells(raw: RawScenario, out: list[Problem]) -> None:
    """Control characters anywhere (a NUL breaks PostgreSQL and every export), ids longer than
    ``MAX_ID_CHARS`` or holding control characters, and any other cell over ``MAX_TEXT_CHARS``."""
    tables = list(raw.tables.values())
    offices = raw.offices
    if offices is not None and "offices" not in raw.tables:
        tables.append(offices)
    for table in tables:
        if table.unreadable:
            continue
        for number, values in table.rows:
            for column, value in values.items():
                message = unsafe_text(value, is_id=column == "id")
                if message:
                    out.append(Problem.of(table.file, number, column, message))
    for key, value in raw.settings.items():
        if isinstance(value, str):
            message = unsafe_text(value, is_id=False)
            if not message and len(value) > MAX_SETTING_CHARS:
                message = Message.of(
                    "text_too_long", length=f"{len(value):,}", limit=MAX_SETTING_CHARS
                )
            if message:
                out.append(Problem.of(raw.settings_file, 0, key, message))


def unsafe_text(value: str, *, is_id: bool) -> Message | None:
    """Why ``value`` cannot be kept (a control character, or too long for an id or any cell)."""
    control = next((c for c in value if _is_control(c) or is_id and c in "\t\n\r"), None)
    if control is not None:
        return Message.of("control_character", codepoint=f"{ord(control):04X}")
    if is_id and len(value) > MAX_ID_CHARS:
        return Message.of("id_too_long", length=f"{len(value):,}", limit=MAX_ID_CHARS)
    if len(value) > MAX_TEXT_CHARS:
        return Message.of("text_too_long", length=f"{len(value):,}", limit=f"{MAX_TEXT_CHARS:,}")
    return None


def _is_control(char: str) -> bool:
    """C0 and C1 control characters and DEL; tab and line breaks are allowed inside text."""
    code = ord(char)
    return (code < 32 and char not in "\t\n\r") or 0x7F <= code < 0xA0


def printable_problem(problem: Problem) -> Problem:
    """``problem`` with control characters in its message (and its parameters, which the app
    shows in 简体中文) escaped and a huge message cut, so that printing it cannot drive a terminal
    (ANSI escapes) or flood it."""
    message = _printable(problem.message)
    params = tuple((key, _printable(value)) for key, value in problem.params)
    if message == problem.message and params == problem.params:
        return problem
    return dataclasses.replace(problem, message=message, params=params)


def _printable(text: str) -> str:
    """``text`` with control characters escaped, cut to ``MAX_MESSAGE_CHARS``."""
    shown = "".join(
        c if c in "\t" or not _is_control(c) and c not in "\n\r" else f"\\x{ord(c):02x}"
        for c in text
    )
    return shown[: MAX_MESSAGE_CHARS - 1] + "…" if len(shown) > MAX_MESSAGE_CHARS else shown
