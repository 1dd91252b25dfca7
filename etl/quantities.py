"""Find and parse amounts (number + unit) in Chinese text.

One compiled regex finds every numeral followed by a unit or measure word; Python then reads the
numeral (cached), the unit (from ``etl/data/units.toml``) and the qualifier words around it (from
``etl/data/quantity_words.toml``). Numbers without a unit, dates, ordinals and numbers inside names
are not amounts and are not reported by :func:`find_quantities`; the exceptions are money written
without 元 after a money word (财政收入突破2亿) and after a currency sign (￥300). What a match means
depends on a few characters around it, so readings are cached by that window; a reading that looks
further (a counted noun for 件, an area word for 方, a money word) is not cached.

>>> [(q.raw_text, q.value, q.unit, q.qualifier) for q in find_quantities("投资近2亿元,拆除违章建筑15000余平方米")]
[('2亿元', 200000000.0, 'CNY', 'nearly'), ('15000余平方米', 15000.0, 'm2', 'more_than')]
>>> parse_quantity("五千万元").value
50000000.0
>>> parse_quantity("30余亩").value
20000.0
>>> [(q.raw_text, q.value, q.unit) for q in find_quantities("财政收入突破2亿大关,建筑面积约3.75万方")]
[('2亿', 200000000.0, 'CNY'), ('3.75万方', 37500.0, 'm2')]
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import cn2an

DATA = Path(__file__).resolve().parent / "data"
QUALIFIERS = ("exact", "approx", "more_than", "nearly", "less_than")
BARE_NUMBER_UNIT = "number"


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount read from text: ``text[start:end] == raw_text``; value is in the base unit.

    A range (3至5亿元) has value = the lower bound, qualifier more_than and ``upper`` = the upper
    bound. ``qualifier_text`` is the qualifier word as written outside raw_text (近, 以上), found at
    ``qualifier_start``.
    """

    value: float
    unit: str
    raw_text: str
    raw_unit: str
    qualifier: str
    start: int
    end: int
    upper: float | None = None
    qualifier_text: str | None = None
    qualifier_start: int | None = None


_SETTERS = tuple(getattr(Quantity, name).__set__ for name in Quantity.__slots__)


def _new_quantity(value, unit, raw_text, raw_unit, qualifier, start, end, upper, qualifier_text,
                  qualifier_start, _new=object.__new__, _setters=_SETTERS) -> Quantity:
    """Quantity(...) for the hot loop: fills the slots directly, skipping the frozen __setattr__ checks
    (the same object, built in about half the time)."""
    quantity = _new(Quantity)
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 = _setters
    s0(quantity, value), s1(quantity, unit), s2(quantity, raw_text), s3(quantity, raw_unit)
    s4(quantity, qualifier), s5(quantity, start), s6(quantity, end), s7(quantity, upper)
    s8(quantity, qualifier_text), s9(quantity, qualifier_start)
    return quantity


@dataclass(frozen=True, slots=True)
class UnitRule:
    """One row of units.toml."""

    written: str
    base: str
    factor: Decimal
    round_to: int | None = None
    not_before: tuple[str, ...] = ()
    phase: bool = False
    phrase_end: bool = False
    trailing_more: bool = False
    context_base: str | None = None
    context_nouns: tuple[str, ...] = ()
    context_verbs: tuple[str, ...] = ()
    context_unless: tuple[str, ...] = ()
    context_required: bool = False
    arabic_only: bool = False
    class_name: bool = False


class QuantityDataError(ValueError):
    """A data file under etl/data/ is malformed."""


def _load_toml(name: str) -> dict:
    path = DATA / name
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise QuantityDataError(f"{path}: {error}") from error


def _load_units(name: str = "units.toml") -> dict[str, UnitRule]:
    units = {}
    for written, row in _load_toml(name)["units"].items():
        try:
            context = row.get("context", {})
            units[written] = UnitRule(
                written=written,
                base=row["base"],
                factor=Decimal(str(row["factor"])),
                round_to=row.get("round"),
                not_before=tuple(row.get("not_before", ())),
                phase=bool(row.get("phase", False)),
                phrase_end=bool(row.get("phrase_end", False)),
                trailing_more=bool(row.get("trailing_more", False)),
                context_base=context.get("base"),
                context_nouns=tuple(context.get("nouns", ())),
                context_verbs=tuple(context.get("verbs", ())),
                context_unless=tuple(context.get("unless", ())),
                context_required=bool(context.get("required", False)),
                arabic_only=bool(row.get("arabic_only", False)),
                class_name=bool(row.get("class_name", False)),
            )
        except (KeyError, InvalidOperation) as error:
            raise QuantityDataError(f"{DATA / name}: unit {written!r} lacks or mangles {error}") from error
    return units


UNITS = _load_units()
_SUBUNIT_TABLE = _load_toml("units.toml")["money_subunits"]
_SUBUNIT_AFTER = frozenset(_SUBUNIT_TABLE["after"])
_SUBUNIT_FACTORS = {name: Decimal(str(factor)) for name, factor in _SUBUNIT_TABLE["factor"].items()}
_MONEY_TABLE = _load_toml("units.toml")["money_without_yuan"]
MONEY_WORDS = tuple(_MONEY_TABLE["words"])
_MONEY_REACH = int(_MONEY_TABLE["reach"])
_MONEY_WINDOW = _MONEY_REACH + max(len(word) for word in MONEY_WORDS)
MONEY_FOLLOWED_BY = tuple(_MONEY_TABLE["followed_by"])
_CURRENCY_TABLE = _load_toml("units.toml")["currency_before"]
CURRENCY_SIGNS: dict[str, str] = _CURRENCY_TABLE["signs"]
CURRENCY_WORDS: dict[str, str] = _CURRENCY_TABLE["words"]
_CURRENCIES = {**CURRENCY_SIGNS, **CURRENCY_WORDS}
_CURRENCY_UNITS = frozenset(_CURRENCIES.values())
_CURRENCY_SPACES = 2
_CURRENCY_REACH = max(map(len, _CURRENCIES)) + _CURRENCY_SPACES
_CURRENCY_BEFORE = re.compile(
    rf"(?P<currency>{'|'.join(map(re.escape, _CURRENCIES))})[ \u3000]{{0,{_CURRENCY_SPACES}}}$")
