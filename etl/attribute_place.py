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
import functools
import re
import tomllib
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from etl.places import Division, PlaceMention, find_referents, load_gazetteer
from etl.structure import DocumentStructure

_COMPOUND = re.compile(r"\d+号院")
_DIGIT = re.compile(r"\d")
_COUNTY_LEVEL = re.compile(r"[区市县]")
# Between a unit and the value that is its own in a list: a few characters, no delimiter.
# Two units joined into one subject (五里堡街道与大学路街道, A、B).
_JOINED = re.compile(r"\s*(?:[、与和及同暨]|以及|会同|联合)\s*")
_LIST_ELEMENT = re.compile(r"[^、；;。]{0,20}")


@dataclass(frozen=True)
class PlaceRules:
    boundary: re.Pattern
    anecdote: re.Pattern
    ranking: re.Pattern
    list_closers: re.Pattern
    respectively: re.Pattern
    whole: re.Pattern  # 全区, 我市: the whole district or city
    whole_opens_clause: re.Pattern
    whole_not_after: re.Pattern
    back_to_unit: re.Pattern
    breakdown: re.Pattern


@functools.cache
def load_place_rules(path: Path = Path(__file__).parent / "data" / "places.toml") -> PlaceRules:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        return PlaceRules(
            boundary=re.compile(data["passing"]["boundary"]),
            anecdote=re.compile(data["passing"]["anecdote"]),
            ranking=re.compile(data["passing"]["ranking"]),
            list_closers=re.compile(data["list"]["closers"]),
            respectively=re.compile(data["list"]["respectively"]),
            whole=re.compile(data["whole"]["words"]),
            whole_opens_clause=re.compile(data["whole"]["opens_clause"]),
            whole_not_after=re.compile(data["whole"]["not_after"]),
            back_to_unit=re.compile(data["whole"]["back_to_unit"]),
            breakdown=re.compile(data["whole"]["breakdown"]),
        )
    except (KeyError, re.error) as error:
        raise ValueError(f"{path}: {error}") from error


# not frozen: built per figure or mention (the cost of frozen: etl/schema.py, Fact); each
# PlaceAttributor has its own
@dataclass(slots=True)
class Scope:
    """Whose figures the text is reporting at some point: the running subject of the article."""

    subdistrict: PlaceMention | None = None
    district: Division | None = None
    city: Division | None = None
    last_subdistrict: PlaceMention | None = None
    item: int = 0  # which news item (a roundup holds several)
    origin: str = "scope"  # how the subject was opened: heading, title, lead, scope (a mention)

    def but(self, **changes) -> Scope:
        """This scope with some fields changed (dataclasses.replace, without its cost per call:
        the timeline makes one per place mention)."""
        return Scope(
            changes.get("subdistrict", self.subdistrict),
            changes.get("district", self.district),
            changes.get("city", self.city),
            changes.get("last_subdistrict", self.last_subdistrict),
            changes.get("item", self.item),
            changes.get("origin", self.origin),
        )


class Place(NamedTuple):
    """Where a figure is (the figures under one scope share one: immutable, and a named tuple is
    cheaper to build than a frozen dataclass)."""

    province: str | None
    city: str | None
    district: str | None
    subdistrict: str | None
    admin_code: str | None
    level: str
    evidence: str | None  # the mention or scope that gave the place: `sentence:长沙街道`


