"""The Review page with Streamlit's AppTest, on the seed tables: correcting, rejecting, adding a missed
figure and undoing each land in DATA/reviews.jsonl and in facts.parquet at once; rejected facts
leave the charts and show struck through on Facts; Overview counts the reviewed facts."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_dashboard_app import APP
from tests.test_reviews import a_missed_figure


@pytest.fixture
def data_folder(seed_tables, tmp_path, monkeypatch):
    from dashboard import data

    folder = tmp_path / "data"
    shutil.copytree(seed_tables, folder)
    monkeypatch.setenv("GOVSTATS_DATA", str(folder))
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    return folder


def facts(folder) -> dict[str, dict]:
    return {row["fact_id"]: row for row in pq.read_table(folder / "facts.parquet").to_pylist()}


def logged(folder) -> list[str]:
    path = folder / "reviews.jsonl"
    return (
        [json.loads(line)["action"] for line in path.read_text("utf-8").splitlines()] if path.exists() else []
    )


def review_page(**query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query)
    app.run()
    app.switch_page("app_pages/review.py").run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def a_fact(folder, **wanted) -> dict:
    return next(r for r in facts(folder).values() if all(r[k] == v for k, v in wanted.items()))


def test_correcting_a_fact_keeps_the_machine_value_beside_it(data_folder):
    fact = a_fact(data_folder, subdistrict="桐柏路街道", category="investment")
    app = review_page(fact=fact["fact_id"], reviewer="ana")
    app.selectbox(key=f"category-{fact['fact_id']}").set_value("welfare")
    app.selectbox(key=f"subdistrict-{fact['fact_id']}").set_value("林山寨街道")
    button(app, "保存更正").click().run()
    assert not app.exception, app.exception
    after = facts(data_folder)[fact["fact_id"]]
    assert (after["review"], after["category"], after["auto_category"], after["subdistrict"], after["auto_subdistrict"]) == (
        "corrected", "welfare", "investment", "林山寨街道", "桐柏路街道",
    )  # fmt: skip
    assert after["reviewed_by"] == "ana" and logged(data_folder) == ["correct"]


def test_confirm_moves_to_the_next_fact_of_the_queue(data_folder):
    app = review_page()
    queue = app.dataframe[0].value
    assert len(queue) > 1
    button(app, "确认无误，下一条").click().run()
    assert not app.exception, app.exception
    confirmed = [f for f, row in facts(data_folder).items() if row["review"] == "confirmed"]
    assert len(confirmed) == 1 and app.query_params["fact"] != confirmed[0]
    assert logged(data_folder) == ["confirm"]


def test_rejecting_takes_a_fact_out_of_the_charts_and_undo_brings_it_back(data_folder):
    from dashboard import data

    def charted_total() -> float:
        figures = data.figures(data.current_table(), data.Filters())
        return float(
            figures.loc[(figures["category"] == "investment") & (figures["unit"] == "CNY"), "value"].sum()
        )

    fact = max(
        (
            r
            for r in facts(data_folder).values()
            if r["category"] == "investment" and r["unit"] == "CNY" and not r["is_target"]
        ),
        key=lambda r: r["value"],
    )
    before = charted_total()
    app = review_page(fact=fact["fact_id"])
    button(app, "不是数据点").click().run()
    assert not app.exception, app.exception
    assert facts(data_folder)[fact["fact_id"]]["review"] == "rejected"
    assert charted_total() < before
    listed = AppTest.from_file(APP, default_timeout=60)
    listed.query_params.update(q=fact["sentence"][:8])
    listed.run()
    listed.switch_page("app_pages/facts.py").run()
    assert fact["raw_text"] not in listed.dataframe[0].value["原文"].tolist()
    listed.toggle(key="rejected").set_value(True).run()
    assert fact["raw_text"] in listed.dataframe[0].value["原文"].tolist()
    app = review_page(fact=fact["fact_id"])
    button(app, "撤销上一次决定").click().run()
    assert facts(data_folder)[fact["fact_id"]]["review"] == "auto"
    assert charted_total() == before and logged(data_folder) == ["reject", "undo"]


def test_adding_a_missed_figure_from_the_sentence(data_folder):
    rows = list(facts(data_folder).values())
    missed = a_missed_figure(rows, {}).new  # characters of a sentence no fact covers that read as a figure
    fact = next(r for r in rows if r["doc_id"] == missed["doc_id"] and r["sentence"] == missed["sentence"])
    chosen = (missed["sentence_offset"], missed["sentence_offset"] + len(missed["raw_text"]))
    sentence, base = fact["sentence"], fact["char_start"] - fact["sentence_offset"]
    app = review_page(fact=fact["fact_id"])
    app.slider(key=f"chars-{fact['fact_id']}").set_value(chosen).run()
    app.selectbox(key=f"add-category-{fact['fact_id']}").set_value("employment")
    button(app, "补录此数值").click().run()
    assert not app.exception and not app.error, (app.exception, [e.value for e in app.error])
    added = [r for r in facts(data_folder).values() if r["review"] == "added"]
    assert [(r["raw_text"], r["category"], r["char_start"]) for r in added] == [
        (sentence[chosen[0] : chosen[1]], "employment", base + chosen[0])
    ]
    assert logged(data_folder) == ["add"]


def test_overview_shows_the_reviewed_count_and_the_extractor_accuracy(data_folder):
    from etl.reviews import Decision, append_decisions, apply_to_tables, judged

    rows = list(facts(data_folder).values())
    append_decisions(
        data_folder,
        [judged(rows[0], {}), judged(rows[1], {}), judged(rows[2], {"category": "other" if rows[2]["category"] != "other" else "fiscal"}),
         Decision.made("reject", rows[3])],
    )  # fmt: skip
    apply_to_tables(data_folder)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, app.exception
    counts = {metric.label: metric.value for metric in app.metric}
    assert counts["已审核"] == "4" and counts["抽取准确率（已审核）"] == "50%"


def test_a_fact_on_the_facts_page_links_to_its_review(data_folder):
    fact = next(iter(facts(data_folder).values()))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(fact=fact["fact_id"])
    app.run()
    app.switch_page("app_pages/facts.py").run()
    assert not app.exception, app.exception
    link = app.get("page_link")[0].proto
    assert (link.label, link.page, link.query_string) == ("审核此数据点", "review", f"fact={fact['fact_id']}")


def test_an_added_fact_rejected_is_gone_and_undone_from_the_recent_decisions(data_folder):
    from etl.reviews import Decision, append_decisions, apply_to_tables

    rows = list(facts(data_folder).values())
    added = a_missed_figure(rows, {"category": "other"})
    append_decisions(data_folder, [added, Decision.made("reject", added.new)])
    apply_to_tables(data_folder)
    assert added.fact_id not in facts(data_folder)
    app = review_page()
    recent = app.dataframe[1].value
    assert recent["审核状态"].tolist()[:2] == ["reject", "add"]
    app.session_state["recent-decisions"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    button(app, "撤销所选数据点的最近一次决定").click().run()
    assert not app.exception, app.exception
    assert facts(data_folder)[added.fact_id]["review"] == "added"
    assert logged(data_folder) == ["add", "reject", "undo"]


def test_on_a_large_table_decisions_are_applied_in_the_background_and_none_is_lost(data_folder, monkeypatch):
    import time

    from dashboard import data
    from etl.reviews import Decision

    monkeypatch.setattr(data, "APPLY_AT_ONCE_BYTES", 0)  # every table counts as large
    rows = list(facts(data_folder).values())[:6]
    assert [data.record_decision(Decision.made("reject", row)) for row in rows] == [False] * 6
    deadline = time.monotonic() + 60
    while data.applying_reviews() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not data.applying_reviews()
    assert [facts(data_folder)[row["fact_id"]]["review"] for row in rows] == ["rejected"] * 6
