"""Rough edges a township planner, a business or a department head hit first, in English and in
简体中文, and what a real deployment hits (Streamlit AppTest, no browser): each test failed on the
code before its fix."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(monkeypatch: pytest.MonkeyPatch, url: str, *, lang: str = "en") -> AppTest:
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    return app.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unreachable_database_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """PostgreSQL down (or a wrong host in ``PLANNER_DATABASE_URL``): every visitor saw a raw
    ``sqlalchemy.exc.OperationalError`` traceback in English. Now the page says the database
    cannot be reached, in the chosen language, names the server without its password, and
    raises nothing."""
    url = f"postgresql://planner:Sup3rSecretPw@127.0.0.1:{_closed_port()}/planner"
    app = _run(monkeypatch, url, lang=lang)
    assert not app.exception, [e.value for e in app.exception]
    (error,) = app.error
    text = str(error.value)
    assert "127.0.0.1" in text and "Sup3rSecretPw" not in text
    assert ("***" in text) and ("planner@" in text or "planner:***@" in text)
    assert bool(CJK.search(text)) == (lang == "zh")


def test_a_malformed_database_url_is_a_message_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A typo in the URL's scheme is an error message (no traceback), and the message never
    quotes the password."""
    app = _run(monkeypatch, "postgresq://planner:Sup3rSecretPw@127.0.0.1/planner")
    assert not app.exception, [e.value for e in app.exception]
    (error,) = app.error
    assert "Sup3rSecretPw" not in str(error.value)


def test_the_app_config_hides_error_details_and_keeps_cross_site_protection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``.streamlit/config.toml`` as Streamlit reads it: an unexpected error shows no traceback
    to users (Streamlit's default, ``full``, showed every user the file paths and code),
    XSRF and CORS protection stay on, and the uploader's limit is planner's 64 MiB."""
    from streamlit import config

    from planner.load import MAX_UPLOAD_BYTES

    monkeypatch.chdir(ROOT)  # `streamlit run app.py` reads .streamlit/config.toml from here
    config._config_options = None  # read the project's file afresh
    config.get_config_options(force_reparse=True, options_from_flags={})
    try:
        assert config.get_option("client.showErrorDetails") == "none"
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("server.enableCORS") is True
        assert config.get_option("server.maxUploadSize") * 2**20 == MAX_UPLOAD_BYTES
    finally:
        config._config_options = None


def test_a_link_with_lang_zh_opens_the_app_in_chinese(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A link ``…/?lang=zh`` (the code the app's own comment promised) opened the app in English:
    the bound language control only knew ``?lang=简体中文`` and dropped the code. Now the code
    chooses the language, with no warning on the page."""
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'planner.db'}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["lang"] = "zh"
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["登录 · 综合查一次"]
    assert not app.warning
    app.query_params["lang"] = "en"
    app.run()
    assert [t.value for t in app.title] == ["Sign in · Inspect Once"]


