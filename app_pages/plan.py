"""Plan page: week and knobs, Solve with progress, metric cards, what was not scheduled, Publish."""

from __future__ import annotations

import functools

import streamlit as st

from app_pages.common import (
    SolveLog,
    backend,
    export_jobs,
    lang,
    monday_of,
    open_plan_or_stop,
    plan_doc,
    planning_knobs,
    require_planner,
    solve_week,
    tr,
    working_scenario,
)
from planner import charts, export
from planner.domain import Plan, Scenario
from planner.store import PlanInfo, PlanStatus, StoreError
from planner.views import (
    access_codes_frame,
    department_names,
    floor_note,
    headed,
    officer_name_map,
    plan_cards,
    store_error_text,
    township_time,
    unscheduled_frame,
)

LANG = lang()  # bound once: widget labels must not read the session later


def everything_zip(info: PlanInfo, plan: Plan, scenario: Scenario, name: str) -> None:
    """The "Everything (.zip)" download: built in the background (hundreds of PDFs take
    minutes) with a progress bar; the download button appears when it is ready."""
    key = (info.id, info.version)
    job = export_jobs().get(key)
    if job is None:
        if not st.button(tr("dl_all_prepare"), key="dl_all_prepare", icon=":material/folder_zip:"):
            return
        job = export_jobs().start(
            key, lambda report: export.export_zip_bytes(plan, scenario, progress=report)
        )
    if job.error is not None:
        st.error(tr("dl_all_failed", error=job.error))
    elif job.result is None:
        zip_progress(key)
    else:
        st.download_button(
            tr("dl_all"), job.result, name, "application/zip", key="dl_all", type="primary"
        )


@st.fragment(run_every=1.0)
def zip_progress(key: tuple[int, int]) -> None:
    """The build's progress, looked at every second while it runs (only then: a page that
    reruns on a timer could swallow a click elsewhere); when done the whole page runs again
    and shows the download."""
    job = export_jobs().get(key)
    if job is None or not job.running:
        st.rerun()
    assert job is not None
    st.progress(job.share, text=tr("dl_all_progress", done=job.done, total=job.total or "…"))


user = require_planner()
st.title(tr("plan_title"))
working = working_scenario()
if working is None:
    st.info(tr("no_working_scenario"))
    st.stop()
version, scenario = working
if len(scenario.settings.offices) > 1:  # a county: its townships can be planned as jobs
    st.info(tr("county_hint", n=len(scenario.settings.offices)), icon=":material/hub:")
    st.page_link("app_pages/county.py", label=tr("page_county"), icon=":material/hub:")
knobs = planning_knobs()

with st.form("solve_form"):
    cols = st.columns(4)
    day = cols[0].date_input(tr("week"), value=scenario.settings.week_start, key="week")
    knobs["time_limit_s"] = cols[1].number_input(
        tr("time_limit"), 1.0, 3600.0, float(knobs["time_limit_s"]), step=5.0, key="time_limit",
        help=tr("time_limit_help"),
    )  # fmt: skip
    knobs["pull_forward_days"] = cols[2].number_input(
        tr("pull_forward"), 0, 365, int(knobs["pull_forward_days"]), key="pull_forward",
        help=tr("pull_forward_help"),
    )  # fmt: skip
    knobs["max_size"] = cols[3].number_input(
        tr("team_size"), 2, 8, int(knobs["max_size"]), key="team_size", help=tr("team_size_help")
    )
    with st.expander(tr("weights")):
        st.caption(tr("weights_help"))
        w = st.columns(3)
        knobs["workload_balance"] = w[0].number_input(
            tr("w_workload"), 0, 100, int(knobs["workload_balance"]), key="w_workload",
            help=tr("w_workload_help"),
        )  # fmt: skip
        knobs["duration_cost"] = w[1].number_input(
            tr("w_duration"), 0, 100, int(knobs["duration_cost"]), key="w_duration",
            help=tr("w_duration_help"),
        )  # fmt: skip
        knobs["drop_penalty"] = w[2].number_input(
            tr("w_drop"), 1, 10_000_000, int(knobs["drop_penalty"]), step=1000, key="w_drop",
            help=tr("w_drop_help"),
        )  # fmt: skip
        knobs["idle_weight"] = w[0].number_input(
            tr("w_idle"), 0, 100_000, int(knobs["idle_weight"]), key="w_idle",
            help=tr("w_idle_help"),
        )  # fmt: skip
        knobs["rotation_weight"] = w[1].number_input(
            tr("w_rotation"), 0, 100_000, int(knobs["rotation_weight"]), key="w_rotation",
            help=tr("w_rotation_help"),
        )  # fmt: skip
        knobs["stability_weight"] = w[2].number_input(
            tr("w_stability"), 0, 100_000, int(knobs["stability_weight"]), key="w_stability",
            help=tr("w_stability_help"),
        )  # fmt: skip
        knobs["siloed_floor"] = st.checkbox(
            tr("siloed_floor"), value=bool(knobs["siloed_floor"]), key="siloed_floor",
            help=tr("siloed_floor_help"),
        )  # fmt: skip
    baseline = st.checkbox(tr("baseline"), value=True, key="baseline")
    solve = st.form_submit_button(tr("solve"), type="primary", icon=":material/play_arrow:")

