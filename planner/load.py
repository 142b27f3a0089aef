"""Scenario files → raw string tables → validated ``Scenario`` (CSV folder or one XLSX workbook)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from planner.domain import Scenario
from planner.errors import InputError, Message, Problem
from planner.formulas import unquote_formula
from planner.tables import OPTIONAL_TABLES, REQUIRED_TABLES, SETTINGS_FILE

MIB = 2**20
# Limits on what a scenario may be. The largest scenario measured (10,000 businesses with a year of
# history) is a few MiB; these caps are far above it and far below what hurts the machine.
MAX_UPLOAD_BYTES = 64 * MIB  # an uploaded file as it arrives
MAX_UNCOMPRESSED_BYTES = 100 * MIB  # everything read out of one .zip or .xlsx, in total
MAX_ARCHIVE_MEMBERS = 1_000  # files in one .zip or .xlsx
MAX_LINE_CHARS = 100_000  # one CSV line: a row of a scenario table is well under 1,000
MAX_TABLE_ROWS = 500_000  # rows of one table (the demo's largest table has 8,531)
MAX_TABLE_LINES = 1_000_000  # physical lines of one CSV file, blank ones included
UPLOAD_SUFFIXES = (".zip", ".xlsx", ".xlsm")
_CHUNK = 64 * 1024


@dataclass(slots=True)
class RawTable:
    """A table as read from a file: lower-cased header and rows of strings with their row numbers."""

    name: str
    file: str
    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    unreadable: bool = False  # its problem is already reported; validation skips the table


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


def check_upload(name: str, data: bytes) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Validate an uploaded ``.zip`` or ``.xlsx`` (the browser's file ``name`` and its bytes).

    The bytes are written under a generated name into a private temporary folder that is removed
    before this returns; ``name`` is only shown in problems (its folders dropped), never used as a
    path.
    """
    shown = upload_display_name(name)
    suffix = Path(shown).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        kinds = ", ".join(UPLOAD_SUFFIXES)
        return None, (Problem.coded(shown, 0, "", "not_upload", kinds=kinds),)
    if len(data) > MAX_UPLOAD_BYTES:
        size, limit = f"{len(data) / MIB:.0f}", MAX_UPLOAD_BYTES // MIB
        return None, (Problem.coded(shown, 0, "", "upload_too_large", size=size, limit=limit),)
    with private_copy(data, suffix) as path:
        scenario, problems = check_scenario(path)
    return scenario, tuple(_renamed(p, path.name, shown) for p in problems)


def load_upload(name: str, data: bytes) -> Scenario:
    """``check_upload``, raising ``InputError`` listing every error instead of returning ``None``."""
    scenario, problems = check_upload(name, data)
    if scenario is None:
        raise InputError(problems)
    return scenario


