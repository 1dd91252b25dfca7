"""The document's structure, read once for every figure: title, lead, headings, list items,
labels, captions, salutations. One line per case, in the forms real articles take."""

from __future__ import annotations

import pytest

from etl.documents import Document
from etl.structure import DocumentStructure


def structure_of(text: str, published_year: int | None = None) -> DocumentStructure:
    return DocumentStructure.build(Document.from_text(text), published_year)


def span_text(structure: DocumentStructure, span: tuple[int, int] | None) -> str | None:
    return structure.simplified[span[0] : span[1]].strip() if span else None


@pytest.mark.parametrize(
    "text, title, lead",
    [
        ("城桥镇2021年工作总结\n\n全年拆除违法建筑1.2万平方米。", "城桥镇2021年工作总结", "全年拆除违法建筑1.2万平方米。"),
        (
            "贾家口镇打造宜居城镇\n发布时间:2015-11-27 10:43:36\n(记者李三虎)贾家口镇以作风整顿为抓手。",
            "贾家口镇打造宜居城镇",
            "(记者李三虎)贾家口镇以作风整顿为抓手。",
        ),  # the page's furniture is neither
        (
            "各镇人民政府、各街道办事处:\n现将2023年三季度信访工作情况通报如下:\n一、总体情况",
            None,
            "现将2023年三季度信访工作情况通报如下:",
        ),  # a salutation is not the lead
        ("截止2020年9月26日,沿线4个乡镇征地拆迁情况为:共完成征地432亩。", None, "截止2020年9月26日,沿线4个乡镇征地拆迁情况为:共完成征地432亩。"),
    ],
)
def test_title_and_lead(text, title, lead):
    structure = structure_of(text)
    assert (structure.title_text, span_text(structure, structure.lead)) == (title, lead)


@pytest.mark.parametrize(
    "text, figure, heading",
    [
        ("城南街道2021年工作总结\n\n三、征迁工作\n已签约312户。", "312户", "三、征迁工作"),
        ("秦岭违建别墅正在拆除\n\n新华社记者陈钢摄\n\n全市共排查出违法建筑202栋。", "202栋", "秦岭违建别墅正在拆除"),
        ("城南街道12345热线运行情况\n2021-07-01\n本月共转办1153条。", "1153条", "城南街道12345热线运行情况"),
    ],
)
def test_a_figure_is_under_the_nearest_heading_that_is_not_furniture(text, figure, heading):
    structure = structure_of(text)
    assert structure.heading_text(text.index(figure)) == heading


@pytest.mark.parametrize(
    "text, figure, block",
    [
        ("一是治违。自2019年起拆除违建1.2万平方米。二是治乱。清理摊点560处。", "560处", "治乱。清理摊点560处。"),
        ("(一)老旧小区改造方面:共95件;(二)物业服务方面:共329件。", "329件", "物业服务方面:共329件。"),
        ("全年拆除违建1.2万平方米,清理摊点560处。", "560处", "全年拆除违建1.2万平方米,清理摊点560处。"),
    ],
)
def test_a_list_item_is_a_block_of_its_own(text, figure, block):
    structure = structure_of(text)
    assert text[structure.block_start(text.index(figure)) :] == block


@pytest.mark.parametrize(
    "text, offset_of, salutation, caption",
    [
        ("二七区五里堡街道、区直各部门:\n现将情况通报如下:", "五里堡", True, False),
        ("现将2023年三季度信访工作情况通报如下:\n全区受理412件。", "现将", False, False),
        ("5月3日,金水区丰产路街道一处违建正在拆除。\n\n本报记者 李明 摄\n\n全市已拆除1200处。", "丰产路", False, True),
        ("5月3日,金水区丰产路街道一处违建正在拆除。\n\n全市已拆除1200处。", "丰产路", False, False),
    ],
)
def test_salutations_and_captions(text, offset_of, salutation, caption):
    structure = structure_of(text)
    offset = text.index(offset_of)
    assert (structure.is_salutation(offset), structure.is_caption(offset)) == (salutation, caption)


@pytest.mark.parametrize(
    "text, published_year, year",
    [
        ("黄山市2019年实施老旧小区改造项目51个。", None, 2019),  # the lead's year
        ("玉山县冰溪镇坚持招商引资。\n\n2017年引进投资5亿元的项目。", None, 2017),  # the latest year it reports on
        ("今年以来,街道拆除违建1.2万平方米。", 2021, 2021),  # the publication year first
    ],
)
def test_the_year_an_article_is_of(text, published_year, year):
    assert structure_of(text, published_year).document_year == year


def test_a_mirrors_pinyin_is_read_through_with_the_texts_own_offsets():
    text = "長(zhǎng)沙街道辦(bàn)事處(chù)拆除違(wéi)建619處"
    structure = structure_of(text)
    (place,) = [m for m in structure.places if m.kind == "township"]
    assert (place.canonical, place.start, text[place.start : place.end]) == (
        "长沙街道",
        0,
        "長(zhǎng)沙街道辦(bàn)事處",
    )


@pytest.mark.parametrize(
    "text, figure, sentence, clause",
    [
        ("拆除违建3处。清理摊点5处,整改10家。", "10家", "清理摊点5处,整改10家。", "整改10家。"),
        ("他说:“拆除违建3处!”清理摊点5处。", "5处", "清理摊点5处。", "清理摊点5处。"),
        ("完成了吗?!完成了5处……", "5处", "完成了5处……", "完成了5处……"),
        ("街道办事处\n拆除违建3处;整改10家", "10家", "拆除违建3处;整改10家", "整改10家"),
        ("表情😀拆除3处。整改10家", "3处", "表情😀拆除3处。", "表情😀拆除3处。"),
        ("共有2个网格,\n覆盖5个社区。", "5个", "覆盖5个社区。", "覆盖5个社区。"),  # a short line ends its paragraph
        ("按照部署" * 10 + "\n共拆除5处。", "5处", "按照部署" * 10 + "\n共拆除5处。", "共拆除5处。"),  # wrapped
    ],
)
def test_sentences_and_clauses_end_at_their_punctuation(text, figure, sentence, clause):
    layout = structure_of(text).layout
    start, end = layout.sentence_span(text.index(figure))
    assert text[start:end] == sentence
    start, end = layout.clause_span(text.index(figure))
    assert text[start:end] == clause
