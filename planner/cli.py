"""Command line: ``python -m planner COMMAND …`` (thin: it calls ``planner`` and prints)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from planner.errors import PlannerError, Problem

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
Command = Callable[[argparse.Namespace], int]


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a scenario; print every problem, or per-table counts when valid."""
    from planner.load import check_scenario

    scenario, problems = check_scenario(args.path)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    _print_problems(errors + warnings)
    if scenario is None:
        print(f"\n{args.path}: INVALID — {len(errors)} error(s), {len(warnings)} warning(s)")
        return EXIT_INPUT
    counts = {
        "departments": len(scenario.departments),
        "items": len(scenario.items),
        "businesses": len(scenario.businesses),
        "history": len(scenario.history),
        "tasks": len(scenario.tasks),
        "inspectors": len(scenario.inspectors),
        "teams": len(scenario.teams),
        "recusals": len(scenario.recusals),
        "offices": len(scenario.settings.offices),
    }
    print(f"{args.path}: valid — {scenario.settings.township}")
    for table, count in counts.items():
        print(f"  {table:12} {count:6d}")
    categories = Counter(b.category for b in scenario.businesses)
    print("  categories   " + ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    if warnings:
        print(f"  ({len(warnings)} warning(s) above)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m planner",
        description="Inspect Once (综合查一次): plan joint inspections for a township.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a scenario (CSV folder, .zip or .xlsx)")
    p.add_argument("path", type=Path)
    p.set_defaults(func=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; input problems exit 2 with every problem listed, never a traceback."""
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except PlannerError as exc:
        problems = getattr(exc, "problems", ())
        if problems:
            _print_problems(problems)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
