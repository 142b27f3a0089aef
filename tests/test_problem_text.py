"""Problems in 简体中文: every problem loading and validating a scenario reports has a message code
and parameters, and renders in Chinese from them (``planner.i18n.PROBLEM_TEMPLATES``).

The fault suite's planted faults (``tests/test_faults.py``: every named fault in every form it is
planted in, and every broken container) are run through ``check_scenario`` / ``check_upload``; each
problem must have a code whose Chinese template is filled from its parameters and leaves no English
words: only the values quoted from the data (“…”: ids, cells, file and column names) and the names
of file formats (CSV, TOML, UTF-8, GBK, Excel, .zip, .xlsx) may be in Latin letters.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_faults import ARCHIVE_FAULTS, FAULTS, TINY, UPLOAD, Fault, validate

from planner import check_scenario, check_upload
from planner.errors import BadValue, Message, Problem
from planner.hours import parse_opening_hours
from planner.i18n import PROBLEM_TEMPLATES, problem_fields, problem_text
from planner.load import MAX_UPLOAD_BYTES
from planner.validate import MAX_MESSAGE_CHARS
from planner.views import problems_frame

PLANNER = Path(__file__).resolve().parents[1] / "planner"
QUOTED = re.compile(r"“[^”]*”")
FORMATS = re.compile(r"\.?\b(?:CSV|TOML|UTF-8|GBK|Excel|zip|xlsx)\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_left(zh: str) -> list[str]:
    """The Latin words of a Chinese text once quoted values and file-format names are taken out."""
    return re.findall(r"[A-Za-z]+", FORMATS.sub("", QUOTED.sub("", zh)))


def assert_chinese(problem: Problem) -> None:
    """``problem`` has a code with templates in both languages, filled from its parameters; its
    English is the template's; its Chinese has no English words left."""
    assert problem.code in PROBLEM_TEMPLATES, f"no code: {problem}"
    given_params = {key for key, _ in problem.params}
    for lang in ("en", "zh"):
        missing = problem_fields(problem.code, lang) - given_params
        assert not missing, f"{problem.code} [{lang}] lacks {missing}: {problem}"
    english = problem_text(problem.code, problem.params, "en")
    cut = problem.message.endswith("…") and english.startswith(problem.message[:-1])
    assert english == problem.message or cut, (english, problem.message)
    zh = problem_text(problem.code, problem.params, "zh")
    assert CJK.search(zh), zh
    assert not english_left(zh), f"{problem.code}: English left in {zh!r}"


def _form_cases() -> list[object]:
    return [pytest.param(fault, form, id=f"{fault.name}[{form}]") for fault in FAULTS
            for form in fault.forms]  # fmt: skip


@pytest.mark.parametrize(("fault", "form"), _form_cases())
def test_every_problem_of_a_planted_fault_reads_in_chinese(
    fault: Fault, form: str, tmp_path: Path
) -> None:
    """Each problem a planted fault yields (in each form it is planted in) has a code and reads in
    Chinese with only the data's values left as they are."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    fault.plant(folder)
    _, problems = validate(folder, form)
    assert problems
    for problem in problems:
        assert_chinese(problem)


@pytest.mark.parametrize("fault", ARCHIVE_FAULTS, ids=lambda f: f.name)
def test_every_problem_of_a_broken_container_reads_in_chinese(
    fault: object, tmp_path: Path
) -> None:
    """A broken, doubled or oversized zip or workbook: its problems read in Chinese too."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    _, problems = check_upload(UPLOAD[fault.form], fault.build(folder))  # type: ignore[attr-defined]
    assert problems
    for problem in problems:
        assert_chinese(problem)


