"""Business page: a business enters its id and access code and sees its one combined visit.

Everything shown comes from ``planner.notices.business_notice``: the business's own announced
visits only, never an unannounced item and never another business.
"""

from __future__ import annotations

import functools

import streamlit as st

from app_pages.common import backend, lang, plan_of, plan_scenario, plans, tr
from planner.access import current_secret, demo_mode, secret_problem, verify_access_code
from planner.auth import LockedOutError, business_key
from planner.errors import PlannerError
from planner.notices import (
    business_notice,
    business_notice_html,
    business_notice_pdf,
    date_text,
    window_text,
)
from planner.store import PlanInfo
from planner.views import field_line, officers_text, plain

LANG = lang()  # bound once: widget labels must not read the session later
COLON = "：" if LANG == "zh" else ": "
st.title(tr("business_title"))
refused = secret_problem(current_secret(), demo=demo_mode())
if refused is not None:  # codes anyone could compute protect nothing: no business page at all
    print(f"Business page refused: {refused}", flush=True)
    st.error(tr("business_closed_secret"))
    st.stop()
access = st.session_state.get("business_access")

if access is None:
    st.markdown(tr("business_intro"))
    with st.form("business_login"):
        business_id = st.text_input(tr("business_id"), key="business_id").strip()
        code = st.text_input(tr("access_code"), type="password", key="business_code")
        submitted = st.form_submit_button(tr("show_visit"), type="primary")
    if not submitted:
        st.stop()

    def matching_plan() -> PlanInfo | None:
        """The published plan whose week this business's code opens, if any."""
        return next(
            (
                info
                for info in plans(published_only=True)
                if business_id
                and verify_access_code(code, business_id, info.week_start)
                and any(b.id == business_id for b in plan_scenario(info).businesses)
            ),
            None,
        )

    try:  # wrong codes are throttled per business in the database (not per IP)
        match = backend().accounts.attempt(business_key(business_id), matching_plan)
    except LockedOutError as exc:
        st.error(tr("locked_out", time=f"{exc.until:%H:%M:%S}"))
        st.stop()
    if match is None:
        st.error(tr("wrong_code"))
        st.stop()
    st.session_state["business_access"] = {"business_id": business_id, "plan_id": match.id}
    st.rerun()

info = next((p for p in plans(published_only=True) if p.id == access["plan_id"]), None)
if info is None:  # the plan was closed meanwhile
    st.session_state.pop("business_access", None)
    st.error(tr("wrong_code"))
    st.stop()
plan = plan_of(info)
scenario = plan_scenario(info)
business_id = access["business_id"]

try:
    notice = business_notice(plan, scenario, business_id, LANG)
except PlannerError:
    st.info(tr("no_announced_visit"))
    notice = None

if notice is not None:  # data (names, addresses, legal basis) is escaped: shown, never rendered
    st.subheader(plain(notice.business_name))
    st.caption(plain(f"{notice.address} · {notice.township}"))
    for visit in notice.visits:
        with st.container(border=True):
            st.markdown(f"#### {plain(tr('visit_on', date=date_text(visit.day, notice.lang)))}")
            window = window_text(visit.start, visit.end, LANG)
            st.markdown(field_line(tr("time_window"), window, LANG))
            st.markdown(field_line(tr("team_members"), officers_text(visit.officers, LANG), LANG))
            st.markdown(f"**{tr('what_checked')}**")
            for department in visit.departments:
                lines = [f"**{plain(department.name)}**"] + [
                    f"- {plain(i.title)}  \n  *{tr('legal_basis')}{COLON}{plain(i.legal_basis)}*"
                    for i in department.items
                ]
                st.markdown("\n".join(lines))
    st.markdown(f"**{tr('prepare')}**")
    st.markdown("\n".join(f"- {plain(line)}" for line in notice.prepare))
    c = st.columns(2)
    c[0].download_button(
        tr("dl_notice_pdf"),
        functools.partial(business_notice_pdf, plan, scenario, business_id, LANG),
        f"notice-{business_id}.{LANG}.pdf",
        "application/pdf",
        key="dl_notice_pdf",
    )
    c[1].download_button(
        tr("dl_notice_html"),
        functools.partial(business_notice_html, plan, scenario, business_id, LANG),
        f"notice-{business_id}.{LANG}.html",
        "text/html",
        key="dl_notice_html",
    )

if st.button(tr("business_other"), key="business_other"):
    st.session_state.pop("business_access", None)
    st.rerun()
