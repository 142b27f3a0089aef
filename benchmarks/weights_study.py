"""Benchmark: heavy-week weighting and carry-over over several seeds (issue 12).

Run from the repository root::

    python benchmarks/weights_study.py                                   # every config, h1000+h2000
    python benchmarks/weights_study.py --cases h1000,h2000 --seeds 1,2,3 \\
        --configs current,old-weight,carry-0.2 --instances 1,2
    python benchmarks/weights_study.py --cases demo --seeds 1,2 --configs current,pf-0.25

Each (case, instance, seed, config) is planned jointly (``run_week``, teams formed as the
pipeline forms them) and siloed (``run_siloed_week``) in its own process, with
``SolveParams(time_limit_s=<the case's limit>, seed=<seed>)`` and the config's changes; the
runs are interleaved (for each case, instance and seed: every config in turn), so the configs
see the same machine load. *instance* is the ``synthesize`` seed of the heavy case (1 is
``benchmarks/weekly.py``'s ``heavy_scenario``); the demo has one instance.

Every plan is scored the same way whatever weights its routing used:

- *wcov*: priority-weighted coverage under the stop-17 weights (each obligation's priority,
  doubled for a hard deadline in the week, pulled-forward work at FULL weight): Σ over
  obligations in routes ÷ Σ over every obligation in a candidate visit. *own*: the plan's own
  objective (``Plan.metrics['weighted_coverage']``, under the weights it was routed with).
- *due prio*: ``weekly.priority_coverage`` of the due obligations (due by the week's Sunday);
  *due obl*: their share in routes (``evaluate``'s ``coverage_joint``/``coverage_siloed``).
- *pulled*: obligations not yet due (pulled forward) that routes checked.

Configs (``CONFIGS``): ``current`` (this tree's defaults); ``stop17`` (the defaults before this
study: pulled-forward work at full weight, carry-over by penalty alone); ``old-weight`` (the
whole visit doubled when any of its obligations has a hard deadline in the week: the weights
before 18321e9); ``carry-X`` (``SolveParams.carry_over_share`` = X); ``pf-X`` (obligations due
after the week count X × their priority: ``planner.problem.PULL_FORWARD_WEIGHT``);
``carry-density`` / ``carry-penalty`` (``planner.solve.carry_over_order`` by penalty per second
/ by penalty alone); combinations joined by ``+``; ``rev=<git revision>`` (that revision's
``planner`` with its own defaults, e.g. ``rev=225287f``). Each study runs on a copy of the tree made
when it starts (``snapshot``). Results: ``benchmarks/results/<--out>`` (JSON lines, appended
after every run, so a run cut short keeps what it measured) and a summary (mean ± population
standard deviation over seeds and instances; Δ against ``--base`` paired by case, instance and
seed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import weekly  # noqa: E402  (benchmarks/weekly.py: heavy cases and scorers)

from planner.params import PlanParams, SolveParams  # noqa: E402

CONFIGS: dict[str, dict[str, Any]] = {
    "current": {},
    "old-weight": {"old_weight": True},
    "carry-0.2": {"carry_over_share": 0.2},
    "carry-0.35": {"carry_over_share": 0.35},
    "carry-0.8": {"carry_over_share": 0.8},
    "pf-0.5": {"pull_forward": 0.5},
    "pf-0.25": {"pull_forward": 0.25},
    "pf-0.1": {"pull_forward": 0.1},
    "carry-density": {"carry_density": True},
    "carry-penalty": {"carry_penalty": True},
    "stop17": {"pull_forward": 1.0, "carry_penalty": True},
}
METRICS = (
    ("planned", "planned"),
    ("wcov", "wcov"),
    ("own", "own"),
    ("due_prio", "due prio"),
    ("due_obl", "due obl"),
    ("pulled", "pulled"),
    ("siloed_due_prio", "siloed due prio"),
    ("siloed_due_obl", "siloed due obl"),
    ("joint_s", "joint s"),
)


def config_of(name: str) -> dict[str, Any]:
    """The knobs of a config name (``a+b`` merges ``CONFIGS[a]`` and ``CONFIGS[b]``)."""
    knobs: dict[str, Any] = {}
    if name.startswith("rev="):  # an earlier revision with its own defaults (``revision_tree``)
        return knobs
    for part in name.split("+"):
        if part not in CONFIGS:
            raise SystemExit(f"unknown config {part!r}: one of {', '.join(CONFIGS)}")
        knobs.update(CONFIGS[part])
    return knobs


def old_visit_weight(visit: Any, week: Sequence[Any]) -> float:
    """The weights before 18321e9: Σ priority / 10, the whole visit doubled for a hard deadline."""
    from planner.problem import DEADLINE_WEIGHT, is_hard

    hard = any(is_hard(o) and week[0] <= o.due <= week[-1] for o in visit.obligations)
    weight = sum(max(o.priority, 1) for o in visit.obligations) / 10.0
    return weight * (DEADLINE_WEIGHT if hard else 1.0)


def density_order(problem: Any, pool: Sequence[int], cost: Any = None) -> list[int]:
    """``planner.solve.carry_over_order`` by penalty per second (service + travel estimate)."""
    from planner.solve import travel_estimate

    cost = problem.service + travel_estimate(problem)
    density = problem.penalty / np.maximum(cost, 1.0)
    return sorted(pool, key=lambda i: (int(problem.last_day[i]), -float(density[i]), i))


def penalty_order(problem: Any, pool: Sequence[Any], cost: Any = None) -> list[int]:
    """``planner.solve.carry_over_order`` before this study: by penalty alone."""
    return sorted(pool, key=lambda i: (int(problem.last_day[i]), -int(problem.penalty[i]), i))


def current_value(obligation: Any, week: Sequence[Any]) -> float:
    """One obligation's value under this tree's default weights (the common yardstick)."""
    from planner.problem import DEADLINE_WEIGHT, is_hard

    hard = is_hard(obligation) and week[0] <= obligation.due <= week[-1]
    return max(obligation.priority, 1) * (DEADLINE_WEIGHT if hard else 1.0)


def scenario_of(case: str, instance: int) -> Any:
    """``weekly.heavy_scenario`` with ``synthesize(seed=instance)`` (the demo: one instance)."""
    from planner.synth import synthesize

    size, townships, keep, _ = weekly.HEAVY_CASES[case]
    if size == "demo":
        return weekly.heavy_scenario(case)
    scenario = synthesize(businesses=int(size), townships=townships, seed=instance)
    return weekly.thin_officers(scenario, keep)


def routed_obligations(plan: Any) -> list[Any]:
    """Every obligation checked by a stop of ``plan``."""
    return [o for r in plan.routes for s in r.stops for o in s.visit.obligations]


def measure(case: str, instance: int, seed: int, config: str) -> dict[str, Any]:
    """Plan one case jointly and siloed under ``config``; the row of scores."""
    import planner.problem
    from planner.metrics import evaluate
    from planner.obligations import is_due
    from planner.pipeline import run_siloed_week, run_week

    knobs = config_of(config)
    if knobs.get("old_weight"):
        planner.problem.visit_weight = old_visit_weight  # type: ignore[assignment]
    if "pull_forward" in knobs:
        planner.problem.PULL_FORWARD_WEIGHT = knobs["pull_forward"]  # type: ignore[misc]
    if knobs.get("carry_density") or knobs.get("carry_penalty"):
        import planner.solve

        order = density_order if knobs.get("carry_density") else penalty_order
        planner.solve.carry_over_order = order  # type: ignore[assignment]
    scenario = scenario_of(case, instance)
    limit = weekly.HEAVY_CASES[case][3]
    solve = SolveParams(seed=seed) if limit is None else SolveParams(time_limit_s=limit, seed=seed)
    if "carry_over_share" in knobs:
        solve = replace(solve, carry_over_share=knobs["carry_over_share"])
    week_start = scenario.settings.week_start
    t0 = time.perf_counter()
    run = run_week(scenario, PlanParams(), solve, week_start=week_start)
    joint_s = time.perf_counter() - t0
    siloed = run_siloed_week(scenario, PlanParams(), solve, week_start=week_start)
    week = run.problem.days
    doc = evaluate(scenario, run.plan, siloed.plan).to_dict()
    everything = [o for v in run.demand.visits for o in v.obligations]
    total = sum(current_value(o, week) for o in everything)
    routed = routed_obligations(run.plan)
    due = [o for o in run.obligations if is_due(o, week_start)]
    m = dict(run.plan.metrics)
    return {
        "case": case,
        "instance": instance,
        "seed": seed,
        "config": config,
        "visits": len(run.demand.visits),
        "planned": int(m["visits_planned"]),
        "wcov": round(sum(current_value(o, week) for o in routed) / total, 4) if total else 1.0,
        "own": round(m["weighted_coverage"], 4),
        "lp_bound": round(m["lp_bound"], 4),
        "due_prio": weekly.priority_coverage(run.plan, due),
        "due_obl": doc["coverage_joint"],
        "pulled": sum(not is_due(o, week_start) for o in routed),
        "siloed_due_prio": weekly.priority_coverage(siloed.plan, due),
        "siloed_due_obl": doc["coverage_siloed"],
        "part_visits": int(m.get("part_visits", 0)),
        "joint_s": round(joint_s, 1),
        "load": round(os.getloadavg()[0], 1),
    }


def snapshot() -> Path:
    """This tree's ``planner`` and benchmark scripts copied under /tmp, so edits made while a
    study runs do not change the runs still to come."""
    target = Path(tempfile.mkdtemp(prefix="weights-study-"))
    shutil.copytree(ROOT / "planner", target / "planner")
    shutil.copytree(
        ROOT / "benchmarks", target / "benchmarks", ignore=shutil.ignore_patterns("results")
    )
    (target / "data").symlink_to(ROOT / "data")
    return target


def revision_tree(tree: Path, ref: str) -> Path:
    """The ``planner`` of git revision ``ref`` (``weekly.extract_revision``) beside this study's
    benchmark scripts and data, for the ``rev=<ref>`` config."""
    target = Path(tempfile.mkdtemp(prefix=f"weights-study-{ref}-"))
    (target / "planner").symlink_to(weekly.extract_revision(ref) / "planner")
    (target / "benchmarks").symlink_to(tree / "benchmarks")
    (target / "data").symlink_to(ROOT / "data")
    return target


def run_child(tree: Path, case: str, instance: int, seed: int, config: str) -> dict[str, Any]:
    """``measure`` in a fresh process on ``tree`` (patched weights never leak into the next run)."""
    out = subprocess.run(
        [
            sys.executable,
            str(tree / "benchmarks" / "weights_study.py"),
            "--child",
            f"{case}:{instance}:{seed}:{config}",
        ],
        env={**os.environ, "PYTHONPATH": str(tree)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _mean_sd(values: Sequence[float]) -> str:
    if not values:
        return "–"
    mean = statistics.fmean(values)
    sd = statistics.pstdev(values) if len(values) > 1 else 0.0
    digits = 1 if all(float(v).is_integer() for v in values) or max(values) >= 10 else 4
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def summarise(rows: Sequence[Mapping[str, Any]], base_config: str = "current") -> str:
    """Markdown: per case and config, mean ± sd of every metric over seeds and instances, and
    the mean paired difference against ``base_config`` (same case, instance and seed)."""
    by: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by[(r["case"], r["config"])].append(r)
    base = {(r["case"], r["instance"], r["seed"]): r for r in rows if r["config"] == base_config}
    head = ["case", "config", "runs", *(label for _, label in METRICS)]
    head += ["Δ wcov", "Δ due prio", "Δ due obl"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (case, config), rs in sorted(by.items()):
        cells = [case, config, str(len(rs))]
        cells += [_mean_sd([float(r[k]) for r in rs]) for k, _ in METRICS]
        for key in ("wcov", "due_prio", "due_obl"):
            pairs = [
                float(r[key]) - float(base[k][key])
                for r in rs
                if (k := (r["case"], r["instance"], r["seed"])) in base
            ]
            cells.append(
                f"{statistics.fmean(pairs):+.4f}" if pairs and config != base_config else ""
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", default="h1000,h2000", help="weekly.HEAVY_CASES names")
    parser.add_argument("--instances", default="1", help="synthesize seeds of the heavy cases")
    parser.add_argument("--seeds", default="1,2,3", help="SolveParams seeds")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="names in CONFIGS, a+b")
    parser.add_argument("--out", default="weights-study.jsonl", help="under benchmarks/results/")
    parser.add_argument("--base", default="current", help="config the Δ columns compare with")
    parser.add_argument("--render", action="store_true", help="summarise --out, no run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        case, instance, seed, config = args.child.split(":")
        print(json.dumps(measure(case, int(instance), int(seed), config)))
        return
    out = weekly.RESULTS / args.out
    if args.render:
        rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
        print(summarise(rows, args.base))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    configs = [c for c in args.configs.split(",") if c]
    for c in configs:
        config_of(c)
    tree, rows = snapshot(), []
    trees = {c: revision_tree(tree, c[4:]) if c.startswith("rev=") else tree for c in configs}
    for case in args.cases.split(","):
        instances = [1] if case == "demo" else [int(i) for i in args.instances.split(",")]
        for instance in instances:
            for seed in (int(s) for s in args.seeds.split(",")):
                for config in configs:
                    load = os.getloadavg()[0]
                    row = run_child(trees[config], case, instance, seed, config)
                    row["load"] = f"{load:.1f}→{row['load']}"
                    rows.append(row)
                    with out.open("a", encoding="utf-8") as f:
                        f.write(json.dumps(row) + "\n")
                    print(json.dumps(row), flush=True)
    for t in {tree, *trees.values()}:
        shutil.rmtree(t, ignore_errors=True)
    print(summarise(rows, args.base))


if __name__ == "__main__":
    main()
