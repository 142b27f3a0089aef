"""Benchmark: OR-Tools vs PyVRP on whole weeks of inspections (the ``auto`` rule for weeks).

Run from the repository root::

    python benchmarks/engines_week.py                       # 150 and 500 businesses, 30 s
    python benchmarks/engines_week.py --businesses 300 --time 60

A seeded synthetic county (``planner.synth.synthesize``) gives the week's ``RoutingProblem``
(``planner.pipeline.run_week`` with one formation round). PyVRP cannot express lunch breaks, so
both engines solve the same problem **without** them (the only regime where PyVRP is exact);
workload balance is off, duration cost on (both engines model it). Each plan is re-checked by
``planner.engines.check_solution`` and scored by the engine-neutral objective (travel + duration +
penalties of dropped visits) and the priority-weighted coverage.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence

import numpy as np

from planner.engines import check_solution, neutral_objective, solve_with
from planner.params import SolveParams, TeamParams
from planner.pipeline import run_week
from planner.problem import RoutingProblem
from planner.synth import synthesize


def week_problem(businesses: int, seed: int) -> RoutingProblem:
    """The week's routing problem of a synthetic county, lunch breaks removed."""
    scenario = synthesize(businesses=businesses, seed=seed)
    run = run_week(
        scenario,
        solve_params=SolveParams(time_limit_s=2.0),
        team_params=TeamParams(rounds=1, time_limit_seconds=2.0),
    )
    p = run.problem
    return dataclasses.replace(p, vehicle_lunch=np.zeros_like(p.vehicle_lunch))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, nargs="+", default=[150, 500])
    parser.add_argument("--time", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print("| businesses | visits | team-days | engine | served | weighted coverage | objective | "
          "PyVRP clients | check | wall s | cpu s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.businesses:
        problem = week_problem(n, args.seed)
        params = SolveParams(time_limit_s=args.time, workload_balance=0, seed=0)
        for engine in ("ortools", "pyvrp"):
            wall, cpu = time.perf_counter(), time.process_time()
            solution = solve_with(problem, params, engine=engine)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            objective = neutral_objective(problem, solution.routes, solution.dropped, params)
            problems = check_solution(problem, solution)
            clients = solution.stat("pyvrp_clients", float("nan"))
            print(
                f"| {n} | {problem.n_visits} | {problem.n_vehicles} | {engine} | "
                f"{problem.n_visits - len(solution.dropped)} | "
                f"{solution.stat('weighted_coverage'):.3f} | {objective:,} | {clients:.0f} | "
                f"{'ok' if not problems else problems[0]} | {wall:.1f} | {cpu:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
