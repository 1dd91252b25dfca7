"""Overview: headline counts, then investment, demolition and case resolution by subdistrict."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, figures, tables, ui

SECTIONS = (  # (category, unit): one chart each
    ("investment", "CNY"),
    ("demolition", "m2"),
    ("demolition", "household"),
    ("case_resolution", "case"),
    ("case_resolution", "percent"),
)

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("app_title"))

counts = data.headline(context.table, context.filters)
years = t("years_none")
if counts["first_year"] is not None:
    years = f"{counts['first_year']}–{counts['last_year']}" if counts["first_year"] != counts["last_year"] else str(counts["first_year"])
for column, (key, value) in zip(
    st.columns(4),
    [("documents", counts["documents"]), ("facts_count", counts["facts"]), ("subdistricts", counts["subdistricts"]), ("years", years)],
):
    column.metric(t(key), f"{value:,}" if isinstance(value, int) else value)
st.caption(t("how_overview"))

reported = data.figures(context.table, context.filters)
for category, unit in SECTIONS:
    title = labels.section(category, unit)
    st.subheader(title)
    totals = figures.section_totals(reported, category, unit)
    if totals.empty:
        st.caption(t("no_rows"))
        continue
    how = t("chart_latest") if unit in figures.NON_ADDITIVE_UNITS else t("chart_total")
    st.plotly_chart(charts.section_bar(totals, unit, f"{title} · {how}", labels), key=f"chart-{category}-{unit}")
    shown = tables.section_table(totals, unit, labels)
    with st.expander(f"{title}: {len(shown)}"):
        st.dataframe(shown, hide_index=True, key=f"table-{category}-{unit}")
    st.download_button(
        t("download_csv"),
        tables.csv_bytes(shown),
        file_name=f"govstats-{category}-{unit}.csv",
        mime="text/csv",
        key=f"csv-{category}-{unit}",
        on_click="ignore",
    )
    in_chart = reported[
        (reported["category"] == category)
        & (reported["unit"] == unit)
        & reported["subdistrict"].isin(totals["subdistrict"])
    ]
    conflicts = tables.conflict_table(in_chart, labels)
    if not conflicts.empty:
        st.warning(t("conflicts"), icon="⚠️")
        st.dataframe(conflicts, hide_index=True, key=f"conflicts-{category}-{unit}")
