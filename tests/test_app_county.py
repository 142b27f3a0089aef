"""The app's County page (Streamlit AppTest): a county scenario's townships planned as jobs on a
real local Dask cluster, with a progress bar over the jobs, the county summary, failed jobs and
one township's plan."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import cloudpickle
import pytest
from streamlit.testing.v1 import AppTest

from planner.auth import PLANNER, Accounts, User
from planner.cluster import run_here
from planner.county import (
    WeekSpec,
    county_jobs,
    county_summary,
    departments_frame,
    failures_frame,
    merge_county,
    plan_county,
    save_county,
    split_county,
    stored_summary,
    townships_frame,
)
from planner.i18n import EN, ZH
from planner.load import load_scenario
from planner.params import SolveParams
from planner.store import Store

pytest.importorskip("distributed")
cloudpickle.register_pickle_by_value(sys.modules[__name__])

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "tests" / "fixtures" / "county"  # two townships, north and south
PLANNER_USER = User("planner", PLANNER, "", "Planner")


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _app(
    monkeypatch: pytest.MonkeyPatch, db: Path, page: str, lang: str = "en", cluster: str = ""
) -> AppTest:
    """The app on the county fixture, signed in as the planner, on ``page`` (``cluster``:
    ``PLANNER_CLUSTER``, none by default)."""
    monkeypatch.setenv("PLANNER_SCENARIO", str(COUNTY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url(db))
    monkeypatch.setenv("PLANNER_TIME_LIMIT", "2")
    monkeypatch.setenv("PLANNER_SECRET", "app-test-secret")
    monkeypatch.setenv("PLANNER_CLUSTER", cluster)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["user"] = PLANNER_USER
    app.run()
    if lang != "en":
        app.segmented_control(key="lang").set_value(lang).run()
    app.switch_page(f"app_pages/{page}.py").run()
    return app


@dataclasses.dataclass(frozen=True)
class AlwaysFail:
    """A job that fails every time it runs."""

    message: str

    def __call__(self, *args: object) -> object:
        raise RuntimeError(self.message)


@pytest.fixture
def failed_south(tmp_path: Path) -> Path:
    """A database holding the county fixture and a stored county plan whose south township's
    joint job failed twice (north planned, with its baseline)."""
    db = tmp_path / "planner.db"
    scenario = load_scenario(COUNTY)
    spec = WeekSpec(scenario.settings.week_start, solve_params=SolveParams(time_limit_s=2))
    townships = split_county(scenario)
    jobs = [
        dataclasses.replace(j, fn=AlwaysFail("road network unreadable"))
        if j.key == "south/joint"
        else j
        for j in county_jobs(townships, spec)
    ]
    county = merge_county(townships, spec, run_here(jobs), 1)
    with Store(_url(db)) as store, Accounts(_url(db)) as accounts:
        store.init()
        accounts.init()
        accounts.add_user("planner", "planner-pass-1", role=PLANNER)
        version = store.import_scenario(scenario, by="test")
        save_county(store, accounts, scenario, county, scenario_version=version.id, by="test")
    return db


def test_county_page_plans_the_townships_as_jobs_with_a_progress_bar(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Plan the county: a local cluster of the setting's two workers runs the six jobs (per
    township its joint plan and two departments' baselines); the bar ends at "6 of 6 jobs done"
    naming the last job's township, the county's week is stored as one draft with its summary,
    and picking the south township shows its stops only."""
    db = tmp_path / "planner.db"
    app = _app(monkeypatch, db, "county")
    assert not app.exception
    app.button(key="FormSubmitter:county_form-Plan the county").click().run()
    assert not app.exception, app.exception
    bar = app.progress[0]
    assert bar.value == 100
    assert re.fullmatch(
        r"6 of 6 jobs done · (North township 北镇|South township 南镇): (north|south)/\S+ done",
        bar.text,
    ), bar.text
    assert app.success[0].value.startswith("County planned: 2 of 2 townships on 2 worker(s)")
    with Store(_url(db)) as store, Accounts(_url(db)) as accounts:
        (info,) = store.plans()
        summary = stored_summary(accounts, info.id)
        plan = store.load_plan(info.id)
        assert accounts.plan_metrics(info.id) is not None  # the county's burden metrics
    assert summary is not None and summary["workers"] == 2 and summary["failed"] == []
    assert {r["office_id"] for r in summary["townships"]} == {"north", "south"}
    assert {r.team_id.split(":")[0] for r in plan.routes} == {"north", "south"}
    townships = app.dataframe[0].value
    assert list(townships["office"]) == ["north", "south"]
    assert list(townships["status"]) == ["planned", "planned"]
    app.selectbox(key="county_township.en").set_value("south").run()
    stops = app.dataframe[2].value  # townships, departments, then the stops
    assert len(stops) and set(stops["business id"]) <= {"c1", "c2", "c3"}


