"""What a figure counts: the category attributor.

Evidence is read level by level, nearest first: the noun the figure counts (19个社区), its clause,
its sentence (etl/classify.py's keyword rules), then, for a figure whose sentence says nothing,
the context it stands in: its paragraph, the heading of its section, the title. Every answer says
which word decided it and at which level (`Choice.evidence`: `clause:拆除`, `heading:征迁`).

>>> from etl.documents import Document
>>> from etl.structure import DocumentStructure
>>> text = "累计拆除违章建筑15000余平方米"
>>> structure = DocumentStructure.build(Document.from_text(text), None)
>>> span = (0, len(text))
>>> CategoryAttributor(structure).category(8, 18, "m2", "平方米", span, span).evidence
'clause:违章建筑'
"""

from __future__ import annotations

import bisect
import functools
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs

from etl.category_model import CategoryModel, Figure, FigureContext
from etl.classify import Choice, load_lexicon
from etl.schema import CATEGORIES
from etl.structure import DocumentStructure


@dataclass(frozen=True)
class TopicWords:
    """Words that say what a passage is about (etl/data/topics.toml), found in one pass."""

    automaton: ahocorasick_rs.AhoCorasick
    words: list[str]
    categories: list[str]

    def topic(self, text: str) -> tuple[str, str] | None:
        """(category, first word) that most topic words of the text name, when no other
        category is named as often.

        >>> load_topic_words().topic("全力推进征迁工作,确保按期交地")
        ('demolition', '征迁')
        >>> load_topic_words().topic("信访和拆违") is None
        True
        """
        votes: Counter[str] = Counter()
        first: dict[str, str] = {}
        for index, _, _ in self.automaton.find_matches_as_indexes(text):
            category = self.categories[index]
            votes[category] += 1
            first.setdefault(category, self.words[index])
        ranked = votes.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0], first[ranked[0][0]]


@functools.cache
def load_topic_words(path: Path = Path(__file__).parent / "data" / "topics.toml") -> TopicWords:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    words, categories = [], []
    for category, listed in data.items():
        if category not in CATEGORIES:
            raise ValueError(f"{path}: unknown category {category!r} (FACTS.md lists {CATEGORIES})")
        for word in listed:
            words.append(word)
            categories.append(category)
    automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return TopicWords(automaton, words, categories)