class PlaceAttributor:
    """The place of every figure of one document (built once per document)."""

    def __init__(self, structure: DocumentStructure, figure_starts: list[int] = ()):
        self.structure = structure
        self.rules = load_place_rules()
        self.figure_starts = sorted(figure_starts)
        # the sentence of each unit named, looked up once
        sentence_of = {m.start: structure.layout.sentence_span(m.start) for m in structure.places if m.kind == "township"}
        self.passing = _passing_mentions(structure, self.rules, sentence_of)
        self.list_sentences = _list_sentences(structure, self.passing, sentence_of)
        self.scope_positions, self.scopes, self.community_items = _scope_timeline(
            structure, self.passing, self.list_sentences, sentence_of
        )
        self._sentence_places: dict[tuple[int, int], tuple[list, list]] = {}
        self._scope_places: dict[tuple[int, bool], Place] = {}
        self._wholes = _whole_words(structure.simplified, self.rules)  # (offset, 全区 / 我市), in order
        self._whole_starts = [offset for offset, _ in self._wholes]

    @property
    def document_year(self) -> int | None:
        """The article's year (DocumentStructure.document_year), worked out only when a renamed
        unit asks for it: most texts name none."""
        return self.structure.document_year

    def scope_at(self, offset: int) -> Scope:
        index = bisect.bisect_right(self.scope_positions, offset) - 1
        return self.scopes[index] if index >= 0 else Scope()

    def townships_and_districts_in(
        self, sentence: tuple[int, int]
    ) -> tuple[list[PlaceMention], list[PlaceMention]]:
        """The townships, and the resolved districts, named in the sentence."""
        found = self._sentence_places.get(sentence)
        if found is None:
            in_sentence = [m for m in self.structure.places_between(*sentence) if m.start not in self.passing]
            found = self._sentence_places[sentence] = (
                [m for m in in_sentence if m.kind == "township"],
                [m for m in in_sentence if m.kind == "district" and m.division is not None],
            )
        return found

    def place(self, start: int, sentence: tuple[int, int]) -> Place:
        """The most specific unit the text makes the figure at `start` (in `sentence`) about."""
        # (the sentence's units looked up here, not by a call: this runs for every figure)
        found = self._sentence_places.get(sentence)
        townships, districts = found or self.townships_and_districts_in(sentence)
        index = bisect.bisect_left(self._whole_starts, start) - 1
        if index >= 0 and self._whole_starts[index] >= sentence[0]:
            # 全区共拆除…: the whole district or city, unless a unit is named after the word
            offset, word = self._wholes[index]
            if not any(offset < m.start < start for m in (*townships, *districts)) and not (
                self.rules.back_to_unit.search(self.structure.simplified, offset, start)
            ):
                return self._whole_place(start, word, townships)
        if townships or districts:
            return self._place(start, sentence, townships, districts)
        # most figures name no unit: their place is their scope's, worked out once per scope
        simplified = self.structure.simplified
        compound = "号院" in simplified[sentence[0] : start] and bool(_COMPOUND.search(simplified, sentence[0], start))
        key = (bisect.bisect_right(self.scope_positions, start), compound)
        found = self._scope_places.get(key)
        if found is None:
            found = self._scope_places[key] = self._place(start, sentence, townships, districts)
        return found

    def _total_before_breakdown(self, start: int, townships: list, districts: list) -> bool:
        """Whether the figure is a district's total that the sentence breaks down by unit after it
        (二七区拆除违建500处,其中长江路街道120处)."""
        if any(m.start < start for m in townships) or not any(m.start < start for m in districts):
            return False
        following = min(m.start for m in townships)
        return bool(self.rules.breakdown.search(self.structure.simplified, start, following))

    def _whole_place(self, start: int, word: str, townships: list) -> Place:
        """The place of a figure of the whole district or city (全区, 我县, 我市) the text is set in:
        a city's when the word says 市, the city is known and the text's district is no county-level
        city (a 市 of unknown rank stays at district level, as a county-level city's would)."""
        scope = self.scope_at(start)
        subdistrict = scope.subdistrict.division if scope.subdistrict is not None else None
        district = scope.district or _division_of(subdistrict, "district")
        if district is None:  # 全区共…,其中林山寨街道…: the district of the units the sentence lists
            district = _common_district(townships)
        city = scope.city or _division_of(district or subdistrict, "city")
        if word.endswith("市") and city is not None and not (district is not None and district.name.endswith("市")):
            unit, level, district_name = city, "city", None
        else:
            unit, level = district, "district"
            district_name = district.name if district is not None else None
        return Place(
            province=unit.province if unit else None,
            city=unit.city if unit else None,
            district=district_name,
            subdistrict=None,
            admin_code=unit.current_code if unit else None,
            level=level,
            evidence=f"sentence:{word}",
        )

    def _place(self, start: int, sentence: tuple[int, int], townships: list, districts: list) -> Place:
        scope = self.scope_at(start)
        subdistrict: PlaceMention | None = None
        district: Division | None = scope.district
        evidence = None
        if sentence[0] in self.list_sentences:
            subdistrict = self._list_member(townships, start, sentence)
            if subdistrict is None:  # a total over the units of the list: their parent
                district = _common_district(townships) or district
                if district is not None:
                    evidence = f"parent:{district.name}"
            else:
                district = _division_of(subdistrict.division, "district") or district
                evidence = f"sentence:{subdistrict.surface}"
        elif townships and not self._total_before_breakdown(start, townships, districts):
            before = [m for m in townships if m.start < start]
            subdistrict = before[-1] if before else townships[0]
            district = _division_of(subdistrict.division, "district") or district
            evidence = f"sentence:{subdistrict.surface}"
        elif districts and (
            townships or scope.district is None or districts[-1].division.code != scope.district.code
        ):
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
        name = None
        if subdistrict is not None:
            renamed = division is not None and subdistrict.surface != division.name
            name = self._name_of_the_time(subdistrict) if renamed else subdistrict.canonical
        if name is not None:
            level = "township" if name.endswith(("乡", "镇")) else "subdistrict"
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
            subdistrict=name,
            admin_code=unit.current_code if unit else None,
            level=level,
            evidence=evidence,
        )


    def _list_member(
        self, townships: list[PlaceMention], start: int, sentence: tuple[int, int]
    ) -> PlaceMention | None:
        """The unit of a list sentence that the figure at `start` is about: the one in its list
        element (黎阳镇1个、阳湖镇1个), or the one in the same place of a 分别 list; None for a total."""
        text = self.structure.simplified
        members = _distinct(townships)
        last = townships[-1]
        respectively = self.rules.respectively.search(text, last.end, start)
        if respectively:
            after = [f for f in self.figure_starts if respectively.end() <= f < sentence[1]]
            if len(after) == len(members) and start in after:
                return members[after.index(start)]
            return None
        before = [m for m in townships if m.end <= start]
        if not before:
            return None
        nearest = before[-1]
        earlier = [m for m in before if m.canonical != nearest.canonical]
        if earlier and _JOINED.fullmatch(text, earlier[-1].end, nearest.start):
            return None  # 五里堡街道与大学路街道联合…: units named together report together
        between = text[nearest.end : start]
        if _LIST_ELEMENT.fullmatch(between) and not self.rules.list_closers.match(between):
            return nearest
        return None

    def _name_of_the_time(self, mention: PlaceMention) -> str:
        """The unit's name in the article's year: 冰溪镇 in a 2017 article, although it is 冰溪街道 now."""
        division = mention.division
        if division is not None and mention.surface != division.name and self.document_year is not None:
            until = load_gazetteer().renamed_until.get((mention.surface, division.code))
            if until is not None and self.document_year <= until:
                return mention.surface
        return mention.canonical


