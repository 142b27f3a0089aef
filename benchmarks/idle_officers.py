"""Benchmark: idle officer-days of plans (``planner.teams.idle_officer_days``), before and after.

One run plans the scenario with the code of a git revision (checked out with ``git worktree
add`` under /tmp) and with this tree, each in its own process (``python -m planner plan``, the
revision's ``planner`` on ``PYTHONPATH``), one after the other, then counts both plans with this
tree's counting functions::

    python benchmarks/idle_officers.py data/demo --week 2026-11-23 --before 225287f

Plan folders already written can be counted too::

    python benchmarks/idle_officers.py SCENARIO /tmp/p0 /tmp/p1

For each plan: idle officer-days (rostered officers who could have been paired, with no visit on
a day of a plan that leaves visits unscheduled), those of them on which a waiting visit due this
week would have fitted the officer's empty day (``idle_officer_days_with_work``: hours, lunch,
travel; certifications aside), the same per day, visits planned, obligations unscheduled,
weighted coverage, the re-formation's moves and the wall time of ``plan``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from planner.crew import works_on
from planner.domain import Scenario
from planner.load import load_scenario
from planner.merge import build_week_demand
from planner.params import PlanParams
from planner.planfile import plan_from_json, read_plan
from planner.teams import idle_officer_days, idle_officer_days_with_work

ROOT = Path(__file__).resolve().parents[1]


def checkout(ref: str) -> Path:
    """A worktree of ``ref`` under /tmp (made once per commit, kept for later runs)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    tree = Path("/tmp/idle-officers") / sha[:12]
    if not (tree / "planner").is_dir():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), sha],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
    return tree


def plan_with(tree: Path, scenario: Path, week: str | None, out: Path) -> float:
    """Plan ``scenario`` with the ``planner`` of ``tree`` into ``out``; the wall seconds."""
    command = [sys.executable, "-m", "planner", "plan", str(scenario.resolve())]
    command += ["--no-baseline", "--quiet", "--out", str(out)]
    command += ["--week", week] if week else []
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def report(scenario: Scenario, folder: Path, label: str, seconds: float | None = None) -> None:
    """Print one plan's block."""
    plan = plan_from_json(read_plan(folder), scenario)
    demand = build_week_demand(scenario, plan.week_start, PlanParams())
    idle = idle_officer_days(scenario, plan)
    with_work = idle_officer_days_with_work(scenario, plan, visits=demand.visits)
    per_day = Counter(day for day, _ in idle)
    per_day_work = Counter(day for day, _ in with_work)
    working = Counter(r.day for r in plan.routes if r.stops for _ in r.officer_ids)
    m = dict(plan.metrics)
    wall = f", plan {seconds:.1f} s" if seconds is not None else ""
    print(
        f"{label}: {len(idle)} idle officer-days, {len(with_work)} of them while a visit that "
        f"fits their day waits"
    )
    print(
        f"  visits planned {m.get('visits_planned', 0):.0f}, obligations scheduled "
        f"{m.get('obligations_scheduled', 0):.0f}, unscheduled "
        f"{m.get('obligations_unscheduled', 0):.0f}, weighted coverage "
        f"{m.get('weighted_coverage', 0):.4f}, re-formation moves {m.get('reform_moves', 0):.0f} "
        f"(+{m.get('reform_visits', 0):.0f} visits, {m.get('reform_seconds', 0):.2f} s){wall}"
    )
    for day in sorted({r.day for r in plan.routes} | set(per_day)):
        rostered = sum(works_on(o, day) for o in scenario.inspectors)
        names = ", ".join(o for d, o in idle if d == day)
        print(
            f"  {day}: {rostered} rostered, {working[day]} with visits, {per_day[day]} idle "
            f"({per_day_work[day]} with work){': ' + names if names else ''}"
        )


def main() -> None:
    """Plan before and after (``--before``) or count given plan folders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("plans", type=Path, nargs="*", help="folders holding plan.json")
    parser.add_argument("--before", help="git revision to plan with before this tree")
    parser.add_argument("--week", help="Monday of the week (the scenario's by default)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    week = args.week or str(scenario.settings.week_start)
    for folder in args.plans:
        report(scenario, folder, str(folder))
    if args.before:
        out = Path("/tmp/idle-officers/plans")
        sides = [(f"before ({args.before})", checkout(args.before)), ("after (this tree)", ROOT)]
        for n, (label, tree) in enumerate(sides):
            folder = out / f"{n}-{dt.datetime.now():%H%M%S}"
            seconds = plan_with(tree, args.scenario, week, folder)
            report(scenario, folder, label, seconds)


if __name__ == "__main__":
    main()
