"""Scenario files → raw string tables → validated ``Scenario`` (CSV folder or one XLSX workbook)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.domain import Scenario
from planner.errors import InputError, Problem
from planner.tables import OPTIONAL_TABLES, REQUIRED_TABLES, SETTINGS_FILE


@dataclass(slots=True)
class RawTable:
    """A table as read from a file: lower-cased header and rows of strings with their row numbers."""

    name: str
    file: str
    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]


@dataclass(slots=True)
class RawScenario:
    """Everything read from the files, before validation, plus the problems reading found."""

    source: str
    settings_file: str
    settings: dict[str, Any]
    tables: dict[str, RawTable]
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    @property
    def offices(self) -> RawTable | None:
        """The offices: a workbook's ``offices`` sheet or ``settings.toml``'s ``[[offices]]``."""
        if "offices" in self.tables:
            return self.tables["offices"]
        listed = self.settings.get("offices")
        if not isinstance(listed, list):
            return None
        rows = [
            (n, {k: str(v) for k, v in o.items()} if isinstance(o, dict) else {})
            for n, o in enumerate(listed, start=1)
        ]
        header = tuple(sorted({k for _, r in rows for k in r}))
        return RawTable("offices", f"{self.settings_file}[[offices]]", header, rows)


def load_scenario(path: Path | str) -> Scenario:
    """Load and validate a scenario from a CSV folder or an ``.xlsx`` workbook.

    Raises
    ------
    InputError
        Listing every error found (warnings do not stop the load; see ``check_scenario``).
    """
    scenario, problems = check_scenario(path)
    if scenario is None:
        raise InputError(problems)
    return scenario


def check_scenario(path: Path | str) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Read and validate; return the scenario (``None`` if any error) and every problem found."""
    from planner.validate import validate_raw

    raw = read_raw(Path(path))
    return validate_raw(raw)


def read_raw(path: Path) -> RawScenario:
    """Read the files of a scenario without interpreting any value."""
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if path.suffix.lower() == ".zip":
        return _read_zip(path)
    problem = Problem(
        str(path),
        0,
        "",
        "not found: give a folder of CSV files, a .zip of one, or an .xlsx workbook",
    )
    return RawScenario(str(path), SETTINGS_FILE, {}, {}, [problem], unreadable=True)


def decode_text(data: bytes, file: str, problems: list[Problem]) -> str:
    """Decode UTF-8 (with or without BOM) or GBK/GB18030 (Chinese Excel exports)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        problems.append(Problem(file, 0, "", "cannot be read: save it as UTF-8 (or GBK) text"))
        return ""
    problems.append(
        Problem(file, 0, "", "read as GBK (Chinese Excel export); UTF-8 is preferred", "warning")
    )
    return text


def parse_csv(name: str, file: str, text: str, problems: list[Problem]) -> RawTable:
    """Parse CSV text into a ``RawTable``; ragged rows are problems, blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, "", f"not valid CSV: {exc}"))
        return RawTable(name, file, (), [])
    if not lines:
        problems.append(Problem(file, 0, "", "is empty: it needs a header row"))
        return RawTable(name, file, (), [])
    header = tuple(h.strip().lower() for h in lines[0])
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(lines[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                Problem(
                    file,
                    number,
                    "",
                    f"has {len(values)} values but the header has {len(header)} columns "
                    "(a stray comma or an unquoted value?)",
                )
            )
            continue
        rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return RawTable(name, file, header, rows)


def _read_folder(folder: Path) -> RawScenario:
    problems: list[Problem] = []
    settings = _read_toml(folder / SETTINGS_FILE, problems)
    tables: dict[str, RawTable] = {}
    for name in REQUIRED_TABLES + OPTIONAL_TABLES:
        file = folder / f"{name}.csv"
        if not file.exists():
            if name in REQUIRED_TABLES:
                problems.append(Problem(file.name, 0, "", "missing: this table is required"))
            continue
        text = decode_text(file.read_bytes(), file.name, problems)
        tables[name] = parse_csv(name, file.name, text, problems)
    _note_unknown_files(
        [p.name for p in folder.iterdir() if p.suffix.lower() == ".csv"], problems, folder.name
    )
    return RawScenario(str(folder), SETTINGS_FILE, settings, tables, problems)


def _read_zip(path: Path) -> RawScenario:
    """A zipped CSV folder (what the app's upload takes); files may sit in one sub-folder."""
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        problems.append(Problem(path.name, 0, "", f"not a readable zip file: {exc}"))
        return RawScenario(str(path), SETTINGS_FILE, {}, {}, problems, unreadable=True)
    with archive:
        members = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")}
        settings: dict[str, Any] = {}
        if SETTINGS_FILE in members:
            text = decode_text(archive.read(members[SETTINGS_FILE]), SETTINGS_FILE, problems)
            settings = _parse_toml(text, SETTINGS_FILE, problems)
        else:
            problems.append(Problem(SETTINGS_FILE, 0, "", "missing: this file is required"))
        tables: dict[str, RawTable] = {}
        for name in REQUIRED_TABLES + OPTIONAL_TABLES:
            file = f"{name}.csv"
            if file not in members:
                if name in REQUIRED_TABLES:
                    problems.append(Problem(file, 0, "", "missing: this table is required"))
                continue
            text = decode_text(archive.read(members[file]), file, problems)
            tables[name] = parse_csv(name, file, text, problems)
        _note_unknown_files([m for m in members if m.endswith(".csv")], problems, path.name)
    return RawScenario(str(path), SETTINGS_FILE, settings, tables, problems)


def _note_unknown_files(names: list[str], problems: list[Problem], where: str) -> None:
    known = {f"{t}.csv" for t in REQUIRED_TABLES + OPTIONAL_TABLES}
    for name in sorted(set(names) - known):
        problems.append(
            Problem(name, 0, "", f"not a scenario table; ignored (in {where})", "warning")
        )


def _read_toml(file: Path, problems: list[Problem]) -> dict[str, Any]:
    if not file.exists():
        problems.append(Problem(file.name, 0, "", "missing: this file is required"))
        return {}
    return _parse_toml(decode_text(file.read_bytes(), file.name, problems), file.name, problems)


def _parse_toml(text: str, file: str, problems: list[Problem]) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(file, getattr(exc, "lineno", 0) or 0, "", f"not valid TOML: {exc}"))
        return {}


