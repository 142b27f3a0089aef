"""Benchmark: formed joint teams vs fixed department pairs — visits fully covered in one visit.

Run from the repository root::

    python benchmarks/teams.py                       # demo + 1,000-business township, 20 s routing
    python benchmarks/teams.py --time 30 --rounds 3 --write   # and update docs/benchmarks.md

Two measures, on the demo (``data/demo``) and on ``planner.synth.synthesize(businesses=1000)``:

- **team coverage**: share of the week's candidate visits (``build_week_demand``) that some
  team-day of the week may make in full — certifications cover every item, no member recused,
  the business open that day long enough inside the team's shift. Priority-weighted too.
- **routed**: the pipeline (``run_week``) routes the week; share of the candidate visits scheduled
  in full in one stop (not split, no item taken out), visits planned, second visits.

Baseline "department pairs": the scenario's fixed ``teams`` table if it has one, else each day's
officers paired within their home department in id order (the pre-reform habit: market with
market, fire with fire); officers left over are paired across departments in id order, and a last
odd officer joins the last team.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from planner import load_scenario
from planner.domain import Scenario, Team, Visit
from planner.merge import build_week_demand
from planner.params import SolveParams, TeamParams
from planner.pipeline import WeekRun, run_week
from planner.synth import synthesize
from planner.teams import eligible, form_week, open_on, team_shift, works_on

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- teams:start -->", "<!-- teams:end -->"


def department_pairs(scenario: Scenario, day: dt.date) -> tuple[Team, ...]:
    """Each day's officers paired within their department in id order (see module docstring)."""
    by_department: dict[str, list[str]] = defaultdict(list)
    for o in sorted(scenario.inspectors, key=lambda o: o.id):
        if works_on(o, day):
            by_department[o.department_id].append(o.id)
    groups: list[list[str]] = []
    left: list[str] = []
    for officers in by_department.values():
        while len(officers) >= 2:
            groups.append([officers.pop(0), officers.pop(0)])
        left += officers
    while len(left) >= 2:
        groups.append([left.pop(0), left.pop(0)])
    if left and groups:
        groups[-1].append(left.pop())
    tag = day.strftime("%a")
    return tuple(Team(f"{tag}-D{n + 1}", tuple(g), (day.weekday(),)) for n, g in enumerate(groups))


def baseline_week(scenario: Scenario, week_start: dt.date) -> dict[dt.date, tuple[Team, ...]]:
    """The scenario's fixed teams of each day if it has any, else department pairs."""
    days = [week_start + dt.timedelta(days=d) for d in range(7)]
    if scenario.teams:
        return {
            d: tuple(t for t in scenario.teams if not t.days or d.weekday() in t.days) for d in days
        }
    return {d: department_pairs(scenario, d) for d in days}


def team_coverage(
    scenario: Scenario, visits: Sequence[Visit], teams_by_day: Mapping[dt.date, Sequence[Team]]
) -> tuple[float, float]:
    """(share, priority-weighted share) of ``visits`` some team-day may make in full."""
    done = weight_done = weight_all = 0
    for visit in visits:
        weight = sum(o.priority for o in visit.obligations)
        weight_all += weight
        ok = any(
            eligible(team, visit, scenario)
            and open_on(visit, day, scenario, team_shift(team, scenario))
            for day, teams in teams_by_day.items()
            for team in teams
        )
        done += ok
        weight_done += weight * ok
    return done / max(len(visits), 1), weight_done / max(weight_all, 1)


def routed_full_share(run: WeekRun) -> float:
    """Share of the week's candidate visits scheduled in full in one stop."""
    wanted = {v.business_id: frozenset(v.obligations) for v in run.demand.visits}
    full = sum(
        1
        for r in run.plan.routes
        for s in r.stops
        if frozenset(s.visit.obligations) == wanted.get(s.visit.business_id)
    )
    return full / max(len(wanted), 1)


