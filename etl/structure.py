"""The structure of one document, computed once: its title, lead, headings, sections, news items,
paragraphs and sentences, with the keyword hits, places, periods and quotations found in it.

The three attributors (etl/attribute_category.py, etl/attribute_place.py,
etl/attribute_period.py) read a figure's context from here, level by level: its clause, sentence,
paragraph, section (the heading above it), the lead and the title.

>>> from etl.documents import Document
>>> text = "城桥镇2021年工作总结\\n\\n一、拆违控违\\n全年拆除违法建筑1.2万平方米。"
>>> structure = DocumentStructure.build(Document.from_text(text), None)
>>> structure.title_text, structure.heading_text(text.index("1.2"))
('城桥镇2021年工作总结', '一、拆违控违')
>>> text = "一是拆违。共拆除3处。二是治乱。清理5处。"
>>> structure = DocumentStructure.build(Document.from_text(text), None)
>>> text[structure.block_start(text.index("5处")):]
'治乱。清理5处。'
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass, field

from etl.classify import KeywordHits, load_fact_rules, load_lexicon
from etl.documents import Document
from etl.periods import PeriodMention, find_periods
from etl.places import PlaceMention, find_places, load_gazetteer
from etl.sentences import Layout, simplified_view

# A line that starts a news item: a dateline or a byline (本报讯, 本报记者 X 通讯员 Y, 河南商报见习记者 X).
# (Whitespace within the line: the whole text is scanned at once, from line break to line break.)
_ITEM_START = r"[^\S\n]*(?:本报讯|[\u4e00-\u9fff]{0,8}记者[^\S\n]|通讯员[^\S\n])"
_ITEM_START_AT_START = re.compile(_ITEM_START)
_ITEM_START_AFTER_BREAK = re.compile("\n" + _ITEM_START)
_MAX_HEADER_BLOCK = 4
_LONG_QUOTE = re.compile(r"“[^”\n]{10,300}”")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Mirror sites annotate characters with their pinyin in brackets: 長(zhǎng)沙街道, 落實(shí).
# (The bracket comes first so that a scan skips to brackets; the Han character before it is checked
# apart.)
_RUBY = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}[)）]")
# A title may run longer than a section heading; it is still one line without closing punctuation.
_TITLE_MAX_CHARS = 60
_LINE_CLOSERS = "。！？!?；;，,：:"  # (a line ending in a colon opens what follows: a salutation)
# The marker that opens an item of a list in running text, where a sentence or clause starts:
# 一是 / 二是, （一）, 1. / 1、, 第一，, 其一.
_LIST_MARKER = (
    r"[^\S\n]*(?:[一二三四五六七八九十]{1,3}是|[（(][一二三四五六七八九十\d]{1,3}[）)]|"
    r"\d{1,2}[、.．](?!\d)|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]{1,3}[，,、]|其[一二三四五六七八九十][，,、是])"
)
_LIST_MARKER_AT_START = re.compile(_LIST_MARKER)
# (A marker holds none of the characters it follows, so one scan finds them all.)
_LIST_MARKER_AFTER_BREAK = re.compile(r"[。；;！!？?\n]" + _LIST_MARKER)
# A salutation (各位代表：, 总寨镇政府、各街道办事处，区政府各部门:) addresses readers; it is not the lead.
_SALUTATION = re.compile(  # used with match(): anchored at the line's start
    r"(?=[^。！？!?\n]*(?:各|代表|同志|部门|单位|政府|办事处))(?![^\n]*(?:如下|情况为|分别为))[^。！？!?\n]{1,60}[：:]\s*$"
)
# A report of work done, named in its title (总结, 工作情况, 回顾).
_SUMMARY = re.compile(r"总结|工作情况|回顾|小结|述职")
# A label in brackets that opens a paragraph, as its heading (【概况】昌邑区…).
_LABEL = re.compile(r"\s*【([^】\n]{1,20})】")
# A photo's credit line (新华社记者陈钢摄, 图/张三): the paragraph above it is a caption.
_PHOTO_CREDIT = re.compile(r"^\s*(?:[^。，,\n]{0,20}摄\s*(?:影)?|图[/／:：][^。\n]{0,20}|[（(]?图片来源[^\n]{0,20})\s*$")
# Every photo credit line holds one of these: only such lines are tried.
_PHOTO_CREDIT_MARKS = "摄图"
# Lines of a page's furniture, between a title and its text: dates, sources, bylines, index fields.
_RUNNING_TEXT = re.compile(r"[，,。；;！!？?]")  # furniture lines are fields, not clauses
_FURNITURE = re.compile(
    r"^\s*(?:[•·\-*]\s*)?(?:发布时间|发布日期|发布|来源|信息来源|作者|编辑|责任编辑|时间|日期|索引号|主题分类|公开主体|"
    r"发文字号|成文日期|浏览次数|字号|分享到|【?\s*字体|\d{4}[-年/.]\d{1,2})"
)


@dataclass(frozen=True)
class DocumentStructure:
    """What every figure of one document looks up, computed once."""

    text: str
    simplified: str
    layout: Layout
    hits: KeywordHits
    places: list[PlaceMention]
    place_starts: list[int]
    periods: list[PeriodMention]
    period_starts: list[int]
    quotes: list[tuple[int, int]]
    quote_starts: list[int]
    quoted_digits: list[tuple[int, int, str]]  # quoted labels with digits (“232”) and where they are
    published_year: int | None
    title: tuple[int, int] | None  # the headline, when the text opens with one
    lead: tuple[int, int] | None  # the first paragraph of running text
    heading_starts: list[int]  # starts of the header lines (title included), in order
    item_starts: list[int]  # where each news item of a roundup starts (its header block included)
    list_item_starts: list[int]  # where each item of a list in running text starts (一是…, （二）…)
    # looked up for every figure, so computed once: the starts of the blocks of running text
    # (paragraphs and list items, merged), and each header line's span and news item
    block_starts: list[int]
    heading_spans: list[tuple[int, int]]
    heading_items: list[int]
    # figures share sentences: what a sentence holds is looked up once (sentence span → value)
    sentence_plan_words: dict = field(default_factory=dict, compare=False, repr=False)
    plan_headings: dict = field(default_factory=dict, compare=False, repr=False)  # heading span → is a plan

    @classmethod
    def build(
        cls,
        document: Document,
        published_year: int | None,
        simplified: str | None = None,
        figure_starts: list[int] | None = None,
    ) -> DocumentStructure:
        """The structure of the document; keywords are looked for only in the sentences that hold
        figure_starts (the quantities' offsets), when given: the only ones a figure reads them in."""
        text = document.text
        simplified = simplified if simplified is not None else simplified_view(text)
        layout = Layout.of(simplified)
        rules = load_fact_rules()
        quotes = [(m.start(), m.end()) for m in rules.quotes.finditer(simplified)]
        quote_starts = [start for start, _ in quotes]
        reading = _Reading.of(simplified)
        # “平安街道” is a campaign's name, not a place
        places = [
            m
            for m in reading.places(load_gazetteer())
            if not _within(quotes, quote_starts, m.start)
        ]
        periods = [p for p in find_periods(simplified) if not p.baseline]
        quoted_digits = [(s, e, "".join(filter(str.isdigit, simplified[s:e]))) for s, e in quotes]
        # a short line of the page's furniture (发布时间:…, 来源:…, 新华社记者陈钢摄) heads nothing
        heading_starts = sorted(
            layout.line_starts[i]
            for i in layout.header_lines
            if not _is_furniture(layout.line_text(i)) and not _PHOTO_CREDIT.match(layout.line_text(i))
        )
        title = _title(layout)
        if title is not None and title[0] not in heading_starts:
            heading_starts = sorted([*heading_starts, title[0]])
        lead = _lead(layout, title)
        read_spans = None
        if figure_starts is not None and reading.offsets is None:
            sentence_starts = layout.sentence_starts
            read_spans = [
                layout.sentence_spans[index]
                for index in sorted({bisect.bisect_right(sentence_starts, start) for start in figure_starts})
            ]
        item_starts = _item_starts(simplified, layout)
        list_item_starts = _list_item_starts(simplified)
        return cls(
            text=text,
            simplified=simplified,
            layout=layout,
            # a quotation of a sentence or more says nothing about the figures around it
            hits=reading.hits(read_spans),
            places=places,
            place_starts=[p.start for p in places],
            periods=periods,
            period_starts=[p.start for p in periods],
            quotes=quotes,
            quote_starts=quote_starts,
            quoted_digits=[q for q in quoted_digits if q[2]],
            published_year=published_year,
            title=title,
            lead=lead,
            heading_starts=heading_starts,
            item_starts=item_starts,
            list_item_starts=list_item_starts,
            block_starts=sorted({*layout.paragraph_starts, *list_item_starts}),
            heading_spans=[(start, layout.line_ends[layout.line_index(start)]) for start in heading_starts],
            heading_items=[bisect.bisect_right(item_starts, start) for start in heading_starts],
        )

    @property
    def title_text(self) -> str | None:
        return self.simplified[self.title[0] : self.title[1]].strip() if self.title else None

    @functools.cached_property
    def document_year(self) -> int | None:
        """The year the article is of: its publication year, else the first year its title or
        lead states, else the latest year it reports on (an article is not older than its news)."""
        if self.published_year is not None:
            return self.published_year
        for span in (self.title, self.lead):
            year = self.first_year(span)
            if year is not None:
                return year
        return max((p.year for p in self.periods if not p.relative and not p.in_name), default=None)

    @functools.cached_property
    def is_summary(self) -> bool:
        """Whether the text opens as a report of work done (2021年上半年工作总结, 工作情况)."""
        opening = self.simplified[: self.title[1]] if self.title else self.simplified[:60]
        return bool(_SUMMARY.search(opening))

    @functools.cached_property
    def _caption_paragraphs(self) -> frozenset[int]:
        """Starts of the paragraphs right above a photo credit line (新华社记者陈钢摄)."""
        layout, starts = self.layout, set()
        for index in _lines_holding(layout, _PHOTO_CREDIT_MARKS):
            start, end = layout.line_starts[index], layout.line_ends[index]
            if index and 0 < end - start <= 40 and _PHOTO_CREDIT.match(layout.line_text(index)):
                previous = index - 1
                while previous >= 0 and not layout.line_text(previous).strip():
                    previous -= 1
                if previous >= 0:
                    starts.add(layout.paragraph_span(layout.line_starts[previous])[0])
        return frozenset(starts)

    def first_year(self, span: tuple[int, int] | None) -> int | None:
        """The first year the span states (2019年, 截止2020年9月26日, 二〇二〇年), None without one."""
        if span is None:
            return None
        return next((p.year for p in self.periods_between(*span) if not p.relative), None)

    def is_caption(self, offset: int) -> bool:
        """Whether offset lies in a photo caption: a paragraph followed by a photo credit line."""
        return self.layout.paragraph_span(offset)[0] in self._caption_paragraphs

    def is_salutation(self, offset: int) -> bool:
        """Whether offset lies on a salutation line (各位代表：)."""
        layout, text = self.layout, self.simplified
        index = layout.line_index(offset)
        start, end = layout.line_starts[index], layout.line_ends[index]
        while end > start and text[end - 1].isspace():
            end -= 1
        # (most lines end otherwise, and some run for pages: look at the end first)
        return end - start <= 62 and text[end - 1 : end] in ("：", ":") and bool(_SALUTATION.match(text, start, end))

    def item_at(self, offset: int) -> int:
        """Which news item holds offset (0 before the first byline; a roundup holds several)."""
        return bisect.bisect_right(self.item_starts, offset)

    def block_start(self, offset: int) -> int:
        """Where the smallest block of running text holding offset starts: its paragraph, or the
        item of a list inside the paragraph (一是…; 二是…)."""
        index = bisect.bisect_right(self.block_starts, offset)
        return self.block_starts[index - 1] if index else 0

    def heading_at(self, offset: int) -> tuple[int, int] | None:
        """The span of the nearest header line at or above offset, within its news item."""
        index = bisect.bisect_right(self.heading_starts, offset) - 1
        if index < 0 or self.heading_items[index] != bisect.bisect_right(self.item_starts, offset):
            return None
        return self.heading_spans[index]

    def label_at(self, offset: int) -> tuple[int, int] | None:
        """The span of the label that opens the paragraph holding offset (【概况】, 【进万家门】), if any."""
        start = self.layout.paragraph_span(offset)[0]
        match = _LABEL.match(self.simplified, start)
        return match.span(1) if match else None

    def heading_text(self, offset: int) -> str | None:
        span = self.heading_at(offset)
        return self.simplified[span[0] : span[1]].strip() if span else None

    def first_plan_word(self, sentence: tuple[int, int]) -> int | None:
        """Where the first plan word (计划, 力争 …) of the sentence starts, if it has one."""
        if sentence not in self.sentence_plan_words:
            match = load_fact_rules().target_words.search(self.simplified, *sentence)
            self.sentence_plan_words[sentence] = match.start() if match else None
        return self.sentence_plan_words[sentence]

    def places_between(self, start: int, end: int) -> list[PlaceMention]:
        return self.places[
            bisect.bisect_left(self.place_starts, start) : bisect.bisect_left(self.place_starts, end)
        ]

    def periods_between(self, start: int, end: int) -> list[PeriodMention]:
        return self.periods[
            bisect.bisect_left(self.period_starts, start) : bisect.bisect_left(self.period_starts, end)
        ]

    def in_quotes(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.quote_starts, start) - 1
        return index >= 0 and self.quotes[index][0] < start and end < self.quotes[index][1]


@dataclass(frozen=True)
class _Reading:
    """The text as it is read for names and keywords: without a mirror's pinyin annotations
    (長(zhǎng)沙街道 reads 長沙街道), with what is found mapped back to the text's own offsets."""

    text: str
    offsets: list[int] | None  # offsets[i]: where the reading's character i stands in the text

    @classmethod
    def of(cls, simplified: str) -> _Reading:
        rubies = [m for m in _RUBY.finditer(simplified) if _HAN.match(simplified, m.start() - 1)]
        if not rubies:
            return cls(simplified, None)
        kept = [True] * len(simplified)
        for match in rubies:
            kept[match.start() : match.end()] = [False] * (match.end() - match.start())
        offsets = [i for i, keep in enumerate(kept) if keep]
        return cls("".join(simplified[i] for i in offsets), offsets)

    def _start(self, i: int) -> int:
        return self.offsets[i] if self.offsets is not None else i

    def _end(self, i: int) -> int:
        return self.offsets[i - 1] + 1 if self.offsets is not None and i > 0 else i

    def places(self, gazetteer) -> list[PlaceMention]:
        found = find_places(self.text, gazetteer)
        if self.offsets is None:
            return found
        return [dataclasses.replace(m, start=self._start(m.start), end=self._end(m.end)) for m in found]

    def hits(self, within: list[tuple[int, int]] | None) -> KeywordHits:
        """Keyword hits (only inside `within`, spans of the text, when given and the text needs
        no mapping), outside long quotations."""
        ignore = [m.span() for m in _LONG_QUOTE.finditer(self.text)]
        hits = KeywordHits.of(self.text, load_lexicon(), ignore, within)
        if self.offsets is None:
            return hits
        return KeywordHits(
            tuple(self._start(s) for s in hits.starts), tuple(self._end(e) for e in hits.ends), hits.words
        )


def _within(spans: list[tuple[int, int]], starts: list[int], offset: int) -> bool:
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and offset < spans[index][1]


def _lines_holding(layout: Layout, characters: str) -> list[int]:
    """Indexes of the lines that hold any of the characters, in order.

    >>> _lines_holding(Layout.of("新华社记者摄\\n正文\\n图/张三"), "摄图")
    [0, 2]
    """
    text, lines = layout.text, set()
    for character in characters:
        position = text.find(character)
        while position >= 0:
            lines.add(layout.line_index(position))
            position = text.find(character, position + 1)
    return sorted(lines)


def _is_furniture(line: str) -> bool:
    """Whether the line is the page's furniture (发布时间：…, 来源：…, a date line), not running text
    that opens with a date (2017年3月,共办理热线工单2495件。).

    >>> _is_furniture("发布日期：2021-02-27  浏览次数：35"), _is_furniture("2017年3月,共办理热线工单2495件。")
    (True, False)
    """
    return bool(_FURNITURE.match(line)) and not _RUNNING_TEXT.search(line)


def _title(layout: Layout) -> tuple[int, int] | None:
    """The first non-empty line, when it reads as a headline (no closing punctuation)."""
    for index, start in enumerate(layout.line_starts):
        line = layout.line_text(index)
        stripped = line.strip()
        if not stripped:
            continue
        if len(stripped) > _TITLE_MAX_CHARS or stripped[-1] in _LINE_CLOSERS:
            return None
        return start, layout.line_ends[index]
    return None


def _lead(layout: Layout, title: tuple[int, int] | None) -> tuple[int, int] | None:
    """The first paragraph of running text: not the title, a header or the page's furniture."""
    for start in layout.paragraph_starts:
        if title is not None and start <= title[0]:
            continue
        index = layout.line_index(start)
        line = layout.line_text(index)
        if layout.is_header_line(index) or _is_furniture(line) or _SALUTATION.match(line) or not line.strip():
            continue
        return layout.paragraph_span(start)
    return None


def _list_item_starts(text: str) -> list[int]:
    """Where each item of a list in running text starts (after its marker: 一是, （二）, 3.), the
    marker opening the text or following the end of a sentence or a line.

    >>> text = "一是拆违。二是治乱；（三）绿化,3.5万平方米"
    >>> [text[start:start + 2] for start in _list_item_starts(text)]
    ['拆违', '治乱', '绿化']
    """
    at_start = _LIST_MARKER_AT_START.match(text)
    return ([at_start.end()] if at_start else []) + [m.end() for m in _LIST_MARKER_AFTER_BREAK.finditer(text)]


def _item_starts(text: str, layout: Layout) -> list[int]:
    """Where each news item starts: its byline, or the header block right above it."""
    starts = set()
    line_starts = [match.start() + 1 for match in _ITEM_START_AFTER_BREAK.finditer(text)]
    for line_start in [0, *line_starts] if _ITEM_START_AT_START.match(text) else line_starts:
        index = layout.line_index(line_start)
        block_start = index
        cursor = index - 1
        while cursor >= 0 and index - cursor <= _MAX_HEADER_BLOCK:
            if not layout.line_text(cursor).strip():
                cursor -= 1
                continue
            if not layout.is_header_line(cursor):
                break
            block_start = cursor
            cursor -= 1
        starts.add(layout.line_starts[block_start])
    return sorted(starts)