def test_a_missing_path_an_oversized_upload_and_capped_tables_read_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The problems the fault suite cannot plant in a folder: a path that is not there, an upload
    over 64 MiB, and tables over the row and line caps (lowered here to 1 row and 2 lines)."""
    import planner.load

    found = [check_scenario(tmp_path / "nowhere")[1]]
    found.append(check_upload("big.zip", bytes(MAX_UPLOAD_BYTES + 1))[1])
    with monkeypatch.context() as patch:
        patch.setattr(planner.load, "MAX_TABLE_ROWS", 1)
        found.append(check_scenario(TINY)[1])
    with monkeypatch.context() as patch:
        patch.setattr(planner.load, "MAX_TABLE_LINES", 2)
        found.append(check_scenario(TINY)[1])
    codes = [sorted({p.code for p in problems}) for problems in found]
    assert codes[0] == ["scenario_not_found"]
    assert codes[1] == ["upload_too_large"]
    assert "too_many_rows" in codes[2] and "too_many_lines" in codes[3]
    for problems in found:
        for problem in problems:
            assert_chinese(problem)


def test_an_upload_is_named_as_uploaded_in_its_problems(tmp_path: Path) -> None:
    """A zip holding a table twice names the uploaded file, never the temporary copy's name."""
    (fault,) = [f for f in ARCHIVE_FAULTS if f.name == "zip_table_twice_in_two_folders"]
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    _, problems = check_upload("县城数据.zip", fault.build(folder))
    (twice,) = [p for p in problems if p.code == "table_twice"]
    assert "in 县城数据.zip (" in twice.message
    assert "“县城数据.zip”中有 2 个文件" in problem_text(twice.code, twice.params, "zh")


def test_every_template_says_the_same_in_both_languages() -> None:
    """The English and the Chinese template of a code use the same parameters (the column's
    description is ``doc`` in English and ``doc_zh`` in Chinese)."""
    for code in PROBLEM_TEMPLATES:
        en = problem_fields(code, "en") - {"doc"}
        zh = problem_fields(code, "zh") - {"doc_zh"}
        assert en == zh, code


def test_no_chinese_template_holds_english_words() -> None:
    """Every Chinese template's own words (its placeholders aside), every Chinese column
    description, and the Chinese words for hours-grammar rules and table things are Chinese: Latin
    letters only inside “…” (a column name, a value to type) or in a file-format name."""
    import string

    from planner.i18n import HOURS_RULES, PROBLEM_NOUNS
    from planner.tables import SCHEMA

    texts = {
        code: "".join(literal for literal, *_ in string.Formatter().parse(zh))
        for code, (_, zh) in PROBLEM_TEMPLATES.items()
    }
    texts |= {f"{t}.{c.name}": c.doc_zh for t, columns in SCHEMA.items() for c in columns}
    texts |= {rule: zh for rule, (_, zh) in HOURS_RULES.items()}
    texts |= {noun: zh for noun, zh in PROBLEM_NOUNS.items()}
    assert {name: english_left(text) for name, text in texts.items() if english_left(text)} == {}


def test_every_code_is_used_where_problems_are_made() -> None:
    """No template is dead: each code is written where problems are made."""
    source = "\n".join(
        (PLANNER / name).read_text(encoding="utf-8")
        for name in ("validate.py", "load.py", "hours.py", "params.py", "travel.py", "cli.py")
    )
    unused = [code for code in PROBLEM_TEMPLATES if f'"{code}"' not in source]
    assert not unused


@given(
    code=st.sampled_from(sorted(PROBLEM_TEMPLATES)),
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20),
)
def test_a_value_from_the_data_shows_as_it_is_in_chinese(code: str, value: str) -> None:
    """Whatever a value from the data is, the Chinese text renders and shows it unchanged."""
    quoted = {"value", "id", "token", "hours", "category", "certification", "item", "department",
              "where", "team", "first", "second", "detail"}  # fmt: skip
    fields = problem_fields(code, "zh") | problem_fields(code, "en")
    params = {name: value if name in quoted else "7" for name in fields}
    params["expected"] = "EOI"
    zh = problem_text(code, params, "zh")
    if quoted & problem_fields(code, "zh"):
        assert value in zh


