"""Fault injection: planted faults in the tiny scenario are each reported with file, row and column.

Every case copies ``tests/fixtures/tiny`` into tmp_path, plants one named fault, and validates it
the way the command line does (``check_scenario`` on the CSV folder) and, where the fault can be
expressed there, the way the app's upload does (``check_upload`` of a ``.zip`` of the folder or of
an ``.xlsx`` workbook made from it). No case may raise: only problems come back, and the expected one
names its table, row and column. A few cases also run ``python -m planner validate`` as a
subprocess: exit code 2 and no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from planner import check_scenario, check_upload
from planner.errors import Problem
from planner.export import set_text_cell
from planner.load import MAX_ARCHIVE_MEMBERS, MAX_UNCOMPRESSED_BYTES

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
UPLOAD = {"zip": "scenario.zip", "xlsx": "scenario.xlsx", "exe": "scenario.exe"}
ALL = ("csv", "zip", "xlsx")
TEXT = ("csv", "zip")  # faults in bytes or CSV syntax that a workbook cannot hold
MIB = 2**20


# ---------------------------------------------------------------------------- planting faults


def _read(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(folder: Path, table: str, rows: list[list[str]]) -> None:
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set the cell at spreadsheet ``row`` (the header is row 1) and ``column``."""

    def plant(folder: Path) -> None:
        rows = _read(folder, table)
        rows[row - 1][rows[0].index(column)] = value
        _write(folder, table, rows)

    return plant