def test_the_county_plan_opens_on_the_plan_map_and_schedule_pages(
    monkeypatch: pytest.MonkeyPatch, failed_south: Path
) -> None:
    """The stored county plan is a plan like any other: the Plan page shows its cards (its
    metrics against the county's baseline) and a Publish button; Map and Schedule draw it."""
    app = _app(monkeypatch, failed_south, "plan")
    assert not app.exception
    assert app.metric and app.button(key="publish")
    for page in ("map", "schedule", "changes"):
        app.switch_page(f"app_pages/{page}.py").run()
        assert not app.exception, page


def test_county_page_lists_failed_jobs_with_their_township(
    monkeypatch: pytest.MonkeyPatch, failed_south: Path
) -> None:
    """A county plan whose south township failed twice: the page lists the failed job with the
    township's name and the error, marks south failed, and offers only north's plan."""
    app = _app(monkeypatch, failed_south, "county")
    assert not app.exception
    assert app.error[0].value.startswith("Jobs that failed twice")
    failed = app.dataframe[1].value
    (row,) = failed.itertuples(index=False)
    assert row[0] == "South township 南镇" and row[2] == "south/joint"
    assert "RuntimeError: road network unreadable" in row[3]
    assert list(app.dataframe[0].value["status"]) == ["planned", "failed"]
    assert app.selectbox(key="county_township.en").options == ["North township 北镇"]


def test_county_page_speaks_chinese(monkeypatch: pytest.MonkeyPatch, failed_south: Path) -> None:
    """In 简体中文 the page's title, table headers, statuses and failure list are Chinese."""
    app = _app(monkeypatch, failed_south, "county", lang="zh")
    assert not app.exception
    assert app.title[0].value == "全县：各乡镇作为任务并行规划"
    assert app.button(key="FormSubmitter:county_form-规划全县")
    townships = app.dataframe[0].value
    assert "覆盖率（联合）" in townships.columns and list(townships["状态"]) == ["已规划", "失败"]
    assert app.error[0].value.startswith("两次失败的任务")


def test_county_page_says_when_the_cluster_cannot_be_reached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``PLANNER_CLUSTER`` naming a port nothing listens on: the page names the cluster, the
    workers setting is off, and planning shows one error line instead of a traceback."""
    app = _app(monkeypatch, tmp_path / "planner.db", "county", cluster="tcp://127.0.0.1:9")
    assert any("tcp://127.0.0.1:9" in c.value for c in app.caption)
    assert app.number_input(key="county_workers").disabled
    app.button(key="FormSubmitter:county_form-Plan the county").click().run()
    assert not app.exception
    assert app.error[0].value.startswith(
        "The county could not be planned: cannot reach the cluster at tcp://127.0.0.1:9"
    )
    with Store(_url(tmp_path / "planner.db")) as store:
        assert not store.plans()


def test_every_label_of_the_county_page_is_in_both_languages() -> None:
    """Each ``tr("key")`` of the County page, the job states and township statuses it shows and
    the headers of its tables have an English and a Chinese text (a missing key would show as
    the key itself)."""
    source = (ROOT / "app_pages" / "county.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'tr\(\s*"([a-z_]+)"', source))
    keys |= {f"job_{s}" for s in ("done", "retry", "failed")}
    keys |= {f"township_{s}" for s in ("planned", "partial", "failed")}
    summary = stored_summary_example()
    frames = (townships_frame(summary), departments_frame(summary, {}), failures_frame(summary))
    keys |= {f"col_{c}" for frame in frames for c in frame.columns}
    assert "county_progress" in keys and "col_coverage_joint" in keys
    for key in sorted(keys):
        assert EN.get(key) and ZH.get(key), key
        assert re.search(r"[\u4e00-\u9fff]", ZH[key]), key


def stored_summary_example() -> dict[str, object]:
    """The county summary of the fixture planned here without a baseline (for its columns)."""
    scenario = load_scenario(COUNTY)
    spec = WeekSpec(scenario.settings.week_start, solve_params=SolveParams(time_limit_s=1))
    return county_summary(plan_county(scenario, spec, baseline=False))


def test_plan_page_points_a_county_to_the_county_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With several township offices the Plan page says the county can be planned as jobs."""
    app = _app(monkeypatch, tmp_path / "planner.db", "plan")
    assert not app.exception
    assert any("2 township offices" in i.value for i in app.info)
