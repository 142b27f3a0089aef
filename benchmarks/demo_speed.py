"""Benchmark: `python -m planner plan data/demo` end to end, an earlier revision against this tree.

Run from the repository root::

    python benchmarks/demo_speed.py --ref 225287f --repeats 3
    python benchmarks/demo_speed.py --ref 225287f --repeats 3 --formation --write

The OLD planner is git revision ``--ref``, checked out with ``git worktree add`` into a temporary
directory (removed afterwards); the NEW one is this tree. Each repeat runs the OLD and then the NEW
command as a subprocess (``PYTHONPATH`` pointing at that tree), alternating, so both see the same
machine load; both plan the same scenario (this tree's ``data/demo``) with the same flags:
``python -m planner plan SCENARIO --week WEEK --out TMP`` (joint plan + siloed baseline, the
default ``SolveParams``; run as ``runpy`` of ``planner`` in ``CPU_WRAPPER``, which adds the CPU
line). Per run: *wall s* from launch to exit; *first progress line s* from launch to the first
progress line (since issue 12's speed work: the first day's teams formed); *first plan s* from
launch to the first routing line (a plan's visits: what a user waits for before seeing a plan)
and the solver's own ``first_solution_seconds``; the joint plan's planned visits, priority-weighted coverage and
travel, the share of due obligations covered jointly and siloed, and the siloed visits (read
back from OUT/plan.json); *cpu s* of the planner's own process (the joint plan's critical
path on a quiet machine) and with the worker processes it waited for (the siloed baseline's
departments). *load* is the 1-minute load average before → after the run (2 shared
cores: above ~1 the wall times are pessimistic).

``--formation`` also forms the teams of several weeks (``planner.teams.form_week``: three demo
weeks and two synthetic townships) with each tree and sums CP-SAT's deterministic time (the
same on any machine) and the formations' covered weight (the coverage tier's objective).

``--write`` replaces the "Demo speed" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- demo-speed:start -->", "<!-- demo-speed:end -->"
PROGRESS = re.compile(r"^\s+[\d.]+ s\s+\S")  # a progress line: "    0.1 s  Mon 2026-11-23 …"
PLANNED = re.compile(r"^\s+[\d.]+ s\s+.*\bvisits\s+\d+/")  # one with a plan's visits in it

FORMATION = """
import datetime as dt, json, sys
from planner import load_scenario
from planner.merge import build_week_demand
from planner.params import PlanParams, TeamParams
from planner.synth import synthesize
from planner import teams
solve, spent = teams._solve, [0.0]
def timed(*args, **kwargs):
    solver, status = solve(*args, **kwargs)
    spent[0] += solver.deterministic_time
    return solver, status
teams._solve = timed
demo = load_scenario(sys.argv[1])
cases = [(demo, dt.date(2026, 11, 23)), (demo, dt.date(2026, 11, 30)), (demo, dt.date(2026, 12, 7))]
for n, (size, seed) in enumerate(((500, 1), (800, 2))):
    s = synthesize(businesses=size, townships=1, seed=seed)
    cases.append((s, s.settings.week_start))
covered = idle = 0
for scenario, week in cases:
    demand = build_week_demand(scenario, week, PlanParams())
    formed = teams.form_week(scenario, week, demand.visits, params=TeamParams())
    covered += sum(f.covered_weight for f in formed.days)
    idle += sum(len(f.idle) for f in formed.days)
print(json.dumps({"deterministic_s": round(spent[0], 2), "covered_weight": covered, "idle": idle}))
"""


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def checkout(ref: str, into: Path) -> Path:
    """``git worktree add --detach`` of ``ref`` under ``into``; its path."""
    path = into / "old"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(path), ref],
        cwd=ROOT,
        check=True,
    )
    return path


# ``python -m planner ARGS`` that prints, on exit, the CPU seconds of its own process and of the
# worker processes it waited for (forked workers leave through ``os._exit``: no line of theirs).
CPU_WRAPPER = """
import atexit, resource, runpy, sys
def cpu():
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"CPU {me.ru_utime + me.ru_stime:.2f} {kids.ru_utime + kids.ru_stime:.2f}", flush=True)
atexit.register(cpu)
sys.argv = ["planner", *sys.argv[1:]]
runpy.run_module("planner", run_name="__main__")
"""


def run_plan(tree: Path, scenario: Path, week: str, out: Path) -> dict[str, Any]:
    """One ``plan`` run with ``tree``'s planner: times, the plan's numbers and the load."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-c", CPU_WRAPPER, "plan", str(scenario), "--week", week]
    command += ["--out", str(out)]
    before = load()
    started = time.perf_counter()
    first = plan = None
    with subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            if first is None and PROGRESS.match(line):
                first = time.perf_counter() - started
            if plan is None and PLANNED.match(line):
                plan = time.perf_counter() - started
            lines.append(line)
        code = proc.wait()
    wall = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {code}:\n{''.join(lines[-20:])}")
    m = json.loads((out / "plan.json").read_text(encoding="utf-8"))["metrics"]
    cpu = [line.split() for line in lines if line.startswith("CPU ")][-1]
    return {
        "wall_s": round(wall, 1),
        "cpu_main_s": round(float(cpu[1]), 1),
        "cpu_all_s": round(float(cpu[1]) + float(cpu[2]), 1),
        "first_line_s": round(first, 1) if first is not None else "",
        "first_plan_s": round(plan, 1) if plan is not None else "",
        "first_solution_s": round(m["first_solution_seconds"], 1),
        "visits": int(m["visits_planned"]),
        "weighted_coverage": round(m["weighted_coverage"], 4),
        "travel_h": round(m["travel_seconds"] / 3600, 2),
        "coverage_joint": m.get("coverage_joint", ""),
        "coverage_siloed": m.get("coverage_siloed", ""),
        "visits_siloed": m.get("visits_routed_siloed", m.get("visits_siloed", "")),
        "load": f"{before:.1f}→{load():.1f}",
    }