def measure(name: str, scenario: Scenario, args: argparse.Namespace) -> list[dict[str, object]]:
    """Every measure of one scenario, one row per team source."""
    week = scenario.settings.week_start
    demand = build_week_demand(scenario, week)
    started = time.perf_counter()
    formed = form_week(scenario, week, demand.visits, params=TeamParams()).teams_by_day()
    form_seconds = round(time.perf_counter() - started, 1)
    rounds = sorted({1, args.rounds})
    sources: list[tuple[str, Mapping[dt.date, Sequence[Team]] | None, TeamParams | None]] = [
        ("department pairs", baseline_week(scenario, week), None)
    ]
    sources += [
        (f"formed, {n} round{'s' * (n > 1)}", None, TeamParams(rounds=n, rounds_budget_seconds=1e4))
        for n in rounds
    ]  # the budget is lifted so that "3 rounds" means three rounds
    rows: list[dict[str, object]] = []
    for label, teams, team_params in sources:
        row: dict[str, object] = {
            "scenario": name,
            "teams": label,
            "candidate_visits": len(demand.visits),
            "formation_seconds": form_seconds if teams is None else "–",
        }
        used = teams if teams is not None else formed
        if args.time > 0:
            started = time.perf_counter()
            solve = SolveParams(time_limit_s=args.time)
            run = run_week(
                scenario, solve_params=solve, teams_by_day=teams, team_params=team_params
            )
            metrics = dict(run.plan.metrics)
            used = run.teams
            row.update(
                {
                    "routed_full_share": round(routed_full_share(run), 3),
                    "visits_planned": int(metrics["visits_planned"]),
                    "second_visits": int(metrics.get("second_visits", 0)),
                    "obligations_scheduled": int(metrics["obligations_scheduled"]),
                    "plan_seconds": round(time.perf_counter() - started, 1),
                }
            )
        elif team_params is not None and team_params.rounds > 1:
            continue  # rounds need routing
        share, weighted = team_coverage(scenario, demand.visits, used)
        row["team_days"] = sum(len(t) for t in used.values())
        row["team_coverage"] = round(share, 3)
        row["team_coverage_weighted"] = round(weighted, 3)
        rows.append(row)
    return rows


COLUMNS = (
    ("scenario", "scenario"),
    ("teams", "teams"),
    ("candidate_visits", "candidate visits"),
    ("team_days", "team-days"),
    ("team_coverage", "team coverage"),
    ("team_coverage_weighted", "weighted"),
    ("routed_full_share", "routed in full"),
    ("visits_planned", "visits planned"),
    ("second_visits", "second visits"),
    ("obligations_scheduled", "obligations scheduled"),
    ("formation_seconds", "formation s"),
    ("plan_seconds", "plan s"),
)


def to_markdown(rows: Sequence[Mapping[str, object]]) -> str:
    """The rows as a markdown table (missing values shown as –)."""
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    body = ["| " + " | ".join(str(r.get(key, "–")) for key, _ in COLUMNS) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def write_section(table: str, args: argparse.Namespace) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (other sections untouched)."""
    command = f"python benchmarks/teams.py --time {args.time:g} --rounds {args.rounds} --write"
    section = (
        f"{START}\n## Joint team formation: formed teams vs department pairs\n\n"
        f"Command: `{command}` (run {dt.date.today().isoformat()}, 2 shared cores: other jobs were "
        "running, so the seconds are pessimistic). Definitions in `benchmarks/teams.py` and "
        "`docs/teams.md`.\n\n"
        "*team coverage*: share of the week's candidate visits that some team-day may make in full "
        "(certifications, recusals, open that day within the team's shift), and *weighted* by "
        "priority; *routed in full*: share scheduled in one stop with every item; *second "
        "visits*: businesses whose visit was split because no single team could make all of it; "
        "*formation s*: one `form_week`; *plan s*: formation(s) + routing, all rounds.\n\n"
        f"{table}\n{END}"
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time", type=float, default=20.0, help="routing seconds (0: no routing)")
    parser.add_argument("--rounds", type=int, default=3, help="formation ↔ routing rounds")
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    rows = measure("demo (Helsinki centre)", load_scenario(ROOT / "data" / "demo"), args)
    synthetic = synthesize(businesses=args.businesses, seed=0)
    rows += measure(f"synthetic, {args.businesses:,} businesses", synthetic, args)
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "teams.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[key for key, _ in COLUMNS])
        writer.writeheader()
        writer.writerows(rows)
    table = to_markdown(rows)
    print(table)
    if args.write:
        write_section(table, args)


if __name__ == "__main__":
    main()
