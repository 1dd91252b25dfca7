"""Turn a document's quantities into facts: keep the reported figures, and assemble each row from
the three attributors (category, place, period) that read the document's structure (the rules
are docs/FACTS.md).

The structure is computed once per document (etl/structure.py); each attributor builds what it
needs from it once, and each quantity then bisects into those lists.

>>> from etl.documents import Document
>>> [(f.raw_text, f.category, f.subdistrict) for f in extract_facts(Document.from_text(
...     "中原区林山寨街道\\n截至2013年4月底,该街道共排查出各类矛盾问题15882起,办结率达99.22%。"))]
[('15882起', 'case_resolution', '林山寨街道'), ('99.22%', 'case_resolution', '林山寨街道')]
"""

from __future__ import annotations

import bisect
import re

from etl.attribute_category import CategoryAttributor
from etl.category_model import CategoryModel, FigureContext, committed_model
from etl.attribute_period import PeriodAttributor
from etl.attribute_place import PlaceAttributor
from etl.classify import load_fact_rules
from etl.documents import Document
from etl.provenance import with_stated_provenance
from etl.quantities import Quantity, find_quantities
from etl.schema import Fact, fact_id
from etl.sentences import simplified_view
from etl.structure import DocumentStructure

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LINE_BREAK = re.compile(r"\s*\n\s*")


