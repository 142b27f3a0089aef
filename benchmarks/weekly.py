"""Benchmark: weekly plans from the demo to 10,000 businesses, each engine side by side.

Run from the repository root::

    python benchmarks/weekly.py                                  # every size, target budgets
    python benchmarks/weekly.py --sizes demo,1000 --time-limit 30 --engines ortools
    python benchmarks/weekly.py --sizes 3000,10000 --formation office --out weekly-office.csv
    python benchmarks/weekly.py --render weekly.csv weekly-office.csv --write  # docs from CSVs
    python benchmarks/weekly.py --heavy demo,h1000,h2000 --compare legacy --reference 10 --write

``--heavy`` (issue 12) plans heavy weeks (``HEAVY_CASES``: synthetic counties with a third of the
officers, so visits need ≥ 3× the teams' time, several offices) and the demo, jointly and siloed,
against ``--compare`` (a git revision, or ``legacy``: this tree with the new routing passes off),
side by side in one run; see "Heavy weeks, before and after" below and docs/benchmarks.md.

Every run writes its rows to ``benchmarks/results/<--out>`` (after each size, so a run cut
short keeps what it measured); ``--render`` reads CSVs (names under ``benchmarks/results/``)
instead of running; ``--write`` replaces the ``weekly`` section of ``docs/benchmarks.md``,
keeping any hand-written text after its ``<!-- weekly:kept -->`` line. ``--decomposition``
passes ``SolveParams.decomposition`` (``auto``, ``week``, ``day``).

Sizes: ``demo`` (``data/demo``) and synthetic counties (``planner.synth.synthesize``, fixed seed)
of N businesses in ``TOWNSHIPS[N]`` townships of 300–1,000 businesses each. Each size is planned
once through the pipeline's pieces, each timed on its own: the week's demand
(``build_week_demand``), team formation (``form_week``, one round, ``TeamParams()``), then
``run_week`` with those teams (certification screen, travel matrix, problem, routing, LP bound).
Every plan is checked by ``planner.verify.verify_plan``; any problem is a red flag.

Time limits (``--time-limit target``, the default): a size with an end-to-end target in issue 4
(demo 30 s, 1,000 businesses 60 s, 10,000 businesses 10 min) gives routing what is left of the
target after demand and formation (less a 5 % margin for travel, problem and LP bound, at least
``MIN_ROUTING_S``); other sizes route for 30 s (the quality target is "≥ 97 % of the bound at
1,000 visits in 30 s"). A number gives routing that many seconds at every size.

Engines: each engine is routed through ``run_week`` with ``SolveParams(engine=…)`` on the same
demand and teams; an engine that cannot model the week exactly (``NotExpressible``: lunch
breaks, workload balance…) gets a "not expressible" row with every reason. ``auto`` (the
product's default) names the engine ``choose_engine`` picks for the week and points at its row.

Teams (``--formation``): ``week`` forms the whole county's teams at once with ``form_week``, as
``run_week`` does; ``office`` forms each office's teams from its own officers for the visits
nearest to it (a decomposition the pipeline does not have; ``form_teams_by``).

Bounds: ``lp_bound`` (``Plan.metrics``) relaxes shifts to their full length; ``lunch_bound``
shortens each by its lunch break, still a valid upper bound (see its docstring).

Columns (``Plan.metrics`` unless said): *first plan s* = demand + formation + everything before
routing + the solver's ``first_solution_seconds`` (until every model had a plan), end to end;
*total s* = demand + formation + ``run_week``; *ratio* = weighted coverage ÷ LP bound (an upper
bound of the priority-weighted coverage, ``planner.solve.lp_bound``); *load* = the 1-minute load
average before → after the size (2 shared cores: above ~2 the timings are pessimistic); *cpu s*
= process CPU time of the size (well below *total s* means the process was starved).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import math
import os
import time
import traceback
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from planner import load_scenario
from planner.domain import Plan, Scenario, Team, Visit
from planner.engines import NotExpressible, choose_engine
from planner.merge import build_week_demand
from planner.params import PlanParams, SolveParams, TeamParams
from planner.pipeline import WeekRun, run_week
from planner.problem import RoutingProblem, problem_points
from planner.solve import assign_days, incoming_travel_bound, lp_bound, lunch_overlap
from planner.synth import synthesize
from planner.teams import form_week
from planner.travel import haversine_metres, travel_matrix
from planner.verify import verify_plan

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- weekly:start -->", "<!-- weekly:end -->"
KEPT = "<!-- weekly:kept -->"  # hand-written findings after this line survive --write

SIZES = ("demo", "300", "1000", "3000", "10000")
TOWNSHIPS = {300: 1, 1000: 2, 3000: 4, 10000: 10}  # 300–1,000 businesses per township
TARGET_S = {"demo": 30.0, "1000": 60.0, "10000": 600.0}  # end to end, issue 4 part 7(b)
FIRST_PLAN_TARGET_S = {"demo": 5.0}
OTHER_ROUTING_S = 30.0
MIN_ROUTING_S = 5.0
QUALITY_TARGET = 0.97  # of the LP bound, at ~1,000 visits in 30 s of routing


def townships_for(businesses: int) -> int:
    """Townships of a synthetic county: ``TOWNSHIPS`` or about 750 businesses each."""
    return TOWNSHIPS.get(businesses, max(1, round(businesses / 750)))


def make_scenario(size: str, seed: int) -> tuple[Scenario, int]:
    """The demo or a synthetic county of ``size`` businesses, and its number of townships."""
    if size == "demo":
        scenario = load_scenario(ROOT / "data" / "demo")
        return scenario, len(scenario.settings.offices)
    n = int(size)
    k = townships_for(n)
    return synthesize(businesses=n, townships=k, seed=seed), k


def routing_limit(size: str, spent: float, time_limit: str) -> float:
    """Routing seconds for ``size`` after ``spent`` seconds of demand and formation."""
    if time_limit != "target":
        return float(time_limit)
    if size not in TARGET_S:
        return OTHER_ROUTING_S
    target = TARGET_S[size]
    return max(MIN_ROUTING_S, 0.95 * target - spent)


def office_scenario(scenario: Scenario, office_id: str) -> Scenario:
    """The scenario as one office's officers see it: its officers, fixed teams and recusals."""
    own = tuple(o for o in scenario.inspectors if o.base == office_id)
    ids = {o.id for o in own}
    return replace(
        scenario,
        inspectors=own,
        teams=tuple(t for t in scenario.teams if set(t.officer_ids) <= ids),
        recusals=tuple(
            r
            for r in scenario.recusals
            if r.inspector_id in ids and (not r.other_inspector_id or r.other_inspector_id in ids)
        ),
    )