_WORDS = _load_toml("quantity_words.toml")
LEADING: dict[str, str] = _WORDS["leading"]
LEADING_BARE: dict[str, str] = _WORDS["leading_bare"]
TRAILING: dict[str, str] = _WORDS["trailing"]
INNER: dict[str, str] = _WORDS["inner"]
ORDINAL_PREFIXES = tuple(_WORDS["ordinal_prefix"]["words"])
VAGUE_PREFIXES = tuple(_WORDS["vague_prefix"]["words"])
IDIOMS = tuple(_WORDS["idioms"]["words"])
NOT_ORDINAL = tuple(_WORDS["not_ordinal"]["words"])
CLASS_COUNT_AFTER = tuple(_WORDS["class_count"]["after"])
ONE_FOR_ONE_UNITS = frozenset(_WORDS["one_for_one"]["units"])
_ONE_FOR_ONE_GAP = int(_WORDS["one_for_one"]["gap"])
for _table in (LEADING, LEADING_BARE, TRAILING, INNER):
    for _word, _qualifier in _table.items():
        if _qualifier not in (*QUALIFIERS, ""):
            raise QuantityDataError(
                f"{DATA / 'quantity_words.toml'}: {_word!r} has unknown qualifier {_qualifier!r}")
_LEADING_LENGTHS = sorted({len(w) for w in LEADING} | {len(w) for w in LEADING_BARE}, reverse=True)
_TRAILING_LENGTHS = sorted({len(w) for w in TRAILING}, reverse=True)
_NOT_AMOUNT_PREFIXES = frozenset(ORDINAL_PREFIXES + VAGUE_PREFIXES)
_ORDINAL_LENGTHS = sorted({len(w) for w in _NOT_AMOUNT_PREFIXES}, reverse=True)

# ---------------------------------------------------------------------------------------------
# The one regex
# ---------------------------------------------------------------------------------------------
_CN_DIGITS = "零〇一二两兩倆三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖廿卅"
_CN_MAGNITUDES = "十拾百佰千仟万萬亿億"
_FULLWIDTH = "０１２３４５６７８９"
_ARABIC_DIGITS = "0123456789" + _FULLWIDTH
# Units that begin with a magnitude character and mean something else than magnitude + unit
# (百分点, 千克): the numeral run must stop before them.
_UNIT_LED_BY_MAGNITUDE: dict[str, list[str]] = {}
for _written in UNITS:
    if _written[0] in _CN_MAGNITUDES and _written[1:] not in UNITS:
        _UNIT_LED_BY_MAGNITUDE.setdefault(_written[0], []).append(re.escape(_written[1:]))
_FREE_MAGNITUDES = "".join(c for c in _CN_MAGNITUDES if c not in _UNIT_LED_BY_MAGNITUDE)
_GUARDED_MAGNITUDES = "".join(f"|{c}(?!{'|'.join(rests)})" for c, rests in _UNIT_LED_BY_MAGNITUDE.items())
_FIRST_CHAR_GUARD = "".join(
    f"(?<={c})(?!{'|'.join(rests)})|" for c, rests in _UNIT_LED_BY_MAGNITUDE.items()
) + f"(?<![{''.join(_UNIT_LED_BY_MAGNITUDE)}])"
# A numeral is one run of numeral characters: possessive, so the scan never backtracks into it.
# Its structure (thousands groups, where 余/多 sit, 五千零五) is checked by read_numeral, cached.
# The run is bounded so that a long string of digits (a data dump) costs linear, not quadratic, time;
# no amount is written with more characters than this.
_LONGEST_NUMERAL = 48
_NUMERAL = (
    # the first character is a plain class, so the regex engine can skip ahead to candidates fast
    rf"[{_ARABIC_DIGITS}{_CN_DIGITS}{_CN_MAGNITUDES}数](?:{_FIRST_CHAR_GUARD})"
    rf"(?:[{_ARABIC_DIGITS}{_CN_DIGITS}{_FREE_MAGNITUDES}余多几]{_GUARDED_MAGNITUDES}"
    rf"|[.．,，](?=[{_ARABIC_DIGITS}])|[点點](?=[{_CN_DIGITS}])|(?<=[{_CN_DIGITS}{_CN_MAGNITUDES}])[点點](?=[0-9])"
    rf"|(?<=[{_ARABIC_DIGITS}])[kKＫ](?![A-Za-zＡ-Ｚａ-ｚ])){{0,{_LONGEST_NUMERAL}}}+"
)
_RANGE_SEPARATOR = r"(?:——|--|至|到|-|~|～|—|－)"


