"""The layout of an article, computed once: lines, headers, paragraphs, sentences and clauses.

Everything downstream asks "which sentence / clause / paragraph holds offset i?" by bisecting
these sorted boundary lists, so no quantity ever rescans the document.

A printed page often breaks a paragraph across lines (and blank lines) mid-sentence; a long line
that does not end in punctuation continues on the next non-empty line. A short line without
closing punctuation is a header (a title, a section head, a place line in a news roundup).

>>> layout = Layout.of("西大街街道\\n\\n前三季度,GDP完成4亿元。同比增长5.8%")
>>> layout.is_header_line(0), layout.sentence_span(18)
(True, (7, 21))
>>> layout.clause_span(18)
(12, 21)
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs
import numpy as np

HEADER_MAX_CHARS = 34
# A sentence longer than this (the longest in our articles is under 300 characters) is cut at its
# clause ends: every figure stores its sentence, and the fact stage rescans it per figure, so an
# unbounded sentence makes both quadratic in its length.
MAX_SENTENCE_CHARS = 400
# A page-wrapped paragraph line is long; headers and captions are short.
WRAPPED_LINE_MIN_CHARS = 40
_SENTENCE_END = "。！？!?"
# The characters on either side of a sentence boundary: a word holding none of them never spans two
# sentences (sentence punctuation, closing quotes, line breaks).
SENTENCE_BREAK_CHARACTERS = frozenset(_SENTENCE_END + "”」\n")
_LINE_CLOSERS = "。！？!?；;：:，,”」）)…"
_CLAUSE_DELIMITERS = "，,；;：:。！？!?\n"
_CLOSING_QUOTES = "”」"  # a closing quote right after a sentence's end belongs to that sentence


def _opencc_dictionary(name: str) -> dict[str, list[str]]:
    """An OpenCC dictionary file as {traditional: [simplified choices, the default first]}."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / name
    entries = {}
    for line in path.read_text("utf-8").splitlines():
        traditional, _, candidates = line.partition("\t")
        if candidates:
            entries[traditional] = candidates.split(" ")
    return entries


def _one_to_one(name: str) -> dict[str, list[str]]:
    """The entries of an OpenCC dictionary whose default keeps the length (so offsets hold)."""
    return {t: choices for t, choices in _opencc_dictionary(name).items() if len(t) == len(choices[0])}


@functools.cache
def _character_table() -> dict[int, int]:
    """OpenCC's Traditional → Simplified characters, each to its default (乾 → 干, 於 → 于)."""
    return {ord(t): ord(choices[0]) for t, choices in _one_to_one("TSCharacters.txt").items() if len(t) == 1}


@functools.cache
def _traditional_matcher() -> ahocorasick_rs.AhoCorasick:
    """Finds characters written only in Traditional text (乾, 於, 著 are Simplified too: they do not count)."""
    only_traditional = [
        t for t, choices in _one_to_one("TSCharacters.txt").items() if len(t) == 1 and t not in choices
    ]
    return ahocorasick_rs.AhoCorasick(only_traditional)


@functools.cache
def _phrase_matcher() -> tuple[ahocorasick_rs.AhoCorasick, list[str]]:
    """OpenCC's phrase exceptions (乾隆 stays 乾隆), longest match first."""
    phrases = {t: choices[0] for t, choices in _one_to_one("TSPhrases.txt").items() if len(t) > 1}
    return (
        ahocorasick_rs.AhoCorasick(list(phrases), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest),
        list(phrases.values()),
    )


def simplified_view(text: str) -> str:
    """The text in simplified characters, offset for offset (keywords are matched on this view).

    A text without any Traditional-only character is returned as it is (one Aho-Corasick scan). Otherwise
    it is converted as OpenCC's t2s does (its phrase table first, longest match, then its character
    table), keeping only the entries that keep the length, so that offsets always hold.

    >>> simplified_view("拆遷違章建築15000餘平方米")
    '拆迁违章建筑15000余平方米'
    >>> simplified_view("乾隆年間，於是乾淨")
    '乾隆年间，于是干净'
    >>> text = "办结率达99.22%"
    >>> simplified_view(text) is text
    True
    """
    if not _traditional_matcher().find_matches_as_indexes(text):
        return text
    matcher, replacements = _phrase_matcher()
    pieces, position = [], 0
    for index, start, end in matcher.find_matches_as_indexes(text):
        pieces.append(text[position:start].translate(_character_table()))
        pieces.append(replacements[index])
        position = end
    pieces.append(text[position:].translate(_character_table()))
    return "".join(pieces)


# What each character of the Basic Multilingual Plane (where every delimiter lies) delimits, as bits.
_ENDS_CLAUSE, _ENDS_SENTENCE, _CLOSES_QUOTE = 1, 2, 4


@functools.cache
def _delimiter_kinds() -> np.ndarray:
    kinds = np.zeros(0x10000, dtype=np.uint8)
    for characters, bit in (
        (_CLAUSE_DELIMITERS, _ENDS_CLAUSE),
        (_SENTENCE_END, _ENDS_SENTENCE),
        (_CLOSING_QUOTES, _CLOSES_QUOTE),
    ):
        for character in characters:
            kinds[ord(character)] |= bit
    return kinds


