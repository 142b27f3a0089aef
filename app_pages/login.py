"""Sign-in page: planners and department heads; businesses go to the Business page."""

from __future__ import annotations

import streamlit as st

from app_pages.common import backend, sign_in, tr
from planner.access import demo_mode
from planner.auth import LockedOutError

st.title(tr("login_title"))
st.markdown(tr("login_intro"))

with st.form("login"):
    username = st.text_input(tr("username"), key="login_username")
    password = st.text_input(tr("password"), type="password", key="login_password")
    submitted = st.form_submit_button(tr("sign_in"), type="primary")
if submitted:
    try:
        user = backend().accounts.authenticate(username, password)
    except LockedOutError as exc:  # throttled in the database, per account (not per IP)
        st.error(tr("locked_out", time=f"{exc.until:%H:%M:%S}"))
        st.stop()
    if user is None:
        st.error(tr("login_failed"))
    else:
        sign_in(user)
        st.rerun()
if demo_mode():
    st.caption(tr("login_hint"))
elif not backend().accounts.users():
    st.info(tr("login_no_account"), icon=":material/person_add:")
st.page_link("app_pages/business.py", label=tr("open_business_page"), icon=":material/storefront:")
