"""The siloed floor (``planner.floor``) in the app: the Plan and Department pages say when the
plan uses the departments' routes and what it cost, the knob reaches the solve, and Solve shows
each day's teams as they are formed (AppTest, no browser).

The floor scenario is ``tests/test_floor.py``'s: two urban officers and one market officer in one
fixed team; jointly the trio chases the restaurants' complaints and covers fewer due obligations
than the urban pair alone, so the floor is adopted. It is written to disk as a scenario folder.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from planner.auth import PLANNER, Accounts, User
from planner.domain import Plan, Team
from planner.floor import FLOOR_ADOPTED, FLOOR_NO_MAPPING
from planner.store import Store
from planner.tables import write_scenario

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_floor import TRIO, _officer, _scenario  # noqa: E402

TINY = ROOT / "tests" / "fixtures" / "tiny"
PLANNER_USER = User("planner", PLANNER, "", "Planner")


@pytest.fixture(scope="module")
def floor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trio week (one fixed team of u1, u2, m1) as a scenario folder."""
    path = tmp_path_factory.mktemp("floor") / "trio"
    write_scenario(_scenario(TRIO, [Team("T", ("u1", "u2", "m1"))]), path)
    return path


def _app(monkeypatch: pytest.MonkeyPatch, db: Path, scenario: Path, page: str) -> AppTest:
    monkeypatch.setenv("PLANNER_SCENARIO", str(scenario))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PLANNER_TIME_LIMIT", "1")
    monkeypatch.setenv("PLANNER_SECRET", "app-test-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.session_state["user"] = PLANNER_USER
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    return app


def _solve(app: AppTest, label: str = "Solve") -> None:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception


def _floor(db: Path) -> dict[str, Any] | None:
    """The stored metrics' ``siloed_floor`` entry of plan 1."""
    with Accounts(f"sqlite:///{db}") as accounts:
        stored = accounts.plan_metrics(1)
    assert stored is not None
    return stored[1].get("siloed_floor")


def _plan(db: Path) -> Plan:
    with Store(f"sqlite:///{db}") as store:
        return store.load_plan(1)


def _notes(app: AppTest) -> list[str]:
    return [str(box.value) for box in [*app.info, *app.warning]]


def _n(floor: dict[str, Any], key: str) -> str:
    return f"{floor[key]:,.0f}"


def test_plan_page_says_the_floor_was_adopted_and_its_price(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, floor_dir: Path
) -> None:
    """Solving the trio week adopts the floor; the Plan page says in plain words that the
    departments alone covered more due obligations, how many this plan covers, what it costs in
    hard-deadline obligations and where to turn it off — and the Department page says it too."""
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, floor_dir, "plan")
    _solve(app)
    floor = _floor(db)
    assert floor is not None and floor["status"] == FLOOR_ADOPTED
    assert floor["due_joint"] < floor["due_siloed"]
    said = [n for n in _notes(app) if n.startswith("The departments alone")]
    assert len(said) == 1
    text = said[0]
    assert (
        f"would have covered more due obligations ({_n(floor, 'due_siloed')} vs "
        f"{_n(floor, 'due_joint')}), so this plan uses their routes with the joint teams: "
        f"{_n(floor, 'due_floor')} covered." in text
    )
    assert f"met {_n(floor, 'hard_floor')} (joint routing alone: {_n(floor, 'hard_joint')})" in text
    assert "untick “Never below the departments alone” under Settings" in text
    # Solve's log ends saying the routes are the departments' (the joint bar counted its own).
    visits = sum(len(r.stops) for r in _plan(db).routes)
    lines = [str(m.value) for m in app.status[0].markdown]
    assert lines[-1].startswith("The departments alone covered more due obligations: their")
    assert f"(the plan makes {visits} visits;" in lines[-1]
    app.switch_page("app_pages/department.py").run()
    assert not app.exception
    assert any(n.startswith("The departments alone would have covered") for n in _notes(app))


