"""The one way untrusted text (article titles, sentences, outlets, place names, file names, URLs,
URL parameters) reaches the screen or a download: escaped for where it goes.

- `markdown(text)`: for anything Streamlit renders as Markdown (st.markdown, st.caption, titles,
  alerts, widget and expander labels, st.metric, the HTML tables of tables.html_table) and for HTML
  written with unsafe_allow_html. Every ASCII punctuation mark becomes a numeric character reference, which
  Markdown shows as the character and never reads as syntax: no link, image, emphasis, heading,
  directive (:red[…]), emoji code, formula ($…$) or HTML tag can come from data. Streamlit also
  turns bare addresses (https://…, www.…, a@b.c) into links after reading the references, so an
  invisible word joiner (U+2060) is put inside "://", after "www" and before "@". Line breaks and runs
  of white space become one space (no paragraphs or code blocks from data).
- `plotly(text)`: for Plotly titles, axis and category labels, legend names and hover text, which
  Plotly reads as a small HTML dialect (<a href>, <b>, <br>) with $…$ formulas and %{…} template
  fields: & < > " ' $ % become references, which Plotly shows as the characters (it reads no
  Markdown, so other marks stay as they are and numbers keep their commas).
- `csv_cell(value)` / `csv_frame(frame)`: for the CSV downloads (opened in Excel). A text cell that
  starts with = + - @ tab or CR is a formula to a spreadsheet; it gets a leading ' (OWASP's advice).
  Numbers, and text that is just a number (-12.5), are left as they are.

>>> markdown("![t](http://host/x.png) [点此登录](https://evil.example/login)").replace(JOINER, "+")
'&#33;&#91;t&#93;&#40;http&#58;+&#47;&#47;host&#47;x&#46;png&#41; &#91;点此登录&#93;&#40;https&#58;+&#47;&#47;evil&#46;example&#47;login&#41;'
>>> plotly('<a href="https://evil.example">新城街道</a>')
'&#60;a href=&#34;https://evil.example&#34;&#62;新城街道&#60;/a&#62;'
>>> [csv_cell(v) for v in ["=HYPERLINK(1)", "+cmd|' /C calc'!A0", "-12.5", "@SUM(A1)", "林山寨街道", -3.0]]
["'=HYPERLINK(1)", "'+cmd|' /C calc'!A0", '-12.5', "'@SUM(A1)", '林山寨街道', -3.0]
"""

from __future__ import annotations

import re
import string

import pandas as pd

_REFERENCES = {ord(mark): f"&#{ord(mark)};" for mark in string.punctuation}
_PLOTLY_REFERENCES = {ord(mark): f"&#{ord(mark)};" for mark in "&<>\"'$%"}
_WHITE_SPACE = re.compile(r"\s+")
JOINER = "\u2060"  # WORD JOINER: invisible, and not part of an address to Streamlit's link finder
_ADDRESS_STARTS = re.compile(r"(?<=&#58;)(?=&#47;&#47;)|(?<=www)(?=&#46;)|(?=&#64;)", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def markdown(text: object) -> str:
    """`text` as Markdown (or HTML) that shows exactly its characters, on one line.

    >>> markdown("<b>二七区</b>街道 **风采** :red[x]  $1$\\n\\n# 标题")
    '&#60;b&#62;二七区&#60;&#47;b&#62;街道 &#42;&#42;风采&#42;&#42; &#58;red&#91;x&#93; &#36;1&#36; &#35; 标题'
    >>> markdown("www.evil.example a@evil.example").replace(JOINER, "+")
    'www+&#46;evil&#46;example a+&#64;evil&#46;example'
    >>> markdown(None), markdown(2013)
    ('None', '2013')
    """
    return _ADDRESS_STARTS.sub(JOINER, _WHITE_SPACE.sub(" ", str(text)).translate(_REFERENCES))


def plotly(text: object) -> str:
    """`text` as a Plotly label or hover line that shows exactly its characters.

    >>> plotly("%{x} 50%"), plotly("6,800,000,000元 (约)")
    ('&#37;{x} 50&#37;', '6,800,000,000元 (约)')
    """
    return _WHITE_SPACE.sub(" ", str(text)).translate(_PLOTLY_REFERENCES)


def plotly_all(texts) -> list[str]:
    """`plotly` for each of a sequence (a column of place names, say)."""
    return [plotly(text) for text in texts]


def csv_cell(value: object) -> object:
    """A cell as a spreadsheet must not run it: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name passed through `csv_cell`.

    >>> csv_frame(pd.DataFrame({"=街道": ["=1+1", "新城街道"], "数值": [-1.5, 2.0]})).to_dict("list")
    {"'=街道": ["'=1+1", '新城街道'], '数值': [-1.5, 2.0]}
    """
    escaped = frame.rename(columns=lambda name: csv_cell(name) if isinstance(name, str) else name)
    for position, dtype in enumerate(escaped.dtypes):
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            column = escaped.iloc[:, position]
            escaped.isetitem(position, column.map(csv_cell, na_action="ignore"))
    return escaped
