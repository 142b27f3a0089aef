"""Map page: each team-day's route in order, numbered stops, hover for business, time and items."""

from __future__ import annotations

import streamlit as st

from app_pages.common import lang, open_plan_or_stop, require_planner, tr, wkey
from planner.i18n import day_label
from planner.views import route_map, route_stops_frame

LANG = lang()  # bound once: widget labels must not read the session later
require_planner()
st.title(tr("map_title"))
info, plan, scenario = open_plan_or_stop()

days = sorted({r.day for r in plan.routes})
teams = sorted({r.team_id for r in plan.routes})
cols = st.columns([2, 3])
chosen_days = cols[0].multiselect(
    tr("days"),
    days,
    default=days[:1],
    format_func=lambda d: day_label(d, LANG),
    key=wkey("map_days"),
)
chosen_teams = cols[1].multiselect(tr("teams"), teams, default=teams, key="map_teams")
picked_days = chosen_days or days
picked_teams = chosen_teams or teams
st.pydeck_chart(
    route_map(plan, scenario, days=picked_days, teams=picked_teams, lang=LANG), height=560
)
st.caption(tr("map_caption"))
stops = route_stops_frame(plan, scenario, days=picked_days, teams=picked_teams, lang=LANG)
st.subheader(tr("stops_table"))
st.dataframe(stops.drop(columns=["lon", "lat", "colour", "day"]), hide_index=True, width="stretch")
