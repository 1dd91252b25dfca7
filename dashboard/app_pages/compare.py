"""Compare: 2 to 6 subdistricts side by side, as a table and grouped bars, optionally per capita or per km².

The same figures as a table or a chart, one tab each (only the open one is built and sent). The
table is a data grid (drawn on a canvas, scrolled in the browser; its cells are never read as
Markdown); the chart and its unit picker are a fragment, so picking another unit redraws the chart only.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import charts, data, figures, tables, ui

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("compare"))


@st.fragment
def chart(rows: pd.DataFrame, chosen: list[str]) -> None:
    units = list(dict.fromkeys(rows["scaled_unit"]))
    if not units:
        return
    unit = st.selectbox(t("unit_for_chart"), units, format_func=labels.unit, key="unit", bind="query-params")
    charted = rows[rows["scaled_unit"] == unit]
    st.plotly_chart(charts.compare_bars(charted, chosen, labels), key="chart-compare", config={"displaylogo": False})
    ui.csv_download(tables.compare_chart_table(charted, labels), "compare-chart", labels)


choices = data.facets(context.table)
chosen = st.multiselect(
    t("pick_subdistricts"),
    choices["place"],
    max_selections=6,
    placeholder=t("pick_placeholder"),
    key="subs",
    bind="query-params",
)
scale = st.segmented_control(
    t("normalize"),
    figures.SCALES,
    format_func=t,
    default="absolute",
    key="scale",
    bind="query-params",
) or "absolute"
st.caption(t("normalize_note"))

if len(chosen) < 2:
    st.info(t("pick_more"))
else:
    names = tuple(sorted({choices["subdistrict_of"][place] for place in chosen}))
    scope = replace(context.filters, subdistricts=names)
    reported = data.figures(context.table, scope)
    reported = reported[reported["place"].isin(chosen)]
    profile = data.profile_figures(context.table, context.filters, names)
    conflicting = tuple(int(k) for k in reported.loc[reported["conflict"], "key_hash"])
    alternatives = data.alternative_values(context.table, scope, conflicting)
    rows = figures.compare_figures(reported, profile, chosen, scale, alternatives)
    shown = tables.compare_table(rows, chosen, labels)
    if shown.empty:
        st.caption(t("no_rows"))
    as_table, as_chart = st.tabs([t("view_table"), t("view_chart")], key="view", bind="query-params")
    if as_table.open:
        with as_table:
            st.dataframe(shown, hide_index=True, key="compare-table", height=min(38 + 35 * len(shown), 600))
            ui.csv_download(shown, "compare", labels)
    if as_chart.open:
        with as_chart:
            chart(rows, chosen)
