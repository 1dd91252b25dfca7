"""Place names in an article, resolved against China's division table (etl/data/divisions.csv).

A place is found from its suffix (街道办事处, 街道, 办事处, 乡, 镇, 区, 县, 市, 社区): the characters
before the suffix are looked up, longest first, in the table's stems, so one pass over the text
finds every mention. Namesakes (新城街道 exists 30 times) are settled by the document's own
context: the other places it names vote for the districts and cities they lie in.

>>> gazetteer = load_gazetteer()
>>> [d.name for d in gazetteer.townships["林山寨"]]
['林山寨街道']
>>> [(m.canonical, m.division.district) for m in find_places("中原区林山寨街道办事处", gazetteer) if m.kind == "township"]
[('林山寨街道', '中原区')]
"""

from __future__ import annotations

import csv
import functools
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import ahocorasick_rs

DIVISIONS_CSV = Path(__file__).parent / "data" / "divisions.csv"
FORMER_NAMES_CSV = Path(__file__).parent / "data" / "former_names.csv"
PLACES_TOML = Path(__file__).parent / "data" / "places.toml"

# City rows that are not cities: municipalities' 市辖区/县 and 省直辖县级行政区划.
_PSEUDO_CITIES = re.compile(r"^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$")
# 管城回族区 is written 管城区: the short form drops the ethnic name before 区.
_ETHNIC_IN_DISTRICT = re.compile(
    r"(?<=.)(?:回族|满族|蒙古族|土家族|苗族|彝族|壮族|藏族|维吾尔族|哈萨克族|朝鲜族|瑶族|白族|侗族|布依族|黎族|傣族|畲族|羌族|仡佬族|水族)+(?=区$)"
)
_TOWNSHIP_SUFFIX = re.compile(r"(街道|镇|乡)$")
_MAX_STEM = 8
_MAX_CACHED_WINDOWS = 20_000  # a few MB; the common names stay found
_ZONE_PREFIX = re.compile(r"^.+?(?:开发区|园区|新区|示范区|实验区)(?P<name>[\u4e00-\u9fff]{2,6})$")
_ZONE_ALIASES = (
    ("高新技术产业开发区", ("高新区", "高新技术开发区")),
    ("经济技术开发区", ("经开区", "经济开发区")),
    ("航空港经济综合实验区", ("航空港区", "航空港实验区")),
)
_HAN = re.compile(r"[\u4e00-\u9fff]")

# The suffixes a place name ends with (Gazetteer.suffixes finds them). 棠景街 and 东大街办 are short
# forms of 棠景街道 and 东大街道 (a road, 中山大街 or 解放街口, is not).
_LONG_SUFFIXES = ("街道办事处", "街道", "街办", "办事处", "社区")
_ONE_CHARACTER_SUFFIXES = "街镇乡区县市旗州盟"
_STREET_NOT_SUFFIX = "(?![道办巷口头面区路景坊市容心])"
_DISTRICT_NOT_SUFFIX = "(?!域)"  # 古城区域, 滨江区域: an area, not a district
_SHORT_FORMS = ("街", "街办")
_CLAUSE_OPENERS = frozenset("，,。；;：:！？!?\n\r\t \u3000（(“")
# A community's name stops at these: 各社区, 该社区, 19个社区, 的社区 are not names.
_COMMUNITY_STOP = set("的了在为和及与各该等个全本到进对向把被从于是有名家所其这那每两几多余")
_REFERENT = re.compile(r"该街道|该办事处|本街道|该乡|该镇|辖区")


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str  # province, city, district, township
    province: str | None
    city: str | None
    district: str | None
    district_code: str | None
    city_code: str | None
    # a township of 2016–2022 that the 2023 table lacks (gone, or its code now names another unit):
    # its code is history, not an identifier, so facts about it take their district's code
    former: bool = False

    @property
    def current_code(self) -> str | None:
        """The code of the most specific unit of the 2023 table that holds this one."""
        return (self.district_code or self.city_code) if self.former else self.code


