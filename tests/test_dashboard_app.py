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
from tests.test_dashboard_table import fact_rows, write_tables

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


def html_tables(app: AppTest) -> list[pd.DataFrame]:
    """The page's HTML tables (tables.html_table) as the reader sees them, every mark escaped."""
    from xml.etree import ElementTree

    from dashboard import safe

    found = []
    for block in app.markdown:
        if 'class="govstats-table"' in block.value:
            rows = [[cell.text.replace(safe.JOINER, "") for cell in row] for row in ElementTree.fromstring(block.value).iter("tr")]
            found.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return found


def shown_table(app: AppTest) -> pd.DataFrame:
    """The Compare page's table as the reader sees it."""
    return html_tables(app)[0]


def chart_spec(app: AppTest, key: str) -> dict:
    import json

    return next(json.loads(chart.proto.spec) for chart in app.get("plotly_chart") if key in chart.proto.id)


def charted_subdistricts(app: AppTest, key: str) -> list[str]:
    return chart_spec(app, key)["layout"]["xaxis"]["categoryarray"]


def trace_names(app: AppTest, key: str) -> list[str]:
    return [trace["name"] for trace in chart_spec(app, key)["data"]]


def overview_bars(app: AppTest):
    """The Overview's bars as drawn first (an SVG in a Markdown block), parsed: what the reader sees."""
    from xml.etree import ElementTree

    drawn = next(block.value for block in app.markdown if 'class="govstats-bars"' in block.value)
    return ElementTree.fromstring(drawn)


def texts_of(svg, kind: str) -> list[str]:
    return [element.text for element in svg.iter("text") if element.get("class") == kind]


def charted_places(app: AppTest) -> list[str]:
    """The subdistricts under the Overview's bars, in order."""
    return texts_of(overview_bars(app), "xtick")


def test_overview_shows_headline_counts_and_one_metric(data_folder):
    app = open_page()
    counts = {metric.label: metric.value for metric in app.metric}
    assert counts == {"文章": "5", "数据点": "26", "街道/乡镇": "6", "年份": "2007–2019", "年份不详": "2"}
    assert app.selectbox(key="metric").value == "disputes_found:case"  # reported by the most subdistricts
    assert charted_places(app) == ["林山寨街道", "绿东村街道", "桐柏路街道"]
    assert texts_of(overview_bars(app), "govstats-title")[0].startswith("排查矛盾（起）")


def test_the_analyst_picks_the_metric_by_its_label(data_folder):
    app = open_page()
    app.selectbox(key="metric").set_value("project_investment:CNY").run()
    assert charted_places(app) == ["林山寨街道", "新城街道", "绿东村街道"]
    assert app.query_params["metric"] == "project_investment:CNY"  # the code, not the label
    assert any("一个或多个项目" in caption.value for caption in app.caption)  # its definition


def test_a_sidebar_filter_changes_the_chart(data_folder):
    app = open_page(metric="project_investment:CNY")
    app.sidebar.multiselect(key="district").select("中原区").run()
    assert not app.exception
    assert charted_places(app) == ["林山寨街道", "绿东村街道"]
    assert {metric.label: metric.value for metric in app.metric}["文章"] == "3"


def test_filters_come_from_the_url(data_folder):
    app = open_page(city="商丘市", metric="project_investment:CNY")
    assert app.sidebar.multiselect(key="city").value == ["商丘市"]
    assert charted_places(app) == ["新城街道"]


@pytest.mark.parametrize(
    "switches, charted, note",
    [
        ({}, ["林山寨街道", "绿东村街道", "桐柏路街道"], None),
        ({"undated": "1"}, ["林山寨街道", "绿东村街道", "新城街道", "桐柏路街道"], "计入年份不详的数据"),
        ({"agreed": "1"}, ["绿东村街道", "桐柏路街道"], "排除口径冲突的数值"),
    ],
)
def test_sensitivity_switches_change_the_chart_and_say_so(data_folder, switches, charted, note):
    app = open_page(metric="disputes_found:case", **switches)
    assert charted_places(app) == charted
    notes = [block.value for block in app.info]
    assert (note is None and not notes) or any(note in shown for shown in notes)


