"""Turn a document's quantities into facts (first version: keep every quantity, attribute by the
nearest subdistrict name written before it)."""

from __future__ import annotations

import re

from etl.documents import Document
from etl.quantities import find_quantities
from etl.schema import Fact, fact_id

_SUBDISTRICT = re.compile(r"([\u4e00-\u9fff]{2,5}?)(?:街道办事处|街道|办事处)")
_SENTENCE_END = re.compile(r"[。!?！？\n]")

_CATEGORY_BY_UNIT = {
    "CNY": ("investment", "investment"),
    "m2": ("demolition", "demolition_area"),
    "household": ("demolition", "households_relocated"),
    "case": ("case_resolution", "disputes_found"),
    "percent": ("other", "share"),
}


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    return left, right_match.end() if right_match else len(text)


def extract_facts(document: Document) -> list[Fact]:
    text = document.text
    doc_id = document.doc_id
    places = [(m.end(), m.group(1) + "街道") for m in _SUBDISTRICT.finditer(text)]
    facts = []
    for quantity in find_quantities(text):
        before = [name for end, name in places if end <= quantity.start]
        category, metric = _CATEGORY_BY_UNIT[quantity.unit]
        left, right = sentence_bounds(text, quantity.start, quantity.end)
        facts.append(
            Fact(
                fact_id=fact_id(doc_id, quantity.start, quantity.end),
                doc_id=doc_id,
                source=document.source,
                value=quantity.value,
                unit=quantity.unit,
                raw_text=quantity.raw_text,
                qualifier=quantity.qualifier,
                category=category,
                metric=metric,
                level="subdistrict" if before else "district",
                is_target=False,
                sentence=text[left:right].strip(),
                char_start=quantity.start,
                char_end=quantity.end,
                outlet=document.outlet,
                published=document.published,
                subdistrict=before[-1] if before else None,
            )
        )
    return facts
