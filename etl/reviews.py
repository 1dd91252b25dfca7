"""The analysts' decisions about facts: an append-only log beside the tables, applied on every run.

DATA/reviews.jsonl holds one decision a line: who, when, which fact (its document's hash, its
span and the span's text), the values before and after. Nothing in it is ever rewritten: the
latest decision on a fact wins, and an undo is a decision too (it takes back the one before it).
Writers append under an exclusive file lock, so two browser tabs or a tab and a spreadsheet batch
lose nothing.

`govstats etl` applies the log after extraction (ReviewBook.apply, batch by batch): facts.parquet
gets `review` (auto, confirmed, corrected, added, rejected), the machine's values in the auto_*
columns where the analyst changed them, and the facts the analyst added. A decision whose
document changed (its hash is not in the run), or whose span no longer holds its figure, is not
applied: it is an orphan, counted in the run's closing line and listed by `govstats review --orphans`.

>>> book = ReviewBook([Decision.made("reject", {"doc_id": "d1", "char_start": 3, "char_end": 6,
...     "raw_text": "19个", "source": "a.txt", "fact_id": "f"}, by="ana")])
>>> book.effective[("d1", 3, 6)].action
'reject'
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import getpass
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.schema import CATEGORIES, FACT_SCHEMA, QUALIFIERS, DocumentRecord

REVIEWS_FILE = "reviews.jsonl"
LOCK_FILE = ".reviews.lock"
FACTS_FILE, DOCUMENTS_FILE = "facts.parquet", "documents.parquet"
ACTIONS = ("confirm", "correct", "reject", "add", "undo")
REVIEW_STATES = ("auto", "confirmed", "corrected", "added", "rejected")
EDITABLE_FIELDS = ("category", "metric", "subdistrict", "year", "is_target", "qualifier")
DERIVED_FIELDS = ("level", "admin_code")  # follow the subdistrict
AUTO_COLUMNS = tuple(f"auto_{name}" for name in (*EDITABLE_FIELDS, *DERIVED_FIELDS))
# What an added fact carries besides the editable fields: where it is and what it says.
ADDED_FIELDS = (
    "fact_id", "doc_id", "source", "outlet", "published", "province", "city", "district", "subdistrict",
    "admin_code", "level", "category", "metric", "value", "unit", "raw_text", "qualifier", "is_target",
    "year", "period_text", "sentence", "sentence_offset", "char_start", "char_end",
)  # fmt: skip
Key = tuple[str, int, int]  # (doc_id, char_start, char_end)


def default_reviewer() -> str:
    """The OS user's name (what a decision records when no name was set)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


@dataclass(frozen=True)
class Decision:
    """One line of reviews.jsonl.

    `old` holds the fact's editable values as the analyst saw them; `new` the values decided
    (confirm, correct), or every column of the fact added (add); reject and undo need neither.
    """

    action: str
    doc_id: str
    char_start: int
    char_end: int
    raw_text: str
    source: str
    fact_id: str
    by: str
    at: str
    id: str = ""
    old: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.doc_id, self.char_start, self.char_end)

    @classmethod
    def made(
        cls,
        action: str,
        fact: dict,
        *,
        by: str | None = None,
        old: dict | None = None,
        new: dict | None = None,
    ) -> Decision:
        """A decision taken now about `fact` (a row of facts.parquet, or the fact being added)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown review action {action!r} (one of {', '.join(ACTIONS)})")
        return cls(
            action=action,
            doc_id=str(fact["doc_id"]),
            char_start=int(fact["char_start"]),
            char_end=int(fact["char_end"]),
            raw_text=str(fact["raw_text"]),
            source=str(fact["source"]),
            fact_id=str(fact["fact_id"]),
            by=by or default_reviewer(),
            at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            id=uuid.uuid4().hex,
            old=_plain(old or {}),
            new=_plain(new or {}),
        )

    def as_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> Decision:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in data and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]  # fmt: skip
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        if data["action"] not in ACTIONS:
            raise ValueError(f"unknown action {data['action']!r}")
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in known})


def _plain(values: dict) -> dict:
    """JSON-ready values: dates as ISO text, numpy scalars as Python ones."""
    plain = {}
    for name, value in values.items():
        if isinstance(value, dt.datetime):  # a date read back by pandas is a Timestamp at midnight
            value = value.date().isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        plain[name] = value
    return plain


@contextlib.contextmanager
def _locked(path: Path, mode: int = fcntl.LOCK_EX) -> Iterator[None]:
    """Hold an advisory lock on `path` (created when missing) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append_decisions(data_dir: Path, decisions: Iterable[Decision]) -> int:
    """Append decisions to DATA/reviews.jsonl in one locked write; returns how many."""
    lines = "".join(decision.as_json() + "\n" for decision in decisions)
    if not lines:
        return 0
    path = Path(data_dir) / REVIEWS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return lines.count("\n")


