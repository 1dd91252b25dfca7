"""Turn a document's quantities into facts: keep the reported figures, classify them, and
attribute each to a place and a period (the rules are docs/FACTS.md).

Everything about the document is computed once (layout, keyword hits, places, periods, quotes,
scopes); each quantity then bisects into those lists.

>>> from etl.documents import Document
>>> [(f.raw_text, f.category, f.subdistrict) for f in extract_facts(Document.from_text(
...     "中原区林山寨街道\\n截至2013年4月底,该街道共排查出各类矛盾问题15882起,办结率达99.22%。"))]
[('15882起', 'case_resolution', '林山寨街道'), ('99.22%', 'case_resolution', '林山寨街道')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from etl.classify import KeywordHits, load_fact_rules, load_lexicon
from etl.documents import Document
from etl.periods import PeriodMention, find_periods
from etl.places import Division, PlaceMention, find_places, find_referents, load_gazetteer
from etl.provenance import with_stated_provenance
from etl.quantities import Quantity, find_quantities
from etl.schema import Fact, fact_id
from etl.sentences import Layout, simplified_view

# A line that starts a news item: a dateline or a byline (本报讯, 本报记者 X 通讯员 Y, 河南商报见习记者 X).
# (Whitespace within the line: the whole text is scanned at once.)
_ITEM_START = re.compile(r"^[^\S\n]*(?:本报讯|[\u4e00-\u9fff]{0,8}记者[^\S\n]|通讯员[^\S\n])", re.MULTILINE)
_REFER_FORWARD = re.compile(r"\s*(?:这是|这些|以上|上述)")  # used with match(text, pos)
_COMPOUND = re.compile(r"\d+号院")
_MAX_HEADER_BLOCK = 4
_LONG_QUOTE = re.compile(r"“[^”\n]{10,300}”")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_COUNTY_LEVEL = re.compile(r"[区市县]")
_LINE_BREAK = re.compile(r"\s*\n\s*")


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose figures the text is reporting at some point: the running subject of the article."""

    subdistrict: PlaceMention | None = None
    district: Division | None = None
    city: Division | None = None
    last_subdistrict: PlaceMention | None = None
    item: int = 0  # which news item (a roundup holds several)


