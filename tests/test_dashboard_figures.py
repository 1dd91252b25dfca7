"""The counting rules (dashboard/figures.py), the plot builders (charts.py), the shown tables
(tables.py) and the labels, on frames built from rows as the seed articles report them."""

from __future__ import annotations

import html
import math

import pandas as pd
import pytest

from dashboard import charts, figures, tables
from dashboard.labels import labels_for
from tests.test_dashboard_table import SCRIPT_SENTENCE, fact_rows

ZH, EN = labels_for("zh"), labels_for("en")


def span(sub, metric, value, doc="d1", year=2013, unit="CNY", qualifier="exact", target=False, category=None):
    return {
        "city": "郑州市", "district": "中原区", "subdistrict": sub, "metric": metric, "unit": unit, "year": year, "is_target": target,
        "category": category or ("case_resolution" if unit in ("case", "percent") else "investment"),
        "value": float(value), "qualifier": qualifier, "doc_id": doc, "source": f"seeds/{doc}.txt",
    }  # fmt: skip


def one_figure(*spans) -> pd.Series:
    found = figures.reported_figures(pd.DataFrame(list(spans)))
    assert len(found) == 1, found
    return found.iloc[0]


@pytest.mark.parametrize(
    "spans, value, conflict, approximate",
    [
        # 投资68亿元 in the headline and again in the body: one figure, counted once
        ([span("林山寨街道", "project_investment", 68e8), span("林山寨街道", "project_investment", 68e8)], 68e8, False, False),
        # an article that repeats a figure and adds another agrees with one that gives the total
        ([span("林山寨街道", "project_investment", 68e8), span("林山寨街道", "project_investment", 68e8), span("林山寨街道", "project_investment", 2e8), span("林山寨街道", "project_investment", 70e8, doc="d2")], 70e8, False, False),
        # two projects in one article (68亿元, 近2亿元): separate items, added
        ([span("林山寨街道", "project_investment", 68e8), span("林山寨街道", "project_investment", 2e8, qualifier="nearly")], 70e8, False, True),
        # two articles report the same 15882起: counted once, no conflict
        ([span("林山寨街道", "disputes_found", 15882, unit="case"), span("林山寨街道", "disputes_found", 15882, doc="d2", unit="case")], 15882, False, False),
        # two articles disagree (15882起 vs 15900起): a conflict, never added; the larger is shown
        ([span("林山寨街道", "disputes_found", 15882, unit="case"), span("林山寨街道", "disputes_found", 15900, doc="d2", unit="case")], 15900, True, False),
        # two different rates are never added, even in one article
        ([span("林山寨街道", "resolution_rate", 99.22, unit="percent"), span("林山寨街道", "resolution_rate", 98.3, unit="percent")], 99.22, True, False),
        # 200多万元 twice in one article: one approximate figure
        ([span("桐柏路街道", "spending", 2e6, qualifier="more_than"), span("桐柏路街道", "spending", 2e6, qualifier="more_than")], 2e6, False, True),
    ],
)
def test_counting_rules(spans, value, conflict, approximate):
    figure = one_figure(*spans)
    assert (figure["value"], figure["conflict"], figure["approximate"]) == (value, conflict, approximate)
    assert figure["n_spans"] == len(spans)


def test_a_conflict_lists_each_article_total_with_its_sources():
    spans = pd.DataFrame(
        [
            span("林山寨街道", "disputes_found", 15882, doc="001", unit="case"),
            span("林山寨街道", "disputes_found", 15900, doc="001_repeat", unit="case"),
            span("林山寨街道", "disputes_found", 15882, doc="002", unit="case"),
            span("绿东村街道", "disputes_found", 8882, doc="001", unit="case"),
        ]
    )
    found = figures.conflicts(figures.reported_figures(spans), figures.figure_alternatives(spans))
    found = found.sort_values(["subdistrict", "value"], ascending=[True, False])
    assert [(row.subdistrict, row.value, row.sources) for row in found.itertuples()] == [
        ("林山寨街道", 15900.0, ("001_repeat.txt",)),
        ("林山寨街道", 15882.0, ("001.txt", "002.txt")),
    ]


