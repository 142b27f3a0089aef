"""County scale: the same synthetic county on 1 worker and on N workers (Dask local cluster).

    python benchmarks/county.py --townships 6 --businesses-per-township 300 --workers 1 2

For each worker count: the local cluster's start-up, the wall time of the county's plan (every
township's joint plan and its siloed baseline, one job per department), the speed-up over the
first worker count, the county's coverage (due obligations scheduled, joint and siloed) and its
ratio to the first run's, whether every township's routes are identical to the first run's, and
the peak resident memory of each worker process, the jobs' CPU seconds and ``busy_workers``
(CPU seconds ÷ wall seconds: how many workers' worth of CPU the jobs got). Routing is deterministic (no guided local
search: each model stops at its first local optimum), so the runs do the same work and equal
quality means equal plans. The machine's load average is printed at the start and the end
(the machine is shared).

From the per-township job seconds it also estimates, on paper, the workers a county of
``--paper-townships`` townships of this size needs to plan within ``--paper-budget`` seconds:
``paper_workers`` from the jobs' wall seconds (as loaded as this machine was) and
``paper_workers_free_cores`` from their CPU seconds (what they need of a free core).
Results are appended to ``benchmarks/results/county.csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cluster import open_cluster  # noqa: E402
from planner.county import WeekSpec, county_summary, plan_county  # noqa: E402
from planner.params import SolveParams  # noqa: E402
from planner.synth import synthesize  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "county.csv"


def workers_needed(job_seconds: float, longest_job: float, townships: int, budget: float) -> int:
    """Workers to finish ``townships`` townships' ``job_seconds`` each within ``budget`` seconds
    (perfect packing; impossible — 0 — when one job alone is longer than the budget)."""
    if longest_job >= budget:
        return 0
    return max(1, math.ceil(townships * job_seconds / budget))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=6)
    parser.add_argument("--businesses-per-township", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds a job")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-baseline", action="store_true", help="joint plans only")
    parser.add_argument("--paper-townships", type=int, default=30)
    parser.add_argument("--paper-budget", type=float, default=300.0)
    args = parser.parse_args()

    scenario = synthesize(
        businesses=args.townships * args.businesses_per_township,
        townships=args.townships,
        seed=args.seed,
    )
    solve = SolveParams(time_limit_s=args.time_limit, use_guided_local_search=False)
    spec = WeekSpec(scenario.settings.week_start, solve_params=solve)
    load_start = os.getloadavg()
    print(
        f"county: {args.townships} townships × {args.businesses_per_township} businesses, "
        f"{len(scenario.inspectors)} officers; {os.cpu_count()} cores, "
        f"load average {load_start[0]:.1f} {load_start[1]:.1f} {load_start[2]:.1f}",
        flush=True,
    )
    rows = []
    first = None
    for workers in args.workers:
        t0 = time.perf_counter()
        with open_cluster(workers) as cluster:
            startup = time.perf_counter() - t0
            t1 = time.perf_counter()
            county = plan_county(scenario, spec, cluster=cluster, baseline=not args.no_baseline)
            wall = time.perf_counter() - t1
        summary = county_summary(county, wall_seconds=wall)
        c = summary["county"]
        if args.no_baseline:
            due = sum(r.get("obligations_due") or 0 for r in summary["townships"])
            done = sum(r.get("obligations_due_scheduled") or 0 for r in summary["townships"])
            coverage, siloed = (done / due if due else None), None
        else:
            coverage, siloed = c["coverage_joint"], c["coverage_siloed"]
        if first is None:
            first = (wall, coverage, county)
        same = all(
            a.joint is not None and b.joint is not None and a.joint.routes == b.joint.routes
            for a, b in zip(county.townships, first[2].townships, strict=True)
        )
        ran = [j.value.seconds for j in county.jobs if j.ok]
        job_seconds, longest = sum(ran), max(ran)
        cpus = [j.value.cpu_seconds for j in county.jobs if j.ok]
        cpu, longest_cpu = sum(cpus), max(cpus)
        memory = summary["peak_rss_mib_by_worker"]
        per_township = job_seconds / len(county.townships)
        row = {
            "date": dt.date.today().isoformat(),
            "townships": args.townships,
            "businesses_per_township": args.businesses_per_township,
            "baseline": not args.no_baseline,
            "workers": workers,
            "startup_s": round(startup, 1),
            "plan_s": round(wall, 1),
            "speedup": round(first[0] / wall, 2),
            "coverage_joint": coverage,
            "coverage_siloed": siloed,
            "coverage_ratio": round(coverage / first[1], 4) if coverage and first[1] else None,
            "identical_routes": same,
            "failed_jobs": len(county.failures),
            "jobs": len(county.jobs),
            "job_seconds": round(job_seconds, 1),
            "job_cpu_seconds": round(cpu, 1),
            "busy_workers": round(cpu / wall, 2),
            "longest_job_s": round(longest, 1),
            "peak_rss_mib_per_worker": " ".join(f"{v:.0f}" for v in memory.values()),
            "paper_workers": workers_needed(
                per_township, longest, args.paper_townships, args.paper_budget
            ),
            # the same on free cores: a job's CPU seconds are what it needs of a core
            "paper_workers_free_cores": workers_needed(
                cpu / len(county.townships),
                longest_cpu,
                args.paper_townships,
                args.paper_budget,
            ),  # fmt: skip
            "longest_job_cpu_s": round(longest_cpu, 1),
            "load_avg_1m": round(os.getloadavg()[0], 1),
        }
        rows.append(row)
        print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
    load_end = os.getloadavg()
    print(f"load average at the end {load_end[0]:.1f} {load_end[1]:.1f} {load_end[2]:.1f}")
    kept: list[dict[str, object]] = []
    if RESULTS.exists():  # earlier rows stay; columns added since get empty cells
        with RESULTS.open(newline="", encoding="utf-8") as handle:
            kept = list(csv.DictReader(handle))
    names = list(dict.fromkeys([*(kept[0] if kept else {}), *rows[0]]))
    with RESULTS.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows([*kept, *rows])
    print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
