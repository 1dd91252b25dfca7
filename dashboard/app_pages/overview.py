"""Overview: headline counts, one metric by subdistrict (the analyst picks it), and what the data
covers. The tables behind the chart (its rows, its conflicts) are sent when their expander is opened."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, figures, safe, tables, ui

MAX_CONFLICT_ROWS = 100

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

reported = data.figures(context.table, context.filters)
options = figures.metric_choices(reported)
if options.empty:
    st.caption(t("no_rows"))
    st.stop()
names = {
    row.code: f"{labels.metric_with_unit(row.metric, row.unit)} · {row.places}"
    for row in options.itertuples()
}
counted = reported if context.filters.include_undated else reported[reported["year"].notna()]
first_choice = figures.metric_choices(counted)["code"]  # the default has figures to draw
code = ui.choose(
    "selectbox", t("pick_metric"), list(names), key="metric",
    default=first_choice.iloc[0] if len(first_choice) else options["code"].iloc[0],
    format_func=names.get, help=t("pick_metric_help"),
)  # fmt: skip
metric, unit = figures.split_code(code)
st.caption(safe.markdown(f"{labels.metric(metric)}: {labels.metric_definition(metric)}"))

totals = figures.metric_totals(reported, metric, unit, include_undated=context.filters.include_undated)
how = t("chart_latest") if unit in figures.NON_ADDITIVE_UNITS else t("chart_total")
title = f"{labels.metric_with_unit(metric, unit)} · {how}"
left_out = int(reported[(reported["metric"] == metric) & (reported["unit"] == unit)]["year"].isna().sum())
if left_out and not context.filters.include_undated:
    st.caption(t("undated_left_out_note", count=left_out))
if totals.empty:
    st.caption(t("no_rows"))
else:
    event = ui.chart(
        charts.metric_bar(totals, metric, unit, title, labels), "overview", context, counts["documents"],
        on_select="rerun",
    )  # fmt: skip
    picked = ui.picked_points(event)
    if picked:
        ui.go_to("facts", sub=charts.clickable_places(totals)[picked[0]["customdata"][0]], m=metric)
    shown = tables.metric_table(totals, metric, unit, labels)
    rows = st.expander(safe.markdown(f"{t('chart_rows')}: {len(shown)}"), key="rows-overview", on_change="rerun")
    if rows.open:
        rows.dataframe(shown, hide_index=True, key="table-overview")
    ui.csv_download(shown, f"overview-{metric}", labels)
    flagged = reported[(reported["metric"] == metric) & (reported["unit"] == unit) & reported["conflict"]]
    flagged = flagged[flagged["place"].isin(totals["place"])]
    if len(flagged):
        scope = replace(context.filters, subdistricts=tuple(sorted(set(flagged["subdistrict"]))))
        keys = tuple(int(k) for k in flagged["key_hash"])
        values = data.alternative_values(context.table, scope, keys)  # counted in memory
        st.warning(t("conflicts"), icon="⚠️")
        n_values = flagged[["key_hash"]].merge(values, on="key_hash").shape[0]
        listed = st.expander(f"{t('conflict_rows')}: {n_values:,}", key="conflict-rows-overview", on_change="rerun")
        if listed.open:  # the sources of the charted conflicts: a scan of the table, done when asked
            alternatives = data.alternatives(context.table, scope, keys)
            disagreeing = figures.conflicts(flagged, alternatives)
            if len(disagreeing) > MAX_CONFLICT_ROWS:
                listed.caption(t("conflicts_shown", shown=MAX_CONFLICT_ROWS, total=len(disagreeing)))
            conflicts = tables.conflict_table(disagreeing.head(MAX_CONFLICT_ROWS), labels)
            listed.dataframe(conflicts, hide_index=True, key="conflicts-overview")
            ui.csv_download(conflicts, f"conflicts-{metric}", labels, container=listed)

st.subheader(t("coverage"))
st.caption(t("coverage_note"))
everything = replace(context.filters, include_targets=True, exclude_approximate=False, exclude_conflicts=False)
covered = tables.coverage_table(figures.coverage(data.figures(context.table, everything)), labels)
st.dataframe(covered, hide_index=True, key="coverage")
ui.csv_download(covered, "coverage", labels)
