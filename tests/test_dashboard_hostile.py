"""The hostile corpus (tests/hostile.py) on every page, with AppTest: no text from data reaches
Markdown, Plotly or a CSV cell with its power (links, images, tags, formatting, formulas).
What a real browser makes of it (requests, dialogs, links) is tested in tests/test_browser.py."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import safe
from tests import hostile
from tests.test_dashboard_app import downloads, open_page  # noqa: F401 (a fixture)

OUR_PLOTLY_TAGS = {"<b>", "</b>", "<br>"}
OUR_LINK = re.compile(r'<a href="[^"]*" rel="noopener noreferrer nofollow" target="_blank">打开原文</a>')  # Facts: the article
OUR_BAR_LINK = re.compile(r'<a class="bar" href="facts\?[^"<>]*">')  # Overview: a bar's facts (URL-encoded names)
OUR_SVG_TAGS = {"svg", "defs", "pattern", "path", "text", "line", "rect", "a", "title"}
PAGES = [  # (page, URL parameters)
    (None, {}),
    (None, {"targets": "true", "lang": "English"}),
    (None, {"section": "矛盾纠纷（起）"}),
    ("compare", {"subs": hostile.SUBDISTRICTS[:3]}),
    ("compare", {"subs": hostile.SUBDISTRICTS[:3], "view": "chart"}),
    ("compare", {"subs": hostile.SUBDISTRICTS[1:], "scale": "per_capita", "view": "chart"}),
    ("facts", {}),
    ("facts", {"fact": hostile.fact_of_article("h1")}),
    ("facts", {"fact": hostile.fact_of_article("h2")}),
    ("facts", {"fact": "[点此](https://evil.example/f) ![i](https://evil.example/f.png)"}),
    ("review", {"fact": hostile.fact_of_article("h2")}),
    ("review", {"fact": "[点此](https://evil.example/f) ![i](https://evil.example/f.png)"}),
]


@pytest.fixture
def hostile_folder(tmp_path, monkeypatch):
    from dashboard import data

    folder = hostile.write_hostile_tables(tmp_path / "data")
    monkeypatch.setenv("GOVSTATS_DATA", str(folder))
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    return folder


def markdown_texts(app: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    texts = [element.value for kind in ("markdown", "caption", "title", "subheader", "header") for element in app.get(kind)]
    texts += [element.value for kind in ("warning", "info", "error", "success") for element in app.get(kind)]
    texts += [text for metric in app.metric for text in (metric.label, metric.value)]
    texts += [expander.label for expander in app.expander]
    for table in app.table:
        frame = table.value
        texts += [str(name) for name in (*frame.columns, *frame.index, frame.index.name)]
        texts += [cell for cell in frame.to_numpy().ravel() if isinstance(cell, str)]
    return texts


def plotly_strings(app: AppTest) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for chart in app.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


@pytest.mark.parametrize("page, query", PAGES)
def test_no_markdown_or_html_from_data_reaches_the_page(hostile_folder, page, query):
    app = open_page(page, **query)
    texts = [OUR_BAR_LINK.sub("", OUR_LINK.sub("", text)) for text in markdown_texts(app)]
    assert texts
    leaked = [text for text in texts if hostile.EVIL in text or "**" in text or "![" in text or "](" in text]
    assert leaked == []


@pytest.mark.parametrize(
    "page, query", [(None, {**query, "chart": "interactive"}) for page, query in PAGES if page is None] + [
        entry for entry in PAGES if "view" in entry[1]
    ]
)  # fmt: skip
def test_no_tag_template_or_formula_from_data_reaches_a_chart(hostile_folder, page, query):
    strings = plotly_strings(open_page(page, **query))
    assert any(safe.plotly(name) in text for name in hostile.SUBDISTRICTS for text in strings)  # charted
    tags = {tag for text in strings for tag in re.findall(r"<[^<>]*>", text)}
    assert tags <= OUR_PLOTLY_TAGS
    assert not [text for text in strings if "%{" in text or "$" in text]


@pytest.mark.parametrize("query", [query for page, query in PAGES if page is None])
def test_the_overview_bars_hold_no_tag_or_link_from_data(hostile_folder, query):
    from xml.etree import ElementTree

    app = open_page(**query)
    drawn = next(block.value for block in app.markdown if 'class="govstats-bars"' in block.value)
    svg = ElementTree.fromstring(drawn)  # data that made a tag would make an element here
    assert {element.tag for element in svg.iter()} <= OUR_SVG_TAGS
    assert all(link.get("href").startswith("facts?") for link in svg.iter("a"))
    places = [element.text.replace(safe.JOINER, "") for element in svg.iter("text") if element.get("class") == "xtick"]
    assert set(places) & set(hostile.SUBDISTRICTS)  # charted, as their characters
    hovers = [title.text.replace(safe.JOINER, "") for title in svg.iter("title")]
    assert any(name in hover for name in hostile.SUBDISTRICTS for hover in hovers)


def test_the_hostile_title_and_sentence_are_shown_as_their_characters(hostile_folder):
    from html import unescape

    app = open_page("facts", fact=hostile.fact_of_article("h1"))
    shown = unescape("\n".join(block.value for block in app.markdown)).replace(safe.JOINER, "")
    assert hostile.TITLE in shown and "<mark>" in shown
    assert "![s](https://evil.example/s.png) [登录](https://evil.example/l) https://evil.example/bare" in shown


@pytest.mark.parametrize("page, query", PAGES[:5])
def test_every_csv_download_quotes_formulas_and_keeps_numbers(hostile_folder, downloads, page, query):  # noqa: F811
    open_page(page, **query)
    assert downloads
    for name, content in downloads.items():
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        formulas = [cell for cell in cells if safe.csv_cell(cell) != cell]
        assert formulas == [], name
        assert any(cell.startswith("'") for cell in cells), name
