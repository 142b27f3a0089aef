"""Data page: open the demo or upload a scenario; problems in a table; businesses on a map."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.common import default_scenario_path, open_scenario
from planner.tables import scenario_to_frames
from planner.views import business_map, businesses_frame

st.title("Scenario data · 检查对象与任务数据")

source = st.radio(
    "Scenario", ["Demo district", "Upload (.zip of CSV files or .xlsx)"], horizontal=True
)
path = default_scenario_path()
if source.startswith("Upload"):
    upload = st.file_uploader("Scenario file", type=["zip", "xlsx"])
    if upload is None:
        st.info("Upload a .zip of the CSV folder or one .xlsx workbook (see docs/data-format.md).")
        st.stop()
    folder = Path(tempfile.mkdtemp(prefix="planner-upload-"))
    path = folder / upload.name
    path.write_bytes(upload.getvalue())

scenario, problems = open_scenario(path)
if problems:
    table = pd.DataFrame(
        [
            {
                "severity": p.severity,
                "file": p.file,
                "row": p.row or "",
                "column": p.column,
                "problem": p.message,
            }
            for p in problems
        ]
    )
    errors = int((table["severity"] == "error").sum())
    if errors:
        st.error(f"{errors} error(s): the scenario cannot be used until they are fixed.")
    else:
        st.warning(f"{len(table)} warning(s).")
    st.dataframe(table, hide_index=True, width="stretch")
if scenario is None:
    st.stop()

st.session_state["scenario_path"] = str(path)
settings = scenario.settings
st.subheader(f"{settings.township} · {settings.township_zh}")
cols = st.columns(5)
cols[0].metric("Businesses · 检查对象", len(scenario.businesses))
cols[1].metric("Departments · 部门", len(scenario.departments))
cols[2].metric("Inspection items · 检查事项", len(scenario.items))
cols[3].metric("Officers · 执法人员", len(scenario.inspectors))
cols[4].metric("Open tasks · 专项任务", len(scenario.tasks))

colour_by = st.segmented_control("Colour by", ["category", "risk"], default="category")
st.pydeck_chart(business_map(scenario, colour_by=colour_by or "category"), height=520)

frames = scenario_to_frames(scenario)
tabs = st.tabs(
    ["Businesses", "Checklists", "Items", "Departments", "Inspectors", "History", "Tasks"]
)
with tabs[0]:
    st.dataframe(businesses_frame(scenario), hide_index=True, width="stretch")
with tabs[1]:
    checklists = pd.DataFrame(
        [
            {
                "category": c.category,
                "businesses": sum(b.category == c.category for b in scenario.businesses),
                "items": ", ".join(c.item_ids),
            }
            for c in scenario.checklists()
        ]
    )
    st.dataframe(checklists, hide_index=True, width="stretch")
for tab, name in zip(
    tabs[2:], ["items", "departments", "inspectors", "history", "tasks"], strict=True
):
    with tab:
        st.dataframe(frames[name], hide_index=True, width="stretch")
