"""Formula injection: text beginning with = + - @ tab or CR never becomes a live spreadsheet formula.

A business named ``=HYPERLINK("http://x","y")`` is planned and exported; every workbook and CSV the
planner writes is read back (OWASP "CSV injection": text cells get a leading ``'``; in workbooks the
cell is stored as text with Excel's quote prefix). Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from planner import SolveParams, load_scenario, plan_week, write_scenario
from planner.export import export_plan, export_zip_bytes, neutralise_formula
from planner.formulas import FORMULA_TRIGGERS, unquote_formula

HYPERLINK = '=HYPERLINK("http://x","y")'
#: (file, id of the row, column, hostile value)
HOSTILE = [
    ("businesses.csv", "b1", "name", HYPERLINK),
    ("businesses.csv", "b2", "address", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("businesses.csv", "b1", "phone", "+86 571 (8888) =1"),
    ("items.csv", "food", "title", "-2+3+cmd|' /C calc'!A0"),
    ("items.csv", "extinguisher", "legal_basis", "\t=1+1"),
    ("departments.csv", "fire", "name", "\r=1+1"),
    ("inspectors.csv", "o2", "name", "=cmd|' /C notepad'!A1"),
]


def _set(folder: Path, file: str, key: str, column: str, value: str) -> None:
    """Set one cell of a scenario CSV (the row whose first column is ``key``)."""
    path = folder / file
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    col = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == key:
            row[col] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario with a formula in a name, an address, a phone, titles and a legal basis."""
    folder = tmp_path_factory.mktemp("hostile") / "scenario"
    shutil.copytree(Path(__file__).parent / "fixtures" / "tiny", folder)
    for file, key, column, value in HOSTILE:
        _set(folder, file, key, column, value)
    return folder


@pytest.fixture(scope="module")
def exported(hostile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every export of a real plan of the hostile scenario."""
    scenario = load_scenario(hostile_dir)
    assert scenario.business("b1").name == HYPERLINK  # loading keeps the text as typed
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=2.0))
    assert any(s.visit.business_id == "b1" for r in plan.routes for s in r.stops)
    return export_plan(plan, scenario, tmp_path_factory.mktemp("out"), secret="test")


def _is_live(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) and neutralise_formula(text) != text


def _workbook_cells(data: bytes) -> list[object]:
    book = load_workbook(io.BytesIO(data))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert cells
    return cells


def _assert_no_formula_in_workbook(data: bytes) -> list[str]:
    """No formula cell; a text cell beginning with a trigger carries Excel's quote prefix."""
    texts = []
    for cell in _workbook_cells(data):
        assert cell.data_type != "f", (cell.coordinate, cell.value)  # type: ignore[attr-defined]
        value = cell.value  # type: ignore[attr-defined]
        if isinstance(value, str):
            texts.append(value)
            if _is_live(value):
                assert cell.quotePrefix, (cell.coordinate, value)  # type: ignore[attr-defined]
    return texts


def _assert_no_formula_in_csv(data: bytes) -> list[str]:
    fields = [f for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for f in row]
    live = [f for f in fields if _is_live(f)]
    assert not live, live
    return fields


def test_neutralise_prefixes_text_and_keeps_numbers() -> None:
    """= + - @ tab CR at the start of text get a ' ; numbers (as numbers or as text) do not."""
    assert neutralise_formula(HYPERLINK) == "'" + HYPERLINK
    for text in ("+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-", "+86 571 8888"):
        assert neutralise_formula(text) == "'" + text
    for kept in ("-5", "+3.25", "-1e3", "-.5", "Noodle house", "", "a=b", -5, -2.5, None):
        assert neutralise_formula(kept) == kept


@given(st.text(alphabet=st.sampled_from("=+-@'\t\r0123456789.eE ax"), max_size=8) | st.text())
def test_quoting_is_undone_exactly_and_leaves_nothing_live(text: str) -> None:
    """For any text: the exported form never runs as a formula, and loading gives the text back
    (also text that itself begins with ' or '')."""
    quoted = neutralise_formula(text)
    assert not _is_live(quoted) or quoted.startswith("'")
    assert not (quoted.startswith(FORMULA_TRIGGERS) and quoted != text)
    assert unquote_formula(quoted) == text


def test_text_beginning_with_a_quote_reads_back_unchanged(
    hostile_dir: Path, tmp_path: Path
) -> None:
    """A CSV cell "'=1+1" reads as =1+1 (as a spreadsheet shows it); a name that really begins
    with "'=" is written "''=1+1"; both survive a CSV and a workbook round trip."""
    folder = tmp_path / "quoted"
    shutil.copytree(hostile_dir, folder)
    _set(folder, "businesses.csv", "b2", "name", "'=1+1")
    _set(folder, "businesses.csv", "b3", "name", "''-x")
    scenario = load_scenario(folder)
    assert scenario.business("b2").name == "=1+1"
    assert scenario.business("b3").name == "'-x"
    for out in (tmp_path / "csv", tmp_path / "s.xlsx"):
        assert load_scenario(write_scenario(scenario, out)) == scenario


def test_the_roster_workbook_has_no_formula(exported: list[Path]) -> None:
    """roster.xlsx: no formula cell; the hostile business name is there, as quoted text."""
    (roster,) = [p for p in exported if p.suffix == ".xlsx"]
    texts = _assert_no_formula_in_workbook(roster.read_bytes())
    assert HYPERLINK in texts


def test_every_csv_export_is_neutralised(exported: list[Path]) -> None:
    """stops/stop_items/unscheduled.csv: no field begins with a trigger unless it is a number."""
    csvs = [p for p in exported if p.suffix == ".csv"]
    assert len(csvs) == 3
    fields = [f for p in csvs for f in _assert_no_formula_in_csv(p.read_bytes())]
    assert "'" + HYPERLINK in fields


def test_the_everything_zip_holds_no_formula(hostile_dir: Path) -> None:
    """Every .xlsx and .csv inside the 'Everything (.zip)' download is neutralised too."""
    scenario = load_scenario(hostile_dir)
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=1.0))
    archive = zipfile.ZipFile(io.BytesIO(export_zip_bytes(plan, scenario, secret="test")))
    checked = 0
    for name in archive.namelist():
        if name.endswith(".xlsx"):
            _assert_no_formula_in_workbook(archive.read(name))
            checked += 1
        elif name.endswith(".csv"):
            _assert_no_formula_in_csv(archive.read(name))
            checked += 1
    assert checked == 4


