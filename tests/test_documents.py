"""Reading files into Documents: encodings detected, HTML stripped to the article, JSONL, metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.documents import (
    Document,
    DocumentError,
    MetadataTable,
    decode,
    parse_bytes,
    parse_date,
    read_document,
)
from tests.conftest import SEEDS

SEED_TEXT = (SEEDS / "001_3f9c860c84535958.txt").read_text("utf-8")
SHORT = "林山寨街道共排查出各类矛盾问题15882起,办结率达99.22%。\n拆除违章建筑15000余平方米。\n"
TRADITIONAL = "林山寨街道共排查出各類矛盾問題15882起,辦結率達99.22%。\n拆除違章建築15000餘平方米。\n"


@pytest.mark.parametrize(
    "raw, encoding, text",
    [
        (SHORT.encode("utf-8"), "utf-8", SHORT),
        (b"\xef\xbb\xbf" + SHORT.encode("utf-8"), "utf-8", SHORT),
        (SHORT.encode("gb18030"), "gb18030", SHORT),
        (SHORT.encode("gbk"), "gb18030", SHORT),
        (SEED_TEXT.encode("gb18030"), "gb18030", SEED_TEXT),
        (TRADITIONAL.encode("big5"), "big5", TRADITIONAL),
        (SHORT.encode("utf-16"), "utf-16", SHORT),
        (SHORT.encode("utf-16-le"), "utf-16-le", SHORT),
        (SHORT.encode("utf-16-be"), "utf-16-be", SHORT),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "gb18030-long", "big5", "utf16-bom", "utf16le", "utf16be"],
)
def test_encoding_is_detected_and_text_decoded_exactly(raw, encoding, text):
    decoded = decode(raw, "a.txt")
    assert (decoded.encoding, decoded.text) == (encoding, text)


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not text: a PNG image"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)), "not text: a PDF file"),
        (bytes(range(256)) * 16, "not text"),
        (b"\xff\xfe\xfa\x00garbage\x81", "undecodable"),
        (b"\x81\x20\xfe\xff\xfa\x80\x81\x82", "undecodable"),
    ],
    ids=["png", "pdf", "binary", "utf16-bom-garbage", "no-encoding-fits"],
)
def test_what_is_not_text_is_refused_with_the_file_named(raw, problem):
    with pytest.raises(DocumentError) as caught:
        decode(raw, "archive/bad.txt")
    assert str(caught.value).startswith(f"archive/bad.txt: {problem}")


def test_truncated_utf8_keeps_the_text_and_says_so():
    raw = SHORT.encode("utf-8")[:-2]  # drop the line break and cut inside the last 。
    decoded = decode(raw, "a.txt")
    assert (decoded.encoding, decoded.text) == ("utf-8", SHORT[:-2])
    assert decoded.warning.startswith("truncated")


HTML = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>西大街办事处工作纪实 - 郑州日报</title>
<meta name="pubdate" content="2013-04-28"><script>var total = "投资999亿元";</script></head>
<body><nav><ul><li><a href="/">首页</a></li><li><a href="/z">拆除违章建筑88888平方米专题</a></li></ul></nav>
<article><h1>西大街办事处工作纪实</h1>{paragraphs}</article>
<footer>版权所有 郑州日报社 联系电话 0371-67655555</footer></body></html>"""


@pytest.mark.parametrize("charset", ["utf-8", "gb18030"])
def test_html_keeps_the_article_and_its_title_and_date_and_drops_scripts_and_navigation(charset):
    paragraphs = "".join(f"<p>{line}</p>" for line in SEED_TEXT.splitlines() if line.strip())
    raw = HTML.format(charset=charset, paragraphs=paragraphs).encode(charset)
    [document] = parse_bytes(raw, "page.html")
    assert isinstance(document, Document)
    assert "15882" in SEED_TEXT and "林山寨街道" in document.text
    assert "999亿元" not in document.text and "88888" not in document.text and "0371" not in document.text
    assert document.title == "西大街办事处工作纪实"
    assert document.published == dt.date(2013, 4, 28)
    assert document.encoding == charset