def cells(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several changes at once."""

    def plant(folder: Path) -> None:
        for change in changes:
            change(folder)

    return plant


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        rows = _read(folder, table)
        k = rows[0].index(column)
        _write(folder, table, [r[:k] + r[k + 1 :] for r in rows])

    return plant


def rename_column(table: str, old: str, new: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        rows = _read(folder, table)
        rows[0][rows[0].index(old)] = new
        _write(folder, table, rows)

    return plant


def add_column(table: str, column: str, value: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        rows = _read(folder, table)
        _write(folder, table, [rows[0] + [column]] + [r + [value] for r in rows[1:]])

    return plant


def append_row(table: str, values: list[str]) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        _write(folder, table, [*_read(folder, table), values])

    return plant


def header_only(table: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        _write(folder, table, _read(folder, table)[:1])

    return plant


def new_table(table: str, rows: list[list[str]]) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        _write(folder, table, rows)

    return plant


def remove(file: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        (folder / file).unlink()

    return plant


def raw_bytes(file: str, data: bytes) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        (folder / file).write_bytes(data)

    return plant


def replace_text(file: str, old: str, new: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        text = (folder / file).read_text(encoding="utf-8")
        assert old in text, (file, old)
        (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")

    return plant


def append_text(file: str, text: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        with (folder / file).open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)

    return plant


def setting(key: str, literal: str | None) -> Callable[[Path], None]:
    """Set a top-level key of settings.toml to a TOML ``literal`` (``None`` deletes it)."""

    def plant(folder: Path) -> None:
        path = folder / "settings.toml"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [ln for ln in lines if ln.split("=")[0].strip() != key]
        if literal is not None:
            kept.insert(0, f"{key} = {literal}")
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")

    return plant


def encode(table: str, encoding: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    return plant


# ---------------------------------------------------------------------------- the three forms


def to_workbook(folder: Path) -> bytes:
    """The scenario folder as one workbook: a settings key/value sheet, offices, one sheet per CSV.

    Every cell is written as text exactly as it stands in the CSV (no type conversion).
    """
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    if (folder / "settings.toml").exists():
        settings = tomllib.loads((folder / "settings.toml").read_text(encoding="utf-8"))
        offices = settings.pop("offices", [])
        ws = book.create_sheet("settings")
        ws.append(["key", "value"])
        for key, value in settings.items():
            ws.append([key, _toml_literal(value)])
        if offices:
            ws = book.create_sheet("offices")
            header = sorted({k for o in offices for k in o})
            ws.append(header)
            for office in offices:
                ws.append([str(office.get(k, "")) for k in header])
    for path in sorted(folder.glob("*.csv")):
        ws = book.create_sheet(path.stem)
        text = path.read_text(encoding="utf-8")
        for r, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for c, value in enumerate(values, start=1):
                set_text_cell(ws.cell(row=r, column=c), value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _toml_literal(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)  # type: ignore[union-attr]


def to_zip(folder: Path, *, subfolder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, subfolder + path.name)
    return buffer.getvalue()


def validate(folder: Path, form: str) -> tuple[object, tuple[Problem, ...]]:
    """Validate the folder in ``form``: the CLI's path for csv, the app's upload for zip and xlsx."""
    if form == "csv":
        return check_scenario(folder)
    data = to_zip(folder) if form == "zip" else to_workbook(folder)
    return check_upload(UPLOAD[form], data)


def table_of(problem: Problem, form: str) -> str:
    """The table a problem names: 'items.csv', 'scenario.xlsx[items]' → 'items';
    'settings.toml[[offices]]' → 'offices'; the uploaded file itself → '<file>'."""
    if problem.file == UPLOAD.get(form):
        return "<file>"
    name = problem.file.split("[")[-1].rstrip("]") if "[" in problem.file else problem.file
    return name.lower().removesuffix(".csv").removesuffix(".toml")


# ---------------------------------------------------------------------------- the faults


@dataclass(frozen=True)
class Fault:
    """One planted fault and the problem it must produce (row as in a spreadsheet; 0 = the file)."""

    name: str
    plant: Callable[[Path], None]
    table: str
    row: int
    column: str
    words: str = ""
    forms: tuple[str, ...] = ALL
    severity: str = "error"


LONG_ID = "x" * 5000
NUL = "\x00"

FAULTS = [
    # ---- settings.toml and offices
    Fault("settings_missing", remove("settings.toml"), "settings", 0, "", "missing", TEXT),
    Fault("settings_not_toml", raw_bytes("settings.toml", b"township = \n"), "settings", 0, "",
          "not valid TOML", TEXT),
    Fault("settings_nested_too_deeply", raw_bytes("settings.toml", b"v = " + b"[" * 100_000),
          "settings", 0, "", "nested too deeply", TEXT),
    Fault("settings_timezone_unknown", setting("timezone", '"Mars/Olympus"'), "settings", 0,
          "timezone", "not a time zone"),
    Fault("settings_week_start_text", setting("week_start", '"next monday"'), "settings", 0,
          "week_start", "not a date"),
    Fault("settings_week_start_trailing_garbage", setting("week_start", '"2026-11-23abc"'),
          "settings", 0, "week_start", "not a date"),
    Fault("settings_shift_empty", setting("shift", '"08:30-08:30"'), "settings", 0, "shift",
          "empty"),
    Fault("settings_shift_am_pm", setting("shift", '"8am-5pm"'), "settings", 0, "shift",
          "not a time"),
    Fault("settings_shift_no_room_for_lunch",
          cells(setting("shift", '"11:30-12:30"'), setting("lunch_window", '"11:30-12:30"')),
          "settings", 0, "shift", "no time to work"),
    Fault("settings_lunch_outside_shift", setting("lunch_window", '"18:00-19:00"'), "settings", 0,
          "lunch_window", "outside the shift"),
    Fault("settings_lunch_too_long", setting("lunch_minutes", "200"), "settings", 0,
          "lunch_minutes", "do not fit"),
    Fault("settings_lunch_negative", setting("lunch_minutes", "-5"), "settings", 0,
          "lunch_minutes", "whole number"),
    Fault("settings_lunch_fraction", setting("lunch_minutes", "60.5"), "settings", 0,
          "lunch_minutes", "whole number"),
    Fault("settings_lunch_missing", setting("lunch_minutes", None), "settings", 0,
          "lunch_minutes", "missing"),
    Fault("settings_setup_too_long", setting("setup_minutes", "500"), "settings", 0,
          "setup_minutes", "whole number"),
    Fault("settings_township_missing", setting("township", None), "settings", 0, "township",
          "missing"),
    Fault("settings_township_nul", setting("township", '"Tiny\\u0000"'), "settings", 0,
          "township", "control character"),
    Fault("settings_week_start_not_monday", setting("week_start", "2026-11-24"), "settings", 0,
          "week_start", "not a Monday", severity="warning"),
    Fault("settings_holiday_month_13", setting("holidays", '["2026-13-01"]'), "settings", 0,
          "holidays", "not a date"),
    Fault("settings_holiday_trailing_garbage", setting("holidays", '"2026-10-01x"'), "settings",
          0, "holidays", "not a date"),
    Fault("settings_township_too_long", setting("township", '"' + "T" * 201 + '"'), "settings",
          0, "township", "at most 200"),
    Fault("settings_empty_file", raw_bytes("settings.toml", b""), "settings", 0, "",
          "no settings found", TEXT),
    Fault("settings_holidays_a_number", setting("holidays", "5"), "settings", 0, "holidays",
          "not a list of dates"),
    Fault("unknown_table_beside_the_scenario", new_table("notes", [["note"], ["call back"]]),
          "notes", 0, "", "not a scenario", severity="warning"),
    Fault("offices_none", replace_text("settings.toml", "[[offices]]", "[[elsewhere]]"),
          "settings", 0, "offices", "at least one office", TEXT),
    Fault("office_lon_out_of_range", replace_text("settings.toml", "lon = 120.1", "lon = 500"),
          "offices", 1, "lon", "outside"),
    Fault("office_duplicate_id",
          append_text("settings.toml", '\n[[offices]]\nid = "hq"\nname = "Again"\nlon = 120.1\n'
                      "lat = 30.2\n"),
          "offices", 2, "id", "duplicate"),
    Fault("office_id_5000_characters", replace_text("settings.toml", 'id = "hq"',
                                                   f'id = "{LONG_ID}"'),
          "offices", 1, "id", "at most 64"),
    # ---- departments
    Fault("departments_missing", remove("departments.csv"), "departments", 0, "", "missing"),
    Fault("departments_missing_name_column", drop_column("departments", "name"), "departments", 1,
          "name", "missing column"),
    Fault("departments_column_twice", rename_column("departments", "name_zh", "name"),
          "departments", 1, "name", "appears 2 times"),
    Fault("departments_unnamed_column", add_column("departments", "", "x"), "departments", 1, "",
          "no name", TEXT),
    Fault("departments_duplicate_id", cell("departments", 3, "id", "market"), "departments", 3,
          "id", "duplicate id"),
    Fault("departments_empty_id", cell("departments", 2, "id", ""), "departments", 2, "id",
          "is empty"),
    Fault("departments_header_only", header_only("departments"), "departments", 0, "",
          "has no rows"),
    Fault("departments_empty_file", raw_bytes("departments.csv", b""), "departments", 0, "",
          "is empty", TEXT),
    Fault("departments_name_nul", cell("departments", 2, "name", f"Market{NUL}"), "departments",
          2, "name", "U+0000", TEXT),
    Fault("departments_name_ansi_escape", cell("departments", 2, "name", "\x1b[31mred"),
          "departments", 2, "name", "U+001B", TEXT),
    Fault("departments_name_delete_char", cell("departments", 3, "name", "Fire\x7f"),
          "departments", 3, "name", "U+007F"),
    # ---- items
    Fault("items_missing", remove("items.csv"), "items", 0, "", "missing"),
    Fault("items_unknown_department", cell("items", 2, "department", "police"), "items", 2,
          "department", "unknown department 'police'"),
    Fault("items_minutes_zero", cell("items", 2, "minutes", "0"), "items", 2, "minutes",
          "outside"),
    Fault("items_minutes_negative", cell("items", 2, "minutes", "-5"), "items", 2, "minutes",
          "outside"),
    Fault("items_minutes_nan", cell("items", 2, "minutes", "nan"), "items", 2, "minutes"),
    Fault("items_minutes_infinite", cell("items", 2, "minutes", "inf"), "items", 2, "minutes"),
    Fault("items_minutes_fraction", cell("items", 2, "minutes", "2.5"), "items", 2, "minutes",
          "whole number"),
    Fault("items_minutes_words", cell("items", 2, "minutes", "thirty"), "items", 2, "minutes",
          "not a number"),
    Fault("items_minutes_too_long", cell("items", 2, "minutes", "900"), "items", 2, "minutes",
          "outside"),
    Fault("items_minutes_empty", cell("items", 2, "minutes", ""), "items", 2, "minutes",
          "is empty"),
    Fault("items_interval_zero", cell("items", 3, "interval_high", "0"), "items", 3,
          "interval_high", "outside"),
    Fault("items_interval_huge", cell("items", 3, "interval_low", "99999"), "items", 3,
          "interval_low", "outside"),
    Fault("items_follow_up_negative", cell("items", 2, "follow_up_days", "-1"), "items", 2,
          "follow_up_days", "outside"),
    Fault("items_unannounced_maybe", cell("items", 4, "unannounced", "maybe"), "items", 4,
          "unannounced", "not yes or no"),
    Fault("items_desk_review_words", cell("items", 4, "desk_review", "sometimes"), "items", 4,
          "desk_review", "not yes or no"),
    Fault("items_categories_only_separator", cell("items", 2, "categories", ";"), "items", 2,
          "categories", "lists nothing"),
    Fault("items_categories_empty", cell("items", 2, "categories", ""), "items", 2, "categories",
          "is empty"),
    Fault("items_certification_empty", cell("items", 2, "certification", ""), "items", 2,
          "certification", "is empty"),
    Fault("items_title_empty", cell("items", 3, "title", ""), "items", 3, "title", "is empty"),
    Fault("items_duplicate_id", cell("items", 4, "id", "food"), "items", 4, "id", "duplicate"),
    Fault("items_missing_minutes_column", drop_column("items", "minutes"), "items", 1, "minutes",
          "missing column"),
    Fault("items_id_5000_characters", cell("items", 4, "id", LONG_ID), "items", 4, "id",
          "at most 64"),
    Fault("items_id_nul", cell("items", 4, "id", f"la{NUL}bel"), "items", 4, "id", "U+0000",
          TEXT),
    Fault("items_legal_basis_5000_characters", cell("items", 2, "legal_basis", "law " * 1250),
          "items", 2, "legal_basis", "at most 2,000"),
    Fault("items_uncovered_certification", cell("items", 2, "certification", "boiler"), "items",
          2, "certification", "no inspector holds", severity="warning"),
    # ---- businesses
    Fault("businesses_missing", remove("businesses.csv"), "businesses", 0, "", "missing"),
    Fault("businesses_header_only", header_only("businesses"), "businesses", 0, "",
          "has no rows"),
    Fault("businesses_lat_out_of_range", cell("businesses", 2, "lat", "95"), "businesses", 2,
          "lat", "outside"),
    Fault("businesses_lon_words", cell("businesses", 2, "lon", "east"), "businesses", 2, "lon",
          "not a number"),
    Fault("businesses_lon_nan", cell("businesses", 2, "lon", "NaN"), "businesses", 2, "lon",
          "outside"),
    Fault("businesses_lat_negative_infinity", cell("businesses", 3, "lat", "-inf"), "businesses",
          3, "lat", "outside"),
    Fault("businesses_at_zero_zero",
          cells(cell("businesses", 3, "lon", "0"), cell("businesses", 3, "lat", "0")),
          "businesses", 3, "lon", "(0, 0)"),
    Fault("businesses_far_away", cell("businesses", 2, "lon", "10"), "businesses", 2, "lon",
          "km from the nearest office", severity="warning"),
    Fault("businesses_risk_unknown", cell("businesses", 2, "risk", "extreme"), "businesses", 2,
          "risk", "not one of"),
    Fault("businesses_risk_empty", cell("businesses", 2, "risk", ""), "businesses", 2, "risk",
          "is empty"),
    Fault("businesses_hours_am_pm", cell("businesses", 3, "opening_hours", "Mon-Fri 9am-5pm"),
          "businesses", 3, "opening_hours", "9am"),
    Fault("businesses_hours_trailing_garbage",
          cell("businesses", 3, "opening_hours", "Mon 09:00-12:00 garbage"),
          "businesses", 3, "opening_hours", "garbage"),
    Fault("businesses_hours_unfinished_range", cell("businesses", 3, "opening_hours", "Mo-Fr 09:00-"),
          "businesses", 3, "opening_hours"),
    Fault("businesses_hours_unknown_day",
          cell("businesses", 3, "opening_hours", "Funday 09:00-17:00"),
          "businesses", 3, "opening_hours", "Funday"),
    Fault("businesses_hours_minute_60", cell("businesses", 3, "opening_hours", "Mo 09:60-10:00"),
          "businesses", 3, "opening_hours"),
    Fault("businesses_hours_past_48_hours",
          cell("businesses", 3, "opening_hours", "Mo 09:00-49:00"),
          "businesses", 3, "opening_hours"),
    Fault("businesses_hours_zero_length",
          cell("businesses", 3, "opening_hours", "Mon 09:00-09:00"),
          "businesses", 3, "opening_hours", "empty"),
    Fault("businesses_hours_days_without_times", cell("businesses", 3, "opening_hours", "Mo-Fr"),
          "businesses", 3, "opening_hours", "days but no times"),
    Fault("businesses_hours_by_month",
          cell("businesses", 3, "opening_hours", "Jan-Mar Mo 10:00-12:00"), "businesses", 3,
          "opening_hours", "not a weekly pattern"),
    Fault("businesses_hours_sunrise", cell("businesses", 3, "opening_hours", "Mo sunrise-sunset"),
          "businesses", 3, "opening_hours", "relative to the sun"),
    Fault("businesses_never_open", cell("businesses", 3, "opening_hours", "closed"), "businesses",
          3, "opening_hours", "never open", severity="warning"),
    Fault("businesses_hours_empty", cell("businesses", 3, "opening_hours", ""), "businesses", 3,
          "opening_hours", "is empty"),
    Fault("businesses_duplicate_id", cell("businesses", 4, "id", "b1"), "businesses", 4, "id",
          "duplicate"),
    Fault("businesses_empty_id", cell("businesses", 4, "id", ""), "businesses", 4, "id",
          "is empty"),
    Fault("businesses_id_5000_characters", cell("businesses", 4, "id", LONG_ID), "businesses", 4,
          "id", "at most 64"),
    Fault("businesses_id_with_tab", cell("businesses", 4, "id", "b\t3"), "businesses", 4, "id",
          "U+0009"),
    Fault("businesses_id_with_newline", cell("businesses", 4, "id", "b\n3"), "businesses", 4,
          "id", "U+000A"),
    Fault("businesses_name_nul", cell("businesses", 2, "name", f"Noodle{NUL}house"),
          "businesses", 2, "name", "U+0000", TEXT),
    Fault("businesses_address_bell", cell("businesses", 2, "address", "1 Main St\x07"),
          "businesses", 2, "address", "U+0007", TEXT),
    Fault("businesses_name_c1_control", cell("businesses", 2, "name", "Noodle\x85house"),
          "businesses", 2, "name", "U+0085"),
    Fault("businesses_name_empty", cell("businesses", 2, "name", ""), "businesses", 2, "name",
          "is empty"),
    Fault("businesses_category_only_separator", cell("businesses", 2, "category", " ; "),
          "businesses", 2, "category", "lists nothing"),
    Fault("businesses_inspection_hours_garbage",
          add_column("businesses", "inspection_hours", "Mo-Fr 09:00-11:00 please"), "businesses",
          2, "inspection_hours", "please"),
    Fault("businesses_category_empty", cell("businesses", 2, "category", ""), "businesses", 2,
          "category", "is empty"),
    Fault("businesses_missing_hours_column", drop_column("businesses", "opening_hours"),
          "businesses", 1, "opening_hours", "missing column"),
    Fault("businesses_unknown_column", add_column("businesses", "notes", ""), "businesses", 1,
          "notes", "unknown column", severity="warning"),
    Fault("businesses_extra_value",
          replace_text("businesses.csv", "2 Main St,low,Mon-Sat 08:00-20:00,",
                       "2 Main St,low,Mon-Sat 08:00-20:00,,extra"),
          "businesses", 3, "", "values but the header has", TEXT),
    Fault("businesses_unquoted_comma",
          replace_text("businesses.csv", "Corner shop", "Corner, shop"), "businesses", 3, "",
          "a stray comma", TEXT),
    Fault("businesses_undecodable_bytes",
          raw_bytes("businesses.csv", b"id,name\nb1,\xff\xfe\xff\n"), "businesses", 0, "",
          "cannot be read", TEXT),
    Fault("businesses_utf16", encode("businesses", "utf-16"), "businesses", 0, "",
          "cannot be read", TEXT),
    Fault("businesses_gbk", cells(cell("businesses", 2, "name", "面馆"), encode("businesses", "gbk")),
          "businesses", 0, "", "read as GBK", TEXT, "warning"),
    Fault("businesses_line_of_a_million_commas", append_text("businesses.csv", "," * MIB + "\n"),
          "businesses", 5, "", "longer than", TEXT),
    Fault("businesses_unclosed_quote", append_text("businesses.csv", 'b4,"Tea house,shop\n'),
          "businesses", 5, "", "values but the header has", TEXT),
    # ---- history
    Fault("history_date_trailing_garbage", cell("history", 2, "date", "2026-05-01abc"), "history",
          2, "date", "not a date"),
    Fault("history_date_trailing_words", cell("history", 2, "date", "2026-05-01 maybe"),
          "history", 2, "date", "not a date"),
    Fault("history_date_month_13", cell("history", 3, "date", "2026-13-01"), "history", 3, "date",
          "not a date"),
    Fault("history_date_february_30", cell("history", 3, "date", "2026-02-30"), "history", 3,
          "date", "not a date"),
    Fault("history_date_slashes", cell("history", 3, "date", "2026/05/01"), "history", 3, "date",
          "not a date"),
    Fault("history_date_empty", cell("history", 3, "date", ""), "history", 3, "date", "is empty"),
    Fault("history_date_in_the_future", cell("history", 4, "date", "2027-01-10"), "history", 4,
          "date", "after the planned week"),
    Fault("history_result_unknown", cell("history", 2, "result", "ok"), "history", 2, "result",
          "not one of"),
    Fault("history_unknown_business", cell("history", 2, "business", "b99"), "history", 2,
          "business", "unknown business 'b99'"),
    Fault("history_unknown_item", cell("history", 2, "item", "teleport"), "history", 2, "item",
          "unknown item 'teleport'"),
    Fault("history_missing_date_column", drop_column("history", "date"), "history", 1, "date",
          "missing column"),
    Fault("history_officers_only_separator", add_column("history", "officers", ";"), "history", 2,
          "officers", "lists nothing"),
    Fault("history_unknown_officer", add_column("history", "officers", "o9"), "history", 2,
          "officers", "unknown inspector", severity="warning"),
    Fault("history_ragged_row", append_text("history.csv", "b1,food,2026-01-01,pass,extra\n"),
          "history", 5, "", "values but the header has", TEXT),
    # ---- tasks
    Fault("tasks_deadline_before_earliest", cell("tasks", 2, "earliest", "2026-11-26"), "tasks",
          2, "deadline", "before the earliest"),
    Fault("tasks_deadline_trailing_words", cell("tasks", 2, "deadline", "2026-11-25 tomorrow"),
          "tasks", 2, "deadline", "not a date"),
    Fault("tasks_deadline_empty", cell("tasks", 2, "deadline", ""), "tasks", 2, "deadline",
          "is empty"),
    Fault("tasks_earliest_february_30", cell("tasks", 2, "earliest", "2026-02-30"), "tasks", 2,
          "earliest", "not a date"),
    Fault("tasks_kind_unknown", cell("tasks", 2, "kind", "audit"), "tasks", 2, "kind",
          "not one of"),
    Fault("tasks_priority_zero", cell("tasks", 2, "priority", "0"), "tasks", 2, "priority",
          "outside"),
    Fault("tasks_priority_six", cell("tasks", 2, "priority", "6"), "tasks", 2, "priority",
          "outside"),
    Fault("tasks_priority_words", cell("tasks", 2, "priority", "high"), "tasks", 2, "priority",
          "not a number"),
    Fault("tasks_unknown_item", cell("tasks", 2, "item", "teleport"), "tasks", 2, "item",
          "unknown item"),
    Fault("tasks_unknown_business", cell("tasks", 2, "business", "b99"), "tasks", 2, "business",
          "unknown business"),
    Fault("tasks_duplicate_id",
          append_row("tasks", ["t1", "b1", "food", "complaint", "", "2026-11-26", "3", ""]),
          "tasks", 3, "id", "duplicate"),
    Fault("tasks_note_nul", cell("tasks", 2, "note", f"blocked{NUL}"), "tasks", 2, "note",
          "U+0000", TEXT),
    # ---- inspectors
    Fault("inspectors_missing", remove("inspectors.csv"), "inspectors", 0, "", "missing"),
    Fault("inspectors_header_only", header_only("inspectors"), "inspectors", 0, "",
          "has no rows"),
    Fault("inspectors_certifications_only_separator", cell("inspectors", 3, "certifications", ";"),
          "inspectors", 3, "certifications", "lists nothing"),
    Fault("inspectors_certifications_empty", cell("inspectors", 3, "certifications", ""),
          "inspectors", 3, "certifications", "is empty"),
    Fault("inspectors_working_days_unknown", cell("inspectors", 2, "working_days", "Mon-Funday"),
          "inspectors", 2, "working_days", "not a weekday"),
    Fault("inspectors_working_days_empty", cell("inspectors", 2, "working_days", ""),
          "inspectors", 2, "working_days", "is empty"),
    Fault("inspectors_hours_without_minutes", cell("inspectors", 2, "hours", "8-17"),
          "inspectors", 2, "hours", "not a time"),
    Fault("inspectors_hours_hour_25", cell("inspectors", 2, "hours", "25:00-26:00"), "inspectors",
          2, "hours", "not a valid time"),
    Fault("inspectors_hours_one_time", cell("inspectors", 2, "hours", "08:30"), "inspectors", 2,
          "hours", "not a time range"),
    Fault("inspectors_lunch_window_half_after_hours",
          cells(add_column("inspectors", "lunch_window", ""),
                cell("inspectors", 2, "lunch_window", "17:00-18:00")),
          "inspectors", 2, "lunch_window", "share 17:00-17:30", severity="warning"),
    Fault("inspectors_lunch_window_after_hours",
          cells(add_column("inspectors", "lunch_window", ""),
                cell("inspectors", 2, "lunch_window", "18:00-19:00")),
          "inspectors", 2, "lunch_window", "share nothing", severity="warning"),
    Fault("inspectors_hours_no_room_for_lunch",
          cells(setting("lunch_minutes", "120"), cell("inspectors", 4, "hours", "12:00-13:00")),
          "inspectors", 4, "hours", "no time to work"),
    Fault("inspectors_unknown_department", cell("inspectors", 2, "department", "police"),
          "inspectors", 2, "department", "unknown department"),
    Fault("inspectors_unknown_base", cell("inspectors", 2, "base", "north"), "inspectors", 2,
          "base", "unknown office"),
    Fault("inspectors_duplicate_id", cell("inspectors", 4, "id", "o1"), "inspectors", 4, "id",
          "duplicate"),
    Fault("inspectors_id_5000_characters", cell("inspectors", 4, "id", LONG_ID), "inspectors", 4,
          "id", "at most 64"),
    Fault("inspectors_missing_base_column", drop_column("inspectors", "base"), "inspectors", 1,
          "base", "missing column"),
    # ---- teams
    Fault("teams_single_officer", new_table("teams", [["id", "officers"], ["T1", "o1"]]), "teams",
          2, "officers", "at least two"),
    Fault("teams_same_officer_twice", new_table("teams", [["id", "officers"], ["T1", "o1;o1"]]),
          "teams", 2, "officers", "at least two"),
    Fault("teams_only_separator", new_table("teams", [["id", "officers"], ["T1", ";"]]), "teams",
          2, "officers", "lists nothing"),
    Fault("teams_unknown_officer", new_table("teams", [["id", "officers"], ["T1", "o1;o9"]]),
          "teams", 2, "officers", "unknown inspector 'o9'"),
    Fault("teams_kind_unknown",
          new_table("teams", [["id", "officers", "kind"], ["T1", "o1;o2", "squad"]]), "teams", 2,
          "kind", "not one of"),
    Fault("teams_days_unknown",
          new_table("teams", [["id", "officers", "days"], ["T1", "o1;o2", "Someday"]]), "teams",
          2, "days", "not a weekday"),
    Fault("teams_officer_in_two_fixed_teams",
          new_table("teams", [["id", "officers"], ["T1", "o1;o2"], ["T2", "o1;o3"]]), "teams", 3,
          "officers", "also in fixed team"),
    Fault("teams_missing_officers_column", new_table("teams", [["id"], ["T1"]]), "teams", 1,
          "officers", "missing column"),
    # ---- recusals
    Fault("recusals_business_and_other_inspector",
          new_table("recusals", [["inspector", "business", "other_inspector"], ["o1", "b1", "o2"]]),
          "recusals", 2, "business", "either"),
    Fault("recusals_from_themself",
          new_table("recusals", [["inspector", "business", "other_inspector"], ["o1", "", "o1"]]),
          "recusals", 2, "other_inspector", "themself"),
    Fault("recusals_unknown_inspector",
          new_table("recusals", [["inspector", "business"], ["o9", "b1"]]), "recusals", 2,
          "inspector", "unknown inspector"),
    Fault("recusals_missing_business_column",
          new_table("recusals", [["inspector", "reason"], ["o1", "cousin"]]), "recusals", 1,
          "business", "missing column"),
    Fault("recusals_pair_in_a_fixed_team",
          cells(
              new_table("recusals", [["inspector", "business", "other_inspector"],
                                     ["o1", "", "o2"]]),
              new_table("teams", [["id", "officers"], ["T1", "o1;o2"]]),
          ),
          "teams", 2, "officers", "must not work together"),
    # ---- draws
    Fault("draws_ratio_zero",
          new_table("draws", [["department", "category", "ratio", "period_days"],
                              ["market", "restaurant", "0", "91"]]),
          "draws", 2, "ratio", "draws nobody"),
    Fault("draws_ratio_above_one",
          new_table("draws", [["department", "category", "ratio", "period_days"],
                              ["market", "restaurant", "1.5", "91"]]),
          "draws", 2, "ratio", "outside"),
    Fault("draws_period_zero",
          new_table("draws", [["department", "category", "ratio", "period_days"],
                              ["market", "restaurant", "0.1", "0"]]),
          "draws", 2, "period_days", "outside"),
    Fault("draws_mode_unknown",
          new_table("draws", [["department", "category", "ratio", "period_days", "mode"],
                              ["market", "restaurant", "0.1", "91", "sometimes"]]),
          "draws", 2, "mode", "not one of"),
    Fault("draws_twice_for_one_category",
          new_table("draws", [["department", "category", "ratio", "period_days"],
                              ["market", "restaurant", "0.1", "91"],
                              ["market", "restaurant", "0.2", "91"]]),
          "draws", 3, "category", "already draws"),
    Fault("draws_unknown_department",
          new_table("draws", [["department", "category", "ratio", "period_days"],
                              ["police", "restaurant", "0.1", "91"]]),
          "draws", 2, "department", "unknown department"),
    Fault("draws_category_without_businesses",
          new_table("draws", [["department", "category", "ratio", "period_days"],
                              ["market", "spaceport", "0.1", "91"]]),
          "draws", 2, "category", "no business of category 'spaceport'", severity="warning"),
    Fault("draws_department_without_items",
          cells(append_row("departments", ["police", "Police", "公安"]),
                new_table("draws", [["department", "category", "ratio", "period_days"],
                                    ["police", "restaurant", "0.1", "91"]])),
          "draws", 2, "category", "police has no item for it", severity="warning"),
    Fault("draws_seed_negative",
          new_table("draws", [["department", "category", "ratio", "period_days", "seed"],
                              ["market", "restaurant", "0.1", "91", "-7"]]),
          "draws", 2, "seed", "outside"),
]  # fmt: skip


def _cases() -> list[object]:
    return [
        pytest.param(fault, form, id=f"{fault.name}[{form}]")
        for fault in FAULTS
        for form in fault.forms
    ]


def _assert_reported(problems: tuple[Problem, ...], form: str, fault: Fault) -> None:
    matches = [
        p
        for p in problems
        if table_of(p, form) == fault.table
        and p.row == (fault.row + 1 if form == "xlsx" and fault.table == "offices" else fault.row)
        and p.column == fault.column
        and p.severity == fault.severity
        and fault.words in p.message
    ]
    assert matches, (
        f"{fault.name} [{form}] not reported as {fault.severity} at {fault.table} row {fault.row} "
        f"column {fault.column!r} ({fault.words!r}); got:\n" + "\n".join(map(str, problems))
    )


def _assert_printable(problems: tuple[Problem, ...]) -> None:
    """A problem quoting a hostile value must not carry its control characters to a terminal."""
    for p in problems:
        bad = [c for c in p.message if (ord(c) < 32 and c != "\t") or 0x7F <= ord(c) < 0xA0]
        assert not bad, p
        assert len(p.message) <= 300, p


def test_the_suite_plants_more_than_a_hundred_named_faults() -> None:
    """At least 100 faults, each with a unique name."""
    names = [f.name for f in FAULTS] + [f.name for f in ARCHIVE_FAULTS]
    assert len(names) >= 100
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("fault", "form"), _cases())
def test_planted_fault_is_reported_with_its_place(fault: Fault, form: str, tmp_path: Path) -> None:
    """The fault yields its problem with file, row and column; errors stop the load; no raise."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    fault.plant(folder)
    scenario, problems = validate(folder, form)
    _assert_reported(problems, form, fault)
    _assert_printable(problems)
    if fault.severity == "error":
        assert scenario is None
    else:
        assert scenario is not None, "\n".join(map(str, problems))


def test_the_unchanged_fixture_is_valid_in_every_form(tmp_path: Path) -> None:
    """The baseline every fault starts from has no error in any form (so each problem is the
    fault's own)."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    for form in ALL:
        scenario, problems = validate(folder, form)
        assert scenario is not None, (form, problems)
        assert not [p for p in problems if p.severity == "error"]


# ---------------------------------------------------------------------------- archives


@dataclass(frozen=True)
class ArchiveFault:
    """A fault in the container itself: built from the clean folder, uploaded as ``form``."""

    name: str
    build: Callable[[Path], bytes]
    form: str
    table: str
    row: int
    column: str
    words: str = ""


def _zip_with(folder: Path, extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _duplicate_member(folder: Path) -> bytes:
    data = (folder / "businesses.csv").read_bytes()
    return _zip_with(folder, {"copy/businesses.csv": data})


def _case_duplicate_member(folder: Path) -> bytes:
    data = (folder / "businesses.csv").read_bytes()
    return _zip_with(folder, {"Businesses.CSV": data})


def _duplicate_settings(folder: Path) -> bytes:
    return _zip_with(folder, {"old/settings.toml": b'township = "Old"\n'})


def _macos_copies_are_not_duplicates(folder: Path) -> bytes:
    """Finder's zip adds __MACOSX/._businesses.csv: not a second table (the planted fault is
    elsewhere: a header-only businesses table inside the same archive)."""
    header = (folder / "businesses.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            data = header.encode() if path.name == "businesses.csv" else path.read_bytes()
            archive.writestr(path.name, data)
        archive.writestr("__MACOSX/._businesses.csv", b"\x00\x05\x16\x07")
    return buffer.getvalue()


def _bad_crc(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    data = bytearray(buffer.getvalue())
    at = data.find(b"Noodle house")
    data[at : at + 6] = b"Poodle"  # stored data changed; its CRC-32 no longer matches
    return bytes(data)


def _flag_encrypted(folder: Path) -> bytes:
    """Set the 'encrypted' bit of items.csv's headers: a password would be needed."""
    data = bytearray(to_zip(folder))
    for signature, flags_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 26, 30),
                                                      (b"PK\x01\x02", 8, 28, 46)):  # fmt: skip
        at = data.find(signature)
        while at != -1:
            n = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at : at + name_at + n]) == b"items.csv":
                flags = struct.unpack_from("<H", data, at + flags_at)[0]
                struct.pack_into("<H", data, at + flags_at, flags | 0x1)
            at = data.find(signature, at + 4)
    return bytes(data)


