"""Compare: 2 to 6 subdistricts side by side, as a table and grouped bars, optionally per capita or per km²."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, figures, tables, ui

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("compare"))

chosen = st.multiselect(
    t("pick_subdistricts"),
    data.facets(context.table)["subdistrict"],
    max_selections=6,
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
    scope = replace(context.filters, subdistricts=tuple(chosen))
    reported = data.figures(context.table, scope)
    profile = data.profile_figures(context.table, context.filters, tuple(chosen))
    rows = figures.compare_figures(reported, profile, chosen, scale, data.alternatives(context.table, scope))
    shown = tables.compare_table(rows, chosen, labels)
    if shown.empty:
        st.caption(t("no_rows"))
    st.table(shown.set_index(shown.columns[0]) if not shown.empty else shown)
    st.download_button(
        t("download_csv"),
        tables.csv_bytes(shown),
        file_name="govstats-compare.csv",
        mime="text/csv",
        key="csv-compare",
        on_click="ignore",
    )
    units = list(dict.fromkeys(rows["scaled_unit"]))
    if units:
        unit = st.selectbox(t("unit_for_chart"), units, format_func=labels.unit, key="unit", bind="query-params")
        st.plotly_chart(charts.compare_bars(rows[rows["scaled_unit"] == unit], chosen, labels), key="chart-compare")