def test_opening_hours_errors_carry_their_token_and_position() -> None:
    """An unreadable opening-hours cell: the token, its position, what was expected and how the
    readable aliases were read, all as parameters; the Chinese names the same token."""
    with pytest.raises(BadValue) as caught:
        parse_opening_hours("周一-周五 09:00-12:00 x")
    message = caught.value.message
    assert message.code == "hours_syntax"
    assert dict(message.params)["token"] == "x"
    assert dict(message.params)["read_as"] == "Mo-Fr 09:00-12:00 x"
    assert str(caught.value) == (
        "cannot read 'x' at character 19: expected the end, ';', or open/off/closed "
        "(read as 'Mo-Fr 09:00-12:00 x')"
    )
    assert problem_text(message.code, message.params, "zh") == (
        "无法识别第 19 个字符处的“x”：此处应为结尾、“;”或“open”/“off”/“closed”"
        "（按“Mo-Fr 09:00-12:00 x”识别）"
    )


def test_problems_frame_shows_chinese_and_english() -> None:
    """The app's problems table says a coded problem in the chosen language; a problem with no
    code (none is made so any more) falls back to its English."""
    coded = Problem.of("businesses.csv", 3, "risk", Message.of("not_one_of", value="extreme",
                                                                allowed="low, medium, high"))  # fmt: skip
    plain = Problem("roads.pbf", 0, "", "a library said so")
    zh = problems_frame([coded, plain], "zh")
    assert list(zh["problem"]) == ["“extreme”不是以下值之一：“low”、“medium”、“high”",
                                   "a library said so"]  # fmt: skip
    assert list(zh["severity"]) == ["错误", "错误"]
    assert list(zh["column"]) == ["risk", ""]
    en = problems_frame([coded, plain], "en")
    assert list(en["problem"]) == [
        "'extreme' is not one of: low, medium, high",
        "a library said so",
    ]


def test_a_huge_value_is_cut_in_the_chinese_table() -> None:
    """A 5,000-character id quoted in a problem is cut in Chinese as in English."""
    problem = Problem.of("items.csv", 4, "id", Message.of("duplicate_id", id="x" * 5000, first=2))
    (text,) = problems_frame([problem], "zh")["problem"]
    assert len(text) == MAX_MESSAGE_CHARS and text.endswith("…")


# Every bad value of every planning parameter that has a range (planner.params), at once.
BAD_PARAMS = {
    "plan": {"pull_forward_days": -1, "pull_forward_share": 2.0, "same_department_saving": 1.0,
             "overdue_cap_days": 9999},
    "solve": {"time_limit_s": 0.0, "seed": -1, "first_solution": "fastest", "workload_balance": -1,
              "duration_cost": -1, "drop_penalty": 0, "decomposition": "by-mood",
              "whole_week_max_visits": -1, "area_split_visits": 1, "carry_over_share": 11.0,
              "engine": "abacus", "part_visits": "sometimes"},
    "teams": {"min_size": 1, "max_size": 9, "min_overlap_minutes": 2000,
              "travel_minutes_per_visit": 999, "rotation_weight": -1, "idle_weight": -1,
              "extra_member_weight": -1, "stability_weight": -1, "time_limit_seconds": 0.0,
              "gap_limit": 0.9, "workers": 0, "rounds": 0, "rounds_budget_seconds": 0.0,
              "boost_factor": 0},
}  # fmt: skip


def _params_problems(source: object) -> tuple[Problem, ...]:
    from planner.errors import InputError
    from planner.params import read_params

    with pytest.raises(InputError) as caught:
        read_params(source)  # type: ignore[arg-type]
    return caught.value.problems


def test_every_bad_planning_parameter_reads_in_chinese() -> None:
    """The Settings page's and a params file's problems had no code and showed in English in
    the Chinese app: every range check of [plan], [solve] and [teams] now has one."""
    problems = _params_problems(BAD_PARAMS)
    expected = {f"[{table}] {key}" for table, keys in BAD_PARAMS.items() for key in keys}
    assert {p.column for p in problems} == expected
    for problem in problems:
        assert_chinese(problem)
    (days,) = [p for p in problems if p.column == "[plan] pull_forward_days"]
    assert days.message == "must be 0–365 days"
    assert problem_text(days.code, days.params, "zh") == "须在 0–365 天 之间"


