"""A county planned on a running Dask cluster by address: ``dask scheduler`` and ``dask worker``
started as separate processes on localhost ports, as they would be on other machines."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.cli import main
from planner.cluster import Cluster, open_cluster
from planner.county import CountyPlan, WeekSpec, county_obligations, county_plan, plan_county
from planner.domain import Scenario
from planner.load import load_scenario
from planner.params import SolveParams
from planner.planfile import read_plan
from planner.verify import verify_plan

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
# Deterministic routing (no guided local search; a long limit keeps the stall stop out of
# reach on a loaded machine), as in tests/test_county.py.
FAST = SolveParams(time_limit_s=600.0, use_guided_local_search=False)
FAST_TOML = "[solve]\ntime_limit_s = 600\nuse_guided_local_search = false\n"
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a process we started: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler (``dask scheduler``) and two worker processes (``dask worker``) on free
    localhost ports, started as subprocesses with ``planner`` importable from this checkout
    (``PYTHONPATH``); its address. Stopped, workers first, when the module's tests are done."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("remote")
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    dask = [sys.executable, "-m", "dask"]
    started: list[subprocess.Popen[bytes]] = []
    logs = []

    def start(name: str, args: list[str]) -> None:
        log = (folder / f"{name}.log").open("wb")
        logs.append(log)
        started.append(
            subprocess.Popen(
                [*dask, *args], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"])  # fmt: skip
        start("worker", ["worker", address, "--nworkers", str(WORKERS), "--nthreads", "1", "--no-dashboard", "--local-directory", str(folder / "work")])  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(WORKERS, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            _stop(process)
        for log in logs:
            log.close()


@pytest.fixture(scope="module")
def county_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic county of three townships, 60 businesses, written as scenario files."""
    folder = tmp_path_factory.mktemp("county") / "scenario"
    assert main(["synth", str(folder), "--businesses", "60", "--townships", "3"]) == 0
    return folder


@pytest.fixture(scope="module")
def county(county_dir: Path) -> Scenario:
    """The county scenario as loaded from its files."""
    return load_scenario(county_dir)


@pytest.fixture(scope="module")
def local_plan(county: Scenario) -> CountyPlan:
    """The county planned on a local 2-worker cluster (the reference)."""
    with open_cluster(workers=WORKERS) as cluster:
        return plan_county(county, WeekSpec(county.settings.week_start, solve_params=FAST), cluster=cluster)  # fmt: skip


def test_remote_cluster_plans_the_county_as_the_local_one_does(
    remote: str, county: Scenario, local_plan: CountyPlan
) -> None:
    """Connected by address to the scheduler and its two worker processes, the county's plan
    keeps every rule and each township's routes and unscheduled obligations are the local
    cluster's, route for route."""
    spec = WeekSpec(county.settings.week_start, solve_params=FAST)
    with open_cluster(address=remote) as cluster:
        assert isinstance(cluster, Cluster) and cluster.local is None
        assert cluster.workers == WORKERS
        planned = plan_county(county, spec, cluster=cluster)
    assert not planned.failures
    assert len(planned.townships) == 3
    merged = county_plan(planned)
    assert merged.routes
    assert verify_plan(county, merged, obligations=county_obligations(planned)) == []
    pids = {j.value.pid for j in planned.jobs}
    assert os.getpid() not in pids  # the jobs ran in the worker processes
    for ours, theirs in zip(planned.townships, local_plan.townships, strict=True):
        assert ours.joint is not None and theirs.joint is not None
        assert ours.joint.routes == theirs.joint.routes
        assert ours.joint.unscheduled == theirs.joint.unscheduled
        assert ours.siloed is not None and theirs.siloed is not None
        assert ours.siloed.routes == theirs.siloed.routes


def test_cli_plans_on_a_cluster_by_address(
    remote: str, county_dir: Path, local_plan: CountyPlan, tmp_path: Path
) -> None:
    """``plan SCENARIO --cluster tcp://127.0.0.1:PORT`` runs the jobs on that cluster's two
    workers and writes each township's plan with the local cluster's routes."""
    params = tmp_path / "fast.toml"
    params.write_text(FAST_TOML)
    out = tmp_path / "out"
    args = ["plan", str(county_dir), "--cluster", remote, "--params", str(params), "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    summary = json.loads((out / "county.json").read_text(encoding="utf-8"))
    assert summary["workers"] == WORKERS and summary["failed"] == []
    for t in local_plan.townships:
        assert t.joint is not None
        written = read_plan(out / t.township.office_id)
        assert written["scenario"] == str(county_dir.resolve())
        days = [(r["day"], r["team_id"], [s["business_id"] for s in r["stops"]]) for r in written["routes"]]  # fmt: skip
        assert days == [(r.day.isoformat(), r.team_id, [s.visit.business_id for s in r.stops]) for r in t.joint.routes]  # fmt: skip


def test_app_plans_the_county_on_the_cluster_of_planner_cluster(
    remote: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``PLANNER_CLUSTER`` set to the running scheduler, the app's County page names it,
    runs the fixture county's six jobs on its two workers and stores the county plan."""
    from streamlit.testing.v1 import AppTest

    from planner.auth import PLANNER, User
    from planner.store import Store

    db = tmp_path / "planner.db"
    monkeypatch.setenv("PLANNER_SCENARIO", str(ROOT / "tests" / "fixtures" / "county"))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PLANNER_TIME_LIMIT", "2")
    monkeypatch.setenv("PLANNER_SECRET", "app-test-secret")
    monkeypatch.setenv("PLANNER_CLUSTER", remote)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["user"] = User("planner", PLANNER, "", "Planner")
    app.run()
    app.switch_page("app_pages/county.py").run()
    assert any(remote in c.value for c in app.caption)
    app.button(key="FormSubmitter:county_form-Plan the county").click().run()
    assert not app.exception
    assert app.progress[0].text.startswith("6 of 6 jobs done")
    assert app.success[0].value.startswith(
        f"County planned: 2 of 2 townships on {WORKERS} worker(s)"
    )
    with Store(f"sqlite:///{db}") as store:
        assert len(store.plans()) == 1
