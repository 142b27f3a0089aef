"""Benchmark: idle officer-days of written plans (``planner.teams.idle_officer_days``).

Plan the same scenario with two versions of the code, then count both plans' idle officers, so
the counts come from one counting function::

    PYTHONPATH=/tmp/before python -m planner plan SCENARIO --no-baseline --quiet --out /tmp/p0
    PYTHONPATH=$PWD python -m planner plan SCENARIO --no-baseline --quiet --out /tmp/p1
    python benchmarks/idle_officers.py SCENARIO /tmp/p0 /tmp/p1

For each plan folder: idle officer-days (rostered officers who could have been paired, with no
visit on a day of a plan that leaves visits unscheduled), the same per day, the officers with a
visit per day, visits planned and obligations unscheduled.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from planner.crew import works_on
from planner.load import load_scenario
from planner.planfile import plan_from_json, read_plan
from planner.teams import idle_officer_days


def main() -> None:
    """Print one block per plan folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("plans", type=Path, nargs="+", help="folders holding plan.json")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    for folder in args.plans:
        plan = plan_from_json(read_plan(folder), scenario)
        idle = idle_officer_days(scenario, plan)
        per_day = Counter(day for day, _ in idle)
        working = Counter(r.day for r in plan.routes if r.stops for _ in r.officer_ids)
        metrics = dict(plan.metrics)
        print(f"{folder}: {len(idle)} idle officer-days")
        print(
            f"  visits planned {metrics.get('visits_planned', 0):.0f}, obligations unscheduled "
            f"{metrics.get('obligations_unscheduled', 0):.0f}, total {metrics.get('total_seconds', 0):.0f} s"
        )
        for day in sorted({r.day for r in plan.routes} | set(per_day)):
            rostered = sum(works_on(o, day) for o in scenario.inspectors)
            print(f"  {day}: {rostered} rostered, {working[day]} with visits, {per_day[day]} idle")


if __name__ == "__main__":
    main()
