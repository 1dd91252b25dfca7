"""A linear model of what a figure counts, read beside the keyword rules.

The rules (etl/classify.py, etl/attribute_category.py) go by the nearest keyword. The model reads
the figure's whole context at once: the character pairs of its sentence, of its paragraph (or
list item), of its section heading and of the title, with its unit and what the rules chose
(category and the level of their evidence). It is a multinomial logistic regression trained by
`scripts/train_category_model.py` (fixed seed, cross-validated by document, which also chose how
model and rules are joined) and committed as `etl/data/category_model.json`; reading it needs
numpy alone.

Where it disagrees with the rules and is sure enough (the committed threshold), its category
wins, and the evidence names the pair of Chinese characters of the context that weighed most for
it, at level `model` (`model:改造`).

>>> from etl.documents import Document
>>> from etl.facts import extract_facts
>>> text = "老旧小区改造\\n今年街道完成8个老旧小区改造，增设停车棚12个，受益群众5000余人。"
>>> [(f.raw_text, f.category, f.category_evidence) for f in extract_facts(Document.from_text(text))][1]
('12个', 'urban_management', 'model:改造')
>>> [(f.raw_text, f.category, f.category_evidence) for f in extract_facts(Document.from_text(text), None)][1]
('12个', 'other', 'clause:车棚')
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).parent / "data" / "category_model.json"
LEVELS = ("s", "p", "h", "t")  # the context texts' prefixes: sentence, paragraph, heading, title
_BMP = 0x10000  # pairs of characters beyond the Basic Multilingual Plane are not weighed


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


def local_features(unit: str, rule_category: str, rule_level: str) -> tuple[str, ...]:
    """Features of the figure itself: its unit and the rules' choice."""
    return (f"u:{unit}", f"r:{rule_category}", f"l:{rule_category}/{rule_level}")


def context_features(prefix: str, text: str) -> set[str]:
    """The character pairs of a context text (each once), as features of its level.

    >>> sorted(context_features("h", "征迁征迁"))
    ['h:征迁', 'h:迁征']
    """
    return {f"{prefix}:{text[i : i + 2]}" for i in range(len(text) - 1) if not text[i : i + 2].isspace()}


@dataclass(frozen=True, slots=True)
class FigureContext:
    """What the model reads of one figure: texts in simplified characters ('' for none)."""

    unit: str
    sentence: str
    paragraph: str  # its paragraph, or its item of a list (一是…)
    heading: str  # the heading of its section, when it is not the title
    title: str
    rule_category: str
    rule_level: str  # '' when no keyword decided

    def texts(self) -> tuple[str, str, str, str]:
        return (self.sentence, self.paragraph, self.heading, self.title)

    def features(self) -> set[str]:
        """Every feature the model reads of the figure (as training reads them)."""
        found = set(local_features(self.unit, self.rule_category, self.rule_level))
        for prefix, text in zip(LEVELS, self.texts()):
            found.update(context_features(prefix, text))
        return found


# not frozen: built per figure or mention (the cost of frozen: etl/schema.py, Fact)
@dataclass(slots=True)
class Verdict:
    category: str
    probability: float
    word: str  # the pair of characters that weighed most for the category (改造)


Span = tuple[int, int]


# not frozen: built per figure or mention (the cost of frozen: etl/schema.py, Fact)
@dataclass(slots=True)
class Figure:
    """One figure as the model reads it: its unit, the rules' choice, and the spans of its
    context texts in the document (sentence, paragraph, heading, title; None for none)."""

    unit: str
    rule_category: str
    rule_level: str
    spans: tuple[Span | None, Span | None, Span | None, Span | None]


