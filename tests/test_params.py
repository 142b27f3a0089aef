"""The params TOML file: every table read, every unknown table and key an error (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.errors import InputError
from planner.params import PlanParams, SolveParams, TeamParams, read_params


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_params_file_reads_every_table(tmp_path: Path) -> None:
    """[plan], [solve] and [teams] each reach their dataclass; a missing table keeps defaults."""
    path = _toml(tmp_path, "[plan]\npull_forward_days = 7\n[solve]\ntime_limit_s = 2.5\n"
                 "[teams]\nmax_size = 2\n")  # fmt: skip
    found = read_params(path)
    assert found.plan == PlanParams(pull_forward_days=7)
    assert found.solve == SolveParams(time_limit_s=2.5)
    assert found.teams == TeamParams(max_size=2)
    assert read_params(None).teams == TeamParams()


def test_params_file_lists_every_unknown_table_and_key(tmp_path: Path) -> None:
    """An unknown table, an unknown key in a known table, and a key outside every table that no
    table knows are each listed, with the file and where; nothing is silently ignored."""
    path = _toml(tmp_path, "stray = 1\n[plan]\nbogus = 1\n[solver]\ntime_limit_s = 2\n"
                 "[teams]\nsize = 3\nmax_size = 99\n")  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_params(path)
    found = {(p.file, p.column) for p in caught.value.problems}
    assert found == {
        ("params.toml", "stray"),
        ("params.toml", "[plan] bogus"),
        ("params.toml", "[solver]"),
        ("params.toml", "[teams] size"),
        ("params.toml", "[teams] max_size"),
    }


def test_a_key_outside_the_tables_goes_to_the_table_that_knows_it(tmp_path: Path) -> None:
    """A flat file still works: each key goes to the one dataclass that has it; a key two of them
    have (``draw_seed``) must say which table."""
    found = read_params(_toml(tmp_path, "time_limit_s = 3\nmax_size = 2\n"))
    assert (found.solve.time_limit_s, found.teams.max_size) == (3.0, 2)
    with pytest.raises(InputError, match="draw_seed"):
        read_params(_toml(tmp_path, "draw_seed = 3\n"))


def test_plan_command_uses_the_teams_table(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --params` with ``[teams] max_size = 2``: no route of the tiny week has all three
    officers (the table was ignored and the default maximum of three let o3 join o1 + o2)."""
    path = _toml(tmp_path, "[solve]\ntime_limit_s = 2\n[teams]\nmax_size = 2\n")
    out = tmp_path / "plan"
    args = ["plan", str(tiny_dir), "--params", str(path), "--out", str(out), "--no-baseline"]
    assert main([*args, "--quiet"]) == 0
    routes = json.loads((out / "plan.json").read_text(encoding="utf-8"))["routes"]
    assert routes and all(len(r["officers"]) == 2 for r in routes)


def test_plan_command_refuses_a_params_file_with_an_unknown_table(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --params` with a misspelt ``[team]`` table exits 2 and names it."""
    path = _toml(tmp_path, "[team]\nmin_size = 3\n")
    args = ["plan", str(tiny_dir), "--params", str(path), "--out", str(tmp_path / "p")]
    assert main([*args, "--no-baseline", "--quiet"]) == 2
    assert "[team]" in capsys.readouterr().out


def test_part_visits_knob_is_read_and_checked(tmp_path: Path) -> None:
    """``[solve] part_visits`` switches part visits off; an unknown value is an error naming
    the key and the allowed values."""
    assert read_params(_toml(tmp_path, '[solve]\npart_visits = "off"\n')).solve.part_visits == "off"
    assert SolveParams().part_visits == "auto"
    with pytest.raises(InputError, match="part_visits.*must be one of auto, always, off"):
        read_params(_toml(tmp_path, '[solve]\npart_visits = "sometimes"\n'))
