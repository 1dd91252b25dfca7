"""The outlet and publication date an article states in its own text (发布日期:2019-07-29,
来源:河南商报, a masthead such as 返回主页 | 郑州日报 | 版面导航). Metadata given with the document
wins over these; they fill in only what the metadata leaves empty.

>>> read_provenance("发布日期:2019-07-29  浏览次数:7713\\n编辑:华丽娟\\n来源:河南商报")
Provenance(outlet='河南商报', published=datetime.date(2019, 7, 29))
>>> read_provenance("返回主页 | 郑州日报 | 版面导航").outlet
'郑州日报'
>>> read_provenance("郑州日报 2014年8月12日 第06版\\n花园路街道上半年经济指标稳中有升")
Provenance(outlet='郑州日报', published=datetime.date(2014, 8, 12))
>>> read_provenance("靜安區北站街道 2018年10月9日電").published
datetime.date(2018, 10, 9)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.documents import Document

_LABELLED_DATE = re.compile(
    r"(?:发布日期|发布时间|发表日期|发表时间|发稿时间|日期|时间)\s*[:：]\s*"
    r"(?P<year>(?:19|20)\d\d)\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})"
)
# A dateline alone at the head of a page: 2019-05-12 10:30 来源：北京日报, 2019年05月12日 10:30,
# (2021年7月15日) under a title
_DATELINE = re.compile(
    r"^\s*[(（]?(?P<year>(?:19|20)\d\d)\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})日?"
    r"(?=\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*[)）]?\s*(?:$|来源|作者|编辑|浏览|字号|[|｜]))",
    re.MULTILINE,
)
_DATE = r"(?P<year>(?:19|20)\d\d)\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})日?"
# A masthead line: the outlet's name, then the date (郑州日报 2014年8月12日 第06版, 萧山区人民政府网 2019-12-20).
_MASTHEAD = re.compile(
    r"^\s*(?P<name>[\u4e00-\u9fff]{2,10}?(?:日报|晚报|商报|晨报|都市报|时报|快报|新闻网|网))\s+" + _DATE,
    re.MULTILINE,
)
# A wire dateline: 2018年10月9日电 (本报讯 datelines of agencies and papers).
_WIRE_DATE = re.compile(_DATE + r"\s*(?:电|電|讯|訊)")
_SOURCE = re.compile(
    r"(?:来源|稿源|来自)\s*[:：]\s*(?P<name>[\u4e00-\u9fffA-Za-z]{2,12}?)(?=\s|$|[|｜,，。]|作者|编辑|记者)",
    re.MULTILINE,
)
_OUTLET_NAME = r"[\u4e00-\u9fff]{2,6}?(?:日报|晚报|商报|晨报|都市报|时报|快报|新闻网|网)"
# A masthead or footer line: navigation separated by |, a copyright line, or an e-paper title.
_FURNITURE_OUTLET = re.compile(
    r"(?:^|[|｜]\s*|版权[^\n]{0,12}?[@©]?\s*|^\s*)(?P<name>"
    + _OUTLET_NAME
    + r")(?=\s*(?:[|｜]|电子版|网站版权|版权所有|$))",
    re.MULTILINE,
)
# Only the head and the tail of an article carry its furniture.
_EDGE_CHARS = 600


@dataclass(frozen=True, slots=True)
class Provenance:
    outlet: str | None = None
    published: dt.date | None = None


def read_provenance(text: str) -> Provenance:
    """The outlet and date the text states, or None for each it does not state."""
    edges = text if len(text) <= 2 * _EDGE_CHARS else text[:_EDGE_CHARS] + "\n" + text[-_EDGE_CHARS:]
    published = None
    head = text[:_EDGE_CHARS]
    mastheads = list(_MASTHEAD.finditer(head))
    for match in [
        *_LABELLED_DATE.finditer(edges),
        *_DATELINE.finditer(head),
        *mastheads,
        *_WIRE_DATE.finditer(head),
    ]:
        try:
            published = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            break
        except ValueError:
            continue
    outlet = None
    source = _SOURCE.search(edges)
    if source:
        outlet = source["name"]
    elif mastheads:
        outlet = mastheads[0]["name"]
    else:
        furniture = _FURNITURE_OUTLET.search(edges)
        if furniture:
            outlet = furniture["name"]
    return Provenance(outlet, published)


def with_stated_provenance(document: Document) -> Document:
    """The document with the outlet and date its text states filled in where its metadata is silent.

    >>> from etl.documents import Document
    >>> with_stated_provenance(Document.from_text("发布日期:2019-07-29 来源:河南商报")).outlet
    '河南商报'
    """
    if document.outlet and document.published:
        return document
    stated = read_provenance(document.text)
    return dataclasses.replace(
        document, outlet=document.outlet or stated.outlet, published=document.published or stated.published
    )
