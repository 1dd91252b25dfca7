"""Which unit a figure is about: the place attributor.

A figure takes the unit its own sentence names; else the running subject of the text (the scope:
the unit the article, its news item or its section is about, opened by a heading, the title, the
lead or a mention and kept until another unit takes over). Every answer says where it came from
(`Place.evidence`: `sentence:长沙街道`, `scope:长沙街道`, `heading:…`, `title:…`).

>>> from etl.documents import Document
>>> from etl.structure import DocumentStructure
>>> text = "中原区林山寨街道\\n截至2013年4月底,该街道共排查出各类矛盾问题15882起。"
>>> structure = DocumentStructure.build(Document.from_text(text), None)
>>> place = PlaceAttributor(structure).place(text.index("15882"), structure.layout.sentence_span(text.index("15882")))
>>> place.subdistrict, place.district, place.evidence
('林山寨街道', '中原区', 'title:林山寨街道')
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from etl.places import Division, PlaceMention, find_referents, load_gazetteer
from etl.structure import DocumentStructure

_COMPOUND = re.compile(r"\d+号院")
_COUNTY_LEVEL = re.compile(r"[区市县]")


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose figures the text is reporting at some point: the running subject of the article."""

    subdistrict: PlaceMention | None = None
    district: Division | None = None
    city: Division | None = None
    last_subdistrict: PlaceMention | None = None
    item: int = 0  # which news item (a roundup holds several)
    origin: str = "scope"  # how the subject was opened: heading, title, lead, scope (a mention)


@dataclass(frozen=True, slots=True)
class Place:
    province: str | None
    city: str | None
    district: str | None
    subdistrict: str | None
    admin_code: str | None
    level: str
    evidence: str | None  # the mention or scope that gave the place: `sentence:长沙街道`


class PlaceAttributor:
    """The place of every figure of one document (built once per document)."""

    def __init__(self, structure: DocumentStructure):
        self.structure = structure
        self.scope_positions, self.scopes, self.community_items = _scope_timeline(structure)
        self._sentence_places: dict[tuple[int, int], tuple[list, list]] = {}

    def scope_at(self, offset: int) -> Scope:
        index = bisect.bisect_right(self.scope_positions, offset) - 1
        return self.scopes[index] if index >= 0 else Scope()

    def townships_and_districts_in(
        self, sentence: tuple[int, int]
    ) -> tuple[list[PlaceMention], list[PlaceMention]]:
        """The townships, and the resolved districts, named in the sentence."""
        found = self._sentence_places.get(sentence)
        if found is None:
            in_sentence = self.structure.places_between(*sentence)
            found = self._sentence_places[sentence] = (
                [m for m in in_sentence if m.kind == "township"],
                [m for m in in_sentence if m.kind == "district" and m.division is not None],
            )
        return found

    def place(self, start: int, sentence: tuple[int, int]) -> Place:
        """The most specific unit the text makes the figure at `start` (in `sentence`) about."""
        townships, districts = self.townships_and_districts_in(sentence)
        scope = self.scope_at(start)
        subdistrict: PlaceMention | None = None
        district: Division | None = scope.district
        evidence = None
        if townships:
            before = [m for m in townships if m.start < start]
            subdistrict = before[-1] if before else townships[0]
            district = _division_of(subdistrict.division, "district") or district
            evidence = f"sentence:{subdistrict.surface}"
        elif districts and (scope.district is None or districts[-1].division.code != scope.district.code):
            before = [m for m in districts if m.start < start]
            mention = before[-1] if before else districts[0]
            district = mention.division
            evidence = f"sentence:{mention.surface}"
        else:
            subdistrict = scope.subdistrict
            if subdistrict is not None:
                district = _division_of(subdistrict.division, "district") or district
                evidence = f"{scope.origin}:{subdistrict.surface}"
            elif district is not None:
                evidence = f"{scope.origin}:{district.name}"
            elif scope.city is not None:
                evidence = f"{scope.origin}:{scope.city.name}"
        division = subdistrict.division if subdistrict else None
        unit = division or district or scope.city
        if subdistrict is not None:
            level = "township" if subdistrict.canonical.endswith(("乡", "镇")) else "subdistrict"
        elif district is not None:
            level = "district"
        else:
            level = "city" if scope.city is not None else "district"
        simplified = self.structure.simplified
        compound = "号院" in simplified[sentence[0] : start] and _COMPOUND.search(simplified, sentence[0], start)
        if compound or (subdistrict is None and scope.item in self.community_items):
            level = "community"
        return Place(
            province=unit.province if unit else None,
            city=unit.city if unit else None,
            district=(division.district if division else district.name if district else None),
            subdistrict=subdistrict.canonical if subdistrict else None,
            admin_code=unit.current_code if unit else None,
            level=level,
            evidence=evidence,
        )


def _scope_timeline(structure: DocumentStructure):
    """The running scope after every event that changes it (item starts, headers, mentions)."""
    layout, text = structure.layout, structure.simplified
    events: list[tuple[int, int, str, object]] = []  # (offset, order, kind, payload)
    for offset in structure.item_starts:
        events.append((offset, 0, "reset", None))
    title_start = structure.title[0] if structure.title else None
    lead = structure.lead
    for mention in structure.places:
        line = layout.line_index(mention.start)
        if layout.is_header_line(line) or layout.line_starts[line] == title_start:
            origin = "title" if layout.line_starts[line] == title_start else "heading"
            events.append((layout.line_starts[line], 1, origin, mention))
        else:
            origin = "lead" if lead and lead[0] <= mention.start < lead[1] else "scope"
            events.append((mention.end, 2, origin, mention))
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
                scope = replace(scope, subdistrict=scope.last_subdistrict)
        else:
            mention: PlaceMention = payload
            division = mention.division
            if mention.kind == "township":
                items_with_subdistrict.add(scope.item)
                district = _division_of(division, "district") or scope.district
                scope = replace(
                    scope, subdistrict=mention, last_subdistrict=mention, district=district, origin=kind
                )
            elif mention.kind == "district" and division is not None:
                if kind in ("heading", "title"):
                    scope = replace(scope, subdistrict=None, district=division, origin=kind)
                elif scope.subdistrict is None:
                    scope = replace(scope, district=division, origin=kind)
            elif mention.kind == "city" and division is not None and scope.city is None:
                scope = replace(scope, city=division)
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


def _division_of(division: Division | None, level: str) -> Division | None:
    if division is None:
        return None
    if level == "district" and division.district_code:
        return load_gazetteer().by_code.get(division.district_code)
    return None
