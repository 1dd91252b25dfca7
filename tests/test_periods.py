"""Period phrases: explicit years, relative words, baselines, years inside names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.periods import _PERIOD, _RELATIVE_WORDS, _YEARLESS_WORDS, _phrases, find_periods


@pytest.mark.parametrize(
    "text, expected",
    [
        ("截至2013年4月底,该街道共排查出", [("截至2013年4月底", 2013, False)]),
        ("2013年以来,继续加大资金投入", [("2013年以来", 2013, False)]),
        ("这是大学路司法所自2009年来受理的", [("自2009年来", 2009, False)]),
        ("截至2012年底,该街道12个社区", [("截至2012年底", 2012, False)]),
        ("2019年1月,成为商丘市首个", [("2019年1月", 2019, False)]),
        ("上半年累计完成财政创收2.73亿元", [("上半年", None, True)]),
        ("前三季度,GDP完成4亿元", [("前三季度", None, True)]),
        ("截至昨日,共拆除违法建筑", [("截至昨日", None, True)]),
        ("活\n\n动开展以来,180多家", [("活动开展以来", None, True)]),  # split by a line break
        ("汇园游园建于2007年,位于", [("2007年", 2007, False)]),
        ("二〇二〇年,街道共完成", [("二〇二〇年", 2020, False)]),
        ("二○一九年十二月底,全镇", [("二○一九年十二月底", 2019, False)]),
        ("二零二一年工作总结", [("二零二一年", 2021, False)]),
        ("一九九八年建成", [("一九九八年", 1998, False)]),
        ("二十年来", []),  # a span of years, not a year
        ("1-11月,实现社零7.5亿元", [("1-11月", None, True)]),  # a period with no year
        ("6月份,全区共转办工单", [("6月份", None, True)]),
        ("1至10月,全区完成", [("1至10月", None, True)]),
        ("9月17日晚,已完成", []),  # the date of an event
        ("占全年目标任务的70.7%", []),  # a quota's name
        ("项目工期12个月", []),  # a duration
    ],
)
def test_periods(text, expected):
    assert [(p.text, p.year, p.relative) for p in find_periods(text)] == expected


@pytest.mark.parametrize(
    "text, baseline, in_name",
    [
        ("财政收入总规模达到2013年的3倍", True, False),
        ("比2012年增长15%", True, False),
        ("郑州市2013年重点工程", False, True),
        ("2007年12月13日,街道顺利通过", False, True),  # a date of an event
        ("2018年,新城街道办事处完成税收", False, False),
        ("较去年同期增长33.4%", True, False),
        ("比去年增加5件", True, False),
        ("去年以来,街道累计", False, False),
    ],
)
def test_baselines_and_names(text, baseline, in_name):
    period = find_periods(text)[0]
    assert (period.baseline, period.in_name) == (baseline, in_name)


@pytest.mark.parametrize(
    "word, published_year, year",
    [("今年", 2019, 2019), ("去年", 2019, 2018), ("去年以来", 2014, 2013), ("目前", None, None)],
)
def test_relative_words_take_the_publication_year(word, published_year, year):
    assert find_periods(word)[0].resolved_year(published_year) == year


# What period phrases are made of (every character the pattern names, its words, whole phrases),
# with punctuation, spaces and filler.
_PIECES = sorted(
    {c for c in _PERIOD.pattern if ord(c) > 0x7F}
    | {w for w, _ in _RELATIVE_WORDS}
    | set(_YEARLESS_WORDS)
    | set("0123456789 \n\t-~.,，。")
    | {"2019年", "二〇二〇年", "截至2013年4月底", "自2009年来", "截止到2020年底", "至10月", "1至10月", "1-11月"}
    | {"6月份", "12个月", "9月17日", "全年目标", "开展以来", "比", "较", "市", "街道"}
)


@settings(max_examples=1500, deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_the_scan_that_skips_ahead_finds_what_a_scan_of_whole_phrases_finds(text):
    whole = [(m.span(), m.groupdict()) for m in _PERIOD.finditer(text)]
    skipping = [(m.span("phrase"), m.groupdict()) for m in _phrases(text)]
    assert [(span, {k: v for k, v in groups.items() if k != "phrase"}) for span, groups in skipping] == whole
