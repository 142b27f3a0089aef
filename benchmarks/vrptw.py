"""Benchmark: the routing core on Solomon (56 × 100 customers) and Gehring–Homberger 200 (60).

Run from the repository root (needs ../shared/data/vrptw)::

    python benchmarks/vrptw.py --sets solomon --time 5                 # all 56, both engines
    python benchmarks/vrptw.py --sets solomon gh200 --time 30 --subset # xx01 + xx04 per class
    python benchmarks/vrptw.py --sets gh200 --time 60 --engines pyvrp

Each instance is read with ``planner.vrplib_io.read_vrptw`` (DIMACS: distances and durations
truncated to one decimal, ×10 to integers) and solved single-threaded by

- ``pyvrp``: ``planner.engines.solve_with(engine="pyvrp")`` (``planner.pyvrp_adapter``), and
- ``ortools``: ``planner.solve``'s own model (``build_model``: the same rules and search
  parameters ``solve`` uses) plus one load dimension added here, because ``planner.solve`` has no
  capacity rule and Solomon's capacities bind (C1: 1,810 units of demand, 200 per vehicle).

Every returned route set is re-checked from the instance alone (``check_vrptw_routes``: each
customer once, capacity, windows, depot closing time) and costed by ``route_distance``. The gap
is ``distance / BKS − 1`` against the ``dimacs_mindist`` best-known solutions of ``bks.csv``
(never the hierarchical SINTEF values). A run that leaves a customer out or breaks a rule counts
as "no solution", not as a cheaper one.

Writes ``benchmarks/results/vrptw_<sets>_<time>s[_subset].csv`` (one row per instance and engine)
and a markdown summary (``.md``) beside it, and prints the summary.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from google.protobuf import text_format

from planner import solve
from planner.engines import solve_with
from planner.params import FIRST_SOLUTION_STRATEGIES, SolveParams
from planner.problem import Solution
from planner.vrplib_io import (
    VrptwInstance,
    check_vrptw_routes,
    read_best_known,
    read_vrptw,
    route_distance,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vrptw"
RESULTS = Path(__file__).resolve().parent / "results"
SETS = {"solomon": "solomon", "gh200": "gh200"}
SUBSET = re.compile(r"^(R|C|RC)[12](01|04|_2_1|_2_4)$")  # the tightest and a wide-window one
FALLBACK = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "ALL_UNPERFORMED")
ORTOOLS_OPTIONS: list[str] = []  # --ortools-option: search-parameter overrides (text format)


@dataclass(frozen=True, slots=True)
class Row:
    """One instance solved by one engine."""

    instance: str
    family: str
    klass: str
    engine: str
    time_limit_s: float
    distance: float
    bks: float
    gap_pct: float
    vehicles: int
    bks_vehicles: int
    dropped: int
    solved: bool
    problems: str
    seconds: float
    cpu_seconds: float
    first_solution: str


def instance_class(name: str) -> str:
    """``R1``, ``C2``, ``RC1``… of a Solomon (``RC105``) or GH (``RC1_2_5``) instance name."""
    match = re.match(r"^(RC|R|C)([12])", name)
    return f"{match.group(1)}{match.group(2)}" if match else "?"


def benchmark_params(time_limit_s: float, first_solution: str = "PATH_CHEAPEST_ARC") -> SolveParams:
    """VRPTW objective only: distance (no duration cost, no workload balance), one model."""
    return SolveParams(
        time_limit_s=time_limit_s,
        workload_balance=0,
        duration_cost=0,
        first_solution=first_solution,
        decomposition="week",
    )


def solve_ortools(instance: VrptwInstance, params: SolveParams) -> tuple[Solution, str]:
    """``planner.solve``'s model of the instance plus a load dimension, GLS to the time limit.

    If a first-solution strategy finds nothing, the next of ``FALLBACK`` gets the remaining time;
    ``ALL_UNPERFORMED`` (every visit dropped, then local search inserts them) always starts.
    Returns the solution and the strategy that produced it.
    """
    started = time.perf_counter()
    strategies = [params.first_solution, *(s for s in FALLBACK if s != params.first_solution)]
    for strategy in strategies:
        remaining = params.time_limit_s - (time.perf_counter() - started)
        if remaining <= 0.1:
            break
        run = SolveParams(
            time_limit_s=params.time_limit_s,
            workload_balance=0,
            duration_cost=0,
            first_solution=strategy,
            decomposition="week",
        )
        model = solve.build_model(instance.problem, run)
        add_loads(model, instance.demand, instance.vehicle_capacity)
        build = time.perf_counter() - started
        search = solve.search_parameters(run, max(0.1, params.time_limit_s - build))
        for option in ORTOOLS_OPTIONS:
            text_format.Merge(option, search)
        assignment = model.routing.SolveWithParameters(search)
        if assignment is None:
            continue
        routes = solve.read_solution(model, assignment)
        served = {i for r in routes for i in r.visits}
        dropped = tuple(i for i in range(instance.problem.n_visits) if i not in served)
        stats = (("objective", float(assignment.ObjectiveValue())),)
        return Solution(tuple(routes), dropped, stats), strategy
    return Solution((), tuple(range(instance.problem.n_visits))), "none"


def add_loads(model: Any, demand: np.ndarray, capacity: np.ndarray) -> None:
    """Vehicle capacity as an OR-Tools dimension (what ``planner.solve`` would need to add)."""
    p = model.problem
    per_node = [0] * p.n_depots + [int(d) for d in demand]
    load = model.routing.RegisterUnaryTransitVector(per_node)
    model.routing.AddDimensionWithVehicleCapacity(load, 0, [int(c) for c in capacity], True, "load")


def run_one(
    instance: VrptwInstance, engine: str, time_limit_s: float, first_solution: str, seed: int
) -> tuple[Solution, float, float, str]:
    """Solve one instance with one engine: the solution, wall and CPU seconds, start strategy.

    CPU seconds say how much of the wall-clock budget the process really got on a shared machine.
    """
    params = benchmark_params(time_limit_s, first_solution)
    if seed:
        params = SolveParams(**{**_fields(params), "seed": seed})
    t0, c0 = time.perf_counter(), time.process_time()
    if engine == "ortools":
        solution, strategy = solve_ortools(instance, params)
    else:
        solution = solve_with(
            instance.problem,
            params,
            engine="pyvrp",
            demand=instance.demand,
            capacity=instance.vehicle_capacity,
        )
        strategy = "-"
    return solution, time.perf_counter() - t0, time.process_time() - c0, strategy


def _fields(params: SolveParams) -> dict[str, Any]:
    return {f: getattr(params, f) for f in params.__dataclass_fields__}


def evaluate(
    instance: VrptwInstance,
    solution: Solution,
    bks_value: float,
    bks_vehicles: int,
    engine: str,
    family: str,
    time_limit_s: float,
    seconds: float,
    cpu_seconds: float,
    strategy: str,
) -> Row:
    """Re-check and cost the solution from the instance alone."""
    routes = [r.visits for r in solution.routes if r.visits]
    problems = check_vrptw_routes(instance, routes)
    solved = not problems
    distance = route_distance(instance, routes) / 10
    gap = 100 * (distance / bks_value - 1) if solved else float("nan")
    return Row(
        instance.name,
        family,
        instance_class(instance.name),
        engine,
        time_limit_s,
        distance,
        bks_value,
        round(gap, 3),
        len(routes),
        bks_vehicles,
        len(solution.dropped),
        solved,
        "; ".join(problems[:3]),
        round(seconds, 2),
        round(cpu_seconds, 2),
        strategy,
    )


def summarise(rows: Sequence[Row]) -> str:
    """Markdown table per set × time limit × class and overall, per engine.

    Mean and worst gap over the instances solved; "no solution" counts runs that left a customer
    out or broke a rule; vehicles are the mean routes used (the best-known solutions' in
    brackets); CPU s is the mean CPU time the run really got (below the limit on a shared machine).
    """
    lines = [
        "| set | limit | class | engine | n | mean gap % | worst gap % | no solution "
        "| vehicles (BKS) | CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys: list[tuple[str, float, str, str]] = []
    for r in rows:
        for klass in (r.klass, "all"):
            key = (r.family, r.time_limit_s, klass, r.engine)
            if key not in keys:
                keys.append(key)
    keys.sort(key=lambda k: (k[0] != "Solomon100", k[0], k[1], k[2] == "all", k[2], k[3]))
    for family, limit, klass, engine in keys:
        group = [
            r
            for r in rows
            if (r.family, r.time_limit_s, r.engine) == (family, limit, engine)
            and klass in ("all", r.klass)
        ]
        solved = [r for r in group if r.solved]
        gaps = [r.gap_pct for r in solved]
        mean = f"{np.mean(gaps):.2f}" if gaps else "–"
        worst = f"{np.max(gaps):.2f}" if gaps else "–"
        vehicles = f"{np.mean([r.vehicles for r in solved]):.1f}" if solved else "–"
        bks_vehicles = np.mean([r.bks_vehicles for r in group])
        bold = "**" if klass == "all" else ""
        lines.append(
            f"| {family} | {limit:g} s | {bold}{klass}{bold} | {engine} | {len(group)} | "
            f"{bold}{mean}{bold} | {worst} | {len(group) - len(solved)} | "
            f"{vehicles} ({bks_vehicles:.1f}) | {np.mean([r.cpu_seconds for r in group]):.1f} |"
        )
    return "\n".join(lines)


def read_rows(paths: Sequence[Path | str]) -> list[Row]:
    """Rows of earlier runs' CSV files (a missing ``cpu_seconds`` column reads as NaN)."""
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            for raw in csv.DictReader(fh):
                values: dict[str, Any] = {}
                for name, kind in Row.__annotations__.items():
                    text = raw.get(name, "nan")
                    values[name] = {"float": float, "int": int, "bool": lambda t: t == "True"}.get(
                        kind, str
                    )(text)
                rows.append(Row(**values))
    return rows