def _unknown_compression(folder: Path) -> bytes:
    """Claim compression method 99 (AES, not supported) for tasks.csv."""
    data = bytearray(to_zip(folder))
    for signature, method_at, name_len_at, name_at in ((b"PK\x03\x04", 8, 26, 30),
                                                       (b"PK\x01\x02", 10, 28, 46)):  # fmt: skip
        at = data.find(signature)
        while at != -1:
            n = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at : at + name_at + n]) == b"tasks.csv":
                struct.pack_into("<H", data, at + method_at, 99)
            at = data.find(signature, at + 4)
    return bytes(data)


def _zip_bomb(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("businesses.csv", "w", force_zip64=True) as member,
    ):
        for _ in range(MAX_UNCOMPRESSED_BYTES // MIB + 1):
            member.write(bytes(MIB))
    return buffer.getvalue()


def _too_many_members(folder: Path) -> bytes:
    return _zip_with(folder, {f"junk/{n}.txt": b"" for n in range(MAX_ARCHIVE_MEMBERS)})


def _workbook_with(folder: Path, change: Callable[[Workbook], None]) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(to_workbook(folder)))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _second_businesses_sheet(book: Workbook) -> None:
    copy = book.copy_worksheet(book["businesses"])
    copy.title = " Businesses"


def _formula_without_cached_value(book: Workbook) -> None:
    book["businesses"]["B2"] = "=1+1"  # openpyxl stores no cached value: read as empty


