"""Department page: a department's coverage (due → scheduled → not scheduled with reasons, by
risk class, overdue) and the burden charts. A department head sees only their department."""

from __future__ import annotations

import streamlit as st

from app_pages.common import (
    current_user,
    lang,
    open_plan_or_stop,
    plan_doc,
    tr,
    wkey,
)
from planner import charts
from planner.i18n import department_name
from planner.views import (
    coverage_funnel,
    department_doc,
    department_names,
    department_view,
    floor_note,
    headed,
    plain,
    reasons_frame,
    risk_frame,
    unscheduled_frame,
)

LANG = lang()  # bound once: widget labels must not read the session later
user = current_user()
if user is None:
    st.warning(tr("planner_only"))
    st.stop()
st.title(tr("department_title"))
# A department head reviews the plans the township published, never a planner's draft.
info, plan, scenario = open_plan_or_stop(published_only=not user.is_planner)

if user.is_planner:
    ids = [d.id for d in scenario.departments]
    department = st.selectbox(
        tr("department"), ids, key=wkey("department"),
        format_func=lambda d: department_name(d, scenario, LANG),
    )  # fmt: skip
else:
    department = user.department_id
if department not in {d.id for d in scenario.departments}:
    st.info(tr("no_plan"))
    st.stop()
st.subheader(plain(department_name(department, scenario, LANG)))

coverage = department_view(scenario, plan, department)
doc = plan_doc(info)
siloed = None
if doc is not None:
    siloed = (doc.get("coverage", {}).get("siloed", {}).get(department) or {}).get("share")
share = coverage.share
cols = st.columns(6)
cols[0].metric(tr("due"), coverage.due)
cols[1].metric(tr("scheduled"), coverage.scheduled)
cols[2].metric(tr("share_scheduled"), "–" if share is None else f"{share:.0%}")
cols[3].metric(tr("siloed_share"), "–" if siloed is None else f"{siloed:.0%}")
cols[4].metric(tr("overdue"), coverage.overdue)
cols[5].metric(tr("backlog"), coverage.backlog)
st.caption(tr("pulled_forward_note", n=coverage.pulled_forward))
note = floor_note(doc, LANG, planner=user.is_planner)  # why joint vs alone is what it is
if note is not None:
    (st.info if note.kind == "info" else st.warning)(note.text, icon=":material/balance:")

left, right = st.columns(2)
left.plotly_chart(coverage_funnel(coverage, LANG), key="funnel")
with right:
    st.markdown(f"**{tr('by_risk')}**")
    risks = risk_frame(coverage, LANG)
    risks["share"] = risks["share"] * 100
    st.dataframe(
        risks.rename(
            columns={"risk": tr("risk"), "due": tr("due"), "scheduled": tr("scheduled"),
                     "share": tr("share")}
        ),
        hide_index=True, width="stretch",
        column_config={tr("share"): st.column_config.NumberColumn(format="%.0f%%")},
    )  # fmt: skip
    st.markdown(f"**{tr('why_not')}**")
    st.dataframe(
        reasons_frame(coverage, LANG).rename(
            columns={"reason": tr("reason"), "count": tr("count")}
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(tr("dept_unscheduled"))
st.dataframe(
    headed(unscheduled_frame(plan, scenario, department_id=department, lang=LANG), LANG),
    hide_index=True,
    width="stretch",
    height=300,
    column_config={tr("col_reason"): st.column_config.TextColumn(width="large")},
)

if doc is not None:
    st.subheader(tr("burden_charts"))
    shown = doc if user.is_planner else department_doc(doc, department)
    c = st.columns(2)
    c[0].plotly_chart(charts.visits_chart(shown, LANG), key="dept_visits_chart")
    c[1].plotly_chart(charts.disruption_chart(shown, LANG), key="dept_disruption_chart")
    c[0].plotly_chart(
        charts.coverage_chart(shown, LANG, department_names(scenario, LANG)),
        key="dept_coverage_chart",
    )
    c[1].plotly_chart(charts.visits_per_business_chart(shown, LANG), key="dept_vpb_chart")
else:
    st.caption(tr("no_baseline"))
