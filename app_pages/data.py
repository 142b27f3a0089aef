"""Data page: open the demo or upload a scenario; problems in a table; businesses on a map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    backend,
    default_scenario_path,
    lang,
    open_scenario,
    require_planner,
    tr,
    version_text,
    wkey,
    working_scenario,
)
from planner.domain import Scenario
from planner.errors import Problem
from planner.i18n import category_name, t
from planner.load import check_upload, upload_display_name
from planner.tables import scenario_to_frames
from planner.views import (
    business_map,
    businesses_frame,
    headed,
    localised_frame,
    plain,
    problems_frame,
    township_name,
)


@st.cache_data(show_spinner=False, max_entries=4)  # the spinner says it in the chosen language
def checked_upload(name: str, data: bytes) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """``planner.load.check_upload`` once per uploaded file (its bytes are the cache key)."""
    return check_upload(name, data)


LANG = lang()  # bound once: widget labels must not read the session later
user = require_planner()
st.title(tr("data_title"))

source = st.radio(
    tr("scenario_source"), ["demo", "upload"], horizontal=True,
    format_func=lambda s: t(f"source_{s}", LANG), key=wkey("data_source"),
)  # fmt: skip
path = default_scenario_path()
label = str(path)
if source == "upload":
    upload = st.file_uploader(tr("scenario_file"), type=["zip", "xlsx"])
    if upload is None:
        st.info(tr("upload_hint"))
        st.stop()
    # never a path from the browser: planner saves it under its own name and removes it
    with st.spinner(tr("loading_scenario")):
        scenario, problems = checked_upload(upload.name, upload.getvalue())
    label = f"upload: {upload_display_name(upload.name)}"
else:
    scenario, problems = open_scenario(path)
if problems:
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        st.error(tr("n_errors", n=errors))
    else:
        st.warning(tr("n_warnings", n=len(problems)))
    # all text: a mixed int/str "row" column made Arrow fail (ArrowInvalid in the server log)
    st.dataframe(headed(problems_frame(problems, LANG), LANG), hide_index=True, width="stretch")
if scenario is None:
    st.stop()

st.session_state["scenario_path"] = label
working = working_scenario()
with st.container(border=True):
    if working is not None:
        st.markdown(version_text(working[0]))
    if working is not None and working[1] == scenario:
        st.success(tr("same_as_working"), icon=":material/check_circle:")
    else:
        if working is not None:
            st.warning(tr("differs_from_working"))
        if st.button(tr("use_scenario"), type="primary", key="use_scenario"):
            version = backend().store.import_scenario(
                scenario, by=user.username, why="chosen on the Data page", source=label
            )
            st.success(tr("scenario_imported", id=version.id))
            st.rerun()

settings = scenario.settings
st.subheader(plain(township_name(settings, LANG)))
cols = st.columns(5)
cols[0].metric(tr("metric_businesses"), len(scenario.businesses))
cols[1].metric(tr("metric_departments"), len(scenario.departments))
cols[2].metric(tr("metric_items"), len(scenario.items))
cols[3].metric(tr("metric_officers"), len(scenario.inspectors))
cols[4].metric(tr("metric_tasks"), len(scenario.tasks))

colour_by = st.segmented_control(
    tr("colour_by"), ["category", "risk"], default="category",
    format_func=lambda c: t(f"colour_{c}", LANG), key=wkey("colour_by"),
)  # fmt: skip
st.pydeck_chart(business_map(scenario, colour_by=colour_by or "category", lang=LANG), height=520)

frames = scenario_to_frames(scenario)
names = ["businesses", "checklists", "items", "departments", "inspectors", "history", "tasks"]
tabs = st.tabs([tr(f"tab_{n}") for n in names])
with tabs[0]:
    shown = businesses_frame(scenario, LANG).drop(columns=["risk_id"])
    st.dataframe(headed(shown, LANG), hide_index=True, width="stretch")
with tabs[1]:
    title = "title_zh" if LANG == "zh" else "title"
    checklists = pd.DataFrame(
        [
            {
                "category": category_name(c.category, LANG),
                "businesses": sum(c.category in b.categories for b in scenario.businesses),
                "items": ", ".join(getattr(scenario.item(i), title) or i for i in c.item_ids),
            }
            for c in scenario.checklists()
        ]
    )
    st.dataframe(headed(checklists, LANG), hide_index=True, width="stretch")
for tab, name in zip(tabs[2:], names[2:], strict=True):
    with tab:
        st.dataframe(
            headed(localised_frame(frames[name], LANG), LANG), hide_index=True, width="stretch"
        )