class CategoryAttributor:
    """The category and metric of every figure of one document (built once per document)."""

    def __init__(self, structure: DocumentStructure, model: CategoryModel | None = None):
        self.structure = structure
        self.model = model
        self.lexicon = load_lexicon()
        self.topic_words = load_topic_words()
        self._topics: dict[tuple[int, int], tuple[str, str] | None] = {}
        self._spans: dict[tuple[int, int], tuple | bool] = {}  # sentence → its figures' context spans

    def revise(self, figures: list[tuple[int, str, tuple[int, int], Choice]]) -> list[Choice]:
        """The choices of all the document's figures ((start, unit, sentence, rules' choice)), with
        the model's category where it overrides the rules' (the metric stays the rules': it names
        what is counted, whatever the field)."""
        if self.model is None:
            return [choice for *_, choice in figures]
        verdicts = self.model.revise(
            self.structure.simplified,
            [
                Figure(unit, choice.category, choice.level or "", self._context_spans(start, sentence))
                for start, unit, sentence, choice in figures
            ],
        )
        return [
            choice if verdict is None else Choice(verdict.category, choice.metric, verdict.word, "model")
            for (*_, choice), verdict in zip(figures, verdicts)
        ]

    def context(self, start: int, unit: str, sentence: tuple[int, int], choice: Choice) -> FigureContext:
        """What the model reads of the figure at start."""
        text = self.structure.simplified
        spans = self._context_spans(start, sentence)
        texts = [text[span[0] : span[1]] if span else "" for span in spans]
        return FigureContext(unit, *texts, choice.category, choice.level or "")

    def _context_spans(self, start: int, sentence: tuple[int, int]):
        """The figure's sentence, paragraph (or list item), section heading and title (None for none)."""
        found = self._spans.get(sentence)
        if found is None:
            # the same for every figure of the sentence, unless a list item or news item starts inside it
            structure = self.structure
            inside = any(
                (index := bisect.bisect_right(starts, sentence[0])) < len(starts) and starts[index] < sentence[1]
                for starts in (structure.list_item_starts, structure.item_starts)
            )
            found = self._spans[sentence] = False if inside else self._spans_at(sentence[0], sentence)
        return found or self._spans_at(start, sentence)

    def _spans_at(self, offset: int, sentence: tuple[int, int]):
        structure = self.structure
        heading = structure.heading_at(offset)
        title = structure.title
        paragraph = (structure.block_start(offset), structure.layout.paragraph_span(offset)[1])
        return (sentence, paragraph, heading if heading != title else None, title)

    def category(
        self,
        start: int,
        end: int,
        unit: str,
        raw_unit: str,
        clause: tuple[int, int],
        sentence: tuple[int, int],
        previous_category: str | None = None,
    ) -> Choice:
        """The keyword rules' choice, level by level (the docstring of this module); the model's
        comes after, for the whole document at once (`revise`)."""
        structure = self.structure
        choice = self.lexicon.choose(
            structure.hits, structure.simplified, start, end, unit, raw_unit, clause, sentence, previous_category
        )
        if choice.from_context:
            # 完成交地验收的项目5个: a count of projects is of what the projects do
            return self._from_topic(self._contexts(start, sentence), choice) or choice
        if unit == "case" and choice.category != "case_resolution" and choice.level not in ("noun", "clause"):
            # 共95件 in a report on hotline tickets: cases counted are the cases handled, whatever
            # field a sentence says they are about (老旧小区改造方面)
            found = self._from_topic(self._frames(start), choice, only="case_resolution")
            if found is not None:
                return found
        if choice.category != "other" or choice.level in ("noun", "clause"):
            return choice
        # nothing in the figure's own words: what is the text around it about?
        return self._from_topic(self._contexts(start, sentence), choice) or choice

    def _from_topic(self, spans, choice: Choice, only: str | None = None) -> Choice | None:
        """The category of the first of the (level, span) pairs whose topic words agree on one
        (on `only`, when given)."""
        for level, span in spans:
            topic = self.topic(span)
            if topic is not None and only in (None, topic[0]):
                return Choice(topic[0], choice.metric, topic[1], level)
        return None

    def _contexts(self, start: int, sentence: tuple[int, int]):
        """The spans around the figure, nearest first: sentence, the label of its paragraph
        (【概况】), paragraph (or list item), the section under its heading, the title. (The lead
        is the figure's paragraph, or says no more about a later one than the title does.)"""
        structure = self.structure
        yield "sentence", sentence
        label = structure.label_at(start)
        if label is not None:
            yield "heading", label
        yield "paragraph", (structure.block_start(start), structure.layout.paragraph_span(start)[1])
        yield from self._heading_and_title(start)

    def _frames(self, start: int):
        """The spans that frame the figure's whole passage: its section heading, the title, the
        lead."""
        yield from self._heading_and_title(start)
        structure = self.structure
        if structure.lead is not None and structure.lead[0] <= start:
            yield "lead", structure.lead

    def _heading_and_title(self, start: int):
        structure = self.structure
        heading = structure.heading_at(start)
        if heading is not None and heading != structure.title:
            yield "heading", heading
        if structure.title is not None:
            yield "title", structure.title

    def topic(self, span: tuple[int, int]) -> tuple[str, str] | None:
        """(category, word) that the topic words of the span agree on, if they do."""
        if span not in self._topics:
            self._topics[span] = self.topic_words.topic(self.structure.simplified[span[0] : span[1]])
        return self._topics[span]
