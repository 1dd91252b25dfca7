"""A chart exported for publication (dashboard/exports.py): the SVG holds its title, the filters and
the source line, drawn by Kaleido with the machine's own Chromium (nothing is downloaded)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pandas as pd
import pytest

from dashboard import charts, exports, figures
from dashboard.labels import labels_for
from tests.test_dashboard_table import fact_rows

pytestmark = pytest.mark.skipif(not exports.renderer_available(), reason="no Chromium for Kaleido (scripts/ensure-chromium)")
SVG = "{http://www.w3.org/2000/svg}"


def exported_chart(kind: str, language: str) -> bytes:
    labels = labels_for(language)
    reported = figures.reported_figures(pd.DataFrame(fact_rows()))
    totals = figures.metric_totals(reported, "project_investment", "CNY")
    title = labels.metric_with_unit("project_investment", "CNY")
    note = exports.Note(filters=f"{labels.text('city')}: 郑州市", source=labels.text("source_line", documents="5", date="2026-12-06"))
    return exports.image(charts.metric_bar(totals, "project_investment", "CNY", title, labels), note, kind)


@pytest.mark.parametrize(
    "language, title, filters, source",
    [
        ("zh", "项目投资（元）", "城市: 郑州市", "govstats，5 篇文章，数据截至 2026-12-06"),
        ("en", "project investment (CNY)", "City: 郑州市", "govstats, 5 articles, data of 2026-12-06"),
    ],
)
def test_svg_export_draws_title_filters_and_source_line(language, title, filters, source):
    root = ElementTree.fromstring(exported_chart("svg", language))
    texts = ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]
    assert title in texts and filters in texts and source in texts
    assert "林山寨街道" in texts  # the chart itself


def test_png_export_is_a_png():
    assert exported_chart("png", "zh").startswith(b"\x89PNG\r\n\x1a\n")


def test_an_unknown_image_kind_is_refused():
    with pytest.raises(ValueError, match="unknown image kind 'gif'"):
        exports.image(charts.metric_bar(pd.DataFrame(columns=["place", "is_target", "value", "conflict", "approximate", "years"]), "area", "m2", "", labels_for("zh")), exports.Note("", ""), "gif")