def _distinct(mentions: list[PlaceMention]) -> list[PlaceMention]:
    seen, distinct = set(), []
    for mention in mentions:
        if mention.canonical not in seen:
            seen.add(mention.canonical)
            distinct.append(mention)
    return distinct


def _common_district(mentions: list[PlaceMention]) -> Division | None:
    districts = {_division_of(m.division, "district") for m in mentions}
    return districts.pop() if len(districts) == 1 else None


def _passing_mentions(structure: DocumentStructure, rules: PlaceRules, sentence_of: dict) -> frozenset[int]:
    """Starts of the townships the text names only in passing: as a boundary (in its clause), in
    an anecdote or a ranking (in its sentence), in a salutation or a photo caption."""
    layout, text = structure.layout, structure.simplified
    passing, sentence_verdicts = set(), {}
    for mention in structure.places:
        if mention.kind != "township":
            continue  # the district of a passing unit still places the text
        sentence = sentence_of[mention.start]
        in_passing = sentence_verdicts.get(sentence)
        if in_passing is None:
            in_passing = sentence_verdicts[sentence] = bool(rules.anecdote.search(text, *sentence))
        if (
            in_passing
            or _ranked_in_passing(text, rules.ranking, mention, sentence)
            or rules.boundary.search(text, *layout.clause_span(mention.start))
            or structure.is_salutation(mention.start)
            or structure.is_caption(mention.start)
        ):
            passing.add(mention.start)
    return frozenset(passing)


def _whole_words(text: str, rules: PlaceRules) -> list[tuple[int, str]]:
    """The words of the text that name a whole district or city (全区, 我市) as the subject of a
    clause, with their offsets (places.toml, [whole])."""
    return [
        (match.start(), match.group())
        for match in rules.whole.finditer(text)
        if rules.whole_opens_clause.search(text, max(0, match.start() - 9), match.start())
        and not rules.whole_not_after.match(text, match.end())
    ]


def _ranked_in_passing(text: str, ranking: re.Pattern, mention: PlaceMention, sentence: tuple[int, int]) -> bool:
    """Whether the sentence ranks the unit rather than reports on it: a ranking word before it
    (排名前三的是林山寨街道、…), or after it with no figure of its own between (林山寨街道位列第一);
    林山寨街道拆除违建120处,位列全区第一 reports its figure, then ranks it."""
    if ranking.search(text, sentence[0], mention.start):
        return True
    after = ranking.search(text, mention.end, sentence[1])
    return after is not None and not _DIGIT.search(text, mention.end, after.start())


