"""A small fact table with rows as the seed articles report them, and tests of the data-access module.

The rows are written here, not taken from the extractor's output (which is being rewritten), so
the dashboard tests check the dashboard's behaviour: filters, counting rules, conflicts, escaping.
Other dashboard tests import `write_tables` from this file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.schema import DOCUMENT_SCHEMA, FACT_SCHEMA, fact_id

SCRIPT_SENTENCE = "<script>alert('x')</script>绿东村街道拆除违章建筑6500余平方米。"
ARTICLES = {  # doc_id: (source, title, outlet, published, url)
    "d000": ("seeds/000_8b521fe93934ca3b.txt", "桐柏路街道: 和谐发展", "郑州日报", dt.date(2008, 1, 4), "https://zzrb.example/000"),
    "d001": ("seeds/001_3f9c860c84535958.txt", "中原区街道工作巡礼", "郑州日报", dt.date(2013, 5, 14), None),
    "d001b": ("extra/001_repeat.html", "林山寨街道 回头看", "中原网", dt.date(2013, 6, 2), "javascript:alert(1)"),
    "d002": ("seeds/002_da0759cfda38d731.txt", "新城街道上半年工作", "商丘日报", dt.date(2019, 7, 10), None),
    "d003": ("seeds/003_200823f155d71e7b.txt", "<b>二七区</b>街道风采", "河南商报", dt.date(2010, 3, 1), None),
}

# (doc, subdistrict, district, city, category, metric, value, unit, raw_text, qualifier, year, is_target, sentence)
ROWS = [
    ("d000", "桐柏路街道", "中原区", "郑州市", "investment", "investment_attracted", 4e8, "CNY", "4亿元", "exact", 2007, False, "2006年以来,共引进10余个企业,招商引资额达到4亿元"),
    ("d000", "桐柏路街道", "中原区", "郑州市", "investment", "spending", 2e6, "CNY", "200多万元", "more_than", 2007, False, "投入资金200多万元,改造背街小巷"),
    ("d000", "桐柏路街道", "中原区", "郑州市", "investment", "spending", 2e6, "CNY", "200多万元", "more_than", 2007, False, "标题:投入200多万元改造背街小巷"),
    ("d000", "桐柏路街道", "中原区", "郑州市", "case_resolution", "disputes_found", 18, "case", "18起", "exact", 2007, False, "排查各类矛盾纠纷18起"),
    ("d001", "林山寨街道", "中原区", "郑州市", "investment", "project_investment", 68e8, "CNY", "68亿元", "exact", 2013, False, "投资68亿元的郑州国际商贸中心项目"),
    ("d001", "林山寨街道", "中原区", "郑州市", "investment", "project_investment", 2e8, "CNY", "2亿元", "nearly", 2013, False, "投资近2亿元的嵩阳苑改造项目"),
    ("d001", "林山寨街道", "中原区", "郑州市", "case_resolution", "disputes_found", 15882, "case", "15882起", "exact", 2013, False, "共排查出各类矛盾问题15882起,办结率达99.22%"),
    ("d001", "林山寨街道", "中原区", "郑州市", "case_resolution", "resolution_rate", 99.22, "percent", "99.22%", "exact", 2013, False, "共排查出各类矛盾问题15882起,办结率达99.22%"),
    ("d001", "林山寨街道", "中原区", "郑州市", "demolition", "households_relocated", 299, "household", "299户", "exact", 2013, False, "居民住宅9栋共299户"),
    ("d001", "林山寨街道", "中原区", "郑州市", "demolition", "illegal_structures_demolished_area", 15000, "m2", "15000余平方米", "more_than", 2013, False, "累计拆除违章建筑15000余平方米"),
    ("d001", "林山寨街道", "中原区", "郑州市", "demolition", "illegal_structures_demolished_area", 30000, "m2", "3万平方米", "exact", 2014, True, "计划明年拆除违章建筑3万平方米"),
    ("d001b", "林山寨街道", "中原区", "郑州市", "case_resolution", "disputes_found", 15900, "case", "15900起", "exact", 2013, False, "林山寨街道排查矛盾问题15900起"),
    ("d001", "绿东村街道", "中原区", "郑州市", "investment", "project_investment", 12e8, "CNY", "12亿元", "exact", 2012, False, "总投资12亿元的绿东村改造项目"),
    ("d001", "绿东村街道", "中原区", "郑州市", "demolition", "illegal_structures_demolished_area", 6500, "m2", "6500余平方米", "more_than", 2012, False, SCRIPT_SENTENCE),
    ("d001", "绿东村街道", "中原区", "郑州市", "case_resolution", "disputes_found", 8882, "case", "8882起", "exact", 2012, False, "排查矛盾纠纷8882起,办结率98.3%"),
    ("d001", "绿东村街道", "中原区", "郑州市", "case_resolution", "resolution_rate", 98.3, "percent", "98.3%", "exact", 2012, False, "排查矛盾纠纷8882起,办结率98.3%"),
    ("d002", "新城街道", "睢阳区", "商丘市", "profile", "area", 33.1e6, "m2", "33.1平方公里", "exact", 2019, False, "新城街道总面积33.1平方公里,人口15万人"),
    ("d002", "新城街道", "睢阳区", "商丘市", "profile", "population", 150000, "person", "15万人", "exact", 2019, False, "新城街道总面积33.1平方公里,人口15万人"),
    ("d002", "新城街道", "睢阳区", "商丘市", "investment", "project_investment", 43.1e8, "CNY", "43.1亿元", "exact", 2019, False, "上半年完成项目投资43.1亿元"),
    ("d002", "新城街道", "睢阳区", "商丘市", "investment", "funds_in_place", 28.1e8, "CNY", "28.1亿元", "exact", 2019, False, "到位资金28.1亿元"),
    ("d002", "新城街道", "睢阳区", "商丘市", "demolition", "demolition_area", 22000, "m2", "22000平方米", "approx", 2019, False, "拆迁约22000平方米"),
    ("d003", "大学路街道", "二七区", "郑州市", "case_resolution", "disputes_received", 94, "case", "94起", "exact", 2009, False, "民事纠纷94起,成功调解92起"),
    ("d003", "大学路街道", "二七区", "郑州市", "case_resolution", "disputes_mediated", 92, "case", "92起", "exact", 2009, False, "民事纠纷94起,成功调解92起"),
    ("d003", "淮河路街道", "二七区", "郑州市", "investment", "spending", 2e5, "CNY", "20余万元", "more_than", 2009, False, "投入20余万元"),
    ("d003", None, "二七区", "郑州市", "fiscal", "tax_revenue", 5e7, "CNY", "五千万元", "more_than", 2009, False, "全区财政税收超五千万元"),
    # undated: no year in the text and none given with the article (年份不详)
    ("d001", "林山寨街道", "中原区", "郑州市", "demolition", "households_relocated", 12, "household", "12户", "exact", None, False, "另有12户居民已签订协议"),
    ("d002", "新城街道", "睢阳区", "商丘市", "case_resolution", "disputes_found", 40, "case", "40起", "exact", None, False, "化解矛盾纠纷40起"),
]  # fmt: skip


def fact_rows() -> list[dict]:
    rows = []
    for position, (doc, sub, district, city, category, metric, value, unit, raw, qualifier, year, target, sentence) in enumerate(ROWS):
        source, _, outlet, published, _ = ARTICLES[doc]
        start = 100 + 20 * position
        rows.append(
            {
                "fact_id": fact_id(doc, start, start + len(raw)), "doc_id": doc, "source": source,
                "outlet": outlet, "published": published, "province": "河南省", "city": city,
                "district": district, "subdistrict": sub, "admin_code": None,
                "level": "subdistrict" if sub else "district", "category": category, "metric": metric,
                "value": float(value), "unit": unit, "raw_text": raw, "qualifier": qualifier,
                "is_target": target, "year": year, "period_text": f"{year}年" if year else None, "sentence": sentence,
                "char_start": start, "char_end": start + len(raw),
            }  # fmt: skip
        )
    return rows


def write_tables(folder: Path, rows: list[dict] | None = None, articles: dict | None = None) -> Path:
    """facts.parquet and documents.parquet with exactly the contract's schemas (articles: as ARTICLES)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = fact_rows() if rows is None else rows
    articles = ARTICLES if articles is None else articles
    pq.write_table(pa.Table.from_pylist(rows, schema=FACT_SCHEMA), folder / "facts.parquet")
    documents = [
        {"source": source, "doc_id": doc, "size": 1000, "status": "ok", "error": None,
         "n_facts": sum(r["doc_id"] == doc for r in rows), "encoding": "utf-8", "content_hash": doc,
         "title": title, "outlet": outlet, "published": published, "url": url}  # fmt: skip
        for doc, (source, title, outlet, published, url) in articles.items()
    ]
    pq.write_table(pa.Table.from_pylist(documents, schema=DOCUMENT_SCHEMA), folder / "documents.parquet")
    return folder