class CategoryModel:
    """Weights per feature and category, as `scripts/train_category_model.py` writes them."""

    def __init__(
        self,
        classes: list[str],
        bias: list[float],
        weights: dict[str, list[float]],
        threshold: float,
        kept_levels: Iterable[str],
        settings: dict | None = None,
    ):
        self.classes = classes
        self.bias = bias
        self.weights = weights
        self.threshold = threshold  # the probability from which the model overrides the rules
        self.kept_levels = frozenset(kept_levels)  # levels of the rules' evidence never overridden
        self.settings = settings or {}  # how it was trained (variant, C, seed …), for the record
        self._zero = (0.0,) * len(classes)
        self._local: dict[tuple[str, str, str], tuple[float, ...]] = {}
        # Every pair of characters the model weighs, at any level. A text's pairs are looked up all
        # at once (`_pair_at`): each character to its number among the pairs' characters, each
        # two numbers to the pair's index.
        self._pairs = sorted({feature[2:] for feature in weights if feature[1] == ":" and feature[0] in LEVELS})
        characters = sorted({character for pair in self._pairs for character in pair})
        self._character_number = np.zeros(_BMP, dtype=np.int32)  # 0: a character of no pair
        for number, character in enumerate(characters, start=1):
            if ord(character) < _BMP:
                self._character_number[ord(character)] = number
        self._pair_index = np.full((len(characters) + 1, len(characters) + 1), -1, dtype=np.int32)
        for index, pair in enumerate(self._pairs):
            if max(map(ord, pair)) < _BMP:
                first, second = (self._character_number[ord(c)] for c in pair)
                self._pair_index[first, second] = index
        self._matrices = [
            np.array([weights.get(f"{prefix}:{pair}", self._zero) for pair in self._pairs], dtype=np.float64).reshape(
                len(self._pairs), len(classes)
            )
            for prefix in LEVELS
        ]
        self._worded = np.array([all(_is_han(c) for c in pair) for pair in self._pairs], dtype=bool)
        self._by_level_and_pair = np.vstack(self._matrices)  # (level, pair) × category
        self._class_index = {name: index for index, name in enumerate(classes)}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> CategoryModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            classes, bias, weights = data["classes"], data["bias"], data["weights"]
            threshold, kept_levels = float(data["threshold"]), data["kept_levels"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a category model ({error})") from error
        width = len(classes)
        if len(bias) != width or any(len(row) != width for row in weights.values()):
            raise ValueError(f"{path}: the bias and every row of weights needs {width} values, one per class")
        return cls(classes, bias, weights, threshold, kept_levels, data.get("settings"))

    def to_json(self) -> str:
        return json.dumps(
            {
                "classes": self.classes,
                "bias": self.bias,
                "threshold": self.threshold,
                "kept_levels": sorted(self.kept_levels),
                "settings": self.settings,
                "weights": self.weights,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    def probabilities(self, context: FigureContext) -> dict[str, float]:
        """Every category's probability, from the features as training reads them (for tests
        and training; documents are read by `revise`, all figures at once)."""
        scores = np.array(self.bias)
        for feature in context.features():
            scores += np.array(self.weights.get(feature, self._zero))
        exponentials = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exponentials / exponentials.sum()).tolist()))

    def revise(self, text: str, figures: list[Figure]) -> list[Verdict | None]:
        """The model's answer for every figure of a document (text: its simplified view); None
        where the rules' answer stands: their evidence is at a kept level, the model agrees, or
        it is not sure enough to disagree.

        The pairs the model weighs are found in the whole text once; each distinct context
        (a level and its span: figures share sentences, paragraphs, headings) is summed once."""
        if not figures:
            return []
        row_of: dict[tuple[int, Span], int] = {}  # (level, span) → its row
        rows_of: dict[tuple, list[int]] = {}  # figures of one sentence share their spans
        for spans in {f.spans: None for f in figures}:
            rows_of[spans] = [row_of.setdefault((level, span), len(row_of)) for level, span in enumerate(spans)]
        rows = np.array([rows_of[f.spans] for f in figures])
        present = self._present(self._pair_at(text), list(row_of))
        scores = np.array([self.local(f.unit, f.rule_category, f.rule_level) for f in figures])
        scores += self._sums(present, [level for level, _ in row_of])[rows].sum(axis=1)
        best = scores.argmax(axis=1)
        exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
        probability = exponentials.max(axis=1) / exponentials.sum(axis=1)
        rule = np.array([self._class_index.get(f.rule_category, -1) for f in figures])
        verdicts: list[Verdict | None] = [None] * len(figures)
        for index in np.flatnonzero((best != rule) & (probability >= self.threshold)):
            if figures[index].rule_level not in self.kept_levels:
                word = self._weightiest(present, rows[index], best[index])
                verdicts[index] = Verdict(self.classes[best[index]], float(probability[index]), word)
        return verdicts

    def _pair_at(self, text: str) -> np.ndarray:
        """For each position of the text, the index of the pair of characters starting there
        among the model's pairs, or -1."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        numbers = self._character_number[np.minimum(codes, _BMP - 1)]
        numbers[codes >= _BMP] = 0
        return self._pair_index[numbers[:-1], numbers[1:]]

    def _present(self, pair_at: np.ndarray, contexts: list[tuple[int, Span | None]]) -> np.ndarray:
        """Which of the model's pairs lie inside each (level, span) (context × pair, each once)."""
        pieces = [pair_at[span[0] : span[1] - 1] if span else pair_at[:0] for _, span in contexts]
        found = np.concatenate(pieces)
        labels = np.repeat(np.arange(len(contexts)), [len(piece) for piece in pieces])
        weighed = found >= 0
        present = np.zeros((len(contexts), len(self._pairs)), dtype=bool)
        present[labels[weighed], found[weighed]] = True
        return present

    def _sums(self, present: np.ndarray, levels: list[int]) -> np.ndarray:
        """For each context, the weights at its level of the pairs present in it, summed (context ×
        category). Cumulative sums, no matrix product: BLAS would start threads for it, which on
        a busy machine costs more than the sum."""
        contexts, pairs = np.nonzero(present)  # ordered by context
        weights = self._by_level_and_pair[np.asarray(levels)[contexts] * len(self._pairs) + pairs]
        cumulative = np.zeros((len(weights) + 1, len(self.classes)))
        np.cumsum(weights, axis=0, out=cumulative[1:])
        ends = np.cumsum(np.bincount(contexts, minlength=len(present)))
        return cumulative[ends] - cumulative[np.concatenate(([0], ends[:-1]))]

    def _weightiest(self, present: np.ndarray, rows: np.ndarray, category: int) -> str:
        """The pair of characters that weighs most for the category in a figure's contexts (its
        rows of `present`, one per level): of two Chinese characters where there is one (改造
        says more to a reader than 12 or 至目)."""
        pairs = [np.flatnonzero(present[row]) for row in rows]
        worded = [found[self._worded[found]] for found in pairs]
        if any(len(found) for found in worded):
            pairs = worded
        weighed = [
            (-float(matrix[pair, category]), self._pairs[pair])
            for matrix, found in zip(self._matrices, pairs)
            if len(found)
            for pair in [found[np.argmax(matrix[found, category])]]
        ]
        return min(weighed, default=(0.0, ""))[1]

    def local(self, unit: str, rule_category: str, rule_level: str) -> tuple[float, ...]:
        """The bias plus the weights of the figure's own features (few combinations: kept)."""
        key = (unit, rule_category, rule_level)
        found = self._local.get(key)
        if found is None:
            rows = [self.weights.get(f, self._zero) for f in local_features(*key)]
            found = self._local[key] = tuple(map(sum, zip(self.bias, *rows)))
        return found


@functools.cache
def committed_model() -> CategoryModel:
    return CategoryModel.load()
