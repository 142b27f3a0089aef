"""The Streamlit app, page by page, with Streamlit's AppTest (no browser).

Every test runs the app on the tiny scenario with its own SQLite database; a published plan of
the tiny week (solved once per module with a one-second time limit) is copied in where needed.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner import load_scenario, plan_week
from planner.access import access_code
from planner.auth import DEPARTMENT, PLANNER, Accounts, User
from planner.metrics import evaluate
from planner.params import SolveParams
from planner.store import PlanStatus, Store

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
WEEK = dt.date(2026, 11, 23)
SECRET = "app-test-secret"
PLANNER_USER = User("planner", PLANNER, "", "Planner")
MARKET_HEAD = User("head-market", DEPARTMENT, "market", "Market regulation")
PLANNER_PAGES = (
    "data",
    "plan",
    "county",
    "map",
    "schedule",
    "changes",
    "department",
    "business",
    "settings",
)


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def published_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the tiny scenario and its week's plan, published, with its metrics."""
    path = tmp_path_factory.mktemp("published") / "planner.db"
    scenario = load_scenario(TINY)
    solve = SolveParams(time_limit_s=1)
    joint = plan_week(scenario, solve_params=solve)
    siloed = plan_week(scenario, solve_params=solve, siloed=True)
    with Store(_url(path)) as store, Accounts(_url(path)) as accounts:
        store.init()
        accounts.init()
        version = store.import_scenario(scenario, by="test")
        info = store.save_plan(joint, scenario_version=version.id, by="test")
        accounts.save_plan_metrics(
            info.id, info.revision, evaluate(scenario, joint, siloed).to_dict(), by="test"
        )
        store.publish(info.id, by="test")
        accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An empty database file path for one test."""
    return tmp_path / "planner.db"


@pytest.fixture
def with_plan(published_db: Path, db: Path) -> Iterator[Path]:
    """This test's own copy of the published database (tests may change it)."""
    shutil.copy(published_db, db)
    yield db


def _app(
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    *,
    scenario: Path = TINY,
    user: User | None = None,
    page: str | None = None,
) -> AppTest:
    monkeypatch.setenv("PLANNER_SCENARIO", str(scenario))
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url(db))
    monkeypatch.setenv("PLANNER_TIME_LIMIT", "1")
    monkeypatch.setenv("PLANNER_SECRET", SECRET)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if user is not None:
        app.session_state["user"] = user
    app.run()
    if page is not None:
        app.switch_page(f"app_pages/{page}.py").run()
    return app


def _button(app: AppTest, label: str) -> object:
    return next(b for b in app.button if b.label == label)


def _texts(app: AppTest) -> str:
    """The page's text as a reader sees it (markdown escapes taken out)."""
    parts = [m.value for m in app.markdown] + [s.value for s in app.subheader]
    parts += [m.label for m in app.metric] + [str(d.value) for d in app.dataframe]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


# ---------------------------------------------------------------- sign in and roles


