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
    """One Overview chart's bars (figures.section_totals) and the disagreeing values behind its
    conflicts (figures.conflicts, at most MAX_CONFLICT_ROWS), with how many there are in all."""

    totals: pd.DataFrame
    conflicts: pd.DataFrame
    n_conflicts: int


@st.cache_data(show_spinner=False, max_entries=32)
def overview(table: data.Table, filters: data.Filters) -> dict[tuple[str, str], Section]:
    charted = {category for category, _ in SECTIONS}
    wanted = tuple(c for c in filters.categories if c in charted) if filters.categories else tuple(sorted(charted))
    reported = data.figures(table, replace(filters, categories=wanted or ("-",)))
    totals = {section: figures.section_totals(reported, *section) for section in SECTIONS}
    flagged = figures.charted_conflicts(reported, totals)
    alternatives = data.alternatives(  # sources of the charted conflicts only: lists of sources are costly
        table,
        replace(filters, subdistricts=tuple(sorted(set(flagged["subdistrict"])))),
        tuple(int(k) for k in flagged["key_hash"]),
    )
    sections = {}
    for category, unit in SECTIONS:
        own = flagged[(flagged["category"] == category) & (flagged["unit"] == unit)]
        disagreeing = figures.conflicts(own, alternatives) if len(own) else own.assign(sources=[])
        sections[(category, unit)] = Section(
            totals[(category, unit)], disagreeing.head(MAX_CONFLICT_ROWS).reset_index(drop=True), len(disagreeing)
        )
    return sections
