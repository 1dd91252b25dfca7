"""What a page shows, counted once per table and filters (Streamlit's cache, shared by every
session), so that a rerun that changes nothing else (an expander opened, a new tab, another
session with the same filters) only lays out: the counting rules of dashboard/figures.py run again
only when the filters or the chosen metric change.

data.figures is cached too, but a cache hit copies its frame (hundreds of thousands of figures on a
large table: a quarter of a second per Overview run); the frames kept here are the small ones a
page draws (a menu of metrics, thirty bars, one row per subdistrict).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import data, figures, tables
from dashboard.labels import labels_for

MAX_CONFLICT_ROWS = 100


@dataclass(frozen=True)
class MetricMenu:
    """The metrics the filtered figures hold (figures.metric_choices), and the default one: the
    most widely reported among those with figures to draw (dated, unless undated ones count)."""

    options: pd.DataFrame
    default: str | None


@dataclass(frozen=True)
class MetricChart:
    """One metric's bars (figures.metric_totals), how many of its figures of unknown year are left
    out, the conflicting figures behind the bars and how many disagreeing values they hold."""

    totals: pd.DataFrame
    left_out: int
    flagged: pd.DataFrame
    n_conflict_values: int


def _reported(table: data.Table, filters: data.Filters, metric: str, unit: str) -> pd.DataFrame:
    reported = data.figures(table, replace(filters, metrics=(metric,)))
    return reported[reported["unit"] == unit]


def _scope(filters: data.Filters, flagged: pd.DataFrame) -> data.Filters:
    return replace(filters, subdistricts=tuple(sorted(set(flagged["subdistrict"]))))


@st.cache_data(show_spinner=False, max_entries=64)
def metric_menu(table: data.Table, filters: data.Filters) -> MetricMenu:
    reported = data.figures(table, filters)
    options = figures.metric_choices(reported)
    if options.empty:
        return MetricMenu(options, None)
    counted = reported if filters.include_undated else reported[reported["year"].notna()]
    with_figures = figures.metric_choices(counted)["code"]
    return MetricMenu(options, with_figures.iloc[0] if len(with_figures) else options["code"].iloc[0])


@st.cache_data(show_spinner=False, max_entries=64)
def metric_chart(table: data.Table, filters: data.Filters, metric: str, unit: str) -> MetricChart:
    """The Overview chart of one metric; disagreeing values are counted from the article entries
    in memory (their sources, a table scan, are looked up by conflict_rows when asked for)."""
    rows = _reported(table, filters, metric, unit)
    totals = figures.metric_totals(rows, metric, unit, include_undated=filters.include_undated)
    left_out = 0 if filters.include_undated else int(rows["year"].isna().sum())
    flagged = rows[rows["conflict"] & rows["place"].isin(totals["place"])].reset_index(drop=True)
    n_values = 0
    if len(flagged):
        keys = tuple(int(k) for k in flagged["key_hash"])
        values = data.alternative_values(table, _scope(filters, flagged), keys)
        n_values = int(flagged[["key_hash"]].merge(values, on="key_hash").shape[0])
    return MetricChart(totals, left_out, flagged, n_values)


@st.cache_data(show_spinner=False, max_entries=16)
def conflict_rows(table: data.Table, filters: data.Filters, metric: str, unit: str) -> tuple[pd.DataFrame, int]:
    """The disagreeing values behind one metric's chart with their sources (figures.conflicts), at
    most MAX_CONFLICT_ROWS of them, and how many there are in all."""
    flagged = metric_chart(table, filters, metric, unit).flagged
    keys = tuple(int(k) for k in flagged["key_hash"])
    disagreeing = figures.conflicts(flagged, data.alternatives(table, _scope(filters, flagged), keys))
    return disagreeing.head(MAX_CONFLICT_ROWS).reset_index(drop=True), len(disagreeing)


@st.cache_data(show_spinner=False, max_entries=32)
def coverage_table(table: data.Table, filters: data.Filters, language: str) -> pd.DataFrame:
    """The coverage panel (tables.coverage_table): every figure counts, targets, approximate and
    conflicting ones included, whatever the switches say."""
    everything = replace(filters, include_targets=True, exclude_approximate=False, exclude_conflicts=False)
    return tables.coverage_table(figures.coverage(data.figures(table, everything)), labels_for(language))
