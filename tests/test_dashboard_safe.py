"""dashboard/safe.py: untrusted text keeps its characters and loses its power, in Markdown, in
Plotly and in CSV cells. What the browser makes of it is checked in tests/test_browser.py."""

from __future__ import annotations

import html
import io
import re

import pandas as pd
import pytest

from dashboard import safe, tables

HOSTILE = [  # text as it reaches the dashboard from crawled pages, --meta files and URLs
    "![t](http://host/x.png) [点此登录](https://evil.example/login)",
    "<img src=x onerror=alert(1)>新城街道",
    "<a href='https://evil.example'>林山寨街道</a>",
    "**粗体** _斜体_ ~~删除~~ `代码`",
    ":red[红色] :material/home: :smile:",
    "$x^2$ 与 $$y$$",
    "# 标题\n\n- 列表\n\n    缩进代码",
    "https://evil.example/bare and www.evil.example and a@evil.example",
    "%{x} %{customdata[0]} 50%",
    "<script>alert('x')</script>",
    "&lt;b&gt;已转义&lt;/b&gt; &amp;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_keeps_every_character_and_no_syntax(text):
    escaped = safe.markdown(text)
    assert not any(mark in escaped for mark in "<>[]()!*_`~:$%{}@/\n")
    read = html.unescape(escaped)  # what Streamlit's link finder reads after Markdown
    assert not re.search(r"://|www\.|\w@", read, re.IGNORECASE)
    assert read.replace(safe.JOINER, "") == " ".join(text.split())  # and what a reader sees


@pytest.mark.parametrize("text", HOSTILE)
def test_plotly_labels_keep_every_character_and_no_tag_or_template(text):
    escaped = safe.plotly(text)
    assert "<" not in escaped and "%{" not in escaped and "$" not in escaped
    assert html.unescape(escaped) == " ".join(text.split())


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=HYPERLINK(\"https://evil.example\",\"点此\")", "'=HYPERLINK(\"https://evil.example\",\"点此\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.5", "-12.5"),  # a number written as text stays a number
        ("+3", "+3"),
        ("1e5", "1e5"),
        ("林山寨街道", "林山寨街道"),
        ("约70亿元", "约70亿元"),
        ("—", "—"),  # the missing marker is an em dash, not a minus
        (-3.5, -3.5),
        (12, 12),
        (None, None),
    ],
)
def test_csv_cells_that_start_a_formula_are_quoted(value, expected):
    assert safe.csv_cell(value) == expected


def test_csv_download_escapes_cells_and_headers_but_not_numbers():
    frame = pd.DataFrame({"=街道": ["=HYPERLINK(1)", "新城街道"], "数值": [-1.5, 2.0], "文本数值": ["-1.5", "@x"]})
    read = pd.read_csv(io.BytesIO(tables.csv_bytes(frame)), encoding="utf-8-sig", dtype=str)
    assert list(read.columns) == ["'=街道", "数值", "文本数值"]
    assert read.values.tolist() == [["'=HYPERLINK(1)", "-1.5", "-1.5"], ["新城街道", "2.0", "'@x"]]
    assert frame.iloc[0, 0] == "=HYPERLINK(1)"  # the shown frame is not changed


@pytest.mark.parametrize("text", HOSTILE)
def test_an_html_table_shows_headers_and_cells_as_their_characters(text):
    from xml.etree import ElementTree

    frame = pd.DataFrame({"指标": [text], text: [text], "新城街道": ["43.1亿元（2019）"]})
    table = ElementTree.fromstring(tables.html_table(frame, "指标"))
    assert {element.tag for element in table.iter()} <= {"table", "thead", "tbody", "tr", "th", "td"}
    shown = [[cell.text.replace(safe.JOINER, "") for cell in row] for row in table.iter("tr")]
    plain = " ".join(text.split())
    assert shown == [["指标", plain, "新城街道"], [plain, plain, "43.1亿元（2019）"]]
