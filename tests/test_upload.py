"""Uploaded scenarios: saved under a generated name in a private temp dir, archives capped in size."""

from __future__ import annotations

import io
import stat
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from planner import InputError, check_scenario, write_scenario
from planner.load import (
    MAX_ARCHIVE_MEMBERS,
    MAX_TABLE_LINES,
    MAX_UNCOMPRESSED_BYTES,
    check_upload,
    load_upload,
    private_copy,
)

MIB = 2**20


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
    return buffer.getvalue()


def _zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written in chunks (compresses about 1000:1)."""
    chunk = bytes(MIB)
    with archive.open(name, "w", force_zip64=True) as member:
        for _ in range(size // MIB):
            member.write(chunk)
        member.write(bytes(size % MIB))


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tempfile`` writes under tmp_path/tmp so a test sees every file an upload leaves behind."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_an_upload_named_with_dot_dot_writes_nothing_outside_and_leaves_nothing(
    tiny_dir: Path, tmp_path: Path, private_tmp: Path
) -> None:
    """'../../evil.zip' loads from a generated name; no 'evil.zip' appears and the temp dir is gone."""
    scenario = load_upload("../../evil.zip", _zip_folder(tiny_dir))
    assert len(scenario.businesses) == 3
    assert list(private_tmp.iterdir()) == []
    assert not list(tmp_path.parent.rglob("evil.zip"))


def test_problems_of_an_upload_name_the_uploaded_file_not_the_temp_copy(
    tiny_dir: Path, tmp_path: Path, private_tmp: Path
) -> None:
    """A broken upload's problems say 'week.xlsx[businesses]', without any folder of the browser's."""
    book = tmp_path / "book.xlsx"
    write_scenario(check_scenario(tiny_dir)[0], book)  # type: ignore[arg-type]
    wb = load_workbook(book)
    wb["businesses"]["G2"] = "extreme"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InputError) as caught:
        load_upload("C:\\Users\\me\\../week.xlsx", out.getvalue())
    files = {p.file for p in caught.value.problems}
    assert "week.xlsx[businesses]" in files, files
    assert list(private_tmp.iterdir()) == []


def test_the_private_copy_is_mode_0700_named_by_us_and_removed(private_tmp: Path) -> None:
    """Inside the context the folder is 0700 and the file has our name; afterwards both are gone."""
    with private_copy(b"PK", ".zip") as path:
        assert path.parent.parent == private_tmp
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
        assert path.name == "upload.zip"
        assert path.read_bytes() == b"PK"
    assert not path.parent.exists()
    assert list(private_tmp.iterdir()) == []


def test_an_upload_of_another_kind_is_a_problem_not_a_file(private_tmp: Path) -> None:
    """'../x.exe' is refused by its suffix before anything is written."""
    scenario, problems = check_upload("../x.exe", b"MZ")
    assert scenario is None
    assert [(p.file, p.row, p.column) for p in problems] == [("x.exe", 0, "")]
    assert ".zip" in problems[0].message
    assert list(private_tmp.iterdir()) == []


# ---------------------------------------------------------------------------- archive caps


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    """A small zip declaring more than the cap uncompressed is refused before reading any member."""
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        _zeros_member(archive, "businesses.csv", MAX_UNCOMPRESSED_BYTES + MIB)
    assert bomb.stat().st_size < MAX_UNCOMPRESSED_BYTES // 100
    scenario, problems = check_scenario(bomb)
    assert scenario is None
    assert [(p.file, p.row, p.column) for p in problems] == [("bomb.zip", 0, "")]
    assert "uncompressed" in problems[0].message


def _lie_about_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size of member ``name`` in both its headers to ``size``."""
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    while local != -1:
        n = struct.unpack_from("<H", out, local + 26)[0]
        if bytes(out[local + 30 : local + 30 + n]) == name:
            struct.pack_into("<I", out, local + 22, size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        n = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + n]) == name:
            struct.pack_into("<I", out, central + 24, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_zip_whose_headers_lie_about_size_is_reported_not_raised(
    tiny_dir: Path, tmp_path: Path
) -> None:
    """Headers claiming 10 bytes for a 4 MiB member: reading stops at the claim; the member is a
    problem (its checksum fails), never a traceback."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(tiny_dir.iterdir()):
            if file.name != "history.csv":
                archive.write(file, file.name)
        _zeros_member(archive, "history.csv", 4 * MIB)
    lying = tmp_path / "lying.zip"
    lying.write_bytes(_lie_about_sizes(buffer.getvalue(), b"history.csv", 10))
    scenario, problems = check_scenario(lying)
    assert scenario is None
    errors = [(p.file, p.row, p.column) for p in problems if p.severity == "error"]
    assert errors == [("history.csv", 0, "")], problems


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    """More members than the cap (a classic of overlapping-file bombs) is refused by count."""
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(MAX_ARCHIVE_MEMBERS + 1):
            archive.writestr(f"f{n}.txt", b"")
    scenario, problems = check_scenario(many)
    assert scenario is None
    assert [(p.file, p.row, p.column) for p in problems] == [("many.zip", 0, "")]
    assert "members" in problems[0].message


def test_an_xlsx_bomb_is_refused_before_openpyxl_opens_it(tmp_path: Path) -> None:
    """A workbook is a zip: a sheet inflating past the cap is refused with the workbook's name."""
    book = tmp_path / "bomb.xlsx"
    Workbook().save(book)
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive:
        _zeros_member(archive, "xl/worksheets/sheet9.xml", MAX_UNCOMPRESSED_BYTES + MIB)
    scenario, problems = check_scenario(book)
    assert scenario is None
    assert [(p.file, p.row, p.column) for p in problems] == [("bomb.xlsx", 0, "")]
    assert "uncompressed" in problems[0].message


def test_a_csv_line_longer_than_any_table_needs_is_refused(tiny_dir: Path, tmp_path: Path) -> None:
    """A megabyte of commas on one line (millions of empty fields) is one problem, not a parse."""
    folder = tmp_path / "wide"
    folder.mkdir()
    for file in tiny_dir.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    with (folder / "history.csv").open("a") as handle:
        handle.write("," * MIB + "\n")
    scenario, problems = check_scenario(folder)
    assert scenario is None
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.file, p.row) for p in errors] == [("history.csv", 5)], errors


def test_a_zip_of_nothing_but_newlines_is_refused_by_line_count(
    tiny_dir: Path, tmp_path: Path
) -> None:
    """A few KiB of zipped blank lines (millions of them) is one problem, not minutes of parsing."""
    flood = tmp_path / "flood.zip"
    with zipfile.ZipFile(flood, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(tiny_dir.iterdir()):
            if file.name != "history.csv":
                archive.write(file, file.name)
        with archive.open("history.csv", "w") as member:
            member.write(b"business,item,date,result\n")
            for _ in range(MAX_TABLE_LINES // MIB + 1):
                member.write(b"\n" * MIB)
    assert flood.stat().st_size < 32 * 1024
    scenario, problems = check_scenario(flood)
    assert scenario is None
    errors = [(p.file, p.row, p.column) for p in problems if p.severity == "error"]
    assert errors == [("history.csv", MAX_TABLE_LINES + 1, "")], problems
