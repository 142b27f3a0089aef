"""County page: every township planned as jobs on a cluster, a progress bar over the jobs, the
county summary, and one township's plan at a time. The work is ``planner.county``'s."""

from __future__ import annotations

import functools
import time

import streamlit as st

from app_pages.common import (
    backend,
    lang,
    monday_of,
    params_from,
    pick_plan,
    plan_of,
    planning_knobs,
    plans,
    require_planner,
    tr,
    working_scenario,
)
from planner import export
from planner.cluster import JobEvent, cluster_address, open_cluster
from planner.county import (
    WeekSpec,
    departments_frame,
    failures_frame,
    plan_county,
    save_county,
    share_text,
    stored_summary,
    township_part,
    townships_frame,
)
from planner.errors import PlannerError
from planner.views import department_names, headed, route_stops_frame, unscheduled_frame

LANG = lang()  # bound once: widget labels must not read the session later

user = require_planner()
st.title(tr("county_title"))
working = working_scenario()
if working is None:
    st.info(tr("no_working_scenario"))
    st.stop()
version, scenario = working
offices = {o.id: o.name for o in scenario.settings.offices}
if len(offices) < 2:
    st.info(tr("county_one_township"))
    st.stop()
st.markdown(tr("county_intro"))
knobs = planning_knobs()
address = cluster_address()
st.caption(tr("county_where_remote", address=address) if address else tr("county_where_local"))

with st.form("county_form"):
    cols = st.columns(4)
    day = cols[0].date_input(tr("week"), value=scenario.settings.week_start, key="county_week")
    knobs["time_limit_s"] = cols[1].number_input(
        tr("time_limit"), 1.0, 3600.0, float(knobs["time_limit_s"]), step=5.0,
        key="county_time_limit", help=tr("time_limit_help"),
    )  # fmt: skip
    workers = cols[2].number_input(
        tr("county_workers"), 1, 64, int(knobs["county_workers"]), key="county_workers",
        help=tr("county_workers_help"), disabled=address is not None,
    )  # fmt: skip
    baseline = cols[3].checkbox(tr("baseline"), value=True, key="county_baseline")
    solve = st.form_submit_button(tr("county_solve"), type="primary", icon=":material/hub:")

if solve:
    week = monday_of(day)
    if week != day:
        st.info(tr("not_monday", day=day.isoformat(), monday=week.isoformat()))
    params, solve_params, team_params = params_from(knobs)
    spec = WeekSpec(week, params, solve_params, team_params)
    bar = st.progress(0.0, text=tr("county_starting"))

    def show(event: JobEvent) -> None:
        """Move the bar: jobs ended of all, the job's township, what became of it."""
        bar.progress(
            event.finished / max(event.total, 1),
            text=tr(
                "county_progress", done=event.finished, total=event.total,
                township=offices.get(event.township, event.township), job=event.key,
                state=tr(f"job_{event.state}"),
            ),
        )  # fmt: skip

    started = time.perf_counter()
    try:
        with open_cluster(int(workers), address) as cluster:
            county = plan_county(scenario, spec, cluster=cluster, progress=show, baseline=baseline)
    except PlannerError as exc:
        st.error(tr("county_error", error=str(exc)))
        st.stop()
    seconds = time.perf_counter() - started
    info = save_county(
        backend().store, backend().accounts, scenario, county, scenario_version=version.id,
        by=user.username, params=params, wall_seconds=seconds,
    )  # fmt: skip
    st.session_state["plan_id"] = info.id
    st.session_state["county_plan_id"] = info.id
    planned = sum(t.joint is not None for t in county.townships)
    st.success(
        tr(
            "county_done",
            planned=planned,
            total=len(county.townships),
            workers=county.workers,
            seconds=f"{seconds:.0f}",
            id=info.id,
        )  # fmt: skip
    )

st.divider()
st.subheader(tr("county_summary_title"))
county_plans = [p for p in plans() if stored_summary(backend().accounts, p.id) is not None]
info = pick_plan(county_plans, tr("county_choose"), "county_plan_id", "county_picker")
if info is None:
    st.info(tr("county_none"))
    st.stop()
summary = stored_summary(backend().accounts, info.id)
assert summary is not None
c = summary["county"]


cards = st.columns(4)
cards[0].metric(
    tr("county_townships_planned"),
    f"{summary['townships_planned']} / {len(summary['townships'])}",
    border=True,
)
cards[1].metric(tr("county_coverage_joint"), share_text(c["coverage_joint"]), border=True)
cards[2].metric(tr("county_coverage_siloed"), share_text(c["coverage_siloed"]), border=True)
wall = summary.get("wall_seconds")
cards[3].metric(
    tr("county_wall"), "—" if wall is None else tr("county_seconds", seconds=f"{wall:.0f}"),
    border=True,
)  # fmt: skip

rows = townships_frame(summary)
rows["township_status"] = [tr(f"township_{s}") for s in rows["township_status"]]
percent = st.column_config.NumberColumn(format="percent")
st.dataframe(
    headed(rows, LANG), hide_index=True, width="stretch",
    column_config={tr("col_coverage_joint"): percent, tr("col_coverage_siloed"): percent},
)  # fmt: skip
if summary["failed"]:
    st.error(tr("county_failed_title"))
    st.dataframe(headed(failures_frame(summary), LANG), hide_index=True, width="stretch")
st.markdown(f"**{tr('county_departments_title')}**")
st.dataframe(
    headed(departments_frame(summary, department_names(scenario, LANG)), LANG),
    hide_index=True, width="stretch",
    column_config={tr("col_coverage_joint"): percent, tr("col_coverage_siloed"): percent},
)  # fmt: skip
st.page_link("app_pages/plan.py", label=tr("county_open_plan"), icon=":material/route:")

st.subheader(tr("county_township_title"))
planned = [r["office_id"] for r in summary["townships"] if r["status"] != "failed"]
if not planned:
    st.stop()
office = st.selectbox(
    tr("county_pick_township"), planned, format_func=lambda o: offices.get(o, o),
    key=f"county_township.{LANG}",
)  # fmt: skip
part = township_part(plan_of(info), scenario, office)
st.caption(
    tr(
        "county_township_caption",
        name=offices.get(office, office),
        routes=len(part.routes),
        visits=sum(len(r.stops) for r in part.routes),
        unscheduled=len(part.unscheduled),
    )  # fmt: skip
)
stops = route_stops_frame(part, scenario, lang=LANG).drop(
    columns=["team_id", "lon", "lat", "colour"]
)
st.dataframe(headed(stops, LANG), hide_index=True, width="stretch")
left = unscheduled_frame(part, scenario, lang=LANG)
if not left.empty:
    st.markdown(f"**{tr('unscheduled_title')}**")
    st.dataframe(headed(left, LANG), hide_index=True, width="stretch")
stem = f"plan-{info.id}-{office}-{part.week_start.isoformat()}"
d = st.columns(2)
d[0].download_button(
    tr("county_dl_roster"), functools.partial(export.roster_xlsx_bytes, part, scenario),
    f"{stem}-roster.xlsx", key="county_dl_roster",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)  # fmt: skip
d[1].download_button(
    tr("county_dl_stops"), lambda: export.csv_bytes(part, scenario)["stops.csv"],
    f"{stem}-stops.csv", "text/csv", key="county_dl_stops",
)  # fmt: skip