def nearest_office(scenario: Scenario, visit: Visit) -> str:
    """The office nearest to the visit's business (straight line)."""
    b = scenario.business(visit.business_id)
    return min(
        scenario.settings.offices,
        key=lambda o: float(haversine_metres(o.lon, o.lat, b.lon, b.lat)),
    ).id


def form_teams_by(
    scenario: Scenario, week: dt.date, visits: Sequence[Visit], how: str
) -> tuple[dict[dt.date, tuple[Team, ...]], int, int]:
    """Teams of the week: ``week`` = ``form_week`` over the whole county, as ``run_week`` does;
    ``office`` = one ``form_week`` per office, its officers for the visits nearest to it (a
    benchmark-side decomposition, not the pipeline's).

    Returns the teams by day, the formations made and how many of them fell back to greedy
    pairs (CP-SAT found no formation in its time).
    """
    offices = scenario.settings.offices
    if how == "week" or len(offices) == 1:
        formed = form_week(scenario, week, visits, params=TeamParams())
        return formed.teams_by_day(), len(formed.days), _greedy(formed.days)
    near: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        near[nearest_office(scenario, v)].append(v)
    teams: dict[dt.date, list[Team]] = defaultdict(list)
    made = greedy = 0
    for office in offices:
        mine = office_scenario(scenario, office.id)
        formed = form_week(mine, week, near[office.id], params=TeamParams())
        made, greedy = made + len(formed.days), greedy + _greedy(formed.days)
        for day, ts in formed.teams_by_day().items():
            teams[day] += [replace(t, id=f"{office.id}:{t.id}") for t in ts]
    return {day: tuple(ts) for day, ts in sorted(teams.items())}, made, greedy


def _greedy(formations: Sequence[Any]) -> int:
    """Formations that fell back to greedy pairs (``planner.teams``: status ``…/greedy``)."""
    return sum(str(f.status).endswith("greedy") for f in formations)


def lunch_bound(problem: RoutingProblem) -> float:
    """``planner.solve.lp_bound`` with each shift shortened by its lunch break (still valid).

    No visit and no travel happens during the break (``planner.solve.add_lunch_breaks``: the
    break may interrupt a leg, which then lasts that much longer), and the break lies in the
    shift as far as ``lunch_overlap`` says, so service + travel of a team-day ≤ shift − that.
    """
    total = float(problem.penalty.sum())
    if total <= 0 or problem.n_visits == 0:
        return 1.0
    duration = problem.service + incoming_travel_bound(problem)
    shift = (problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]).astype(np.float64)
    capacity = np.maximum(shift - lunch_overlap(problem), 0.0)
    _, value = assign_days(problem, duration, capacity)
    return min(1.0, value / total)


def _load() -> float:
    return os.getloadavg()[0]