def upload_display_name(name: str) -> str:
    """The last part of a browser's file name (``../../a.zip`` → ``a.zip``), printable, ≤ 100 chars."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in last if c.isprintable()).strip()
    return printable[-100:] or "upload"


@contextlib.contextmanager
def private_copy(data: bytes, suffix: str) -> Iterator[Path]:
    """``data`` as ``upload<suffix>`` in a new folder only this user can read (0700), removed after."""
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as folder:
        os.chmod(folder, 0o700)  # mkdtemp makes it 0700 already; say so where it matters
        path = Path(folder) / f"upload{suffix}"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        yield path


def _renamed(problem: Problem, temporary: str, shown: str) -> Problem:
    """``problem`` with the temporary file's name replaced by the uploaded one's, in its place and
    in a parameter naming it (``… in upload.zip``)."""
    if problem.code and any(value == temporary for _, value in problem.params):
        params = {key: shown if value == temporary else value for key, value in problem.params}
        problem = Problem.of(
            problem.file, problem.row, problem.column, Message.of(problem.code, **params),
            problem.severity,
        )  # fmt: skip
    if problem.file == temporary or problem.file.startswith(f"{temporary}["):
        return replace(problem, file=shown + problem.file[len(temporary) :])
    return problem


def read_raw(path: Path) -> RawScenario:
    """Read the files of a scenario without interpreting any value."""
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if path.suffix.lower() == ".zip":
        return _read_zip(path)
    problem = Problem.coded(str(path), 0, "", "scenario_not_found")
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
        problems.append(Problem.coded(file, 0, "", "undecodable"))
        return ""
    problems.append(Problem.coded(file, 0, "", "read_as_gbk", "warning"))
    return text


def parse_csv(name: str, file: str, text: str, problems: list[Problem]) -> RawTable:
    """Parse CSV text into a ``RawTable``; ragged rows are problems, blank lines are skipped.

    Lines longer than ``MAX_LINE_CHARS`` and tables longer than ``MAX_TABLE_ROWS`` are refused as
    they are met: a few kilobytes of zipped commas or newlines would otherwise become gigabytes of
    Python lists.
    """
    reader = csv.reader(_capped_lines(text, file))
    header: tuple[str, ...] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(reader, start=1):
            if header is None:
                header = tuple(h.strip().lower() for h in values)
                continue
            if not any(v.strip() for v in values):
                continue
            if len(rows) == MAX_TABLE_ROWS:
                limit = f"{MAX_TABLE_ROWS:,}"
                problems.append(Problem.coded(file, number, "", "too_many_rows", limit=limit))
                return RawTable(name, file, header, [], unreadable=True)
            if len(values) != len(header):
                counts = {"values": len(values), "columns": len(header)}
                problems.append(Problem.coded(file, number, "", "ragged_row", **counts))
                continue
            cells = (unquote_formula(v.strip()) for v in values)
            rows.append((number, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        problems.append(Problem.coded(file, reader.line_num, "", "not_csv", detail=exc))
        return RawTable(name, file, (), [], unreadable=True)
    except _LineTooLong as exc:
        problems.append(exc.problem)
        return RawTable(name, file, (), [], unreadable=True)
    if header is None:
        problems.append(Problem.coded(file, 0, "", "no_header"))
        return RawTable(name, file, (), [], unreadable=True)
    return RawTable(name, file, header, rows)


class _LineTooLong(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _capped_lines(text: str, file: str) -> Iterator[str]:
    """The physical lines of ``text`` (any line ending), refusing one longer than the cap."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if number > MAX_TABLE_LINES:  # e.g. a zip of nothing but newlines: minutes of parsing
            limit = f"{MAX_TABLE_LINES:,}"
            raise _LineTooLong(Problem.coded(file, number, "", "too_many_lines", limit=limit))
        if len(line) > MAX_LINE_CHARS:
            limit = f"{MAX_LINE_CHARS:,}"
            raise _LineTooLong(Problem.coded(file, number, "", "line_too_long", limit=limit))
        yield line


def _read_folder(folder: Path) -> RawScenario:
    problems: list[Problem] = []
    found = _scenario_files(
        [p.name for p in folder.iterdir() if p.is_file()], folder.name, problems
    )
    settings, tables = _read_found(
        found, lambda path, file: ((folder / path).read_bytes(), path), problems
    )
    _note_unknown_files(
        [p.name for p in folder.iterdir() if p.suffix.lower() == ".csv"], problems, folder.name
    )
    return RawScenario(str(folder), SETTINGS_FILE, settings, tables, problems)


_SCENARIO_FILES = (SETTINGS_FILE, *(f"{t}.csv" for t in REQUIRED_TABLES + OPTIONAL_TABLES))


def _scenario_files(paths: list[str], where: str, problems: list[Problem]) -> dict[str, str]:
    """Scenario file name (``businesses.csv``) → the one path holding it, matched ignoring case.

    A name held by two paths (``businesses.csv`` and ``Businesses.CSV``, or one in each sub-folder
    of a zip) is an error naming both: which one is meant cannot be guessed, and silently taking the
    last would plan from the wrong table. macOS's ``__MACOSX/`` and ``._`` copies are not files.
    """
    held: dict[str, list[str]] = {}
    for path in paths:
        parts = path.replace("\\", "/").split("/")
        if "__MACOSX" in parts or parts[-1].startswith("._"):
            continue
        held.setdefault(parts[-1].lower(), []).append(path)
    found: dict[str, str] = {}
    for name in _SCENARIO_FILES:
        holders = sorted(held.get(name, []))
        if len(holders) > 1:
            message = Message.of(
                "table_twice", n=len(holders), where=where, files=", ".join(holders)
            )
            problems.append(Problem.of(name, 0, "", message))
        elif holders:
            found[name] = holders[0]
    return found


def _read_found(
    found: dict[str, str],
    read: Callable[[str, str], tuple[bytes | None, str]],
    problems: list[Problem],
) -> tuple[dict[str, Any], dict[str, RawTable]]:
    """Settings and tables from the scenario files ``found`` (file name → path in a folder or zip).

    ``read(path, file)`` gives the file's bytes (``None`` when unreadable: its problem is already
    noted) and the name to report problems under. A missing required file and a file held twice
    are problems; a table held twice or unreadable is marked so, and nothing cascades from it.
    """
    settings: dict[str, Any] = {}
    if SETTINGS_FILE in found:
        data, shown = read(found[SETTINGS_FILE], SETTINGS_FILE)
        text = decode_text(data, shown, problems) if data is not None else ""
        settings = _parse_toml(text, shown, problems) if text else {}
    elif not _duplicated(SETTINGS_FILE, problems):
        problems.append(Problem.coded(SETTINGS_FILE, 0, "", "missing_file"))
    tables: dict[str, RawTable] = {}
    for name in REQUIRED_TABLES + OPTIONAL_TABLES:
        file = f"{name}.csv"
        if _duplicated(file, problems):
            tables[name] = RawTable(name, file, (), [], unreadable=True)
        elif file not in found:
            if name in REQUIRED_TABLES:
                problems.append(Problem.coded(file, 0, "", "missing_table"))
        else:
            data, shown = read(found[file], file)
            if data is None:
                tables[name] = RawTable(name, file, (), [], unreadable=True)
            else:
                tables[name] = parse_csv(name, shown, decode_text(data, shown, problems), problems)
    return settings, tables


