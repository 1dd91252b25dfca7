"""Every metric the extractor can emit, with its labels and definitions: the one place a metric's
name on screen comes from (etl/data/metric_labels.toml, beside the rules in metrics.toml).

>>> entry = catalog()["households_relocated"]
>>> entry.label("zh"), entry.label("en"), entry.categories, entry.units
('搬迁户数', 'households relocated', ('demolition',), ('household',))
>>> catalog()["amount"].categories  # a fallback: no keyword named what the figure counts
('other',)
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl.classify import FALLBACK_METRIC_BY_UNIT

DATA = Path(__file__).resolve().parent / "data"
RULES_FILE, LABELS_FILE = DATA / "metrics.toml", DATA / "metric_labels.toml"
LABEL_FIELDS = ("zh", "en", "zh_def", "en_def")


@dataclass(frozen=True)
class MetricEntry:
    """One metric: its code, labels and definitions, and what the rules say it is."""

    code: str
    zh: str
    en: str
    zh_def: str
    en_def: str
    categories: tuple[str, ...]  # "inherit": the category of the figure it qualifies
    units: tuple[str, ...]  # base units the rules allow; () when any
    named: bool  # listed in docs/FACTS.md (scored by `govstats eval`)

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.zh

    def definition(self, language: str) -> str:
        return self.en_def if language == "en" else self.zh_def


@functools.cache
def metric_labels(path: Path = LABELS_FILE) -> dict[str, dict[str, str]]:
    """metric code → {zh, en, zh_def, en_def}; a malformed entry raises ValueError naming the file."""
    with path.open("rb") as handle:
        table = tomllib.load(handle)
    for code, entry in table.items():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in LABEL_FIELDS):
            raise ValueError(f"{path}: metric {code!r} needs the strings {', '.join(LABEL_FIELDS)}")
    return table


def emittable_metrics(rules_path: Path = RULES_FILE) -> dict[str, tuple[set[str], set[str] | None]]:
    """metric → (categories, units or None for any) of every metric a rule or fallback can emit."""
    with rules_path.open("rb") as handle:
        rules = tomllib.load(handle).get("rule", [])
    found: dict[str, tuple[set[str], set[str] | None]] = {}
    for rule in rules:
        categories, units = found.setdefault(rule["metric"], (set(), set()))
        categories.add(rule["category"])
        if units is not None:
            if "units" in rule:
                units.update(rule["units"])
            else:
                found[rule["metric"]] = (categories, None)
    for unit, metric in FALLBACK_METRIC_BY_UNIT.items():
        categories, units = found.setdefault(metric, (set(), set()))
        categories.add("other")
        if units is not None:
            units.add(unit)
    return found


@functools.cache
def catalog() -> dict[str, MetricEntry]:
    """Every labelled metric (emittable ones carry their categories and units), in the labels' order."""
    with RULES_FILE.open("rb") as handle:
        named = set(tomllib.load(handle).get("named_metrics", ()))
    emitted = emittable_metrics()
    entries = {}
    for code, words in metric_labels().items():
        categories, units = emitted.get(code, (set(), set()))
        entries[code] = MetricEntry(
            code,
            *(words[field] for field in LABEL_FIELDS),
            categories=tuple(sorted(categories)),
            units=tuple(sorted(units or ())),
            named=code in named,
        )
    return entries
