"""Overview: headline counts, one metric by subdistrict (the analyst picks it), and what the data
covers. The tables behind the chart (its rows, its conflicts) are sent when their expander is opened."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from dashboard import charts, data, figures, safe, tables, ui, views

COVERAGE_SHOWN = 10  # rows of the coverage panel drawn with the page (the grid showed about as many)

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("app_title"))

counts = data.headline(context.table, context.filters)
years = t("years_none")
if counts["first_year"] is not None:
    years = f"{counts['first_year']}–{counts['last_year']}" if counts["first_year"] != counts["last_year"] else str(counts["first_year"])
for column, (key, value) in zip(
    st.columns(5),
    [
        ("documents", counts["documents"]),
        ("facts_count", counts["facts"]),
        ("subdistricts", counts["subdistricts"]),
        ("years", years),
        ("year_unknown", counts["undated"]),
    ],
):
    column.metric(t(key), f"{value:,}" if isinstance(value, int) else value)
st.caption(t("how_overview"))
reviewed = data.review_summary(context.table)
if reviewed["reviewed"]:
    left, right, _, _ = st.columns(4)
    left.metric(t("reviewed_count"), f"{reviewed['reviewed']:,}")
    by_field = ", ".join(f"{t(name)} {share:.0%}" for name, share in reviewed["field_accuracy"].items())
    accuracy = "—" if reviewed["accuracy"] is None else f"{reviewed['accuracy']:.0%}"
    right.metric(t("extractor_accuracy"), accuracy, help=t("accuracy_help", fields=by_field or "—"))
ui.show_switches(context)

menu = views.metric_menu(context.table, context.filters)
if menu.options.empty:
    st.caption(t("no_rows"))
    st.stop()
names = {
    row.code: f"{labels.metric_with_unit(row.metric, row.unit)} · {row.places}"
    for row in menu.options.itertuples()
}
code = ui.choose(
    "selectbox", t("pick_metric"), list(names), key="metric", default=menu.default,
    format_func=names.get, help=t("pick_metric_help"),
)  # fmt: skip
metric, unit = figures.split_code(code)
st.caption(safe.markdown(f"{labels.metric(metric)}: {labels.metric_definition(metric)}"))

shown_chart = views.metric_chart(context.table, context.filters, metric, unit)
totals = shown_chart.totals
how = t("chart_latest") if unit in figures.NON_ADDITIVE_UNITS else t("chart_total")
title = f"{labels.metric_with_unit(metric, unit)} · {how}"
if shown_chart.left_out:
    st.caption(t("undated_left_out_note", count=shown_chart.left_out))
if totals.empty:
    st.caption(t("no_rows"))
else:
    # The bars first, drawn here as SVG (no script to load); the same chart in Plotly, which zooms
    # and opens a bar's facts in this tab, one tab away (its script takes a second to start).
    # The open tab is kept in the URL as a code: chart=interactive.
    figure = charts.metric_bar(totals, metric, unit, title, labels)
    as_bars, as_interactive = st.tabs(
        [t("chart_bars"), t("chart_interactive")], key="chart-view", on_change="rerun",
        default=t("chart_interactive") if st.query_params.get("chart") == "interactive" else t("chart_bars"),
    )  # fmt: skip
    if as_interactive.open:
        st.query_params["chart"] = "interactive"
    else:
        st.query_params.pop("chart", None)
    if as_bars.open:
        with as_bars:
            def facts_of(place: str) -> str:
                return "facts?" + urlencode(ui.carried(sub=place, m=metric), doseq=True)

            st.markdown(charts.metric_bar_svg(totals, metric, unit, title, labels, facts_of), unsafe_allow_html=True)
            st.caption(t("bars_note"))
            ui.image_downloads(figure, "overview", context, counts["documents"])
    if as_interactive.open:
        with as_interactive:
            event = ui.chart(figure, "overview", context, counts["documents"], on_select="rerun")
            picked = ui.picked_points(event)
            if picked:
                ui.go_to("facts", sub=charts.clickable_places(totals)[picked[0]["customdata"][0]], m=metric)
    shown = tables.metric_table(totals, metric, unit, labels)
    rows = st.expander(safe.markdown(f"{t('chart_rows')}: {len(shown)}"), key="rows-overview", on_change="rerun")
    if rows.open:
        rows.dataframe(shown, hide_index=True, key="table-overview")
    ui.csv_download(shown, f"overview-{metric}", labels)
    if len(shown_chart.flagged):
        st.warning(t("conflicts"), icon="⚠️")
        listed = st.expander(
            f"{t('conflict_rows')}: {shown_chart.n_conflict_values:,}", key="conflict-rows-overview", on_change="rerun"
        )  # fmt: skip
        if listed.open:  # the sources of the charted conflicts: a scan of the table, done when asked
            disagreeing, total = views.conflict_rows(context.table, context.filters, metric, unit)
            if total > len(disagreeing):
                listed.caption(t("conflicts_shown", shown=len(disagreeing), total=total))
            conflicts = tables.conflict_table(disagreeing, labels)
            listed.dataframe(conflicts, hide_index=True, key="conflicts-overview")
            ui.csv_download(conflicts, f"conflicts-{metric}", labels, container=listed)

st.subheader(t("coverage"))
st.caption(t("coverage_note"))
covered = views.coverage_table(context.table, context.filters, labels.language)
# The busiest subdistricts as an HTML table, drawn with the page; every subdistrict in a sortable
# grid when asked (the grid's script drew last, a third of a second after the run on a million facts).
if len(covered):
    st.caption(t("coverage_top", shown=min(COVERAGE_SHOWN, len(covered)), total=len(covered)))
    top = covered.head(COVERAGE_SHOWN)
    st.markdown(tables.html_table(top, top.columns[0]), unsafe_allow_html=True)
every = st.expander(f"{t('coverage_all')}: {len(covered):,}", key="coverage-all", on_change="rerun")
if every.open:
    every.dataframe(covered, hide_index=True, key="coverage")
ui.csv_download(covered, "coverage", labels)
