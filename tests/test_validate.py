"""Scenario intake: every problem reported with its place, from CSV folders and XLSX workbooks."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner import InputError, check_scenario, load_scenario, write_scenario
from planner.errors import Problem

# (table, row, column, words in the message): one line per deliberate problem in tests/fixtures/broken.
EXPECTED_ERRORS = [
    ("settings", 0, "timezone", "not a time zone"),
    ("settings", 0, "lunch_minutes", "do not fit in the lunch window"),
    ("departments", 3, "name", "is empty"),
    ("departments", 4, "id", "duplicate id 'market'"),
    ("items", 3, "department", "unknown department 'police'"),
    ("items", 4, "minutes", "-5 is outside"),
    ("items", 4, "interval_high", "0 is outside"),
    ("items", 4, "unannounced", "'maybe' is not yes or no"),
    ("items", 5, "minutes", "900 is outside"),
    ("businesses", 2, "lat", "95 is outside"),
    ("businesses", 3, "lon", "(0, 0)"),
    ("businesses", 4, "opening_hours", "cannot read '9am-5pm' at character 7"),
    ("businesses", 5, "opening_hours", "'11:00-11:00' at character 20 is empty"),
    ("businesses", 5, "risk", "'extreme' is not one of"),
    ("businesses", 6, "id", "is empty"),
    ("history", 2, "business", "unknown business 'b99'"),
    ("history", 3, "date", "'2026-13-01' is not a date"),
    ("history", 3, "result", "'ok' is not one of"),
    ("history", 4, "", "values"),
    ("tasks", 2, "deadline", "before the earliest date"),
    ("tasks", 3, "item", "unknown item 'teleport'"),
    ("inspectors", 2, "base", "unknown office 'north'"),
    ("inspectors", 3, "working_days", "is empty"),
    ("inspectors", 4, "working_days", "'Funday' is not a weekday"),
    ("teams", 2, "officers", "at least two different officers"),
    ("recusals", 1, "business", "missing column"),
]
EXPECTED_WARNINGS = [
    ("businesses", 1, "notes", "unknown column"),
    ("items", 6, "certification", "no inspector holds 'boiler'"),
    ("businesses", 7, "category", "no item applies to category 'spaceport'"),
]


def _table_of(problem: Problem) -> str:
    """'items.csv' → 'items'; 'broken.xlsx[items]' → 'items'; settings files → 'settings'."""
    name = problem.file.split("[")[-1].rstrip("]") if "[" in problem.file else problem.file
    name = name.removesuffix(".csv").removesuffix(".toml")
    return name


def _assert_reported(problems: tuple[Problem, ...], expected: list, severity: str) -> None:
    found = [p for p in problems if p.severity == severity]
    for table, row, column, words in expected:
        matches = [
            p
            for p in found
            if _table_of(p) == table and p.row == row and p.column == column and words in p.message
        ]
        assert matches, f"not reported: {table} row {row} column {column!r}: {words}\n" + "\n".join(
            map(str, found)
        )
    assert len(found) == len(expected), "unexpected extra problems:\n" + "\n".join(map(str, found))


def test_every_problem_of_the_broken_csv_folder_is_reported(broken_dir: Path) -> None:
    """All 26 deliberate errors and 3 warnings are reported with file, row and column."""
    scenario, problems = check_scenario(broken_dir)
    assert scenario is None
    _assert_reported(problems, EXPECTED_ERRORS, "error")
    _assert_reported(problems, EXPECTED_WARNINGS, "warning")


def folder_to_workbook(folder: Path, path: Path) -> Path:
    """Copy a CSV scenario cell by cell into one workbook, as a planner pasting into Excel would."""
    book = Workbook()
    book.remove(book.active)
    settings = tomllib.loads((folder / "settings.toml").read_text(encoding="utf-8"))
    offices = settings.pop("offices", [])
    sheet = book.create_sheet("settings")
    sheet.append(["key", "value"])
    for key, value in settings.items():
        sheet.append([key, str(value)])
    sheet = book.create_sheet("offices")
    sheet.append(["id", "name", "lon", "lat"])
    for office in offices:
        sheet.append([str(office[k]) for k in ("id", "name", "lon", "lat")])
    for file in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(file.stem)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    book.save(path)
    return path


def test_every_problem_of_the_broken_workbook_is_reported(broken_dir: Path, tmp_path: Path) -> None:
    """The same broken scenario as one XLSX workbook reports the same problems at the same rows."""
    workbook = folder_to_workbook(broken_dir, tmp_path / "broken.xlsx")
    scenario, problems = check_scenario(workbook)
    assert scenario is None
    assert all(p.file.startswith("broken.xlsx[") for p in problems)
    _assert_reported(problems, EXPECTED_ERRORS, "error")
    _assert_reported(problems, EXPECTED_WARNINGS, "warning")


def test_load_raises_input_error_carrying_every_problem(broken_dir: Path) -> None:
    """load_scenario refuses a broken scenario whole, with every error in the exception."""
    with pytest.raises(InputError) as caught:
        load_scenario(broken_dir)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == len(EXPECTED_ERRORS)
    assert "26 problem(s)" in str(caught.value)


def test_csv_folder_and_workbook_load_equal(tiny_dir: Path, tmp_path: Path) -> None:
    """The same scenario as a CSV folder, a pasted workbook and a written workbook loads equal."""
    from_csv = load_scenario(tiny_dir)
    pasted = load_scenario(folder_to_workbook(tiny_dir, tmp_path / "pasted.xlsx"))
    written = load_scenario(write_scenario(from_csv, tmp_path / "written.xlsx"))
    assert from_csv == pasted == written


def test_written_csv_folder_reads_back_equal(tiny_dir: Path, tmp_path: Path) -> None:
    """write_scenario to a CSV folder and back loses nothing."""
    scenario = load_scenario(tiny_dir)
    assert load_scenario(write_scenario(scenario, tmp_path / "copy")) == scenario


def test_zip_of_a_csv_folder_loads(tiny_dir: Path, tmp_path: Path) -> None:
    """A zipped folder (the app's upload) loads like the folder, even inside a sub-folder."""
    archive = tmp_path / "scenario.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in tiny_dir.iterdir():
            zipped.write(file, f"tiny/{file.name}")
    assert load_scenario(archive) == load_scenario(tiny_dir)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_bom_and_gbk_files_read_like_utf8(tiny_dir: Path, tmp_path: Path, encoding: str) -> None:
    """UTF-8 with BOM and GBK (Chinese Excel exports) decode to the same Chinese names."""
    copy = tmp_path / "copy"
    shutil.copytree(tiny_dir, copy)
    for name in ("departments.csv", "items.csv"):
        text = (tiny_dir / name).read_text(encoding="utf-8")
        (copy / name).write_bytes(text.encode(encoding))
    scenario, problems = check_scenario(copy)
    assert scenario == load_scenario(tiny_dir)
    assert scenario.department("market").name_zh == "市场监管"
    gbk_warnings = [p for p in problems if "GBK" in p.message]
    assert len(gbk_warnings) == (2 if encoding == "gbk" else 0)


def test_missing_required_table_is_an_error(tiny_dir: Path, tmp_path: Path) -> None:
    """A folder without businesses.csv names the missing file."""
    copy = tmp_path / "copy"
    shutil.copytree(tiny_dir, copy)
    (copy / "businesses.csv").unlink()
    _, problems = check_scenario(copy)
    assert any(p.file == "businesses.csv" and "missing" in p.message for p in problems)


def test_corrupt_workbook_is_reported_not_raised(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook gives one clear problem."""
    bad = tmp_path / "scenario.xlsx"
    bad.write_bytes(b"this is not a zip archive")
    scenario, problems = check_scenario(bad)
    assert scenario is None
    assert [p.message.split(":")[0] for p in problems] == ["not a readable .xlsx workbook"]


def test_workbook_missing_sheets_and_stray_cells(tiny_dir: Path, tmp_path: Path) -> None:
    """A workbook without its inspectors sheet, and a value right of the last column, are named."""
    from openpyxl import load_workbook

    path = folder_to_workbook(tiny_dir, tmp_path / "t.xlsx")
    book = load_workbook(path)
    del book["inspectors"]
    book["businesses"]["K3"] = "stray"
    book.save(path)
    _, problems = check_scenario(path)
    assert any(p.file == "t.xlsx[inspectors]" and "missing" in p.message for p in problems)
    assert any(
        p.file == "t.xlsx[businesses]" and p.row == 3 and "stray" in p.message for p in problems
    )


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, check=False
    )


def test_cli_validate_broken_exits_2_without_traceback(broken_dir: Path) -> None:
    """`planner validate` lists every problem with its place and exits 2, never a traceback."""
    result = _run_cli("validate", str(broken_dir))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "businesses.csv, row 5, column 'risk'" in result.stdout
    assert result.stdout.count("ERROR") == len(EXPECTED_ERRORS)


def test_cli_validate_valid_prints_counts(tiny_dir: Path) -> None:
    """A valid scenario exits 0 and prints a count per table."""
    result = _run_cli("validate", str(tiny_dir))
    assert result.returncode == 0, result.stdout
    assert "valid" in result.stdout
    assert "businesses        3" in result.stdout


def test_cli_validate_missing_path_exits_2(tmp_path: Path) -> None:
    """A path that does not exist is a clear input problem, not a crash."""
    result = _run_cli("validate", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "not found" in result.stdout
