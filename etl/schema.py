"""The contract of the two output tables (see FACTS.md): typed records and their Arrow schemas.

Every stage hands the next one of these records; the table writer turns them into Parquet with
exactly these schemas, so a column is always present with its type even when its value is null.

>>> [f.name for f in FACT_SCHEMA][:4]
['fact_id', 'doc_id', 'source', 'outlet']
>>> fact_id("d1", 3, 6)
'327f0fda26b2eebb'
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pyarrow as pa

CATEGORIES = (
    "investment",
    "fiscal",
    "demolition",
    "case_resolution",
    "employment",
    "welfare",
    "urban_management",
    "party_building",
    "profile",
    "other",
)
UNITS = (
    "CNY",
    "USD",
    "m2",
    "m",
    "ton",
    "household",
    "person",
    "person_time",
    "case",
    "item",
    "percent",
    "percentage_point",
    "times",
    "multiple",
)
QUALIFIERS = ("exact", "approx", "more_than", "nearly", "less_than")
LEVELS = ("city", "district", "subdistrict", "township", "community")
DOCUMENT_STATUSES = ("ok", "empty", "error", "skipped")


def stable_hash(*parts: object, length: int = 16) -> str:
    """A short hex digest of the parts, stable across runs and machines."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return digest.hexdigest()[:length]


def doc_id_for(text: str) -> str:
    """The stable id of a document: a hash of its decoded text."""
    return stable_hash(text)


def fact_id(doc_id: str, char_start: int, char_end: int, source: str = "") -> str:
    """The stable id of a fact: a hash of its document, span and source (the same article in two
    files, a repost, gives two rows that must not share an id)."""
    return stable_hash(doc_id, char_start, char_end, source) if source else stable_hash(doc_id, char_start, char_end)


@dataclass(slots=True)
class Fact:
    """One reported figure: one row of facts.parquet (columns as in FACTS.md).

    (Not frozen, like the other records built per figure or mention: a frozen dataclass pays
    about 0.1 µs a field to be built, and this one took 3.7 µs against 0.8, a tenth of the fact
    stage. Records are still treated as values: stages copy them with dataclasses.replace.)"""

    fact_id: str
    doc_id: str
    source: str
    value: float
    unit: str
    raw_text: str
    qualifier: str
    category: str
    metric: str
    level: str
    is_target: bool
    sentence: str
    char_start: int
    char_end: int
    outlet: str | None = None
    published: dt.date | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    admin_code: str | None = None
    year: int | None = None
    period_text: str | None = None
    sentence_offset: int | None = None  # where raw_text starts in sentence
    category_evidence: str | None = None  # the word and the level that decided category: `clause:拆除`
    place_evidence: str | None = None  # the mention or scope that gave the place: `sentence:长沙街道`
    # An analyst's decision (etl/reviews.py): the machine's own facts are "auto" with no auto_* values.
    review: str = "auto"
    corrected_fields: list[str] | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    auto_category: str | None = None
    auto_metric: str | None = None
    auto_subdistrict: str | None = None
    auto_year: int | None = None
    auto_is_target: bool | None = None
    auto_qualifier: str | None = None
    auto_level: str | None = None
    auto_admin_code: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """What happened to one input file: one row of documents.parquet."""

    source: str
    status: str
    doc_id: str | None = None
    size: int | None = None
    encoding: str | None = None
    content_hash: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    n_facts: int = 0
    error: str | None = None
    warning: str | None = None
    duplicate_of: str | None = None  # the source of an earlier row with the same text (a repost)


FACT_SCHEMA = pa.schema(
    [
        pa.field("fact_id", pa.string(), nullable=False),
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("outlet", pa.string()),
        pa.field("published", pa.date32()),
        pa.field("province", pa.string()),
        pa.field("city", pa.string()),
        pa.field("district", pa.string()),
        pa.field("subdistrict", pa.string()),
        pa.field("admin_code", pa.string()),
        pa.field("level", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("metric", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("unit", pa.string(), nullable=False),
        pa.field("raw_text", pa.string(), nullable=False),
        pa.field("qualifier", pa.string(), nullable=False),
        pa.field("is_target", pa.bool_(), nullable=False),
        pa.field("year", pa.int32()),
        pa.field("period_text", pa.string()),
        pa.field("sentence", pa.string(), nullable=False),
        pa.field("sentence_offset", pa.int32()),
        pa.field("char_start", pa.int64(), nullable=False),
        pa.field("char_end", pa.int64(), nullable=False),
        pa.field("category_evidence", pa.string()),
        pa.field("place_evidence", pa.string()),
        # review: auto, confirmed, corrected, added, rejected; corrected_fields names the auto_*
        # columns that hold the machine's value of a field the analyst changed (see etl/reviews.py)
        pa.field("review", pa.string()),  # null (as in a table built by hand) is auto
        pa.field("corrected_fields", pa.list_(pa.string())),
        pa.field("reviewed_by", pa.string()),
        pa.field("reviewed_at", pa.string()),
        pa.field("auto_category", pa.string()),
        pa.field("auto_metric", pa.string()),
        pa.field("auto_subdistrict", pa.string()),
        pa.field("auto_year", pa.int32()),
        pa.field("auto_is_target", pa.bool_()),
        pa.field("auto_qualifier", pa.string()),
        pa.field("auto_level", pa.string()),
        pa.field("auto_admin_code", pa.string()),
    ]
)

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),
        pa.field("size", pa.int64()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("n_facts", pa.int64(), nullable=False),
        pa.field("encoding", pa.string()),
        pa.field("content_hash", pa.string()),
        pa.field("title", pa.string()),
        pa.field("outlet", pa.string()),
        pa.field("published", pa.date32()),
        pa.field("url", pa.string()),
        pa.field("warning", pa.string()),
        pa.field("duplicate_of", pa.string()),
    ]
)


def records_to_table(records: list, schema: pa.Schema) -> pa.Table:
    """Arrow table of dataclass records, columns in schema order, read attribute by attribute
    (dataclasses.asdict deep-copies every value and costs more than the extraction of a short
    article).

    >>> records_to_table([DocumentRecord("a.txt", "empty")], DOCUMENT_SCHEMA).column("status").to_pylist()
    ['empty']
    """
    return pa.Table.from_pydict(
        {name: [getattr(record, name) for record in records] for name in schema.names}, schema=schema
    )
