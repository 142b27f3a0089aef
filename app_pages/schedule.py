"""Schedule page: a Gantt timeline per team and day (travel, waiting, visits, lunch)."""

from __future__ import annotations

import streamlit as st

from app_pages.common import lang, open_plan_or_stop, require_planner, tr, wkey
from planner.i18n import day_label, t
from planner.views import schedule_figure, schedule_frame

LANG = lang()  # bound once: widget labels must not read the session later
require_planner()
st.title(tr("schedule_title"))
info, plan, scenario = open_plan_or_stop()

days = sorted({r.day for r in plan.routes})
teams = sorted({r.team_id for r in plan.routes})
if not days:
    st.info(tr("no_routes"))
    st.stop()
cols = st.columns([2, 3])
day = cols[0].selectbox(
    tr("day"), ["all", *days], index=1, key=wkey("schedule_day"),
    format_func=lambda d: t("all_days", LANG) if d == "all" else day_label(d, LANG),
)  # fmt: skip
chosen_teams = cols[1].multiselect(tr("teams"), teams, default=teams, key="schedule_teams")
frame = schedule_frame(
    plan, scenario, days=None if day == "all" else [day], teams=chosen_teams or teams, lang=LANG
)
st.plotly_chart(schedule_figure(frame, LANG), key="gantt")