@pytest.fixture
def table(tmp_path, monkeypatch):
    from dashboard import data

    monkeypatch.setenv("GOVSTATS_DATA", str(write_tables(tmp_path / "data")))
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    return data.current_table()


def test_no_table_gives_none(tmp_path, monkeypatch):
    from dashboard import data

    monkeypatch.setenv("GOVSTATS_DATA", str(tmp_path))
    assert data.current_table() is None


def test_facets_list_each_filter_value_most_frequent_first(table):
    from dashboard import data

    choices = data.facets(table)
    assert choices["city"] == ["郑州市", "商丘市"]
    assert choices["year"] == [2019, 2014, 2013, 2012, 2009, 2007]
    assert set(choices["outlet"]) == {"郑州日报", "中原网", "商丘日报", "河南商报"}
    assert choices["place"][:2] == ["林山寨街道", "新城街道"] and None not in choices["place"]


@pytest.mark.parametrize(
    "filters, documents, facts, subdistricts",
    [
        ({}, 5, 26, 6),  # the target row is left out by default
        ({"include_targets": True}, 5, 27, 6),
        ({"cities": ("商丘市",)}, 1, 6, 1),
        ({"districts": ("二七区",)}, 1, 4, 2),
        ({"years": (2013,)}, 2, 7, 1),  # undated facts are not of 2013
        ({"years": (2013,), "include_undated": True}, 3, 9, 2),  # …unless the analyst includes them
        ({"exclude_approximate": True}, 5, 18, 5),  # 淮河路街道 reports only 20余万元
        ({"metrics": ("households_relocated",)}, 1, 2, 1),
        ({"categories": ("case_resolution",), "outlets": ("郑州日报",)}, 2, 5, 3),
        ({"search": "办结率"}, 1, 4, 2),
    ],
)
def test_headline_counts_follow_the_filters(table, filters, documents, facts, subdistricts):
    from dashboard import data

    counts = data.headline(table, data.Filters(**filters))
    assert (counts["documents"], counts["facts"], counts["subdistricts"]) == (documents, facts, subdistricts)


