"""Inspect Once — the Streamlit app (run: streamlit run app.py). Pages call `planner`, never the reverse."""

import streamlit as st

st.set_page_config(page_title="Inspect Once · 综合查一次", page_icon="🗂️", layout="wide")

pages = [
    st.Page("app_pages/data.py", title="Data · 数据", icon=":material/table:", default=True),
]
st.navigation(pages).run()