def _value_right_of_header(book: Workbook) -> None:
    book["businesses"]["K2"] = "stray"


def _settings_without_key_column(book: Workbook) -> None:
    book["settings"]["A1"] = "name"


def _deeply_nested_setting(book: Workbook) -> None:
    ws = book["settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "week_start":
            row[1].value = "[" * 100_000


def _settings_row_without_key(book: Workbook) -> None:
    book["settings"].append(["", "x"])


def _no_settings_sheet(book: Workbook) -> None:
    book.remove(book["settings"])


ARCHIVE_FAULTS = [
    ArchiveFault("zip_table_twice_in_two_folders", _duplicate_member, "zip", "businesses", 0, "",
                 "2 files hold this table"),
    ArchiveFault("zip_table_twice_by_case", _case_duplicate_member, "zip", "businesses", 0, "",
                 "2 files hold this table"),
    ArchiveFault("zip_settings_twice", _duplicate_settings, "zip", "settings", 0, "",
                 "2 files hold this table"),
    ArchiveFault("zip_macos_copies_ignored_header_only_reported",
                 _macos_copies_are_not_duplicates, "zip", "businesses", 0, "", "has no rows"),
    ArchiveFault("zip_not_a_zip", lambda f: b"MZ\x90\x00 not a zip at all", "zip", "<file>", 0,
                 "", "not a readable zip"),
    ArchiveFault("zip_truncated", lambda f: to_zip(f)[:300], "zip", "<file>", 0, "",
                 "not a readable zip"),
    ArchiveFault("zip_empty_file", lambda f: b"", "zip", "<file>", 0, "", "not a readable zip"),
    ArchiveFault("zip_without_files", lambda f: _empty_zip(), "zip", "settings", 0, "",
                 "missing"),
    ArchiveFault("zip_member_bad_crc", _bad_crc, "zip", "businesses", 0, "",
                 "cannot be read from the zip"),
    ArchiveFault("zip_member_encrypted", _flag_encrypted, "zip", "items", 0, "",
                 "cannot be read from the zip"),
    ArchiveFault("zip_member_unknown_compression", _unknown_compression, "zip", "tasks", 0, "",
                 "cannot be read from the zip"),
    ArchiveFault("zip_bomb", _zip_bomb, "zip", "<file>", 0, "", "uncompressed"),
    ArchiveFault("zip_too_many_members", _too_many_members, "zip", "<file>", 0, "", "members"),
    ArchiveFault("xlsx_not_a_workbook", lambda f: b"PK\x03\x04 broken", "xlsx", "<file>", 0, "",
                 "not a readable .xlsx"),
    ArchiveFault("xlsx_truncated", lambda f: to_workbook(f)[:500], "xlsx", "<file>", 0, "",
                 "not a readable .xlsx"),
    ArchiveFault("xlsx_zip_of_csv_files", to_zip, "xlsx", "<file>", 0, "", "not a readable .xlsx"),
    ArchiveFault("xlsx_two_sheets_one_table",
                 lambda f: _workbook_with(f, _second_businesses_sheet), "xlsx", "businesses", 0,
                 "", "2 sheets hold this table"),
    ArchiveFault("xlsx_formula_without_value",
                 lambda f: _workbook_with(f, _formula_without_cached_value), "xlsx", "businesses",
                 2, "name", "is empty"),
    ArchiveFault("xlsx_value_right_of_the_header",
                 lambda f: _workbook_with(f, _value_right_of_header), "xlsx", "businesses", 2, "",
                 "right of the last column"),
    ArchiveFault("xlsx_settings_without_key_column",
                 lambda f: _workbook_with(f, _settings_without_key_column), "xlsx", "settings", 1,
                 "key", "missing column"),
    ArchiveFault("xlsx_setting_nested_too_deeply",
                 lambda f: _workbook_with(f, _deeply_nested_setting), "xlsx", "settings", 0,
                 "week_start", "'[[[["),
    ArchiveFault("xlsx_settings_row_without_key",
                 lambda f: _workbook_with(f, _settings_row_without_key), "xlsx", "settings", 10,
                 "key", "empty key"),
    ArchiveFault("xlsx_no_settings_sheet", lambda f: _workbook_with(f, _no_settings_sheet), "xlsx",
                 "settings", 0, "", "missing"),
    ArchiveFault("upload_of_another_kind", lambda f: b"MZ", "exe", "<file>", 0, "",
                 "not a scenario upload"),
]  # fmt: skip


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    return buffer.getvalue()


@pytest.mark.parametrize("fault", ARCHIVE_FAULTS, ids=lambda f: f.name)
def test_planted_archive_fault_is_reported(fault: ArchiveFault, tmp_path: Path) -> None:
    """A broken, duplicated or oversized container is a problem naming it, never a traceback."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    scenario, problems = check_upload(UPLOAD[fault.form], fault.build(folder))
    assert scenario is None
    as_form = Fault(fault.name, lambda f: None, fault.table, fault.row, fault.column, fault.words)
    _assert_reported(problems, fault.form, as_form)
    _assert_printable(problems)


# ---------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "name",
    [
        "history_date_trailing_garbage",
        "businesses_name_nul",
        "businesses_line_of_a_million_commas",
        "inspectors_certifications_only_separator",
        "businesses_header_only",
    ],
)
def test_cli_validate_exits_2_without_traceback(name: str, tmp_path: Path) -> None:
    """``python -m planner validate`` on a planted fault: exit 2, the file named, no traceback."""
    (fault,) = [f for f in FAULTS if f.name == name]
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    fault.plant(folder)
    done = subprocess.run(
        [sys.executable, "-m", "planner", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"{fault.table}.csv" in done.stdout
    assert "\x00" not in done.stdout


@pytest.mark.parametrize("form", ["zip", "xlsx"])
def test_cli_validate_of_a_duplicated_table_exits_2(form: str, tmp_path: Path) -> None:
    """A zip holding businesses.csv twice, a workbook with two businesses sheets: exit 2."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    path = tmp_path / UPLOAD[form]
    path.write_bytes(
        _duplicate_member(folder)
        if form == "zip"
        else _workbook_with(folder, _second_businesses_sheet)
    )
    done = subprocess.run(
        [sys.executable, "-m", "planner", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "hold this table" in done.stdout


# ---------------------------------------------------------------------------- fuzzing


_CLEAN = {"zip": to_zip(TINY), "xlsx": to_workbook(TINY)}


@settings(max_examples=250, deadline=None, derandomize=True)
@given(
    form=st.sampled_from(["zip", "xlsx"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6),
    keep=st.floats(0.05, 1),
)
def test_a_corrupted_upload_never_raises(
    form: str, flips: list[tuple[float, int]], keep: float
) -> None:
    """Any bytes of a zip or workbook flipped, and the file cut anywhere: problems, never a raise;
    no scenario unless there is no error."""
    data = bytearray(_CLEAN[form])
    for where, value in flips:
        data[int(where * len(data))] = value
    data = data[: max(1, int(keep * len(data)))]
    scenario, problems = check_upload(UPLOAD[form], bytes(data))
    errors = [p for p in problems if p.severity == "error"]
    assert (scenario is None) == bool(errors)
    _assert_printable(problems)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(table=st.sampled_from(["businesses", "items", "history", "settings"]), data=st.binary())
def test_any_bytes_as_a_table_never_raise(table: str, data: bytes) -> None:
    """Arbitrary bytes in place of one file of the zip: problems, never a raise."""
    name = "settings.toml" if table == "settings" else f"{table}.csv"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(TINY.iterdir()):
            archive.writestr(path.name, data if path.name == name else path.read_bytes())
    scenario, problems = check_upload("scenario.zip", buffer.getvalue())
    assert (scenario is None) == any(p.severity == "error" for p in problems)
    _assert_printable(problems)


# ---------------------------------------------------------------------------- outcomes files

OUTCOMES_HEADER = b"business,item,date,status,result,note\n"


@pytest.mark.parametrize(
    ("name", "data", "row", "column"),
    [
        ("latin1_note", OUTCOMES_HEADER + b"b1,food,2026-11-23,done,pass,caf\xe9\xff\n", 0, ""),
        (
            "date_trailing_garbage",
            OUTCOMES_HEADER + b"b1,food,2026-11-23abc,done,pass,\n",
            2,
            "date",
        ),
        ("status_unknown", OUTCOMES_HEADER + b"b1,food,2026-11-23,finished,pass,\n", 2, "status"),
        ("note_nul", OUTCOMES_HEADER + b"b1,food,2026-11-23,done,pass,x\x00y\n", 2, "note"),
        ("empty_file", b"", 0, ""),
        ("missing_file", None, 0, ""),
    ],
    ids=["latin1_note", "date_trailing_garbage", "status_unknown", "note_nul", "empty_file",
         "missing_file"],
)  # fmt: skip
def test_cli_record_of_a_broken_outcomes_file_exits_2(
    name: str, data: bytes | None, row: int, column: str, tmp_path: Path
) -> None:
    """``planner db record`` reads the outcomes file like a scenario table: a broken file is a
    problem with its row and column and exit 2, never a traceback (a Latin-1 file raised
    UnicodeDecodeError; a NUL went on towards the database)."""
    path = tmp_path / "outcomes.csv"
    if data is not None:
        path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "planner", "db", "--url", f"sqlite:///{tmp_path / 'x.db'}",
         "record", "1", str(path)],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    place = (
        "outcomes.csv"
        + (f", row {row}" if row else "")
        + (f", column '{column}'" if column else "")
    )
    assert place in done.stdout + done.stderr, (name, done.stdout, done.stderr)