def test_fact_rows_pages_through_the_filtered_table(table):
    from dashboard import data

    first, total = data.fact_rows(table, data.Filters(districts=("中原区",)), 0, 5)
    second, _ = data.fact_rows(table, data.Filters(districts=("中原区",)), 5, 5)
    assert total == 16 and len(first) == 5 and len(second) == 5
    assert not set(first["fact_id"]) & set(second["fact_id"])
    assert set(first["district"]) == {"中原区"}


def test_filtered_parquet_holds_every_column_of_every_filtered_row(table):
    import io

    from dashboard import data

    downloaded = pq.read_table(io.BytesIO(data.filtered_parquet(table, data.Filters(cities=("郑州市",)))))
    assert downloaded.schema.names == FACT_SCHEMA.names
    assert downloaded.num_rows == 20 and set(downloaded.column("city").to_pylist()) == {"郑州市"}


def test_fact_detail_joins_the_article_record(table):
    from dashboard import data

    rows, _ = data.fact_rows(table, data.Filters(search="嵩阳苑"), 0, 10)
    detail = data.fact_detail(table, rows["fact_id"].iloc[0])
    assert detail["fact"]["raw_text"] == "2亿元"
    assert detail["article"]["title"] == "中原区街道工作巡礼" and detail["article"]["outlet"] == "郑州日报"
    assert data.fact_detail(table, "no-such-fact") is None