def test_visitor_sees_the_sign_in_and_business_pages_only(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """Without signing in, the app opens on the sign-in page and has no planner page."""
    app = _app(monkeypatch, db)
    assert not app.exception
    assert app.title[0].value == "Sign in · Inspect Once"
    with pytest.raises(ValueError, match="Known pages"):
        app.switch_page("app_pages/plan.py")


def test_first_start_makes_and_prints_the_demo_accounts(
    monkeypatch: pytest.MonkeyPatch, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In demo mode an empty database gets the scenario, a planner and one head per department,
    printed (outside demo mode no account is made: tests/test_app_rough_edges.py)."""
    monkeypatch.setenv("PLANNER_DEMO", "1")
    _app(monkeypatch, db)
    printed = capsys.readouterr().out
    assert "planner" in printed and "head-market" in printed and "head-fire" in printed
    with Accounts(_url(db)) as accounts:
        assert {u.username for u in accounts.users()} == {"planner", "head-market", "head-fire"}
    with Store(_url(db)) as store:
        assert len(store.scenario_versions()) == 1


def test_wrong_password_is_refused(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """A wrong password shows an error and signs nobody in."""
    app = _app(monkeypatch, with_plan)
    app.text_input(key="login_username").input("planner")
    app.text_input(key="login_password").input("not-the-password")
    _button(app, "Sign in").click().run()  # type: ignore[attr-defined]
    assert app.error[0].value == "User name or password is wrong."
    assert "user" not in app.session_state


def test_planner_signs_in_to_the_data_page(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """The right password signs the planner in and opens the Data page."""
    app = _app(monkeypatch, with_plan)
    app.text_input(key="login_username").input("planner")
    app.text_input(key="login_password").input("planner-pass-1")
    _button(app, "Sign in").click().run()  # type: ignore[attr-defined]
    assert not app.exception
    assert app.session_state["user"].username == "planner"
    assert app.title[0].value == "Scenario data"


def test_sign_out_forgets_the_user(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """Signing out returns to the sign-in page."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER)
    app.button(key="sign_out").click().run()
    assert app.title[0].value == "Sign in · Inspect Once"


def test_department_head_reaches_only_their_department(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """A department head sees their department's coverage only, with no department picker,
    and no planner page is registered for them."""
    app = _app(monkeypatch, with_plan, user=MARKET_HEAD)
    assert not app.exception
    assert app.title[0].value == "Department coverage"
    assert [s.value for s in app.subheader][0] == "Market regulation"
    assert not [s for s in app.selectbox if s.label == "Department"]
    unscheduled = app.dataframe[-1].value
    assert set(unscheduled["department"]) <= {"Market regulation"}
    assert "Fire and rescue" not in _texts(app)
    for page in ("plan", "map", "data", "changes", "settings", "business"):
        with pytest.raises(ValueError, match="Known pages"):
            app.switch_page(f"app_pages/{page}.py")


# ---------------------------------------------------------------- data page


def test_data_page_shows_the_scenario(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """The data page opens the scenario: counts, a map and the business table, no exception."""
    app = _app(monkeypatch, db, user=PLANNER_USER)
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Businesses"] == "3"
    assert metrics["Officers"] == "3"
    assert len(app.get("deck_gl_json_chart")) == 1
    assert list(app.dataframe[0].value["id"]) == ["b1", "b2", "b3"]
    assert app.success[0].value == "This is the scenario plans are made from."


def test_data_page_lists_problems_of_a_broken_scenario(
    monkeypatch: pytest.MonkeyPatch, broken_dir: Path, db: Path
) -> None:
    """A broken scenario shows its problems in a table with file, row and column, and no map."""
    app = _app(monkeypatch, db, scenario=broken_dir, user=PLANNER_USER)
    assert not app.exception
    assert "error(s)" in app.error[0].value
    problems = app.dataframe[0].value
    assert {"file", "row", "column", "problem"} <= set(problems.columns)
    assert (problems["severity"] == "error").sum() == 26
    assert len(app.get("deck_gl_json_chart")) == 0


def test_data_page_lists_problems_in_chinese(
    monkeypatch: pytest.MonkeyPatch, broken_dir: Path, db: Path
) -> None:
    """In 中文 the broken scenario's problems table says every problem in Chinese: only the values
    quoted from the files (“…”) keep their Latin letters; file and column names stay as they are."""
    app = _app(monkeypatch, db, scenario=broken_dir, user=PLANNER_USER)
    app.segmented_control(key="lang").set_value("zh").run()
    assert not app.exception
    assert app.error[0].value == "26 个错误：修正之前无法使用该数据。"
    problems = app.dataframe[0].value
    assert list(problems.columns) == ["级别", "文件", "行", "列", "问题"]
    for text in problems["问题"]:
        assert re.search(r"[\u4e00-\u9fff]", text), text
        assert not re.search(r"[A-Za-z]", re.sub(r"“[^”]*”", "", text)), text
    shown = set(zip(problems["文件"], problems["列"], problems["问题"], strict=True))
    assert ("businesses.csv", "risk", "“extreme”不是以下值之一：“low”、“medium”、“high”") in shown
    assert ("items.csv", "department", "未知的部门“police”") in shown


def test_colour_by_risk(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """Switching the map colouring to risk re-renders without error."""
    app = _app(monkeypatch, db, user=PLANNER_USER)
    app.segmented_control(key="colour_by.en").set_value("risk").run()
    assert not app.exception


def test_a_different_scenario_can_be_stored_for_planning(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path, tmp_path: Path
) -> None:
    """A scenario that differs from the stored one offers a button that stores it as a version."""
    other = tmp_path / "other"
    shutil.copytree(TINY, other)
    settings = other / "settings.toml"
    settings.write_text(settings.read_text().replace("Tiny Township", "Other Township"))
    app = _app(monkeypatch, with_plan, scenario=other, user=PLANNER_USER)
    assert app.warning[0].value == "This scenario differs from the one plans are made from."
    app.button(key="use_scenario").click().run()
    assert not app.exception
    with Store(_url(with_plan)) as store:
        assert store.latest_scenario_version().township == "Other Township"


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize("page", PLANNER_PAGES)
def test_every_page_renders_before_a_plan_exists(
    monkeypatch: pytest.MonkeyPatch, db: Path, page: str
) -> None:
    """Before any plan, every page renders and the plan pages say what to do next."""
    app = _app(monkeypatch, db, user=PLANNER_USER, page=page)
    assert not app.exception
    if page in ("map", "schedule", "department", "plan"):
        assert "press **Solve**" in app.info[0].value
    if page == "changes":
        assert app.info[0].value.startswith("Publish a plan first")


@pytest.mark.parametrize("page", PLANNER_PAGES)
def test_every_page_renders_with_a_published_plan(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path, page: str
) -> None:
    """With a published plan every page renders without an exception or a 'no plan' message."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page=page)
    assert not app.exception
    assert not [i for i in app.info if "press **Solve**" in i.value]


def test_pages_render_in_chinese(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """Choosing 简体中文 translates titles and department names come from name_zh."""
    app = _app(monkeypatch, with_plan)
    app.segmented_control(key="lang").set_value("zh").run()
    assert app.title[0].value == "登录 · 综合查一次"
    app.session_state["user"] = PLANNER_USER
    app.run()
    assert app.title[0].value == "检查对象与任务数据"
    app.switch_page("app_pages/department.py").run()
    assert not app.exception
    assert app.title[0].value == "部门任务覆盖"
    assert [s.value for s in app.subheader][0] == "市场监管"


# ---------------------------------------------------------------- plan page


def test_solve_saves_a_draft_and_shows_the_cards(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """Solve plans the week and its siloed baseline, saves a draft and shows the metric cards."""
    app = _app(monkeypatch, db, user=PLANNER_USER, page="plan")
    _button(app, "Solve").click().run()  # type: ignore[attr-defined]
    assert not app.exception
    assert app.success[0].value.startswith("Plan 1 saved as a draft")
    labels = [m.label for m in app.metric]
    assert labels == [
        "Visits (joint)",
        "Disruption avoided (min)",
        "Officer hours",
        "Officer hours per check",
        "Joint-inspection rate",
        "Coverage of due obligations",
    ]
    assert len(app.get("plotly_chart")) == 4
    with Store(_url(db)) as store:
        assert store.plan_info(1).status == PlanStatus.DRAFT


def test_solve_without_baseline_shows_the_plan_alone(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """Unticking the baseline solves the joint plan only; the cards say so."""
    app = _app(monkeypatch, db, user=PLANNER_USER, page="plan")
    app.checkbox(key="baseline").uncheck()
    _button(app, "Solve").click().run()  # type: ignore[attr-defined]
    assert not app.exception
    assert any("no siloed baseline" in c.value for c in app.caption)
    assert "Team-days" in [m.label for m in app.metric]


def test_publish_button_publishes_a_draft(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """Publish turns the draft into the published plan and notifies its businesses."""
    app = _app(monkeypatch, db, user=PLANNER_USER, page="plan")
    app.checkbox(key="baseline").uncheck()
    _button(app, "Solve").click().run()  # type: ignore[attr-defined]
    app.button(key="publish").click().run()
    assert not app.exception
    with Store(_url(db)) as store:
        assert store.plan_info(1).status == PlanStatus.PUBLISHED
        assert store.notices(1)
    assert app.success[0].value.startswith("Published")


def test_plan_page_lists_unscheduled_with_reasons_and_access_codes(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """The night bar cannot be visited in any shift: it is listed with its reason; the access
    codes of notified businesses are listed for the planner."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="plan")
    unscheduled = app.dataframe[0].value
    assert set(unscheduled["business id"]) == {"b3"}
    assert unscheduled["why"].str.contains("opening hours").all()
    codes = app.dataframe[1].value
    assert dict(zip(codes["business id"], codes["access code"], strict=True))["b2"] == (
        access_code("b2", WEEK, SECRET)
    )
    assert {d.label for d in app.get("download_button")} >= {"Roster (.xlsx)", "Stops (.csv)"}


# ---------------------------------------------------------------- map and schedule


def test_map_page_draws_numbered_routes_without_tiles(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """The map has paths, numbered stops and a hover text, and asks for no base map."""
    import json

    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="map")
    assert not app.exception
    deck = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    kinds = [layer["@@type"] for layer in deck["layers"]]
    assert {"PathLayer", "TextLayer", "ScatterplotLayer"} <= set(kinds)
    assert "mapProvider" not in deck and "mapStyle" not in deck
    app.multiselect(key="map_days.en").set_value([WEEK, WEEK + dt.timedelta(days=1)]).run()
    stops = app.dataframe[0].value
    assert list(stops["business id"]) == ["b2", "b1"]
    app.multiselect(key="map_teams_2026-11-23-2026-11-24.en").set_value(["Tue-1"]).run()
    assert list(app.dataframe[0].value["business id"]) == ["b1"]


def test_schedule_page_draws_the_gantt(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """The schedule is a Plotly timeline; 'All days' shows every team-day as a lane."""
    import json

    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="schedule")
    assert not app.exception
    app.selectbox(key="schedule_day.en").set_value("all").run()
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    lanes = {y for trace in figure["data"] for y in trace["y"]}
    team = "Team 1 (Li Wei, Wang Fang, Zhang Min)"
    assert lanes == {f"Mon 23 Nov · {team}", f"Tue 24 Nov · {team}"}
    assert {trace["name"] for trace in figure["data"]} >= {"visit", "travel"}


# ---------------------------------------------------------------- change the week


def test_replan_after_a_business_closes_shows_the_diff(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """Marking the corner shop closed all week and re-planning drops its visit, with the reason;
    the re-plan is a draft until the re-publish button applies it (and cancels the visit)."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="changes")
    app.selectbox(key="closed_business").set_value("b2").run()
    app.button(key="add_closed").click().run()
    assert "Corner shop" in app.dataframe[0].value.iloc[0, 0]
    app.button(key="replan").click().run()
    assert not app.exception
    diff = app.dataframe[0].value
    row = diff[diff["business id"] == "b2"].iloc[0]
    assert row["change"] == "dropped" and "closed" in row["why"]
    with Store(_url(with_plan)) as store:
        assert store.plan_info(1).revision == 1 and store.pending_replan(1) is not None
    app.button(key="republish").click().run()
    assert not app.exception
    with Store(_url(with_plan)) as store:
        assert store.plan_info(1).revision == 2 and store.pending_replan(1) is None
        assert [(n.business_id, n.kind) for n in store.notices(1)][-1] == ("b2", "cancel")


def test_record_outcome_of_a_done_visit(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """Recording 'done / pass' for every item of a visit stores one outcome per item."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="changes")
    _button(app, "Record").click().run()  # type: ignore[attr-defined]
    assert not app.exception
    assert app.success[0].value.endswith("outcome(s) recorded.")
    with Store(_url(with_plan)) as store:
        outcomes = store.outcomes(1)
    assert outcomes and all(o.result is not None for o in outcomes)
    assert {o.business_id for o in outcomes} == {"b2"}


# ---------------------------------------------------------------- business page


def _open_business(app: AppTest, business_id: str, code: str) -> None:
    app.switch_page("app_pages/business.py").run()
    app.text_input(key="business_id").input(business_id)
    app.text_input(key="business_code").input(code)
    _button(app, "Show my visit").click().run()  # type: ignore[attr-defined]


def test_business_sees_its_visit_without_unannounced_items(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """With its code the corner shop sees its visit, team and announced item, not the
    unannounced product-label check, and nothing of another business."""
    app = _app(monkeypatch, with_plan)
    _open_business(app, "b2", access_code("b2", WEEK, SECRET))
    assert not app.exception
    text = _texts(app)
    assert app.subheader[0].value == "Corner shop"
    assert "Fire extinguishers and exits" in text and "Fire Protection Law art. 53" in text
    assert "Li Wei (ZJ-001)" in text
    assert "Product labels" not in text and "label" not in text.lower().replace("labels", "")
    assert "Noodle house" not in text and "Night bar" not in text


def test_business_with_a_wrong_code_sees_nothing(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """A wrong code (or another business's code) shows an error and no visit."""
    app = _app(monkeypatch, with_plan)
    _open_business(app, "b2", access_code("b1", WEEK, SECRET))
    assert app.error[0].value.startswith("No published visit matches")
    assert not app.subheader
    assert "business_access" not in app.session_state


def test_business_without_announced_visit_is_told_so(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """The night bar's code is valid but it has no visit this week: it is told so."""
    app = _app(monkeypatch, with_plan)
    _open_business(app, "b3", access_code("b3", WEEK, SECRET))
    assert app.info[0].value == "No visit is announced for your business this week."


# ---------------------------------------------------------------- settings


def test_settings_save_the_planning_knobs(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """Saved knobs are stored and become the Plan page's defaults."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="settings")
    app.number_input(key="k_pull_forward").set_value(21)
    _button(app, "Save planning settings").click().run()  # type: ignore[attr-defined]
    assert app.success[0].value == "Planning settings saved."
    with Accounts(_url(with_plan)) as accounts:
        assert (accounts.preference("planning") or {})["pull_forward_days"] == 21
    app.switch_page("app_pages/plan.py").run()
    assert app.number_input(key="pull_forward").value == 21


def test_settings_store_a_new_scenario_version(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """Changing the lunch length stores a new scenario version that plans are made from."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="settings")
    app.number_input(key="lunch_minutes").set_value(30)
    _button(app, "Save as a new scenario version").click().run()  # type: ignore[attr-defined]
    assert not app.exception
    with Store(_url(with_plan)) as store:
        assert store.load_scenario().settings.lunch_minutes == 30
        assert len(store.scenario_versions()) == 2


def test_settings_refuse_a_lunch_window_outside_the_shift(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """A lunch window ending after the shift is refused with the validator's reason; nothing
    is stored."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="settings")
    app.time_input(key="lunch_end").set_value(dt.time(18, 0))
    _button(app, "Save as a new scenario version").click().run()  # type: ignore[attr-defined]
    assert app.error[0].value == "These settings are not valid:"
    problems = app.dataframe[0].value
    assert list(zip(problems["column"], problems["problem"], strict=True)) == [
        ("lunch_window", "lies outside the shift")
    ]
    with Store(_url(with_plan)) as store:
        assert len(store.scenario_versions()) == 1


def test_settings_say_why_they_are_refused_in_chinese(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """In 中文 the refused settings' problems are in Chinese (they were English bullets)."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="settings")
    app.segmented_control(key="lang").set_value("zh").run()
    app.time_input(key="lunch_end").set_value(dt.time(18, 0))
    _button(app, "保存为新数据版本").click().run()  # type: ignore[attr-defined]
    problems = app.dataframe[0].value
    assert list(zip(problems["列"], problems["问题"], strict=True)) == [
        ("lunch_window", "不在班次时间内")
    ]


# ---------------------------------------------------------------- issue 14: the app's rough edges


def _sign_in_form(app: AppTest) -> None:
    app.text_input(key="login_username").input("planner")
    app.text_input(key="login_password").input("planner-pass-1")
    _button(app, "Sign in").click().run()  # type: ignore[attr-defined]


def _refreshed(monkeypatch: pytest.MonkeyPatch, db: Path, app: AppTest) -> AppTest:
    """A new session opened on ``app``'s URL (what a browser refresh does)."""
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url(db))
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in app.query_params.items():
        again.query_params[key] = value
    again.run()
    return again


def test_plan_label_follows_publish(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """After Publish the plan picker calls the plan published (it said draft before)."""
    app = _app(monkeypatch, db, user=PLANNER_USER, page="plan")
    app.checkbox(key="baseline").uncheck()
    _button(app, "Solve").click().run()  # type: ignore[attr-defined]
    assert "draft" in app.selectbox[0].options[0]
    app.button(key="publish").click().run()
    assert not app.exception
    assert "published" in app.selectbox[0].options[0]
    assert "draft" not in app.selectbox[0].options[0]


def test_refresh_keeps_the_planner_signed_in(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """Signing in puts a session id in the URL; a refresh (new session, same URL) is still
    signed in; signing out revokes the id."""
    app = _app(monkeypatch, with_plan)
    _sign_in_form(app)
    assert app.query_params.get("session")
    again = _refreshed(monkeypatch, with_plan, app)
    assert again.title[0].value == "Scenario data"
    again.button(key="sign_out").click().run()
    assert again.title[0].value == "Sign in · Inspect Once"
    once_more = _refreshed(monkeypatch, with_plan, app)  # the revoked id from before
    assert once_more.title[0].value == "Sign in · Inspect Once"


def test_refresh_keeps_pending_changes(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """A change added but not yet re-planned survives a refresh (kept in the database)."""
    app = _app(monkeypatch, with_plan)
    _sign_in_form(app)
    app.switch_page("app_pages/changes.py").run()
    app.selectbox(key="closed_business").set_value("b2").run()
    app.button(key="add_closed").click().run()
    again = _refreshed(monkeypatch, with_plan, app)
    again.switch_page("app_pages/changes.py").run()
    assert not again.exception
    assert "Corner shop" in again.dataframe[0].value.iloc[0, 0]
    assert not again.button(key="replan").disabled


def test_unscheduled_reasons_and_headers_in_chinese(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """In 中文 the not-scheduled table has Chinese headers, the reason column and a Chinese
    reason (the night bar's opening hours are data and stay as typed)."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="plan")
    app.segmented_control(key="lang").set_value("zh").run()
    table = app.dataframe[0].value
    assert "原因" in table.columns and "企业" in table.columns
    assert "business_id" not in table.columns
    assert set(table["原因"]) == {"营业时间（Fri-Sat 18:00-02:00）不在任何班次内"}


def test_business_data_renders_as_plain_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: Path
) -> None:
    """A business name, address and legal basis holding markdown (a link, a remote image) are
    shown literally on the business page: every markdown character is escaped."""
    import pandas as pd

    folder = tmp_path / "evil"
    shutil.copytree(TINY, folder)
    frame = pd.read_csv(folder / "businesses.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["id"] == "b2", "name"] = "[x](http://evil.example)"
    frame.loc[frame["id"] == "b2", "address"] = "![](http://img.example/a.png)"
    frame.to_csv(folder / "businesses.csv", index=False)
    items = pd.read_csv(folder / "items.csv", dtype=str, keep_default_na=False)
    items["legal_basis"] = "**bold** [law](http://evil.example/law)"
    items.to_csv(folder / "items.csv", index=False)
    scenario = load_scenario(folder)
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=1))
    with Store(_url(db)) as store, Accounts(_url(db)) as accounts:
        store.init()
        accounts.init()
        version = store.import_scenario(scenario, by="test")
        info = store.save_plan(plan, scenario_version=version.id, by="test")
        store.publish(info.id, by="test")
        accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    app = _app(monkeypatch, db, scenario=folder)
    _open_business(app, "b2", access_code("b2", WEEK, SECRET))
    assert not app.exception
    sources = [m.value for m in app.markdown] + [s.value for s in app.subheader]
    sources += [c.value for c in app.caption]
    link_or_image = re.compile(r"(?<!\\)\]\(|(?<!\\)!(?<!\\)\[")
    assert [s for s in sources if link_or_image.search(s)] == []
    text = "\n".join(sources)
    assert r"\[x\]\(http\:" in text  # the name shows as typed
    assert r"\!\[\]\(http\:" in text  # the address: no remote image
    assert r"\*\*bold\*\*" in text  # the legal basis: no bold


def test_map_team_filter_follows_the_day(monkeypatch: pytest.MonkeyPatch, with_plan: Path) -> None:
    """The team filter offers the teams of the chosen days only, named by their officers, and
    the map has a legend of the shown team-days."""
    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="map")
    teams = next(m for m in app.multiselect if m.label == "Teams")
    assert teams.options == ["Team 1 (Li Wei, Wang Fang, Zhang Min)"]
    assert "Mon 23 Nov · Team 1 (Li Wei, Wang Fang, Zhang Min)" in app.get("html")[0].proto.body


def test_gantt_names_officers_and_formats_the_hover(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """Gantt rows name the team's officers; the hover is a formatted text, not raw fields."""
    import json

    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="schedule")
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    lanes = {y for trace in figure["data"] for y in trace["y"]}
    assert lanes == {"Mon 23 Nov · Team 1 (Li Wei, Wang Fang, Zhang Min)"}
    templates = {trace["hovertemplate"] for trace in figure["data"]}
    assert all("customdata" in h and "=" not in h for h in templates)


def test_everything_zip_is_built_in_the_background(
    monkeypatch: pytest.MonkeyPatch, with_plan: Path
) -> None:
    """'Everything (.zip)' starts a background build (the page keeps answering) and offers the
    download when it is ready."""
    import time

    app = _app(monkeypatch, with_plan, user=PLANNER_USER, page="plan")
    app.button(key="dl_all_prepare").click().run()
    assert not app.exception
    for _ in range(600):  # the build runs on a worker thread; each run looks at its progress
        app.run()
        ready = [d for d in app.get("download_button") if d.proto.label.startswith("Everything")]
        if ready:
            break
        time.sleep(0.5)
    assert ready, "the zip was never offered"
    assert not app.exception