def _cell_text(value: object) -> str:
    """A workbook cell as the text a planner typed (dates as ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%H:%M") if value.date() == dt.date(1899, 12, 30) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_workbook(path: Path) -> RawScenario:
    from openpyxl import load_workbook

    problems: list[Problem] = []
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(path.name, 0, "", f"not a readable .xlsx workbook: {exc}"))
        return RawScenario(str(path), f"{path.name}[settings]", {}, {}, problems, unreadable=True)
    sheets: dict[str, RawTable] = {}
    with_names = {ws.title.strip().lower(): ws for ws in book.worksheets}
    for name, ws in with_names.items():
        file = f"{path.name}[{name}]"
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while rows and not any(rows[-1]):
            rows.pop()
        if not rows:
            sheets[name] = RawTable(name, file, (), [])
            continue
        header_cells = rows[0]
        while header_cells and not header_cells[-1]:
            header_cells = header_cells[:-1]
        header = tuple(h.lower() for h in header_cells)
        table_rows: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(rows[1:], start=2):
            if not any(values):
                continue
            extra = [v for v in values[len(header) :] if v]
            if extra:
                problems.append(
                    Problem(file, number, "", f"has values right of the last column: {extra}")
                )
            padded = list(values[: len(header)]) + [""] * (len(header) - len(values))
            table_rows.append((number, dict(zip(header, padded, strict=True))))
        sheets[name] = RawTable(name, file, header, table_rows)
    book.close()

    settings: dict[str, Any] = {}
    settings_file = f"{path.name}[settings]"
    if "settings" not in sheets:
        problems.append(Problem(settings_file, 0, "", "missing: the settings sheet is required"))
    else:
        settings = _settings_from_sheet(sheets.pop("settings"), problems)
    tables: dict[str, RawTable] = {}
    if "offices" in sheets:
        tables["offices"] = sheets.pop("offices")
    for name in REQUIRED_TABLES + OPTIONAL_TABLES:
        if name in sheets:
            tables[name] = sheets.pop(name)
        elif name in REQUIRED_TABLES:
            problems.append(
                Problem(f"{path.name}[{name}]", 0, "", "missing: this sheet is required")
            )
    for name in sorted(sheets):
        problems.append(
            Problem(f"{path.name}[{name}]", 0, "", "not a scenario sheet; ignored", "warning")
        )
    return RawScenario(str(path), settings_file, settings, tables, problems)


def _settings_from_sheet(sheet: RawTable, problems: list[Problem]) -> dict[str, Any]:
    """A key/value settings sheet → the same dictionary ``settings.toml`` would give."""
    settings: dict[str, Any] = {}
    for column in ("key", "value"):
        if column not in sheet.header:
            problems.append(Problem(sheet.file, 1, column, "missing column"))
            return settings
    for number, values in sheet.rows:
        key = values["key"].strip()
        if not key:
            problems.append(Problem(sheet.file, number, "key", "empty key"))
            continue
        try:
            settings[key] = tomllib.loads(f"v = {values['value']}")["v"]
        except tomllib.TOMLDecodeError:
            settings[key] = values["value"]
    return settings
