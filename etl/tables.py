"""The two output tables on disk: written in row groups to temporary files that replace the old
tables only when the run completes, and read back to carry unchanged documents over to the next run.

A run stamps both files with the same run id and with a fingerprint of the extractor's code and
the metadata file, in the Parquet schema metadata. The next run reuses a document's facts only when
both stamps agree (so a crash between the two renames, or a new extractor, means a full rebuild).
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.documents import _split_line
from etl.schema import DOCUMENT_SCHEMA, FACT_SCHEMA, DocumentRecord, records_to_table

FACTS_FILE = "facts.parquet"
DOCUMENTS_FILE = "documents.parquet"
FACT_ROWS_PER_GROUP = 65_536
DOCUMENT_ROWS_PER_GROUP = 10_000
_STAMP_KEY = b"govstats"
_REUSABLE = ("ok", "empty", "skipped")


def code_fingerprint(extra: str = "") -> str:
    """A hash of the extractor's code and data files (and `extra`): facts made by other code are
    never carried over."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(extra.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and (path.suffix == ".py" or "data" in path.relative_to(package).parts):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def file_key(source: str) -> str:
    """The input file a row comes from: 'archive.jsonl' for 'archive.jsonl:7', else the source."""
    return _split_line(source)[0]


class TableWriter:
    """Streams rows into OUT/.facts.parquet.*.tmp and OUT/.documents.parquet.*.tmp in row groups;
    commit() renames them into place, leaving them unfinished removes them."""

    def __init__(self, out_dir: Path, fingerprint: str):
        self.out_dir = Path(out_dir)
        stamp = json.dumps({"fingerprint": fingerprint, "run": uuid.uuid4().hex})
        self.fact_schema = FACT_SCHEMA.with_metadata({_STAMP_KEY: stamp})
        self.document_schema = DOCUMENT_SCHEMA.with_metadata({_STAMP_KEY: stamp})
        self.committed = False

    def __enter__(self) -> TableWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_temporaries(self.out_dir)
        tag = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
        self.fact_path = self.out_dir / f".{FACTS_FILE}.{tag}.tmp"
        self.document_path = self.out_dir / f".{DOCUMENTS_FILE}.{tag}.tmp"
        self.fact_writer = pq.ParquetWriter(self.fact_path, self.fact_schema)
        self.document_writer = pq.ParquetWriter(self.document_path, self.document_schema)
        self.fact_buffer: list[pa.Table] = []
        self.fact_buffered = 0
        self.document_buffer: list[DocumentRecord] = []
        return self

    def write(self, records: list[DocumentRecord], facts: pa.Table | None) -> None:
        self.document_buffer.extend(records)
        if facts is not None and facts.num_rows:
            self.fact_buffer.append(facts)
            self.fact_buffered += facts.num_rows
        if self.fact_buffered >= FACT_ROWS_PER_GROUP:
            self._flush_facts()
        if len(self.document_buffer) >= DOCUMENT_ROWS_PER_GROUP:
            self._flush_documents()

    def _flush_facts(self) -> None:
        if self.fact_buffer:
            table = pa.concat_tables(self.fact_buffer).replace_schema_metadata(self.fact_schema.metadata)
            self.fact_writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.fact_buffer, self.fact_buffered = [], 0

    def _flush_documents(self) -> None:
        if self.document_buffer:
            table = records_to_table(self.document_buffer, DOCUMENT_SCHEMA)
            self.document_writer.write_table(table.replace_schema_metadata(self.document_schema.metadata))
        self.document_buffer = []

    def commit(self) -> None:
        """Finish both files and rename them over the old tables (facts first, then documents)."""
        self._flush_facts()
        self._flush_documents()
        self.fact_writer.close()
        self.document_writer.close()
        os.replace(self.fact_path, self.out_dir / FACTS_FILE)
        os.replace(self.document_path, self.out_dir / DOCUMENTS_FILE)
        self.committed = True

    def __exit__(self, *exc_info) -> None:
        if not self.committed:
            for writer in (self.fact_writer, self.document_writer):
                try:
                    writer.close()
                except Exception:
                    pass
            self.fact_path.unlink(missing_ok=True)
            self.document_path.unlink(missing_ok=True)


