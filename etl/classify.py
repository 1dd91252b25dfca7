"""What a figure counts (category, metric), whether it is a plan (is_target), and whether it is a
reported fact at all. The language lives in etl/data/metrics.toml and etl/data/facts.toml.

Keywords are found once per document by one Aho-Corasick pass (longest first); a figure then
looks at the hits around it in its clause and sentence, nearest first.

>>> lexicon = load_lexicon()
>>> text = "累计拆除违章建筑15000余平方米"
>>> hits = KeywordHits.of(text, lexicon)
>>> choice = lexicon.choose(hits, text, 8, 18, "m2", "平方米", (0, len(text)), (0, len(text)))
>>> choice.category, choice.metric, choice.evidence
('demolition', 'illegal_structures_demolished_area', 'clause:违章建筑')
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick_rs

from etl.schema import CATEGORIES, UNITS
from etl.sentences import SENTENCE_BREAK_CHARACTERS

DATA = Path(__file__).parent / "data"
RATIO_UNITS = frozenset({"percent", "percentage_point", "multiple"})
COUNT_UNITS = frozenset({"item", "person", "household", "case", "times", "person_time"})
_DELIMITER = re.compile(r"[，,；;：:。！？!?、\n]")
_CHINESE_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿]+")
_HAN_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
_LEADING_NUMERAL = re.compile(r"^[\d.]+|^[零〇一二两三四五六七八九十百千万]+")


@dataclass(frozen=True, slots=True)
class Rule:
    category: str
    metric: str
    units: frozenset[str] | None = None
    raw_units: frozenset[str] | None = None
    requires: tuple[str, ...] = ()
    after: re.Pattern | None = None
    weak: bool = False  # a generic noun (社区, 项目): a specific keyword elsewhere in the sentence wins
    # a noun that takes the category of what the passage is about (项目: 征迁项目 are demolition);
    # a word instead of True: only where that word comes before the figure in its sentence (涉及)
    from_context: bool | str = False

    def admits_unit(self, unit: str, raw_unit: str) -> bool:
        if self.units is not None and unit not in self.units:
            return False
        return self.raw_units is None or raw_unit in self.raw_units

    def admits_context(self, sentence: str, following: str) -> bool:
        if self.requires and not any(word in sentence for word in self.requires):
            return False
        return self.after is None or bool(self.after.search(following))


# not frozen: built per figure or mention (the cost of frozen: etl/schema.py, Fact)
@dataclass(slots=True)
class Choice:
    """What a figure counts, and why: the keyword that decided it and the level it stands at
    (noun: the noun the figure counts; clause; sentence; previous figure), None for none."""

    category: str
    metric: str
    word: str | None
    level: str | None
    from_context: bool = False  # decided by a noun whose category the context gives (项目)

    @property
    def evidence(self) -> str | None:
        """`clause:拆除`, `previous figure`, or None when nothing decided."""
        if self.level is None:
            return None
        return f"{self.level}:{self.word}" if self.word else self.level


@dataclass(frozen=True, slots=True)
class KeywordHits:
    """Every keyword occurrence in one text, sorted by start offset (at most one per offset)."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]

    @classmethod
    def of(
        cls,
        simplified: str,
        lexicon: Lexicon,
        ignore: list[tuple[int, int]] = (),
        within: list[tuple[int, int]] | None = None,
    ) -> KeywordHits:
        """The hits in the text, except inside the `ignore` spans (long quotations, in order);
        only inside the `within` spans (whole sentences, in order) when given. No keyword spans
        two sentences, so a sentence's hits are the same whether the text around it is read or not."""
        # the longest keyword at every offset where one starts (one Aho-Corasick pass per run)
        longest_end: dict[int, int] = {}
        for run_start, run_end in _runs(within) if within is not None else [(0, len(simplified))]:
            piece = simplified[run_start:run_end]
            for _, start, end in lexicon.automaton.find_matches_as_indexes(piece, overlapping=True):
                start += run_start
                if end + run_start > longest_end.get(start, 0):
                    longest_end[start] = end + run_start
        # read left to right, a hit hides the hits that start inside it, except one running past
        # its end (三级网格员 holds 三级网格 and 网格员)
        starts, ends = [], []
        covered_until = 0
        ignored = iter(ignore)  # sorted spans that do not overlap
        next_ignored = next(ignored, None)
        for start in sorted(longest_end):
            end = longest_end[start]
            if start >= covered_until:
                covered_until = end
            elif end <= covered_until:
                continue
            while next_ignored is not None and next_ignored[1] <= start:
                next_ignored = next(ignored, None)
            if next_ignored is not None and next_ignored[0] <= start:
                continue
            starts.append(start)
            ends.append(end)
        return cls(tuple(starts), tuple(ends), tuple(simplified[s:e] for s, e in zip(starts, ends)))

    def between(self, start: int, end: int) -> range:
        """Indexes of the hits that lie entirely inside [start, end)."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return range(first, last)


@dataclass(frozen=True, slots=True)
class Lexicon:
    rules: dict[str, tuple[Rule, ...]]  # keyword → rules, in file order
    automaton: ahocorasick_rs.AhoCorasick  # finds every keyword, overlaps included
    named_metrics: frozenset[str]
    contained: dict[str, tuple[str, ...]]  # keyword → itself and the keywords inside it, longest first
    # (keyword, unit, raw unit) → the rules that admit the unit, in the order they are tried
    unit_rules: dict[tuple[str, str, str], tuple[Rule, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _first_rule(self, word, unit, raw_unit, sentence, following) -> Rule | None:
        for rule in self._rules_for_unit(word, unit, raw_unit):
            if rule.admits_context(sentence, following):
                return rule
        return None

    def _rules_for_unit(self, word: str, unit: str, raw_unit: str) -> tuple[Rule, ...]:
        key = (word, unit, raw_unit)
        found = self.unit_rules.get(key)
        if found is None:
            found = self.unit_rules[key] = tuple(
                rule
                # the word itself, then the keywords inside it (救助资金 → 救助)
                for keyword in self.contained[word]
                for rule in self.rules[keyword]
                if rule.admits_unit(unit, raw_unit)
            )
        return found

    def choose(
        self,
        hits: KeywordHits,
        text: str,
        start: int,
        end: int,
        unit: str,
        raw_unit: str,
        clause: tuple[int, int],
        sentence: tuple[int, int],
        previous_category: str | None = None,
    ) -> Choice:
        """The category and metric of the figure at text[start:end], from the nearest keyword, with
        the word that decided it and where that word stands (noun, clause, sentence)."""
        sentence_text = text[sentence[0] : sentence[1]]
        following = text[end : min(end + 4, sentence[1])]
        weak_choice = None
        nearest = self._counted_noun(hits, text, start, end, unit, clause)
        level = "noun"
        own_start = clause[0]
        if unit in COUNT_UNITS and _HAN_CHARACTER.match(text, end):
            # 对101个楼盘小区、18个开放性市场: a count written before its own noun is one item of an
            # enumeration; the nouns of the items before it are not its own
            own_start = max(own_start, text.rfind("、", clause[0], start) + 1)
        for index in self._ordered_hits(hits, start, end, (own_start, clause[1]), sentence, nearest, clause[0]):
            if index is None:  # other clauses serve only when the figure's own clause has no keyword
                if weak_choice is not None:
                    break
                level = "sentence"
                continue
            word = hits.words[index]
            rule = self._first_rule(word, unit, raw_unit, sentence_text, following)
            if rule is None:
                continue
            where = "noun" if index in nearest else level if level == "sentence" else "clause"
            if rule.weak:
                # a generic noun counts only as the noun a count is of: 19个社区, 重点项目15个
                if index in nearest or hits.ends[index] == start:
                    weak_choice = weak_choice or (rule, word)
                continue
            if rule.category == "inherit":
                return self._inherited(hits, text, start, sentence, previous_category, rule.metric)
            from_context = rule.from_context and _context_decides(rule, text, sentence[0], start)
            return Choice(rule.category, rule.metric, word, where, from_context)
        if weak_choice is not None:
            rule, word = weak_choice
            if rule.category == "inherit":
                return self._inherited(hits, text, start, sentence, previous_category, rule.metric)
            from_context = rule.from_context and _context_decides(rule, text, sentence[0], start)
            return Choice(rule.category, rule.metric, word, "noun", from_context)
        if unit in RATIO_UNITS:  # a share or multiple with no word of its own qualifies what precedes it
            # …of the noun right after it when there is one (近三成征迁任务: demolition)
            return self._inherited(hits, text, start, sentence, previous_category, _FALLBACK_METRIC[unit], nearest)
        return Choice("other", _FALLBACK_METRIC.get(unit, "count"), None, None)

    def _counted_noun(self, hits, text, start, end, unit, clause) -> list[int]:
        """Hits of the noun the figure counts: written as its unit (6大模块) or right after it."""
        ends, words = hits.ends, hits.words
        inside = [i for i in hits.between(start, end) if ends[i] <= end and len(words[i]) >= 2]
        reach = 8 if unit in COUNT_UNITS else 3
        after_limit = _delimiter_after(text, end, min(end + reach, clause[1]))
        return inside + list(hits.between(end, after_limit))  # hits are in order of their starts

    def _ordered_hits(self, hits, start, end, clause, sentence, right_after, clause_start=None):
        # 0-1. a noun written as the figure's own unit (6大模块), or right after it (19个社区)
        yield from right_after
        # 2. before it in its clause (from `clause[0]`: the start of its own item in an enumeration),
        # nearest first; 3. after it in its clause
        before = [i for i in hits.between(clause[0], start) if hits.ends[i] <= start]
        yield from sorted(before, key=lambda i: (-hits.ends[i], -len(hits.words[i])))
        yield from (i for i in hits.between(end, clause[1]) if i not in right_after)
        yield None
        # 4. earlier clauses of the sentence, nearest first; 5. later ones
        clause_start = clause[0] if clause_start is None else clause_start
        earlier = [i for i in hits.between(sentence[0], clause_start) if hits.ends[i] <= clause_start]
        yield from sorted(earlier, key=lambda i: (-hits.ends[i], -len(hits.words[i])))
        yield from hits.between(clause[1], sentence[1])

    def _inherited(self, hits, text, start, sentence, previous_category, metric, counted=()) -> Choice:
        """The category of what precedes the figure: the sentence's previous figure, else the
        `counted` hits (the noun right after a ratio), else the nearest earlier keyword."""
        if previous_category:
            return Choice(previous_category, metric, None, "previous figure")
        sentence_text = text[sentence[0] : sentence[1]]
        earlier = [i for i in hits.between(sentence[0], start) if hits.ends[i] <= start]
        for index in [*counted, *sorted(earlier, key=lambda i: -hits.ends[i])]:
            for rule in self.rules[hits.words[index]]:
                if rule.category != "inherit" and (
                    rule.requires == () or any(w in sentence_text for w in rule.requires)
                ):
                    return Choice(rule.category, metric, hits.words[index], "noun" if index in counted else "sentence")
        return Choice("other", metric, None, None)


_FALLBACK_METRIC = {
    "CNY": "amount",
    "USD": "amount",
    "m2": "area",
    "m": "length",
    "ton": "weight",
    "household": "households",
    "person": "people",
    "person_time": "person_times",
    "case": "cases",
    "item": "count",
    "percent": "share",
    "percentage_point": "share_change",
    "times": "events",
    "multiple": "multiple",
}
FALLBACK_METRIC_BY_UNIT = _FALLBACK_METRIC  # what a figure is called when no keyword names it (labelled too)


def _context_decides(rule: Rule, text: str, sentence_start: int, start: int) -> bool:
    """Whether the passage around the figure, rather than the rule, says what it counts."""
    if isinstance(rule.from_context, str):
        return rule.from_context in text[sentence_start:start]
    return rule.from_context


def _runs(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans (in order) with touching or overlapping ones joined.

    >>> _runs([(0, 5), (5, 9), (12, 20), (15, 18)])
    [(0, 9), (12, 20)]
    """
    runs: list[tuple[int, int]] = []
    for start, end in spans:
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs


