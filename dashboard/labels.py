"""Words and number formats the dashboard shows, in Chinese or English (the words live in labels.toml).

>>> zh = labels_for("zh")
>>> zh.metric("investment_attracted"), zh.unit("m2"), zh.amount(4e8, "CNY", "more_than")
('招商引资', '平方米', '超4亿元')
>>> en = labels_for("en")
>>> en.metric("households_relocated"), en.metric("brand_new_metric"), en.amount(25110000, "CNY")
('households relocated', 'brand new metric', '2,511 10k CNY')
>>> zh.amount(15000, "m2"), zh.amount(99.22, "percent"), zh.amount(None, "case")
('15,000平方米', '99.22%', '—')
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("zh", "en")
LABELS_FILE = Path(__file__).with_name("labels.toml")
YI, WAN = 1e8, 1e4


@functools.cache
def _table() -> dict:
    with LABELS_FILE.open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class MoneyScale:
    """How money is written on an axis: divide by `divisor`, name the unit `name`."""

    divisor: float
    name: str


@dataclass(frozen=True)
class Labels:
    language: str

    def _section(self, name: str) -> dict[str, str]:
        return _table()[self.language].get(name, {})

    def text(self, key: str, **fields: object) -> str:
        words = self._section("text")[key]
        return words.format(**fields) if fields else words

    def metric(self, name: str) -> str:
        return self._section("metric").get(name) or name.replace("_", " ")

    def unit(self, name: str) -> str:
        """A unit's name; a scaled unit keeps its divisor: CNY/person → 元/人."""
        base, _, per = name.partition("/")
        words = self._section("unit")
        return f"{words.get(base, base)}/{words.get(per, per)}" if per else words.get(base, base)

    def category(self, name: str) -> str:
        return self._section("category").get(name, name)

    def section(self, category: str, unit: str) -> str:
        key = f"{category}_{unit}"
        return self._section("section").get(key, f"{self.category(category)} ({self.unit(unit)})")

    def qualifier(self, name: str | None) -> str:
        return self._section("qualifier").get(name or "exact", "")

    def money_scale(self, largest: float) -> MoneyScale:
        """The unit a Chinese reader expects for money of this size: 亿元, 万元 or 元."""
        words = self._section("money")
        if largest >= YI:
            return MoneyScale(YI, words["yi"])
        if largest >= WAN:
            return MoneyScale(WAN, words["wan"])
        return MoneyScale(1.0, words["yuan"])

    def amount(self, value: float | None, unit: str, qualifier: str | None = None) -> str:
        """A value as a reader writes it: money in 亿元/万元, a qualifier word in front, '—' if missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.text("missing")
        if unit == "CNY":
            scale = self.money_scale(abs(value))
            written = f"{_number(value / scale.divisor)}{_joiner(self.language)}{scale.name}"
        elif unit == "percent":
            written = f"{_number(value)}%"
        else:
            written = f"{_number(value)}{_joiner(self.language)}{self.unit(unit)}"
        prefix = self.qualifier(qualifier)
        return f"{prefix}{' ' if prefix and self.language == 'en' else ''}{written}"

    def exact(self, value: float, unit: str) -> str:
        """The exact base-unit value, for hover text: 400,000,000 元."""
        return f"{_number(value)}{_joiner(self.language)}{self.unit(unit)}"


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
