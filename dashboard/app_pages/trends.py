"""Trends: one metric over the years for the chosen subdistricts, and growth between two years."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, figures, safe, tables, ui

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("trends"))
ui.show_switches(context)

reported = data.figures(context.table, context.filters)
dated = reported[reported["year"].notna()]
options = figures.metric_choices(dated)
if options.empty:
    st.caption(t("no_rows"))
    st.stop()
names = {row.code: f"{labels.metric_with_unit(row.metric, row.unit)} · {row.places}" for row in options.itertuples()}
code = ui.choose("selectbox", t("pick_metric"), list(names), key="metric", default=options["code"].iloc[0], format_func=names.get)
metric, unit = figures.split_code(code)
st.caption(safe.markdown(f"{labels.metric(metric)}: {labels.metric_definition(metric)}"))
own = dated[(dated["metric"] == metric) & (dated["unit"] == unit)]
ranked = own.groupby("place")["year"].nunique().sort_values(ascending=False, kind="stable")
places = ui.choose(
    "multiselect", t("pick_subdistricts_trend"), list(ranked.index), key="subs", multi=True,
    max_selections=10, placeholder=t("pick_placeholder"),
) or list(ranked.index[:5])  # fmt: skip
rows = figures.trend_rows(reported, metric, unit, places)
left_out = int(reported[(reported["metric"] == metric) & (reported["unit"] == unit) & reported["place"].isin(places)]["year"].isna().sum())
if left_out:
    st.caption(t("trend_undated_note", count=left_out))
st.caption(t("trend_legend"))
title = labels.metric_with_unit(metric, unit)
headline = data.headline(context.table, context.filters)
event = ui.chart(charts.trend_lines(rows, metric, unit, title, labels), "trends", context, headline["documents"], on_select="rerun")
points = ui.picked_points(event)
if points:
    ui.go_to("facts", sub=charts.clickable_places(rows)[points[0]["customdata"][0]], m=metric)
ui.csv_download(tables.trend_table(rows, metric, unit, labels), f"trends-{metric}", labels)

st.subheader(t("growth"))
years = sorted({int(y) for y in rows["year"]})
if len(years) < 2:
    st.caption(t("growth_needs_two_years"))
else:
    left, right = st.columns(2)
    with left:
        first = ui.choose("selectbox", t("from_year"), years, key="from", convert=int, default=years[0])
    with right:
        last = ui.choose("selectbox", t("to_year"), years, key="to", convert=int, default=years[-1])
    changes = tables.growth_table(figures.growth(reported, metric, unit, places, first, last), metric, unit, first, last, labels)
    st.dataframe(changes, hide_index=True, key="growth")
    ui.csv_download(changes, f"growth-{metric}", labels)