def read_decisions(data_dir: Path) -> tuple[list[Decision], list[str]]:
    """Every decision in DATA/reviews.jsonl in the order written, and a problem per unreadable line
    (naming the file and line); a missing log is an empty one."""
    path = Path(data_dir) / REVIEWS_FILE
    decisions, problems = [], []
    if not path.exists():
        return [], []
    with open(path, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    decisions.append(Decision.from_json(line))
                except (ValueError, TypeError) as error:
                    problems.append(f"{path}:{number}: not a review decision ({error})")
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return decisions, problems


@dataclass(frozen=True)
class Orphan:
    """A decision the tables could not take: its document changed, left, or lost the figure."""

    decision: Decision
    reason: str


def _states(decisions: Iterable[Decision]) -> dict[Key, Decision]:
    """The decision in force per fact: the latest, an undo taking back the one before it. A fact
    the analyst added and then rejected is simply gone (until that reject is undone)."""
    stacks: dict[Key, list[Decision]] = defaultdict(list)
    for decision in decisions:
        stack = stacks[decision.key]
        if decision.action == "undo":
            if stack:
                stack.pop()
        else:
            stack.append(decision)
    effective = {}
    for key, stack in stacks.items():
        if not stack:
            continue
        added = [d for d in stack if d.action == "add"]
        if added and stack[-1].action == "reject":
            continue
        effective[key] = added[-1] if added else stack[-1]  # a confirm of an added fact keeps it added
    return effective


def machine_row(row: dict) -> dict | None:
    """The fact as the extractor made it (a reviewed row with the analyst's changes taken back),
    or None for a row the analyst added."""
    review = row.get("review") or "auto"
    if review == "added":
        return None
    if review == "auto":
        return row
    machine = dict(row)
    for name in row.get("corrected_fields") or ():
        machine[name] = row.get(f"auto_{name}")
    machine.update({"review": "auto", "corrected_fields": None, "reviewed_by": None, "reviewed_at": None})
    machine.update(dict.fromkeys(AUTO_COLUMNS))
    return machine


def reviewed_row(machine: dict, decision: Decision) -> dict:
    """A machine row with a decision applied (the review column says which)."""
    row = dict(machine)
    row["reviewed_by"], row["reviewed_at"] = decision.by, decision.at
    if decision.action == "reject":
        row["review"] = "rejected"
        return row
    changed = []
    for name in (*EDITABLE_FIELDS, *DERIVED_FIELDS):
        if name in decision.new and decision.new[name] != machine.get(name):
            changed.append(name)
            row[f"auto_{name}"] = machine.get(name)
            row[name] = decision.new[name]
    row["corrected_fields"] = changed or None
    row["review"] = "corrected" if changed else "confirmed"
    return row


def added_row(decision: Decision) -> dict:
    """The row of a fact the analyst added (its values as decided)."""
    row = {name: decision.new.get(name) for name in ADDED_FIELDS}
    if isinstance(row["published"], str):
        row["published"] = dt.date.fromisoformat(row["published"])
    row.update(review="added", reviewed_by=decision.by, reviewed_at=decision.at, corrected_fields=None)
    return row


class ReviewBook:
    """The decisions in force, applied to the tables batch by batch; what could not be applied is
    known at the end (orphans)."""

    def __init__(self, decisions: Iterable[Decision], problems: list[str] | None = None):
        self.effective = _states(decisions)
        self.problems = problems or []
        self.by_doc: dict[str, list[Decision]] = defaultdict(list)
        for decision in self.effective.values():
            self.by_doc[decision.doc_id].append(decision)
        self.applied: set[Key] = set()
        self.unmatched: dict[Key, str] = {}  # document present, figure not at the span
        self.sources_seen: set[str] = set()
        self.docs_seen: set[str] = set()

    @classmethod
    def open(cls, data_dir: Path) -> ReviewBook:
        return cls(*read_decisions(data_dir))

    def __len__(self) -> int:
        return len(self.effective)

    def apply(self, records: list[DocumentRecord], facts: pa.Table) -> tuple[list[DocumentRecord], pa.Table]:
        """One batch's document rows and facts (in the same order) with the decisions applied:
        rows reviewed in the last run are first taken back to the machine's values, then the
        decisions in force are applied, the added facts placed among their document's, and
        every document's n_facts counted again."""
        doc_ids = {r.doc_id for r in records if r.doc_id is not None and r.status in ("ok", "skipped")}
        self.docs_seen |= doc_ids
        self.sources_seen.update(r.source for r in records)
        touched = [d for d in doc_ids if d in self.by_doc]
        needs_work = _rows_to_review(facts, touched)
        if needs_work is None:
            return records, facts
        # Only the rows of documents with decisions, and rows reviewed in the last run, go through
        # Python; the rest of the batch (of a whole table, from the dashboard) stays in Arrow.
        rows = [machine_row(row) for row in facts.filter(needs_work).to_pylist()]
        rows = [row for row in rows if row is not None]
        for row in rows:
            decision = self.effective.get((row["doc_id"], row["char_start"], row["char_end"]))
            if decision is None or decision.action == "add":
                continue
            if row["raw_text"] != decision.raw_text:
                self.unmatched[decision.key] = (
                    f"the span now holds {row['raw_text']!r}, not {decision.raw_text!r}"
                )
                continue
            row.update(reviewed_row(row, decision))
            self.applied.add(decision.key)
        sources = {r.doc_id: r.source for r in records if r.doc_id in doc_ids}
        for doc_id in touched:
            for decision in self.by_doc[doc_id]:
                if decision.action == "add" and decision.key not in self.applied:
                    added = added_row(decision)
                    added["source"] = sources[doc_id]  # the same text may have moved to another file
                    rows.append(added)
                    self.applied.add(decision.key)
                elif decision.key not in self.applied and decision.key not in self.unmatched:
                    self.unmatched[decision.key] = "the extractor no longer finds a figure at this span"
        table = pa.concat_tables(
            [facts.filter(pc.invert(needs_work)), pa.Table.from_pylist(rows, schema=facts.schema)]
        )
        # A document's facts stay together, in the order of the documents, by position within each.
        document_order = pc.index_in(table.column("source"), value_set=pa.array([r.source for r in records]))
        table = table.take(
            pc.sort_indices(
                pa.table({"document": document_order, "start": table.column("char_start")}),
                sort_keys=[("document", "ascending"), ("start", "ascending")],
            )
        )
        counts = dict(zip(*(pc.value_counts(table.column("source")).flatten()), strict=True))
        counts = {source.as_py(): count.as_py() for source, count in counts.items()}
        records = [
            dataclasses.replace(r, n_facts=counts.get(r.source, 0))
            if r.status in ("ok", "skipped") and r.n_facts != counts.get(r.source, 0)
            else r
            for r in records
        ]
        return records, table

    def orphans(self) -> list[Orphan]:
        """The decisions in force that no batch could apply, with the reason."""
        found = []
        for key, decision in self.effective.items():
            if key in self.applied:
                continue
            if key in self.unmatched and decision.doc_id in self.docs_seen:
                reason = self.unmatched[key]
            elif decision.doc_id in self.docs_seen:
                reason = "the extractor no longer finds a figure at this span"
            elif decision.source in self.sources_seen:
                reason = "the document changed since the decision (its text hash differs)"
            else:
                reason = "the document is not among this run's inputs"
            found.append(Orphan(decision, reason))
        return sorted(found, key=lambda o: (o.decision.source, o.decision.char_start))


def _rows_to_review(facts: pa.Table, doc_ids: list[str]) -> pa.ChunkedArray | None:
    """Which rows of a batch a review touches: those of documents with decisions and those
    reviewed in the last run (their review not auto); None when no row is."""
    if not facts.num_rows:
        return None if not doc_ids else pa.chunked_array([pa.array([], pa.bool_())])
    mask = pc.is_in(facts.column("doc_id"), value_set=pa.array(doc_ids, pa.string()))
    if "review" in facts.column_names:
        reviewed = pc.fill_null(pc.not_equal(facts.column("review"), "auto"), False)
        mask = pc.or_(mask, reviewed)
    return mask if doc_ids or pc.any(mask).as_py() else None


def apply_to_tables(data_dir: Path) -> ReviewBook:
    """Apply the log to DATA's tables as they are, now (after a decision in the dashboard or from a
    spreadsheet), without extracting again. The tables are written back the way a run writes them
    (etl.tables.TableWriter) with the same code fingerprint, so the next incremental run still
    reuses them. Serialised by a lock: the last writer has read every decision appended before it.
    While a `govstats etl` run holds OUT, the tables are left to it (the decision is in the log, and
    the next run or decision applies it): a reviewer never waits for a run, and never writes a table
    under it."""
    from etl.tables import FACT_ROWS_PER_GROUP, OutputError, OutputLock, TableWriter, committed_tables

    data_dir = Path(data_dir)
    with _locked(data_dir / LOCK_FILE), contextlib.ExitStack() as run_lock:
        book = ReviewBook.open(data_dir)
        try:
            run_lock.enter_context(OutputLock(data_dir, wait=False))
        except OutputError:
            return book  # a run is writing OUT
        tables = committed_tables(data_dir)
        if tables is None:
            return book
        facts = pq.read_table(tables.facts)
        documents = pq.read_table(tables.documents)
        names = [f.name for f in dataclasses.fields(DocumentRecord) if f.name in documents.column_names]
        records = [
            DocumentRecord(**{n: row[n] for n in names}) for row in documents.select(names).to_pylist()
        ]
        records, facts = book.apply(records, _conformed(facts))
        stamp = json.loads((documents.schema.metadata or {}).get(b"govstats", b"{}"))
        with TableWriter(data_dir, stamp.get("fingerprint", "")) as writer:
            writer.write(records, None)
            for start in range(0, facts.num_rows, FACT_ROWS_PER_GROUP):
                writer.write([], facts.slice(start, FACT_ROWS_PER_GROUP))
            writer.commit()
    return book


def _conformed(facts: pa.Table) -> pa.Table:
    """A facts table in FACT_SCHEMA: a column that a table from older code lacks comes as nulls."""
    columns = [
        facts.column(f.name).cast(f.type) if f.name in facts.column_names else pa.nulls(facts.num_rows, f.type)
        for f in FACT_SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=FACT_SCHEMA)


def orphans_of_tables(data_dir: Path) -> list[Orphan]:
    """The decisions in force that DATA's tables do not hold (as the last run left them)."""
    from etl.tables import committed_tables

    data_dir = Path(data_dir)
    book = ReviewBook.open(data_dir)
    tables = committed_tables(data_dir)  # both of one version, whatever a run commits meanwhile
    facts_path = tables.facts if tables else data_dir / FACTS_FILE
    documents_path = tables.documents if tables else data_dir / DOCUMENTS_FILE
    facts = pq.read_table(facts_path, columns=["doc_id", "char_start", "char_end", "raw_text", "review"])
    documents = pq.read_table(documents_path, columns=["source", "doc_id", "status"])
    book.sources_seen = set(documents.column("source").to_pylist())
    book.docs_seen = {
        d for d, s in zip(documents.column("doc_id").to_pylist(), documents.column("status").to_pylist())
        if d is not None and s in ("ok", "skipped")
    }  # fmt: skip
    held = {
        (d, s, e): (t, r) for d, s, e, t, r in zip(*(facts.column(n).to_pylist() for n in facts.column_names))
    }
    for key, decision in book.effective.items():
        found = held.get(key)
        if found is None:
            continue
        text, review = found
        if text != decision.raw_text:
            book.unmatched[key] = f"the span now holds {text!r}, not {decision.raw_text!r}"
        elif review != "auto":
            book.applied.add(key)
    return book.orphans()


def validate_value(field_name: str, value: str) -> object:
    """A spreadsheet cell as the value of an editable field; ValueError says what is wrong.

    >>> validate_value("year", "2019"), validate_value("is_target", "是"), validate_value("subdistrict", "")
    (2019, True, None)
    >>> validate_value("category", "sports")
    Traceback (most recent call last):
    ValueError: category 'sports' is not one of FACTS.md's categories (investment, fiscal, demolition, case_resolution, employment, welfare, urban_management, party_building, profile, other)
    """
    text = value.strip()
    if field_name == "category":
        if text not in CATEGORIES:
            raise ValueError(
                f"category {text!r} is not one of FACTS.md's categories ({', '.join(CATEGORIES)})"
            )
        return text
    if field_name == "metric":
        if (
            not text
            or not text.replace("_", "a").isascii()
            or not text.replace("_", "a").isalnum()
            or text != text.lower()
        ):
            raise ValueError(f"metric {text!r} is not a snake_case name")
        return text
    if field_name == "qualifier":
        if text not in QUALIFIERS:
            raise ValueError(f"qualifier {text!r} is not one of {', '.join(QUALIFIERS)}")
        return text
    if field_name == "year":
        if not text:
            return None
        if not text.isdigit() or not 1949 <= int(text) <= 2100:
            raise ValueError(f"year {text!r} is not a year between 1949 and 2100 (or empty)")
        return int(text)
    if field_name in ("is_target", "reject", "confirm"):
        truth = {
            "true": True,
            "1": True,
            "yes": True,
            "是": True,
            "false": False,
            "0": False,
            "no": False,
            "否": False,
        }
        if text.lower() not in truth:
            raise ValueError(f"{field_name} {text!r} is not true or false")
        if field_name != "is_target" and not truth[text.lower()]:
            raise ValueError(f"{field_name} takes the value true")
        return truth[text.lower()]
    if field_name == "subdistrict":
        return text or None
    raise ValueError(f"unknown field {field_name!r}")


@functools.cache
def _district_index() -> tuple[dict[tuple[str, str], list], dict[tuple[str, str], str]]:
    """(city, district) -> its current townships, and -> its code, from the division table."""
    from etl.places import load_gazetteer

    townships: dict[tuple[str, str], list] = defaultdict(list)
    codes: dict[tuple[str, str], str] = {}
    for division in load_gazetteer().by_code.values():
        if division.level == "township" and not division.former:
            townships[(division.city, division.district)].append(division)
        elif division.level == "district":
            codes[(division.city, division.name)] = division.code
    return dict(townships), codes


def district_units(city: str | None, district: str | None) -> list[str]:
    """The names of the 街道, 乡 and 镇 the division table lists under a district of a city.

    >>> "桐柏路街道" in district_units("郑州市", "中原区")
    True
    """
    return sorted(division.name for division in _district_index()[0].get((city, district), ()))


def place_values(fact: dict, subdistrict: str | None) -> dict:
    """subdistrict, level and admin_code of a fact moved to another unit of its district (or to
    none: the district itself); a unit the table lacks takes the district's code.

    >>> place_values({"city": "郑州市", "district": "中原区", "admin_code": "410102000000"}, "林山寨街道")
    {'subdistrict': '林山寨街道', 'level': 'subdistrict', 'admin_code': '410102001000'}
    """
    townships, codes = _district_index()
    place = (fact.get("city"), fact.get("district"))
    code = codes.get(place) or fact.get("admin_code")
    if not subdistrict:
        return {"subdistrict": None, "level": "district", "admin_code": code}
    for division in townships.get(place, ()):
        if division.name == subdistrict:
            code = division.code
    level = "township" if subdistrict.endswith(("乡", "镇")) else "subdistrict"
    return {"subdistrict": subdistrict, "level": level, "admin_code": code}


def current_values(fact: dict) -> dict:
    """The editable and derived values of a fact row as it stands."""
    return {name: _plain({name: fact.get(name)})[name] for name in (*EDITABLE_FIELDS, *DERIVED_FIELDS)}


def judged(fact: dict, changes: dict, *, by: str | None = None) -> Decision:
    """The decision that leaves a fact row (of facts.parquet, reviewed or not) with `changes` made:
    confirm when there are none, else correct; a change of subdistrict moves level and
    admin_code with it. A fact the analyst added is added again with the new values."""
    old = current_values(fact)
    new = dict(old)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name!r} is not a field an analyst can change ({', '.join(EDITABLE_FIELDS)})")
        new[name] = value
    if "subdistrict" in changes and changes["subdistrict"] != old["subdistrict"]:
        new.update(place_values(fact, changes["subdistrict"]))
    if fact.get("review") == "added":
        full = {name: fact.get(name) for name in ADDED_FIELDS}
        full.update(new)
        return Decision.made("add", fact, by=by, old=old, new=full)
    action = "correct" if new != old else "confirm"
    return Decision.made(action, fact, by=by, old=old, new=new)