def test_a_real_installation_makes_no_demo_account_and_logs_no_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside demo mode (``PLANNER_DEMO`` unset) the app's first start on an empty database made
    the demo accounts anyway, a full ``planner`` among them, and printed their passwords to the
    server's log. Now it makes none, the log says how to add one, and the sign-in page tells
    the visitor (in the chosen language) instead of pointing at passwords in a terminal."""
    from planner.auth import Accounts

    monkeypatch.delenv("PLANNER_DEMO", raising=False)
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    for lang in ("en", "zh"):
        app = _run(monkeypatch, url, lang=lang)
        assert not app.exception
        (info,) = app.info
        assert "planner.auth add" in str(info.value)
        assert bool(CJK.search(str(info.value))) == (lang == "zh")
    with Accounts(url) as accounts:
        assert accounts.users() == ()
    printed = capsys.readouterr().out
    assert "planner.auth add" in printed and "password)" not in printed


@pytest.mark.parametrize("page", ["data", "settings"])
def test_the_scenario_version_line_names_the_township_in_chinese(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str
) -> None:
    """The Data and Settings pages in 简体中文 said “计划基于数据版本 1（Tiny Township）” (the
    stored English name) under a title that gives the township's Chinese name; the line now
    uses the Chinese name when the scenario has one."""
    from planner.auth import PLANNER, User

    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'planner.db'}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["user"] = User("planner", PLANNER, "", "Planner")
    app.session_state["lang"] = "zh"
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception
    lines = [m.value for m in (*app.markdown, *app.caption) if "数据版本" in str(m.value)]
    assert lines and all("（小镇）" in line and "Tiny" not in line for line in lines), lines


@pytest.fixture(scope="module")
def two_drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the tiny scenario and two draft plans of its week (ids 1 and 2)."""
    from planner import load_scenario, plan_week
    from planner.params import SolveParams
    from planner.store import Store

    path = tmp_path_factory.mktemp("drafts") / "planner.db"
    scenario = load_scenario(TINY)
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=1))
    with Store(f"sqlite:///{path}") as store:
        store.init()
        version = store.import_scenario(scenario, by="test")
        for _ in range(2):
            store.save_plan(plan, scenario_version=version.id, by="test")
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_publish_that_lost_a_race_says_so_in_the_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, two_drafts: Path, lang: str
) -> None:
    """Two planners: one has draft 1 open on the Plan page while the other publishes draft 2 of
    the same week. Publishing draft 1 is refused; in 简体中文 the refusal was the store's
    English sentence. Now it says what happened and what to do in Chinese (English keeps the
    store's own sentence, which names the other plan)."""
    import shutil

    from planner.auth import PLANNER, User
    from planner.store import Store

    db = tmp_path / "planner.db"
    shutil.copy(two_drafts, db)
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["user"] = User("planner", PLANNER, "", "Planner")
    app.session_state["lang"] = lang
    app.session_state["plan_id"] = 1
    app.run()
    app.switch_page("app_pages/plan.py").run()
    with Store(f"sqlite:///{db}") as store:
        store.publish(2, by="other-planner")
    next(b for b in app.button if b.key == "publish").click().run()
    assert not app.exception
    (error,) = app.error
    text = str(error.value)
    if lang == "zh":
        assert CJK.search(text) and not re.search(r"[A-Za-z]{2,}", text), text
    else:
        assert "another plan for this week was published" in text, text


def test_the_business_page_in_chinese_uses_chinese_punctuation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, two_drafts: Path
) -> None:
    """A business reading its visit in 简体中文 saw ``**时间段:** 09:24–09:44`` and officers as
    ``A (no. 1), B (no. 2)``: English colons, commas and brackets. Now: ``时间段：``,
    ``A（1）、B（2）`` and ``法律依据：``."""
    import datetime as dt
    import shutil

    from planner.access import access_code
    from planner.store import Store

    db = tmp_path / "planner.db"
    shutil.copy(two_drafts, db)
    with Store(f"sqlite:///{db}") as store:
        store.publish(1, by="test")
        business = store.load_plan(1).routes[0].stops[0].visit.business_id
    week = dt.date(2026, 11, 23)
    app = _run(monkeypatch, f"sqlite:///{db}", lang="zh")
    app.switch_page("app_pages/business.py").run()
    app.text_input[0].input(business)
    app.text_input[1].input(access_code(business, week, "rough-edges-secret"))
    next(b for b in app.button if b.label == "查看检查安排").click().run()
    assert not app.exception
    text = "\n".join(str(m.value) for m in app.markdown)
    assert "**时间段**：" in text and "**检查人员（姓名、执法证号）**：" in text, text
    assert "法律依据：" in text
    assert not re.search(r"\*\*[^*]+\*\*: |\w \\\(", text), text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_department_head_without_a_plan_is_told_who_makes_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str
) -> None:
    """A department head signing in before any plan exists was told to “choose the week on the
    Plan page and press Solve”, a page they do not have. They are told the township planner
    makes and publishes the plan."""
    from planner.auth import DEPARTMENT, User

    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'planner.db'}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["user"] = User("head-market", DEPARTMENT, "market", "Market regulation")
    app.session_state["lang"] = lang
    app.run()
    assert not app.exception
    (info,) = app.info
    text = str(info.value)
    assert "Solve" not in text and "求解" not in text, text
    assert ("planner" in text) if lang == "en" else ("综合执法办" in text), text


