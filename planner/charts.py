"""Plotly charts and pandas tables of the burden and coverage metrics (app, notebook, reports).

Every function takes a ``planner.metrics.Metrics`` or its ``to_dict()`` form (what
``metrics.json`` holds), so the app and reports can draw a saved plan without re-planning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from planner.i18n import t
from planner.metrics import Metrics, YearMetrics

JOINT_COLOUR = "#1f77b4"
SILOED_COLOUR = "#bbbbbb"
SAME_WORK_COLOUR = "#ff7f0e"
Doc = Metrics | Mapping[str, Any]


def _doc(metrics: Doc) -> Mapping[str, Any]:
    return metrics.to_dict() if isinstance(metrics, Metrics) else metrics


def _bars(title: str, unit: str, rows: list[tuple[str, Any, str]]) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[label for label, _, _ in rows],
            y=[value or 0 for _, value, _ in rows],
            marker_color=[colour for _, _, colour in rows],
            text=[f"{value:,.0f}" if value is not None else "–" for _, value, _ in rows],
            textposition="outside",
        )
    )
    fig.update_layout(title=title, yaxis_title=unit, showlegend=False, margin={"t": 60})
    return fig


def summary_table(metrics: Doc) -> pd.DataFrame:
    """Headline numbers, joint vs siloed: one row per measure, with the change in %."""
    doc = _doc(metrics)
    rows = [
        ("visits", "visits_joint", "visits_siloed"),
        ("disruption minutes", "disruption_minutes_joint", "disruption_minutes_siloed"),
        ("officer hours (travel + on site)", "officer_hours_joint", "officer_hours_siloed"),
        ("travel km", "travel_km_joint", "travel_km_siloed"),
        ("due obligations scheduled", "obligations_due_scheduled", "obligations_due_scheduled_siloed"),
        ("coverage of due obligations", "coverage_joint", "coverage_siloed"),
        ("overdue backlog", "overdue_backlog_joint", "overdue_backlog_siloed"),
        ("officer hours per obligation", "officer_hours_per_obligation_joint",
         "officer_hours_per_obligation_siloed"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [(label, doc.get(j), doc.get(s)) for label, j, s in rows],
        columns=["measure", "joint", "siloed"],
    )
    joint = pd.to_numeric(frame["joint"], errors="coerce")
    siloed = pd.to_numeric(frame["siloed"], errors="coerce")
    frame["change"] = (joint - siloed) / siloed.where(siloed != 0)
    return frame


def coverage_table(metrics: Doc) -> pd.DataFrame:
    """Per department: due, scheduled and share joint and siloed, pulled forward, why not,
    overdue backlog (joint)."""
    doc = _doc(metrics)
    detail = doc.get("coverage", {})
    joint, siloed = detail.get("joint", {}), detail.get("siloed", {})
    rows = []
    for dept in doc.get("coverage_by_department", {}):
        j, s = joint.get(dept, {}), siloed.get(dept, {})
        reasons = j.get("reasons", {})
        rows.append(
            {
                "department": dept,
                "due": j.get("due", 0),
                "scheduled joint": j.get("scheduled", 0),
                "share joint": j.get("share"),
                "scheduled siloed": s.get("scheduled", 0),
                "share siloed": s.get("share"),
                "pulled forward joint": j.get("pulled_forward", 0),
                "not scheduled joint, why": "; ".join(f"{r} {n}" for r, n in reasons.items()),
                "overdue": j.get("overdue", 0),
                "backlog joint": j.get("backlog", 0),
                "backlog days max": j.get("backlog_days_max", 0),
            }
        )
    return pd.DataFrame(rows)


def coverage_risk_table(metrics: Doc, side: str = "joint") -> pd.DataFrame:
    """Per department and risk class: due, scheduled, share (``side`` joint or siloed)."""
    detail = _doc(metrics).get("coverage", {}).get(side, {})
    rows = [
        {
            "department": dept,
            "risk": risk,
            "due": n["due"],
            "scheduled": n["scheduled"],
            "share": n["scheduled"] / n["due"] if n["due"] else None,
        }
        for dept, cov in detail.items()
        for risk, n in cov.get("by_risk", {}).items()
    ]
    return pd.DataFrame(rows, columns=["department", "risk", "due", "scheduled", "share"])


def workload_table(metrics: Doc, kind: str = "officers") -> pd.DataFrame:
    """Per officer (or ``kind="teams"``): hours and visits, joint and siloed side by side."""
    work = _doc(metrics).get("workload", {})
    frames = []
    for side in ("joint", "siloed"):
        rows = work.get(side, {}).get(kind, [])
        frame = pd.DataFrame(rows, columns=["id", "hours", "visits", "days"]).set_index("id")
        frames.append(frame.add_suffix(f" {side}"))
    return pd.concat(frames, axis=1).fillna(0).reset_index()


def visits_chart(metrics: Doc, lang: str = "en") -> go.Figure:
    """Visits: joint plan, the same work done by departments alone, and the siloed plan."""
    doc = _doc(metrics)
    return _bars(
        t("chart_visits", lang),
        t("unit_visits", lang),
        [
            (t("bar_joint", lang), doc.get("visits_joint"), JOINT_COLOUR),
            (t("bar_same_work", lang), doc.get("visits_siloed_same_work"), SAME_WORK_COLOUR),
            (t("bar_siloed", lang), doc.get("visits_siloed"), SILOED_COLOUR),
        ],
    )


def visits_per_business_chart(metrics: Doc, lang: str = "en") -> go.Figure:
    """How many businesses got 1, 2, 3… visits this week, joint vs siloed plan."""
    doc = _doc(metrics)
    fig = go.Figure()
    for side, colour in (("joint", JOINT_COLOUR), ("siloed", SILOED_COLOUR)):
        dist = doc.get(f"visits_per_business_{side}", {}) or {}
        keys = sorted(dist, key=int)
        fig.add_bar(
            name=t(f"side_{side}", lang), x=keys, y=[dist[k] for k in keys], marker_color=colour
        )
    fig.update_layout(
        title=t("chart_vpb", lang),
        xaxis_title=t("axis_visits_to_business", lang),
        yaxis_title=t("axis_businesses", lang),
        barmode="group",
    )
    return fig


def disruption_chart(metrics: Doc, lang: str = "en") -> go.Figure:
    """Business disruption (minutes a team is on premises): joint, same work alone, siloed plan."""
    doc = _doc(metrics)
    return _bars(
        t("chart_disruption", lang),
        t("unit_minutes", lang),
        [
            (t("bar_joint", lang), doc.get("disruption_minutes_joint"), JOINT_COLOUR),
            (
                t("bar_same_work", lang),
                doc.get("disruption_minutes_siloed_same_work"),
                SAME_WORK_COLOUR,
            ),
            (t("bar_siloed", lang), doc.get("disruption_minutes_siloed"), SILOED_COLOUR),
        ],
    )


def coverage_chart(
    metrics: Doc, lang: str = "en", names: Mapping[str, str] | None = None
) -> go.Figure:
    """Share of each department's due obligations scheduled, joint vs siloed (departments named
    by ``names``: id → name in the language)."""
    doc = _doc(metrics)
    joint = doc.get("coverage_by_department", {}) or {}
    siloed = doc.get("coverage_by_department_siloed", {}) or {}
    depts = list(joint)
    names = names or {}
    fig = go.Figure()
    for name, values, colour in (("joint", joint, JOINT_COLOUR), ("siloed", siloed, SILOED_COLOUR)):
        fig.add_bar(
            name=t(f"side_{name}", lang),
            y=[names.get(d, d) for d in depts],
            x=[values.get(d) for d in depts],
            orientation="h",
            marker_color=colour,
        )
    fig.update_layout(
        title=t("chart_coverage", lang),
        xaxis={"title": t("axis_share_scheduled", lang), "tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
        barmode="group",
    )
    return fig


def workload_chart(
    metrics: Doc,
    kind: str = "officers",
    lang: str = "en",
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Hours (travel + on site) per officer (or per team), joint vs siloed; officers named by
    ``names`` (id → name), not by id."""
    table = workload_table(metrics, kind)
    names = names or {}
    fig = go.Figure()
    for side, colour in (("joint", JOINT_COLOUR), ("siloed", SILOED_COLOUR)):
        fig.add_bar(
            name=t(f"side_{side}", lang),
            x=[names.get(i, i) for i in table["id"]],
            y=table[f"hours {side}"],
            marker_color=colour,
        )
    fig.update_layout(
        title=t(f"chart_workload_{kind}", lang),
        yaxis_title=t("unit_hours", lang),
        barmode="group",
    )
    return fig


