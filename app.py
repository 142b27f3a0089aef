"""Inspect Once — the Streamlit app (run: streamlit run app.py). Pages call `planner`, never the reverse.

The router shows each role its pages: a planner every page, a department head the Department
page, anyone the Business page (a business opens its own visit with its id and access code).
"""

import streamlit as st

from app_pages.common import backend, current_user, sign_out, tr
from planner.access import demo_mode
from planner.i18n import LANGS, LANGUAGE_NAMES
from planner.views import plain

st.set_page_config(page_title="Inspect Once · 综合查一次", page_icon="🗂️", layout="wide")
# The URL keeps the language by its name (?lang=简体中文); a link may give its code (?lang=zh), which
# the bound control refuses and drops (the page opened in English): it chooses the language here.
if (code := st.query_params.get("lang")) in LANGUAGE_NAMES:
    st.session_state["lang"] = code
with st.sidebar:
    st.segmented_control(
        "Language · 语言",
        LANGS,
        format_func=LANGUAGE_NAMES.get,
        default="en",
        required=True,  # clicking the chosen language again keeps it (it unselected both)
        key="lang",
        selection_mode="single",
        bind="query-params",  # the language survives a refresh and page changes
    )

# Create or upgrade the database once (the demo prints its accounts on first start); after the
# language switch, so a database that cannot be opened is explained in the chosen language.
backend()


def page(path: str, key: str, icon: str, *, default: bool = False) -> st.Page:
    """A page of ``app_pages`` titled in the chosen language."""
    name = path.removesuffix(".py")
    return st.Page(f"app_pages/{path}", title=tr(key), icon=icon, url_path=name, default=default)


user = current_user()
business = page("business.py", "page_business", ":material/storefront:")
if user is None:
    pages = [page("login.py", "page_login", ":material/login:", default=True), business]
elif user.is_planner:
    pages = [
        page("data.py", "page_data", ":material/table:", default=True),
        page("plan.py", "page_plan", ":material/route:"),
        page("county.py", "page_county", ":material/hub:"),
        page("map.py", "page_map", ":material/map:"),
        page("schedule.py", "page_schedule", ":material/view_timeline:"),
        page("changes.py", "page_changes", ":material/edit_calendar:"),
        page("department.py", "page_department", ":material/account_balance:"),
        business,
        page("settings.py", "page_settings", ":material/settings:"),
    ]
else:
    pages = [page("department.py", "page_department", ":material/account_balance:", default=True)]

navigation = st.navigation(pages)
if demo_mode():
    st.warning(tr("demo_mode_warning"), icon=":material/science:")

with st.sidebar:
    if user is not None:
        role = (
            tr("role_planner")
            if user.is_planner
            else tr("role_department", department=user.display_name or user.department_id)
        )
        st.markdown(tr("signed_in_as", name=plain(user.username), role=plain(role)))
        if st.button(tr("sign_out"), key="sign_out", icon=":material/logout:"):
            sign_out()
            st.rerun()
    st.caption(tr("app_title"))

navigation.run()