def test_undated_figures_are_named_as_left_out(data_folder):
    app = open_page()
    assert any("1 个年份不详的数值未计入" in caption.value for caption in app.caption)


def test_excluding_approximate_values_drops_them(data_folder):
    app = open_page(metric="project_investment:CNY", exact="1")
    assert charted_places(app) == ["新城街道", "绿东村街道"]  # 近2亿元 made 林山寨 approximate


def test_coverage_panel_shows_facts_per_year_with_unknown_years_apart(data_folder):
    app = open_page()
    coverage = next(frame for frame in html_tables(app) if "年份不详" in frame.columns).set_index("街道/乡镇")
    assert coverage.loc["新城街道", "2019"] == "5" and coverage.loc["新城街道", "年份不详"] == "1"
    assert coverage.loc["林山寨街道", "冲突"] == "1" and coverage.loc["林山寨街道", "目标值"] == "1"  # whatever the switches
    assert any(f"共 {len(coverage)} 个" in caption.value for caption in app.caption)


def test_coverage_grid_of_every_subdistrict_is_sent_when_opened_and_starts_as_the_panel(data_folder):
    app = open_page()
    panel = next(frame for frame in html_tables(app) if "年份不详" in frame.columns)
    assert not [frame for frame in app.dataframe if "年份不详" in frame.value.columns]  # sent when opened
    app.session_state["coverage-all"] = True
    app.run()
    grid = next(frame.value for frame in app.dataframe if "年份不详" in frame.value.columns)
    assert grid.head(len(panel)).astype(str).values.tolist() == panel.values.tolist()


def test_conflicting_articles_are_flagged_with_both_sources(data_folder):
    app = open_page(metric="disputes_found:case")
    assert any("冲突" in warning.value for warning in app.warning)
    assert not [frame for frame in app.dataframe if "来源" in frame.value.columns]  # sent when opened
    app.session_state["conflict-rows-overview"] = True
    app.run()
    conflicts = next(frame.value for frame in app.dataframe if "来源" in frame.value.columns)
    assert sorted(conflicts["来源"]) == ["001_3f9c860c84535958.txt", "001_repeat.html"]
    assert [expander.label for expander in app.expander if "冲突" in expander.label] == [f"冲突的数值: {len(conflicts)}"]


def test_chart_download_holds_the_rows_the_chart_shows(data_folder, downloads):
    app = open_page(metric="project_investment:CNY")
    assert not [frame for frame in app.dataframe if "未计入（年份不详）" in frame.value.columns]  # sent when opened
    app.session_state["rows-overview"] = True
    app.run()
    shown = next(frame.value for frame in app.dataframe if "未计入（年份不详）" in frame.value.columns)
    downloaded = pd.read_csv(io.BytesIO(downloads["govstats-overview-project_investment.csv"]), encoding="utf-8-sig")
    assert downloads["govstats-overview-project_investment.csv"].startswith(b"\xef\xbb\xbf")
    assert downloaded["街道/乡镇"].tolist() == shown["街道/乡镇"].tolist() == charted_places(app)
    assert downloaded["数值"].tolist() == shown["数值"].tolist() == ["约70亿元", "43.1亿元", "12亿元"]


def test_targets_are_hidden_by_default_and_shown_apart(data_folder):
    app = open_page(metric="illegal_structures_demolished_area:m2")
    assert texts_of(overview_bars(app), "legend") == []
    assert trace_names(open_page(metric="illegal_structures_demolished_area:m2", chart="interactive"), "chart-overview") == ["完成"]
    app = open_page(metric="illegal_structures_demolished_area:m2", targets="1")
    assert texts_of(overview_bars(app), "legend") == ["完成", "目标"]
    assert trace_names(open_page(metric="illegal_structures_demolished_area:m2", targets="1", chart="interactive"), "chart-overview") == ["完成", "目标"]