def _delimiter_after(text: str, start: int, limit: int) -> int:
    match = _DELIMITER.search(text, start, limit)
    return match.start() if match else limit


@functools.cache
def load_lexicon(path: Path = DATA / "metrics.toml") -> Lexicon:
    """Read metrics.toml once; raise ValueError naming the file and the rule when it is malformed."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rules: dict[str, list[Rule]] = {}
    for number, entry in enumerate(data.get("rule", []), start=1):
        try:
            rule = Rule(
                category=entry["category"],
                metric=entry["metric"],
                units=frozenset(entry["units"]) if "units" in entry else None,
                raw_units=frozenset(entry["raw_units"]) if "raw_units" in entry else None,
                requires=tuple(entry.get("requires", ())),
                after=re.compile(entry["after"]) if "after" in entry else None,
                weak=bool(entry.get("weak", False)),
                from_context=entry.get("from_context", False),
            )
            keywords = entry["keywords"]
        except (KeyError, re.error) as error:
            raise ValueError(f"{path}: rule {number} is malformed: {error}") from error
        if rule.category not in (*CATEGORIES, "inherit"):
            raise ValueError(f"{path}: rule {number}: unknown category {rule.category!r} (FACTS.md lists {CATEGORIES})")
        if rule.units is not None and not rule.units <= set(UNITS):
            raise ValueError(f"{path}: rule {number}: unknown units {sorted(rule.units - set(UNITS))}")
        for keyword in keywords:
            if SENTENCE_BREAK_CHARACTERS.intersection(keyword):
                raise ValueError(f"{path}: rule {number}: keyword {keyword!r} spans a sentence break")
            rules.setdefault(keyword, []).append(rule)
    automaton = ahocorasick_rs.AhoCorasick(
        [k for k in rules if k], matchkind=ahocorasick_rs.MatchKind.Standard
    )
    contained = {
        keyword: tuple(sorted((k for k in rules if k in keyword), key=len, reverse=True)) for keyword in rules
    }
    return Lexicon(
        {k: tuple(v) for k, v in rules.items()},
        automaton,
        frozenset(data.get("named_metrics", ())),
        contained,
    )


@dataclass(frozen=True)
class FactRules:
    """Targets and non-facts, compiled from facts.toml."""

    target_words: re.Pattern
    target_not_within: tuple[str, ...]
    result_before: tuple[str, ...]
    nonfact_before: tuple[re.Pattern, ...]
    nonfact_after: tuple[re.Pattern, ...]
    any_nonfact_before: re.Pattern  # one scan for all of them; the loop then names the one
    any_nonfact_after: re.Pattern
    rank_before: re.Pattern
    rank_units: frozenset[str]
    rank_after: re.Pattern
    slogan_nouns: tuple[str, ...]
    article_one_units: frozenset[str]
    last_one_before: re.Pattern
    class_units: frozenset[str]
    quotes: re.Pattern
    slogan_noun: re.Pattern
    frequency_before: re.Pattern
    frequency_units: frozenset[str]
    reference_before: re.Pattern
    done_task: re.Pattern
    remaining_before: re.Pattern
    plan_header: re.Pattern
    size_class_after: re.Pattern
    decline_before: re.Pattern
    frame_before: re.Pattern
    signed_units: frozenset

    def is_target(
        self, text: str, start: int, sentence_start: int, unit: str, first_figure: int | None = None
    ) -> bool:
        """A plan word governs the figure: before it in its segment of the sentence (up to a ；),
        or anywhere in the sentence when it comes before the sentence's first figure
        (2016年,力争完成地区生产总值13.5亿元;财政收入突破4000万元), with no result word between."""
        return self.target_word(text, start, sentence_start, unit, first_figure) is not None

    def target_word(
        self, text: str, start: int, sentence_start: int, unit: str, first_figure: int | None = None
    ) -> str | None:
        """The plan word that governs the figure (see is_target), or None."""
        window = text[sentence_start:start]
        if self.remaining_before.search(window[-6:]):
            return None  # 剩余7户: what is left to do is reported, not planned
        segment_start = max(window.rfind("；"), window.rfind(";")) + 1
        first_figure = start - sentence_start if first_figure is None else first_figure - sentence_start
        for match in reversed(list(self.target_words.finditer(window))):
            if match.start() < segment_start and match.end() > first_figure:
                continue
            if _enclosed(window, match.start()):
                continue  # “围绕一个目标…”, 《…目标细则》: a slogan or a title, not a plan
            if self.frame_before.search(window, max(0, match.start() - 16), match.start()):
                continue  # 围绕…目标: the goal the work is framed around
            around = window[max(0, match.start() - 3) : match.end() + 3]
            if any(word in around and _covers(window, match, word) for word in self.target_not_within):
                continue
            between = window[match.end() :]
            if self.reference_before.search(window, max(0, match.start() - 4), match.start()):
                # 占目标任务2580人的108%: the plan is named as a yardstick; it is the figure right after it
                if len(between) <= 1 and "的" not in between:
                    return None if unit in ("percent", "percentage_point") else match.group()
                continue
            clause_start = max(window.rfind(mark, 0, match.start()) for mark in "，,；;。：:") + 1
            if self.done_task.search(window, clause_start, match.end()):
                return None  # 完成…任务: the task is reported as done
            if match.group().startswith("应") and any(mark in between for mark in "，,；;、"):
                continue  # 应征收面积10万余方,户数1070户: a quota verb governs its own clause
            if any(word in between for word in self.result_before):
                return None
            if unit in ("percent", "percentage_point") and "的" in between:
                return None  # 完成全年目标任务的70.7%: a completion ratio, not the target
            return match.group()
        return None

    def nonfact_reason(
        self, text: str, start: int, end: int, raw_text: str, raw_unit: str, unit: str
    ) -> str | None:
        """Why text[start:end] is not a reported figure, or None when it is one."""
        before = text[max(0, start - 12) : start]
        after = text[end : end + 8]
        if self.any_nonfact_before.search(before):
            for pattern in self.nonfact_before:
                if pattern.search(before):
                    return f"context before: {pattern.pattern}"
        if self.any_nonfact_after.search(after):
            for pattern in self.nonfact_after:
                if pattern.search(after):
                    return f"context after: {pattern.pattern}"
        if unit in ("CNY", "USD") and self.size_class_after.match(after):
            return "a size class (超亿元项目)"
        if raw_unit in self.rank_units and self.rank_before.search(before) and self.rank_after.search(after):
            return "rank"
        chinese = bool(_CHINESE_NUMERAL.match(raw_text)) and not any(c.isdigit() for c in raw_text)
        numeral = raw_text[: len(raw_text) - len(raw_unit)] if raw_text.endswith(raw_unit) else raw_text
        if chinese and numeral == "一" and raw_unit in self.article_one_units:
            return "the article 一 (a), not a count"
        if chinese and numeral == "一" and self.last_one_before.search(before):
            return "the last one (最后一公里), not a count"
        if chinese and raw_unit in self.class_units:
            return "a class or phase name (三大, 三类, 一期)"
        if unit == "item" and self.slogan_noun.match(_LEADING_NUMERAL.sub("", raw_text) + after):
            return "counts the parts of a slogan or method"
        if raw_unit in self.frequency_units and self.frequency_before.search(before):
            return "a frequency (每周两次)"
        return None


def _any_of(patterns: list[str]) -> re.Pattern:
    """One regex that matches where any of the patterns does."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)")


