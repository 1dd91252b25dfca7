"""Compare: 2 to 6 subdistricts side by side, one row per metric (each subdistrict's latest figure
with its year), and one metric as bars; optionally per capita or per km²."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, figures, tables, ui

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("compare"))
ui.show_switches(context)


choices = data.facets(context.table)
chosen = ui.choose(
    "multiselect", t("pick_subdistricts"), choices["place"], key="subs", multi=True,
    max_selections=6, placeholder=t("pick_placeholder"),
)  # fmt: skip
scale = ui.choose(
    "segmented_control", t("normalize"), figures.SCALES, key="scale", default="absolute", format_func=t,
) or "absolute"  # fmt: skip
st.caption(t("normalize_note"))

if len(chosen) < 2:
    st.info(t("pick_more"))
else:
    names = tuple(sorted({choices["subdistrict_of"][place] for place in chosen}))
    scope = replace(context.filters, subdistricts=names)
    reported = data.figures(context.table, scope)
    reported = reported[reported["place"].isin(chosen)]
    if not context.filters.include_undated:
        reported = reported[reported["year"].notna()]
    profile = data.profile_figures(context.table, context.filters, names)
    conflicting = tuple(int(k) for k in reported.loc[reported["conflict"], "key_hash"])
    alternatives = data.alternative_values(context.table, scope, conflicting)
    rows = figures.compare_figures(reported, profile, chosen, scale, alternatives)
    st.caption(t("compare_note"))
    shown = tables.compare_table(rows, chosen, labels)
    if shown.empty:
        st.caption(t("no_rows"))
    # The table or the chart, one tab each: only the open one is built and sent (the chart's script
    # is heavy). The open tab is kept in the URL as a code: view=chart.
    chart_first = st.query_params.get("view") == "chart"
    as_table, as_chart = st.tabs(
        [t("view_table"), t("view_chart")], key="view", on_change="rerun",
        default=t("view_chart") if chart_first else t("view_table"),
    )  # fmt: skip
    if as_chart.open:
        st.query_params["view"] = "chart"
    else:
        st.query_params.pop("view", None)
    if as_table.open:
        with as_table:
            if not shown.empty:
                st.markdown(tables.html_table(shown, shown.columns[1]), unsafe_allow_html=True)
            ui.csv_download(shown, "compare", labels)
    latest = tables.latest_per_place(rows).dropna(subset=["value"])
    options = list(dict.fromkeys(latest["metric"] + ":" + latest["scaled_unit"]))
    if options and as_chart.open:
        with as_chart:
            picked = ui.choose(
                "selectbox", t("pick_metric"), options, key="metric", default=options[0],
                format_func=lambda code: labels.metric_with_unit(*figures.split_code(code)),
            )  # fmt: skip
            metric, unit = figures.split_code(picked)
            charted = latest[(latest["metric"] == metric) & (latest["scaled_unit"] == unit)]
            title = labels.metric_with_unit(metric, unit)
            headline = data.headline(context.table, scope)
            event = ui.chart(
                charts.compare_bars(charted, metric, chosen, title, labels), "compare", context, headline["documents"],
                on_select="rerun",
            )  # fmt: skip
            points = ui.picked_points(event)
            if points:
                ui.go_to("facts", sub=chosen[points[0]["customdata"][0]], m=metric)
            ui.csv_download(tables.compare_chart_table(charted, labels), "compare-chart", labels)
