"""Change the week: officer absent, business closed, urgent complaint → re-plan with the diff;
record outcomes of done visits."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages.common import (
    backend,
    choose_plan,
    keep_pending,
    lang,
    load_pending,
    params_from,
    plan_of,
    plan_scenario,
    planning_knobs,
    require_planner,
    tr,
    week_days,
    wkey,
)
from planner.domain import Outcome, OutcomeStatus, Result, Task, TaskKind
from planner.i18n import OUTCOME_STATUS, RESULTS, day_label, item_title, label
from planner.notices import window_text
from planner.replan import BusinessClosed, OfficerAbsent, UrgentTask
from planner.store import StoreError, replan_week
from planner.views import change_text, diff_frame, diff_summary, headed, store_error_text, team_name

LANG = lang()  # bound once: widget labels must not read the session later
user = require_planner()
st.title(tr("changes_title"))
info = choose_plan(published_only=True)
if info is None:
    st.info(tr("need_published"))
    st.stop()
plan = plan_of(info)
scenario = plan_scenario(info)
days = week_days(info.week_start)
today = dt.date.today()
# Pending changes live in the database (per planner and plan): a refresh keeps them.
changes: list = load_pending(info.id)


def day_name(day: dt.date) -> str:
    """A day of the week in the chosen language."""
    return day_label(day, LANG)


def span(prefix: str) -> tuple[dt.date, dt.date]:
    """A first and last day of the week picked in two select boxes."""
    c = st.columns(2)
    first = c[0].selectbox(tr("first_day"), days, format_func=day_name, key=wkey(f"{prefix}_first"))
    last = c[1].selectbox(
        tr("last_day"), days, index=6, format_func=day_name, key=wkey(f"{prefix}_last")
    )
    return first, max(first, last)


officers = {o.id: o.name for o in scenario.inspectors}
visited = sorted({s.visit.business_id for r in plan.routes for s in r.stops})
names = {b.id: f"{b.name} ({b.id})" for b in scenario.businesses}
tabs = st.tabs([tr("officer_absent"), tr("business_closed"), tr("urgent_complaint")])
with tabs[0]:
    officer = st.selectbox(
        tr("officer"), list(officers), format_func=officers.get, key="absent_officer"
    )
    first, last = span("absent")
    if st.button(tr("add_change"), key="add_absent"):
        changes.append(OfficerAbsent(officer, first, last, "absent"))
        keep_pending(info.id, changes)
with tabs[1]:
    business = st.selectbox(
        tr("business"), visited or list(names), format_func=names.get, key="closed_business"
    )
    first, last = span("closed")
    if st.button(tr("add_change"), key="add_closed"):
        changes.append(BusinessClosed(business, first, last, "closed"))
        keep_pending(info.id, changes)
with tabs[2]:
    target = st.selectbox(tr("business"), list(names), format_func=names.get, key="urgent_business")
    items = list(scenario.checklist_of(scenario.business(target)))
    item = st.selectbox(
        tr("item"),
        items,
        format_func=lambda i: item_title(i, scenario, LANG),
        key=wkey("urgent_item"),
    )
    note = st.text_input(tr("note"), key="urgent_note")
    if st.button(tr("add_change"), key="add_urgent") and item:
        task_id = f"urgent-{info.id}-{len(changes) + 1}-{target}"
        sunday = days[-1]
        changes.append(
            UrgentTask(Task(task_id, target, item, TaskKind.COMPLAINT, None, sunday, 5, note))
        )
        keep_pending(info.id, changes)

st.subheader(tr("changes_list"))
if changes:
    st.dataframe(
        pd.DataFrame({tr("changes_list"): [change_text(c, scenario, LANG) for c in changes]}),
        hide_index=True,
        width="stretch",
    )
    if st.button(tr("clear_changes"), key="clear_changes"):
        keep_pending(info.id, [])
        st.rerun()
else:
    st.caption(tr("no_changes"))

default_from = today if days[0] <= today <= days[-1] else days[0]
from_day = st.selectbox(
    tr("replan_from"),
    days,
    index=days.index(default_from),
    format_func=day_name,
    key=wkey("from_day"),
)
if st.button(tr("replan"), type="primary", disabled=not changes, key="replan"):
    params, solve_params, _ = params_from(planning_knobs())
    with st.spinner(tr("replan")):
        try:
            diff = replan_week(
                backend().store, info.id, list(changes), from_day=from_day, by=user.username,
                why="changed in the app", params=params, solve_params=solve_params,
                expected_version=info.version,
            )  # fmt: skip
        except StoreError as exc:
            st.error(store_error_text(exc, LANG))
        else:
            st.session_state["last_diff"] = (info.id, diff)
            keep_pending(info.id, [])
            st.rerun()

pending = backend().store.pending_replan(info.id)  # a re-plan is a draft until re-published
if pending is not None:
    diff = pending.diff
    st.success(tr("replanned", summary=diff_summary(diff, LANG)))
    st.subheader(tr("diff_title"))
    st.dataframe(headed(diff_frame(diff, scenario, LANG), LANG), hide_index=True, width="stretch")
    st.info(tr("replan_is_draft", n=len(pending.renotify)))
    c = st.columns(2)
    if c[0].button(tr("republish", n=len(pending.renotify)), type="primary", key="republish"):
        try:
            backend().store.publish(info.id, by=user.username, expected_version=info.version)
        except StoreError as exc:
            st.error(store_error_text(exc, LANG))
        else:
            st.session_state.pop("last_diff", None)
            st.rerun()
    if c[1].button(tr("discard_replan"), key="discard_replan"):
        backend().store.discard_replan(info.id, by=user.username)
        st.rerun()

with st.expander(tr("revisions")):
    for number, kind, _, old_diff in backend().store.revisions(info.id):
        st.markdown(f"**{number}** · {tr('revision_' + kind) if kind else ''}")
        if old_diff is not None and not old_diff.empty:
            st.caption(diff_summary(old_diff, LANG))
            st.dataframe(
                headed(diff_frame(old_diff, scenario, LANG), LANG), hide_index=True, width="stretch"
            )

st.subheader(tr("outcomes_title"))
stops = {
    f"{r.day.isoformat()}|{r.team_id}|{s.visit.business_id}": (r, s)
    for r in sorted(plan.routes, key=lambda r: (r.day, r.team_id))
    for s in r.stops
}
if stops:
    with st.form("outcome_form"):
        key = st.selectbox(
            tr("visit"),
            list(stops),
            key=wkey("outcome_visit"),
            format_func=lambda k: (
                f"{day_name(stops[k][0].day)} {window_text(stops[k][1].start, stops[k][1].end)}"
                f" · {team_name(stops[k][0].team_id, LANG, scenario)}"
                f" · {names[stops[k][1].visit.business_id]}"
            ),
        )
        route, stop = stops[key]
        checked = sorted({o.item_id for o in stop.visit.obligations})
        chosen = st.multiselect(
            tr("items"), checked, default=checked, key=wkey("outcome_items"),
            format_func=lambda i: item_title(i, scenario, LANG),
        )  # fmt: skip
        c = st.columns(3)
        status = c[0].selectbox(
            tr("status"), [s.value for s in OutcomeStatus], key=wkey("outcome_status"),
            format_func=lambda s: label(OUTCOME_STATUS, s, LANG),
        )  # fmt: skip
        result = c[1].selectbox(
            tr("result"), [r.value for r in Result], key=wkey("outcome_result"),
            format_func=lambda r: label(RESULTS, r, LANG),
        )  # fmt: skip
        when = c[2].date_input(tr("date"), value=route.day, key="outcome_date")
        note = st.text_input(tr("note"), key="outcome_note")
        record = st.form_submit_button(tr("record"), type="primary")
    if record:
        done = status == OutcomeStatus.DONE.value
        outcomes = [
            Outcome(
                stop.visit.business_id,
                item,
                when,
                OutcomeStatus(status),
                Result(result) if done else None,
                note,
            )  # fmt: skip
            for item in chosen
        ]
        try:
            backend().store.record_outcomes(
                info.id, outcomes, by=user.username, expected_version=info.version
            )
        except StoreError as exc:
            st.error(store_error_text(exc, LANG))
        else:
            st.success(tr("recorded", n=len(outcomes)))

recorded = backend().store.outcomes(info.id)
if recorded:
    st.caption(tr("outcomes_so_far"))
    st.dataframe(
        headed(
            pd.DataFrame(
                [
                    {
                        "business": names.get(o.business_id, o.business_id),
                        "item": item_title(o.item_id, scenario, LANG),
                        "date": o.date.isoformat(),
                        "status": label(OUTCOME_STATUS, o.status.value, LANG),
                        "result": label(RESULTS, o.result.value, LANG) if o.result else "",
                        "note": o.note,
                    }
                    for o in recorded
                ]
            ),
            LANG,
        ),
        hide_index=True,
        width="stretch",
    )