@pytest.mark.parametrize(
    "first, second",
    [
        (span("林山寨街道", "disputes_found", 15882, unit="case"), span("林山寨街道", "disputes_found", 100, unit="case", target=True)),
        (span("林山寨街道", "disputes_found", 15882, unit="case"), span("林山寨街道", "disputes_found", 100, unit="case", year=2012)),
        (span("林山寨街道", "disputes_found", 15882, unit="case"), span("绿东村街道", "disputes_found", 8882, unit="case")),
        (span("林山寨街道", "disputes_found", 15882, unit="case"), span("林山寨街道", "disputes_found", 15882, unit="case", year=None)),
    ],
)
def test_targets_years_and_places_are_kept_apart(first, second):
    found = figures.reported_figures(pd.DataFrame([first, second]))
    assert len(found) == 2 and not found["conflict"].any()


def test_same_name_in_two_districts_stays_two_places():
    rows = pd.DataFrame(
        [
            {**span("新城街道", "project_investment", 43.1e8), "city": "商丘市", "district": "睢阳区"},
            {**span("新城街道", "project_investment", 5e8), "city": "郑州市", "district": "二七区"},
        ]
    )
    found = figures.reported_figures(rows)
    assert sorted(found["place"]) == ["新城街道（二七区）", "新城街道（睢阳区）"] and not found["conflict"].any()


def test_rows_without_a_subdistrict_are_left_out():
    rows = pd.DataFrame([span(None, "tax_revenue", 5e7), span("淮河路街道", "spending", 2e5)])
    assert figures.reported_figures(rows)["subdistrict"].tolist() == ["淮河路街道"]


@pytest.fixture
def reported():
    return figures.reported_figures(pd.DataFrame(fact_rows()))


def test_metric_totals_sorts_subdistricts_by_value(reported):
    totals = figures.metric_totals(reported, "project_investment", "CNY")
    assert totals["place"].tolist() == ["林山寨街道", "新城街道", "绿东村街道"]


def test_metric_totals_add_years_but_show_a_rate_for_its_latest_year():
    rows = pd.DataFrame(
        [
            span("林山寨街道", "disputes_found", 100, unit="case", year=2012),
            span("林山寨街道", "disputes_found", 200, unit="case", year=2013),
            span("林山寨街道", "resolution_rate", 90, unit="percent", year=2012),
            span("林山寨街道", "resolution_rate", 99.22, unit="percent", year=2013),
        ]
    )
    reported = figures.reported_figures(rows)
    cases = figures.metric_totals(reported, "disputes_found", "case").iloc[0]
    rate = figures.metric_totals(reported, "resolution_rate", "percent").iloc[0]
    assert (cases["value"], cases["years"]) == (300, "2012–2013")
    assert (rate["value"], rate["years"]) == (99.22, "2013")


@pytest.mark.parametrize(
    "include_undated, value, years, undated",
    [
        (False, 300, "2012–2013", 1),  # 年份不详 stands apart: never silently added to a year
        (True, 350, "2012–2013、年份不详", 1),  # included on request, and the years say so
    ],
)
def test_undated_figures_are_left_out_of_totals_unless_included(include_undated, value, years, undated):
    rows = pd.DataFrame(
        [
            span("林山寨街道", "disputes_found", 100, unit="case", year=2012),
            span("林山寨街道", "disputes_found", 200, unit="case", year=2013),
            span("林山寨街道", "disputes_found", 50, unit="case", year=None),
        ]
    )
    total = figures.metric_totals(figures.reported_figures(rows), "disputes_found", "case", include_undated).iloc[0]
    assert (total["value"], ZH.years(total["years"], total["has_undated"]), total["undated"]) == (value, years, undated)