@dataclass(frozen=True)
class DocumentIndex:
    """What every quantity of one document looks up, computed once."""

    text: str
    simplified: str
    layout: Layout
    hits: KeywordHits
    places: list[PlaceMention]
    place_starts: list[int]
    scope_positions: list[int]
    scopes: list[Scope]
    community_items: frozenset[int]
    periods: list[PeriodMention]
    period_starts: list[int]
    header_years: list[tuple[int, PeriodMention]]
    quotes: list[tuple[int, int]]
    quoted_digits: list[tuple[int, int, str]]  # quoted labels with digits (“232”) and where they are
    published_year: int | None
    header_starts: list[int]
    plan_headers: frozenset[int]  # starts of headers such as 2016年工作计划
    # figures share sentences: what a sentence holds is looked up once (sentence span → value)
    sentence_places: dict = field(default_factory=dict, compare=False, repr=False)
    sentence_periods: dict = field(default_factory=dict, compare=False, repr=False)
    sentence_plan_words: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        document: Document,
        published_year: int | None,
        simplified: str | None = None,
        figure_starts: list[int] | None = None,
    ) -> DocumentIndex:
        """The index of the document; keywords are looked for only in the sentences that hold
        figure_starts (the quantities' offsets), when given: the only ones a figure reads them in."""
        text = document.text
        simplified = simplified if simplified is not None else simplified_view(text)
        layout = Layout.of(simplified)
        rules = load_fact_rules()
        quotes = [(m.start(), m.end()) for m in rules.quotes.finditer(simplified)]
        quote_starts = [start for start, _ in quotes]
        # “平安街道” is a campaign's name, not a place
        places = [
            m for m in find_places(simplified, load_gazetteer()) if not _within(quotes, quote_starts, m.start)
        ]
        scope_positions, scopes, community_items = _scope_timeline(simplified, layout, places)
        periods = [p for p in find_periods(simplified) if not p.baseline]
        quoted_digits = [(s, e, "".join(filter(str.isdigit, simplified[s:e]))) for s, e in quotes]
        header_starts = sorted(layout.line_starts[i] for i in layout.header_lines)
        header_texts = [layout.line_text(layout.line_index(s)) for s in header_starts]
        header_years = [
            (layout.line_starts[layout.line_index(p.start)], p)
            for p in periods
            # a dated subtitle (——2013年1月15日在…会议上) is not the report's year: its title is
            if not p.relative and not p.full_date and layout.is_header_line(layout.line_index(p.start))
        ]
        return cls(
            text=text,
            simplified=simplified,
            layout=layout,
            # a quotation of a sentence or more says nothing about the figures around it
            hits=KeywordHits.of(
                simplified,
                load_lexicon(),
                [m.span() for m in _LONG_QUOTE.finditer(simplified)],
                None if figure_starts is None else sorted({layout.sentence_span(s) for s in figure_starts}),
            ),
            places=places,
            place_starts=[p.start for p in places],
            scope_positions=scope_positions,
            scopes=scopes,
            community_items=community_items,
            periods=periods,
            period_starts=[p.start for p in periods],
            header_years=header_years,
            quotes=quotes,
            quoted_digits=[q for q in quoted_digits if q[2]],
            published_year=published_year,
            header_starts=header_starts,
            plan_headers=frozenset(
                s for s, line in zip(header_starts, header_texts) if rules.plan_header.search(line)
            ),
        )

    def under_plan_header(self, offset: int) -> bool:
        """Whether the section holding offset is headed as a plan (三、2016年工作计划)."""
        index = bisect.bisect_right(self.header_starts, offset) - 1
        if index < 0 or self.header_starts[index] not in self.plan_headers:
            return False
        return self.scope_at(self.header_starts[index]).item == self.scope_at(offset).item

    def scope_at(self, offset: int) -> Scope:
        index = bisect.bisect_right(self.scope_positions, offset) - 1
        return self.scopes[index] if index >= 0 else Scope()

    def townships_and_districts_in(
        self, sentence: tuple[int, int]
    ) -> tuple[list[PlaceMention], list[PlaceMention]]:
        """The townships, and the resolved districts, named in the sentence."""
        found = self.sentence_places.get(sentence)
        if found is None:
            in_sentence = self.places_between(*sentence)
            found = self.sentence_places[sentence] = (
                [m for m in in_sentence if m.kind == "township"],
                [m for m in in_sentence if m.kind == "district" and m.division is not None],
            )
        return found

    def periods_about(self, sentence: tuple[int, int]) -> list[PeriodMention]:
        """The period phrases of the sentence, and of the next one when it refers back to it
        (…受理的矛盾纠纷1200件。这是…自2009年来受理的)."""
        found = self.sentence_periods.get(sentence)
        if found is None:
            found = self.periods_between(*sentence)
            if sentence[1] < len(self.text):
                following = self.layout.sentence_span(sentence[1])
                if _REFER_FORWARD.match(self.simplified, following[0]):
                    found = found + self.periods_between(*following)
            self.sentence_periods[sentence] = found
        return found

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
        index = bisect.bisect_right(self.quotes, (start, float("inf"))) - 1
        return index >= 0 and self.quotes[index][0] < start and end < self.quotes[index][1]


def _within(spans: list[tuple[int, int]], starts: list[int], offset: int) -> bool:
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and offset < spans[index][1]


def _scope_timeline(text: str, layout: Layout, places: list[PlaceMention]):
    """The running scope after every event that changes it (item starts, headers, mentions)."""
    events: list[tuple[int, int, str, object]] = []  # (offset, order, kind, payload)
    item_starts = []
    for match in _ITEM_START.finditer(text):
        index = layout.line_index(match.start())
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
        item_starts.append(layout.line_starts[block_start])
    for offset in sorted(set(item_starts)):
        events.append((offset, 0, "reset", None))
    for mention in places:
        line = layout.line_index(mention.start)
        if layout.is_header_line(line):
            events.append((layout.line_starts[line], 1, "header", mention))
        else:
            events.append((mention.end, 2, "mention", mention))
    for offset in find_referents(text):
        events.append((offset, 3, "referent", None))
    events.sort(key=lambda e: (e[0], e[1]))

    positions, scopes = [], []
    scope = Scope()
    community_counts: dict[int, dict[str, int]] = {}
    items_with_subdistrict: set[int] = set()
    for offset, _, kind, payload in events:
        if kind == "reset":
            scope = Scope(item=scope.item + 1)
        elif kind == "referent":
            if scope.subdistrict is None and scope.last_subdistrict is not None:
                scope = _replace(scope, subdistrict=scope.last_subdistrict)
        else:
            mention: PlaceMention = payload
            division = mention.division
            if mention.kind == "township":
                items_with_subdistrict.add(scope.item)
                district = _division_of(division, "district") or scope.district
                scope = _replace(scope, subdistrict=mention, last_subdistrict=mention, district=district)
            elif mention.kind == "district" and division is not None:
                if kind == "header":
                    scope = _replace(scope, subdistrict=None, district=division)
                elif scope.subdistrict is None:
                    scope = _replace(scope, district=division)
            elif mention.kind == "city" and division is not None and scope.city is None:
                scope = _replace(scope, city=division)
            elif mention.kind == "community":
                stem = mention.surface[:-2]
                if not _COUNTY_LEVEL.search(stem):
                    counts = community_counts.setdefault(scope.item, {})
                    counts[stem] = counts.get(stem, 0) + 1
        positions.append(offset)
        scopes.append(scope)
    community_items = frozenset(
        item
        for item, counts in community_counts.items()
        if item not in items_with_subdistrict and any(n >= 2 for n in counts.values())
    )
    return positions, scopes, community_items


