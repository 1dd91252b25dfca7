"""Streamlit entry point: `streamlit run dashboard/app.py` (or `govstats dashboard`).

Draws what every page shares (language, sidebar filters), then runs the page the URL names.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from dashboard import data, safe, ui

PAGES = Path(__file__).resolve().parent / "app_pages"  # not pages/: that name turns on Streamlit's older page discovery

st.set_page_config(page_title="街道治理数据 · govstats", layout="wide")
labels = ui.language()
table = data.current_table()
if table is None:
    st.title(labels.text("app_title"))
    st.error(labels.text("no_table", path=safe.markdown(data.data_dir() / data.FACTS_FILE)))
    st.stop()
data.load_counts(table)
page = st.navigation(
    [
        st.Page(PAGES / "overview.py", title=labels.text("overview"), url_path="overview", default=True),
        st.Page(PAGES / "compare.py", title=labels.text("compare"), url_path="compare"),
        st.Page(PAGES / "trends.py", title=labels.text("trends"), url_path="trends"),
        st.Page(PAGES / "subdistrict.py", title=labels.text("subdistrict_page"), url_path="subdistrict"),
        st.Page(PAGES / "facts.py", title=labels.text("facts"), url_path="facts"),
        st.Page(PAGES / "review.py", title=labels.text("review"), url_path="review"),
        st.Page(PAGES / "dictionary.py", title=labels.text("dictionary"), url_path="dictionary"),
    ]
)
ui.sidebar(table, labels)
page.run()
