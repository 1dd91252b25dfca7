"""Words and number formats the dashboard shows, in Chinese or English.

The page words live in labels.toml; a metric's label and definition live with the extractor's rules
(etl/data/metric_labels.toml, read through etl.metric_catalog), so there is one place for them.

>>> zh = labels_for("zh")
>>> zh.metric("investment_attracted"), zh.unit("m2"), zh.amount(4.1e8, "CNY", "more_than")
('招商引资', '平方米', '超4.1亿元')
>>> zh.amount(15000, "m2"), zh.amount(3.31e7, "m2", metric="area"), zh.amount(99.22, "percent"), zh.amount(None, "case")
('15,000平方米', '33.1平方公里', '99.22%', '—')
>>> zh.amount(2602, "person"), zh.amount(150000, "person"), zh.exact(400000000, "CNY")
('2,602人', '15万人', '400,000,000元')
>>> en = labels_for("en")
>>> en.metric("households_relocated"), en.metric("brand_new_metric"), en.amount(4.1e8, "CNY")
('households relocated', 'brand new metric', 'CNY 410 million')
>>> en.amount(2.5e9, "CNY", "approx"), en.amount(15000, "m2"), en.amount(1.5e6, "person")
('about CNY 2.5 billion', '15,000 m²', '1.5 million people')
>>> zh.flag(True), zh.flag(False), en.flag(True), zh.year(None), en.year(2013.0)
('是', '', 'yes', '年份不详', '2013')
>>> zh.evidence("heading:征迁"), en.evidence("sentence:长沙街道"), zh.evidence(None)
('小标题「征迁」', 'its sentence “长沙街道”', '')
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.metric_catalog import catalog

LANGUAGES = ("zh", "en")
LABELS_FILE = Path(__file__).with_name("labels.toml")
YI, WAN = 1e8, 1e4
NON_ADDITIVE_UNITS = ("percent", "percentage_point", "multiple")


@functools.cache
def _table() -> dict:
    with LABELS_FILE.open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Scale:
    """How amounts of one size are written: divide by `divisor`, name the unit `name`
    (亿元, 万平方米, CNY million); `money_first` writes the English currency before the number."""

    divisor: float
    name: str
    money_first: bool = False


@dataclass(frozen=True)
class Labels:
    language: str

    def _section(self, name: str) -> dict[str, str]:
        return _table()[self.language].get(name, {})

    def text(self, key: str, **fields: object) -> str:
        words = self._section("text")[key]
        return words.format(**fields) if fields else words

    def header(self, key: str) -> str:
        """A page word as a column header: Exact value, not exact value."""
        words = self.text(key)
        return words[:1].upper() + words[1:] if self.language == "en" else words

    def metric(self, name: str) -> str:
        entry = catalog().get(name)
        return entry.label(self.language) if entry else str(name).replace("_", " ")

    def metric_with_unit(self, name: str, unit: str) -> str:
        """项目投资（元）, project investment (CNY): how a chart or a choice names one metric."""
        if self.language == "en":
            return f"{self.metric(name)} ({self.unit(unit)})"
        return f"{self.metric(name)}（{self.unit(unit)}）"

    def metric_definition(self, name: str) -> str:
        entry = catalog().get(name)
        return entry.definition(self.language) if entry else ""

    def unit(self, name: str) -> str:
        """A unit's name; a scaled unit keeps its divisor: CNY/person → 元/人."""
        base, _, per = name.partition("/")
        words = self._section("unit")
        return f"{words.get(base, base)}/{words.get(per, per)}" if per else words.get(base, base)

    def category(self, name: str) -> str:
        return self._section("category").get(name, name)

    def evidence(self, value: object) -> str:
        """Why the extractor decided (category_evidence, place_evidence: `level:word`), in words:
        句子「拆除」, heading “征迁”."""
        if _missing(value) or not str(value):
            return ""
        level, _, word = str(value).partition(":")
        name = self._section("evidence").get(level, level)
        if not word:
            return name
        return f"{name}「{word}」" if self.language == "zh" else f"{name} “{word}”"

    def qualifier(self, name: str | None) -> str:
        return self._section("qualifier").get(name or "exact", "")

    def flag(self, value: object) -> str:
        """A yes/no column's cell: the word for yes, or nothing."""
        return self.text("yes") if bool(value) and not _missing(value) else ""

    def year(self, value: object) -> str:
        return self.text("year_unknown") if _missing(value) else str(int(value))

    def years(self, span: str, with_undated: bool = False) -> str:
        """The years behind a total: 2012–2013, and 年份不详 when undated figures are in it."""
        parts = [span] if span else []
        return ("、" if self.language == "zh" else ", ").join(parts + ([self.text("year_unknown")] if with_undated else []))

    def date(self, value: object) -> str:
        if _missing(value):
            return ""
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def scale(self, unit: str, largest: float, metric: str | None = None) -> Scale:
        """The unit a reader expects for amounts up to `largest`: 亿元/万元, 万平方米 or 平方公里 (an
        area), 万人; in English CNY million/billion, km², million people. Rates are never scaled."""
        largest = abs(largest) if largest == largest else 0.0
        base, _, per = unit.partition("/")
        if base in NON_ADDITIVE_UNITS or per:
            return Scale(1.0, self.unit(unit))
        name = self.unit(base)
        if base == "m2" and metric == "area" and largest >= 1e6:
            return Scale(1e6, self.unit("km2"))
        if self.language == "en":
            money = base in ("CNY", "USD")
            for divisor, word in ((1e9, "billion"), (1e6, "million")):
                if largest >= divisor:
                    return Scale(divisor, f"{name} {word}" if money else f"{word} {name}", money)
            return Scale(1.0, name, money)
        if largest >= YI:
            return Scale(YI, "亿" + name)
        # money from 1万元 on; counts and areas from 10万 on, so that 15,882起 keeps every digit
        if largest >= (WAN if base in ("CNY", "USD") else 10 * WAN):
            return Scale(WAN, "万" + name)
        return Scale(1.0, name)

    def amount(
        self, value: float | None, unit: str, qualifier: str | None = None, metric: str | None = None
    ) -> str:
        """A value as a reader writes it: 4.1亿元, CNY 410 million, a qualifier word in front, '—' if missing."""
        if _missing(value):
            return self.text("missing")
        scale = self.scale(unit, value, metric)
        number = _number(value / scale.divisor)
        if unit == "percent":
            written = f"{number}%"
        elif scale.money_first:
            currency, _, word = scale.name.partition(" ")
            written = f"{currency} {number}" + (f" {word}" if word else "")
        else:
            written = f"{number}{_joiner(self.language)}{scale.name}"
        prefix = self.qualifier(qualifier)
        return f"{prefix}{' ' if prefix and self.language == 'en' else ''}{written}"

    def exact(self, value: float, unit: str) -> str:
        """The exact base-unit value, for hover text and tables: 400,000,000元."""
        if _missing(value):
            return self.text("missing")
        return f"{_number(value)}{_joiner(self.language)}{self.unit(unit)}"


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _joiner(language: str) -> str:
    return " " if language == "en" else ""


def _number(value: float) -> str:
    """Thousands separators, at most two decimals, no trailing zeros.

    >>> _number(4.0), _number(2.73), _number(15882.0), _number(0.123456)
    ('4', '2.73', '15,882', '0.12')
    """
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def labels_for(language: str | None) -> Labels:
    return Labels(language if language in LANGUAGES else "zh")