if solve:
    week = monday_of(day)
    if week != day:
        st.info(tr("not_monday", day=day.isoformat(), monday=week.isoformat()))
    joint_bar = st.progress(0.0)
    siloed_bar = st.progress(0.0) if baseline else None
    status = st.status(tr("solve_status"), expanded=True)
    plan, doc = solve_week(
        scenario, week, knobs, baseline=baseline, joint_bar=joint_bar, siloed_bar=siloed_bar,
        log=SolveLog(status),
    )  # fmt: skip
    status.update(label=tr("solve_status_done"), state="complete", expanded=False)
    info = backend().store.save_plan(
        plan, scenario_version=version.id, by=user.username, why="solved in the app"
    )
    if doc is not None:
        backend().accounts.save_plan_metrics(info.id, info.revision, doc, by=user.username)
    st.session_state["plan_id"] = info.id
    visits = sum(len(r.stops) for r in plan.routes)
    st.success(tr("solved", id=info.id, visits=visits, routes=len(plan.routes)))

st.divider()
info, plan, plan_sc = open_plan_or_stop()
doc = plan_doc(info)

if doc is None:
    st.caption(tr("no_baseline"))
note = floor_note(doc, LANG)
if note is not None:
    (st.info if note.kind == "info" else st.warning)(note.text, icon=":material/balance:")
cards = plan_cards(plan, doc, LANG)
for row in range(0, len(cards), 3):  # three a row: labels and values are never cut off
    shown = cards[row : row + 3]
    for col, card in zip(st.columns(3), shown, strict=False):
        col.metric(
            card.label, card.value, card.delta, help=card.help, delta_color=card.delta_color,
            border=True,
        )  # fmt: skip

if info.status == PlanStatus.DRAFT:
    if st.button(tr("publish"), type="primary", key="publish", icon=":material/campaign:"):
        try:
            backend().store.publish(info.id, by=user.username, expected_version=info.version)
        except StoreError as exc:
            st.error(store_error_text(exc, LANG))
        else:
            notified = len({n.business_id for n in backend().store.notices(info.id)})
            st.success(tr("published_ok", id=info.id, n=notified))
            st.rerun()
elif info.published_at is not None:
    st.success(
        tr(
            "already_published",
            when=township_time(info.published_at, plan_sc.settings.timezone),
            who=info.published_by,
        ),
        icon=":material/campaign:",
    )

st.subheader(tr("unscheduled_title"))
left = unscheduled_frame(plan, plan_sc, lang=LANG)
if left.empty:
    st.success(tr("nothing_unscheduled"))
else:
    st.dataframe(
        headed(left, LANG), hide_index=True, width="stretch", height=280,
        column_config={tr("col_reason"): st.column_config.TextColumn(width="large")},
    )  # fmt: skip

if doc is not None:
    st.subheader(tr("burden_charts"))
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.visits_chart(doc, LANG), key="visits_chart")
    c2.plotly_chart(charts.disruption_chart(doc, LANG), key="disruption_chart")
    c1.plotly_chart(
        charts.coverage_chart(doc, LANG, department_names(plan_sc, LANG)), key="coverage_chart"
    )
    c2.plotly_chart(
        charts.workload_chart(doc, lang=LANG, names=officer_name_map(plan_sc)),
        key="workload_chart",
    )

st.subheader(tr("downloads"))
stem = f"plan-{info.id}-{plan.week_start.isoformat()}"
csvs = functools.partial(export.csv_bytes, plan, plan_sc)
d = st.columns(3)
d[0].download_button(
    tr("dl_roster"), functools.partial(export.roster_xlsx_bytes, plan, plan_sc),
    f"{stem}-roster.xlsx", key="dl_roster",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)  # fmt: skip
d[1].download_button(
    tr("dl_stops"), lambda: csvs()["stops.csv"], f"{stem}-stops.csv", "text/csv", key="dl_stops"
)
d[2].download_button(
    tr("dl_items"), lambda: csvs()["stop_items.csv"], f"{stem}-stop-items.csv", "text/csv",
    key="dl_items",
)  # fmt: skip
d[0].download_button(
    tr("dl_unscheduled"), lambda: csvs()["unscheduled.csv"], f"{stem}-unscheduled.csv",
    "text/csv", key="dl_unscheduled",
)  # fmt: skip
d[1].download_button(
    tr("dl_geojson"), functools.partial(export.geojson_bytes, plan, plan_sc),
    f"{stem}-routes.geojson", "application/geo+json", key="dl_geojson",
)  # fmt: skip
with d[2]:
    everything_zip(info, plan, plan_sc, f"{stem}-exports.zip")

with st.expander(tr("access_codes")):
    st.dataframe(headed(access_codes_frame(plan, plan_sc), LANG), hide_index=True, width="stretch")