def _enclosed(text: str, offset: int) -> bool:
    """Whether offset lies inside an unclosed “…” or 《…》 that opened before it."""
    for opening, closing in (("“", "”"), ("《", "》")):
        if text.rfind(opening, 0, offset) > text.rfind(closing, 0, offset):
            return True
    return False


def _covers(window: str, match: re.Match, word: str) -> bool:
    """Whether an occurrence of `word` in window overlaps the target word at match."""
    for occurrence in re.finditer(re.escape(word), window):
        if occurrence.start() <= match.start() and match.end() <= occurrence.end():
            return True
    return False


@functools.cache
def load_fact_rules(path: Path = DATA / "facts.toml") -> FactRules:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        target, nonfact = data["target"], data["nonfact"]
        quote_chars = nonfact["quote_pairs"]
        limit = int(nonfact["quote_max_chars"])
        quotes = re.compile(
            "|".join(
                f"{re.escape(pair[0])}[^{re.escape(pair[1])}\\n]{{1,{limit}}}{re.escape(pair[1])}"
                for pair in quote_chars
            )
        )
        return FactRules(
            target_words=re.compile("|".join(map(re.escape, sorted(target["words"], key=len, reverse=True)))),
            target_not_within=tuple(target["not_within"]),
            result_before=tuple(target["result_before"]),
            nonfact_before=tuple(re.compile(p) for p in nonfact["before"]),
            nonfact_after=tuple(re.compile(p) for p in nonfact["after"]),
            any_nonfact_before=_any_of(nonfact["before"]),
            any_nonfact_after=_any_of(nonfact["after"]),
            rank_before=re.compile(nonfact["rank_before"]),
            rank_units=frozenset(nonfact["rank_units"]),
            rank_after=re.compile(nonfact["rank_after"]),
            slogan_nouns=tuple(nonfact["slogan_nouns"]),
            article_one_units=frozenset(nonfact["article_one_units"]),
            last_one_before=re.compile(nonfact["last_one_before"]),
            class_units=frozenset(nonfact["class_units"]),
            quotes=quotes,
            frequency_before=re.compile(nonfact["frequency_before"]),
            frequency_units=frozenset(nonfact["frequency_units"]),
            reference_before=re.compile(target["reference_before"]),
            done_task=re.compile(target["done_task"]),
            remaining_before=re.compile(target["remaining_before"]),
            plan_header=re.compile(target["plan_header"]),
            size_class_after=re.compile(nonfact["size_class_after"]),
            decline_before=re.compile(data["change"]["decline_before"]),
            frame_before=re.compile(target["frame_before"]),
            signed_units=frozenset(data["change"]["signed_units"]),
            # the counted noun, after at most a two-character modifier (重点领域, 专项整顿), ends its phrase
            slogan_noun=re.compile(
                r"^(?:(?!的)[\u4e00-\u9fff]){0,3}?(?:"
                + "|".join(map(re.escape, nonfact["slogan_nouns"]))
                + r")(?:$|[，,；;。、：:”）)]|的|作用|建设|工作|\s)"
            ),
        )
    except (KeyError, TypeError, re.error) as error:
        raise ValueError(f"{path}: malformed: {error}") from error