def test_english_switch_translates_labels(data_folder):
    app = open_page(lang="en", metric="project_investment:CNY")
    assert app.title[0].value == "Subdistrict governance figures"
    assert [metric.label for metric in app.metric] == ["Articles", "Facts", "Subdistricts", "Years", "year unknown"]
    bars = overview_bars(app)
    assert texts_of(bars, "govstats-title")[0].startswith("project investment (CNY) · total over the selected years")
    assert texts_of(bars, "govstats-axis-title") == ["CNY billion"]
    spec = chart_spec(open_page(lang="en", metric="project_investment:CNY", chart="interactive"), "chart-overview")
    assert spec["layout"]["title"]["text"].startswith("project investment (CNY) · total over the selected years")
    assert spec["layout"]["yaxis"]["title"]["text"] == "CNY billion"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_permalink_holds_codes_and_gives_the_same_view_in_either_language(data_folder, language):
    app = open_page("compare", lang=language, subs=["林山寨街道", "新城街道"])
    app.button_group(key="scale").set_value("per_capita").run()
    assert app.query_params["scale"] == "per_capita" and app.query_params.get("lang", "zh") == language
    link = {key: app.query_params[key] for key in app.query_params}
    for other in ("zh", "en"):  # the same link, reloaded, in either language
        again = open_page("compare", **{**link, "lang": other})
        assert again.button_group(key="scale").value == "per_capita"
        assert again.multiselect(key="subs").value == ["林山寨街道", "新城街道"]


def test_a_link_made_before_the_url_held_codes_still_opens_in_english(data_folder):
    assert open_page(lang="English").title[0].value == "Subdistrict governance figures"


def test_compare_honours_the_selection_from_the_url(data_folder, downloads):
    app = open_page("compare", subs=["林山寨街道", "新城街道"])
    shown = shown_table(app)
    assert list(shown.columns)[-2:] == ["林山寨街道", "新城街道"]
    project = shown.reset_index().set_index("指标")
    assert project.loc["项目投资", "林山寨街道"] == "约70亿元（2013）" and project.loc["项目投资", "新城街道"] == "43.1亿元（2019）"
    assert project.loc["到位资金", "林山寨街道"] == "—"
    downloaded = pd.read_csv(io.BytesIO(downloads["govstats-compare.csv"]), encoding="utf-8-sig", dtype=str)
    assert downloaded.fillna("").values.tolist() == shown[downloaded.columns].fillna("").values.tolist()
    assert not app.get("plotly_chart")  # the chart tab is built when it is opened
    app = open_page("compare", subs=["林山寨街道", "新城街道"], view="chart")
    assert app.query_params["view"] == "chart"  # a code, not the tab's label
    app.selectbox(key="metric").set_value("project_investment:CNY").run()
    (bars,) = chart_spec(app, "chart-compare")["data"]
    assert bars["x"] == ["林山寨街道", "新城街道"] and bars["text"] == ["2013", "2019"]
    charted = pd.read_csv(io.BytesIO(downloads["govstats-compare-chart.csv"]), encoding="utf-8-sig")
    assert charted["年份"].tolist() == [2013, 2019]


def test_compare_selection_by_widget_and_per_capita(data_folder):
    app = open_page("compare")
    assert app.info  # asks for two subdistricts
    app.multiselect(key="subs").select("新城街道").select("林山寨街道").run()
    assert list(shown_table(app).columns)[-2:] == ["新城街道", "林山寨街道"]
    app.button_group(key="scale").set_value("per_capita").run()
    per_capita = shown_table(app).set_index("指标")
    assert per_capita.loc["到位资金", "新城街道"] == "18,733.33元/人（2019）"  # 28.1亿元 / 15万人
    assert per_capita.loc["搬迁户数", "林山寨街道"] == "—"  # no population reported for 林山寨街道