def nonfact_reason(structure: DocumentStructure, quantity: Quantity, previous: Quantity | None) -> str | None:
    """Why a quantity is not a reported figure (None when it is one)."""
    text = structure.simplified
    if structure.in_quotes(quantity.start, quantity.end):
        return "inside a quoted slogan or label"
    rules = load_fact_rules()
    reason = rules.nonfact_reason(
        text,
        quantity.start,
        quantity.end,
        text[quantity.start : quantity.end],  # (the rules are written in simplified characters)
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
    if quantity.unit == "item" and quantity.value < 10 and structure.quoted_digits:
        sentence = structure.layout.sentence_span(quantity.start)
        first = bisect.bisect_left(structure.quoted_digits, (sentence[0],))
        last = bisect.bisect_left(structure.quoted_digits, (quantity.start,))
        for start, end, digits in structure.quoted_digits[first:last]:
            if end <= quantity.start and "即" in text[end : quantity.start]:
                if str(int(quantity.value)) in digits:
                    return "spells out a numeric slogan (“232”的工作思路,即…两个产业)"
    return None


def _governed_by_plan(structure, rules, quantity, sentence, first_figure, year, published) -> bool:
    """A plan word governs the figure, and the plan is not an estimate of a period already over
    (预计全年… in a December review, or about an earlier year, reports a result)."""
    first_plan_word = structure.first_plan_word(sentence)
    if first_plan_word is None or first_plan_word >= quantity.start:
        return False  # no plan word before the figure
    word = rules.target_word(structure.simplified, quantity.start, sentence[0], quantity.unit, first_figure)
    if word is None:
        return False
    if word == "预计" and published is not None and year is not None:
        return not (year < published.year or (year == published.year and published.month == 12))
    if word == "预计" and published is None and structure.is_summary:
        return False  # 预计 in a summary of work done estimates the period it reports on
    return True


def _adjacent(text: str, previous: Quantity, quantity: Quantity) -> bool:
    gap = text[previous.end : quantity.start]
    return len(gap) <= 1 and gap in ("", "上", "近", "超")


def extract_facts(
    document: Document,
    category_model: CategoryModel | None | str = "committed",
    contexts: list[FigureContext] | None = None,
) -> list[Fact]:
    """Every reported figure of the document, as Fact rows (see docs/FACTS.md).

    category_model: the model read beside the keyword rules (etl/category_model.py): the
    committed one, another, or None for the rules alone. contexts: a list that receives what
    the model reads of each fact, in order (to train it)."""
    # Quantities are read on the simplified view too (萬 → 万), offset for offset.
    simplified = simplified_view(document.text)
    return facts_from_quantities(document, find_quantities(simplified), simplified, category_model, contexts)


def facts_from_quantities(
    document: Document,
    quantities: list[Quantity],
    simplified: str | None = None,
    category_model: CategoryModel | None | str = "committed",
    contexts: list[FigureContext] | None = None,
) -> list[Fact]:
    """Keep, classify and attribute the given quantities of the document (`simplified`: its
    simplified view, when the caller has it already)."""
    if not quantities:
        return []
    document = with_stated_provenance(document)
    outlet, published = document.outlet, document.published
    structure = DocumentStructure.build(
        document, published.year if published else None, simplified, [q.start for q in quantities]
    )
    rules = load_fact_rules()
    doc_id = document.doc_id
    layout = structure.layout
    kept: list[Quantity] = []
    previous = None
    quantities = sorted(quantities, key=lambda q: q.start)
    for quantity in quantities:
        if nonfact_reason(structure, quantity, previous) is None:
            kept.append(quantity)
        previous = quantity
    sentence_of = {quantity.start: layout.sentence_span(quantity.start) for quantity in quantities}
    first_figure: dict[int, int] = {}
    for quantity in quantities:  # sorted by start
        first_figure.setdefault(sentence_of[quantity.start][0], quantity.start)
    categories = CategoryAttributor(
        structure, committed_model() if category_model == "committed" else category_model
    )
    places = PlaceAttributor(structure, [q.start for q in kept])
    periods = PeriodAttributor(structure, set(first_figure))
    clauses = [layout.clause_span(quantity.start) for quantity in kept]
    by_rules = []
    previous_in_sentence: tuple[tuple[int, int], str] | None = None
    for quantity, clause in zip(kept, clauses):
        sentence = sentence_of[quantity.start]
        previous_category = (
            previous_in_sentence[1] if previous_in_sentence and previous_in_sentence[0] == sentence else None
        )
        choice = categories.category(
            quantity.start, quantity.end, quantity.unit, quantity.raw_unit, clause, sentence, previous_category
        )
        previous_in_sentence = (sentence, choice.category)
        by_rules.append((quantity.start, quantity.unit, sentence, choice))
        if contexts is not None:
            contexts.append(categories.context(quantity.start, quantity.unit, sentence, choice))
    choices = categories.revise(by_rules)  # the model reads the whole document's figures at once
    facts: list[Fact] = []
    sentence_texts: dict[tuple[int, int], str] = {}  # figures share sentences
    for quantity, clause, choice in zip(kept, clauses, choices):
        sentence = sentence_of[quantity.start]
        place = places.place(quantity.start, sentence)
        sentence_text = sentence_texts.get(sentence)
        if sentence_text is None:
            sentence_text = sentence_texts[sentence] = _sentence(document.text, sentence)
        year, period_text = periods.period(quantity.start, quantity.end, sentence, clause)
        facts.append(
            Fact(
                fact_id=fact_id(doc_id, quantity.start, quantity.end, document.source),
                doc_id=doc_id,
                source=document.source,
                value=_signed_value(structure.simplified, quantity, rules),
                unit=quantity.unit,
                raw_text=document.text[quantity.start : quantity.end],
                qualifier=quantity.qualifier,
                category=choice.category,
                metric=choice.metric,
                level=place.level,
                is_target=_under_plan_header(structure, quantity.start, rules.plan_header)
                or _governed_by_plan(
                    structure, rules, quantity, sentence, first_figure[sentence[0]], year, published
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
                category_evidence=choice.evidence,
                place_evidence=place.evidence,
            )
        )
    return facts


def _under_plan_header(structure: DocumentStructure, offset: int, plan_header: re.Pattern) -> bool:
    """Whether the section holding offset is headed as a plan (三、2016年工作计划)."""
    heading = structure.heading_at(offset)
    if heading is None:
        return False
    found = structure.plan_headings.get(heading)
    if found is None:
        found = structure.plan_headings[heading] = bool(plan_header.search(structure.simplified, *heading))
    return found


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
