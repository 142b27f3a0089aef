"""How many visits a mid-week re-plan moves: the demo week, one officer off from Wednesday and one
urgent complaint (issue 13, item 7).

Plans the demo week, takes the first officer working on Wednesday off from then on, adds an urgent
complaint at a business without a visit, re-plans from Wednesday (every visit counted as announced)
and prints how many visits moved or were dropped, against the visits that had to: those of the
team-days the officer was in.

    python benchmarks/replan.py --time-limit 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter
from pathlib import Path

from planner import load_scenario, plan_week
from planner.domain import Task, TaskKind
from planner.params import SolveParams
from planner.replan import (
    OfficerAbsent,
    UrgentTask,
    apply_changes,
    diff_plans,
    resolve_rest_of_week,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def main() -> None:
    """Run the measurement and print one line of counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per solve")
    args = parser.parse_args()
    scenario = load_scenario(DEMO)
    week = scenario.settings.week_start
    wednesday = week + dt.timedelta(days=2)
    fast = SolveParams(time_limit_s=args.time_limit)
    started = time.perf_counter()
    old = plan_week(scenario, solve_params=fast, week_start=week)
    officer = next(o for r in old.routes if r.day >= wednesday for o in r.officer_ids)
    visited = {s.visit.business_id for r in old.routes for s in r.stops}
    business = next(
        b
        for b in scenario.businesses
        if b.id not in visited and any(i.applies_to(b.category) for i in scenario.items)
    )
    item = next(i.id for i in scenario.items if i.applies_to(business.category))
    sunday = week + dt.timedelta(days=6)
    task = Task("urgent-1", business.id, item, TaskKind.COMPLAINT, None, sunday, 5, "complaint")
    changes = [OfficerAbsent(officer, wednesday), UrgentTask(task)]
    new = resolve_rest_of_week(
        apply_changes(scenario, changes, week),
        old,
        from_day=wednesday,
        keep=visited,
        solve_params=fast,
    )
    diff = diff_plans(old, new, changes=changes, announced=visited)
    must = {
        s.visit.business_id
        for r in old.routes
        if r.day >= wednesday and officer in r.officer_ids
        for s in r.stops
    }
    touched = {c.business_id for c in (*diff.moved, *diff.dropped)}
    kinds = Counter(
        "day" if c.before and c.after and c.before.day != c.after.day else "team or time"
        for c in diff.moved
    )
    print(
        f"visits {len(visited)}; moved {len(diff.moved)} ({dict(kinds)}), dropped "
        f"{len(diff.dropped)}, added {len(diff.added)}; had to move {len(must)}, of which moved "
        f"or dropped {len(touched & must)}; moved without need {len(touched - must)}; "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