def test_trends_draw_one_line_per_subdistrict_and_growth_between_two_years(data_folder, downloads):
    app = open_page("trends", metric="disputes_found:case", subs=["林山寨街道", "绿东村街道"])
    assert trace_names(app, "chart-trends") == ["林山寨街道", "绿东村街道"]
    growth = next(frame.value for frame in app.dataframe if "变化" in frame.value.columns)
    assert list(growth.columns) == ["街道/乡镇", "2012", "2013", "变化"]  # the first and last year by default
    assert growth.values.tolist() == [["林山寨街道", "—", "15,900起", "—"], ["绿东村街道", "8,882起", "—", "—"]]
    trend = pd.read_csv(io.BytesIO(downloads["govstats-trends-disputes_found.csv"]), encoding="utf-8-sig")
    assert trend["年份"].tolist() == [2013, 2012]


def test_subdistrict_page_shows_its_place_metrics_by_year_and_articles(data_folder):
    app = open_page("subdistrict", place="林山寨街道")
    assert app.title[0].value == "林山寨街道"
    assert {metric.label: metric.value for metric in app.metric}["区县"] == "中原区"
    by_year = app.dataframe[0].value.set_index("指标")
    assert list(by_year.columns)[-1] == "年份不详" and by_year.loc["搬迁户数", "年份不详"] == "12户"
    assert by_year.loc["搬迁户数", "2013"] == "299户"


def test_subdistrict_page_asks_for_a_subdistrict(data_folder):
    app = open_page("subdistrict")
    assert app.info


def test_facts_drilled_from_a_chart_show_that_subdistrict_and_metric(data_folder):
    app = open_page("facts", sub="林山寨街道", m="disputes_found")
    shown = app.dataframe[0].value
    assert set(shown["街道/乡镇"]) == {"林山寨街道"} and set(shown["指标"]) == {"排查矛盾"} and len(shown) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"metric": "project_investment:CNY"},
        {"metric": "disputes_found:case", "undated": "1"},
        {"metric": "illegal_structures_demolished_area:m2", "targets": "1", "lang": "en"},
    ],
)
def test_the_bars_and_the_interactive_chart_show_the_same_places(data_folder, query):
    interactive = open_page(**query, chart="interactive")
    assert not [block for block in interactive.markdown if 'class="govstats-bars"' in block.value]  # one chart at a time
    assert charted_places(open_page(**query)) == charted_subdistricts(interactive, "chart-overview")


def test_a_bar_links_to_the_facts_behind_it_with_the_filters(data_folder):
    from urllib.parse import parse_qs, urlsplit

    app = open_page(metric="project_investment:CNY", city="郑州市")
    links = [link.get("href") for link in overview_bars(app).iter("a")]
    assert [urlsplit(link).path for link in links] == ["facts"] * len(charted_places(app))
    query = parse_qs(urlsplit(links[1]).query)
    assert query == {"sub": ["绿东村街道"], "m": ["project_investment"], "city": ["郑州市"]}
    shown = open_page("facts", **{key: values[0] for key, values in query.items()}).dataframe[0].value
    assert set(shown["街道/乡镇"]) == {"绿东村街道"} and set(shown["指标"]) == {"项目投资"}


def test_clicking_a_bar_opens_the_facts_behind_it(data_folder):
    app = open_page(metric="project_investment:CNY", chart="interactive")
    app.session_state["chart-overview"] = {
        "selection": {"points": [{"customdata": [1, False], "x": "新城街道"}], "point_indices": [1], "box": [], "lasso": []}
    }
    app.run()
    assert not app.exception
    shown = app.dataframe[0].value
    assert set(shown["街道/乡镇"]) == {"新城街道"} and set(shown["指标"]) == {"项目投资"}


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


