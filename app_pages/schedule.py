"""Schedule page: a Gantt timeline per team and day (travel, waiting, visits, lunch)."""

from __future__ import annotations

import streamlit as st

from app_pages.common import lang, open_plan_or_stop, require_planner, tr, wkey
from planner.i18n import day_label, t
from planner.views import schedule_figure, schedule_frame, team_label, teams_on

LANG = lang()  # bound once: widget labels must not read the session later
require_planner()
st.title(tr("schedule_title"))
info, plan, scenario = open_plan_or_stop()

days = sorted({r.day for r in plan.routes})
if not days:
    st.info(tr("no_routes"))
    st.stop()
cols = st.columns([2, 3])
day = cols[0].selectbox(
    tr("day"), ["all", *days], index=1, key=wkey("schedule_day"),
    format_func=lambda d: t("all_days", LANG) if d == "all" else day_label(d, LANG),
)  # fmt: skip
shown_days = days if day == "all" else [day]
teams = teams_on(plan, shown_days)  # the team filter offers the chosen day's teams only
names = {
    r.team_id: (f"{day_label(r.day, LANG)} · " if day == "all" else "")
    + team_label(r, scenario, LANG)
    for r in plan.routes
}
chosen_teams = cols[1].multiselect(
    tr("teams"), teams, default=teams, format_func=names.__getitem__,
    key=wkey(f"schedule_teams_{day}"),
)  # fmt: skip
frame = schedule_frame(plan, scenario, days=shown_days, teams=chosen_teams or teams, lang=LANG)
st.plotly_chart(schedule_figure(frame, LANG), key="gantt")
