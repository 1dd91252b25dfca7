"""Find and parse amounts in Chinese text (first version: Arabic numerals with common units).

>>> [q.raw_text for q in find_quantities("投资68亿元,拆除违章建筑15000余平方米")]
['68亿元', '15000余平方米']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    # raw unit: (base unit, factor)
    "亿元": ("CNY", 1e8),
    "万元": ("CNY", 1e4),
    "元": ("CNY", 1.0),
    "平方米": ("m2", 1.0),
    "㎡": ("m2", 1.0),
    "户": ("household", 1.0),
    "起": ("case", 1.0),
    "%": ("percent", 1.0),
}

QUALIFIER_WORDS = {"近": "nearly", "约": "approx", "超": "more_than", "超过": "more_than"}

_QUANTITY = re.compile(
    r"(?P<qualifier>超过|近|约|超)?"
    r"(?P<raw>(?P<number>\d+(?:\.\d+)?)(?P<inner>余|多)?(?P<unit>"
    + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
    + "))"
)


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str
    raw_text: str
    raw_unit: str
    qualifier: str
    start: int
    end: int


def find_quantities(text: str) -> list[Quantity]:
    quantities = []
    for match in _QUANTITY.finditer(text):
        base_unit, factor = UNITS[match["unit"]]
        qualifier = QUALIFIER_WORDS.get(match["qualifier"] or "", "exact")
        if match["inner"] and qualifier == "exact":
            qualifier = "more_than"
        quantities.append(
            Quantity(
                value=round(float(match["number"]) * factor, 2),
                unit=base_unit,
                raw_text=match["raw"],
                raw_unit=match["unit"],
                qualifier=qualifier,
                start=match.start("raw"),
                end=match.end("raw"),
            )
        )
    return quantities


def parse_quantity(text: str) -> Quantity | None:
    found = find_quantities(text)
    return found[0] if found else None