def test_cli_db_init_on_an_unreachable_database_is_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The operator's first command, ``python -m planner db init``, against a PostgreSQL that is
    down printed a 40-line SQLAlchemy traceback; it prints one line naming the server (password
    hidden) and the reason, and exits 2."""
    from planner.cli import main

    url = f"postgresql://planner:Sup3rSecretPw@127.0.0.1:{_closed_port()}/planner"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    assert main(["db", "init"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open the database postgresql://planner:***@127.0.0.1:")
    assert "Traceback" not in err and "Sup3rSecretPw" not in err and len(err.splitlines()) == 1


def test_publication_time_is_on_the_townships_clock(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, two_drafts: Path
) -> None:
    """“Published 2026-11-20 02:00 by …” was the server's clock (UTC in a container) for a
    township in Asia/Shanghai, eight hours off the visit times beside it. The Plan page, and the
    scenario-version line, now show the township's time."""
    import datetime as dt
    import shutil

    from planner.auth import PLANNER, User
    from planner.store import Store

    db = tmp_path / "planner.db"
    shutil.copy(two_drafts, db)
    moment = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    with Store(f"sqlite:///{db}", clock=lambda: moment) as store:
        store.publish(1, by="ana")
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["user"] = User("planner", PLANNER, "", "Planner")
    app.session_state["plan_id"] = 1
    app.run()
    app.switch_page("app_pages/plan.py").run()
    assert not app.exception
    assert "Published 2026-11-20 10:00 by ana." in [str(s.value) for s in app.success]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_planning_knob_on_settings_explains_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str
) -> None:
    """The Settings page's planning knobs (“Leaving a visit out (s)”, “Officer in a team
    (points)” …) had no help, while the same knobs on the Plan page explain themselves. Each
    has the Plan page's help now, in the chosen language."""
    from planner.auth import PLANNER, User

    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'planner.db'}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["user"] = User("planner", PLANNER, "", "Planner")
    app.session_state["lang"] = lang
    app.run()
    app.switch_page("app_pages/settings.py").run()
    knobs = [n for n in app.number_input if str(n.key).startswith("k_")]
    assert len(knobs) == 11
    assert [n.label for n in knobs if not n.help] == []
    assert all(bool(CJK.search(n.help)) == (lang == "zh") for n in knobs)


def test_the_rosters_unscheduled_sheet_says_why_in_both_languages(two_drafts: Path) -> None:
    """The roster (Plan page → Roster (.xlsx)) gives every column of its unscheduled sheet in
    English and Chinese (“Item 检查事项”, “Food safety 食品安全”) except the reason, which was
    English only; it now has its Chinese on a second line."""
    import io

    from openpyxl import load_workbook

    from planner import load_scenario
    from planner.export import roster_xlsx_bytes
    from planner.store import Store

    with Store(f"sqlite:///{two_drafts}") as store:
        plan = store.load_plan(1)
    assert plan.unscheduled
    book = load_workbook(io.BytesIO(roster_xlsx_bytes(plan, load_scenario(TINY))))
    sheet = next(ws for ws in book.worksheets if ws["A1"].value.startswith("Unscheduled"))
    whys = [row[5] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert whys and all(re.search(r"[A-Za-z]", w) and CJK.search(w) for w in whys), whys


def test_a_department_head_sees_published_plans_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, two_drafts: Path
) -> None:
    """A department head's plan picker offered the planner's drafts too, the newest first: the
    head read a draft's coverage as the week's. They see published plans only; with none
    published, they are told the planner publishes it."""
    import shutil

    from planner.auth import DEPARTMENT, User
    from planner.store import Store

    db = tmp_path / "planner.db"
    shutil.copy(two_drafts, db)
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PLANNER_SECRET", "rough-edges-secret")

    def open_as_head() -> AppTest:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        app.session_state["user"] = User("head-market", DEPARTMENT, "market", "Market")
        return app.run()

    app = open_as_head()
    assert not app.exception and not app.metric
    assert "No plan published yet" in str(app.info[0].value)
    with Store(f"sqlite:///{db}") as store:
        store.publish(1, by="planner")
    app = open_as_head()
    (picker,) = app.selectbox
    assert picker.options == ["Plan 1 · week 2026-11-23 · published · revision 1"]
    assert app.metric
