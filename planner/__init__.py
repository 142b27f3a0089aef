"""Inspect Once: joint-inspection planning for township governments (综合查一次)."""

from planner.domain import Plan, Scenario
from planner.draws import compare_draws, draw_businesses, draw_week, redraw
from planner.errors import InfeasibleError, InputError, PlannerError, Problem
from planner.load import check_scenario, check_upload, load_scenario, load_upload
from planner.merge import (
    build_week_demand,
    merge_obligations,
    merge_siloed,
    simulate,
    visit_seconds,
)
from planner.metrics import Metrics, YearMetrics, evaluate, year_metrics
from planner.obligations import compute_priority, derive_obligations
from planner.params import PlanParams, SolveParams
from planner.pipeline import plan_week
from planner.tables import write_scenario

__all__ = [
    "InfeasibleError",
    "InputError",
    "Metrics",
    "Plan",
    "PlanParams",
    "SolveParams",
    "PlannerError",
    "Problem",
    "Scenario",
    "YearMetrics",
    "build_week_demand",
    "check_scenario",
    "check_upload",
    "compare_draws",
    "compute_priority",
    "derive_obligations",
    "draw_businesses",
    "draw_week",
    "evaluate",
    "load_scenario",
    "load_upload",
    "merge_obligations",
    "merge_siloed",
    "plan_week",
    "redraw",
    "simulate",
    "visit_seconds",
    "write_scenario",
    "year_metrics",
]