def test_floor_message_and_progress_in_chinese(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, floor_dir: Path
) -> None:
    """In 简体中文 the floor message and the formation lines are Chinese."""
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, floor_dir, "plan")
    app.segmented_control(key="lang").set_value("zh").run()
    app.switch_page("app_pages/plan.py").run()
    _solve(app, "求解")
    floor = _floor(db)
    assert floor is not None
    said = [n for n in _notes(app) if n.startswith("各部门单独检查可完成的到期任务更多")]
    assert len(said) == 1
    assert f"（{_n(floor, 'due_siloed')} 项，联合排线 {_n(floor, 'due_joint')} 项）" in said[0]
    assert f"完成 {_n(floor, 'due_floor')} 项到期任务" in said[0]
    assert "取消勾选“不低于各部门单独检查”" in said[0]
    lines = [str(m.value) for m in app.status[0].markdown]
    assert lines[0] == "11月23日 周一：组建 1 个检查组，共 3 名执法人员，0 人空闲"
    assert any(line.startswith("排线：") for line in lines)


def test_floor_knob_off_reaches_the_solve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, floor_dir: Path
) -> None:
    """Unticking "Never below the departments alone" in Settings is saved, becomes the Plan
    page's default and reaches ``SolveParams``: the trio week keeps its joint routes, the plan
    has no floor entry and no floor message is shown."""
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, floor_dir, "settings")
    app.checkbox(key="k_siloed_floor").uncheck()
    next(b for b in app.button if b.label == "Save planning settings").click().run()
    assert app.success[0].value == "Planning settings saved."
    app.switch_page("app_pages/plan.py").run()
    assert app.checkbox(key="siloed_floor").value is False
    _solve(app)
    assert _floor(db) is None
    assert "siloed_floor" not in dict(_plan(db).metrics)
    assert not [n for n in _notes(app) if "departments alone" in n]


def test_no_floor_message_when_not_needed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The tiny week's joint plan covers at least what the departments alone do: the floor is
    "not needed" and the page says nothing of it."""
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, TINY, "plan")
    _solve(app)
    floor = _floor(db)
    assert floor is not None and floor["status"] == 0
    assert not [n for n in _notes(app) if "departments alone" in n]


def test_solve_shows_each_days_teams_before_routing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, floor_dir: Path
) -> None:
    """Solve's status lists the day's teams as they are formed (as the CLI does), before the
    first routing line; without the baseline too."""
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, floor_dir, "plan")
    app.checkbox(key="baseline").uncheck()
    _solve(app)
    assert len(app.status) == 1
    lines = [str(m.value) for m in app.status[0].markdown]
    teams = [i for i, line in enumerate(lines) if line.startswith("Teams ")]
    routing = [i for i, line in enumerate(lines) if line.startswith("Routing ")]
    assert lines[teams[0]] == "Teams Mon 23 Nov: 1 team(s) of 3 officers, 0 idle"
    assert routing and teams[0] < routing[0]


def test_no_mapping_says_the_plan_stays_below(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two fixed mixed teams (u1 + m1, u2 + m2): no department's pair is inside one joint team,
    so the floor finds no mapping; the Plan page warns that this plan stays below the
    departments alone and why, instead of saying nothing."""
    officers = [*TRIO, _officer("m2", "market", "food")]
    teams = [Team("A", ("u1", "m1")), Team("B", ("u2", "m2"))]
    path = write_scenario(_scenario(officers, teams, restaurants=6), tmp_path / "pairs")
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, path, "plan")
    _solve(app)
    floor = _floor(db)
    assert floor is not None and floor["status"] == FLOOR_NO_MAPPING
    said = [str(w.value) for w in app.warning if "departments alone" in str(w.value)]
    assert said == [
        f"The departments alone would cover more due obligations ({_n(floor, 'due_siloed')} vs "
        f"{_n(floor, 'due_joint')}), but no department's team has all its officers in one joint "
        "team of its day, so their routes cannot be given to the joint teams: this plan stays "
        "below the departments alone."
    ]