def test_a_broken_params_file_reads_in_chinese(tmp_path: Path) -> None:
    """A params file that is not there, is not TOML, names an unknown table or key, puts a key
    two tables share outside them, or gives a value of the wrong type: each problem has a
    code and reads in Chinese."""
    found = list(_params_problems(tmp_path / "nowhere.toml"))
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan\n", encoding="utf-8")
    found += _params_problems(broken)
    typed = tmp_path / "typed.toml"
    typed.write_text(
        'stray = 1\ndraw_seed = 2\n[solver]\nx = 1\n[plan]\nbogus = 1\ndesk_review = "yes"\n'
        'pull_forward_days = 1.5\npull_forward_share = "half"\ndraw_epoch = "soon"\n'
        "[solve]\nengine = 3\n",
        encoding="utf-8",
    )
    found += _params_problems(typed)
    codes = {p.code for p in found}
    assert codes == {
        "file_not_found", "not_toml", "unknown_parameter_anywhere", "parameter_in_two_tables",
        "unknown_table", "unknown_parameter", "not_true_false", "not_whole_number",
        "not_number", "not_date", "not_text",
    }  # fmt: skip
    for problem in found:
        assert_chinese(problem)


def test_road_network_problems_read_in_chinese(tmp_path: Path) -> None:
    """`planner validate --roads` / `plan --roads`: a point off the road network or on a piece of
    road cut off from the rest, a road file that is missing, is a folder, is not a PBF file or
    has no drivable road, bad speeds, and points out of range each have a code (they were
    English only)."""
    from test_travel import one_street

    from planner.errors import InputError
    from planner.travel import RoadWarning, resolve_speeds, road_matrix, straight_line_matrix

    found = [
        Problem.of("businesses.csv", 3, "lon", RoadWarning("b1", 1234, 6, True).coded, "warning"),
        Problem.of("businesses.csv", 4, "lon", RoadWarning("b2", 80, 9, False).coded, "warning"),
    ]
    assert found[0].message.startswith("b1: 1,234 m from the nearest road of the network; 6 trips")
    not_pbf = tmp_path / "roads.osm.pbf"
    not_pbf.write_text("this is not a protobuf file", encoding="utf-8")
    footway = one_street(tmp_path, highway="footway")
    calls = [
        lambda: road_matrix(tmp_path / "nowhere.osm.pbf", [(0.0, 0.0)]),
        lambda: road_matrix(tmp_path, [(0.0, 0.0)]),
        lambda: road_matrix(not_pbf, [(0.0, 0.0)]),
        lambda: road_matrix(footway, [(0.0, 0.0), (0.001, 0.0)]),
        lambda: road_matrix(footway, [(0.0, 0.0)], max_snap_metres=-1.0),
        lambda: resolve_speeds({"residential": 0, "primary": "fast"}),
        lambda: straight_line_matrix([(0.0, 0.0)], speed_kmh=0.0, circuity=0.5),
        lambda: straight_line_matrix([(200.0, 95.0)]),
    ]
    for call in calls:
        with pytest.raises(InputError) as caught:
            call()
        found += caught.value.problems
    assert {p.code for p in found} >= {
        "road_off_network", "road_disconnected", "road_file_not_found", "not_a_file", "not_pbf",
        "no_drivable_roads", "must_be_at_least", "road_speed", "speed_not_positive",
        "circuity_below_one", "longitude_outside", "latitude_outside",
    }  # fmt: skip
    for problem in found:
        assert_chinese(problem)


def test_outcome_file_problems_read_in_chinese(tmp_path: Path) -> None:
    """`planner db record`: a missing outcomes file, and a status, result or date that cannot be
    read, each have a code; a bad status lists the allowed ones (it said Python's
    ``'finished' is not a valid OutcomeStatus``)."""
    from planner.cli import _read_outcomes
    from planner.errors import InputError

    with pytest.raises(InputError) as caught:
        _read_outcomes(tmp_path / "nowhere.csv")
    found = list(caught.value.problems)
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "business,item,date,status,result,note\nb1,food,2026-11-31,finished,great,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        _read_outcomes(path)
    found += caught.value.problems
    assert [(p.code, p.column) for p in found] == [
        ("outcomes_not_found", ""),
        ("not_one_of", "status"),
        ("not_one_of", "result"),
        ("not_date", "date"),
    ]
    assert "not a valid" not in found[1].message and "done" in found[1].message
    for problem in found:
        assert_chinese(problem)