def measure_size(size: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Plan one size with every engine asked for; one row per engine."""
    load_before, cpu0 = _load(), time.process_time()
    t0 = time.perf_counter()
    scenario, townships = make_scenario(size, args.seed)
    scenario_s = time.perf_counter() - t0
    week = scenario.settings.week_start
    params = PlanParams()
    t0 = time.perf_counter()
    demand = build_week_demand(scenario, week, params)
    demand_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    teams, formations, greedy = form_teams_by(scenario, week, demand.visits, args.formation)
    formation_s = time.perf_counter() - t0
    limit = routing_limit(size, demand_s + formation_s, args.time_limit)
    solve_params = SolveParams(time_limit_s=limit, seed=args.seed, decomposition=args.decomposition)
    base = {
        "size": size,
        "formation": "per office" if args.formation == "office" and townships > 1 else "week",
        "businesses": len(scenario.businesses),
        "townships": townships,
        "candidate_visits": len(demand.visits),
        "obligations_week": sum(len(v.obligations) for v in demand.visits) + len(demand.deferred),
        "team_days": sum(len(ts) for ts in teams.values()),
        "routing_limit_s": round(limit, 1),
        "time_limit": args.time_limit,
        "scenario_s": round(scenario_s, 2),
        "demand_s": round(demand_s, 2),
        "formation_s": round(formation_s, 2),
        "greedy_formations": f"{greedy}/{formations}",
    }
    print(
        f"[{size}] {base['businesses']} businesses, {townships} township(s), "
        f"{base['candidate_visits']} candidate visits, {base['team_days']} team-days; "
        f"demand {demand_s:.1f} s, formation {formation_s:.1f} s, routing limit {limit:.1f} s",
        flush=True,
    )

    def pipeline(engine: str) -> tuple[WeekRun, float]:
        t0 = time.perf_counter()
        chosen = replace(solve_params, engine=engine)
        run = run_week(scenario, params, chosen, teams_by_day=teams, demand=demand)
        return run, time.perf_counter() - t0

    rows: list[dict[str, Any]] = []
    run, run_s = pipeline("ortools")
    ortools = {
        **base,
        **engine_row(scenario, run, run_s, demand_s + formation_s),
        "engine": "ortools",
    }
    if not base["team_days"] and base["candidate_visits"]:
        ortools["note"] = (
            "RED FLAG: formation made no team, so the plan is empty; its Plan.metrics say "
            "weighted coverage 1.0 and LP bound 1.0 (of a problem with no visit), left blank here"
        )
    elif greedy:
        ortools["note"] = (
            f"formation fell back to greedy pairs on {greedy} of {formations} formations "
            "(CP-SAT found no formation in its time)"
        )
    rows.append(ortools)
    print(f"[{size}] ortools: {ortools['verify_problems']} verify problem(s)", flush=True)
    for engine in args.engines:
        if engine == "ortools":
            continue
        if engine == "auto":
            choice, why = choose_engine(run.problem, solve_params)
            if why.startswith("PyVRP cannot express"):
                why = "PyVRP cannot express this week (reasons on the pyvrp row)"
            rows.append(
                {**base, "engine": f"auto → {choice}", "planned": f"= {choice} row", "note": why}
            )
            continue
        row = {**base, "engine": engine}
        try:
            other, other_s = pipeline(engine)
            row.update(engine_row(scenario, other, other_s, demand_s + formation_s))
        except NotExpressible as exc:
            row["planned"] = "not expressible"
            row["note"] = "not expressible: " + "; ".join(exc.reasons)
        except Exception as exc:  # an engine that crashes is a finding: keep the other rows
            traceback.print_exc()
            row["planned"] = "failed"
            row["note"] = f"RED FLAG: {type(exc).__name__}: {exc}"
        rows.append(row)
    bound = lunch_bound(run.problem) if run.problem.n_visits else 0.0
    for row in rows:
        if isinstance(row.get("weighted_coverage"), float) and bound > 0:
            row["lunch_bound"] = round(bound, 3)
            row["lunch_ratio"] = round(row["weighted_coverage"] / bound, 3) if bound > 0 else ""
    cpu = time.process_time() - cpu0
    for row in rows:
        row["cpu_s"] = round(cpu, 1)
        row["load"] = f"{load_before:.1f}→{_load():.1f}"
    return rows


def time_pieces(scenario: Scenario, run: WeekRun) -> dict[str, Any]:
    """Travel matrix and LP bound timed again on the run's own inputs; routing by difference."""
    t0 = time.perf_counter()
    travel_matrix(problem_points(scenario, run.visits))
    travel_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    lp_bound(run.problem)
    lp_s = time.perf_counter() - t0
    m = dict(run.plan.metrics)
    return {
        "travel_matrix_s": round(travel_s, 2),
        "problem_s": round(max(0.0, m["total_seconds"] - m["solve_seconds"] - travel_s), 2),
        "routing_s": round(max(0.0, m["solve_seconds"] - lp_s), 2),
        "lp_bound_s": round(lp_s, 2),
        "decomposed": "day" if m.get("decomposed") else "week",
        "models": int(m.get("models", 0)),
    }


def plan_row(plan: Plan, before_s: float, run_s: float) -> dict[str, Any]:
    """Quality and time columns of one plan (``before_s``: demand + formation)."""
    m = dict(plan.metrics)
    presolve = m["total_seconds"] - m["solve_seconds"]
    bound = m["lp_bound"]
    if not m["visits_offered"] and m["visits_candidate"]:  # nothing routed: 1.0 of nothing
        return {
            "offered": 0,
            "planned": int(m["visits_planned"]),
            "obligations_scheduled": int(m["obligations_scheduled"]),
            "first_plan_s": round(before_s + presolve + m["first_solution_seconds"], 1),
            "total_s": round(before_s + run_s, 1),
            "travel_h": 0.0,
            "officer_h": 0.0,
        }
    return {
        "offered": int(m["visits_offered"]),
        "planned": int(m["visits_planned"]),
        "obligations_scheduled": int(m["obligations_scheduled"]),
        "due_scheduled": f"{int(m['obligations_due_scheduled'])}/{int(m['obligations_due'])}",
        "weighted_coverage": round(m["weighted_coverage"], 3),
        "lp_bound": round(bound, 3),
        "ratio": round(m["weighted_coverage"] / bound, 3) if bound > 0 else "",
        "first_plan_s": round(before_s + presolve + m["first_solution_seconds"], 1),
        "total_s": round(before_s + run_s, 1),
        "travel_h": round(m["travel_seconds"] / 3600, 1),
        "distance_km": round(m["distance_metres"] / 1000, 1),
        "officer_h": round(m["officer_hours"], 1),
    }


def verify_row(scenario: Scenario, plan: Plan, run: WeekRun) -> dict[str, Any]:
    """``verify_plan`` on the plan: problem count, seconds, the first message."""
    t0 = time.perf_counter()
    problems = verify_plan(scenario, plan, run.travel, run.travel_ids, obligations=run.obligations)
    row: dict[str, Any] = {
        "verify_problems": len(problems),
        "verify_s": round(time.perf_counter() - t0, 2),
    }
    if problems:
        row["note"] = f"RED FLAG: {problems[0]}"
        for message in problems[:10]:
            print("   verify:", message, flush=True)
    return row


def engine_row(scenario: Scenario, run: WeekRun, run_s: float, before_s: float) -> dict[str, Any]:
    """Every column of one engine's plan: quality, time pieces, ``verify_plan``."""
    row = plan_row(run.plan, before_s, run_s)
    row.update(time_pieces(scenario, run))
    row.update(verify_row(scenario, run.plan, run))
    row["engine_used"] = "pyvrp" if dict(run.plan.metrics).get("engine_pyvrp") else "ortools"
    return row


# ---------------------------------------------------------------- tables and the docs section

QUALITY = (
    ("size", "size"),
    ("formation", "teams"),
    ("engine", "engine"),
    ("routing_limit_s", "routing limit s"),
    ("businesses", "businesses"),
    ("candidate_visits", "candidate visits"),
    ("team_days", "team-days"),
    ("offered", "offered"),
    ("planned", "planned"),
    ("obligations_scheduled", "obligations scheduled"),
    ("obligations_week", "of"),
    ("weighted_coverage", "weighted coverage"),
    ("lp_bound", "LP bound"),
    ("ratio", "ratio"),
    ("lunch_bound", "bound − lunch"),
    ("lunch_ratio", "ratio − lunch"),
    ("first_plan_s", "first plan s"),
    ("total_s", "total s"),
    ("travel_h", "travel h"),
    ("officer_h", "officer h"),
    ("verify_problems", "verify problems"),
    ("load", "load"),
)
PIECES = (
    ("size", "size"),
    ("formation", "teams"),
    ("engine", "engine"),
    ("townships", "townships"),
    ("demand_s", "demand s"),
    ("formation_s", "formation s"),
    ("greedy_formations", "greedy days"),
    ("travel_matrix_s", "travel matrix s"),
    ("problem_s", "screen + problem s"),
    ("routing_limit_s", "routing limit s"),
    ("routing_s", "routing s"),
    ("lp_bound_s", "LP bound s"),
    ("decomposed", "mode"),
    ("models", "models"),
    ("verify_s", "verify s"),
    ("total_s", "total s"),
    ("cpu_s", "cpu s"),
    ("load", "load"),
)
FIELDS = list(
    dict.fromkeys(
        [k for k, _ in QUALITY]
        + [k for k, _ in PIECES]
        + ["townships", "time_limit", "scenario_s", "due_scheduled", "distance_km"]
        + ["greedy_formations", "engine_used", "note", "command"]
    )
)


def to_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """Rows as a markdown table (missing values as –)."""

    def cell(row: Mapping[str, Any], key: str) -> str:
        value = row.get(key, "")
        if value in ("", None):
            return "–"
        if isinstance(value, int) and not isinstance(value, bool) and key != "size":
            return f"{value:,}"
        return str(value)

    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "---|" * len(columns)
    body = ["| " + " | ".join(cell(r, key) for key, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def notes(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line per distinct note (not expressible, red flags, auto's pick), with its sizes."""
    sizes: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if r.get("note"):
            sizes.setdefault((str(r["engine"]), str(r["note"])), []).append(_label(r))
    return "\n".join(f"- {', '.join(s)} — {e}: {n}" for (e, n), s in sizes.items())


def _num(row: Mapping[str, Any], key: str) -> float | None:
    value = row.get(key, "")
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _label(r: Mapping[str, Any]) -> str:
    """Size, with its formation and time limit where not the defaults."""
    extra = [] if (r.get("formation") or "week") == "week" else [str(r["formation"])]
    if r.get("time_limit", "target") not in ("target", ""):
        extra.append(f"{float(r['time_limit']):g} s routing")
    return str(r["size"]) + (f" ({', '.join(extra)})" if extra else "")


def _planned_something(r: Mapping[str, Any]) -> bool:
    """A plan that routes some visit (an empty plan is not an answer when visits were due)."""
    return (_num(r, "planned") or 0) > 0 or not _num(r, "candidate_visits")


def verdicts(rows: Sequence[Mapping[str, Any]]) -> str:
    """The issue's targets, each marked met / not met / not measured from the OR-Tools rows."""
    ortools = [r for r in rows if r.get("engine") == "ortools"]
    targeted = [r for r in ortools if r.get("time_limit", "target") in ("target", "")]

    def mark(ok: bool | None) -> str:
        return "not measured" if ok is None else ("**met**" if ok else "**not met**")

    lines = []
    for size, target in TARGET_S.items():
        measured: list[Mapping[str, Any] | None] = [
            r for r in targeted if str(r["size"]) == size
        ] or [None]
        for r in measured:
            total = _num(r, "total_s") if r else None
            empty = r is not None and not _planned_something(r)
            text = f"- {_label(r) if r else size}: final plan ≤ {target:g} s — "
            text += mark(None if total is None else total <= target and not empty)
            if total is not None:
                text += f" ({total:g} s{', an empty plan' if empty else ''})"
            first_target = FIRST_PLAN_TARGET_S.get(size)
            if first_target is not None:
                first = _num(r, "first_plan_s") if r else None
                text += f"; first feasible plan ≤ {first_target:g} s — "
                text += mark(None if first is None else first <= first_target and not empty)
                if first is not None:
                    text += f" ({first:g} s)"
            lines.append(text)
    near = [
        r
        for r in ortools
        if _num(r, "ratio") is not None
        and (_num(r, "routing_limit_s") or 1e9) <= 30.5
        and 600 <= (_num(r, "candidate_visits") or 0) <= 1500
    ]
    for r in near:
        ratio = _num(r, "ratio") or 0.0
        tight = _num(r, "lunch_ratio")
        lines.append(
            f"- ≥ {QUALITY_TARGET:.0%} of the LP bound at ~1,000 visits in 30 s — "
            f"{mark(ratio >= QUALITY_TARGET)} ({_label(r)}: {r['candidate_visits']} candidate "
            f"visits, {r['routing_limit_s']} s routing, ratio {ratio:.3f}"
            + ("" if tight is None else f"; against the bound less lunch {tight:.3f}")
            + ")"
        )
    if not near:
        lines.append(
            f"- ≥ {QUALITY_TARGET:.0%} of the LP bound at ~1,000 visits in 30 s — not measured"
        )
    feasible = [
        (_label(r), _num(r, "verify_problems") == 0 and _planned_something(r)) for r in ortools
    ]
    bad = [s for s, ok in feasible if not ok]
    lines.append(
        "- a feasible (verified, non-empty) plan at every size — "
        + mark(None if not feasible else not bad)
        + (f" (failed: {', '.join(bad)})" if bad else f" ({', '.join(s for s, _ in feasible)})")
    )
    return "\n".join(lines)


def engine_wiring() -> str:
    """How the engines were reached."""
    return (
        "Each engine routes through `run_week` with `SolveParams(engine=…)` on the same demand "
        "and teams; *auto* (the default) names `choose_engine`'s pick for the week."
    )


def commands(rows: Sequence[Mapping[str, Any]], command: str) -> str:
    """The runs behind the rows (each CSV row keeps its command) and this section's command."""
    runs = list(dict.fromkeys(str(r["command"]) for r in rows if r.get("command")))
    if not runs or runs == [command.removesuffix(" --write")]:
        return f"Command: `{command}`"
    return "Runs: " + "; ".join(f"`{c}`" for c in runs) + f"; this section: `{command}`"


def section(rows: Sequence[Mapping[str, Any]], command: str) -> str:
    """The docs section between the weekly markers."""
    return (
        f"{START}\n## Weekly plans: demo and synthetic townships, engines side by side\n\n"
        f"{commands(rows, command)} (written {dt.date.today().isoformat()}; 2 cores shared with other "
        "engineers' jobs: *load* is the 1-minute load average before → after each size, and "
        "above ~2 the seconds are pessimistic). Straight-line travel; teams formed once "
        "(`TeamParams()`, one round); synthetic counties of 300–1,000 businesses per township, "
        "seed fixed. Definitions and time limits in `benchmarks/weekly.py`'s docstring: *first "
        "plan s* and *total s* are end to end (demand + formation + travel + problem + routing), "
        "*ratio* = weighted coverage ÷ LP bound (`planner.solve.lp_bound`); *bound − lunch* = "
        "the same LP with each shift shortened by its lunch break, still a valid upper bound "
        "(`lunch_bound`), and *ratio − lunch* against it. *teams*: `week` = `form_week` over "
        "the whole county, as `run_week` does; `per office` = one `form_week` per office for "
        "the visits nearest to it (`--formation office`, a benchmark-side decomposition, not "
        f"the pipeline's). {engine_wiring()}\n\n"
        f"{to_markdown(rows, QUALITY)}\n\n"
        "Where the time goes (seconds; *routing s* excludes the LP bound, which `solve` computes "
        "after routing):\n\n"
        f"{to_markdown(rows, PIECES)}\n\n"
        "Targets (issue 4 part 7(b); OR-Tools rows, the time targets only from runs with "
        f"`--time-limit target`):\n\n{verdicts(rows)}\n\n"
        f"Notes:\n\n{notes(rows) or '- none'}\n{END}"
    )


def write_section(rows: Sequence[Mapping[str, Any]], command: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (other sections untouched)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    new = section(rows, command)
    if START in text and END in text:
        before, rest = text.split(START, 1)
        old, after = rest.split(END, 1)
        if KEPT in old:
            new = new.removesuffix(END) + KEPT + old.split(KEPT, 1)[1] + END
        text = before + new + after
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    DOC.write_text(text, encoding="utf-8")


def write_csv(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    """All rows so far (rewritten after each size, so a run cut short keeps what it measured)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def read_csv(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Rows of earlier runs (numbers stay text; the tables print them as they are)."""
    rows: list[dict[str, Any]] = []
    for name in paths:
        path = name if name.exists() else RESULTS / name
        with path.open(newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


# ---------------------------------------------------------------- heavy weeks, before and after
# ``--heavy demo,h1000,h2000 --compare REF``: each case planned by this tree and by the planner of
# git revision REF (its ``planner`` package extracted with ``git archive``), alternating, each in
# its own process, so both see the same machine load. One row per case and side. ``--compare
# legacy`` is this tree with issue 12's routing passes switched off (``use_legacy_routing``), for
# data an older revision cannot load.

HEAVY_CASES = {
    # name: (businesses or "demo", townships, officers kept per office, routing seconds)
    "demo": ("demo", 0, 1.0, None),
    "h1000": (1000, 2, 1 / 3, 20.0),
    "h2000": (2000, 3, 1 / 3, 30.0),
}
HEAVY_START, HEAVY_END = "<!-- heavy:start -->", "<!-- heavy:end -->"


def thin_officers(scenario: Scenario, keep: float) -> Scenario:
    """The scenario with only the first ``keep`` share of each office's officers (at least two):
    the same visits for a third of the teams makes a heavy week (visits ≥ 3× team time)."""
    if keep >= 1:
        return scenario
    kept = []
    for office in scenario.settings.offices:
        mine = [o for o in scenario.inspectors if o.base == office.id]
        kept += mine[: max(2, round(len(mine) * keep))]
    ids = {o.id for o in kept}
    return replace(
        scenario,
        inspectors=tuple(kept),
        teams=tuple(t for t in scenario.teams if set(t.officer_ids) <= ids),
        recusals=tuple(r for r in scenario.recusals if r.inspector_id in ids),
    )


def heavy_scenario(case: str) -> Scenario:
    """The scenario of a ``HEAVY_CASES`` case."""
    size, townships, keep, _ = HEAVY_CASES[case]
    if size == "demo":
        return load_scenario(ROOT / "data" / "demo")
    return thin_officers(synthesize(businesses=int(size), townships=townships, seed=1), keep)


def count_idle_officer_days(scenario: Scenario, plan: Plan) -> int:
    """``planner.teams.idle_officer_days`` where the planner has it; else rostered officers with no
    visit on a day of a plan that leaves obligations unscheduled (older revisions)."""
    try:
        from planner.teams import idle_officer_days
    except ImportError:
        from planner.crew import works_on

        if dict(plan.metrics).get("obligations_unscheduled", 0) <= 0:
            return 0
        busy = {(r.day, o) for r in plan.routes if r.stops for o in r.officer_ids}
        days = [plan.week_start + dt.timedelta(days=d) for d in range(7)]
        return sum(
            works_on(o, day) and (day, o.id) not in busy
            for day in days
            for o in scenario.inspectors
        )
    return len(idle_officer_days(scenario, plan))


def count_idle_with_work(scenario: Scenario, plan: Plan, visits: Sequence[Any]) -> int | str:
    """Of ``count_idle_officer_days``, those on which a visit left waiting would have fitted the
    officer's empty day (``planner.teams.idle_officer_days_with_work``: issue 12's target is 0);
    – for revisions without it."""
    try:
        from planner.teams import idle_officer_days_with_work
    except ImportError:
        return "–"
    return len(idle_officer_days_with_work(scenario, plan, visits=visits))


def shift_utilisation(problem: RoutingProblem, plan: Plan) -> float:
    """Share of all team-days' shift time spent out (depart → back), idle team-days included."""
    shift = float((problem.vehicle_shift[:, 1] - problem.vehicle_shift[:, 0]).sum())
    return sum(r.back - r.depart for r in plan.routes) / shift if shift else 0.0


def use_legacy_routing() -> None:
    """Switch this tree's planner back to the routing before issue 12: no repair pass, no final
    insertion, no stall stop, and the siloed baseline's departments one after the other, each
    with the joint plan's whole time limit."""
    import planner.pipeline
    import planner.solve

    planner.solve.REPAIR_SHARE = 0.0
    planner.solve.STALL_MIN_S = math.inf
    planner.solve._repair = lambda run, offered: None  # type: ignore[assignment]
    planner.solve.insert_left_out = lambda problem, routes, left, **_: list(routes)  # type: ignore[assignment]
    planner.pipeline.baseline_budget = lambda params, sizes, department: params  # type: ignore[assignment]
    planner.pipeline.os.cpu_count = lambda: 1  # type: ignore[assignment]


def priority_coverage(plan: Plan, due: Sequence[Any]) -> float:
    """Σ priority (at least 1) of the ``due`` obligations in the plan's stops over Σ of all of
    them: coverage as routing weighs it (computed here, so an older planner is scored alike)."""
    routed: defaultdict[Any, int] = defaultdict(int)
    for r in plan.routes:
        for s in r.stops:
            for o in s.visit.obligations:
                routed[o] += 1
    total = done = 0
    for o in due:
        total += max(o.priority, 1)
        if routed[o] > 0:
            routed[o] -= 1
            done += max(o.priority, 1)
    return round(done / total, 4) if total else 1.0


def measure_heavy_case(case: str) -> dict[str, Any]:
    """Plan one case jointly and siloed with the planner on ``sys.path``, as the CLI and the app
    do (``run_week_and_baseline``: the baseline alongside, then the siloed floor where the
    planner has one); one row of numbers. *joint s* is that call's wall time (both plans)."""
    from planner.metrics import evaluate
    from planner.pipeline import run_week_and_baseline

    cpu0, t0 = time.process_time(), time.perf_counter()
    scenario = heavy_scenario(case)
    limit = HEAVY_CASES[case][3]
    solve_params = SolveParams() if limit is None else SolveParams(time_limit_s=limit, seed=1)
    week = scenario.settings.week_start
    t1 = time.perf_counter()
    run, siloed = run_week_and_baseline(scenario, PlanParams(), solve_params, week_start=week)
    joint_s, siloed_s = time.perf_counter() - t1, 0.0  # the baseline runs alongside
    doc = evaluate(scenario, run.plan, siloed.plan).to_dict()
    m, p = dict(run.plan.metrics), run.problem
    from planner.obligations import is_due

    due = [o for o in run.obligations if is_due(o, week)]
    shift = p.vehicle_shift[:, 1] - p.vehicle_shift[:, 0]
    team_h = float(np.maximum(shift - p.vehicle_lunch[:, 2], 0).sum()) / 3600
    whole = getattr(p, "whole", np.ones(p.n_visits, dtype=bool))  # parts are alternatives
    visit_h = float(p.service[whole].sum()) / 3600
    return {
        "case": case,
        "businesses": len(scenario.businesses),
        "officers": len(scenario.inspectors),
        "visits": len(set(p.visit_ids)),
        "team_days": p.n_vehicles,
        "load_x": round(visit_h / team_h, 2) if team_h else "",
        "planned": int(m["visits_planned"]),
        "weighted_coverage": round(m["weighted_coverage"], 4),
        "lp_bound": round(m["lp_bound"], 4),
        "idle_officer_days": count_idle_officer_days(scenario, run.plan),
        "idle_with_work": count_idle_with_work(scenario, run.plan, run.visits),
        "utilisation": round(shift_utilisation(p, run.plan), 3),
        "coverage_joint": doc["coverage_joint"],
        "coverage_siloed": doc["coverage_siloed"],
        "weighted_due_joint": priority_coverage(run.plan, due),
        "weighted_due_siloed": priority_coverage(siloed.plan, due),
        "part_visits": int(m.get("part_visits", 0)),
        "siloed_floor": _floor_words(m),
        "joint_s": round(joint_s, 1),
        "siloed_s": round(siloed_s, 1) or "alongside",
        "first_plan_s": round(m["first_solution_seconds"], 1),
        "cpu_s": round(time.process_time() - cpu0, 1),
        "total_s": round(time.perf_counter() - t0, 1),
        "instance": hashlib.sha1(
            repr((p.visit_ids, p.vehicle_teams)).encode()
            + p.service.tobytes()
            + p.penalty.tobytes()  # other weights: another bound (PULL_FORWARD_WEIGHT)
        ).hexdigest()[:12],  # the same in every process (``hash`` of text is salted)
        "_problem": p,
    }


def _floor_words(metrics: Mapping[str, float]) -> str:
    """The plan's ``siloed_floor`` verdict in words (``planner.floor``; blank before it)."""
    try:
        from planner.floor import floor_text
    except ImportError:
        return ""
    words = floor_text(metrics.get("siloed_floor"))
    if words is None:
        return ""
    n = {k.removeprefix("floor_"): int(v) for k, v in metrics.items() if k.startswith("floor_")}
    text = f"{words}: due joint {n['due_joint']}, siloed {n['due_siloed']}"
    if "due_floor" in n:
        text += f", floor {n['due_floor']} (hard-deadline {n['hard_joint']} → {n['hard_floor']})"
    return text


def _heavy_child(case: str, out: Path, legacy: bool) -> None:
    """Child mode: measure one case, write its row (and the problem, for the bound) to ``out``."""
    import pickle

    if legacy:
        use_legacy_routing()
    row = measure_heavy_case(case)
    problem = row.pop("_problem")
    arrays = {name: getattr(problem, name) for name in problem.__dataclass_fields__}
    with out.open("wb") as f:
        pickle.dump((row, {k: v for k, v in arrays.items() if not k.startswith("_")}), f)


def extract_revision(ref: str) -> Path:
    """The ``planner`` package of git revision ``ref``, extracted under /tmp (``git archive``)."""
    import subprocess
    import tempfile

    sha = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    target = Path(tempfile.gettempdir()) / f"planner-ref-{sha}"
    if not (target / "planner").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "planner"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def long_run_reference(problem: RoutingProblem, limit: float, seed: int = 1) -> float:
    """Weighted coverage of ``problem`` routed ``limit`` seconds by this tree with no stall stop
    (a reference the usual budget is measured against, not a bound)."""
    import planner.solve

    stall = planner.solve.STALL_MIN_S
    planner.solve.STALL_MIN_S = math.inf
    try:
        solution = planner.solve.solve(problem, SolveParams(time_limit_s=limit, seed=seed))
    finally:
        planner.solve.STALL_MIN_S = stall
    return solution.stat("weighted_coverage")


def run_heavy(
    cases: Sequence[str], compare: str | None, reference: float = 0.0
) -> list[dict[str, Any]]:
    """Each case by this tree (and by ``compare``), alternating, each side in its own process;
    with ``reference``, also this tree's problem routed ``reference`` × the case's time limit."""
    import pickle
    import subprocess
    import sys
    import tempfile

    from planner.problem import RoutingProblem as Problem
    from planner.solve import travel_bound

    sides: list[tuple[str, Path, list[str]]] = [("this tree", ROOT, [])]
    if compare == "legacy":
        sides.append(("legacy routing", ROOT, ["--legacy"]))
    elif compare:
        sides.append((compare, extract_revision(compare), []))
    rows: list[dict[str, Any]] = []
    for case in cases:
        bounds: dict[int, float] = {}
        for label, path, flags in sides:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "row.pkl"
                env = {**os.environ, "PYTHONPATH": str(path)}
                load = _load()
                subprocess.run(
                    [sys.executable, __file__, "--heavy-child", case, "--child-out", str(out)]
                    + flags,
                    env=env,
                    check=True,
                )
                row, arrays = pickle.loads(out.read_bytes())
            if row["instance"] not in bounds:
                try:
                    bounds[row["instance"]] = travel_bound(Problem(**arrays))
                except TypeError:  # the revision's RoutingProblem has other fields
                    bounds[row["instance"]] = 0.0
            bound = bounds[row["instance"]]
            row.update(
                side=label,
                travel_bound=round(bound, 4),
                ratio_lp=round(row["weighted_coverage"] / row["lp_bound"], 3),
                ratio_travel=round(row["weighted_coverage"] / bound, 3) if bound else "",
                load=f"{load:.1f}→{_load():.1f}",
            )
            print(to_markdown([row], HEAVY_COLUMNS), flush=True)
            rows.append(row)
            if label == "this tree":
                problem = Problem(**arrays)
        limit = HEAVY_CASES[case][3]
        if reference and limit:
            value = long_run_reference(problem, reference * limit)
            for row in rows[-len(sides) :]:
                same = row["instance"] == rows[-len(sides)]["instance"]
                row["reference"] = round(value, 4)
                row["ratio_reference"] = round(row["weighted_coverage"] / value, 3) if same else ""
            print(f"[{case}] long-run reference ({reference:g}×): {value:.4f}", flush=True)
    return rows


HEAVY_COLUMNS = (
    ("case", "case"),
    ("side", "planner"),
    ("businesses", "businesses"),
    ("officers", "officers"),
    ("visits", "visits"),
    ("team_days", "team-days"),
    ("load_x", "visit h ÷ team h"),
    ("planned", "planned"),
    ("weighted_coverage", "weighted coverage"),
    ("lp_bound", "LP bound"),
    ("ratio_lp", "ratio LP"),
    ("travel_bound", "travel bound"),
    ("ratio_travel", "ratio travel"),
    ("reference", "long-run reference"),
    ("ratio_reference", "ratio reference"),
    ("idle_officer_days", "idle officer-days"),
    ("idle_with_work", "of them with a fitting visit waiting"),
    ("utilisation", "shift used"),
    ("coverage_joint", "due covered joint"),
    ("coverage_siloed", "due covered siloed"),
    ("weighted_due_joint", "due priority covered joint"),
    ("weighted_due_siloed", "due priority covered siloed"),
    ("part_visits", "part visits"),
    ("siloed_floor", "siloed floor"),
    ("first_plan_s", "first plan s"),
    ("joint_s", "joint s"),
    ("siloed_s", "siloed s"),
    ("total_s", "total s"),
    ("cpu_s", "cpu s (main process)"),
    ("load", "load"),
)


def write_heavy_section(rows: Sequence[Mapping[str, Any]], command: str) -> None:
    """Replace the heavy-weeks section of docs/benchmarks.md (appended when missing)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    new = (
        f"{HEAVY_START}\n## Heavy weeks and the demo: this tree against an earlier revision\n\n"
        f"Command: `{command}` (written {dt.date.today().isoformat()}). Each case is planned "
        "jointly and siloed as the CLI and the app plan it (`run_week_and_baseline`: the "
        "baseline alongside, then the siloed floor where the planner has one, *siloed floor*), "
        "by each planner in its own process, alternating, so both see the "
        "same load (2 cores shared with six other engineers: *load* is the 1-minute load "
        "average before → after). *h1000*/*h2000*: `synthesize(businesses, townships, seed=1)` "
        "with a third of each office's officers kept (`thin_officers`), so the week's visits "
        "need ≥ 3× the teams' time (*visit h ÷ team h*, service only). *demo*: `data/demo` with "
        "default `SolveParams()` (what `python -m planner plan data/demo` runs). *travel bound* "
        "= `planner.solve.travel_bound` of each side's own problem (lunch, the way back and "
        "opening hours seen; an upper bound); *ratio LP* against the old `lp_bound`; *long-run "
        "reference* = this tree's problem routed `--reference` × the case's time limit with no "
        "stall stop (`long_run_reference`: not a bound, what much more search reaches). *idle "
        "officer-days*: `planner.teams.idle_officer_days` (pairable rostered officers with no "
        "visit on a day while obligations are unscheduled); *of them with a fitting visit "
        "waiting*: `idle_officer_days_with_work` (a waiting visit would have fitted the "
        "officer's empty day; the target is 0). *shift used*: depart → back over "
        "all team-days' shifts. *joint s*: wall seconds of `run_week_and_baseline` (both "
        "plans, formation included; the baseline runs alongside, so *siloed s* is not "
        "measured apart).\n\n"
        f"{to_markdown(rows, HEAVY_COLUMNS)}\n{HEAVY_END}"
    )
    if HEAVY_START in text and HEAVY_END in text:
        before, rest = text.split(HEAVY_START, 1)
        text = before + new + rest.split(HEAVY_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="demo and/or business counts")
    parser.add_argument(
        "--time-limit",
        default="target",
        help="routing seconds at every size, or 'target' (the default: see the docstring)",
    )
    parser.add_argument("--engines", default="ortools,pyvrp,auto", help="ortools, pyvrp, auto")
    parser.add_argument(
        "--formation",
        choices=("week", "office"),
        default="week",
        help="teams as run_week forms them (week), or one formation per office (office)",
    )
    parser.add_argument(
        "--decomposition",
        choices=("auto", "week", "day"),
        default="auto",
        help="SolveParams.decomposition (auto: the engine's rule)",
    )
    parser.add_argument("--seed", type=int, default=1, help="synthetic scenarios and routing")
    parser.add_argument("--out", default="weekly.csv", help="CSV name under benchmarks/results/")
    parser.add_argument("--render", nargs="+", type=Path, help="tables from these CSVs, no run")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--heavy", help=f"heavy-week cases ({', '.join(HEAVY_CASES)})")
    parser.add_argument(
        "--compare", help="with --heavy: also plan with this git revision, or 'legacy'"
    )
    parser.add_argument(
        "--reference",
        type=float,
        default=0.0,
        help="with --heavy: also route each case this many times its time limit (no stall stop)",
    )
    parser.add_argument("--heavy-child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--legacy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.heavy_child:
        _heavy_child(args.heavy_child, args.child_out, args.legacy)
        return
    if args.heavy:
        cases = [c for c in args.heavy.split(",") if c]
        rows = run_heavy(cases, args.compare, args.reference)
        print(to_markdown(rows, HEAVY_COLUMNS))
        command = (
            f"python benchmarks/weekly.py --heavy {args.heavy}"
            + (f" --compare {args.compare}" if args.compare else "")
            + (f" --reference {args.reference:g}" if args.reference else "")
        )
        if args.write:
            write_heavy_section(rows, command + " --write")
        return
    args.engines = ["ortools"] + [e for e in args.engines.split(",") if e and e != "ortools"]
    if args.time_limit != "target" and not math.isfinite(float(args.time_limit)):
        parser.error("--time-limit: a number of seconds or 'target'")
    command = (
        f"python benchmarks/weekly.py --sizes {args.sizes} --time-limit {args.time_limit} "
        f"--engines {','.join(args.engines)} --formation {args.formation} "
        + (f"--decomposition {args.decomposition} " if args.decomposition != "auto" else "")
        + f"--seed {args.seed} --out {args.out}"
    )
    if args.render:
        rows = read_csv(args.render)
    else:
        rows = []
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            try:
                measured = measure_size(size, args)
            except Exception:  # a size that fails is a finding: keep the others
                traceback.print_exc()
                measured = [{"size": size, "engine": "ortools", "note": "RED FLAG: run failed"}]
            rows += [{**row, "command": command} for row in measured]
            write_csv(rows, RESULTS / args.out)
    print(to_markdown(rows, QUALITY), "", to_markdown(rows, PIECES), "", verdicts(rows), sep="\n")
    if notes(rows):
        print(notes(rows))
    if args.write:
        rendered = f"python benchmarks/weekly.py --render {' '.join(map(str, args.render))} --write"
        write_section(rows, rendered if args.render else command + " --write")


if __name__ == "__main__":
    main()