@dataclass(frozen=True, slots=True)
class Gazetteer:
    by_code: dict[str, Division]
    townships: dict[str, list[Division]]  # stem (name without 街道/镇/乡) → divisions
    districts: dict[str, list[Division]]  # full name and aliases (管城区) → divisions
    cities: dict[str, list[Division]]  # full name → divisions
    city_short: dict[str, list[Division]]  # 郑州 → 郑州市
    city_short_names: ahocorasick_rs.AhoCorasick  # finds the short names, longest first
    # the characters a name can end with just before its suffix (most 区, 市 in a text follow none)
    last_before_suffix: dict[str, frozenset[str]]
    # a 2016–2022 township name whose suffix changed (侯寨乡) → the 2023 units it became (侯寨街道)
    former_forms: dict[str, list[Division]]
    # (that former name, the code of the unit it became) → the last year the table had the name
    renamed_until: dict[tuple[str, str], int]
    # finds the suffixes a name can stand before (a one-character one, 区, after a character of
    # last_before_suffix only)
    suffixes: re.Pattern
    # (the characters up to a suffix, the suffix) → the names they hold (start and end in those
    # characters), filled as texts are read
    suffix_mentions: dict[tuple[str, str], tuple[tuple[int, int, _Name], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )


# not frozen: built per figure or mention (the cost of frozen: etl/schema.py, Fact); each
# document has its own (the cache of windows keeps _Name records, never a PlaceMention)
@dataclass(slots=True)
class PlaceMention:
    """A place named in the text; `division` is None while unresolved (or absent from the table)."""

    start: int
    end: int
    kind: str  # township, district, city, community
    surface: str
    canonical: str  # 西大街办事处 → 西大街街道
    candidates: tuple[Division, ...] = ()
    division: Division | None = None
    in_header: bool = False


class _Name(NamedTuple):
    """A name found in the text before its division is picked, with what the vote on namesakes
    asks of it worked out once (the windows' cache keeps it): a mention is its offsets and this."""

    kind: str
    surface: str
    canonical: str
    candidates: tuple[Division, ...]
    # the codes it votes for (of each candidate: its own, its district's, its city's), each with how
    # many of its candidates lie in it, in the order the candidates name them
    votes: tuple[tuple[str, int], ...]
    share: float  # the weight of each vote: the candidates share one
    one_unit: bool  # whether the candidates are a single unit (its code)


def _name(kind: str, surface: str, canonical: str, candidates: tuple[Division, ...] = ()) -> _Name:
    votes: dict[str, int] = {}
    for division in candidates:
        for code in dict.fromkeys((division.code, division.district_code, division.city_code)):
            if code:
                votes[code] = votes.get(code, 0) + 1
    share = 1.0 / len(candidates) if candidates else 0.0
    one_unit = len({d.code for d in candidates}) == 1
    return _Name(kind, surface, canonical, candidates, tuple(votes.items()), share, one_unit)


@functools.cache
def load_gazetteer(path: Path = DIVISIONS_CSV) -> Gazetteer:
    """Read the division table once; every name index the matcher needs."""
    rows: list[tuple[str, str, str, str]] = []
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines):
            rows.append((row["code"], row["name"], row["level"], row["parent"]))
    raw = {code: (name, level, parent) for code, name, level, parent in rows}
    by_code: dict[str, Division] = {}
    for code, name, level, parent in rows:  # parents come first: the file is sorted by code
        parent_division = by_code.get(parent) if parent else None
        province = parent_division.province if parent_division else name
        if level == "city":
            city = province if _PSEUDO_CITIES.match(name) else name
            city_code = code
        else:
            city = parent_division.city if parent_division else None
            city_code = parent_division.city_code if parent_division else None
        if level == "district":
            district, district_code = name, code
        elif parent_division:
            district, district_code = parent_division.district, parent_division.district_code
        else:
            district = district_code = None
        by_code[code] = Division(code, name, level, province, city, district, district_code, city_code)
    del raw
    townships: dict[str, list[Division]] = defaultdict(list)
    districts: dict[str, list[Division]] = defaultdict(list)
    cities: dict[str, list[Division]] = defaultdict(list)
    city_short: dict[str, list[Division]] = defaultdict(list)
    for division in by_code.values():
        if division.level == "township":
            stem = _TOWNSHIP_SUFFIX.sub("", division.name)
            if len(stem) >= 2 and _HAN.match(stem):
                townships[stem].append(division)
            zone = _ZONE_PREFIX.match(stem)  # 郑州经济技术开发区明湖街道 is written 明湖街道
            if zone:
                townships[zone["name"]].append(division)
        elif division.level == "district":
            districts[division.name].append(division)
            for alias in _district_aliases(division.name):
                districts[alias].append(division)
        elif division.level == "city" and not _PSEUDO_CITIES.match(division.name):
            cities[division.name].append(division)
            short = re.sub(r"(市|地区|自治州|盟)$", "", division.name)
            if len(short) >= 2 and short != division.name:
                city_short[short].append(division)
    former_forms, renamed_until = _add_former_names(by_code, townships, districts, cities)
    # a DFA: a few hundred short names make a small one, and it scans twice as fast as the NFA
    short_names = ahocorasick_rs.AhoCorasick(
        list(city_short),
        matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        implementation=ahocorasick_rs.Implementation.DFA,
    )
    last: dict[str, set[str]] = defaultdict(set)
    for stem, divisions in townships.items():
        for division in divisions:
            last[division.name[-1]].add(stem[-1])
            if division.name.endswith("街道"):
                last["街"].add(stem[-1])
    for name in former_forms:
        last[name[-1]].add(name[-2])
    for name in list(districts) + list(cities):
        last[name[-1]].add(name[-2])
    frozen = {suffix: frozenset(chars) for suffix, chars in last.items()}
    return Gazetteer(
        by_code,
        dict(townships),
        dict(districts),
        dict(cities),
        dict(city_short),
        short_names,
        frozen,
        former_forms,
        renamed_until,
        _suffix_pattern(frozen),
    )


