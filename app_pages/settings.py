"""Settings page: shifts, lunch, office (a new scenario version) and the planning knobs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from app_pages.common import (
    PLANNING_KEY,
    backend,
    lang,
    params_from,
    planning_knobs,
    require_planner,
    tr,
    version_text,
    working_scenario,
)
from planner.errors import InputError
from planner.store import check_document, scenario_document
from planner.views import headed, office_picker_map, picked_point, problems_frame

LANG = lang()  # bound once: widget labels must not read the session later

user = require_planner()
st.title(tr("settings_title"))
working = working_scenario()
if working is None:
    st.info(tr("no_working_scenario"))
    st.stop()
version, scenario = working
settings = scenario.settings


def clock(seconds: int) -> dt.time:
    """A time of day in seconds as a ``datetime.time`` (for the time pickers)."""
    seconds = max(0, min(seconds, 86_399))
    return dt.time(seconds // 3600, seconds % 3600 // 60)


def seconds(value: dt.time) -> int:
    """A picked time of day in seconds from midnight."""
    return value.hour * 3600 + value.minute * 60


st.subheader(tr("township_settings"))
st.caption(version_text(version))
office = settings.offices[0]
# The office is placed by clicking the map; the typed coordinates below stay as a fallback.
st.session_state.setdefault("office_lon", office.lon)
st.session_state.setdefault("office_lat", office.lat)
st.markdown(f"**{tr('office_pick')}**")
picked = picked_point(
    st.pydeck_chart(
        office_picker_map(
            scenario, st.session_state["office_lon"], st.session_state["office_lat"], lang=LANG
        ),
        height=420, on_select="rerun", selection_mode="single-object", key="office_map",
    )
)  # fmt: skip
if picked is not None and picked != st.session_state.get("office_picked"):
    st.session_state["office_picked"] = picked
    st.session_state["office_lon"], st.session_state["office_lat"] = picked
    st.rerun()  # the form below shows the picked place
st.caption(tr("office_pick_help"))
with st.form("township_form"):
    c = st.columns(3)
    shift_start = c[0].time_input(tr("shift_start"), clock(settings.shift_start), key="shift_start")
    shift_end = c[1].time_input(tr("shift_end"), clock(settings.shift_end), key="shift_end")
    setup = c[2].number_input(
        tr("setup_minutes"), 0, 120, settings.setup_minutes, key="setup_minutes"
    )
    lunch_start = c[0].time_input(tr("lunch_start"), clock(settings.lunch_start), key="lunch_start")
    lunch_end = c[1].time_input(tr("lunch_end"), clock(settings.lunch_end), key="lunch_end")
    lunch_minutes = c[2].number_input(
        tr("lunch_minutes"), 0, 240, settings.lunch_minutes, key="lunch_minutes"
    )
    o = st.columns(3)
    office_name = o[0].text_input(tr("office_name"), office.name, key="office_name")
    lon = o[1].number_input(
        tr("longitude"), -180.0, 180.0, format="%.5f", key="office_lon", step=0.0001
    )
    lat = o[2].number_input(
        tr("latitude"), -90.0, 90.0, format="%.5f", key="office_lat", step=0.0001
    )
    save_township = st.form_submit_button(tr("save_township"), type="primary")
if save_township:
    new = replace(
        settings,
        shift_start=seconds(shift_start),
        shift_end=seconds(shift_end),
        lunch_start=seconds(lunch_start),
        lunch_end=seconds(lunch_end),
        lunch_minutes=int(lunch_minutes),
        setup_minutes=int(setup),
        offices=(replace(office, name=office_name, lon=lon, lat=lat), *settings.offices[1:]),
    )
    candidate = replace(scenario, settings=new)
    # the same checks a stored version gets when it is read back
    checked, problems = check_document(*scenario_document(candidate))
    if checked is None:
        st.error(tr("settings_invalid"))
        errors = [p for p in problems if p.severity == "error"]
        st.dataframe(headed(problems_frame(errors, LANG), LANG), hide_index=True, width="stretch")
    else:
        stored = backend().store.import_scenario(
            candidate, by=user.username, why="settings changed in the app",
            source=f"app settings (from version {version.id})",
        )  # fmt: skip
        st.success(tr("township_saved", id=stored.id))

st.subheader(tr("planning_knobs"))
knobs = planning_knobs()
with st.form("knobs_form"):
    c = st.columns(3)
    values = {
        "time_limit_s": c[0].number_input(
            tr("time_limit"), 1.0, 3600.0, float(knobs["time_limit_s"]), key="k_time_limit", help=tr("time_limit_help")
        ),
        "pull_forward_days": c[1].number_input(
            tr("pull_forward"), 0, 365, int(knobs["pull_forward_days"]), key="k_pull_forward", help=tr("pull_forward_help")
        ),
        "pull_forward_share": c[2].number_input(
            tr("pull_forward_share"), 0.0, 1.0, float(knobs["pull_forward_share"]),
            step=0.05, key="k_pull_share", help=tr("pull_forward_share_help"),
        ),
        "max_size": c[0].number_input(tr("team_size"), 2, 8, int(knobs["max_size"]), key="k_size", help=tr("team_size_help")),
        "workload_balance": c[1].number_input(
            tr("w_workload"), 0, 100, int(knobs["workload_balance"]), key="k_workload", help=tr("w_workload_help")
        ),
        "duration_cost": c[2].number_input(
            tr("w_duration"), 0, 100, int(knobs["duration_cost"]), key="k_duration", help=tr("w_duration_help")
        ),
        "drop_penalty": c[0].number_input(
            tr("w_drop"), 1, 10_000_000, int(knobs["drop_penalty"]), step=1000, key="k_drop", help=tr("w_drop_help")
        ),
        "idle_weight": c[1].number_input(
            tr("w_idle"), 0, 100_000, int(knobs["idle_weight"]), key="k_idle", help=tr("w_idle_help")
        ),
        "rotation_weight": c[2].number_input(
            tr("w_rotation"), 0, 100_000, int(knobs["rotation_weight"]), key="k_rotation", help=tr("w_rotation_help")
        ),
        "stability_weight": c[0].number_input(
            tr("w_stability"), 0, 100_000, int(knobs["stability_weight"]), key="k_stability", help=tr("w_stability_help")
        ),
        "county_workers": c[1].number_input(
            tr("county_workers"), 1, 64, int(knobs["county_workers"]), key="k_county_workers",
            help=tr("county_workers_help"),
        ),
        "siloed_floor": c[2].checkbox(
            tr("siloed_floor"), bool(knobs["siloed_floor"]), key="k_siloed_floor",
            help=tr("siloed_floor_help"),
        ),
    }  # fmt: skip
    save_knobs = st.form_submit_button(tr("save_knobs"), type="primary")
if save_knobs:
    try:
        params_from(values)  # the parameter classes check every range
    except InputError as exc:
        st.error(tr("settings_invalid"))
        frame = problems_frame(exc.problems, LANG)
        st.dataframe(headed(frame, LANG), hide_index=True, width="stretch")
    else:
        backend().accounts.save_preference(PLANNING_KEY, values, by=user.username)
        st.success(tr("knobs_saved"))
