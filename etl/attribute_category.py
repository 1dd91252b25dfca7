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

from etl.classify import Choice, load_lexicon
from etl.structure import DocumentStructure


class CategoryAttributor:
    """The category and metric of every figure of one document (built once per document)."""

    def __init__(self, structure: DocumentStructure):
        self.structure = structure
        self.lexicon = load_lexicon()

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
        structure = self.structure
        return self.lexicon.choose(
            structure.hits, structure.simplified, start, end, unit, raw_unit, clause, sentence, previous_category
        )