@pytest.mark.parametrize(
    "outlets, value, conflict",
    [
        ((), 15900, True),  # 郑州日报 says 15882起, 中原网 says 15900起
        (("郑州日报",), 15882, False),
        (("中原网",), 15900, False),
        (("郑州日报", "中原网"), 15900, True),
    ],
)
def test_an_outlet_filter_recounts_the_figures_from_its_articles(table, outlets, value, conflict):
    from dashboard import data

    found = data.figures(table, data.Filters(outlets=outlets))
    disputes = found[(found["place"] == "林山寨街道") & (found["metric"] == "disputes_found")].iloc[0]
    assert (disputes["value"], disputes["conflict"]) == (value, conflict)
    assert disputes["district"] == "中原区" and disputes["category"] == "case_resolution"


@pytest.mark.parametrize("outlets", [("郑州日报",), ("中原网", "商丘日报"), ("河南商报", "郑州日报", "中原网")])
def test_counting_from_article_entries_equals_counting_the_outlets_facts(table, outlets):
    from dashboard import data, figures

    source, parameters = data._filtered(table, data.Filters(outlets=outlets, include_targets=True), data._FIGURE_INPUT)
    recounted = data._query(figures.figure_numbers_query(source), parameters)
    from_entries = data.figures(table, data.Filters(outlets=outlets, include_targets=True))
    columns = ["key_hash", "value", "approximate", "conflict", "n_spans"]
    expected = recounted[columns].sort_values("key_hash").reset_index(drop=True)
    assert from_entries[columns].sort_values("key_hash").reset_index(drop=True).astype(expected.dtypes).equals(expected)


def test_filtered_csv_holds_every_filtered_row_with_fact_id_and_sentence(table):
    import io

    import pandas as pd

    from dashboard import data

    downloaded = pd.read_csv(io.BytesIO(data.filtered_csv(table, data.Filters(cities=("郑州市",)))), encoding="utf-8-sig")
    assert len(downloaded) == 20 and {"fact_id", "sentence", "char_start"} <= set(downloaded.columns)


def test_article_text_is_read_again_from_its_source_when_it_still_holds_the_article(seed_tables, monkeypatch):
    from dashboard import data

    monkeypatch.setenv("GOVSTATS_DATA", str(seed_tables))
    table = data.current_table()
    fact = data._query(f"SELECT doc_id, source, char_start, char_end, raw_text FROM {data._scan(table)} LIMIT 1").iloc[0]
    text = data.article_text(table, fact["doc_id"], fact["source"])
    assert text is not None and text[fact["char_start"] : fact["char_end"]] == fact["raw_text"]
    assert data.article_text(table, "another-article", fact["source"]) is None  # the file no longer holds it
    assert data.article_text(table, fact["doc_id"], "gone/nowhere.txt") is None


def test_an_article_of_a_jsonl_archive_is_read_again_from_its_line(tmp_path, monkeypatch):
    import json

    from dashboard import data
    from etl.cli import main

    archive = tmp_path / "archive.jsonl"
    lines = [{"text": "林山寨街道办事处2013年共排查矛盾问题15882起。"}, {"text": "新城街道2019年完成项目投资43.1亿元。"}]
    archive.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    assert main(["etl", str(archive), "--out", str(tmp_path / "data")]) == 0
    monkeypatch.setenv("GOVSTATS_DATA", str(tmp_path / "data"))
    table = data.current_table()
    fact = data._query(f"SELECT doc_id, source FROM {data._scan(table)} WHERE raw_text = '43.1亿元'").iloc[0]
    assert fact["source"].endswith("archive.jsonl:2")
    assert data.article_text(table, fact["doc_id"], fact["source"]) == lines[1]["text"]


@pytest.mark.parametrize(
    "filters",
    [{}, {"include_targets": True}, {"outlets": ("郑州日报",)}, {"outlets": ("中原网",)}, {"years": (2013,)}, {"search": "矛盾"}],
)
def test_alternative_values_from_memory_are_the_alternatives_values(table, filters):
    from dashboard import data

    chosen = data.Filters(**filters)
    keys = tuple(int(k) for k in data.figures(table, chosen)["key_hash"])
    expected = data.alternatives(table, chosen, keys)[["key_hash", "value"]]
    assert data.alternative_values(table, chosen, keys).values.tolist() == expected.values.tolist()
    assert len(expected) >= len(keys) > 0