def run_formation(tree: Path, scenario: Path) -> dict[str, Any]:
    """The ``FORMATION`` snippet with ``tree``'s planner."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", FORMATION, str(scenario)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


COLUMNS = (
    ("repeat", "repeat"),
    ("side", "planner"),
    ("wall_s", "wall s"),
    ("cpu_main_s", "cpu s main process"),
    ("cpu_all_s", "cpu s with workers"),
    ("first_line_s", "first progress line s (wall)"),
    ("first_plan_s", "first plan s (wall, first routing line)"),
    ("first_solution_s", "first plan s (solver)"),
    ("visits", "joint visits"),
    ("weighted_coverage", "weighted coverage"),
    ("travel_h", "travel h"),
    ("coverage_joint", "due covered joint"),
    ("coverage_siloed", "due covered siloed"),
    ("visits_siloed", "siloed visits"),
    ("load", "load"),
)
NUMERIC = (
    "wall_s",
    "cpu_main_s",
    "cpu_all_s",
    "first_line_s",
    "first_plan_s",
    "first_solution_s",
    "visits",
    "weighted_coverage",
)
NUMERIC += ("travel_h", "coverage_joint", "coverage_siloed", "visits_siloed")


def to_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A markdown table of ``rows``."""
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(str(r.get(key, "")) for key, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def summary(rows: Sequence[Mapping[str, Any]], old: str, new: str) -> list[dict[str, Any]]:
    """Median of each number per side, and NEW ÷ OLD."""
    out: list[dict[str, Any]] = []
    medians: dict[str, dict[str, float]] = {}
    for side in (old, new):
        mine = [r for r in rows if r["side"] == side]
        medians[side] = {
            k: statistics.median(float(r[k]) for r in mine if r[k] != "") for k in NUMERIC
        }
        shown = {k: round(v, 4) for k, v in medians[side].items()}
        out.append({"repeat": "median", "side": side, **shown})
    ratio = {
        k: round(medians[new][k] / medians[old][k], 3) if medians[old][k] else "" for k in NUMERIC
    }
    out.append({"repeat": "ratio", "side": "new ÷ old", **ratio})
    return out


def write_section(text: str) -> None:
    """Replace the demo-speed section of docs/benchmarks.md (appended when missing)."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{START}\n{text}\n{END}"
    if START in doc and END in doc:
        before, rest = doc.split(START, 1)
        doc = before + block + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ref", default="main", help="git revision of the OLD planner")
    parser.add_argument("--repeats", type=int, default=3, help="OLD/NEW pairs of runs")
    parser.add_argument("--scenario", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--week", default="2026-11-23", help="Monday of the planned week")
    parser.add_argument("--formation", action="store_true", help="also compare team formation")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    scenario = args.scenario.resolve()
    sha = subprocess.run(
        ["git", "rev-parse", "--short", args.ref], cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    here = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    old, new = f"old {sha}", f"new {here}" + ("+" if _dirty() else "")
    rows: list[dict[str, Any]] = []
    formation: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="demo-speed-") as tmp:
        tree = checkout(args.ref, Path(tmp))
        try:
            for n in range(1, args.repeats + 1):
                for side, path in ((old, tree), (new, ROOT)):
                    out = Path(tmp) / f"{n}-{side.split()[0]}"
                    row = {"repeat": n, "side": side, **run_plan(path, scenario, args.week, out)}
                    print(to_markdown([row], COLUMNS).splitlines()[-1], flush=True)
                    rows.append(row)
            if args.formation:
                for side, path in ((old, tree), (new, ROOT)):
                    formation.append({"side": side, **run_formation(path, scenario)})
                    print(formation[-1], flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    command = "python benchmarks/demo_speed.py " + shlex.join(argv or sys.argv[1:])
    text = (
        "## Demo speed: `python -m planner plan data/demo`, an earlier revision against this "
        "tree (issue 12)\n\n"
        f"Command: `{command.strip()}` (run {dt.date.today().isoformat()}, {os.cpu_count()} "
        "CPUs shared with other engineers: *load* is the 1-minute load average before → after "
        "each run). OLD and NEW alternate, each a `python -m planner plan SCENARIO --week "
        f"{args.week} --out TMP` subprocess with its own tree on `PYTHONPATH`; see "
        "`benchmarks/demo_speed.py` for the columns.\n\n"
        f"{to_markdown(rows + summary(rows, old, new), COLUMNS)}\n"
    )
    if formation:
        text += (
            "\nTeam formation (`--formation`: `form_week` of the demo weeks of 2026-11-23, "
            "11-30 and 12-07 and of `synthesize(500, 1, seed=1)` and `synthesize(800, 1, "
            "seed=2)`; CP-SAT deterministic seconds do not depend on the machine's load):\n\n"
            + to_markdown(
                formation,
                (
                    ("side", "planner"),
                    ("deterministic_s", "CP-SAT deterministic s"),
                    ("covered_weight", "covered weight (coverage tier)"),
                    ("idle", "idle officers"),
                ),
            )
            + "\n"
        )
    print("\n" + text)
    if args.write:
        write_section(text)


def _dirty() -> bool:
    """Whether this tree has uncommitted changes to tracked files."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    return bool(status.strip())


if __name__ == "__main__":
    main()
