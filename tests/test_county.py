"""County scale: townships split out, planned as jobs on a real local Dask cluster, merged back."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.cluster import Cluster, Job, JobEvent, open_cluster, run_here
from planner.county import (
    CountyPlan,
    WeekSpec,
    combine_siloed,
    county_jobs,
    county_obligations,
    county_plan,
    county_summary,
    merge_county,
    plan_county,
    plan_department,
    split_county,
    township_of,
)
from planner.domain import Recusal, Scenario
from planner.load import load_scenario
from planner.params import SolveParams
from planner.pipeline import run_siloed_week
from planner.synth import preset_size, synthesize
from planner.verify import verify_plan

# The wrappers below are defined here; the workers get them by value, not by importing this file.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

COUNTY = Path(__file__).parent / "fixtures" / "county"  # two townships of three officers each

# Deterministic: no guided local search (routing stops at its first local optimum, long before
# the limit; a long limit also keeps the search's stall stop, 10 % of it, out of reach on a
# loaded machine) and CP-SAT formation on deterministic time with one worker (the defaults).
FAST = SolveParams(time_limit_s=600.0, use_guided_local_search=False)


@pytest.fixture(scope="module")
def county() -> Scenario:
    """A synthetic county of three townships, about 40 businesses each."""
    return synthesize(businesses=120, townships=3, seed=0)


@pytest.fixture(scope="module")
def spec(county: Scenario) -> WeekSpec:
    """The week of the county's settings, deterministic routing."""
    return WeekSpec(county.settings.week_start, solve_params=FAST)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A real local Dask cluster of two worker processes."""
    with open_cluster(workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def sequential(county: Scenario, spec: WeekSpec) -> CountyPlan:
    """The county planned here, job after job (the reference)."""
    return plan_county(county, spec)


# ---------------------------------------------------------------- splitting


def test_each_business_goes_to_its_nearest_office() -> None:
    """Two offices 10 km apart: a business next to the second belongs to the second."""
    scenario = synthesize(businesses=4, townships=2, seed=3)
    second = scenario.settings.offices[1]
    moved = replace(scenario.businesses[0], lon=second.lon + 0.001, lat=second.lat)
    scenario = replace(scenario, businesses=(moved, *scenario.businesses[1:]))
    assert township_of(scenario)[moved.id] == second.id


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)), min_size=1, max_size=12))
def test_townships_partition_the_county(offsets: list[tuple[float, float]]) -> None:
    """Wherever businesses lie, every business and officer is in exactly one township, and each
    township's businesses are no nearer to another office (straight line)."""
    base = synthesize(businesses=len(offsets), townships=3, seed=5)
    businesses = tuple(
        replace(b, lon=b.lon + dx, lat=b.lat + dy)
        for b, (dx, dy) in zip(base.businesses, offsets, strict=True)
    )
    scenario = replace(base, businesses=businesses)
    townships = split_county(scenario)
    ids = [b.id for t in townships for b in t.scenario.businesses]
    assert sorted(ids) == sorted(b.id for b in businesses)
    officers = [o.id for t in townships for o in t.scenario.inspectors]
    assert sorted(officers) == sorted(o.id for o in scenario.inspectors)
    for t in townships:
        assert all(o.base == t.office_id for o in t.scenario.inspectors)
        assert township_of(scenario).keys() >= {b.id for b in t.scenario.businesses}
        assert {township_of(scenario)[b.id] for b in t.scenario.businesses} <= {t.office_id}


def test_township_keeps_only_its_own_recusals(county: Scenario) -> None:
    """A recusal goes with the officer's township, and only if its business is there too."""
    t1 = [o for o in county.inspectors if o.base == "t1"]
    t2 = [o for o in county.inspectors if o.base == "t2"]
    owner = township_of(county)
    home = next(b for b, o in owner.items() if o == "t1")
    away = next(b for b, o in owner.items() if o == "t2")
    recusals = (
        Recusal(t1[0].id, home, "relative"),
        Recusal(t1[0].id, away, "relative"),
        Recusal(t1[0].id, "", "feud", t1[1].id),
        Recusal(t1[0].id, "", "feud", t2[0].id),
    )
    first = split_county(replace(county, recusals=recusals))[0]
    assert first.scenario.recusals == recusals[0:1] + recusals[2:3]
    assert first.scenario.settings.offices == county.settings.offices[0:1]


# ---------------------------------------------------------------- the siloed baseline as jobs