def _duplicated(file: str, problems: list[Problem]) -> bool:
    return any(p.file == file and p.code == "table_twice" for p in problems)


def _read_zip(path: Path) -> RawScenario:
    """A zipped CSV folder (what the app's upload takes); files may sit in one sub-folder."""
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        problems.append(Problem.coded(path.name, 0, "", "not_zip", detail=exc))
        return RawScenario(str(path), SETTINGS_FILE, {}, {}, problems, unreadable=True)
    with archive:
        too_big = archive_problem(archive, path.name)
        if too_big:
            return RawScenario(str(path), SETTINGS_FILE, {}, {}, [too_big], unreadable=True)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        members = _scenario_files(names, path.name, problems)
        budget = _Budget(MAX_UNCOMPRESSED_BYTES)
        try:
            settings, tables = _read_found(
                members,
                lambda path, file: (_read_member(archive, path, file, budget, problems), file),
                problems,
            )
        except _TooLarge as exc:
            return RawScenario(str(path), SETTINGS_FILE, {}, {}, [exc.problem], unreadable=True)
        _note_unknown_files(
            [Path(m).name for m in names if m.lower().endswith(".csv") and "__MACOSX" not in m],
            problems,
            path.name,
        )
    return RawScenario(str(path), SETTINGS_FILE, settings, tables, problems)


def archive_problem(archive: zipfile.ZipFile, file: str) -> Problem | None:
    """Too many members, or more declared uncompressed bytes than a scenario can be (a zip bomb)."""
    infos = archive.infolist()
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        count, limit = f"{len(infos):,}", f"{MAX_ARCHIVE_MEMBERS:,}"
        return Problem.coded(file, 0, "", "too_many_members", n=count, limit=limit)
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        return _too_large(file, declared)
    return None


def _too_large(file: str, size: int | None = None) -> Problem:
    limit = MAX_UNCOMPRESSED_BYTES // MIB
    if size is None:
        return Problem.coded(file, 0, "", "too_large_more", limit=limit)
    return Problem.coded(file, 0, "", "too_large", size=f"{size / MIB:,.0f}", limit=limit)


@dataclass(slots=True)
class _Budget:
    """Uncompressed bytes still allowed out of one archive (headers can lie: count what comes out)."""

    left: int


