"""Compare: 2 to 6 subdistricts side by side, as a table and grouped bars, optionally per capita or per km²."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, figures, safe, tables, ui

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("compare"))

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
    alternatives = data.alternatives(context.table, scope, conflicting)
    rows = figures.compare_figures(reported, profile, chosen, scale, alternatives)
    shown = tables.compare_table(rows, chosen, labels)
    if shown.empty:
        st.caption(t("no_rows"))
    st.table(safe.markdown_frame(shown.set_index(shown.columns[0]) if not shown.empty else shown))
    ui.csv_download(shown, "compare", labels)
    units = list(dict.fromkeys(rows["scaled_unit"]))
    if units:
        unit = st.selectbox(t("unit_for_chart"), units, format_func=labels.unit, key="unit", bind="query-params")
        charted = rows[rows["scaled_unit"] == unit]
        st.plotly_chart(charts.compare_bars(charted, chosen, labels), key="chart-compare")
        ui.csv_download(tables.compare_chart_table(charted, labels), "compare-chart", labels)
