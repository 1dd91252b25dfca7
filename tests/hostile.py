"""A hostile corpus: every field the dashboard shows carries Markdown, HTML, Plotly markup, bare
URLs or spreadsheet formulas, as crawled pages and --meta files can. Used by
tests/test_dashboard_hostile.py (AppTest) and tests/test_browser.py (Chromium).

Every URL points at evil.example: a page that shows data safely makes no request there and shows
the text "evil.example" only where it shows the data as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.schema import fact_id
from tests.test_dashboard_table import write_tables

EVIL = "evil.example"
TITLE = "![t](https://evil.example/x.png) [点此登录](https://evil.example/login)"
SUBDISTRICTS = [
    '<a href="https://evil.example/a">钓鱼街道</a>',
    "[登录](https://evil.example/login)街道",
    '=HYPERLINK("https://evil.example","街道")',
    "<img src=https://evil.example/p.png onerror=alert(1)>街道",
]
DISTRICT = "**二七区** $x$ :red[区]"
CITY = "@SUM(1+1)*cmd|' /C calc'!A0"
METRIC = "<b>m</b>[m](https://evil.example/m)"
SENTENCE = (
    "<img src=https://evil.example/s.png onerror=alert(1)> ![s](https://evil.example/s.png) "
    "[登录](https://evil.example/l) https://evil.example/bare www.evil.example 投资5亿元 %{x} $y$"
)
ARTICLES = {  # doc_id: (source, title, outlet, published, url)
    "h1": ('corpus/=HYPERLINK("https://evil.example","点此").txt', TITLE, '=HYPERLINK("https://evil.example","媒体")',
           dt.date(2020, 3, 1), "https://evil.example/article"),
    "h2": ("corpus/+cmd|' /C calc'!A0.html", "<img src=https://evil.example/i.png onerror=alert(1)>标题 **粗** :red[红]",
           "![o](https://evil.example/o.png)", dt.date(2020, 5, 1), "javascript:alert(1)"),
    "h3": ("corpus/-2+3.txt", "[a](https://evil.example/3)", "\t=1+1", dt.date(2021, 1, 1), None),
}  # fmt: skip
ROWS = [  # (doc, subdistrict, category, metric, value, unit, raw_text, year)
    *[(doc, name, "investment", "project_investment", value, "CNY", "5亿元", 2020)
      for name in SUBDISTRICTS for doc, value in (("h1", 5e8), ("h2", 6e8))],  # two articles disagree: a conflict
    *[("h1", name, "investment", METRIC, 3e8, "CNY", "3亿元", 2020) for name in SUBDISTRICTS],
    *[("h2", name, "demolition", "demolition_area", 12000, "m2", "12000平方米", 2020) for name in SUBDISTRICTS],
    *[("h3", name, "case_resolution", "disputes_found", 40, "case", "40起", 2021) for name in SUBDISTRICTS],
    *[("h3", name, "case_resolution", "resolution_rate", 97.5, "percent", "97.5%", 2021) for name in SUBDISTRICTS],
    ("h3", SUBDISTRICTS[0], "profile", "population", 50000, "person", "5万人", 2021),
]  # fmt: skip


def fact_rows() -> list[dict]:
    rows = []
    for position, (doc, subdistrict, category, metric, value, unit, raw, year) in enumerate(ROWS):
        source, _, outlet, published, _ = ARTICLES[doc]
        start = 10 + 30 * position
        rows.append(
            {
                "fact_id": fact_id(doc, start, start + len(raw)), "doc_id": doc, "source": source,
                "outlet": outlet, "published": published, "province": "河南省", "city": CITY,
                "district": DISTRICT, "subdistrict": subdistrict, "admin_code": None, "level": "subdistrict",
                "category": category, "metric": metric, "value": float(value), "unit": unit, "raw_text": raw,
                "qualifier": "exact", "is_target": False, "year": year, "period_text": f"{year}年",
                "sentence": SENTENCE.replace("5亿元", raw), "char_start": start, "char_end": start + len(raw),
            }  # fmt: skip
        )
    return rows


def write_hostile_tables(folder: Path) -> Path:
    return write_tables(folder, fact_rows(), ARTICLES)


def fact_of_article(doc: str) -> str:
    return next(row["fact_id"] for row in fact_rows() if row["doc_id"] == doc)