def missed_fact(neighbour: dict, start: int, end: int, values: dict, *, by: str | None = None) -> Decision:
    """The decision adding the figure at characters start..end of a fact's sentence that the
    extractor missed: its value and unit read from those characters, its place, date and
    sentence those of `neighbour` (the fact of the same sentence it was selected beside),
    `values` the analyst's editable fields. ValueError when the characters hold no figure.

    >>> row = {"doc_id": "d", "source": "a.txt", "sentence": "新增就业岗位120个，培训300人次。",
    ...        "sentence_offset": 6, "char_start": 16, "char_end": 20, "city": "郑州市", "district": "中原区"}
    >>> d = missed_fact(row, 13, 18, {"category": "employment", "metric": "trainees"}, by="ana")
    >>> d.action, d.raw_text, d.char_start, d.new["value"], d.new["unit"], d.new["sentence_offset"]
    ('add', '300人次', 23, 300.0, 'person_time', 13)
    """
    from etl.quantities import parse_quantity
    from etl.schema import fact_id

    sentence = neighbour["sentence"]
    if neighbour.get("sentence_offset") is None:
        raise ValueError("the sentence of this fact is not known to hold its figure: its offsets are unknown")
    if not 0 <= start < end <= len(sentence):
        raise ValueError(
            f"characters {start}..{end} are not within the sentence ({len(sentence)} characters)"
        )
    raw = sentence[start:end]
    quantity = parse_quantity(raw)
    if quantity is None or quantity.start != 0 or quantity.end != len(raw) or quantity.unit == "number":
        raise ValueError(f"{raw!r} is not a figure with a unit")
    sentence_start = int(neighbour["char_start"]) - int(neighbour["sentence_offset"])
    doc_start, doc_end = sentence_start + start, sentence_start + end
    row = {name: neighbour.get(name) for name in ADDED_FIELDS}
    row.update(
        fact_id=fact_id(neighbour["doc_id"], doc_start, doc_end), raw_text=raw, char_start=doc_start,
        char_end=doc_end, sentence_offset=start, value=quantity.value, unit=quantity.unit,
        qualifier=quantity.qualifier, category="other", metric="other", is_target=False,
    )  # fmt: skip
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name!r} is not a field an analyst can set ({', '.join(EDITABLE_FIELDS)})")
        row[name] = value
    if "subdistrict" in values:
        row.update(place_values(neighbour, values["subdistrict"]))
    return Decision.made("add", row, by=by, new=row)


def undone(fact: dict, *, by: str | None = None) -> Decision:
    """The decision taking back the latest decision on a fact."""
    return Decision.made("undo", fact, by=by)


def gold_line(fact: dict) -> dict:
    """A reviewed fact as a line of the gold format `govstats eval` reads (doc = its source)."""
    names = ("raw_text", "char_start", "char_end", "value", "unit", "qualifier", "is_target", "category",
             "metric", "province", "city", "district", "subdistrict", "level", "year", "period_text")  # fmt: skip
    return {"doc": fact["source"], **_plain({name: fact.get(name) for name in names})}