def _add_former_names(
    by_code, townships, districts, cities, path: Path = FORMER_NAMES_CSV
) -> tuple[dict[str, list[Division]], dict[tuple[str, str], int]]:
    """Let articles of 2016–2022 be read with the names of their day (scripts/build_divisions.py):
    a district renamed by its suffix (孟津县) finds the 2023 unit; a township gone or recoded (二七区
    解放路街道) joins its namesakes as a former unit under its old district. Returns the townships
    renamed by their suffix (侯寨乡 → [侯寨街道]), which the suffix of the text would otherwise rule out,
    and the last year each of those names was in the table."""
    former_forms: dict[str, list[Division]] = defaultdict(list)
    renamed_until: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines):
            if row["current"]:
                current = by_code.get(row["current"])
                if current is None:
                    continue
                if row["level"] == "district":
                    districts[row["name"]].append(current)
                elif current.name != row["name"] and len(row["name"]) >= 3:
                    former_forms[row["name"]].append(current)
                    if row["last_vintage"].isdigit():
                        renamed_until[(row["name"], current.code)] = int(row["last_vintage"])
                continue
            parent = by_code.get(row["parent"])
            if parent is not None and parent.level == "district":
                district, district_code, city, city_code = parent.name, parent.code, parent.city, parent.city_code
            else:  # the district is gone too (开封 金明区): the city still holds the name
                city_unit = next((c for c in cities.get(row["city"], ()) if c.province == row["province"]), None)
                district, district_code = row["parent_name"], None
                city = row["province"] if _PSEUDO_CITIES.match(row["city"]) else row["city"]
                city_code = city_unit.code if city_unit else None
            division = Division(
                row["code"], row["name"], "township", row["province"], city, district, district_code, city_code, True
            )
            stem = _TOWNSHIP_SUFFIX.sub("", row["name"])
            if len(stem) >= 2 and _HAN.match(stem):
                townships[stem].append(division)
    return dict(former_forms), renamed_until


def _district_aliases(name: str) -> set[str]:
    """Short forms news use: 管城区 (管城回族区), 郑州高新区 and 高新区 (郑州高新技术产业开发区), 经开区."""
    aliases = set()
    ethnic = _ETHNIC_IN_DISTRICT.sub("", name)
    if ethnic != name and len(ethnic) >= 3:
        aliases.add(ethnic)
    for long, shorts in _ZONE_ALIASES:
        if name.endswith(long):
            city = name[: -len(long)]
            for short in shorts:
                aliases.update({city + short, short} if city else {short})
    return aliases


def _suffix_pattern(last_before_suffix: dict[str, frozenset[str]]) -> re.Pattern:
    """The suffixes of place names; a one-character suffix only after a character that some name
    of the table ends with (全区, 城市, 乡镇 are not names): most 区, 市, 镇 of a text follow none,
    and the regex engine skips them faster than a test of each match would.

    >>> pattern = _suffix_pattern({"区": frozenset("原")})
    >>> [m.group() for m in pattern.finditer("中原区全区街道")]
    ['区', '街道']
    """
    alternatives = list(_LONG_SUFFIXES)  # the longest first: 街道办事处, not 街道
    for suffix in _ONE_CHARACTER_SUFFIXES:
        before = last_before_suffix.get(suffix)
        if before:  # (the lookbehind after the suffix keeps it first, for the engine's prefix scan)
            lookahead = {"街": _STREET_NOT_SUFFIX, "区": _DISTRICT_NOT_SUFFIX}.get(suffix, "")
            characters = "".join(map(re.escape, sorted(before)))
            alternatives.append(f"{suffix}(?<=[{characters}]{suffix}){lookahead}")
    return re.compile("|".join(alternatives))


