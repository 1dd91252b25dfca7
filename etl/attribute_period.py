"""Which year a figure is of: the period attributor (the FACTS.md rule).

A figure takes the period phrase of its own sentence (before it, else after it in its clause);
else the one that scopes its paragraph; else the year of a heading or title above it (a report's
title year scopes all its sections); else the publication year.

>>> from etl.documents import Document
>>> from etl.structure import DocumentStructure
>>> text = "城桥镇2015年工作总结\\n\\n全年拆除违法建筑1.2万平方米。"
>>> structure = DocumentStructure.build(Document.from_text(text), None)
>>> start = text.index("1.2")
>>> span = structure.layout.sentence_span(start)
>>> PeriodAttributor(structure, {span[0]}).period(start, start + 7, span, structure.layout.clause_span(start))
(2015, '全年')
"""

from __future__ import annotations

import bisect
import re

from etl.periods import PeriodMention
from etl.structure import DocumentStructure

_REFER_FORWARD = re.compile(r"\s*(?:这是|这些|以上|上述)")  # used with match(text, pos)


class PeriodAttributor:
    """The (year, period_text) of every figure of one document (built once per document)."""

    def __init__(self, structure: DocumentStructure, figure_sentences: set[int]):
        self.structure = structure
        self.figure_sentences = figure_sentences  # starts of the sentences that hold figures
        layout = structure.layout
        headings = set(structure.heading_starts)
        # the first year of each heading: in '2021年工作总结及2022年工作计划' the summary's year
        # (the plan part has a heading of its own)
        header_years: dict[int, PeriodMention] = {}
        for p in structure.periods:
            line_start = layout.line_starts[layout.line_index(p.start)]
            # a dated subtitle (——2013年1月15日在…会议上) is not the report's year: its title is
            if not p.relative and not p.full_date and line_start in headings:
                header_years.setdefault(line_start, p)
        self.header_years = sorted(header_years.items(), key=lambda pair: pair[0])
        # (a header's year reaches the figures below it in its own news item: by bisection)
        self._header_starts = [line_start for line_start, _ in self.header_years]
        self._header_items = [structure.item_at(line_start) for line_start in self._header_starts]
        # An undated article whose lead is framed by a date or year (截止2020年9月26日, 现将2024年6月份…
        # 通报如下, 黄山市2019年实施…) is of that year throughout, unless a figure says otherwise.
        self.lead_year = structure.first_year(structure.lead) if structure.published_year is None else None
        self._sentence_periods: dict[tuple[int, int], list[PeriodMention]] = {}

    def periods_about(self, sentence: tuple[int, int]) -> list[PeriodMention]:
        """The period phrases of the sentence, and of the next one when it refers back to it
        (…受理的矛盾纠纷1200件。这是…自2009年来受理的)."""
        found = self._sentence_periods.get(sentence)
        if found is None:
            structure = self.structure
            found = structure.periods_between(*sentence)
            if sentence[1] < len(structure.text):
                following = structure.layout.sentence_span(sentence[1])
                if _REFER_FORWARD.match(structure.simplified, following[0]):
                    found = found + structure.periods_between(*following)
            self._sentence_periods[sentence] = found
        return found

    def period(
        self, start: int, end: int, sentence: tuple[int, int], clause: tuple[int, int]
    ) -> tuple[int | None, str | None]:
        """(year, period_text) of the figure at text[start:end] (in `sentence` and `clause`)."""
        structure = self.structure
        in_sentence = self._sentence_periods.get(sentence)
        if in_sentence is None:
            in_sentence = self.periods_about(sentence)
        if not in_sentence:  # most figures: the period comes from the paragraph, a header or the date
            return self._from_context(start, sentence)
        # One pass over the phrases (in order): the last period word and explicit year before the
        # figure; the first after it, in its clause or in the 这是 sentence that follows.
        word_before = explicit_before = word_after = explicit_after = None
        for p in in_sentence:
            if p.end <= start:
                # 目前 inside a sentence is an adverb of its segment (…;目前已完成土地收储;投资约4亿元的…:
                # not the 4亿元's); at the head of the sentence it scopes the whole sentence
                if not p.in_name and not (
                    p.text == "目前"
                    and structure.simplified[sentence[0] : p.start].strip()
                    and any(mark in structure.simplified[p.end : start] for mark in "；;")
                ):
                    word_before = p
                if not p.relative:
                    explicit_before = p
            elif end <= p.start < clause[1] or p.start >= sentence[1]:
                if word_after is None and not p.in_name:
                    word_after = p
                if explicit_after is None and not p.relative:
                    explicit_after = p
        text_mention = word_before if word_before is not None else word_after
        if explicit_before is not None:
            year = explicit_before.year
        elif explicit_after is not None:
            year = explicit_after.year
        elif text_mention is not None and text_mention.dating:
            # 今年, 上半年: the publication year, else the year of the report's title (2020年上半年工作情况)
            year = text_mention.resolved_year(self._base_year(start))
        else:  # 6月份, 全年: the phrase is the period, the year is the context's
            year, context_text = self._from_context(start, sentence)
            return year, (text_mention.text if text_mention else context_text)
        return year, (text_mention.text if text_mention else None)

    def _from_context(self, start: int, sentence: tuple[int, int]) -> tuple[int | None, str | None]:
        """(year, period_text) of a figure whose sentence names no period: the paragraph's, else a
        header's year, else the publication year."""
        block = (self.structure.block_start(start), sentence[1])
        year, text_mention = self._paragraph_period(block, sentence)
        if year is None and text_mention is None:
            year = self.header_year(start)
            if year is None:
                year = self.structure.published_year
                if year is None and self.structure.lead and start >= self.structure.lead[0]:
                    year = self.lead_year
        return year, (text_mention.text if text_mention else None)

    def _base_year(self, start: int) -> int | None:
        """The year that 今年, 上半年 … are relative to: the publication year, else the year of the
        report's heading (2020年上半年工作情况), else the year that frames an undated article."""
        structure = self.structure
        if structure.published_year is not None:
            return structure.published_year
        header = self.header_year(start)
        if header is None and structure.lead and start >= structure.lead[0]:
            return self.lead_year
        return header

    def _paragraph_period(
        self, paragraph: tuple[int, int], sentence: tuple[int, int]
    ) -> tuple[int | None, PeriodMention | None]:
        """The period that scopes the paragraph (or the list item: 一是…) before this sentence: an
        explicit year, or a '…以来' phrase opening a sentence that reports nothing itself
        (去年以来,街道…强力推进重点项目。)."""
        structure = self.structure
        for mention in reversed(structure.periods_between(paragraph[0], sentence[0])):
            if not mention.dating:
                continue
            if not mention.relative:
                return mention.year, (None if mention.in_name else mention)
            if (
                mention.text.endswith("以来")
                and structure.layout.sentence_span(mention.start)[0] not in self.figure_sentences
            ):
                return mention.resolved_year(self._base_year(sentence[0])), mention
        return None, None

    def header_year(self, start: int) -> int | None:
        """The year of a header above (2015年工作总结 scopes the whole report), within the same item."""
        # the nearest header at or above start; one further up is in the same item or an earlier one
        index = bisect.bisect_right(self._header_starts, start) - 1
        if index < 0 or self._header_items[index] != self.structure.item_at(start):
            return None
        return self.header_years[index][1].year