def _alternation(words) -> str:
    """A regex for any of words, as a trie (平(?:方(?:米|公里)|米)) so a failing unit fails fast."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(trie)


# Between a numeral and its unit, inside raw_text: one space after digits (39000 平方米), or the
# pinyin a mirror site writes after a character it converted (5萬(wàn)元, 兩(liǎng)台). It is an
# alternative of its own, tried after the plain unit fails (an optional group before every unit
# slowed the whole scan by a twentieth).
PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_BETWEEN = (rf"[ \u3000\u00a0(](?:(?<=[0-9０-９万亿萬億][ \u3000\u00a0])"
            rf"|(?<=\()[{PINYIN_LETTERS}]{{1,6}}\))")
_UNIT = rf"(?=[{''.join(sorted({re.escape(u[0]) for u in UNITS}))}]){_alternation(UNITS)}"

_QUANTITY = re.compile(
    rf"""
    (?P<numeral>{_NUMERAL})                          # 15000余, 五千万, 3 (of 3至5), 2 (of 2/3)
    (?:(?P<low_unit>{_UNIT})?{_RANGE_SEPARATOR}(?P<high>{_NUMERAL}))?  # a range: 至5, -5, 万元--5
    (?:
        (?P<unit>{_UNIT})                            # 元, 平方米, 个, %
      | 分之(?P<numerator>{_NUMERAL})                 # 三分之二, 百分之九十
      | [/／](?P<slash>[0-9０-９]{{1,2}})(?![0-9０-９/.])  # 2/3
      | {_BETWEEN}(?P<spaced_unit>{_UNIT})           # 39000 平方米, 5萬(wàn)元
      | (?:(?<=[万亿萬億])|(?<=[万亿萬億][余多]))(?P<bare>)  # 2亿, 5万余: money only in a money context
    )
    """,
    re.VERBOSE,
)
_SUBUNIT_DIGIT = rf"[0-9{_CN_DIGITS}]"
_SUBUNIT_NAMES = "".join(_SUBUNIT_FACTORS)
_SUBUNITS = re.compile(rf"(?:零?{_SUBUNIT_DIGIT}[{_SUBUNIT_NAMES}](?![钟之])){{1,2}}钱?")
_SUBUNIT_PART = re.compile(rf"({_SUBUNIT_DIGIT})([{_SUBUNIT_NAMES}])")
_SIGNED_NUMERAL = re.compile(rf"(?P<sign>负|負|-|－)?(?P<numeral>{_NUMERAL})")
_BARE_NUMERAL = re.compile(
    rf"(?P<sign>负|負|-|－)?(?P<numeral>{_NUMERAL})"
    rf"(?:(?P<range_separator>{_RANGE_SEPARATOR})(?P<high>{_NUMERAL}))?"
)

# ---------------------------------------------------------------------------------------------
# Numerals
# ---------------------------------------------------------------------------------------------
_NORMALIZE = str.maketrans(
    {**{f: str(i) for i, f in enumerate(_FULLWIDTH)}, "．": ".", ",": None, "，": None,
     "兩": "两", "倆": "两", "萬": "万", "億": "亿", "貳": "贰", "參": "叁", "陸": "陆", "〇": "零",
     "點": "点", "k": "千", "K": "千", "Ｋ": "千"}
)
_MAGNITUDE_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10**4, "亿": 10**8}
_MAGNITUDE_CHARS = frozenset(_CN_MAGNITUDES)
_DIGIT_CHARS = frozenset("0123456789" + _FULLWIDTH + _CN_DIGITS)
_PLAIN_CN_DIGITS = frozenset(_CN_DIGITS) - {"廿", "卅"}
_NUMERAL_CHARS = frozenset(_FULLWIDTH + _CN_DIGITS + _CN_MAGNITUDES)


@dataclass(frozen=True, slots=True)
class Numeral:
    """A numeral read on its own: its value, whether 余/多/数 made it a lower bound, and
    whether any digit was written (亿 alone has none)."""

    value: Decimal
    inner_qualifier: str | None
    has_digit: bool
    trailing_magnitude: str
    upper: Decimal | None = None  # 数十亿: from 1e9 up to 1e10


_ARABIC_RUN = re.compile(rf"[{_ARABIC_DIGITS},，.．]+")
_GROUPED = re.compile(
    rf"[{_ARABIC_DIGITS}]{{1,3}}(?:[,，][{_ARABIC_DIGITS}]{{3}})+(?:[.．][{_ARABIC_DIGITS}]+)?")


@lru_cache(maxsize=65536)
def read_numeral(written: str) -> Numeral | None:
    """Read one numeral as written (Arabic, Chinese, financial or mixed), else None.

    >>> read_numeral("200多万").value, read_numeral("200多万").inner_qualifier
    (Decimal('2000000'), 'more_than')
    >>> read_numeral("一千二百三十四").value
    Decimal('1234')
    >>> read_numeral("十几") is None
    True
    """
    if ("," in written or "，" in written) and not all(
        _GROUPED.fullmatch(run) for run in _ARABIC_RUN.findall(written) if "," in run or "，" in run
    ):
        return None  # 1,2,3 is a list, not 123
    text = written.translate(_NORMALIZE)
    inner = None
    if "几" in text:
        some = text.find("几")
        if text.count("几") > 1 or some == 0 or text[some - 1] not in "十百千零拾佰仟" \
                or not any(char in _DIGIT_CHARS for char in text[:some - 1]) or any(m in text for m in INNER):
            return None  # 十几, 几十: vague; 二十几, 一百零几万 name their digits and mean "and some"
        text, inner = text.replace("零几", "").replace("几", ""), "more_than"
    if text.startswith("数"):
        if len(text) < 2 or text[1] not in _MAGNITUDE_CHARS:
            return None
        text, inner = text[1:], "more_than"
    for mark, qualifier in INNER.items():
        if mark in text:
            if text.count(mark) > 1 or text.startswith(mark):
                return None
            text, inner = text.replace(mark, ""), qualifier
    if not text:
        return None
    text = text.replace("廿", "二十").replace("卅", "三十").replace("万万", "亿")
    # 十 and 拾 stand alone as ten (十五, 十万); 万, 亿, 百, 千 alone are only a size (上亿, 千余名)
    has_digit = written[0] in "十拾" or any(c in _DIGIT_CHARS for c in written)
    if text[0] in "百佰千仟万亿":
        text = "一" + text  # 百三 = 一百三, 亿 = 一亿
    trailing = ""
    for char in reversed(written.translate(_NORMALIZE)):
        if char not in _MAGNITUDE_CHARS:
            break
        trailing = char + trailing
    value = _numeral_value(text)
    if value is None:
        return None
    upper = value * 10 if written.startswith("数") else None
    return Numeral(value, inner, has_digit, trailing, upper)


def _numeral_value(text: str) -> Decimal | None:
    try:
        return Decimal(text)  # plain Arabic, the common case
    except InvalidOperation:
        pass
    head = text.rstrip("十百千万亿拾佰仟")
    if head and head != text and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", head):
        value = Decimal(head)  # 5.39亿, 3千万
        for char in text[len(head):]:
            value *= _MAGNITUDE_VALUES[char]
        return value
    try:
        result = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return Decimal(str(result))


# ---------------------------------------------------------------------------------------------
# Finding
# ---------------------------------------------------------------------------------------------
def _round(value: Decimal, rule: UnitRule) -> float:
    converted = value * rule.factor
    if rule.round_to is not None:
        return round(float(converted), rule.round_to)
    return float(converted)


def _raw_unit(numeral: str, unit: str) -> str:
    """The unit as conventionally written: 五千万元 → 万元 when 万元 is a unit of its own."""
    for size in (2, 1):
        if len(numeral) > size and numeral[-size:] + unit in UNITS:
            return numeral[-size:] + unit
    return unit


def _leading_qualifier(text: str, start: int, bare: bool) -> tuple[str | None, str | None, int | None]:
    for size in _LEADING_LENGTHS:
        if size > start:
            continue
        word = text[start - size:start]
        if bare and word in LEADING_BARE:
            return LEADING_BARE[word], word, start - size
        if word in LEADING:
            qualifier = LEADING[word]
            if not qualifier:
                return None, None, None
            return qualifier, word, start - size
    return None, None, None


def _trailing_qualifier(text: str, end: int, rule: UnitRule | None) -> tuple[str | None, str | None]:
    for size in _TRAILING_LENGTHS:
        word = text[end:end + size]
        if word in TRAILING:
            return TRAILING[word], word
    if rule is not None and rule.trailing_more and text.startswith("多", end):
        return "more_than", "多"
    return None, None


def _is_ordinal_or_name(text: str, start: int) -> bool:
    if start == 0:
        return False
    before = text[start - 1]
    if before == "%" and _after_percent_figures(text, start):
        pass  # 67%89.3%45.1%: percentages run together
    elif before.isascii() and (before.isalnum() or before in "./-_#%=&?"):
        return True  # A3栋, ISO9001, a URL
    if before in _NUMERAL_CHARS and not (before in _CN_DIGITS and text[start] in _ARABIC_DIGITS):
        return True  # 二三十个: the start of a numeral that did not read (社零7.5亿元 is a word, then digits)
    for size in _ORDINAL_LENGTHS:
        if size <= start and text[start - size:start] in _NOT_AMOUNT_PREFIXES:
            return not text.endswith(NOT_ORDINAL, 0, start)  # 前三名, but 目前2个
    return False


_PERCENT_RUN = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?%)+")
_PERCENT_RUN_REACH = 24


def _after_percent_figures(text: str, start: int) -> bool:
    """Whether text[:start] ends with percent figures written in prose (增长67%89.3%), not a URL's
    escapes (q=30%25%20): what precedes the run of figures is not part of an ASCII word."""
    _REACH.beyond_key = True
    window_start = max(0, start - _PERCENT_RUN_REACH)
    for run in _PERCENT_RUN.finditer(text, window_start, start):
        if run.end() == start:
            before = text[run.start() - 1] if run.start() > 0 else ""
            in_ascii_word = before.isascii() and before.strip() and before not in ",;"
            return run.start() > window_start and not in_ascii_word
    return False


_PINYIN_NOTE = rf"(?:\([{PINYIN_LETTERS}]{{1,6}}\))?"
_PAIR = rf"一[{''.join(ONE_FOR_ONE_UNITS)}]{_PINYIN_NOTE}"
_PAIRED_BEFORE = re.compile(rf"{_PAIR}[、\u4e00-\u9fff]{{1,{_ONE_FOR_ONE_GAP}}}$")
_PAIRED_AFTER = re.compile(rf"{_PINYIN_NOTE}[、\u4e00-\u9fff]{{1,{_ONE_FOR_ONE_GAP}}}{_PAIR}")
_PAIR_REACH = 2 + 8 + _ONE_FOR_ONE_GAP  # 一户 (hù) 兑现


def _one_for_one(text: str, start: int, end: int) -> bool:
    """Whether 一户 at text[start:end] pairs with another 一户 / 一栋 a few characters away (签一户兑现一户)."""
    _REACH.beyond_key = True
    return (_PAIRED_AFTER.match(text, end, end + _PAIR_REACH) is not None
            or _PAIRED_BEFORE.search(text, max(0, start - _PAIR_REACH), start) is not None)


def _unit_applies(text: str, numeral: str, start: int, end: int, rule: UnitRule) -> bool:
    if rule.not_before and text.startswith(rule.not_before, end):
        return False
    if numeral == "一" and rule.written in ONE_FOR_ONE_UNITS and _one_for_one(text, start, end):
        return False  # 签一户兑现一户: a slogan of one for one, not two counts of one
    if len(rule.written) == 1 and text.startswith(rule.written, end):
        return False  # 一处处, 一条条: "one after another", not a count
    if numeral == "一" and text.startswith("一", end):
        return False  # 一户一策, 一村一品: "one per", not a count
    if len(numeral) > 1 and all(char in _PLAIN_CN_DIGITS for char in numeral):
        return False  # 三五成群, 七八个: digits read one by one are codes or guesses in prose
    if rule.phrase_end and text[end:end + 1].isalnum():
        return False
    if (rule.arabic_only or rule.class_name or rule.phase) and _ARABIC_DIGIT.search(numeral) is None:
        if rule.arabic_only:
            return False
        if rule.class_name and not text.endswith(CLASS_COUNT_AFTER, 0, start):
            return False  # 十大工程, 五大类: a class or list name; …等六大行动 counts the list before it
        if rule.phase:
            following = text[end:end + 1]
            if following and following.isalnum():
                return False
    return True


_ARABIC_DIGIT = re.compile(f"[{_ARABIC_DIGITS}]")


_HAN = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_BREAK = re.compile(r"[,，。;；:：、!！?？\n()（）]")


_CONTEXT_BEFORE = 12  # how far back, within the clause, a counted noun (信访等问题19000余件) is looked for
# An elliptical clause (收集各类问题8652件,已解决8601件) counts the noun of an earlier clause of
# its sentence: looked for this far back, when the clause before the figure is this short.
_SENTENCE_BEFORE = 40
_ELLIPTICAL_CLAUSE = 4
_SENTENCE_BREAK = re.compile(r"[。;；!！?？\n]")


def _context_base(text: str, start: int, end: int, rule: UnitRule) -> str | None:
    """The base unit a context rule picks: 件 of things is item, 件 of matters handled is case; so is
    件 after a verb of handing things out (发放3000件), or in a short clause that goes on counting the
    things of the clause before it in the sentence. None when the unit needs a context it lacks
    (方 is an area only after an area word)."""
    if rule.context_base is None:
        return rule.base
    _REACH.beyond_key = True
    window_start = max(0, start - _SENTENCE_BEFORE)
    window = text[window_start:start]
    sentence_breaks = list(_SENTENCE_BREAK.finditer(window))
    if sentence_breaks:
        window = window[sentence_breaks[-1].end():]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    clause = window[breaks[-1].end():] if breaks else window
    before = clause[-_CONTEXT_BEFORE:]
    after = text[end:end + 4]
    if rule.context_unless and any(word in before or after.startswith(word) for word in rule.context_unless):
        return None if rule.context_required else rule.base
    if any(noun in before or after.startswith(noun) for noun in rule.context_nouns):
        return rule.context_base
    if any(verb in before for verb in rule.context_verbs):
        return rule.context_base
    if breaks and len(clause) <= _ELLIPTICAL_CLAUSE and any(noun in window for noun in rule.context_nouns):
        return rule.context_base
    return None if rule.context_required else rule.base


def _qualify(text, start, end, numeral_qualifier, bare, rule):
    """Qualifier from the words around the span: leading, then trailing, then 余/多 inside."""
    leading, leading_text, leading_start = _leading_qualifier(text, start, bare)
    trailing, trailing_text = _trailing_qualifier(text, end, rule)
    if leading is not None and leading != "exact":
        return leading, leading_text, leading_start
    if trailing is not None:
        return trailing, trailing_text, end
    if numeral_qualifier is not None:
        return numeral_qualifier, leading_text, leading_start
    return "exact", leading_text, leading_start


def _from_match(text: str, match: re.Match) -> Quantity | None:
    quantity = _read_match(text, match)
    if quantity is not None and quantity.unit in _CURRENCY_UNITS:
        before = _CURRENCY_BEFORE.search(text, max(0, quantity.start - _CURRENCY_REACH), quantity.start)
        if before is not None and _CURRENCIES[before["currency"]] == quantity.unit:
            return _extended(text, quantity, before.start())  # 人民币 50元, ￥300万元
    return quantity


def _read_match(text: str, match: re.Match) -> Quantity | None:
    numeral, low_unit, high, unit, numerator, slash = match.group(
        "numeral", "low_unit", "high", "unit", "numerator", "slash")
    if match.lastgroup == "spaced_unit":
        unit = match.group("spaced_unit")
    start, end = match.span()
    raw = match.group()
    if unit is not None:
        if high is None:
            return _simple(text, numeral, unit, start, end, raw)
        return _range(text, numeral, low_unit, high, unit, start, end, raw)
    if high is not None:
        return None
    if match.lastgroup == "bare":
        return _money_without_yuan(text, numeral, start, end)
    if numerator is not None:  # 三分之二, 百分之九十, 千分之五
        denominator_value, numerator_value = read_numeral(numeral), read_numeral(numerator)
        if not denominator_value or not numerator_value or denominator_value.value == 0:
            return None
        if denominator_value.inner_qualifier or numerator_value.inner_qualifier:
            return None
        value = numerator_value.value / denominator_value.value * 100
        return _fraction_quantity(text, value, start, end, raw, "分之")
    if not numeral.isdigit() or len(numeral) > 2:
        return None
    top, bottom = int(numeral), int(slash)
    if not 0 < top < bottom <= 10 or text[end:end + 1] in ("月", "日", "号"):
        return None  # 7/29 and 2019/7/29 are dates, not fractions
    return _fraction_quantity(text, Decimal(top) / bottom * 100, start, end, raw, "/")


def _money_without_yuan(text: str, numeral_text: str, start: int, end: int) -> Quantity | None:
    """2亿 with no unit is money (CNY) when a money word ends just before it in its clause."""
    if _is_ordinal_or_name(text, start) or not _after_money_word(text, start):
        return None
    if _HAN.match(text, end) and not text.startswith(MONEY_FOLLOWED_BY, end):
        return None  # 投资带动周边5万群众: a count of people
    numeral = read_numeral(numeral_text)
    if numeral is None or not numeral.has_digit:
        return None
    qualifier, qualifier_text, qualifier_start = _qualify(
        text, start, end, numeral.inner_qualifier, False, None)
    upper = None if numeral.upper is None else float(numeral.upper)
    magnitude = numeral_text.rstrip("余多")[-1].translate(_NORMALIZE)  # 万 or 亿
    return Quantity(float(numeral.value), "CNY", text[start:end], magnitude, qualifier,
                    start, end, upper, qualifier_text, qualifier_start)


def _after_money_word(text: str, start: int) -> bool:
    """Whether one of MONEY_WORDS ends at most _MONEY_REACH characters before start, in its clause."""
    _REACH.beyond_key = True
    window = text[max(0, start - _MONEY_WINDOW):start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end():]
    for word in MONEY_WORDS:
        found = window.rfind(word)
        if found >= 0 and len(window) - found - len(word) <= _MONEY_REACH:
            return True
    return False


def _fraction_quantity(text, value, start, end, raw, raw_unit) -> Quantity | None:
    if _is_ordinal_or_name(text, start):
        return None
    qualifier, qualifier_text, qualifier_start = _qualify(text, start, end, None, False, None)
    return Quantity(round(float(value), 2), "percent", raw, raw_unit, qualifier, start, end,
                    None, qualifier_text, qualifier_start)


def _simple(text, numeral_text, unit, start, end, raw) -> Quantity | None:
    rule = UNITS[unit]
    if _is_ordinal_or_name(text, start):
        return None
    if not _unit_applies(text, numeral_text, start, end, rule):
        for size in range(len(unit) - 1, 0, -1):  # 50多万元整合: not 元整, but 元
            if unit[:size] in UNITS:
                cut = len(unit) - size
                return _simple(text, numeral_text, unit[:size], start, end - cut, raw[:-cut])
        return None
    if raw in _IDIOM_STARTS and any(text.startswith(idiom, start) for idiom in _IDIOM_STARTS[raw]):
        return None
    numeral = read_numeral(numeral_text)
    if numeral is None:
        return None
    bare = not numeral.has_digit
    qualifier, qualifier_text, qualifier_start = _qualify(
        text, start, end, numeral.inner_qualifier, bare, rule)
    if bare and numeral.inner_qualifier is None and qualifier_text is None:
        return None  # 千家万户, 万人空巷: a bare magnitude counts only with 余/多 or a qualifier
    base = _context_base(text, start, end, rule)
    if base is None:
        return None
    value = numeral.value
    if unit in _SUBUNIT_AFTER:
        subunits = _SUBUNITS.match(text, end)
        if subunits is not None and subunits.end() > end:  # 123元1角1分
            for digit, subunit in _SUBUNIT_PART.findall(subunits.group()):
                value += read_numeral(digit).value * _SUBUNIT_FACTORS[subunit]
            end = subunits.end()
            raw, base = text[start:end], "CNY"  # 十块三毛: 块 of money
            qualifier, qualifier_text, qualifier_start = _qualify(text, start, end, numeral.inner_qualifier,
                                                                  bare, rule)
    upper = None if numeral.upper is None else _round(numeral.upper, rule)
    return Quantity(_round(value, rule), base, raw, _raw_unit(numeral_text, unit), qualifier,
                    start, end, upper, qualifier_text, qualifier_start)


def _inherited_scale(low_text: str, high: Numeral) -> int:
    """The scale the low end of a range borrows from the high end: 3至5亿 (3 → 3亿), 两到三万 (两 → 两万),
    一百二十到一百五十万 (一百二十 → 一百二十万); a low end with its own 万/亿 borrows nothing."""
    normalized = low_text.translate(_NORMALIZE)
    suffix = high.trailing_magnitude.translate(_NORMALIZE)
    if any(char in _MAGNITUDE_CHARS for char in normalized):
        if any(char in "万亿" for char in normalized):
            return 1
        big = len(suffix) - len(suffix.lstrip("十百千拾佰仟"))
        suffix = suffix[big:]
    scale = 1
    for char in suffix:
        scale *= _MAGNITUDE_VALUES[char]
    return scale


def _range(text, low_text, low_unit, high_text, unit, start, end, raw) -> Quantity | None:
    rule = UNITS[unit]
    if _is_ordinal_or_name(text, start):
        return None
    if low_unit is not None and UNITS[low_unit].base != rule.base:
        return None
    low, high = read_numeral(low_text), read_numeral(high_text)
    if low is None or high is None or not low.has_digit or not high.has_digit:
        return None
    low_value = low.value
    if low_unit is None:
        low_value *= _inherited_scale(low_text, high)
    else:  # 1万元--5万元, 500千元-1万元
        low_value = low_value * UNITS[low_unit].factor / rule.factor
    if low_value > high.value:
        return None  # 2013-3倍 is not a range
    _, qualifier_text, qualifier_start = _qualify(text, start, end, None, False, rule)
    return Quantity(_round(low_value, rule), rule.base, raw, unit, "more_than", start, end,
                    _round(high.value, rule), qualifier_text, qualifier_start)


def _idiom_starts() -> dict[str, tuple[str, ...]]:
    """The idioms of quantity_words.toml keyed by the match they begin with (一起 → 一起抓 …)."""
    starts: dict[str, list[str]] = {}
    for idiom in IDIOMS:
        match = _QUANTITY.match(idiom)
        if match:
            starts.setdefault(match.group(), []).append(idiom)
    return {key: tuple(value) for key, value in starts.items()}


_IDIOM_STARTS = _idiom_starts()


# How many characters around a match can change what it means: the cache key must cover them.
_BEFORE = max(_LEADING_LENGTHS + _ORDINAL_LENGTHS + [_CURRENCY_REACH])  # 不超过, 星期, 人民币 50元
_AFTER = max(
    [len(word) for word in TRAILING]
    + [len(word) for rule in UNITS.values() for word in rule.not_before]
    + [len(idiom) for idiom in IDIOMS]
    + [len("零1角零1分钱")]  # the longest yuan subunit tail
)


class _Reach(threading.local):
    """Whether the reading under way looked at text beyond the cache key (a counted noun for 件, an
    area word for 方, a money word for 2亿, the pair of 一户, the run before 89.3%): then it is not cached.
    Per thread, since readings may run in several threads at once."""

    beyond_key = False


_REACH = _Reach()
_MISSING = object()
_READINGS: dict[tuple[str, int, int], tuple | None] = {}
_READINGS_LIMIT = 100_000


def find_quantities(text: str) -> list[Quantity]:
    """Every amount (a numeral with a unit or measure word) in text, in text order, non-overlapping.

    >>> [(q.raw_text, q.value, q.qualifier) for q in find_quantities("签订征收补偿协议上百户,8日,达258户")]
    [('百户', 100.0, 'more_than'), ('258户', 258.0, 'exact')]
    >>> find_quantities("2007年12月13日第05版")
    []
    """
    found = []
    append = found.append
    search = _QUANTITY.search
    readings = _READINGS
    new_quantity = _new_quantity
    match = search(text)
    while match is not None:
        start, end = match.span()
        # What a match means depends only on it and a few characters around it: cache that.
        before = start - _BEFORE if start > _BEFORE else 0
        key = (text[before:end + _AFTER], start - before, end - start)
        reading = readings.get(key, _MISSING)
        if reading is _MISSING:
            reading = _read_and_remember(text, match, start, key)
        if reading is None:  # not an amount as a whole (1,2,3个; 第12个): a later start inside it may be
            match = search(text, start + 1)
            continue
        (value, unit, raw_text, raw_unit, qualifier, length, upper, qualifier_text, qualifier_offset,
         lead) = reading
        append(new_quantity(value, unit, raw_text, raw_unit, qualifier, start - lead, start + length, upper,
                            qualifier_text, None if qualifier_offset is None else start + qualifier_offset))
        match = search(text, start + length)
    for sign in _CURRENCY_SIGN_CHARS:  # one character each: a fast scan
        if sign in text:
            return _with_currency_signs(text, found)
    return found


def _read_and_remember(text: str, match: re.Match, start: int, key: tuple) -> tuple | None:
    """The reading of a match (its Quantity as offsets from the match start), cached under key unless
    it looked at text further away than the key holds."""
    _REACH.beyond_key = False
    quantity = _from_match(text, match)
    reading = None if quantity is None else (
        quantity.value, quantity.unit, quantity.raw_text, quantity.raw_unit, quantity.qualifier,
        quantity.end - start, quantity.upper, quantity.qualifier_text,
        None if quantity.qualifier_start is None else quantity.qualifier_start - start,
        start - quantity.start,  # a currency written before the number (人民币 50元)
    )
    if not _REACH.beyond_key and len(_READINGS) < _READINGS_LIMIT:
        _READINGS[key] = reading
    return reading


def _find_uncached(text: str) -> list[Quantity]:
    """find_quantities without its cache: the reference the cached loop must agree with (tests)."""
    found = []
    match = _QUANTITY.search(text)
    while match is not None:
        quantity = _from_match(text, match)
        if quantity is None:
            match = _QUANTITY.search(text, match.start() + 1)
        else:
            found.append(quantity)
            match = _QUANTITY.search(text, quantity.end)
    return _with_currency_signs(text, found)


_SIGNED_AMOUNT = re.compile(
    rf"(?P<sign>{'|'.join(map(re.escape, CURRENCY_SIGNS))})[ \u3000]?(?P<numeral>{_NUMERAL})")
_MAY_NAME_CURRENCY = re.compile("|".join(map(re.escape, _CURRENCIES)))
_CURRENCY_SIGN_CHARS = tuple(CURRENCY_SIGNS)


def _with_currency_signs(text: str, found: list[Quantity]) -> list[Quantity]:
    """found, with the amounts written after a currency sign and no unit added (￥300, $20)."""
    added = []
    for match in _SIGNED_AMOUNT.finditer(text):
        start, end = match.span()
        if any(q.start <= start < q.end or q.start <= match.start("numeral") < q.end for q in found):
            continue  # ￥300万元 was read whole
        numeral = read_numeral(match["numeral"])
        if numeral is None or not numeral.has_digit or text[end:end + 1].isalnum():
            continue  # $20 reads; $20abc and ￥3年 do not
        qualifier, qualifier_text, qualifier_start = _qualify(text, start, end, numeral.inner_qualifier,
                                                              False, None)
        added.append(Quantity(float(numeral.value), CURRENCY_SIGNS[match["sign"]], text[start:end],
                              match["sign"], qualifier, start, end, None, qualifier_text, qualifier_start))
    return sorted(found + added, key=lambda q: q.start) if added else found


def _extended(text: str, quantity: Quantity, start: int) -> Quantity:
    """quantity with its span opened at start (a currency word or sign before the number)."""
    return Quantity(quantity.value, quantity.unit, text[start:quantity.end], quantity.raw_unit,
                    quantity.qualifier, start, quantity.end, quantity.upper, quantity.qualifier_text,
                    quantity.qualifier_start)


def find_numbers(text: str) -> list[Quantity]:
    """Every numeral in text, with or without a unit, as unit ``"number"`` (value of the numeral alone).

    For callers that decide themselves what a bare number means (总投资6600万 is money); it does not
    filter dates or names the way find_quantities does.

    >>> [(q.raw_text, q.value) for q in find_numbers("下辖19个社区,总投资6600万")]
    [('19', 19.0), ('6600万', 66000000.0)]
    """
    found = []
    for match in _SIGNED_NUMERAL.finditer(text):
        numeral = read_numeral(match["numeral"])
        if numeral is None or not numeral.has_digit:
            continue
        lone_digit = len(match["numeral"]) == 1 and match["numeral"] in _CN_DIGITS
        if lone_digit and not _stands_alone(text, match.end()):
            continue  # 一看, 四川, 陆地, 入伍: a digit character inside a word
        start, end = match.span("numeral")
        sign = -1 if match["sign"] else 1
        if match["sign"]:
            start = match.start()
        found.append(Quantity(sign * float(numeral.value), BARE_NUMBER_UNIT, text[start:end], "",
                              numeral.inner_qualifier or "exact", start, end))
    return found


def _stands_alone(text: str, end: int) -> bool:
    """A lone Chinese digit is a number when a unit, punctuation or the end of text follows it."""
    if end >= len(text):
        return True
    following = text[end]
    return not following.isalnum() or _QUANTITY.match(text, end - 1) is not None


def parse_quantity(text: str) -> Quantity | None:
    """Parse one whole expression (qualifier words around it allowed), else None.

    A numeral with no unit parses with unit ``"number"`` (find_quantities never reports those).

    >>> q = parse_quantity("3至5亿元")
    >>> q.value, q.upper, q.qualifier
    (300000000.0, 500000000.0, 'more_than')
    >>> parse_quantity("近2亿元").qualifier
    'nearly'
    >>> parse_quantity("十几") is None
    True
    """
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    quantity = _parse_stripped(stripped)
    if quantity is None and _SPACES.search(stripped):
        # a spaced transcript (一百 五 十 二, 百 分之 2): read it closed up; the span stays as written
        compact = parse_quantity(_SPACES.sub("", stripped))
        if compact is not None and compact.start == 0 and compact.end == len(_SPACES.sub("", stripped)):
            quantity = Quantity(compact.value, compact.unit, stripped, compact.raw_unit, compact.qualifier, 0,
                                len(stripped), compact.upper, compact.qualifier_text, None)
    return None if quantity is None else _shift(quantity, offset)


_SPACES = re.compile(r"\s+")


def _parse_stripped(stripped: str) -> Quantity | None:
    offset = 0
    if _MAY_NAME_CURRENCY.match(stripped):  # 人民币数十亿元, ￥300: the currency joins the span
        found = find_quantities(stripped)
        if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
            return found[0]
    if stripped[:1] in ("负", "負", "-", "－") and len(stripped) > 1:
        positive = parse_quantity(stripped[1:])
        if positive is None or positive.start != 0:
            return None
        quantity = Quantity(-positive.value, positive.unit, stripped[:positive.end + 1], positive.raw_unit,
                            positive.qualifier, 0, positive.end + 1,
                            None if positive.upper is None else -positive.upper)
        return _shift(quantity, offset)
    lead = 0
    for size in _LEADING_LENGTHS:
        word = stripped[:size]
        if len(stripped) > size and (LEADING.get(word) or LEADING_BARE.get(word)):
            lead = size
            break
    core_end = len(stripped)
    for size in _TRAILING_LENGTHS:
        if len(stripped) - lead > size and stripped[-size:] in TRAILING:
            core_end -= size
            break
    core = stripped[lead:core_end]
    match = _QUANTITY.match(stripped, lead, core_end) if core else None
    if match is not None:
        quantity = _from_match(stripped, match)
        if quantity is None and match.lastgroup == "unit" and match.group("high") is None \
                and match.end() == core_end:
            quantity = _whole_simple(stripped, match, lead)
        if quantity is not None and quantity.end == core_end:
            return _shift(quantity, offset)
    bare = _BARE_NUMERAL.fullmatch(stripped, lead, core_end) if core else None
    if bare is None:
        subunits = _SUBUNITS.fullmatch(core) if core else None
        if subunits is None:
            return None
        value = sum(read_numeral(digit).value * _SUBUNIT_FACTORS[name]
                    for digit, name in _SUBUNIT_PART.findall(core))
        qualifier, qualifier_text, qualifier_start = _qualify(stripped, lead, core_end, None, False, None)
        return Quantity(float(value), "CNY", core, core[-1], qualifier, lead, core_end, None, qualifier_text,
                        qualifier_start)  # 壹角, 五分: a sum below one yuan
    numeral = read_numeral(bare["numeral"])
    if numeral is None or (not numeral.has_digit and numeral.inner_qualifier is None and not lead):
        return None
    sign = -1 if bare["sign"] else 1
    upper = None if numeral.upper is None else float(numeral.upper)
    value = numeral.value
    if bare["high"] is not None:
        high = read_numeral(bare["high"])
        if high is None:
            return None
        value *= _inherited_scale(bare["numeral"], high)
        upper = float(high.value)
    start, end = bare.span()
    qualifier, qualifier_text, qualifier_start = _qualify(stripped, start, end, numeral.inner_qualifier,
                                                          not numeral.has_digit, None)
    if upper is not None:
        qualifier = "more_than"
    quantity = Quantity(sign * float(value), BARE_NUMBER_UNIT, stripped[start:end], "", qualifier, start, end,
                        upper, qualifier_text, qualifier_start)
    return _shift(quantity, offset)


def _whole_simple(text: str, match: re.Match, lead: int) -> Quantity | None:
    """A whole expression the finder would skip for its context (一起, 两个月) still parses."""
    numeral = read_numeral(match["numeral"])
    if numeral is None:
        return None
    rule = UNITS[match["unit"]]
    start, end = match.span()
    qualifier, qualifier_text, qualifier_start = _qualify(text, start, end, numeral.inner_qualifier,
                                                          not numeral.has_digit, rule)
    upper = None if numeral.upper is None else _round(numeral.upper, rule)
    raw_unit = _raw_unit(match["numeral"], match["unit"])
    return Quantity(_round(numeral.value, rule), rule.base, match.group(), raw_unit,
                    qualifier, start, end, upper, qualifier_text, qualifier_start)


def _shift(quantity: Quantity, offset: int) -> Quantity:
    if not offset:
        return quantity
    return Quantity(quantity.value, quantity.unit, quantity.raw_text, quantity.raw_unit, quantity.qualifier,
                    quantity.start + offset, quantity.end + offset, quantity.upper, quantity.qualifier_text,
                    None if quantity.qualifier_start is None else quantity.qualifier_start + offset)