def test_department_jobs_combine_to_the_siloed_baseline() -> None:
    """One township's department jobs, put together, are ``run_siloed_week``'s plan (its two
    officers both of market regulation: that department routes, the others cannot alone)."""
    scenario = synthesize(businesses=60, seed=2)
    officers = tuple(replace(o, department_id="market") for o in scenario.inspectors)
    scenario = replace(scenario, inspectors=officers)
    spec = WeekSpec(scenario.settings.week_start, solve_params=FAST)
    (township,) = split_county(scenario)
    parts = [plan_department(township, spec, (), d.id) for d in scenario.departments]
    combined = combine_siloed(spec.week_start, parts)
    reference = run_siloed_week(township.scenario, None, FAST, week_start=spec.week_start).plan
    assert combined.routes and combined.routes == reference.routes
    assert combined.unscheduled == reference.unscheduled


# ---------------------------------------------------------------- on a real cluster


def test_county_on_two_workers_verifies_and_equals_the_sequential_plan(
    county: Scenario, spec: WeekSpec, cluster: Cluster, sequential: CountyPlan
) -> None:
    """Two workers plan the three townships: the merged plan keeps every rule of the county, and
    each township's routes and unscheduled obligations are the sequential run's, job for job."""
    events: list[JobEvent] = []
    planned = plan_county(county, spec, cluster=cluster, progress=events.append)
    assert cluster.workers == 2
    assert not planned.failures
    assert len(planned.townships) == 3
    merged = county_plan(planned)
    assert merged.routes
    assert verify_plan(county, merged, obligations=county_obligations(planned)) == []
    for ours, theirs in zip(planned.townships, sequential.townships, strict=True):
        assert ours.joint is not None and theirs.joint is not None
        assert ours.joint.routes == theirs.joint.routes
        assert ours.joint.unscheduled == theirs.joint.unscheduled
        assert ours.siloed is not None and theirs.siloed is not None
        assert ours.siloed.routes == theirs.siloed.routes
        assert ours.siloed.unscheduled == theirs.siloed.unscheduled
    assert [e.finished for e in events] == list(range(1, len(planned.jobs) + 1))
    assert {e.state for e in events} == {"done"}


@dataclass(frozen=True)
class KillOnce:
    """Run ``fn``; the first time (no marker file yet) kill this worker process instead."""

    marker: str
    fn: Callable[..., Any]

    def __call__(self, *args: Any) -> Any:
        if not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        return self.fn(*args)


@dataclass(frozen=True)
class AlwaysFail:
    """A job that fails every time it runs."""

    message: str

    def __call__(self, *args: Any) -> Any:
        raise RuntimeError(self.message)


def test_a_killed_worker_s_job_is_retried(
    county: Scenario, spec: WeekSpec, cluster: Cluster, sequential: CountyPlan, tmp_path: Path
) -> None:
    """A job whose worker process dies under it (SIGKILL) runs again and gives the same plan."""
    townships = split_county(county)
    jobs = county_jobs(townships[:1], spec, baseline=False)
    marker = tmp_path / "killed"
    jobs[0] = replace(jobs[0], fn=KillOnce(str(marker), jobs[0].fn))
    events: list[JobEvent] = []
    (result,) = cluster.run(jobs, progress=events.append)
    assert marker.exists()
    assert [e.state for e in events] == ["retry", "done"]
    assert "died" in events[0].error
    assert result.ok and result.attempts == 2
    assert int(marker.read_text(encoding="utf-8")) != result.value.pid
    plan, _ = result.value.value
    reference = sequential.townships[0].joint
    assert reference is not None and plan.routes == reference.routes


def test_a_township_that_fails_twice_is_reported_and_the_others_are_planned(
    county: Scenario, spec: WeekSpec, cluster: Cluster, tmp_path: Path
) -> None:
    """Township t2's job fails on both tries: the summary names t2 with the error, and t1 and t3
    are planned and written — the week is not lost."""
    townships = split_county(county)
    jobs = county_jobs(townships, spec, baseline=False)
    jobs = [
        replace(j, fn=AlwaysFail("road network unreadable")) if j.township == "t2" else j
        for j in jobs
    ]
    results = cluster.run(jobs)
    planned = merge_county(townships, spec, results, cluster.workers)
    summary = county_summary(planned)
    assert summary["townships_failed"] == ["t2"]
    (failure,) = summary["failed"]
    assert failure["township"] == "t2" and failure["attempts"] == 2
    assert "RuntimeError: road network unreadable" in failure["error"]
    assert failure["name"] == townships[1].name
    assert [r["status"] for r in summary["townships"]] == ["planned", "failed", "planned"]
    rows = [summary["townships"][0], summary["townships"][2]]
    assert summary["county"]["obligations_due"] == sum(r["obligations_due"] for r in rows) > 0
    assert summary["county"]["coverage_joint"] is not None
    assert summary["county"]["coverage_siloed"] is None  # no baseline was planned
    assert verify_plan(county, county_plan(planned)) == []


