"""What a page shows, counted once per table and filters (Streamlit's cache), so that a rerun that
changes nothing else (a tab, an expander, a row picked, another session with the same filters)
only lays out: the counting rules in dashboard/figures.py run again only when the filters change.

Results are small frames, independent of the language (words are put in when the page is drawn).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import data, figures

MAX_CONFLICT_ROWS = 100
SECTIONS = (  # (category, unit): one Overview chart each
    ("investment", "CNY"),
    ("demolition", "m2"),
    ("demolition", "household"),
    ("case_resolution", "case"),
    ("case_resolution", "percent"),
)


@dataclass(frozen=True)
class Section:
    """One Overview chart: its bars (figures.section_totals), the conflicting figures behind them
    and how many disagreeing values they hold (what the conflict list will show)."""

    totals: pd.DataFrame
    flagged: pd.DataFrame
    n_conflicts: int


def _scope(filters: data.Filters, flagged: pd.DataFrame) -> data.Filters:
    return replace(filters, subdistricts=tuple(sorted(set(flagged["subdistrict"]))))


@st.cache_data(show_spinner=False, max_entries=64)
def overview_section(table: data.Table, filters: data.Filters, category: str, unit: str) -> Section:
    """One Overview chart's numbers: only this category is counted; the disagreeing values are
    counted from the article entries in memory (their sources are looked up by conflict_rows)."""
    shown = not filters.categories or category in filters.categories
    reported = data.figures(table, replace(filters, categories=(category,) if shown else ("-",)))
    totals = figures.section_totals(reported, category, unit)
    flagged = figures.charted_conflicts(reported, {(category, unit): totals})
    values = data.alternative_values(table, _scope(filters, flagged), tuple(int(k) for k in flagged["key_hash"]))
    return Section(totals, flagged.reset_index(drop=True), int(flagged[["key_hash"]].merge(values).shape[0]))


@st.cache_data(show_spinner=False, max_entries=64)
def conflict_rows(table: data.Table, filters: data.Filters, category: str, unit: str) -> pd.DataFrame:
    """The disagreeing values behind one Overview chart with their sources (figures.conflicts),
    at most MAX_CONFLICT_ROWS: a scan of the table, done when the list is opened."""
    flagged = overview_section(table, filters, category, unit).flagged
    alternatives = data.alternatives(table, _scope(filters, flagged), tuple(int(k) for k in flagged["key_hash"]))
    return figures.conflicts(flagged, alternatives).head(MAX_CONFLICT_ROWS).reset_index(drop=True)