class _TooLarge(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def _read_member(
    archive: zipfile.ZipFile, member: str, file: str, budget: _Budget, problems: list[Problem]
) -> bytes | None:
    """A member's bytes, read in chunks against ``budget``; a broken member is a problem (``None``).

    Raises ``_TooLarge`` (with the archive's name) when the running total passes the budget.
    """
    parts: list[bytes] = []
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(_CHUNK):
                budget.left -= len(chunk)
                if budget.left < 0:
                    raise _TooLarge(_too_large(Path(archive.filename or file).name))
                parts.append(chunk)
    except _MEMBER_ERRORS as exc:
        problems.append(Problem.coded(file, 0, "", "zip_member_unreadable", detail=exc))
        return None
    return b"".join(parts)


def _workbook_problem(path: Path) -> Problem | None:
    """Check a workbook's zip before openpyxl inflates it: member count and uncompressed size,
    declared and as actually read (discarded in chunks). ``None`` when it is within the caps or is
    not a zip at all (openpyxl then says what is wrong)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    with archive:
        too_big = archive_problem(archive, path.name)
        if too_big:
            return too_big
        budget = _Budget(MAX_UNCOMPRESSED_BYTES)
        for info in archive.infolist():
            try:
                with archive.open(info) as handle:
                    while chunk := handle.read(_CHUNK):
                        budget.left -= len(chunk)
                        if budget.left < 0:
                            return _too_large(path.name)
            except _MEMBER_ERRORS as exc:
                return Problem.coded(path.name, 0, "", "not_xlsx", detail=exc)
    return None


def _note_unknown_files(names: list[str], problems: list[Problem], where: str) -> None:
    known = {f"{t}.csv" for t in REQUIRED_TABLES + OPTIONAL_TABLES}
    for name in sorted(n for n in set(names) if n.lower() not in known):
        problems.append(Problem.coded(name, 0, "", "unknown_file", "warning", where=where))


def _parse_toml(text: str, file: str, problems: list[Problem]) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        problems.append(Problem.coded(file, line, "", "not_toml", detail=exc))
        return {}
    except RecursionError:  # '[[[[…' ten thousand deep: tomllib recurses once per level
        problems.append(Problem.coded(file, 0, "", "toml_too_deep"))
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
    return str(value).strip()  # as stored: workbook exports quote-prefix text, never add a "'"


def _read_workbook(path: Path) -> RawScenario:
    from openpyxl import load_workbook

    problems: list[Problem] = []
    too_big = _workbook_problem(path)
    if too_big:
        return RawScenario(str(path), f"{path.name}[settings]", {}, {}, [too_big], unreadable=True)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem.coded(path.name, 0, "", "not_xlsx", detail=exc))
        return RawScenario(str(path), f"{path.name}[settings]", {}, {}, problems, unreadable=True)
    sheets: dict[str, RawTable] = {}
    with_names: dict[str, list[Any]] = {}
    for ws in book.worksheets:
        with_names.setdefault(ws.title.strip().lower(), []).append(ws)
    for name, same in with_names.items():
        file = f"{path.name}[{name}]"
        if len(same) > 1:  # 'businesses' and ' Businesses': which one is meant cannot be guessed
            titles = ", ".join(ws.title for ws in same)
            problems.append(Problem.coded(file, 0, "", "sheet_twice", n=len(same), titles=titles))
            sheets[name] = RawTable(name, file, (), [], unreadable=True)
            continue
        ws = same[0]
        rows = _sheet_rows(ws)
        if not rows:
            sheets[name] = RawTable(name, file, (), [])
            continue
        header = tuple(h.lower() for h in rows.pop(0)[1]) if rows[0][0] == 1 else ()
        table_rows: list[tuple[int, dict[str, str]]] = []
        for number, values in rows:
            extra = [v for v in values[len(header) :] if v]
            if extra:
                problems.append(
                    Problem.coded(file, number, "", "values_right_of_header", values=extra)
                )
            padded = list(values[: len(header)]) + [""] * (len(header) - len(values))
            table_rows.append((number, dict(zip(header, padded, strict=True))))
        sheets[name] = RawTable(name, file, header, table_rows)
    book.close()

    settings: dict[str, Any] = {}
    settings_file = f"{path.name}[settings]"
    if "settings" not in sheets:
        problems.append(Problem.coded(settings_file, 0, "", "missing_settings_sheet"))
    elif not sheets["settings"].unreadable:
        settings = _settings_from_sheet(sheets.pop("settings"), problems)
    else:
        sheets.pop("settings")
    tables: dict[str, RawTable] = {}
    if "offices" in sheets:
        tables["offices"] = sheets.pop("offices")
    for name in REQUIRED_TABLES + OPTIONAL_TABLES:
        if name in sheets:
            tables[name] = sheets.pop(name)
        elif name in REQUIRED_TABLES:
            problems.append(Problem.coded(f"{path.name}[{name}]", 0, "", "missing_sheet"))
    for name in sorted(sheets):
        problems.append(Problem.coded(f"{path.name}[{name}]", 0, "", "unknown_sheet", "warning"))
    return RawScenario(str(path), settings_file, settings, tables, problems)


def _sheet_rows(ws: Any) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a sheet with their numbers, trailing empty cells dropped.

    The sheet's stated dimensions are ignored: a tiny file may claim 16,384 columns × 1,048,576
    rows, and openpyxl would pad every row to that width.
    """
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
        values = [_cell_text(v) for v in cells]
        while values and not values[-1]:
            values.pop()
        if values:
            rows.append((number, values))
    return rows


def _settings_from_sheet(sheet: RawTable, problems: list[Problem]) -> dict[str, Any]:
    """A key/value settings sheet → the same dictionary ``settings.toml`` would give."""
    settings: dict[str, Any] = {}
    for column in ("key", "value"):
        if column not in sheet.header:
            problems.append(
                Problem.coded(sheet.file, 1, column, "missing_column", doc="", doc_zh="")
            )
            return settings
    for number, values in sheet.rows:
        key = values["key"].strip()
        if not key:
            problems.append(Problem.coded(sheet.file, number, "key", "empty_key"))
            continue
        try:
            settings[key] = tomllib.loads(f"v = {values['value']}")["v"]
        except (tomllib.TOMLDecodeError, RecursionError):
            settings[key] = values["value"]
    return settings
