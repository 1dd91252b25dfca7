"""Period words in an article (2012年, 截至2013年4月底, 2013年以来, 今年, 前三季度, 目前) and the
year each one gives, found in one pass.

A year can be a baseline rather than the figure's period (达到2013年的3倍, 比2012年增长): such
mentions are marked and never give a figure its year. A year inside a name (郑州市2013年重点工程)
gives a year but is not a period phrase.

>>> [(p.text, p.year, p.relative) for p in find_periods("截至2013年4月底,今年以来,达到2013年的3倍")]
[('截至2013年4月底', 2013, False), ('今年以来', None, True), ('2013年', 2013, False)]
>>> find_periods("达到2013年的3倍")[0].baseline
True
>>> [(p.text, p.year) for p in find_periods("二〇二〇年工作总结")]
[('二〇二〇年', 2020)]
>>> [(p.text, p.dating) for p in find_periods("1-11月,实现社零7.5亿元;6月份,全区共转办工单1153件")]
[('1-11月', False), ('6月份', False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.wordlist import trie_pattern

_RELATIVE_WORDS = (
    # longest first; each gives its year from the publication date (offset in years)
    ("截至目前", 0),
    ("截至昨日", 0),
    ("截至今日", 0),
    ("截至年底", 0),
    ("今年以来", 0),
    ("去年以来", -1),
    ("今年上半年", 0),
    ("今年下半年", 0),
    ("前三季度", 0),
    ("上半年", 0),
    ("下半年", 0),
    ("一季度", 0),
    ("第一季度", 0),
    ("今年", 0),
    ("去年", -1),
    ("前年", -2),
    ("明年", 1),
    ("目前", 0),
)
_RELATIVE_YEAR = dict(_RELATIVE_WORDS)

_EXPLICIT_PREFIXES = ("截至", "截止", "自", "从")
# Every period phrase starts with one of these characters: the lookahead lets the regex engine skip
# to them instead of trying the whole alternation at every offset.
_FIRST_CHARACTERS = sorted(
    {w[0] for w, _ in _RELATIVE_WORDS}
    | {p[0] for p in _EXPLICIT_PREFIXES}
    | set("0123456789一二三四五六七八九十")  # 19xx, 二〇xx, and months: 6月份, 1-11月, 十月
    | {"至", "全"}
)
# Period phrases that name no year (6月份, 1-11月, 全年, 截至日前): period_text, while the year comes
# from the context.
_YEARLESS_WORDS = ("截至日前", "截止日前", "全年")
# A year in Chinese numerals, digit by digit (二〇二〇年, 二○二〇年, 二零一九年).
_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_PERIOD = re.compile(
    "(?=[" + "".join(_FIRST_CHARACTERS) + "])(?:"
    r"(?P<explicit>"
    r"(?:截至|截止到?|自|从)?"
    r"(?P<year>(?:19|20)\d\d|一九[〇○零一二三四五六七八九]{2}|二[〇○零][〇○零一二三四五六七八九]{2})\s*年"
    r"(?:\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月(?:份)?(?:\s*(?:\d{1,2})\s*日)?)?"
    r"(?:底|末|初|上半年|下半年|前三季度|一季度|全年)?"
    r"(?:以来|来)?"
    r")"
    r"|(?P<relative>" + trie_pattern(w for w, _ in _RELATIVE_WORDS) + r")"
    r"|(?P<yearless>"
    r"(?<![\d.年])(?:截至|截止到?|至)?"
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:\s*[-—–~至到]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}))?\s*月(?:份)?"
    r"(?:\s*\d{1,2}\s*日)?(?:底|末|初|中旬|上旬|下旬|晚|以来)?"
    r"|" + trie_pattern(_YEARLESS_WORDS) + r"))"
)
# 活动开展以来 (a line break may fall anywhere in it): found from its verb, then extended back.
_SINCE = re.compile(r"(?:开\s*展|实\s*施|启\s*动)\s*以\s*来")
_SINCE_SUBJECT = re.compile(r"(?:[\u4e00-\u9fff]\s*){2,4}$")
# 比2012年, 较2012年, 达到2013年的3倍, 为2013年的: the year is a baseline of comparison.
_BASELINE_BEFORE = re.compile(r"(?:比|较|相当于|同比|是|为|达到|达|超过)$")
_BASELINE_AFTER = re.compile(r"^(?:的|同期)")
# 郑州市2013年重点工程: a year right after a place name belongs to a name.
_NAME_BEFORE = re.compile(r"[市省区县]$")
_PLAN_NOUN_AFTER = re.compile(r"(?:的)?(?:目标|任务|计划)")
# 2007年12月13日 is a date of an event, not a period; it still gives its year.
_FULL_DATE = re.compile(r"月\s*\d{1,2}\s*日")


# not frozen: built per figure or mention (the cost of frozen: etl/schema.py, Fact)
@dataclass(slots=True)
class PeriodMention:
    start: int
    end: int
    text: str  # as written, without line breaks
    year: int | None  # the explicit year; None for relative words
    relative: bool
    year_offset: int = 0  # for relative words: 去年 = -1
    baseline: bool = False
    in_name: bool = False  # a year that only dates a name or an event
    full_date: bool = False  # 2013年1月15日: the day of an event or a meeting, never a report's period
    dating: bool = True  # False for a phrase that names no year (6月份, 全年): its year is the context's

    def resolved_year(self, published_year: int | None) -> int | None:
        if not self.relative:
            return self.year
        return None if published_year is None else published_year + self.year_offset


def _month_out_of_range(written: str) -> bool:
    """12个月 is no month; neither is 13月."""
    numbers = [int(n) for n in re.findall(r"\d+", written.split("月")[0])]
    return any(n < 1 or n > 12 for n in numbers)


def find_periods(text: str) -> list[PeriodMention]:
    """Every period phrase of the text, in order."""
    found = []
    for match in _PERIOD.finditer(text):
        written = match.group()
        if match["explicit"]:
            before = text[max(0, match.start() - 3) : match.start()]
            after = text[match.end() : match.end() + 2]
            written = re.sub(r"\s+", "", written)
            prefixed = written[:2] in ("截至", "截止") or written[0] in "自从"
            baseline = (
                not prefixed and bool(_BASELINE_BEFORE.search(before)) and bool(_BASELINE_AFTER.match(after))
            )
            baseline = baseline or before.endswith(("比", "较"))
            full_date = bool(_FULL_DATE.search(written))
            in_name = not prefixed and bool(_NAME_BEFORE.search(before)) or full_date
            found.append(
                PeriodMention(
                    match.start(),
                    match.end(),
                    written,
                    int(match["year"].translate(_CHINESE_DIGITS)),
                    False,
                    0,
                    baseline,
                    in_name,
                    full_date,
                )
            )
        elif match["yearless"]:
            if _month_out_of_range(written) or _FULL_DATE.search(written):
                continue  # (9月17日 dates an event: not the period of what is reported)
            if written == "全年" and _PLAN_NOUN_AFTER.match(text, match.end()):
                continue  # 全年目标任务 names a quota, not a period
            found.append(
                PeriodMention(match.start(), match.end(), re.sub(r"\s+", "", written), None, True, dating=False)
            )
        else:
            # 较去年同期, 比去年: the year a figure is compared with, not its own
            before = text[max(0, match.start() - 2) : match.start()]
            baseline = before.endswith(("比", "较", "同比")) or text.startswith("同期", match.end())
            found.append(
                PeriodMention(match.start(), match.end(), written, None, True, _RELATIVE_YEAR[written], baseline)
            )
    for match in _SINCE.finditer(text):
        subject = _SINCE_SUBJECT.search(text, max(0, match.start() - 12), match.start())
        if subject:
            written = re.sub(r"\s+", "", text[subject.start() : match.end()])
            found.append(PeriodMention(subject.start(), match.end(), written, None, True, 0))
    found.sort(key=lambda p: p.start)
    return found