def _replace(scope: Scope, **changes) -> Scope:
    values = {name: getattr(scope, name) for name in Scope.__slots__}
    values.update(changes)
    return Scope(**values)


def _division_of(division: Division | None, level: str) -> Division | None:
    if division is None:
        return None
    if level == "district" and division.district_code:
        return load_gazetteer().by_code.get(division.district_code)
    return None


@dataclass(frozen=True, slots=True)
class Place:
    province: str | None
    city: str | None
    district: str | None
    subdistrict: str | None
    admin_code: str | None
    level: str


def attribute_place(index: DocumentIndex, start: int, sentence: tuple[int, int]) -> Place:
    """The most specific unit the text makes the figure at `start` (in `sentence`) about."""
    townships, districts = index.townships_and_districts_in(sentence)
    scope = index.scope_at(start)
    subdistrict: PlaceMention | None = None
    district: Division | None = scope.district
    if townships:
        before = [m for m in townships if m.start < start]
        subdistrict = before[-1] if before else townships[0]
        district = _division_of(subdistrict.division, "district") or district
    elif districts and (scope.district is None or districts[-1].division.code != scope.district.code):
        before = [m for m in districts if m.start < start]
        district = (before[-1] if before else districts[0]).division
    else:
        subdistrict = scope.subdistrict
        if subdistrict is not None:
            district = _division_of(subdistrict.division, "district") or district
    division = subdistrict.division if subdistrict else None
    unit = division or district or scope.city
    if subdistrict is not None:
        level = "township" if subdistrict.canonical.endswith(("乡", "镇")) else "subdistrict"
    elif district is not None:
        level = "district"
    else:
        level = "city" if scope.city is not None else "district"
    compound = "号院" in index.simplified[sentence[0] : start] and _COMPOUND.search(
        index.simplified, sentence[0], start
    )
    if compound or (subdistrict is None and scope.item in index.community_items):
        level = "community"
    return Place(
        province=unit.province if unit else None,
        city=unit.city if unit else None,
        district=(division.district if division else district.name if district else None),
        subdistrict=subdistrict.canonical if subdistrict else None,
        admin_code=unit.current_code if unit else None,
        level=level,
    )


def attribute_period(
    index: DocumentIndex,
    start: int,
    end: int,
    figure_sentences: set[int],
    sentence: tuple[int, int],
    clause: tuple[int, int],
) -> tuple[int | None, str | None]:
    """(year, period_text) of the figure at text[start:end] (in `sentence` and `clause`), by the
    FACTS.md rule."""
    published = index.published_year
    in_sentence = index.periods_about(sentence)
    if not in_sentence:  # most figures: the period comes from the paragraph, a header or the date
        return _period_from_context(index, start, sentence, figure_sentences)
    before = [p for p in in_sentence if p.end <= start]
    same_clause_after = [p for p in in_sentence if p.start >= end and p.start < clause[1]]
    later = [p for p in in_sentence if p.start >= sentence[1]]  # the 这是 sentence
    # 目前 inside a sentence is an adverb of its segment (…;目前已完成土地收储;投资约4亿元的…: not the
    # 4亿元's); at the head of the sentence it scopes the whole sentence
    period_words = [
        p
        for p in before
        if not p.in_name
        and not (
            p.text == "目前"
            and index.simplified[sentence[0] : p.start].strip()
            and any(mark in index.simplified[p.end : start] for mark in "；;")
        )
    ]
    text_mention = (
        period_words[-1]
        if period_words
        else next((p for p in same_clause_after + later if not p.in_name), None)
    )

    explicit = [p for p in before if not p.relative]
    explicit_after = [p for p in same_clause_after + later if not p.relative]
    if explicit:
        year = explicit[-1].year
    elif explicit_after:
        year = explicit_after[0].year
    elif text_mention is not None:
        # 今年, 上半年: the publication year, else the year of the report's title (2020年上半年工作情况)
        year = text_mention.resolved_year(published if published is not None else _header_year(index, start))
    else:
        return _period_from_context(index, start, sentence, figure_sentences)
    return year, (text_mention.text if text_mention else None)


