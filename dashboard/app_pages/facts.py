"""Facts: the filterable table of every fact (reached from a chart with its subdistrict and metric);
a selected fact shows its sentence and its whole article with the figure highlighted."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import data, safe, tables, ui

PAGE_SIZE = 100  # rows sent to the browser at a time; the page number is in the URL


def _struck_through(shown: pd.DataFrame, rows: pd.DataFrame):
    """The table with the rows of facts an analyst rejected struck through, or as it is."""
    rejected = rows["review"].eq("rejected").fillna(False).to_numpy() if "review" in rows else None
    if rejected is None or not rejected.any():
        return shown
    return shown.style.apply(lambda row: ["text-decoration: line-through" if rejected[row.name] else ""] * len(row), axis=1)


context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("facts"))

choices = data.facets(context.table)
filters = context.filters
drill = []  # what a click on a chart chose: a subdistrict and a metric, kept in the URL
place = st.query_params.get("sub")
if place in choices["subdistrict_of"]:
    filters = replace(filters, subdistricts=(choices["subdistrict_of"][place],))
    drill.append(f"{t('subdistrict')}: {safe.markdown(place)}")
metric = st.query_params.get("m")
if metric:
    filters = replace(filters, metrics=(metric,))
    drill.append(f"{t('metric')}: {safe.markdown(labels.metric(metric))}")
year = st.query_params.get("yr")
if year == "unknown":
    filters = replace(filters, undated_only=True, years=())
    drill.append(f"{t('year')}: {t('year_unknown')}")
elif year and year.isdigit():
    filters = replace(filters, years=(int(year),), include_undated=False)
    drill.append(f"{t('year')}: {year}")
if drill:
    left, right = st.columns([5, 1])
    left.info(t("drilled", what="；".join(drill)))
    if right.button(t("clear_drill"), key="clear-drill"):
        for key in ("sub", "m", "yr", "fact"):
            st.query_params.pop(key, None)
        st.rerun()

search = st.text_input(t("search"), value=st.query_params.get("q", ""), key="q")
if search:
    st.query_params["q"] = search
else:
    st.query_params.pop("q", None)
rejected = ui.switch(t("show_rejected"), key="rejected")
filters = replace(filters, search=search, include_rejected=rejected)
requested = st.query_params.get("page", "1")
page = st.number_input(
    t("page"), min_value=1, value=int(requested) if requested.isdigit() and int(requested) > 0 else 1, step=1,
    key="page",
)  # fmt: skip
if page > 1:
    st.query_params["page"] = str(int(page))
else:
    st.query_params.pop("page", None)


@st.fragment
def table_and_fact(filters: data.Filters, page: int) -> None:
    """The page of facts and the selected fact: picking a row reruns this, not the page above it."""
    rows, total = data.fact_rows(context.table, filters, (int(page) - 1) * PAGE_SIZE, PAGE_SIZE)
    first = (int(page) - 1) * PAGE_SIZE + 1 if len(rows) else 0
    st.caption(t("showing", first=f"{first:,}", last=f"{first + len(rows) - 1 if len(rows) else 0:,}", total=f"{total:,}"))

    shown = tables.facts_table(rows, labels)
    event = st.dataframe(
        _struck_through(shown, rows), hide_index=True, on_select="rerun", selection_mode="single-row", key="facts-table"
    )
    if event.selection.rows:
        st.query_params["fact"] = rows["fact_id"].iloc[event.selection.rows[0]]

    left, middle, right = st.columns(3)
    ui.csv_download(shown, "facts-page", labels, container=left)
    middle.download_button(
        t("download_csv_all"),
        lambda: data.filtered_csv(context.table, filters),
        file_name="govstats-facts.csv",
        mime="text/csv",
        key="csv-facts-all",
        on_click="ignore",
    )
    right.download_button(
        t("download_parquet"),
        lambda: data.filtered_parquet(context.table, filters),
        file_name="govstats-facts.parquet",
        mime="application/vnd.apache.parquet",
        key="parquet-facts",
        on_click="ignore",
    )

    fact_id = st.query_params.get("fact")
    if not fact_id:
        st.info(t("select_row"))
        return
    show_fact(fact_id)


def show_fact(fact_id: str) -> None:
    """The selected fact: its sentence, what is known of it and its article, the figure marked."""
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
        (t("category_evidence"), labels.evidence(fact.get("category_evidence"))),
        (t("place_evidence"), labels.evidence(fact.get("place_evidence"))),
        (t("value"), labels.amount(fact["value"], fact["unit"], fact["qualifier"], fact["metric"])),
        (t("exact_value"), labels.exact(fact["value"], fact["unit"])),
        (t("year"), labels.year(fact["year"])),
        (t("target"), labels.flag(fact["is_target"])),
        (t("title"), article.get("title")),
        (t("outlet"), article.get("outlet") or fact["outlet"]),
        (t("published"), labels.date(article.get("published") or fact["published"])),
        (t("source"), fact["source"]),
    ]
    lines = [
        f"<b>{safe.markdown(name)}</b>: {safe.markdown(value)}"
        for name, value in facts_about
        if value is not None and str(value) not in ("", "nan", "None", "NaT")
    ]
    url = article.get("url") or ""
    if url.startswith(("http://", "https://")):  # the one link, named by us: the address is shown as text beside it
        link = f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer nofollow" target="_blank">{t("open_article")}</a>'
        lines.append(f"<b>{t('url')}</b>: {safe.markdown(url)} · {link}")
    st.markdown("<br>".join(lines), unsafe_allow_html=True)
    if fact["subdistrict"] is not None and str(fact["subdistrict"]) != "nan":
        place_name = next((p for p, s in choices["subdistrict_of"].items() if s == fact["subdistrict"]), fact["subdistrict"])
        st.page_link(
            "app_pages/subdistrict.py", label=t("open_subdistrict", place=safe.markdown(place_name)),
            query_params=ui.carried(place=place_name),
        )  # fmt: skip

    st.subheader(t("article"))
    text = data.article_text(context.table, fact["doc_id"], fact["source"])
    if text is not None:
        st.markdown(f'<a href="#govstats-figure">{t("jump_to_figure")}</a>', unsafe_allow_html=True)
        st.markdown(
            f'<div class="govstats-article" style="white-space: pre-wrap; max-height: 36em; overflow-y: auto">'
            f"{tables.highlighted_span(text, int(fact['char_start']), int(fact['char_end']))}</div>",
            unsafe_allow_html=True,
        )
    else:  # the source file is not at hand: the article's sentences that hold figures, this one marked
        st.caption(t("article_unavailable"))
        sentences = data.article_facts(context.table, fact["doc_id"])
        written = []
        for sentence in dict.fromkeys(sentences["sentence"]):
            written.append(
                tables.highlighted_sentence(sentence, fact["raw_text"], fact.get("sentence_offset"))
                if sentence == fact["sentence"]
                else safe.markdown(sentence)
            )
        st.markdown('<div class="govstats-article">' + "<br>".join(written) + "</div>", unsafe_allow_html=True)


table_and_fact(filters, int(page))