def test_scenario_workbook_keeps_formula_text_as_text(hostile_dir: Path, tmp_path: Path) -> None:
    """write_scenario's .xlsx has no formula cell and reads back to the same scenario."""
    scenario = load_scenario(hostile_dir)
    book = write_scenario(scenario, tmp_path / "s.xlsx")
    texts = _assert_no_formula_in_workbook(book.read_bytes())
    assert HYPERLINK in texts
    assert load_scenario(book) == scenario


def test_scenario_csv_folder_is_neutralised_and_reads_back(
    hostile_dir: Path, tmp_path: Path
) -> None:
    """write_scenario's CSV files carry the ' prefix; loading strips it: the same scenario again."""
    scenario = load_scenario(hostile_dir)
    folder = write_scenario(scenario, tmp_path / "s")
    fields = [
        f for file in folder.glob("*.csv") for f in _assert_no_formula_in_csv(file.read_bytes())
    ]
    assert "'" + HYPERLINK in fields
    assert load_scenario(folder) == scenario


def test_negative_coordinates_stay_numbers(tiny_dir: Path, tmp_path: Path) -> None:
    """A township west of Greenwich: '-120.11' is written as a number, not as quoted text."""
    folder = tmp_path / "west"
    shutil.copytree(tiny_dir, folder)
    for file in folder.glob("*.csv"):
        file.write_text(file.read_text(encoding="utf-8").replace(",120.", ",-120."), "utf-8")
    settings = folder / "settings.toml"
    settings.write_text(settings.read_text().replace("lon = 120.1", "lon = -120.1"))
    scenario = load_scenario(folder)
    out = write_scenario(scenario, tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO((out / "businesses.csv").read_text(encoding="utf-8"))))
    assert [r["lon"] for r in rows] == ["-120.11", "-120.12", "-120.09"]
    assert load_scenario(out) == scenario