_HAN_RUN_END = re.compile(r"[\u4e00-\u9fff]+$")


def _stems_before(text: str, end: int) -> list[str]:
    """The Han strings ending at `end`, longest first (at most _MAX_STEM characters)."""
    run = _HAN_RUN_END.search(text, max(0, end - _MAX_STEM), end)
    if run is None:
        return []
    return [text[s:end] for s in range(run.start(), end - 1)]


def _raw_mentions(text: str, gazetteer: Gazetteer) -> list[tuple[int, int, _Name]]:
    """Every name in the text, as (start, end, name), in order of start."""
    mentions: list[tuple[int, int, _Name]] = []
    known = gazetteer.suffix_mentions
    # (this loop runs for every suffix of the text: spans by map, no method looked up per match)
    for start, end in map(re.Match.span, gazetteer.suffixes.finditer(text)):
        window_start = start - _MAX_STEM if start > _MAX_STEM else 0
        # what a suffix names depends only on the few characters before it: look each window up once
        key = (text[window_start:end], text[start:end])
        found = known.get(key)
        if found is None:
            if len(known) >= _MAX_CACHED_WINDOWS:
                known.clear()
            found = known[key] = tuple(_mentions_ending_with(key[0], start - window_start, key[1], gazetteer))
        for name_start, name_end, name in found:
            mentions.append((name_start + window_start, name_end + window_start, name))
    for _, start, end in gazetteer.city_short_names.find_matches_as_indexes(text):
        if text.startswith("市", end):
            continue  # the full name was found above
        name = text[start:end]
        found = gazetteer.city_short[name]
        mentions.append((start, end, _name("city", name, found[0].name, tuple(found))))
    mentions.sort(key=itemgetter(0))  # stable: at one start, the suffix's names come first
    return mentions


def _mentions_ending_with(
    text: str, start: int, suffix: str, gazetteer: Gazetteer
) -> list[tuple[int, int, _Name]]:
    """The place named by the characters before the suffix at text[start:], as (start, end, name)
    in text; the caller has checked that some name can end right before a one-character suffix."""
    end = start + len(suffix)
    mentions: list[tuple[int, int, _Name]] = []
    stems = _stems_before(text, start)
    if suffix == "社区":
        name = ""
        for char in reversed(text[start - len(stems[0]) if stems else start : start]):
            if char in _COMMUNITY_STOP or len(name) >= 6:
                break
            name = char + name
        if len(name) >= 2:
            mentions.append((start - len(name), end, _name("community", name + suffix, name + suffix)))
        return mentions
    for stem in stems:
        if suffix in ("街道办事处", "街道", "办事处", "镇", "乡", *_SHORT_FORMS):
            found = gazetteer.townships.get(stem)
            if suffix in ("镇", "乡") and found:
                found = [d for d in found if d.name.endswith(suffix)]
            # 侯寨乡 in a 2016 article: the unit is 侯寨街道 now (context settles namesakes)
            renamed = gazetteer.former_forms.get(stem + (suffix if suffix in ("镇", "乡") else "街道"))
            if renamed:
                found = [*(found or ()), *renamed]
            if found:
                canonical = found[0].name
                if suffix in _SHORT_FORMS:
                    found = [d for d in found if d.name.endswith("街道")]
                    canonical = found[0].name if found else canonical
                elif suffix not in ("镇", "乡"):
                    streets = [d for d in found if d.name.endswith("街道")]
                    # 石佛办事处 where the table has 石佛镇: the office of a town, if the context agrees
                    found = streets or (
                        [d for d in found if d.name[-1] in "镇乡"] if suffix == "办事处" else []
                    )
                    canonical = streets[0].name if streets else stem + "街道"
                if not found:
                    continue
                mentions.append(
                    (start - len(stem), end, _name("township", stem + suffix, canonical, tuple(found)))
                )
                break
        else:
            found = gazetteer.districts.get(stem + suffix) if suffix in "区县市旗" else None
            if found:
                mentions.append(
                    (start - len(stem), end, _name("district", stem + suffix, found[0].name, tuple(found)))
                )
                break
            found = gazetteer.cities.get(stem + suffix)
            if found:
                mentions.append(
                    (start - len(stem), end, _name("city", stem + suffix, found[0].name, tuple(found)))
                )
                break
    else:
        if suffix in ("街道办事处", "街道", "办事处") and stems:
            # A 街道 the table lacks (renamed, or older than 2023) is named right after its district.
            mentions.extend(_unlisted_subdistrict(start, end, suffix, stems, gazetteer))
    return mentions