def _list_sentences(structure: DocumentStructure, passing: frozenset[int], sentence_of: dict) -> frozenset[int]:
    """Starts of the sentences that name two units or more (a list: 其中黎阳镇1个、阳湖镇1个)."""
    by_sentence: dict[int, set[str]] = {}
    for mention in structure.places:
        if mention.kind == "township" and mention.start not in passing:
            sentence = sentence_of[mention.start][0]
            by_sentence.setdefault(sentence, set()).add(mention.canonical)
    return frozenset(start for start, names in by_sentence.items() if len(names) >= 2)


def _scope_timeline(
    structure: DocumentStructure, passing: frozenset[int], list_sentences: frozenset[int], sentence_of: dict
):
    """The running scope after every event that changes it (item starts, headers, mentions)."""
    layout, text = structure.layout, structure.simplified
    events: list[tuple[int, int, str, object]] = []  # (offset, order, kind, payload)
    for offset in structure.item_starts:
        events.append((offset, 0, "reset", None))
    title_start = structure.title[0] if structure.title else None
    lead = structure.lead
    line_starts, header_lines = layout.line_starts, layout.header_lines
    for mention in structure.places:
        if mention.start in passing or (
            mention.kind == "township" and sentence_of[mention.start][0] in list_sentences
        ):
            # a unit named in passing, or in a list (which speaks for its own values only), still
            # tells which district the text is in
            events.append((mention.end, 2, "district of", mention))
            continue
        line = bisect.bisect_right(line_starts, mention.start) - 1  # layout.line_index, inline
        if line in header_lines or line_starts[line] == title_start:
            origin = "title" if layout.line_starts[line] == title_start else "heading"
            events.append((layout.line_starts[line], 1, origin, mention))
        else:
            origin = "lead" if lead and lead[0] <= mention.start < lead[1] else "scope"
            events.append((mention.end, 2, origin, mention))
    for offset in find_referents(text):
        events.append((offset, 3, "referent", None))
    for offset in layout.paragraph_starts:
        events.append((offset, -1, "paragraph", None))
    events.sort(key=itemgetter(0, 1))

    positions, scopes = [], []
    scope = frame = Scope()  # frame: the subject set by the title, the lead or a heading
    community_counts: dict[int, dict[str, int]] = {}
    items_with_subdistrict: set[int] = set()
    named_in_paragraph: set[str] = set()
    for offset, _, kind, payload in events:
        if kind == "paragraph":
            # a unit named in the body scopes its paragraph; then the article's subject (its title,
            # lead or heading) takes over again, and so does no one after a paragraph that runs
            # through several units (在枣园镇,…。银雀山街道,…)
            roundup, named_in_paragraph = len(named_in_paragraph) >= 2, set()
            subject = frame.subdistrict is not None or frame.district is not None
            if scope.origin == "scope" and scope.item == frame.item and (subject or roundup):
                scope = frame.but(last_subdistrict=scope.last_subdistrict, city=scope.city or frame.city)
            else:
                continue
        elif kind == "reset":
            scope = frame = Scope(item=scope.item + 1)
        elif kind == "referent":
            if scope.subdistrict is None and scope.last_subdistrict is not None:
                scope = scope.but(subdistrict=scope.last_subdistrict)
        elif kind == "district of":
            district = _division_of(payload.division, "district")
            if scope.district is None and district is not None:
                scope = scope.but(district=district, city=scope.city or None)
                if frame.district is None and frame.subdistrict is None and scope.item == frame.item:
                    frame = frame.but(district=district)
        else:
            mention: PlaceMention = payload
            division = mention.division
            if mention.kind == "township":
                items_with_subdistrict.add(scope.item)
                named_in_paragraph.add(mention.canonical)
                district = _division_of(division, "district") or scope.district
                scope = scope.but(
                    subdistrict=mention, last_subdistrict=mention, district=district, origin=kind
                )
            elif mention.kind == "district" and division is not None:
                if kind in ("heading", "title"):
                    scope = scope.but(subdistrict=None, district=division, origin=kind)
                elif scope.subdistrict is None:
                    scope = scope.but(district=division, origin=kind)
            elif mention.kind == "city" and division is not None and scope.city is None:
                scope = scope.but(city=division)
            elif mention.kind == "community":
                stem = mention.surface[:-2]
                if not _COUNTY_LEVEL.search(stem):
                    counts = community_counts.setdefault(scope.item, {})
                    counts[stem] = counts.get(stem, 0) + 1
            if kind in ("title", "heading", "lead"):
                frame = scope
        if not scopes or scope is not scopes[-1]:
            # an event that keeps the scope adds no step: the figures after it share the scope's
            # place (PlaceAttributor.place works it out once per step)
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
    if level == "city" and division.city_code:
        return load_gazetteer().by_code.get(division.city_code)
    return None