def instances(sets: Sequence[str], subset: bool, only: Sequence[str]) -> list[Path]:
    """The ``.vrp`` files to run, sorted by set then name."""
    files = []
    for name in sets:
        folder = DATA / SETS[name]
        for path in sorted(folder.glob("*.vrp")):
            if subset and not SUBSET.match(path.stem):
                continue
            if only and path.stem not in only:
                continue
            files.append(path)
    return files


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=["solomon"])
    parser.add_argument("--engines", nargs="+", choices=["ortools", "pyvrp"])
    parser.add_argument("--time", type=float, default=5.0, help="seconds per instance and engine")
    parser.add_argument("--subset", action="store_true", help="only xx01 and xx04 of each class")
    parser.add_argument("--only", nargs="*", default=[], help="instance names")
    parser.add_argument(
        "--first-solution",
        choices=FIRST_SOLUTION_STRATEGIES,
        default="PATH_CHEAPEST_ARC",
        help="OR-Tools first-solution strategy (fallbacks follow if it finds nothing)",
    )
    parser.add_argument(
        "--ortools-option",
        action="append",
        default=[],
        help="OR-Tools search parameter in text format, e.g. 'local_search_metaheuristic: "
        "TABU_SEARCH' or 'guided_local_search_lambda_coefficient: 0.5' (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="", help="suffix of the output file names")
    parser.add_argument("--from-csv", nargs="+", help="only summarise these earlier results")
    args = parser.parse_args(argv)
    if args.from_csv:
        print(summarise(read_rows(args.from_csv)))
        return
    engines = args.engines or ["ortools", "pyvrp"]
    ORTOOLS_OPTIONS[:] = args.ortools_option
    if not DATA.exists():
        raise SystemExit(f"{DATA} not found (clone ../shared beside the repository)")
    bks = read_best_known(DATA / "bks.csv")
    files = instances(args.sets, args.subset, args.only)
    stem = f"vrptw_{'_'.join(args.sets)}_{args.time:g}s" + ("_subset" if args.subset else "")
    stem += f"_{args.tag}" if args.tag else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    with open(RESULTS / f"{stem}.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(Row.__dataclass_fields__))
        writer.writeheader()
        for path in files:
            instance = read_vrptw(path)
            best = bks[instance.name]
            for engine in engines:
                solution, seconds, cpu, strategy = run_one(
                    instance, engine, args.time, args.first_solution, args.seed
                )
                row = evaluate(
                    instance, solution, best.distance, best.vehicles, engine, best.family,
                    args.time, seconds, cpu, strategy,
                )  # fmt: skip
                rows.append(row)
                writer.writerow(asdict(row))
                fh.flush()
                print(
                    f"{row.instance:8} {engine:7} {row.distance:9.1f} bks {row.bks:8.1f} "
                    f"gap {row.gap_pct:6.2f}% veh {row.vehicles:3d} ({row.bks_vehicles}) "
                    f"dropped {row.dropped} {row.seconds:5.1f}s cpu {cpu:5.1f}s {strategy} {row.problems}",
                    flush=True,
                )
    table = summarise(rows)
    header = (
        f"`python benchmarks/vrptw.py {' '.join(argv) if argv else ''}`".replace("  ", " ")
        + f" — {len(files)} instances, {args.time:g} s each, single-threaded\n\n"
    )
    (RESULTS / f"{stem}.md").write_text(header + table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