def _unlisted_subdistrict(start, end, suffix, stems, gazetteer) -> list[tuple[int, int, _Name]]:
    stem = stems[0] if stems else ""
    for cut in range(len(stem) - 2, 1, -1):  # the name is 2-4 characters after a district's name
        head, name = stem[:cut], stem[cut:]
        if len(name) <= 4 and any(head[s:] in gazetteer.districts for s in range(len(head) - 1)):
            return [(start - len(name), end, _name("township", name + suffix, name + "街道"))]
    return []


def _resolve(mentions: list[tuple[int, int, _Name]], text: str, gazetteer: Gazetteer) -> list[PlaceMention]:
    """Pick each mention's division by the votes of the other names in the document."""
    votes = _votes([name for _, _, name in mentions])
    totals = {code: sum(by_name.values()) for code, by_name in votes.items()}

    def others(code: str, name: str) -> float:
        """The votes for code from every name but this one (a name does not vouch for itself)."""
        by_name = votes.get(code)
        return totals[code] - by_name.get(name, 0.0) if by_name else 0.0

    # Whether the text names districts or cities at all: then a 街道 none of them holds is not the
    # table's only namesake elsewhere in China but a unit the table lacks (renamed, or older than 2023).
    # (a bare short name, 泰安 of 泰安路 or 郑州 of 郑州电缆, is too often part of another name to count)
    placed_elsewhere = any(
        name.kind == "district" or (name.kind == "city" and name.surface == name.canonical)
        for _, _, name in mentions
    )
    # the same name scores the same all through the text: (its candidates, their scores, the best
    # of them where no parent is written right before it)
    context_scores: dict[str, tuple[tuple[Division, ...], list[float], Division | None]] = {}
    resolved = []
    for index, (start, end, name) in enumerate(mentions):
        if not name.candidates:
            resolved.append(PlaceMention(start, end, name.kind, name.surface, name.canonical))
            continue
        context = context_scores.get(name.canonical)
        if context is None:
            scores = []
            for division in name.candidates:
                score = 0.0
                for code, weight in ((division.district_code, 2.0), (division.city_code, 1.0)):
                    if code and code != division.code:
                        score += weight * others(code, name.canonical)
                if division.level == "district":
                    score += others(division.code, name.canonical)  # townships named under it
                scores.append(score)
            context = context_scores[name.canonical] = (
                name.candidates,
                scores,
                _best_scored(name.candidates, scores, ()),
            )
        previous = mentions[index - 1] if index else None
        adjacent_parent = previous[2].candidates if previous and previous[1] == start else ()
        if (
            name.surface.endswith(_SHORT_FORMS)
            and not adjacent_parent
            and start > 0
            and text[start - 1] not in _CLAUSE_OPENERS
        ):
            continue  # 中兴街 in a list of roads: a short form stands for a 街道 where a clause opens with it
        candidates, scores, best = context
        if adjacent_parent or name.candidates != candidates:
            # (a namesake list of another length, 郑州 of 郑州市, is scored by the first one's scores)
            best = _best_scored(name.candidates, scores, adjacent_parent)
        if (
            best is None
            and name.kind == "township"
            and name.one_unit
            and name.surface.endswith(("街道", "办事处"))
            and not placed_elsewhere
        ):
            best = name.candidates[0]  # a unique 街道 name needs no context, unless the text is set elsewhere
        if (
            best is None
            and name.kind == "township"
            and name.one_unit
            and not placed_elsewhere
            and not name.surface.endswith(_SHORT_FORMS)
            and (start == 0 or text[start - 1] in "\n\r\t \u3000")
        ):
            # 刁家乡2018年工作总结: a unique 镇/乡 name that opens a line (a report's title) is the
            # unit itself, not a word that happens to end in 镇 or 乡
            best = name.candidates[0]
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if best is None and name.kind == "district" and following and following[0] == end:
            if following[2].kind == "township" and len(name.candidates) == 1:
                best = name.candidates[0]  # 中原区幸福里街道: a district written as a township's prefix
        if best is None and name.kind == "district" and name.one_unit and name.surface not in word_districts():
            best = name.candidates[0]  # 荷塘区已启动…: a district name the table lists once needs no context
        if best is None and name.kind in ("district", "city"):
            continue  # 老城区 in 改造老城区 is a word, not 洛阳's district: unsupported names are dropped
        if best is None and name.kind == "township" and name.surface.endswith(("镇", "乡", *_SHORT_FORMS)):
            continue  # a short form (棠景街) stands for a 街道 only where the text places it
        canonical = best.name if best else name.canonical
        resolved.append(PlaceMention(start, end, name.kind, name.surface, canonical, name.candidates, best))
    return resolved