def _delimiter_ends(text: str) -> tuple[list[int], list[int]]:
    """Where each clause ends (after every clause delimiter) and where each sentence ends (after a
    run of sentence punctuation, and the closing quote right after it), in order.

    (One table lookup over the text's code points, in place of two regex scans that test a
    character class at every offset and build a match object per delimiter.)

    >>> _delimiter_ends("好！？”他说，行。")
    ([2, 3, 7, 9], [4, 9])
    """
    # (a character beyond the plane is read as U+FFFF, which delimits nothing; a NUL closes the text)
    codes = np.frombuffer((text + "\0").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = _delimiter_kinds().take(codes, mode="clip")
    clause_ends = np.flatnonzero(kinds & _ENDS_CLAUSE) + 1
    ends_sentence = (kinds & _ENDS_SENTENCE) != 0
    sentence_ends = np.flatnonzero(ends_sentence[:-1] & ~ends_sentence[1:]) + 1  # after each run
    sentence_ends += (kinds[sentence_ends] & _CLOSES_QUOTE) != 0
    return clause_ends.tolist(), sentence_ends.tolist()


def _cuts_of_long_sentences(sentence_starts: list[int], clause_ends: list[int], length: int) -> list[int]:
    """Where sentences longer than MAX_SENTENCE_CHARS are cut: at the last clause end within the
    limit, else at the limit.

    >>> _cuts_of_long_sentences([0], [300, 600, 900], 1000)
    [300, 600]
    >>> _cuts_of_long_sentences([0, 10], [], 1000)
    [410, 810]
    """
    cuts = []
    for start, end in zip(sentence_starts, [*sentence_starts[1:], length]):
        position = start
        while end - position > MAX_SENTENCE_CHARS:
            limit = position + MAX_SENTENCE_CHARS
            index = bisect.bisect_right(clause_ends, limit) - 1
            cut = clause_ends[index] if index >= 0 and clause_ends[index] > position else limit
            cuts.append(cut)
            position = cut
    return cuts


def _spans_by_position(starts: list[int], length: int) -> tuple[tuple[int, int], ...]:
    """The span each position among sorted starts stands for: from 0 to the first start, from
    each start to the next one, from the last one to the end of the text.

    >>> _spans_by_position([3, 7], 10)
    ((0, 3), (3, 7), (7, 10))
    >>> _spans_by_position([], 10)
    ((0, 10),)
    """
    return ((0, starts[0] if starts else length), *zip(starts, [*starts[1:], length]))


@dataclass(frozen=True, slots=True)
class Layout:
    """Sorted boundary offsets of one text's lines, paragraphs, sentences and clauses."""

    text: str
    line_starts: tuple[int, ...]
    line_ends: tuple[int, ...]
    header_lines: frozenset[int]  # indexes into line_starts
    paragraph_starts: tuple[int, ...]
    sentence_starts: tuple[int, ...]
    clause_starts: tuple[int, ...]
    # The span that holds an offset, by where the offset falls among the starts (bisect_right):
    # the attributors ask tens of times per figure, so each span is built once.
    sentence_spans: tuple[tuple[int, int], ...]
    paragraph_spans: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, text: str) -> Layout:
        line_starts, line_ends = [], []
        headers = set()
        paragraph_starts = []
        position = 0
        continues = False  # the previous non-empty line runs on into this one
        for index, line in enumerate(text.split("\n")):
            start = position
            position += len(line)
            line_starts.append(start)
            line_ends.append(position)
            position += 1
            stripped = line.strip()
            if not stripped:
                continue
            if not continues:
                paragraph_starts.append(start)
                if len(stripped) <= HEADER_MAX_CHARS and stripped[-1] not in _LINE_CLOSERS:
                    headers.add(index)
            continues = len(stripped) >= WRAPPED_LINE_MIN_CHARS and stripped[-1] not in _LINE_CLOSERS
        clause_ends, sentence_ends = _delimiter_ends(text)
        sentence_starts = {0}
        sentence_starts.update(sentence_ends)
        sentence_starts.update(paragraph_starts)
        for index in headers:  # a header is its own sentence
            sentence_starts.add(line_starts[index])
            sentence_starts.add(line_ends[index])
        sorted_sentence_starts = sorted(sentence_starts)
        cuts = _cuts_of_long_sentences(sorted_sentence_starts, clause_ends, len(text))
        if cuts:
            sentence_starts.update(cuts)
            sorted_sentence_starts = sorted(sentence_starts)
        clause_starts = set(sentence_starts)
        clause_starts.update(clause_ends)
        return cls(
            text,
            tuple(line_starts),
            tuple(line_ends),
            frozenset(headers),
            tuple(paragraph_starts),
            tuple(sorted_sentence_starts),
            tuple(sorted(clause_starts)),
            _spans_by_position(sorted_sentence_starts, len(text)),
            _spans_by_position(paragraph_starts, len(text)),
        )

    def line_index(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset) - 1

    def is_header_line(self, index: int) -> bool:
        return index in self.header_lines

    def line_text(self, index: int) -> str:
        return self.text[self.line_starts[index] : self.line_ends[index]]

    def sentence_span(self, offset: int) -> tuple[int, int]:
        return self.sentence_spans[bisect.bisect_right(self.sentence_starts, offset)]

    def clause_span(self, offset: int) -> tuple[int, int]:
        # (clauses outnumber the figures that ask for theirs: no table of spans here)
        starts = self.clause_starts
        index = bisect.bisect_right(starts, offset)
        return (starts[index - 1] if index else 0, starts[index] if index < len(starts) else len(self.text))

    def paragraph_span(self, offset: int) -> tuple[int, int]:
        return self.paragraph_spans[bisect.bisect_right(self.paragraph_starts, offset)]

    def sentence_text(self, offset: int) -> str:
        start, end = self.sentence_span(offset)
        return re.sub(r"\s*\n\s*", "", self.text[start:end]).strip()
