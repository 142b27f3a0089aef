"""Inspect Once: joint-inspection planning for township governments (综合查一次)."""

from planner.domain import Plan, Scenario
from planner.errors import InfeasibleError, InputError, PlannerError, Problem
from planner.load import check_scenario, load_scenario
from planner.tables import write_scenario

__all__ = [
    "InfeasibleError",
    "InputError",
    "Plan",
    "PlannerError",
    "Problem",
    "Scenario",
    "check_scenario",
    "load_scenario",
    "write_scenario",
]