def test_a_chart_holds_one_metric_only():
    """办结率 and 调解成功率-like rates, or households relocated and households stopped from building,
    are different metrics: a chart of one never adds or shows the other."""
    rows = pd.DataFrame(
        [
            span("林山寨街道", "households_relocated", 299, unit="household", category="demolition"),
            span("林山寨街道", "illegal_construction_stopped", 12, unit="household", category="demolition"),
            span("林山寨街道", "resolution_rate", 99.22, unit="percent"),
            span("林山寨街道", "coverage_rate", 100, unit="percent"),
        ]
    )
    reported = figures.reported_figures(rows)
    assert figures.metric_totals(reported, "households_relocated", "household")["value"].tolist() == [299]
    assert figures.metric_totals(reported, "resolution_rate", "percent")["value"].tolist() == [99.22]
    assert sorted(figures.metric_choices(reported)["code"]) == [
        "coverage_rate:percent", "households_relocated:household", "illegal_construction_stopped:household",
        "resolution_rate:percent",
    ]  # fmt: skip


def test_coverage_counts_facts_per_year_with_unknown_years_apart():
    rows = pd.DataFrame(
        [
            span("林山寨街道", "disputes_found", 100, unit="case", year=2012),
            span("林山寨街道", "disputes_found", 100, unit="case", year=2012),
            span("林山寨街道", "project_investment", 2e8, year=None, qualifier="nearly"),
            span("林山寨街道", "project_investment", 3e8, year=2013, target=True),
            span("新城街道", "disputes_found", 5, unit="case", year=None),
        ]
    )
    shown = tables.coverage_table(figures.coverage(figures.reported_figures(rows)), ZH).set_index("街道/乡镇")
    assert list(shown.columns) == ["2012", "2013", "年份不详", "数据点", "目标值", "约数", "冲突"]
    assert shown.loc["林山寨街道"].tolist() == [2, 1, 1, 4, 1, 1, 0]
    assert shown.loc["新城街道"].tolist() == [0, 0, 1, 1, 0, 0, 0]


def test_growth_between_two_years_in_percent_and_in_points():
    rows = pd.DataFrame(
        [
            span("林山寨街道", "disputes_found", 100, unit="case", year=2012),
            span("林山寨街道", "disputes_found", 150, unit="case", year=2014),
            span("绿东村街道", "disputes_found", 80, unit="case", year=2014),
            span("林山寨街道", "resolution_rate", 90, unit="percent", year=2012),
            span("林山寨街道", "resolution_rate", 99.5, unit="percent", year=2014),
        ]
    )
    reported = figures.reported_figures(rows)
    cases = figures.growth(reported, "disputes_found", "case", ["林山寨街道", "绿东村街道"], 2012, 2014)
    shown = tables.growth_table(cases, "disputes_found", "case", 2012, 2014, ZH)
    assert shown.values.tolist() == [["林山寨街道", "100起", "150起", "+50%"], ["绿东村街道", "—", "80起", "—"]]
    rate = figures.growth(reported, "resolution_rate", "percent", ["林山寨街道"], 2012, 2014)
    assert tables.growth_table(rate, "resolution_rate", "percent", 2012, 2014, EN)["Change"].tolist() == ["+9.5 pp"]


def test_compare_per_capita_divides_by_reported_population_and_leaves_others_missing(reported):
    profile = reported[reported["metric"].isin(["population", "area"])]
    rows = figures.compare_figures(reported, profile, ["新城街道", "林山寨街道"], "per_capita")
    xincheng = rows[(rows["subdistrict"] == "新城街道") & (rows["metric"] == "project_investment")].iloc[0]
    linshanzhai = rows[(rows["subdistrict"] == "林山寨街道") & (rows["metric"] == "project_investment")].iloc[0]
    assert xincheng["value"] == pytest.approx(43.1e8 / 150000) and xincheng["scaled_unit"] == "CNY/person"
    assert math.isnan(linshanzhai["value"])
    per_km2 = figures.compare_figures(reported, profile, ["新城街道"], "per_km2")
    assert per_km2[per_km2["metric"] == "funds_in_place"]["value"].iloc[0] == pytest.approx(28.1e8 / 33.1)