def year_table(year: YearMetrics | Mapping[str, Any]) -> pd.DataFrame:
    """A year, joint vs siloed, pull-forward on and off: one row per measure and setting."""
    doc = year.to_dict() if isinstance(year, YearMetrics) else year
    rows = []
    for setting in ("pull_forward_on", "pull_forward_off"):
        y = doc[setting]
        for label, key in (
            ("visits per business per year", "visits_per_business"),
            ("visits per year", "visits"),
            ("disruption hours per year", "disruption_hours"),
            ("officer hours per year (estimate)", "officer_hours"),
        ):
            j, s = y[f"{key}_joint"], y[f"{key}_siloed"]
            rows.append(
                {
                    "pull-forward": setting.rsplit("_", 1)[1],
                    "measure": label,
                    "joint": j,
                    "siloed": s,
                    "change": (j - s) / s if s else None,
                }
            )
    return pd.DataFrame(rows)


def year_chart(year: YearMetrics | Mapping[str, Any]) -> go.Figure:
    """Visits per business per year, joint vs siloed, with pull-forward on and off."""
    table = year_table(year)
    table = table[table["measure"] == "visits per business per year"]
    fig = go.Figure()
    for side, colour in (("joint", JOINT_COLOUR), ("siloed", SILOED_COLOUR)):
        fig.add_bar(
            name=side,
            x=["pull-forward " + p for p in table["pull-forward"]],
            y=table[side],
            marker_color=colour,
        )
    fig.update_layout(title="Visits per business per year", yaxis_title="visits", barmode="group")
    return fig
