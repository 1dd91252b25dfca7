"""Overview: headline counts, then investment, demolition and case resolution by subdistrict."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, figures, tables, ui

MAX_CONFLICT_ROWS = 100
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
reviewed = data.review_summary(context.table)
if reviewed["reviewed"]:
    left, right, _, _ = st.columns(4)
    left.metric(t("reviewed_count"), f"{reviewed['reviewed']:,}")
    by_field = ", ".join(f"{t(name)} {share:.0%}" for name, share in reviewed["field_accuracy"].items())
    accuracy = "—" if reviewed["accuracy"] is None else f"{reviewed['accuracy']:.0%}"
    right.metric(t("extractor_accuracy"), accuracy, help=t("accuracy_help", fields=by_field or "—"))

charted = {category for category, _ in SECTIONS}
wanted = tuple(c for c in context.filters.categories if c in charted) if context.filters.categories else tuple(charted)
reported = data.figures(context.table, replace(context.filters, categories=wanted or ("-",)))
sections = {(category, unit): figures.section_totals(reported, category, unit) for category, unit in SECTIONS}
flagged = figures.charted_conflicts(reported, sections)
alternatives = data.alternatives(  # sources of the charted conflicts only: lists of sources are costly
    context.table,
    replace(context.filters, subdistricts=tuple(sorted(set(flagged["subdistrict"])))),
    tuple(int(k) for k in flagged["key_hash"]),
)
for category, unit in SECTIONS:
    title = labels.section(category, unit)
    st.subheader(title)
    totals = sections[(category, unit)]
    if totals.empty:
        st.caption(t("no_rows"))
        continue
    how = t("chart_latest") if unit in figures.NON_ADDITIVE_UNITS else t("chart_total")
    st.plotly_chart(charts.section_bar(totals, unit, f"{title} · {how}", labels), key=f"chart-{category}-{unit}")
    shown = tables.section_table(totals, unit, labels)
    with st.expander(f"{title}: {len(shown)}"):
        st.dataframe(shown, hide_index=True, key=f"table-{category}-{unit}")
    ui.csv_download(shown, f"{category}-{unit}", labels)
    own = flagged[(flagged["category"] == category) & (flagged["unit"] == unit)]
    if len(own):
        disagreeing = figures.conflicts(own, alternatives)
        if len(disagreeing) > MAX_CONFLICT_ROWS:
            st.caption(t("conflicts_shown", shown=MAX_CONFLICT_ROWS, total=len(disagreeing)))
        conflicts = tables.conflict_table(disagreeing.head(MAX_CONFLICT_ROWS), labels)
        st.warning(t("conflicts"), icon="⚠️")
        st.dataframe(conflicts, hide_index=True, key=f"conflicts-{category}-{unit}")
        ui.csv_download(conflicts, f"conflicts-{category}-{unit}", labels)