def test_html_without_article_text_is_an_empty_document():
    [document] = parse_bytes(b"<html><head><script>var a = 1;</script></head><body></body></html>", "nav.html")
    assert document.text.strip() == ""
    assert "no article text" in document.warning


def test_jsonl_gives_one_document_per_line_and_an_error_per_bad_line():
    lines = [
        '{"text": "拆除违章建筑15000余平方米。", "url": "http://zz.example/1", "title": "拆违", "published": "2013-04-28", "outlet": "郑州日报"}',
        "",
        '{"text": "投资68亿元"}',
        "{not json",
        '{"title": "no text"}',
    ]
    items = parse_bytes("\n".join(lines).encode("utf-8"), "archive.jsonl")
    assert [item.source for item in items] == ["archive.jsonl:1", "archive.jsonl:3", "archive.jsonl:4", "archive.jsonl:5"]
    first, second, bad_json, no_text = items
    assert (first.title, first.outlet, first.url, first.published) == ("拆违", "郑州日报", "http://zz.example/1", dt.date(2013, 4, 28))
    assert second.text == "投资68亿元" and second.published is None
    assert isinstance(bad_json, DocumentError) and "archive.jsonl:4: not JSON" in str(bad_json)
    assert isinstance(no_text, DocumentError) and '"text"' in str(no_text)


@pytest.mark.parametrize(
    "value, date",
    [
        ("2013-04-28", dt.date(2013, 4, 28)),
        ("2013/4/8", dt.date(2013, 4, 8)),
        ("2013.04.28", dt.date(2013, 4, 28)),
        ("2013年4月28日", dt.date(2013, 4, 28)),
        ("2013-04-28T08:30:00+08:00", dt.date(2013, 4, 28)),
        ("", None),
        (None, None),
    ],
)
def test_publication_dates_in_the_forms_archives_use(value, date):
    assert parse_date(value) == date


def test_metadata_file_matches_sources_by_path_relative_path_or_unique_name(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text(
        "source,published,outlet,title,url\n"
        "corpus/2013/a.txt,2013-04-28,郑州日报,,\n"
        "2013/b.txt,2014-01-02,,B,\n"
        "c.txt,2015-05-06,河南商报,,http://c\n"
        "archive.jsonl:2,2016-07-08,,,\n"
        "d.txt,not a date,,,\n",
        encoding="utf-8",
    )
    table = MetadataTable.load(meta)
    assert table.lookup("corpus/2013/a.txt").published == dt.date(2013, 4, 28)
    assert table.lookup("./corpus/2013/a.txt").outlet == "郑州日报"
    assert table.lookup("corpus/2013/b.txt", "2013/b.txt").title == "B"
    assert table.lookup("elsewhere/c.txt").url == "http://c"
    assert table.lookup("corpus/archive.jsonl:2").published == dt.date(2016, 7, 8)
    assert table.lookup("corpus/archive.jsonl:3") is None
    assert table.lookup("corpus/zzz.txt") is None
    assert table.problems == [f"{meta}:6: published 'not a date' is not a date"]


def test_metadata_wins_over_what_the_page_says(tmp_path):
    meta = tmp_path / "meta.jsonl"
    meta.write_text('{"source": "page.html", "published": "2014-01-02", "outlet": "郑州日报"}\n', encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in SEED_TEXT.splitlines() if line.strip())
    [document] = parse_bytes(HTML.format(charset="utf-8", paragraphs=paragraphs).encode(), "page.html")
    document = MetadataTable.load(meta).lookup("page.html").apply(document)
    assert (document.published, document.outlet, document.title) == (dt.date(2014, 1, 2), "郑州日报", "西大街办事处工作纪实")


def test_metadata_file_without_source_column_is_refused(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,published\na.txt,2013-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no `source` column"):
        MetadataTable.load(meta)


def test_read_document_names_an_unreadable_file(tmp_path):
    with pytest.raises(DocumentError, match=r"missing\.txt: unreadable"):
        read_document(tmp_path / "missing.txt")