def _remove_abandoned_temporaries(out_dir: Path) -> None:
    """Delete temporaries left by a run that was killed (its process no longer exists)."""
    for path in out_dir.glob(".*.parquet.*.tmp"):
        pid = path.name.split(".")[-3]
        if pid.isdigit() and not _process_exists(int(pid)):
            path.unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stamp(path: Path) -> dict:
    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata.get(_STAMP_KEY, b"{}"))


@dataclasses.dataclass
class _PreviousFile:
    content_hash: str | None
    records: list[DocumentRecord]
    fact_start: int
    n_facts: int
    reusable: bool


class PreviousRun:
    """The tables of the last run, when they can be reused: which file had which content hash,
    its rows, and where its facts are in the old facts.parquet (rows are written in the same
    order in both tables, so a file's facts start at the sum of n_facts of the rows before it)."""

    def __init__(self, files: dict[str, _PreviousFile], facts_path: Path):
        self.files = files
        self.facts_file = pq.ParquetFile(facts_path)
        metadata = self.facts_file.metadata
        self.group_starts = []
        start = 0
        for index in range(metadata.num_row_groups):
            self.group_starts.append(start)
            start += metadata.row_group(index).num_rows
        self.cached_group: tuple[int, pa.Table] | None = None

    @classmethod
    def open(cls, out_dir: Path, fingerprint: str) -> PreviousRun | None:
        facts_path, documents_path = Path(out_dir) / FACTS_FILE, Path(out_dir) / DOCUMENTS_FILE
        try:
            documents_stamp, facts_stamp = _stamp(documents_path), _stamp(facts_path)
            if not documents_stamp or documents_stamp != facts_stamp or documents_stamp.get("fingerprint") != fingerprint:
                return None
            documents = pq.read_table(documents_path)
        except (OSError, ValueError, pa.ArrowException):
            return None
        files: dict[str, _PreviousFile] = {}
        offset = 0
        names = set(documents.schema.names)
        fields = {field.name for field in dataclasses.fields(DocumentRecord)} & names
        for row in documents.to_pylist():
            record = DocumentRecord(**{name: row[name] for name in fields})
            key = file_key(record.source)
            entry = files.get(key)
            if entry is None:
                entry = files[key] = _PreviousFile(record.content_hash, [], offset, 0, True)
            entry.records.append(record)
            entry.n_facts += record.n_facts
            entry.reusable &= record.status in _REUSABLE and record.content_hash == entry.content_hash
            offset += record.n_facts
        if pq.read_metadata(facts_path).num_rows != offset:
            return None  # the two tables disagree: recompute everything rather than trust them
        return cls(files, facts_path)

    def unchanged(self, source: str, content_hash: str) -> list[DocumentRecord] | None:
        """The rows (marked skipped) of a file whose content is as in the last run, else None."""
        entry = self.files.get(source)
        if entry is None or not entry.reusable or entry.content_hash != content_hash:
            return None
        return [dataclasses.replace(record, status="skipped") for record in entry.records]

    def facts_of(self, source: str) -> pa.Table:
        """The facts the last run found in a file, read from the old facts.parquet when needed."""
        entry = self.files[source]
        facts = self._fact_rows(entry.fact_start, entry.n_facts)
        if facts.num_rows != entry.n_facts or any(file_key(s) != source for s in facts.column("source").unique().to_pylist()):
            raise RuntimeError(f"the previous facts.parquet does not match documents.parquet at {source}: rerun with --full")
        return facts

    def _fact_rows(self, start: int, count: int) -> pa.Table:
        if count == 0:
            return FACT_SCHEMA.empty_table()
        pieces = []
        position = start
        end = start + count
        while position < end:
            group = bisect.bisect_right(self.group_starts, position) - 1
            table = self._group(group)
            local = position - self.group_starts[group]
            piece = table.slice(local, min(end - position, table.num_rows - local))
            if piece.num_rows == 0:
                break
            pieces.append(piece)
            position += piece.num_rows
        return pa.concat_tables(pieces) if pieces else FACT_SCHEMA.empty_table()

    def _group(self, index: int) -> pa.Table:
        if self.cached_group is None or self.cached_group[0] != index:
            table = self.facts_file.read_row_group(index).replace_schema_metadata(None)
            self.cached_group = (index, table.cast(FACT_SCHEMA))
        return self.cached_group[1]

    def close(self) -> None:
        self.facts_file.close()