def test_compare_table_lines_a_metric_up_across_subdistricts_whatever_their_years(reported):
    alternatives = figures.figure_alternatives(pd.DataFrame(fact_rows()))
    rows = figures.compare_figures(reported, reported.iloc[:0], ["林山寨街道", "新城街道"], alternatives=alternatives)
    shown = tables.compare_table(rows, ["林山寨街道", "新城街道"], ZH)
    assert list(shown.columns) == ["类别", "指标", "单位", "林山寨街道", "新城街道"]
    cell = shown.set_index("指标").loc
    assert cell["项目投资", "林山寨街道"] == "约70亿元（2013）"  # 2013 and 2019 on one row
    assert cell["项目投资", "新城街道"] == "43.1亿元（2019）"
    assert cell["到位资金", "林山寨街道"] == "—"  # not reported: missing, not 0
    assert cell["排查矛盾", "林山寨街道"] == "⚠ 15,900起 / 15,882起（2013）"


def test_metric_bar_draws_money_in_yi_with_exact_hover_and_hatched_conflicts():
    rows = pd.DataFrame(
        [
            span("林山寨街道", "funds_in_place", 4e8),
            span("林山寨街道", "funds_in_place", 5e8, doc="d2"),
            span("绿东村街道", "funds_in_place", 12e8),
        ]
    )
    totals = figures.metric_totals(figures.reported_figures(rows), "funds_in_place", "CNY")
    figure = charts.metric_bar(totals, "funds_in_place", "CNY", "到位资金", ZH)
    (bars,) = figure.data
    assert list(bars.y) == [12, 5] and figure.layout.yaxis.title.text == "亿元"
    assert figure.layout.yaxis.tickformat == charts.TICKS  # 1,500 not 1.5k
    assert "1,200,000,000元" in bars.hovertext[0]
    assert list(bars.marker.pattern.shape) == ["", charts.CONFLICT_PATTERN]
    assert [charts.clickable_places(totals)[point[0]] for point in bars.customdata] == ["绿东村街道", "林山寨街道"]  # what a click opens


def svg_bars(totals: pd.DataFrame, metric: str, unit: str, labels=ZH):
    """The SVG bars of `totals`, parsed, each bar's link naming its place."""
    from xml.etree import ElementTree

    drawn = charts.metric_bar_svg(totals, metric, unit, "标题", labels, lambda place: "facts?sub=" + place)
    assert "\n" not in drawn  # one line: Markdown would read a blank line as the end of the HTML
    return ElementTree.fromstring(drawn)


