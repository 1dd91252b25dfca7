"""Facts: the filterable table of every fact, a page at a time; a selected row shows its sentence and article."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import data, safe, tables, ui

PAGE_SIZE = 100  # rows sent to the browser at a time; the page number is in the URL


def _written(value: object) -> str:
    """A value as text; a date without its midnight time."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _struck_through(shown: pd.DataFrame, rows: pd.DataFrame):
    """The table with the rows of facts an analyst rejected struck through, or as it is."""
    rejected = rows["review"].eq("rejected").fillna(False).to_numpy() if "review" in rows else None
    if rejected is None or not rejected.any():
        return shown
    return shown.style.apply(lambda row: ["text-decoration: line-through" if rejected[row.name] else ""] * len(row), axis=1)


context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("facts"))

search = st.text_input(t("search"), key="q", bind="query-params")
rejected = st.toggle(t("show_rejected"), key="rejected", bind="query-params")
filters = replace(context.filters, search=search, include_rejected=rejected)
page = st.number_input(t("page"), min_value=1, value=1, step=1, key="page", bind="query-params")
rows, total = data.fact_rows(context.table, filters, (int(page) - 1) * PAGE_SIZE, PAGE_SIZE)
first = (int(page) - 1) * PAGE_SIZE + 1 if len(rows) else 0
st.caption(t("showing", first=first, last=first + len(rows) - 1 if len(rows) else 0, total=f"{total:,}"))


def fact_detail(fact_id: str) -> None:
    """The fact's sentence, the figure marked, and its article; every text from data escaped."""
    detail = data.fact_detail(context.table, fact_id)
    if detail is None:
        st.warning(t("fact_missing", fact_id=safe.markdown(fact_id)))
        return
    fact, article = detail["fact"], detail["article"]
    st.subheader(t("sentence"))
    marked = tables.highlighted_sentence(fact["sentence"], fact["raw_text"], fact.get("sentence_offset"))
    st.markdown(f'<div class="govstats-sentence">{marked}</div>', unsafe_allow_html=True)
    st.page_link("app_pages/review.py", label=t("review_this"), icon="✅", query_params={"fact": fact_id})
    facts_about = [
        (t("subdistrict"), fact["subdistrict"]),
        (t("metric"), labels.metric(fact["metric"])),
        (t("value"), labels.amount(fact["value"], fact["unit"], fact["qualifier"])),
        (t("year"), fact["year"]),
        (t("title"), article.get("title")),
        (t("outlet"), article.get("outlet") or fact["outlet"]),
        (t("published"), article.get("published") or fact["published"]),
        (t("source"), fact["source"]),
    ]
    lines = [
        f"<b>{safe.markdown(name)}</b>: {safe.markdown(_written(value))}"
        for name, value in facts_about
        if value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NaT
    ]
    url = article.get("url") or ""
    if url.startswith(("http://", "https://")):  # the one link, named by us: the address is shown as text beside it
        link = f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer nofollow" target="_blank">{t("open_article")}</a>'
        lines.append(f"<b>{t('url')}</b>: {safe.markdown(url)} · {link}")
    st.markdown("<br>".join(lines), unsafe_allow_html=True)


@st.fragment
def table_and_detail(rows: pd.DataFrame, filters: data.Filters) -> None:
    """The page of facts and the picked fact's sentence: picking a row reruns this part only."""
    shown = tables.facts_table(rows, labels)
    event = st.dataframe(_struck_through(shown, rows), hide_index=True, on_select="rerun", selection_mode="single-row", key="facts-table")
    if event.selection.rows:
        st.query_params["fact"] = rows["fact_id"].iloc[event.selection.rows[0]]

    left, right = st.columns(2)
    ui.csv_download(shown, "facts", labels, container=left)
    right.download_button(
        t("download_parquet"),
        lambda: data.filtered_parquet(context.table, filters),
        file_name="govstats-facts.parquet",
        mime="application/vnd.apache.parquet",
        key="parquet-facts",
        on_click="ignore",
    )

    fact_id = st.query_params.get("fact")
    if fact_id:
        fact_detail(fact_id)
    else:
        st.info(t("select_row"))


table_and_detail(rows, filters)
