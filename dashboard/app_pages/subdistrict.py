"""Subdistrict: everything known about one unit: where it is, its metrics by year, its articles."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import data, safe, tables, ui

context = ui.context()
labels, t = context.labels, context.labels.text
choices = data.facets(context.table)
place = context.place
if place not in choices["subdistrict_of"]:
    st.title(t("subdistrict_page"))
    st.info(t("pick_in_sidebar"))
    st.stop()
st.title(safe.markdown(place))
ui.show_switches(context)
name = choices["subdistrict_of"][place]
district = place[place.index("（") + 1 : -1] if place.endswith("）") and "（" in place else None
record = data.place_record(context.table, name, district)
where = [
    (t("province"), record.get("province")),
    (t("city"), record.get("city")),
    (t("district"), record.get("district")),
    (t("admin_code"), record.get("admin_code") or t("missing")),
]
for column, (label, value) in zip(st.columns(len(where)), where):
    column.metric(label, safe.markdown(value) if value else t("missing"))

scope = replace(context.filters, subdistricts=(name,))
reported = data.figures(context.table, scope)
reported = reported[reported["place"] == place]
st.subheader(t("metrics_by_year"))
st.caption(t("metrics_by_year_note"))
by_year, row_metrics = tables.by_year_table(reported, labels)
event = st.dataframe(by_year, hide_index=True, key="by-year", on_select="rerun", selection_mode="single-cell")
cells = list(((event or {}).get("selection") or {}).get("cells") or [])
if cells:  # a value's cell opens the facts behind it
    row, column = cells[0]
    if column not in (labels.header("category"), labels.header("metric")) and by_year.iloc[row][column]:
        year = "unknown" if column == t("year_unknown") else column
        ui.go_to("facts", sub=place, m=row_metrics[row], yr=year)
ui.csv_download(by_year, "subdistrict-metrics", labels)

st.subheader(t("articles"))
articles = data.articles_about(context.table, scope)
for article in articles.itertuples():
    title = article.title if isinstance(article.title, str) and article.title else article.source
    when = labels.date(article.published)
    st.page_link(
        "app_pages/facts.py",
        label=safe.markdown(f"{title} · {article.outlet if isinstance(article.outlet, str) else ''} {when}")
        + f" · {t('n_facts', n=article.facts)}",
        query_params=ui.carried(sub=place, fact=article.first_fact),
    )
