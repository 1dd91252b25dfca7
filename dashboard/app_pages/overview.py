"""Overview: headline counts, then investment, demolition and case resolution by subdistrict, one
tab each: only the open tab is counted, sent and drawn; the tables behind a chart (its rows, its
conflicts) are sent when their expander is opened."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, figures, safe, tables, ui, views

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

titles = {labels.section(category, unit): (category, unit) for category, unit in views.SECTIONS}
for tab, title in zip(st.tabs(list(titles), key="section", bind="query-params"), titles):
    if not tab.open:
        continue
    category, unit = titles[title]
    with tab:
        section = views.overview_section(context.table, context.filters, category, unit)
        if section.totals.empty:
            st.caption(t("no_rows"))
            continue
        how = t("chart_latest") if unit in figures.NON_ADDITIVE_UNITS else t("chart_total")
        st.plotly_chart(
            charts.section_bar(section.totals, unit, f"{title} · {how}", labels),
            key=f"chart-{category}-{unit}",
            config={"displaylogo": False},
        )
        shown = tables.section_table(section.totals, unit, labels)
        rows = st.expander(safe.markdown(f"{t('chart_rows')}: {len(shown)}"), key=f"rows-{category}-{unit}", on_change="rerun")
        if rows.open:
            rows.dataframe(shown, hide_index=True, key=f"table-{category}-{unit}")
        ui.csv_download(shown, f"{category}-{unit}", labels)
        if section.n_conflicts:
            st.warning(t("conflicts"), icon="⚠️")
            listed = st.expander(f"{t('conflict_rows')}: {section.n_conflicts:,}", key=f"conflict-rows-{category}-{unit}", on_change="rerun")
            if listed.open:
                if section.n_conflicts > views.MAX_CONFLICT_ROWS:
                    listed.caption(t("conflicts_shown", shown=views.MAX_CONFLICT_ROWS, total=section.n_conflicts))
                conflicts = tables.conflict_table(views.conflict_rows(context.table, context.filters, category, unit), labels)
                listed.dataframe(conflicts, hide_index=True, key=f"conflicts-{category}-{unit}")
                ui.csv_download(conflicts, f"conflicts-{category}-{unit}", labels, container=listed)