def test_facts_page_says_why_the_category_and_the_place(tmp_path, monkeypatch):
    from dashboard import data

    rows = fact_rows()
    rows[0].update(category_evidence="clause:拆除违章建筑", place_evidence="heading:林山寨街道")
    monkeypatch.setenv("GOVSTATS_DATA", str(write_tables(tmp_path / "data", rows)))
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    app = open_page("facts", fact=rows[0]["fact_id"])
    shown = unescape("\n".join(block.value for block in app.markdown))
    assert "类别依据</b>: 本分句「拆除违章建筑」" in shown and "地点依据</b>: 小标题「林山寨街道」" in shown


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
    downloaded = pd.read_csv(io.BytesIO(downloads["govstats-facts-page.csv"]), encoding="utf-8-sig")
    assert downloaded["原文"].tolist() == shown["原文"].tolist()


def test_the_whole_filtered_table_downloads_with_fact_id_and_sentence(data_folder):
    from dashboard import data

    whole = pd.read_csv(io.BytesIO(data.filtered_csv(data.current_table(), data.Filters(search="办结率"))), encoding="utf-8-sig")
    assert len(whole) == 4 and {"fact_id", "sentence"} <= set(whole.columns)


def test_dictionary_lists_every_metric_with_its_counts(data_folder):
    from etl.metric_catalog import catalog

    app = open_page("dictionary")
    shown = app.dataframe[0].value.set_index("代码")
    assert len(shown) == len(catalog())
    assert shown.loc["households_relocated", "指标"] == "搬迁户数"
    assert (shown.loc["households_relocated", "数据点"], shown.loc["households_relocated", "街道/乡镇"]) == (2, 1)
    assert shown.loc["funds_raised", "数据点"] == 0 and shown.loc["funds_raised", "定义"]


PAGES = ["overview", "compare", "trends", "subdistrict", "facts", "dictionary"]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_none_true_false_a_question_mark_or_midnight(data_folder, page, language):
    from dashboard import data

    fact = data.fact_rows(data.current_table(), data.Filters(search="12户"), 0, 1)[0]["fact_id"].iloc[0]
    app = open_page(
        page, lang=language, subs=["林山寨街道", "新城街道"], place="林山寨街道", fact=fact, undated="1", targets="1"
    )
    shown = [str(cell) for frame in app.dataframe for cell in frame.value.astype(str).to_numpy().ravel()]
    shown += [str(cell) for table in app.table for cell in table.value.astype(str).to_numpy().ravel()]
    shown += [block.value for block in [*app.markdown, *app.caption, *app.info]] + [m.value for m in app.metric]
    for word in ("None", "True", "False", "nan", "NaT", "00:00:00", "<NA>"):
        assert not [cell for cell in shown if word in cell], (word, page)
    assert "?" not in shown and not [cell for cell in shown if "（?）" in cell]


def test_missing_table_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVSTATS_DATA", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert "govstats etl" in app.error[0].value


@pytest.mark.parametrize(
    "column, values",
    [
        ("2013", ["299户"]),
        ("年份不详", ["12户"]),  # the undated figure, apart
    ],
)
def test_clicking_a_cell_of_the_subdistrict_page_opens_its_facts(data_folder, column, values):
    app = open_page("subdistrict", place="林山寨街道")
    row = app.dataframe[0].value["指标"].tolist().index("搬迁户数")
    app.session_state["by-year"] = {"selection": {"rows": [], "columns": [], "cells": [[row, column]]}}
    app.run()
    assert not app.exception
    shown = app.dataframe[0].value
    assert shown["数值"].tolist() == values and set(shown["街道/乡镇"]) == {"林山寨街道"}


@pytest.mark.parametrize("page", ["overview", "trends"])
def test_every_chart_offers_png_and_svg(data_folder, page):
    app = open_page(page, metric="disputes_found:case")
    labels = [button.proto.label for button in app.get("download_button")]
    assert "下载 PNG" in labels and "下载 SVG" in labels