@functools.cache
def word_districts(path: Path = PLACES_TOML) -> frozenset[str]:
    """District names that are also words of running text (places.toml, [names])."""
    try:
        with path.open("rb") as handle:
            return frozenset(tomllib.load(handle)["names"]["word_districts"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: no list of district names that are words ([names] word_districts): {error}") from error


def _votes(names: list[_Name]) -> dict[str, dict[str, float]]:
    """votes[code][canonical name]: the share of each mention of the name for each of its
    candidates that lies in the unit of that code, the shares added one by one in the text's order.

    >>> linshanzhai = _name("township", "林山寨街道", "林山寨街道", tuple(load_gazetteer().townships["林山寨"]))
    >>> votes = _votes([linshanzhai, linshanzhai])
    >>> votes["410102000000"], votes["410100000000"]
    ({'林山寨街道': 2.0}, {'林山寨街道': 2.0})
    """
    # 新城街道, with thirty namesakes, named ten times: a name all of whose mentions vote alike
    # votes once, at its first mention, with its share added as many times as they would add it
    # (the same float: floating-point sums depend on their order)
    mentions_of: dict[str, list] = {}  # canonical name → [its first name, its mentions, all alike]
    for name in names:
        if name.votes:
            seen = mentions_of.get(name.canonical)
            if seen is None:
                mentions_of[name.canonical] = [name, 1, True]
            else:
                seen[1] += 1
                # (the same candidates, the same votes: the tuples hold the gazetteer's own divisions,
                # so comparing them compares pointers, where the votes' (code, count) pairs are new)
                if seen[2] and name is not seen[0] and name.candidates != seen[0].candidates:
                    seen[2] = False  # (高新区 and 石家庄高新区: one canonical name, two namesake lists)
    votes: dict[str, dict[str, float]] = defaultdict(dict)
    sums: dict[tuple[float, int], float] = {}  # (share, n) → the share added n times
    for name in names:
        if not name.votes:
            continue
        first, mentioned, alike = mentions_of[name.canonical]
        if not alike:
            for code, times in name.votes:
                by_name = votes[code]
                by_name[name.canonical] = _added(by_name.get(name.canonical, 0.0), name.share, times)
        elif name is first:
            mentions_of[name.canonical][0] = None  # its other mentions have voted with it
            for code, times in name.votes:
                key = (name.share, times * mentioned)
                if key not in sums:
                    sums[key] = _added(0.0, *key)
                votes[code][name.canonical] = sums[key]
    return votes


def _added(total: float, share: float, times: int) -> float:
    for _ in range(times):
        total += share
    return total


def _best_scored(
    candidates: tuple[Division, ...], scores: list[float], adjacent_parent: tuple[Division, ...]
) -> Division | None:
    """The first candidate of the highest positive score; one whose district or city is written
    right before it (adjacent_parent: 中原区 of 中原区林山寨街道) scores 100 more."""
    best, best_score = None, 0.0
    for division, score in zip(candidates, scores):
        if adjacent_parent and any(
            p.code in (division.district_code, division.city_code) for p in adjacent_parent
        ):
            score += 100.0
        if score > best_score:
            best, best_score = division, score
    return best


def find_places(text: str, gazetteer: Gazetteer | None = None) -> list[PlaceMention]:
    """Every place named in the text, in order, resolved where the table and the context allow."""
    gazetteer = gazetteer or load_gazetteer()
    return _resolve(_raw_mentions(text, gazetteer), text, gazetteer)


def find_referents(text: str) -> list[int]:
    """Offsets of words that refer back to the current subdistrict (该街道, 该办事处, 辖区)."""
    return [m.start() for m in _REFERENT.finditer(text)]