def _period_from_context(
    index: DocumentIndex, start: int, sentence: tuple[int, int], figure_sentences: set[int]
) -> tuple[int | None, str | None]:
    """(year, period_text) of a figure whose sentence names no period: the paragraph's, else a
    header's year, else the publication year."""
    paragraph = index.layout.paragraph_span(start)
    year, text_mention = _paragraph_period(index, paragraph, sentence, figure_sentences)
    if year is None and text_mention is None:
        year = _header_year(index, start)
        if year is None:
            year = index.published_year
    return year, (text_mention.text if text_mention else None)


def _paragraph_period(
    index, paragraph, sentence, figure_sentences
) -> tuple[int | None, PeriodMention | None]:
    """The period that scopes the paragraph before this sentence: an explicit year, or a
    '…以来' phrase opening a sentence that reports nothing itself (去年以来,街道…强力推进重点项目。)."""
    for mention in reversed(index.periods_between(paragraph[0], sentence[0])):
        if not mention.relative:
            return mention.year, (None if mention.in_name else mention)
        if (
            mention.text.endswith("以来")
            and index.layout.sentence_span(mention.start)[0] not in figure_sentences
        ):
            published = index.published_year
            base = published if published is not None else _header_year(index, sentence[0])
            return mention.resolved_year(base), mention
    return None, None


def _header_year(index: DocumentIndex, start: int) -> int | None:
    """The year of a header above (2015年工作总结 scopes the whole report), within the same item."""
    scope = index.scope_at(start)
    for line_start, mention in reversed(index.header_years):
        if line_start <= start and index.scope_at(line_start).item == scope.item:
            return mention.year
    return None


def nonfact_reason(index: DocumentIndex, quantity: Quantity, previous: Quantity | None) -> str | None:
    """Why a quantity is not a reported figure (None when it is one)."""
    text = index.simplified
    if index.in_quotes(quantity.start, quantity.end):
        return "inside a quoted slogan or label"
    rules = load_fact_rules()
    reason = rules.nonfact_reason(
        text,
        quantity.start,
        quantity.end,
        index.text[quantity.start : quantity.end],
        quantity.raw_unit,
        quantity.unit,
    )
    if reason:
        return reason
    if (
        previous is not None
        and previous.unit in ("item", "person", "household")
        and _adjacent(text, previous, quantity)
    ):
        if quantity.unit not in ("item", "person", "household", "case") and _HAN.match(text, quantity.end):
            return "a size class right after a count (5个上亿元项目)"
    if quantity.unit == "item" and quantity.value < 10 and index.quoted_digits:
        sentence = index.layout.sentence_span(quantity.start)
        first = bisect.bisect_left(index.quoted_digits, (sentence[0],))
        last = bisect.bisect_left(index.quoted_digits, (quantity.start,))
        for start, end, digits in index.quoted_digits[first:last]:
            if end <= quantity.start and "即" in text[end : quantity.start]:
                if str(int(quantity.value)) in digits:
                    return "spells out a numeric slogan (“232”的工作思路,即…两个产业)"
    return None


def _governed_by_plan(index, rules, quantity, sentence, first_figure, year, published) -> bool:
    """A plan word governs the figure, and the plan is not an estimate of a period already over
    (预计全年… in a December review, or about an earlier year, reports a result)."""
    first_plan_word = index.first_plan_word(sentence)
    if first_plan_word is None or first_plan_word >= quantity.start:
        return False  # no plan word before the figure
    word = rules.target_word(index.simplified, quantity.start, sentence[0], quantity.unit, first_figure)
    if word is None:
        return False
    if word == "预计" and published is not None and year is not None:
        return not (year < published.year or (year == published.year and published.month == 12))
    return True


def _adjacent(text: str, previous: Quantity, quantity: Quantity) -> bool:
    gap = text[previous.end : quantity.start]
    return len(gap) <= 1 and gap in ("", "上", "近", "超")


