"""Every page of the app, run with Streamlit's AppTest on a table written by the test."""

from __future__ import annotations

import io
from html import unescape

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import safe
from tests.conftest import ROOT
from tests.test_dashboard_table import write_tables

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    from dashboard import data

    folder = write_tables(tmp_path / "data")
    monkeypatch.setenv("GOVSTATS_DATA", str(folder))
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    return folder


@pytest.fixture
def downloads(monkeypatch):
    """The bytes behind each download button, by file name, as the app hands them to Streamlit."""
    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            saved[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return saved


def open_page(page: str | None = None, **query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query)
    app.run()
    if page:
        app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, app.exception
    return app


def shown_table(app: AppTest) -> pd.DataFrame:
    """The Compare page's table, as sent to the browser's data grid."""
    return next(frame.value for frame in app.dataframe if list(frame.value.columns[:2]) == ["类别", "指标"])


def chart_spec(app: AppTest, key: str) -> dict:
    import json

    return next(json.loads(chart.proto.spec) for chart in app.get("plotly_chart") if key in chart.proto.id)


def charted_subdistricts(app: AppTest, key: str) -> list[str]:
    return chart_spec(app, key)["layout"]["xaxis"]["categoryarray"]


def trace_names(app: AppTest, key: str) -> list[str]:
    return [trace["name"] for trace in chart_spec(app, key)["data"]]


def test_overview_shows_headline_counts_and_charts(data_folder):
    app = open_page()
    counts = {metric.label: metric.value for metric in app.metric}
    assert counts == {"文章": "5", "数据点": "24", "街道/乡镇": "6", "年份": "2007–2019"}
    assert charted_subdistricts(app, "chart-investment-CNY") == ["林山寨街道", "新城街道", "绿东村街道", "桐柏路街道", "淮河路街道"]


def test_only_the_open_tab_is_drawn_and_the_tab_is_in_the_url(data_folder):
    app = open_page()
    assert [chart.proto.id.rsplit("-", 2)[-2:] for chart in app.get("plotly_chart")] == [["investment", "CNY"]]
    app = open_page(section="办结率（%）")
    assert charted_subdistricts(app, "chart-case_resolution-percent") == ["林山寨街道", "绿东村街道"]
    assert len(app.get("plotly_chart")) == 1


def test_a_sidebar_filter_changes_the_charts(data_folder):
    app = open_page()
    app.sidebar.multiselect(key="district").select("二七区").run()
    assert not app.exception
    assert charted_subdistricts(app, "chart-investment-CNY") == ["淮河路街道"]
    assert {metric.label: metric.value for metric in app.metric}["文章"] == "1"


def test_filters_come_from_the_url(data_folder):
    app = open_page(city="商丘市")
    assert app.sidebar.multiselect(key="city").value == ["商丘市"]
    assert charted_subdistricts(app, "chart-investment-CNY") == ["新城街道"]


def test_conflicting_articles_are_flagged_with_both_sources(data_folder):
    app = open_page(section="矛盾纠纷（起）")
    assert any("冲突" in warning.value for warning in app.warning) and not app.dataframe
    app.session_state["conflict-rows-case_resolution-case"] = True
    app.run()
    conflicts = next(frame.value for frame in app.dataframe if "来源" in frame.value.columns)
    assert sorted(conflicts["来源"]) == ["001_3f9c860c84535958.txt", "001_repeat.html"]
    assert [expander.label for expander in app.expander if "冲突" in expander.label] == [f"冲突的数值: {len(conflicts)}"]


def test_chart_download_holds_the_rows_the_chart_shows(data_folder, downloads):
    app = open_page()
    assert not app.dataframe  # the rows behind the chart are sent only when asked for
    app.session_state["rows-investment-CNY"] = True
    app.run()
    shown = next(frame.value for frame in app.dataframe if "项目投资" in frame.value.to_string())
    downloaded = pd.read_csv(io.BytesIO(downloads["govstats-investment-CNY.csv"]), encoding="utf-8-sig")
    assert downloads["govstats-investment-CNY.csv"].startswith(b"\xef\xbb\xbf")
    assert downloaded["街道/乡镇"].tolist() == shown["街道/乡镇"].tolist()
    assert downloaded["数值"].tolist() == shown["数值"].tolist()


def test_targets_are_hidden_by_default_and_shown_apart(data_folder):
    app = open_page(section="拆迁拆违面积（平方米）")
    assert trace_names(app, "chart-demolition-m2") == ["拆迁面积", "拆除违建面积"]
    app = open_page(targets="true", section="拆迁拆违面积（平方米）")
    assert trace_names(app, "chart-demolition-m2") == ["拆迁面积", "拆除违建面积", "拆除违建面积 (目标)"]


def test_english_switch_translates_labels(data_folder):
    app = open_page(lang="English")
    assert app.title[0].value == "Subdistrict governance figures"
    assert [metric.label for metric in app.metric] == ["Articles", "Facts", "Subdistricts", "Years"]
    assert "investment attracted" in trace_names(app, "chart-investment-CNY")


def test_compare_honours_the_selection_from_the_url(data_folder, downloads):
    app = open_page("compare", subs=["林山寨街道", "新城街道"])
    shown = shown_table(app)
    assert list(shown.columns)[-2:] == ["林山寨街道", "新城街道"]
    project = shown[shown["指标"] == "项目投资"].set_index("年份")
    assert project.loc["2013", "林山寨街道"] == "约70亿元" and project.loc["2013", "新城街道"] == "—"
    downloaded = pd.read_csv(io.BytesIO(downloads["govstats-compare.csv"]), encoding="utf-8-sig", dtype=str)
    assert downloaded.fillna("").values.tolist() == shown.fillna("").values.tolist()
    assert not app.get("plotly_chart")  # the chart tab is built when it is opened
    app = open_page("compare", subs=["林山寨街道", "新城街道"], view="图表")
    bars = chart_spec(app, "chart-compare")["data"]
    charted = pd.read_csv(io.BytesIO(downloads["govstats-compare-chart.csv"]), encoding="utf-8-sig")
    assert len(charted) == sum(len(trace["x"]) for trace in bars)
    assert sorted(charted["街道/乡镇"].unique()) == sorted(trace["name"] for trace in bars)


def test_compare_selection_by_widget_and_per_capita(data_folder):
    app = open_page("compare")
    assert app.info  # asks for two subdistricts
    app.multiselect(key="subs").select("新城街道").select("林山寨街道").run()
    assert list(shown_table(app).columns)[-2:] == ["新城街道", "林山寨街道"]
    app.button_group(key="scale").set_value("per_capita").run()
    per_capita = shown_table(app).set_index("指标")
    assert per_capita.loc["到位资金", "新城街道"] == "18,733.33元/人"  # 28.1亿元 / 15万人
    assert per_capita.loc["搬迁户数", "林山寨街道"] == "—"  # no population reported for 林山寨街道


def test_facts_page_shows_an_escaped_sentence_with_its_article(data_folder):
    from dashboard import data

    table = data.current_table()
    rows, _ = data.fact_rows(table, data.Filters(search="script"), 0, 5)
    app = open_page("facts", fact=rows["fact_id"].iloc[0])
    html = "\n".join(block.value for block in app.markdown)
    shown = unescape(html)  # what the reader sees
    assert "<script>alert('x')</script>" in shown and "<script>" not in html
    assert "<mark>6500余平方米</mark>" in html
    assert "中原区街道工作巡礼" in shown and "郑州日报" in shown
    assert "2013-05-14" in shown and "00:00:00" not in shown


def test_selecting_a_row_shows_its_sentence_and_puts_it_in_the_url(data_folder):
    app = open_page("facts")
    assert app.info  # nothing selected yet
    shown = app.dataframe[0].value
    app.session_state["facts-table"] = {"selection": {"rows": [4], "columns": [], "cells": []}}
    app.run()
    html = "\n".join(block.value for block in app.markdown)
    assert f"<mark>{safe.markdown(shown['原文'].iloc[4])}</mark>" in html
    assert app.query_params["fact"]


def test_facts_page_escapes_the_article_title(data_folder):
    from dashboard import data

    rows, _ = data.fact_rows(data.current_table(), data.Filters(search="民事纠纷"), 0, 5)
    app = open_page("facts", fact=rows["fact_id"].iloc[0])
    html = "\n".join(block.value for block in app.markdown)
    assert "<b>二七区</b>街道风采" in unescape(html) and "<b>二七区" not in html


def test_facts_search_filters_the_table_and_the_download(data_folder, downloads):
    app = open_page("facts", q="办结率")
    shown = app.dataframe[0].value
    assert len(shown) == 4 and set(shown["街道/乡镇"]) == {"林山寨街道", "绿东村街道"}
    downloaded = pd.read_csv(io.BytesIO(downloads["govstats-facts.csv"]), encoding="utf-8-sig")
    assert downloaded["原文"].tolist() == shown["原文"].tolist()


def test_missing_table_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVSTATS_DATA", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert "govstats etl" in app.error[0].value
