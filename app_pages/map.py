"""Map page: each team-day's route in order, numbered stops, hover for business, time and items."""

from __future__ import annotations

import streamlit as st

from app_pages.common import lang, open_plan_or_stop, require_planner, tr, wkey
from planner.i18n import day_label
from planner.views import (
    headed,
    legend_html,
    route_map,
    route_stops_frame,
    team_label,
    team_legend,
    teams_on,
)

LANG = lang()  # bound once: widget labels must not read the session later
require_planner()
st.title(tr("map_title"))
info, plan, scenario = open_plan_or_stop()

days = sorted({r.day for r in plan.routes})
cols = st.columns([2, 3])
chosen_days = cols[0].multiselect(
    tr("days"),
    days,
    default=days[:1],
    format_func=lambda d: day_label(d, LANG),
    key=wkey("map_days"),
)
picked_days = chosen_days or days
teams = teams_on(plan, picked_days)  # the team filter offers the chosen days' teams only
names = {  # a team id names a team-day: the day is said when several days are shown
    r.team_id: (f"{day_label(r.day, LANG)} · " if len(picked_days) > 1 else "")
    + team_label(r, scenario, LANG)
    for r in plan.routes
}
chosen_teams = cols[1].multiselect(
    tr("teams"),
    teams,
    default=teams,
    format_func=names.__getitem__,
    key=wkey(f"map_teams_{'-'.join(d.isoformat() for d in picked_days)}"),
)
picked_teams = chosen_teams or teams
st.pydeck_chart(
    route_map(plan, scenario, days=picked_days, teams=picked_teams, lang=LANG), height=560
)
st.html(legend_html(team_legend(plan, scenario, days=picked_days, teams=picked_teams, lang=LANG)))
st.caption(tr("map_caption"))
stops = route_stops_frame(plan, scenario, days=picked_days, teams=picked_teams, lang=LANG)
st.subheader(tr("stops_table"))
st.dataframe(
    headed(stops.drop(columns=["team_id", "lon", "lat", "colour", "day"]), LANG),
    hide_index=True,
    width="stretch",
)