def extract_facts(document: Document) -> list[Fact]:
    """Every reported figure of the document, as Fact rows (see docs/FACTS.md)."""
    # Quantities are read on the simplified view too (萬 → 万), offset for offset.
    simplified = simplified_view(document.text)
    return facts_from_quantities(document, find_quantities(simplified), simplified)


def facts_from_quantities(
    document: Document, quantities: list[Quantity], simplified: str | None = None
) -> list[Fact]:
    """Keep, classify and attribute the given quantities of the document (`simplified`: its
    simplified view, when the caller has it already)."""
    if not quantities:
        return []
    document = with_stated_provenance(document)
    outlet, published = document.outlet, document.published
    index = DocumentIndex.build(
        document, published.year if published else None, simplified, [q.start for q in quantities]
    )
    lexicon = load_lexicon()
    rules = load_fact_rules()
    doc_id = document.doc_id
    layout = index.layout
    kept: list[Quantity] = []
    previous = None
    quantities = sorted(quantities, key=lambda q: q.start)
    for quantity in quantities:
        if nonfact_reason(index, quantity, previous) is None:
            kept.append(quantity)
        previous = quantity
    first_figure: dict[int, int] = {}
    for quantity in quantities:  # sorted by start
        first_figure.setdefault(layout.sentence_span(quantity.start)[0], quantity.start)
    figure_sentences = set(first_figure)
    facts: list[Fact] = []
    sentence_texts: dict[tuple[int, int], str] = {}  # figures share sentences
    previous_in_sentence: tuple[tuple[int, int], str] | None = None
    for quantity in kept:
        sentence = layout.sentence_span(quantity.start)
        clause = layout.clause_span(quantity.start)
        previous_category = (
            previous_in_sentence[1] if previous_in_sentence and previous_in_sentence[0] == sentence else None
        )
        category, metric = lexicon.choose(
            index.hits,
            index.simplified,
            quantity.start,
            quantity.end,
            quantity.unit,
            quantity.raw_unit,
            clause,
            sentence,
            previous_category,
        )
        previous_in_sentence = (sentence, category)
        place = attribute_place(index, quantity.start, sentence)
        sentence_text = sentence_texts.get(sentence)
        if sentence_text is None:
            sentence_text = sentence_texts[sentence] = _sentence(document.text, sentence)
        year, period_text = attribute_period(
            index, quantity.start, quantity.end, figure_sentences, sentence, clause
        )
        facts.append(
            Fact(
                fact_id=fact_id(doc_id, quantity.start, quantity.end, document.source),
                doc_id=doc_id,
                source=document.source,
                value=_signed_value(index.simplified, quantity, rules),
                unit=quantity.unit,
                raw_text=document.text[quantity.start : quantity.end],
                qualifier=quantity.qualifier,
                category=category,
                metric=metric,
                level=place.level,
                is_target=index.under_plan_header(quantity.start)
                or _governed_by_plan(
                    index, rules, quantity, sentence, first_figure[sentence[0]], year, published
                ),
                sentence=sentence_text,
                sentence_offset=_offset_in_sentence(
                    document.text, sentence, quantity.start, quantity.end, sentence_text
                ),
                char_start=quantity.start,
                char_end=quantity.end,
                outlet=outlet,
                published=published,
                province=place.province,
                city=place.city,
                district=place.district,
                subdistrict=place.subdistrict,
                admin_code=place.admin_code,
                year=year,
                period_text=period_text,
            )
        )
    return facts


def _signed_value(text: str, quantity: Quantity, rules) -> float:
    """The value, negative for a change written as a decline (信访总量同比下降21% is -21)."""
    if quantity.unit not in rules.signed_units:
        return quantity.value
    before = text[max(0, quantity.start - 10) : quantity.start]
    return -quantity.value if rules.decline_before.search(before) else quantity.value


def _sentence(text: str, span: tuple[int, int]) -> str:
    return _LINE_BREAK.sub("", text[span[0] : span[1]]).strip()


def _offset_in_sentence(text: str, span: tuple[int, int], start: int, end: int, sentence: str) -> int | None:
    """Where text[start:end] starts in its sentence as _sentence writes it (line breaks dropped),
    so that a figure written twice in one sentence is shown at the right place.

    >>> text = "共4个项目,\\n已完成4个。"
    >>> _offset_in_sentence(text, (0, len(text)), 11, 13, _sentence(text, (0, len(text))))
    10
    """
    offset = len(_LINE_BREAK.sub("", text[span[0] : start]).lstrip())
    return offset if sentence.startswith(text[start:end], offset) else None
