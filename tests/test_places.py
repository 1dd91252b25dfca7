"""Place names found in articles and resolved against the division table (etl/data/divisions.csv)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from etl.places import DIVISIONS_CSV, FORMER_NAMES_CSV, _raw_mentions, _votes, find_places, load_gazetteer


def resolved(text: str):
    return [
        (m.kind, m.canonical, m.division.code if m.division else None)
        for m in find_places(text)
        if m.kind in ("township", "district")
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "中原区林山寨街道办事处",
            [("district", "中原区", "410102000000"), ("township", "林山寨街道", "410102001000")],
        ),
        ("林山寨办事处辖区", [("township", "林山寨街道", "410102001000")]),  # 办事处 is 街道
        (
            "管城区圃田乡硬起手腕",
            [("district", "管城回族区", "410104000000"), ("township", "圃田乡", "410104202000")],
        ),
        (
            "惠济区长兴路街道办事处",
            [("district", "惠济区", "410108000000"), ("township", "长兴路街道", "410108004000")],
        ),
        ("大学路办事处", [("township", "大学路街道", "410103007000")]),  # a unique name needs no context
        ("改造老城区,拆除违章建筑", []),  # 老城区 (洛阳) with nothing around it is a word
        ("加快滨江区域开发", []),  # 区域 is an area, not the district 滨江区
        ("荷塘区已启动征地拆迁项目", [("district", "荷塘区", "430202000000")]),  # listed once: the district
        (
            "中原区幸福里街道",
            [("district", "中原区", "410102000000"), ("township", "幸福里街道", None)],
        ),  # unlisted
        (  # gone from the 2023 table (last seen 2022); its namesakes elsewhere in China are not it
            "二七区解放路街道",
            [("district", "二七区", "410103000000"), ("township", "解放路街道", "410103002000")],
        ),
        (  # 2016–2019 names whose suffix changed: the unit they became
            "管城区十八里河镇、南曹乡",
            [
                ("district", "管城回族区", "410104000000"),
                ("township", "十八里河街道", "410104010000"),
                ("township", "南曹街道", "410104011000"),
            ],
        ),
        ("二七区侯寨乡", [("district", "二七区", "410103000000"), ("township", "侯寨街道", "410103015000")]),
        ("孟津县城关镇", [("district", "孟津区", "410308000000"), ("township", "城关镇", "410308100000")]),
        (  # gone in 2018; its code 410108003 now names 江山路街道
            "惠济区老鸦陈街道",
            [("district", "惠济区", "410108000000"), ("township", "老鸦陈街道", "410108003000")],
        ),
        (
            "郑州高新区石佛办事处",
            [("district", "郑州高新技术产业开发区", "410172000000"), ("township", "石佛镇", "410172160000")],
        ),
        (
            "郑州经开区明湖街道",
            [
                ("district", "郑州经济技术开发区", "410171000000"),
                ("township", "郑州经济技术开发区明湖街道", "410171560000"),
            ],
        ),
    ],
)
def test_places_found_and_resolved(text, expected):
    assert resolved(text) == expected


@pytest.mark.parametrize(
    "text, code",
    [
        ("商丘市睢阳区新城街道办事处位于商丘市中心城区", "411403004000"),
        ("郑州市惠济区新城街道", "410108001000"),
        ("管城回族区西大街街道办事处", "410104002000"),
        ("新密市西大街街道", "410183003000"),
    ],
)
def test_namesakes_are_settled_by_context(text, code):
    townships = [m for m in find_places(text) if m.kind == "township"]
    assert townships[-1].division.code == code


@pytest.mark.parametrize(
    "text, code",
    [
        ("刁家乡2018年工作总结及2019年工作计划\n一、2018年工作开展情况", "410122208000"),  # a title
        ("群众在刁家乡务工", None),  # inside a sentence a bare 乡 name needs context
    ],
)
def test_a_unique_township_opening_a_title_is_the_unit(text, code):
    townships = [m for m in find_places(text) if m.kind == "township"]
    assert (townships[0].division.code if townships else None) == code


def test_a_namesake_without_context_stays_unresolved():
    townships = [m for m in find_places("新城街道办事处完成税收5.39亿元") if m.kind == "township"]
    assert [(m.canonical, m.division) for m in townships] == [("新城街道", None)]


def one_by_one_votes(names):
    """The votes as first written: each mention adds its share once per candidate in each code."""
    votes = defaultdict(lambda: defaultdict(float))
    for name in names:
        for division in name.candidates:
            for code in {division.code, division.district_code, division.city_code}:
                if code:
                    votes[code][name.canonical] += 1.0 / len(name.candidates)
    return votes


@pytest.mark.parametrize(
    "text",
    [
        "新城街道办事处完成税收5.39亿元。新城街道、新城街道",  # 59 namesakes, named three times
        "高新区，石家庄高新区，高新区",  # one canonical name, two namesake lists (26 units, 1 unit)
        "郑州市管城区，郑州的管城回族区",
        (Path(__file__).parent.parent / "seeds" / "002_da0759cfda38d731.txt").read_text(encoding="utf-8"),
    ],
)
def test_votes_are_the_one_by_one_sums_to_the_bit(text):
    """Namesakes vote once per name (etl.places._votes) for the very floats of one vote per mention."""
    names = [name for _, _, name in _raw_mentions(text, load_gazetteer())]
    expected = {code: list(by_name.items()) for code, by_name in one_by_one_votes(names).items()}
    assert {code: list(by_name.items()) for code, by_name in _votes(names).items()} == expected


def test_division_names_and_parents():
    gazetteer = load_gazetteer()
    township = gazetteer.by_code["410104202000"]
    assert (township.province, township.city, township.district) == ("河南省", "郑州市", "管城回族区")
    beijing = gazetteer.by_code["110101001000"]
    assert beijing.city == "北京市"  # municipalities: city = province


def test_division_table_is_the_compact_build():
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        assert handle.readline().startswith("# China's divisions")  # source and licence note
        rows = list(csv.DictReader(handle))
    assert rows[0].keys() == {"code", "name", "level", "parent"}
    assert {r["level"] for r in rows} == {"province", "city", "district", "township"}
    assert all(len(r["code"]) == 12 for r in rows)


def test_former_names_lead_to_units_of_the_2023_table():
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        current = {row["code"] for row in csv.DictReader(line for line in handle if not line.startswith("#"))}
    with FORMER_NAMES_CSV.open(encoding="utf-8") as handle:
        assert handle.readline().startswith("# Division names of the NBS 2016-2022 vintages")
        rows = list(csv.DictReader(handle))
    assert {r["status"] for r in rows} == {"type_changed", "gone", "renamed_or_reused"}
    assert all(r["current"] in current for r in rows if r["status"] == "type_changed")
    assert not any(r["current"] for r in rows if r["status"] != "type_changed")
    assert all(r["code"] not in current for r in rows if r["status"] == "gone")


@pytest.mark.parametrize(
    "text, subdistrict, admin_code",
    [
        # a unit the 2023 table lacks: its old code now names another unit, so the district's is given
        ("惠济区老鸦陈街道\n2016年街道拆除违章建筑1.5万平方米。", "老鸦陈街道", "410108000000"),
        # renamed after the article's year: the name of its day, the code of the unit it became
        ("管城区十八里河镇2016年完成投资3亿元。", "十八里河镇", "410104010000"),
        ("管城区十八里河镇2019年完成投资3亿元。", "十八里河街道", "410104010000"),
    ],
)
def test_facts_about_a_former_unit_carry_a_current_code(text, subdistrict, admin_code):
    from etl.documents import Document
    from etl.facts import extract_facts

    (found,) = extract_facts(Document.from_text(text))
    assert (found.subdistrict, found.admin_code) == (subdistrict, admin_code)