@pytest.mark.parametrize(
    "spans, metric, unit, places, fills, axis, ticks",
    [
        (  # money in 亿元, conflicts hatched, largest first
            [span("林山寨街道", "funds_in_place", 4e8), span("林山寨街道", "funds_in_place", 5e8, doc="d2"),
             span("绿东村街道", "funds_in_place", 12e8)],
            "funds_in_place", "CNY", ["绿东村街道", "林山寨街道"], [[], ["url(#govstats-conflict)"]], "亿元",
            ["0", "5", "10", "15"],
        ),
        (  # a target beside the achieved figure, crossed and paler
            [span("新城街道", "households_relocated", 300, unit="household"),
             span("新城街道", "households_relocated", 500, unit="household", target=True)],
            "households_relocated", "household", ["新城街道", "新城街道"], [[], ["url(#govstats-target)"]], "户",
            ["0", "100", "200", "300", "400", "500"],
        ),
        (  # a rate: its latest year, not a sum; ticks with decimals where the step needs them
            [span("桐柏路街道", "resolution_rate", 98.5, unit="percent", year=2012),
             span("桐柏路街道", "resolution_rate", 1.2, unit="percent", year=2013)],
            "resolution_rate", "percent", ["桐柏路街道"], [[]], "%", ["0.0", "0.5", "1.0", "1.5"],
        ),
    ],
)  # fmt: skip
def test_metric_bar_svg_draws_the_bars_of_metric_bar(spans, metric, unit, places, fills, axis, ticks):
    reported = figures.reported_figures(pd.DataFrame(spans))
    totals = figures.metric_totals(reported, metric, unit, include_undated=True)
    svg = svg_bars(totals, metric, unit)
    bars = list(svg.iter("a"))
    assert [bar.get("href").removeprefix("facts?sub=") for bar in bars] == places
    assert [[rect.get("fill") for rect in bar.iter("rect")][1:] for bar in bars] == fills
    assert [text.text for text in svg.iter("text") if text.get("class") == "govstats-axis-title"] == [axis]
    assert [text.text for text in svg.iter("text") if text.get("class") == "ytick"] == ticks
    plotly_order = list(charts.metric_bar(totals, metric, unit, "标题", ZH).layout.xaxis.categoryarray)
    assert [text.text for text in svg.iter("text") if text.get("class") == "xtick"] == plotly_order


@pytest.mark.parametrize(
    "place",
    ['<a href="https://evil.example">新城街道</a>', "**粗体**街道 ![i](https://evil.example/i.png)", "$x$ %{y} &amp; 街道"],
)
def test_metric_bar_svg_shows_a_hostile_name_as_its_characters(place):
    from dashboard import safe

    totals = figures.metric_totals(figures.reported_figures(pd.DataFrame([span(place, "funds_in_place", 4e8)])), "funds_in_place", "CNY")
    svg = svg_bars(totals, "funds_in_place", "CNY")
    assert {element.tag for element in svg.iter()} <= {"svg", "defs", "pattern", "path", "text", "line", "rect", "a", "title"}
    assert [t.text.replace(safe.JOINER, "") for t in svg.iter("text") if t.get("class") == "xtick"] == [place]
    (hover,) = [title.text.replace(safe.JOINER, "") for title in svg.iter("title")]
    assert hover.splitlines()[0] == place and hover.splitlines()[-1] == "点击查看相关数据"


@pytest.mark.parametrize(
    "largest, smallest, ticks",
    [(43.1, 0.0, [0, 10, 20, 30, 40, 50]), (0.0, 0.0, [0, 1]), (7.0, 0.0, [0, 2, 4, 6, 8]), (2.4, -1.0, [-1, 0, 1, 2, 3]),
     (15882.0, 0.0, [0, 5000, 10000, 15000, 20000]), (0.012, 0.0, [0, 0.005, 0.01, 0.015])],
)  # fmt: skip
def test_nice_ticks_cover_the_values_from_zero(largest, smallest, ticks):
    assert charts.nice_ticks(largest, smallest) == pytest.approx(ticks)


def test_trend_lines_dash_targets_and_mark_approximate_points():
    rows = pd.DataFrame(
        [
            span("林山寨街道", "disputes_found", 100, unit="case", year=2012),
            span("林山寨街道", "disputes_found", 150, unit="case", year=2013, qualifier="more_than"),
            span("林山寨街道", "disputes_found", 200, unit="case", year=2014, target=True),
        ]
    )
    trend = figures.trend_rows(figures.reported_figures(rows), "disputes_found", "case", ["林山寨街道"])
    figure = charts.trend_lines(trend, "disputes_found", "case", "排查矛盾", ZH)
    achieved, target = figure.data
    assert list(achieved.x) == [2012, 2013] and achieved.line.dash == "solid"
    assert list(achieved.marker.symbol) == ["circle", "circle-open"]
    assert target.line.dash == "dash" and target.name == "林山寨街道 (目标)"