def test_a_job_that_raises_once_is_retried_here() -> None:
    """The sequential runner retries like the cluster: a job that raises once succeeds after."""
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk busy")
        return "ok"

    events: list[JobEvent] = []
    (result,) = run_here([Job("t1/joint", "t1", flaky)], events.append)
    assert result.ok and result.value == "ok" and result.attempts == 2
    assert [(e.state, e.error) for e in events] == [("retry", "OSError: disk busy"), ("done", "")]


# ---------------------------------------------------------------- command line


def test_cli_plans_a_county_on_a_local_cluster(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``plan --workers 1`` writes a plan per township and county.json with coverage per
    township and department, joint and siloed."""
    scenario_dir = tmp_path / "county"
    assert main(["synth", str(scenario_dir), "--businesses", "40", "--townships", "2"]) == 0
    params = tmp_path / "fast.toml"
    params.write_text("[solve]\ntime_limit_s = 20\nuse_guided_local_search = false\n")
    out = tmp_path / "out"
    code = main(
        ["plan", str(scenario_dir), "--workers", "1", "--out", str(out), "--params", str(params)]
    )
    assert code == 0
    summary = json.loads((out / "county.json").read_text(encoding="utf-8"))
    assert [r["office_id"] for r in summary["townships"]] == ["t1", "t2"]
    assert all((out / t / "plan.json").exists() for t in ("t1", "t2"))
    assert summary["county"]["coverage_joint"] is not None
    assert set(summary["county"]["coverage_by_department"]) >= {"market", "fire"}
    assert summary["failed"] == []
    printed = capsys.readouterr().out
    assert "t2/joint" in printed and "coverage by department" in printed


@pytest.fixture(scope="module")
def pairs_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-township fixture county (each township's three officers form a trio by
    default) planned by ``plan --workers 1`` with a params file whose ``[teams]`` table allows
    teams of two only: the output folder."""
    params = tmp_path_factory.mktemp("pairs") / "pairs.toml"
    params.write_text(
        "[solve]\ntime_limit_s = 20\nuse_guided_local_search = false\n\n[teams]\nmax_size = 2\n"
    )
    out = params.parent / "out"
    args = ["plan", str(COUNTY), "--workers", "1", "--out", str(out), "--quiet"]
    assert main([*args, "--params", str(params), "--no-baseline"]) == 0
    return out


def test_cli_county_passes_the_teams_table_to_every_township(
    pairs_plan: Path,
) -> None:
    """``[teams] max_size = 2`` reaches each township's team formation: no route of any
    township has three officers (the default allows them, and this county forms trios)."""
    out = pairs_plan
    for office in ("north", "south"):
        routes = json.loads((out / office / "plan.json").read_text(encoding="utf-8"))["routes"]
        assert routes
        assert max(len(r["officers"]) for r in routes) == 2


def test_cli_exports_a_township_plan_without_flags(
    pairs_plan: Path,
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """Each township's plan.json names its scenario (and roads) as a single plan's does, so
    ``export OUT/OFFICE --to DIR`` needs no ``--scenario``."""
    out = pairs_plan
    data = json.loads((out / "south" / "plan.json").read_text(encoding="utf-8"))
    assert data["scenario"] == str(COUNTY.resolve())
    assert data["roads"] is None
    assert main(["export", str(out / "south"), "--to", str(tmp_path / "south")]) == 0
    assert (tmp_path / "south" / "roster.xlsx").exists()
    assert "files for the week of" in capsys.readouterr().out


# ---------------------------------------------------------------- the county preset


def test_county_preset_is_twenty_townships_of_1500_businesses() -> None:
    """``--preset county`` is 20 townships × 1,500 businesses; a given size overrides it."""
    assert preset_size("county") == (30_000, 20)
    assert preset_size("county", businesses=200) == (200, 20)
    assert preset_size(None, businesses=50) == (50, 1)
    with pytest.raises(ValueError, match="unknown preset 'city'"):
        preset_size("city")


def test_cli_county_preset_is_deterministic(tmp_path: Path) -> None:
    """Two runs of ``synth --preset county`` (scaled down) write the same files, 20 offices."""
    for name in ("a", "b"):
        args = ["synth", str(tmp_path / name), "--preset", "county", "--businesses", "60"]
        assert main(args) == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    scenario = load_scenario(tmp_path / "a")
    assert len(scenario.settings.offices) == 20 and len(scenario.businesses) == 60


def test_an_unreachable_cluster_is_a_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """``PLANNER_CLUSTER`` naming a port nothing listens on: exit 2 and one line saying so,
    not a traceback (the variable alone switches ``plan`` to townships as jobs)."""
    scenario_dir = tmp_path / "county"
    assert main(["synth", str(scenario_dir), "--businesses", "6", "--townships", "2"]) == 0
    monkeypatch.setenv("PLANNER_CLUSTER", "tcp://127.0.0.1:9")
    code = main(["plan", str(scenario_dir), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    assert "cannot reach the cluster at tcp://127.0.0.1:9" in capsys.readouterr().err
