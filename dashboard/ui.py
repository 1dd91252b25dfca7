"""What every page shares: the language switch and the sidebar filters, both kept in the URL.

app.py calls `sidebar()` on every run, before the page; the page reads the result with `context()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import data, tables
from dashboard.labels import LANGUAGES, Labels, labels_for

CONTEXT_KEY = "_govstats_context"
FILTER_WIDGETS = (  # widget key (= URL parameter), facet column, Filters field
    ("city", "city", "cities"),
    ("district", "district", "districts"),
    ("year", "year", "years"),
    ("category", "category", "categories"),
    ("outlet", "outlet", "outlets"),
)


@dataclass(frozen=True)
class Context:
    table: data.Table
    filters: data.Filters
    labels: Labels


def language() -> Labels:
    names = {"zh": "中文", "en": "English"}
    chosen = st.sidebar.segmented_control(
        "语言 / Language", LANGUAGES, format_func=lambda code: names[code], default="zh", key="lang", bind="query-params"
    )
    return labels_for(chosen)


def sidebar(table: data.Table, labels: Labels) -> Context:
    """Draw the filters in the sidebar and remember them for the page."""
    choices = data.facets(table)
    # Bound widgets put their shown labels in the URL: categories are named in both languages so a
    # shared link survives a language switch.
    formats = {"category": lambda name: f"{labels_for('zh').category(name)} · {labels_for('en').category(name)}"}
    chosen = {}
    with st.sidebar:
        st.header(labels.text("filters"))
        for key, column, field in FILTER_WIDGETS:
            chosen[field] = tuple(
                st.multiselect(
                    labels.text(key),
                    choices[column],
                    format_func=formats.get(key, str),
                    key=key,
                    bind="query-params",
                    placeholder=labels.text("choose"),
                )
            )
        chosen["include_targets"] = st.toggle(labels.text("show_targets"), key="targets", bind="query-params")
    context = Context(table, data.Filters(**chosen), labels)
    st.session_state[CONTEXT_KEY] = context
    return context


def context() -> Context:
    return st.session_state[CONTEXT_KEY]


def csv_download(frame: pd.DataFrame, name: str, labels: Labels, container=st) -> None:
    """A button that downloads exactly the shown frame as govstats-NAME.csv (UTF-8 with BOM)."""
    container.download_button(
        labels.text("download_csv"),
        tables.csv_bytes(frame),
        file_name=f"govstats-{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        on_click="ignore",
    )