def test_compare_bars_show_each_subdistricts_latest_figure_with_its_year(reported):
    rows = figures.compare_figures(reported, reported.iloc[:0], ["林山寨街道", "新城街道", "绿东村街道"])
    latest = tables.latest_per_place(rows)
    charted = latest[latest["metric"] == "project_investment"]
    figure = charts.compare_bars(charted, "project_investment", ["林山寨街道", "新城街道", "绿东村街道"], "项目投资", EN)
    (bars,) = figure.data
    assert list(bars.x) == ["新城街道", "林山寨街道", "绿东村街道"] or sorted(bars.x) == sorted(["林山寨街道", "新城街道", "绿东村街道"])
    assert dict(zip(bars.x, bars.text)) == {"林山寨街道": "2013", "新城街道": "2019", "绿东村街道": "2012"}
    assert figure.layout.yaxis.title.text == "CNY billion"


@pytest.mark.parametrize(
    "labels, value, unit, qualifier, written",
    [
        (ZH, 4e8, "CNY", "exact", "4亿元"),
        (ZH, 2e6, "CNY", "more_than", "超200万元"),
        (ZH, 20600, "CNY", "exact", "2.06万元"),
        (ZH, 5000, "CNY", "approx", "约5,000元"),
        (ZH, 15000, "m2", "more_than", "超15,000平方米"),
        (ZH, 250000, "m2", "exact", "25万平方米"),
        (ZH, 15882, "case", "exact", "15,882起"),
        (ZH, 299, "household", "exact", "299户"),
        (ZH, 150000, "person", "exact", "15万人"),
        (ZH, 99.22, "percent", "exact", "99.22%"),
        (ZH, 28733.3, "CNY/person", "exact", "28,733.3元/人"),
        (ZH, 12.5, "case/10k_person", "exact", "12.5起/万人"),
        (EN, 68e8, "CNY", "exact", "CNY 6.8 billion"),
        (EN, 4.1e8, "CNY", "exact", "CNY 410 million"),
        (EN, 2e8, "CNY", "nearly", "nearly CNY 200 million"),
        (EN, 20600, "CNY", "exact", "CNY 20,600"),
        (EN, 15882, "case", "exact", "15,882 cases"),
        (EN, 2.5e6, "person", "exact", "2.5 million people"),
        (EN, float("nan"), "case", "exact", "—"),
    ],
)
def test_amounts_read_as_a_reader_writes_them(labels, value, unit, qualifier, written):
    assert labels.amount(value, unit, qualifier) == written


@pytest.mark.parametrize(
    "labels, value, metric, written",
    [
        (ZH, 33.1e6, "area", "33.1平方公里"),  # a unit's area in 平方公里
        (ZH, 33.1e6, "demolition_area", "3,310万平方米"),  # a floor area in 万平方米
        (EN, 33.1e6, "area", "33.1 km²"),
    ],
)
def test_large_areas_read_in_square_kilometres_or_ten_thousand_square_metres(labels, value, metric, written):
    assert labels.amount(value, "m2", metric=metric) == written


def test_every_page_text_key_exists_in_both_languages():
    from dashboard.labels import _table

    for section in ("text", "unit", "category", "qualifier"):
        assert set(_table()["zh"][section]) == set(_table()["en"][section]), section


def test_sentence_is_escaped_with_the_figure_marked():
    shown = tables.highlighted_sentence(SCRIPT_SENTENCE, "6500余平方米")
    assert "<script>" not in shown and "<script>" in html.unescape(shown)
    assert "<mark>6500余平方米</mark>" in shown


def test_csv_download_is_utf8_with_bom_and_round_trips_chinese():
    import io

    frame = pd.DataFrame({"街道/乡镇": ["林山寨街道"], "数值": ["约70亿元"]})
    data = tables.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").equals(frame)
