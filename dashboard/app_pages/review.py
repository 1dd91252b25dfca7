"""Review: the facts most worth a look first; one fact at a time with its sentence, its evidence and
a form to confirm, correct, reject or undo; a figure the extractor missed added from the sentence.

Every decision is appended to DATA/reviews.jsonl (etl/reviews.py) and applied to the tables at
once; `govstats etl` applies the log again on every run.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from dashboard import data, safe, tables, ui
from etl.reviews import (
    Decision,
    default_reviewer,
    district_units,
    judged,
    missed_fact,
    read_decisions,
    undone,
)
from etl.schema import CATEGORIES, QUALIFIERS

QUEUE_SIZE = 50
RECENT = 8

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("review"))

reviewer = (
    st.text_input(t("reviewer"), value=default_reviewer(), key="reviewer", bind="query-params").strip()
    or None
)
queue = data.review_queue(context.table, context.filters, QUEUE_SIZE)


def _present(value: object) -> bool:
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # a list (corrected_fields) is present
        return True


def _decide(decision: Decision, next_fact: str | None = None) -> None:
    st.session_state.setdefault("decided", set()).add(decision.fact_id)
    shown = data.record_decision(decision)
    st.session_state["review-notice"] = t("decided" if shown else "decided_later", action=decision.action)
    if next_fact:
        st.query_params["fact"] = next_fact
    st.rerun()


def _next_after(fact_id: str) -> str | None:
    decided = st.session_state.get("decided", set())  # the queue lags a table updated in the background
    ids = [f for f in queue["fact_id"] if f != fact_id and f not in decided]
    return ids[0] if ids else None


if notice := st.session_state.pop("review-notice", None):
    st.toast(notice)
if data.applying_reviews():
    st.caption(t("applying_reviews"))

fact_id = st.query_params.get("fact") or (queue["fact_id"].iloc[0] if len(queue) else None)
detail = data.fact_detail(context.table, fact_id) if fact_id else None
if fact_id and detail is None:
    st.warning(t("fact_missing", fact_id=safe.markdown(fact_id)))

if detail is not None:
    fact = {k: (v if _present(v) else None) for k, v in detail["fact"].items()}
    for name in ("year", "sentence_offset", "char_start", "char_end"):  # pandas reads a nullable int as float
        if fact.get(name) is not None:
            fact[name] = int(fact[name])
    state = fact.get("review") or "auto"
    st.subheader(f"{safe.markdown(labels.amount(fact['value'], fact['unit'], fact['qualifier']))} · {t('review_' + state)}")
    marked = tables.highlighted_sentence(fact["sentence"], fact["raw_text"], fact.get("sentence_offset"))
    style = "text-decoration: line-through;" if state == "rejected" else ""
    st.markdown(f'<div class="govstats-sentence" style="{style}">{marked}</div>', unsafe_allow_html=True)
    evidence = [(t(name), fact.get(name)) for name in ("category_evidence", "place_evidence") if name in fact]
    about = [(t("source"), fact["source"]), (t("district"), fact.get("district")), *evidence]
    st.text(
        " · ".join(f"{name}: {value}" for name, value in about if value is not None)
    )  # text, not markdown

    units = district_units(fact.get("city"), fact.get("district"))
    places = (
        [None, *units] if fact.get("subdistrict") in (None, *units) else [None, fact["subdistrict"], *units]
    )
    with st.form("review-form", border=True):
        left, right = st.columns(2)
        category = left.selectbox(
            t("category"), CATEGORIES, index=CATEGORIES.index(fact["category"]) if fact["category"] in CATEGORIES else 0,
            format_func=labels.category, key=f"category-{fact_id}",
        )  # fmt: skip
        metric = right.text_input(t("metric"), value=fact["metric"], key=f"metric-{fact_id}")
        subdistrict = left.selectbox(
            t("subdistrict"), places, index=places.index(fact.get("subdistrict")), accept_new_options=True,
            format_func=lambda name: name or t("missing"), help=t("new_place_hint"), key=f"subdistrict-{fact_id}",
        )  # fmt: skip
        year = right.number_input(
            t("year"), min_value=1949, max_value=2100, value=fact.get("year"), step=1, key=f"year-{fact_id}"
        )
        qualifier = left.selectbox(
            t("qualifier"), QUALIFIERS, index=QUALIFIERS.index(fact["qualifier"]), key=f"qualifier-{fact_id}",
            format_func=lambda name: labels.qualifier(name) or name,
        )  # fmt: skip
        is_target = right.checkbox(t("is_target"), value=bool(fact["is_target"]), key=f"target-{fact_id}")
        save = st.form_submit_button(t("save_correction"), type="primary")
    if save:
        changes = {
            "category": category, "metric": metric.strip() or fact["metric"], "subdistrict": subdistrict or None,
            "year": int(year) if year is not None else None, "qualifier": qualifier, "is_target": bool(is_target),
        }  # fmt: skip
        _decide(judged(fact, changes, by=reviewer))

    confirm, reject, skip, undo = st.columns(4)
    if confirm.button(t("confirm_next"), shortcut="Y", key="confirm", type="primary"):
        _decide(judged(fact, {}, by=reviewer), _next_after(fact_id))
    if reject.button(t("reject_fact"), shortcut="X", key="reject", disabled=state == "rejected"):
        _decide(Decision.made("reject", fact, by=reviewer))
    if skip.button(t("skip_next"), shortcut="J", key="skip") and (following := _next_after(fact_id)):
        st.query_params["fact"] = following
        st.rerun()
    if undo.button(t("undo_last"), key="undo", disabled=state == "auto"):
        _decide(undone(fact, by=reviewer))

    with st.expander(t("add_missed")):
        sentence = fact["sentence"]
        start, end = st.slider(
            t("add_chars"), 0, len(sentence), (0, min(len(sentence), 2)), key=f"chars-{fact_id}"
        )
        st.text(t("add_selected", text=sentence[start:end] or "—"))
        added_category = st.selectbox(
            t("category"), CATEGORIES, format_func=labels.category, key=f"add-category-{fact_id}"
        )
        added_metric = st.text_input(t("metric"), value="other", key=f"add-metric-{fact_id}")
        if st.button(t("add_button"), key="add"):
            try:
                values = {"category": added_category, "metric": added_metric.strip() or "other"}
                _decide(missed_fact(fact, start, end, values, by=reviewer))
            except ValueError as problem:
                st.error(t("add_invalid", problem=safe.markdown(problem)))

st.subheader(t("review_queue"))
if queue.empty:
    st.caption(t("review_queue_empty"))
else:
    reasons = [
        " ".join(mark for mark, flag in (("⚑", weak), ("⚠", conflict), ("▲", large)) if flag)
        for weak, conflict, large in zip(queue["weak_evidence"], queue["in_conflict"], queue["large_value"])
    ]
    shown = tables.facts_table(queue, labels).assign(**{"⚑ ⚠ ▲": reasons})
    event = st.dataframe(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="review-queue"
    )
    if event.selection.rows:
        chosen = queue["fact_id"].iloc[event.selection.rows[0]]
        if chosen != fact_id:
            st.query_params["fact"] = chosen
            st.rerun()

decisions, _ = read_decisions(data.data_dir())
if decisions:
    st.subheader(t("recent_decisions"))
    recent = decisions[-RECENT:][::-1]
    event = st.dataframe(
        pd.DataFrame(
            {
                t("reviewer"): [d.by for d in recent],
                "at": [d.at[:19].replace("T", " ") for d in recent],
                t("review_state"): [d.action for d in recent],
                t("raw_text"): [d.raw_text for d in recent],
                t("source"): [d.source for d in recent],
            }
        ),
        hide_index=True,
        key="recent-decisions",
        on_select="rerun",
        selection_mode="single-row",
    )
    if event.selection.rows:  # a fact no longer in the table (an added one rejected) is undone from here
        taken = recent[event.selection.rows[0]]
        if st.button(t("undo_chosen"), key="undo-chosen"):
            _decide(undone(dataclasses.asdict(taken), by=reviewer))
