"""Command line: ``python -m planner COMMAND …`` (thin: it calls ``planner`` and prints)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from planner.errors import BadValue, PlannerError, Problem

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
Command = Callable[[argparse.Namespace], int]


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a scenario; print every problem, or per-table counts when valid."""
    from planner.load import check_scenario

    scenario, problems = check_scenario(args.path)
    if scenario is not None and args.roads is not None:
        problems = (*problems, *_road_problems(args.path, scenario, args.roads))
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    _print_problems(errors + warnings)
    if scenario is None:
        print(f"\n{args.path}: INVALID — {len(errors)} error(s), {len(warnings)} warning(s)")
        return EXIT_INPUT
    counts = {
        "departments": len(scenario.departments),
        "items": len(scenario.items),
        "businesses": len(scenario.businesses),
        "history": len(scenario.history),
        "tasks": len(scenario.tasks),
        "inspectors": len(scenario.inspectors),
        "teams": len(scenario.teams),
        "recusals": len(scenario.recusals),
        "offices": len(scenario.settings.offices),
    }
    print(f"{args.path}: valid — {scenario.settings.township}")
    for table, count in counts.items():
        print(f"  {table:12} {count:6d}")
    categories = Counter(c for b in scenario.businesses for c in b.categories)
    print("  categories   " + ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    if warnings:
        print(f"  ({len(warnings)} warning(s) above)")
    return EXIT_OK


def _road_problems(path: Path, scenario: Any, roads: Path) -> list[Problem]:
    """``travel.scenario_road_warnings`` as validate warnings, each at its file and row."""
    from planner.load import read_raw
    from planner.travel import scenario_road_warnings

    raw = read_raw(Path(path))
    where: dict[str, tuple[str, int]] = {}
    for table in (raw.offices, raw.tables.get("businesses")):
        if table is not None:
            where.update({row.get("id", ""): (table.file, n) for n, row in table.rows})
    return [
        Problem.of(*where.get(w.id, (roads.name, 0)), "lon", w.coded, "warning")
        for w in scenario_road_warnings(scenario, roads)
    ]


def _print_rows(lines: Sequence[str], limit: int) -> None:
    shown = lines if limit <= 0 else lines[:limit]
    for line in shown:
        print("  " + line)
    if len(shown) < len(lines):
        print(f"  … and {len(lines) - len(shown)} more (--limit 0 shows all)")


def cmd_obligations(args: argparse.Namespace) -> int:
    """Print the week's due obligations, joint and siloed visits, deferred obligations and draws."""
    from planner import (
        derive_obligations,
        draw_week,
        load_scenario,
        merge_obligations,
        merge_siloed,
        simulate,
    )
    from planner.merge import visit_items
    from planner.params import read_params

    scenario = load_scenario(args.path)
    params = read_params(args.params).plan
    week = args.week or scenario.settings.week_start
    logs = draw_week(scenario, week, params)
    obligations = derive_obligations(scenario, week, params, draws=logs)
    joint = merge_obligations(scenario, obligations, week, params, draws=logs)
    siloed = merge_siloed(scenario, obligations, week, params, draws=logs)
    week_end = week + dt.timedelta(days=6)
    due = sorted((o for o in obligations if o.due <= week_end), key=lambda o: (-o.priority, o.due))
    print(f"{scenario.settings.township}: week {week} – {week_end}")
    print(f"\nDue or overdue obligations: {len(due)} (of {len(obligations)} relevant this week)")
    _print_rows(
        [
            f"{o.business_id:16} {o.item_id:18} {o.department_id:12} {o.reason.value:11} "
            f"due {o.due}  priority {o.priority:2d}{'  [unannounced]' if o.unannounced else ''}"
            for o in due
        ],
        args.limit,
    )
    minutes = joint.service_seconds / 60
    print(f"\nJoint visits: {len(joint.visits)} ({minutes:.0f} min on site)")
    _print_rows(
        [
            f"{v.business_id:16} {v.service_seconds // 60:4d} min  "
            + ", ".join(
                i.label
                + ("*" if any(o.unannounced for o in i.obligations) else "")
                + ("^" if all(o.due > week_end for o in i.obligations) else "")
                for i in visit_items(v.obligations)
            )
            for v in joint.visits
        ],
        args.limit,
    )
    print("  (* unannounced: never on a notice; ^ pulled forward)")
    minutes = siloed.service_seconds / 60
    print(f"\nSiloed visits (each department alone): {len(siloed.visits)} ({minutes:.0f} min)")
    _print_rows(
        [
            f"{v.business_id:16} {v.department_ids[0]:12} {v.service_seconds // 60:4d} min  "
            + ", ".join(o.item_id for o in v.obligations)
            for v in siloed.visits
        ],
        args.limit,
    )
    print(f"\nDeferred: {len(joint.deferred)} (desk queue {len(joint.desk_queue)})")
    _print_rows(
        [
            f"{d.obligation.business_id:16} {d.obligation.item_id:18} {d.kind.value:11} {d.reason}"
            for d in joint.deferred
        ],
        args.limit,
    )
    if logs:
        print(f"\nRandom draws (双随机) behind this week: {len(logs)}")
        _print_rows(
            [
                f"{g.rule.department_id:12} {g.rule.category:12} {g.period_start}–{g.period_end} "
                f"seed {g.seed}{' coordinated' if g.coordinated else ''}: "
                f"{len(g.drawn)} of {len(g.population)} ({g.rule.ratio:g}) drawn: "
                + ", ".join(g.drawn)
                for g in logs
            ],
            args.limit,
        )
    if args.simulate_weeks:
        _print_simulation(
            simulate(scenario, args.simulate_weeks, params, start=week),
            simulate(scenario, args.simulate_weeks, params, start=week, pull_forward=False),
        )
    return EXIT_OK


def _print_simulation(with_pf: Any, without_pf: Any) -> None:
    a, b = with_pf.summary(), without_pf.summary()
    print(
        f"\nSimulation: {a['weeks']} weeks from {with_pf.start}, {a['businesses']} businesses, "
        "every planned visit done, every check passed"
    )
    rows = [
        ("visits", "joint_visits", "siloed_visits"),
        ("visits per business per year", "joint_visits_per_business_year",
         "siloed_visits_per_business_year"),
        ("on-site hours", "joint_onsite_hours", "siloed_onsite_hours"),
        ("visits in the first week", "joint_first_week_visits", "siloed_first_week_visits"),
        ("obligations pulled forward", "joint_pulled_forward", "siloed_pulled_forward"),
    ]  # fmt: skip
    print(f"  {'':30} {'joint':>9} {'siloed':>9} {'joint, no PF':>13} {'siloed, no PF':>14}")
    for label, j, s in rows:
        print(f"  {label:30} {a[j]:>9g} {a[s]:>9g} {b[j]:>13g} {b[s]:>14g}")
    print(f"  visits avoided by joint inspection: {a['visits_avoided_share']:.1%}")


def cmd_synth(args: argparse.Namespace) -> int:
    """Write a synthetic scenario (CSV folder, or a workbook if OUT ends in .xlsx); print counts."""
    from planner.synth import preset_size, synthesize
    from planner.tables import write_scenario

    try:
        businesses, townships = preset_size(args.preset, args.businesses, args.townships)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if businesses < 1 or townships < 1:
        print("error: --businesses and --townships must be at least 1", file=sys.stderr)
        return EXIT_INPUT
    scenario = synthesize(businesses=businesses, townships=townships, seed=args.seed)
    path = write_scenario(scenario, args.out)
    print(f"{path}: {scenario.settings.township} (seed {args.seed})")
    counts = {
        "offices": len(scenario.settings.offices),
        "businesses": len(scenario.businesses),
        "history": len(scenario.history),
        "tasks": len(scenario.tasks),
        "inspectors": len(scenario.inspectors),
    }
    for table, count in counts.items():
        print(f"  {table:12} {count:6d}")
    categories = Counter(c for b in scenario.businesses for c in b.categories)
    print("  categories   " + ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    return EXIT_OK


def _show_progress(started: float | None = None) -> Callable[[Any], None]:
    """A progress printer: a line per improvement, at most one a second unless visits change;
    times are seconds since ``started`` (``time.perf_counter``; the solve's start if ``None``)."""
    import time

    last: dict[str, Any] = {"at": -1.0, "stage": "", "served": -1}

    def show(event: Any) -> None:
        now = time.perf_counter()
        if (
            event.stage == last["stage"]
            and event.served == last["served"]
            and now - last["at"] < 1.0
        ):
            return
        last.update(at=now, stage=event.stage, served=event.served)
        elapsed = event.elapsed_s if started is None else now - started
        print(
            f"  {elapsed:7.1f} s  {event.stage:28} visits {event.served:5d}/{event.offered}"
            f"  cost {event.objective}",
            flush=True,
        )

    return show


def _show_teams(started: float) -> Callable[[Any], None]:
    """A line per day as its teams are formed (``planner.teams.Formation``), seconds since
    ``started``: formation comes before routing's first plan and takes seconds."""
    import time

    def show(formation: Any) -> None:
        officers = sum(len(t.officer_ids) for t in formation.teams)
        day = f"teams {formation.day:%a %Y-%m-%d}"
        teams = len(formation.teams)
        print(
            f"  {time.perf_counter() - started:7.1f} s  {day:28} {teams:3d} team"
            f"{'' if teams == 1 else 's'} of {officers} officers, {len(formation.idle)} idle",
            flush=True,
        )

    return show


def _baseline_metrics(
    args: argparse.Namespace, scenario: Any, plan: Any, siloed: Any, params: Any
) -> dict[str, Any]:
    """Score the joint plan against its siloed baseline, write metrics.json."""
    from planner.metrics import evaluate, write_metrics

    doc = evaluate(scenario, plan, siloed, params=params).to_dict()
    doc["scenario"] = str(Path(args.path).resolve())
    write_metrics(doc, args.out)
    return doc


def _show_department() -> Callable[[Any], None]:
    """A line per department of the siloed baseline as it is collected (``DepartmentDone``)."""

    def show(done: Any) -> None:
        if done.done == 1:
            print("\nSiloed baseline, each department as it finished:", flush=True)
        print(
            f"  [{done.done}/{done.total}] {done.department_id:12}"
            f" visits {done.planned:5d}/{done.offered}  {done.elapsed_s:5.1f} s in a worker",
            flush=True,
        )

    return show


def _county_mode(args: argparse.Namespace) -> bool:
    """Plan townships as jobs on a cluster: ``--workers``, ``--cluster`` or ``$PLANNER_CLUSTER``."""
    from planner.cluster import cluster_address

    return args.workers is not None or cluster_address(args.cluster) is not None


def _job_line(event: Any) -> str:
    """One job event as a line: how many ended, when, which job and what became of it."""
    error = f": {event.error}" if event.error else ""
    return (
        f"  [{event.finished:3d}/{event.total}] {event.elapsed_s:7.1f} s  "
        f"{event.key:28} {event.state}{error}"
    )


@contextmanager
def _show_jobs(console: Any = None) -> Iterator[Callable[[Any], None]]:
    """A job progress display: a rich progress bar on a terminal (retries and failures printed
    above it), otherwise a plain line per job that ends, is retried or fails (logs, CI)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console()
    if not console.is_terminal:

        def line(event: Any) -> None:
            print(_job_line(event), flush=True)

        yield line
        return
    columns = (TextColumn("jobs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.description}"), console=console) as bar:
        task = bar.add_task("", total=None)

        def show(event: Any) -> None:
            if event.state != "done":
                bar.console.print(_job_line(event))
            bar.update(task, completed=event.finished, total=event.total, description=event.key)

        yield show


def _plan_county(
    args: argparse.Namespace,
    scenario: Any,
    params: Any,
    solve_params: Any,
    team_params: Any,
    week: dt.date,
) -> int:
    """Plan every township of the scenario as jobs; write OUT/OFFICE/plan.json and county.json."""
    import time

    from planner.cluster import cluster_address, cluster_name, open_cluster
    from planner.county import WeekSpec, plan_county, summary_lines, write_county

    address = None if args.workers is not None and not args.cluster else cluster_address(args.cluster)  # fmt: skip
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return EXIT_INPUT
    roads = str(args.roads) if args.roads else None
    spec = WeekSpec(week, params, solve_params, team_params, roads)
    started = time.perf_counter()
    print(f"starting {cluster_name(address)} …", flush=True)
    with open_cluster(args.workers, address) as cluster:
        print(
            f"{scenario.settings.township}: planning week {week} on {cluster.workers} worker(s) "
            f"(time limit {solve_params.time_limit_s:g} s a job, seed {solve_params.seed})",
            flush=True,
        )
        with _show_jobs() as show:
            county = plan_county(
                scenario,
                spec,
                cluster=cluster,
                progress=None if args.quiet else show,
                baseline=not args.no_baseline,
            )
    wall = time.perf_counter() - started
    path = write_county(
        county, args.out, scenario_path=args.path, roads=args.roads, wall_seconds=wall
    )
    print(f"\n{path}")
    print("\n".join(summary_lines(json.loads(path.read_text(encoding="utf-8")))))
    return EXIT_FAILURE if county.failures else EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan a week: write OUT/plan.json, show progress and a summary."""
    import time
    from dataclasses import replace

    from planner import load_scenario
    from planner.params import read_params
    from planner.pipeline import baseline_workers, run_week, run_week_and_baseline
    from planner.planfile import write_plan

    scenario = load_scenario(args.path)
    tables = read_params(args.params)
    params, solve_params, team_params = tables.plan, tables.solve, tables.teams
    given = {"time_limit_s": args.time_limit, "seed": args.seed, "engine": args.engine}
    solve_params = replace(solve_params, **{k: v for k, v in given.items() if v is not None})
    week = args.week or scenario.settings.week_start
    if _county_mode(args):
        return _plan_county(args, scenario, params, solve_params, team_params, week)
    print(
        f"{scenario.settings.township}: planning week {week} "
        f"(time limit {solve_params.time_limit_s:g} s, seed {solve_params.seed})",
        flush=True,
    )
    started = time.perf_counter()
    progress = None if args.quiet else _show_progress(started)
    burden = None
    shared: dict[str, Any] = {
        "week_start": week,
        "roads": args.roads,
        "progress": progress,
        "team_params": team_params,
        "team_progress": None if args.quiet else _show_teams(started),
    }
    if args.no_baseline:
        plan = run_week(scenario, params, solve_params, **shared).plan
    else:
        workers = baseline_workers()
        where = f"in {workers} worker process(es) alongside" if workers else "after"
        print(
            f"Siloed baseline (each department alone, same engine and settings): routed {where}"
            " the joint plan",
            flush=True,
        )
        joint, siloed = run_week_and_baseline(
            scenario,
            params,
            solve_params,
            baseline_progress=None if args.quiet else _show_department(),
            **shared,
        )
        plan = joint.plan
        burden = _baseline_metrics(args, scenario, plan, siloed.plan, params)
    if burden is not None:
        from planner.metrics import flat_metrics

        metrics = flat_metrics(burden)
    else:
        metrics = None
    path = write_plan(
        plan, scenario, args.out, metrics=metrics, scenario_path=args.path, roads=args.roads
    )
    m = dict(plan.metrics)
    print(f"\n{path}")
    print(
        f"  visits       {m['visits_planned']:.0f} planned of {m['visits_offered']:.0f} a team "
        f"could make ({m['visits_candidate']:.0f} candidates), {m['routes']:.0f} routes"
    )
    print(
        f"  obligations  {m['obligations_scheduled']:.0f} scheduled, "
        f"{m['obligations_unscheduled']:.0f} unscheduled, {m['obligations_deferred']:.0f} deferred"
        f" (due this week: {m['obligations_due_scheduled']:.0f} of {m['obligations_due']:.0f})"
    )
    print(
        f"  travel       {m['travel_seconds'] / 3600:.1f} h, {m['distance_metres'] / 1000:.1f} km"
    )
    print(
        f"  coverage     {m['weighted_coverage']:.1%} priority-weighted "
        f"(LP upper bound {m['lp_bound']:.1%})"
    )
    print(
        f"  time         first plan {m['first_solution_seconds']:.1f} s, "
        f"total {m['total_seconds']:.1f} s"
    )
    reasons = Counter(u.reason for u in plan.unscheduled)
    if reasons:
        print("  unscheduled by reason:")
        _print_rows([f"{n:5d}  {r}" for r, n in reasons.most_common()], args.limit)
    if burden is not None:
        from planner.metrics import report_lines

        print()
        print("\n".join(report_lines(burden)))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Print a plan's burden and coverage summary (metrics.json); optionally a simulated year."""
    from planner.metrics import read_metrics, report_lines

    try:
        doc = read_metrics(args.plan_dir)
    except (OSError, ValueError) as exc:
        raise PlannerError(f"cannot read the metrics in {args.plan_dir}: {exc}") from exc
    if "visits_siloed" not in doc:
        raise PlannerError(
            f"{args.plan_dir} has no siloed baseline: plan it with `python -m planner plan` "
            "(without --no-baseline)"
        )
    year = None
    if args.year_weeks > 0:
        from planner import load_scenario
        from planner.metrics import year_metrics
        from planner.params import read_params

        scenario_path = args.scenario or doc.get("scenario")
        if not scenario_path:
            raise PlannerError("metrics.json does not say which scenario: give --scenario")
        scenario = load_scenario(scenario_path)
        params = read_params(args.params).plan
        start = dt.date.fromisoformat(doc["week_start"]) if doc.get("week_start") else None
        year = year_metrics(scenario, args.year_weeks, params, start=start, week=doc).to_dict()
    print("\n".join(report_lines(doc, year)))
    return EXIT_OK


def _plan_field_path(plan_dir: Path, data: dict[str, Any], key: str) -> Path | None:
    """A path recorded in plan.json under ``key`` (relative to the plan's folder), if any."""
    value = data.get(key)
    if not value:
        return None
    path = Path(str(value))
    return path if path.is_absolute() else plan_dir / path


def cmd_export(args: argparse.Namespace) -> int:
    """Export a plan: roster workbook, CSV, calendars, notices, route sheets, GeoJSON."""
    from planner.access import DEMO_SECRET, SECRET_ENV
    from planner.export import export_plan
    from planner.load import load_scenario
    from planner.planfile import plan_from_json, read_plan

    plan_dir = args.plan_dir if args.plan_dir.is_dir() else args.plan_dir.parent
    try:
        data = read_plan(args.plan_dir)
    except (OSError, ValueError) as exc:
        raise PlannerError(f"cannot read the plan in {args.plan_dir}: {exc}") from exc
    scenario_path = args.scenario or _plan_field_path(plan_dir, data, "scenario")
    if scenario_path is None:
        raise PlannerError(
            "plan.json does not say which scenario it was made from: give --scenario"
        )
    scenario = load_scenario(scenario_path)
    plan = plan_from_json(data, scenario)
    roads = args.roads or _plan_field_path(plan_dir, data, "roads")
    secret = _export_secret()
    paths = export_plan(
        plan, scenario, args.to, secret=secret, roads=roads, stamp=dt.datetime.now(dt.UTC)
    )
    for path in paths if args.list else ():
        print(f"  {path}")
    print(f"{args.to}: {len(paths)} files for the week of {plan.week_start}")
    if secret == DEMO_SECRET:
        print(f"  note: access codes use the public demo secret; set {SECRET_ENV} for real use")
    return EXIT_OK


def _export_secret() -> str:
    """``$PLANNER_SECRET``, else the installation's secret from its database (made if missing),
    so exported notices carry the codes the app's Business page accepts."""
    from sqlalchemy.exc import SQLAlchemyError

    from planner.access import SECRET_ENV, current_secret, use_installation_secret
    from planner.auth import Accounts

    if not os.environ.get(SECRET_ENV):
        try:
            with Accounts() as accounts:
                accounts.init()
                use_installation_secret(accounts.installation_secret())
        except (SQLAlchemyError, OSError) as exc:
            raise PlannerError(
                f"cannot read this installation's access-code secret from its database ({exc}); "
                f"set {SECRET_ENV} to export notices"
            ) from None
    return current_secret()


# ---------------------------------------------------------------- db: the plan lifecycle store


def _db_store(args: argparse.Namespace) -> Any:
    from planner.store import Store

    return Store(args.url)


def _db_user(args: argparse.Namespace) -> str:
    import getpass
    import os

    return args.by or os.environ.get("PLANNER_USER") or getpass.getuser()


def _db_run(args: argparse.Namespace) -> int:
    """Run a ``db`` command; a refused read or write prints its whole message and exits 2."""
    from planner.store import StoreError

    func: Command = args.db_func
    try:
        return func(args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT


def _db_plan_line(info: Any) -> str:
    from planner.store import local_time

    who = f"published by {info.published_by}" if info.published_by else f"by {info.created_by}"
    return (
        f"plan {info.id}  week {info.week_start}  {info.status.value:9}  version {info.version}  "
        f"revision {info.revision}  scenario v{info.scenario_version_id}  {who}, "
        f"changed {local_time(info.updated_at)} by {info.updated_by}"
    )


def cmd_db_init(args: argparse.Namespace) -> int:
    """Create or upgrade the database schema."""
    with _db_store(args) as store:
        revision = store.init()
        print(f"{store._safe_url()}: schema at {revision} ({store.dialect})")
    return EXIT_OK


def cmd_db_import(args: argparse.Namespace) -> int:
    """Import a scenario as a new version."""
    from planner.load import load_scenario

    scenario = load_scenario(args.path)
    with _db_store(args) as store:
        version = store.import_scenario(
            scenario, by=_db_user(args), why=args.why, source=str(args.path)
        )
    print(f"scenario version {version.id}: {version.township} from {args.path}")
    return EXIT_OK


def cmd_db_list(args: argparse.Namespace) -> int:
    """List scenario versions and plans."""
    from planner.store import local_time

    with _db_store(args) as store:
        for v in store.scenario_versions():
            print(
                f"scenario v{v.id}  {v.township}  {local_time(v.created_at)} by {v.created_by}  "
                f"{v.source}"
            )
        for info in store.plans():
            print(_db_plan_line(info))
    return EXIT_OK


def cmd_db_plan(args: argparse.Namespace) -> int:
    """Plan a week from a stored scenario version and save it as a draft."""
    from dataclasses import replace

    from planner import plan_week
    from planner.params import read_params

    tables = read_params(args.params)
    params, solve_params, team_params = tables.plan, tables.solve, tables.teams
    if args.time_limit is not None:
        solve_params = replace(solve_params, time_limit_s=args.time_limit)
    with _db_store(args) as store:
        version = args.scenario_version or store.latest_scenario_version().id
        scenario = store.load_scenario(version)
        week = args.week or scenario.settings.week_start
        print(f"planning week {week} from scenario version {version} …", flush=True)
        plan = plan_week(scenario, params, solve_params, week_start=week, team_params=team_params)
        info = store.save_plan(plan, scenario_version=version, by=_db_user(args), why=args.why)
        print(_db_plan_line(info))
        visits = sum(len(r.stops) for r in plan.routes)
        print(
            f"  {visits} visits in {len(plan.routes)} routes, {len(plan.unscheduled)} unscheduled"
        )
    return EXIT_OK


def cmd_db_publish(args: argparse.Namespace) -> int:
    """Publish a draft plan (notices to businesses)."""
    with _db_store(args) as store:
        info = store.publish(
            args.plan, by=_db_user(args), why=args.why, expected_version=args.expect_version
        )
        print(_db_plan_line(info))
        print(f"  {len(store.notices(args.plan))} notices")
    return EXIT_OK


def _enum_value(kind: Any, value: str) -> Any:
    """``kind(value)``, or ``BadValue`` listing the allowed values (not Python's
    ``'x' is not a valid OutcomeStatus``)."""
    try:
        return kind(value)
    except ValueError:
        raise BadValue.of(
            "not_one_of", value=value, allowed=", ".join(k.value for k in kind)
        ) from None


def _read_outcomes(path: Path) -> list[Any]:
    """Outcomes from a CSV with columns business, item, date, status, result, note.

    Read like a scenario table (``planner.load``: encodings, size caps) and checked cell by cell
    (dates, statuses, results, control characters); every problem names its row and column.
    """
    from planner.domain import Outcome, OutcomeStatus, Result
    from planner.errors import InputError
    from planner.load import decode_text, parse_csv
    from planner.validate import parse_date, unsafe_text

    if not path.is_file():
        raise InputError([Problem.coded(path.name, 0, "", "outcomes_not_found")])
    problems: list[Problem] = []
    table = parse_csv(
        "outcomes", path.name, decode_text(path.read_bytes(), path.name, problems), problems
    )
    found = []
    parsers: dict[str, Callable[[str], Any]] = {
        "status": lambda v: _enum_value(OutcomeStatus, v),
        "result": lambda v: _enum_value(Result, v) if v else None,
        "date": parse_date,
    }
    for number, row in table.rows:
        unsafe = [(c, unsafe_text(v, is_id=c in ("business", "item"))) for c, v in row.items()]
        problems += [Problem.of(path.name, number, c, m) for c, m in unsafe if m]
        values: dict[str, Any] = {}
        for column, parse in parsers.items():
            try:
                values[column] = parse(row.get(column, ""))
            except BadValue as exc:
                problems.append(Problem.of(path.name, number, column, exc.message))
        if len(values) == len(parsers) and not any(m for _, m in unsafe):
            found.append(
                Outcome(row.get("business", ""), row.get("item", ""), values["date"],
                        values["status"], values["result"], row.get("note", ""))
            )  # fmt: skip
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return found


def cmd_db_record(args: argparse.Namespace) -> int:
    """Record a week's outcomes from a CSV file."""
    outcomes = _read_outcomes(args.outcomes)
    with _db_store(args) as store:
        info = store.record_outcomes(
            args.plan, outcomes, by=_db_user(args), why=args.why,
            expected_version=args.expect_version, replace_existing=args.replace,
        )  # fmt: skip
        print(_db_plan_line(info))
        print(f"  {len(outcomes)} outcome line(s) recorded")
    return EXIT_OK


def cmd_db_close(args: argparse.Namespace) -> int:
    """Close a published week; its outcomes become the next scenario version."""
    with _db_store(args) as store:
        info, version = store.close_plan(
            args.plan, by=_db_user(args), why=args.why, expected_version=args.expect_version
        )
        print(_db_plan_line(info))
        print(f"  next week plans from scenario version {version.id}")
    return EXIT_OK


def _db_span(text: str, first: dt.date) -> tuple[str, dt.date, dt.date | None]:
    """``ID`` or ``ID:LAST_DAY`` → (id, first day, last day or None)."""
    key, _, last = text.partition(":")
    return key, first, dt.date.fromisoformat(last) if last else None


def cmd_db_replan(args: argparse.Namespace) -> int:
    """Re-plan the rest of a published week after absences, closures or urgent complaints."""
    from dataclasses import replace

    from planner import PlanParams, SolveParams
    from planner.domain import Task, TaskKind
    from planner.replan import BusinessClosed, OfficerAbsent, UrgentTask
    from planner.store import replan_week

    start = args.from_day
    changes: list[Any] = []
    for text in args.officer_off:
        officer, first, last = _db_span(text, start)
        changes.append(OfficerAbsent(officer, first, last, "unavailable"))
    for text in args.closed:
        business, first, last = _db_span(text, start)
        changes.append(BusinessClosed(business, first, last, "closed"))
    params = PlanParams.from_toml(args.params) if args.params else PlanParams()
    solve_params = SolveParams.from_toml(args.params) if args.params else SolveParams()
    if args.time_limit is not None:
        solve_params = replace(solve_params, time_limit_s=args.time_limit)
    with _db_store(args) as store:
        sunday = store.plan_info(args.plan).week_start + dt.timedelta(days=6)
        for n, text in enumerate(args.urgent, start=1):
            business, _, item = text.partition(":")
            task_id = f"urgent-{args.plan}-{start:%m%d}-{n}"
            task = Task(task_id, business, item, TaskKind.COMPLAINT, None, sunday, 5, args.why)
            changes.append(UrgentTask(task))
        diff = replan_week(
            store, args.plan, changes, from_day=start, by=_db_user(args), why=args.why,
            params=params, solve_params=solve_params, expected_version=args.expect_version,
        )  # fmt: skip
        print(_db_plan_line(store.plan_info(args.plan)))
        urgent = {c.task.id for c in changes if isinstance(c, UrgentTask)}
        draft = store.pending_replan(args.plan)
        proposed = draft.plan if draft is not None else store.load_plan(args.plan)
        left = [u for u in proposed.unscheduled if u.obligation.task_id in urgent]
    for line in diff.lines():
        print(f"  {line}")
    for u in left:
        o = u.obligation
        print(f"  NOT PLANNED urgent {o.task_id} {o.business_id}/{o.item_id}: {u.reason}")
    renotify = ", ".join(diff.renotify) or "none"
    print(f"  draft re-plan: businesses still see the published plan; to re-notify ({renotify}):")
    print(f"  python -m planner db publish {args.plan}")
    return EXIT_OK


def cmd_db_history(args: argparse.Namespace) -> int:
    """Print the audit log (of one plan when given)."""
    import json

    from planner.store import local_time

    with _db_store(args) as store:
        entries = store.history(args.plan)
    for e in entries:
        version = f" v{e.version}" if e.version is not None else ""
        why = f" — {e.why}" if e.why else ""
        print(
            f"{local_time(e.at)}  {e.actor:10} {e.action:16} {e.entity} {e.entity_id}{version}{why}"
        )
        if args.details and e.details:
            print(f"    {json.dumps(e.details, ensure_ascii=False)}")
    return EXIT_OK


def _add_db_parser(sub: Any) -> None:
    """The ``db`` subcommand group: init, import, list, plan, publish, record, close, replan …"""
    db = sub.add_parser("db", help="store plans: init|import|list|plan|publish|record|close|replan|history")  # fmt: skip
    db.add_argument(
        "--url",
        help="database URL (default: $PLANNER_DATABASE_URL, else SQLite in the user's data dir)",  # fmt: skip
    )
    db.set_defaults(func=_db_run)
    cmds = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--by", help="who makes the change (default: $PLANNER_USER, else login name)")
    who.add_argument("--why", default="", help="why (kept in the audit log)")
    lock = argparse.ArgumentParser(add_help=False)
    lock.add_argument("plan", type=int, help="plan id (see `db list`)")
    lock.add_argument(
        "--expect-version", type=int, help="refuse if the plan is no longer at this version"
    )
    solve = argparse.ArgumentParser(add_help=False)
    solve.add_argument("--params", type=Path, help="TOML file with [plan] and [solve] tables")
    solve.add_argument("--time-limit", type=float, help="seconds for the routing")

    p = cmds.add_parser("init", help="create or upgrade the schema")
    p.set_defaults(db_func=cmd_db_init)
    p = cmds.add_parser("import", parents=[who], help="import a scenario as a new version")
    p.add_argument("path", type=Path, help="scenario (CSV folder, .zip or .xlsx)")
    p.set_defaults(db_func=cmd_db_import)
    p = cmds.add_parser("list", help="scenario versions and plans")
    p.set_defaults(db_func=cmd_db_list)
    p = cmds.add_parser("plan", parents=[who, solve], help="plan a week, save it as a draft")
    p.add_argument("--week", type=dt.date.fromisoformat, help="Monday (default: settings)")
    p.add_argument("--scenario-version", type=int, help="default: the newest")
    p.set_defaults(db_func=cmd_db_plan)
    p = cmds.add_parser("publish", parents=[lock, who], help="publish a draft (notices)")
    p.set_defaults(db_func=cmd_db_publish)
    p = cmds.add_parser("record", parents=[lock, who], help="record outcomes from a CSV")
    p.add_argument("outcomes", type=Path, help="CSV: business,item,date,status,result,note")
    p.add_argument("--replace", action="store_true", help="correct outcomes already recorded")
    p.set_defaults(db_func=cmd_db_record)
    p = cmds.add_parser("close", parents=[lock, who], help="close a week (outcomes → next week)")
    p.set_defaults(db_func=cmd_db_close)
    p = cmds.add_parser("replan", parents=[lock, who, solve], help="re-plan the rest of a week")
    p.add_argument("--from", dest="from_day", type=dt.date.fromisoformat, required=True,
                   help="first day to re-solve; earlier days stay as they are")  # fmt: skip
    p.add_argument("--officer-off", action="append", default=[], metavar="ID[:LAST_DAY]",
                   help="officer unavailable from --from (to LAST_DAY, default week end)")  # fmt: skip
    p.add_argument("--closed", action="append", default=[], metavar="BUSINESS[:LAST_DAY]",
                   help="business closed from --from (to LAST_DAY, default week end)")  # fmt: skip
    p.add_argument("--urgent", action="append", default=[], metavar="BUSINESS:ITEM",
                   help="urgent complaint to plan this week (priority 5)")  # fmt: skip
    p.set_defaults(db_func=cmd_db_replan)
    p = cmds.add_parser("history", help="the audit log: who changed what, when and why")
    p.add_argument("plan", type=int, nargs="?", help="only this plan")
    p.add_argument("--details", action="store_true", help="print each entry's details")
    p.set_defaults(db_func=cmd_db_history)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from planner.synth import PRESETS

    parser = argparse.ArgumentParser(
        prog="python -m planner",
        description="Inspect Once (综合查一次): plan joint inspections for a township.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a scenario (CSV folder, .zip or .xlsx)")
    p.add_argument("path", type=Path)
    p.add_argument(
        "--roads",
        type=Path,
        help="OSM .pbf road network: also warn about places the roads do not reach",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "obligations", help="the week's obligations, joint vs siloed visits, deferred list"
    )
    p.add_argument("path", type=Path)
    p.add_argument(
        "--week", type=dt.date.fromisoformat, help="Monday, YYYY-MM-DD (default: settings)"
    )
    p.add_argument(
        "--simulate-weeks",
        type=int,
        default=0,
        metavar="N",
        help="also simulate N weeks (52 = a year): visits per business, joint vs siloed",
    )
    p.add_argument("--params", type=Path, help="TOML file with a [plan] table (PlanParams)")
    p.add_argument("--limit", type=int, default=25, help="rows per list (0 = all; default 25)")
    p.set_defaults(func=cmd_obligations)

    p = sub.add_parser("synth", help="write a seeded synthetic scenario of any size")
    p.add_argument("out", type=Path, help="CSV folder to write, or a .xlsx workbook")
    p.add_argument("--businesses", type=int, help="number of businesses (>= 1)")
    p.add_argument("--townships", type=int, help="townships, one office each (default 1)")
    p.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="a named size: township = 1,500 businesses; county = 20 townships × 1,500 "
        "(--businesses / --townships override it)",
    )
    p.add_argument("--seed", type=int, default=0, help="same seed, same scenario (default 0)")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("plan", help="plan a week's joint inspections; write OUT/plan.json")
    p.add_argument("path", type=Path, help="scenario (CSV folder, .zip or .xlsx)")
    p.add_argument(
        "--week", type=dt.date.fromisoformat, help="Monday, YYYY-MM-DD (default: settings)"
    )
    p.add_argument("--time-limit", type=float, help="seconds for the routing (default 30)")
    p.add_argument("--seed", type=int, help="0 = input order; others shuffle it (default 0)")
    p.add_argument(
        "--engine",
        choices=("auto", "ortools", "pyvrp"),
        help="routing engine (default auto: the one measured to plan better for the problem)",
    )
    p.add_argument("--roads", type=Path, help="OSM .pbf road network (default: straight line)")
    p.add_argument("--params", type=Path, help="TOML file with [plan], [solve] and [teams] tables")
    p.add_argument("--out", type=Path, required=True, help="folder to write plan.json into")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--limit", type=int, default=10, help="reasons listed (0 = all; default 10)")
    p.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the siloed baseline and OUT/metrics.json (faster)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="plan each township (one per office) as jobs on a local cluster of N worker "
        "processes; writes OUT/OFFICE/plan.json and OUT/county.json",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="as --workers, on a running Dask scheduler, e.g. tcp://host:8786 "
        "(default: $PLANNER_CLUSTER; when set, plan always runs this way)",
    )
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("report", help="a plan's burden and coverage: joint vs departments alone")
    p.add_argument("plan_dir", type=Path, help="folder holding plan.json and metrics.json")
    p.add_argument(
        "--year-weeks",
        type=int,
        default=0,
        metavar="N",
        help="also simulate N rolling weeks (52 = a year), pull-forward on and off",
    )
    p.add_argument("--scenario", type=Path, help="the scenario (default: as metrics.json says)")
    p.add_argument("--params", type=Path, help="TOML file with a [plan] table (PlanParams)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "export", help="write a plan's roster, CSV, calendars, notices, route sheets, GeoJSON"
    )
    p.add_argument("plan_dir", type=Path, help="folder holding plan.json (or the file itself)")
    p.add_argument("--to", type=Path, required=True, help="folder to write the exports into")
    p.add_argument("--scenario", type=Path, help="the scenario the plan was made from")
    p.add_argument("--roads", type=Path, help="OSM .pbf the plan used: route lines follow roads")
    p.add_argument("--list", action="store_true", help="print every file written")
    p.set_defaults(func=cmd_export)

    _add_db_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; input problems exit 2 with every problem listed, never a traceback."""
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except PlannerError as exc:
        problems = getattr(exc, "problems", ())
        if problems:
            _print_problems(problems)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OperationalError as exc:  # the database server is down or refuses us: no traceback
        from planner.store import default_url
        from planner.views import database_place

        place = database_place(getattr(args, "url", None) or default_url())
        reason = str(exc.orig or exc).strip().splitlines()[0]
        print(f"error: cannot open the database {place}: {reason}", file=sys.stderr)
        return EXIT_INPUT
