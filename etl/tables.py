"""The two output tables on disk: written in row groups into a new version folder, committed
together by one atomic switch of a pointer, and read back to carry unchanged documents over to
the next run.

OUT/.versions/<run>/ holds one run's facts.parquet and documents.parquet; OUT/.current is a
symbolic link to the committed version, switched by one rename after both files are complete and
synced to disk; OUT/facts.parquet and OUT/documents.parquet are links through .current, so any
Parquet reader opening them reads a committed version, and committed_tables() gives both paths of
one version. A run holds OUT/.govstats.lock from start to end: two runs never write one OUT.

A run stamps both files with the same run id and with a fingerprint of the extractor's code and
the metadata file, in the Parquet schema metadata. The next run reuses a document's facts only when
both stamps agree (a new extractor means a full rebuild).
"""

from __future__ import annotations

import array
import bisect
import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl.documents import _split_line
from etl.schema import DOCUMENT_SCHEMA, FACT_SCHEMA, DocumentRecord, records_to_table

FACTS_FILE = "facts.parquet"
DOCUMENTS_FILE = "documents.parquet"
VERSIONS_DIR = ".versions"
CURRENT_LINK = ".current"
PREVIOUS_LINK = ".previous"
LOCK_FILE = ".govstats.lock"
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


class OutputError(Exception):
    """OUT cannot be used: not a folder, not writable, or held by another run."""


@dataclasses.dataclass(frozen=True)
class CommittedTables:
    """The two tables of one committed version."""

    facts: Path
    documents: Path


def committed_tables(out_dir: Path | str) -> CommittedTables | None:
    """The facts and documents of the last committed run in out_dir, both of the same version
    (resolved once, so that a run committing meanwhile cannot give a mismatched pair); None when
    there are none. Tables written directly as OUT/facts.parquet (without versions) are read as
    they are.
    """
    out_dir = Path(out_dir)
    current = out_dir / CURRENT_LINK
    if os.path.lexists(current):
        target = _link_target(current)
        # A real folder: OUT was copied by a tool that follows links (shutil.copytree, cp -L).
        version = out_dir / target if target is not None else current
        tables = CommittedTables(version / FACTS_FILE, version / DOCUMENTS_FILE)
        return tables if tables.facts.is_file() and tables.documents.is_file() else None
    facts, documents = out_dir / FACTS_FILE, out_dir / DOCUMENTS_FILE
    return CommittedTables(facts, documents) if facts.is_file() else None


class OutputLock:
    """An exclusive lock on OUT for the whole run (released by the system if the process dies).
    Another run holding it makes this one fail at once, or wait with `wait=True`."""

    def __init__(self, out_dir: Path, wait: bool = False):
        self.out_dir = Path(out_dir)
        self.wait = wait
        self.descriptor: int | None = None

    def __enter__(self) -> OutputLock:
        prepare_output(self.out_dir)
        path = self.out_dir / LOCK_FILE
        try:
            self.descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OutputError(f"{self.out_dir}: cannot write here: {error.strerror or error}") from error
        try:
            fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.descriptor, 32, 0).decode("ascii", "replace").strip() or "?"
            if not self.wait:
                os.close(self.descriptor)
                raise OutputError(
                    f"{self.out_dir}: another govstats etl (pid {holder}) is writing here; "
                    "run again when it is done, or with --wait to wait for it"
                ) from None
            print(f"waiting for the run (pid {holder}) writing to {self.out_dir} ...", file=sys.stderr, flush=True)
            fcntl.flock(self.descriptor, fcntl.LOCK_EX)
        os.ftruncate(self.descriptor, 0)
        os.pwrite(self.descriptor, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)  # releases the lock
            self.descriptor = None


def prepare_output(out_dir: Path) -> None:
    """Make OUT if needed; raise OutputError when it is a file or cannot be written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: --out is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{out_dir}: cannot make the output folder: {error.strerror or error}") from error
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir}: cannot write here: permission denied or read-only")


class TableWriter:
    """Streams rows into OUT/.versions/<run>/facts.parquet and documents.parquet in row groups;
    commit() switches OUT/.current to that version in one rename, leaving it unfinished removes it."""

    def __init__(self, out_dir: Path, fingerprint: str):
        self.out_dir = Path(out_dir)
        stamp = json.dumps({"fingerprint": fingerprint, "run": uuid.uuid4().hex})
        self.fact_schema = FACT_SCHEMA.with_metadata({_STAMP_KEY: stamp})
        self.document_schema = DOCUMENT_SCHEMA.with_metadata({_STAMP_KEY: stamp})
        self.committed = False

    def __enter__(self) -> TableWriter:
        prepare_output(self.out_dir)
        _remove_abandoned_temporaries(self.out_dir)
        self.version = f"{os.getpid()}.{uuid.uuid4().hex[:12]}"
        self.version_dir = self.out_dir / VERSIONS_DIR / self.version
        self.version_dir.mkdir(parents=True)
        self.fact_path = self.version_dir / FACTS_FILE
        self.document_path = self.version_dir / DOCUMENTS_FILE
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
        """Finish both files, sync them to disk, and make them the committed version: one rename
        of OUT/.current. Before it, readers see the last version; after it, this one."""
        self._flush_facts()
        self._flush_documents()
        self.fact_writer.close()
        self.document_writer.close()
        for path in (self.fact_path, self.document_path, self.version_dir, self.version_dir.parent):
            _fsync(path)
        current = self.out_dir / CURRENT_LINK
        previous = _link_target(current)
        try:
            _switch_link(current, os.path.join(VERSIONS_DIR, self.version))
        finally:  # an interruption right after the switch must not remove the version now committed
            self.committed = _link_target(current) == os.path.join(VERSIONS_DIR, self.version)
        _fsync(self.out_dir)
        # After the commit: the links that plain readers open, and the versions no reader needs.
        if previous is not None:
            _switch_link(self.out_dir / PREVIOUS_LINK, previous)
        for name in (FACTS_FILE, DOCUMENTS_FILE):
            target = os.path.join(CURRENT_LINK, name)
            path = self.out_dir / name
            if not (path.is_symlink() and os.readlink(path) == target):
                _switch_link(path, target)
        _remove_old_versions(self.out_dir, keep={self.version, os.path.basename(previous or "")})

    def __exit__(self, *exc_info) -> None:
        if not self.committed:
            for writer in (self.fact_writer, self.document_writer):
                try:
                    writer.close()
                except Exception:
                    pass
            shutil.rmtree(self.version_dir, ignore_errors=True)


def _switch_link(path: Path, target: str) -> None:
    """Point the symbolic link `path` at `target` in one rename (a new link, then os.replace)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)  # a copy of a version (OUT copied following links): the link replaces it
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP):  # some file systems cannot sync folders
            raise
    finally:
        os.close(descriptor)


def _remove_old_versions(out_dir: Path, keep: set[str]) -> None:
    """Versions other than the current and the previous one (a reader may still be reading it)."""
    versions = out_dir / VERSIONS_DIR
    for version in versions.iterdir() if versions.is_dir() else ():
        if version.name not in keep:
            shutil.rmtree(version, ignore_errors=True)


def _remove_abandoned_temporaries(out_dir: Path) -> None:
    """Delete what a run that was killed left (the lock is held: no other run is writing): its
    unfinished version, and the temporaries of the older, unversioned layout."""
    for path in out_dir.glob(".*.parquet.*.tmp"):
        pid = path.name.split(".")[-3]
        if pid.isdigit() and not _process_exists(int(pid)):
            path.unlink(missing_ok=True)
    keep = set()
    for link in (CURRENT_LINK, PREVIOUS_LINK):
        target = _link_target(out_dir / link)
        if target is not None:
            keep.add(os.path.basename(target))
    _remove_old_versions(out_dir, keep)


def _link_target(path: Path) -> str | None:
    """Where the symbolic link `path` points, or None when it is not a link."""
    try:
        return os.readlink(path)
    except OSError:  # missing, or not a link (EINVAL)
        return None


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


class PreviousRun:
    """The tables of the last run, when they can be reused: which file had which content hash,
    its rows, and where its facts are in the old facts.parquet (rows are written in the same
    order in both tables, so a file's facts start at the sum of n_facts of the rows before it).

    What is kept in memory is an index of about 60 bytes per file (numpy arrays); the rows of an
    unchanged file are read back from the old tables, a row group at a time, when it is met. So a
    re-run over a million files costs tens of megabytes, not gigabytes of row objects.
    """

    def __init__(self, index: _FileIndex, documents_path: Path, facts_path: Path):
        self.index = index
        self.document_rows = _RowGroups(pq.ParquetFile(documents_path))
        self.fact_rows = _RowGroups(pq.ParquetFile(facts_path), FACT_SCHEMA)
        names = self.document_rows.file.schema_arrow.names
        self.record_fields = [field.name for field in dataclasses.fields(DocumentRecord) if field.name in names]

    @classmethod
    def open(cls, out_dir: Path, fingerprint: str, reuse: bool = True) -> PreviousRun | None:
        """The last committed run in out_dir, if its tables agree. Its files are reused only when
        `reuse` and it was made by the same code (the fingerprint); otherwise it is kept only to
        salvage the facts of files that have become unreadable."""
        tables = committed_tables(out_dir)
        if tables is None:
            return None
        facts_path, documents_path = tables.facts, tables.documents
        try:
            documents_stamp, facts_stamp = _stamp(documents_path), _stamp(facts_path)
            if not documents_stamp or documents_stamp != facts_stamp:
                return None
            index = _FileIndex.build(pq.ParquetFile(documents_path))
            if pq.read_metadata(facts_path).num_rows != index.total_facts:
                return None  # the two tables disagree: recompute everything rather than trust them
            if not reuse or documents_stamp.get("fingerprint") != fingerprint:
                index.reusable[:] = False
            return cls(index, documents_path, facts_path)
        except (OSError, ValueError, KeyError, pa.ArrowException):
            return None

    def unchanged(self, source: str, content_hash: str) -> list[DocumentRecord] | None:
        """The rows (marked skipped, or still empty) of a file whose content is as in the last
        run, else None."""
        group = self.index.find(source, content_hash)
        if group is None:
            return None
        rows = self._rows(group, source)
        if rows is None:
            return None
        return [dataclasses.replace(row, status="empty" if row.status == "empty" else "skipped") for row in rows]

    def rows_of(self, source: str) -> list[DocumentRecord] | None:
        """The rows the last run wrote for a file, as they were, whatever its content now."""
        group = self.index.find(source)
        return None if group is None else self._rows(group, source)

    def _rows(self, group: int, source: str) -> list[DocumentRecord] | None:
        columns = self.document_rows.columns(int(self.index.first_row[group]), int(self.index.n_rows[group]))
        if any(file_key(name) != source for name in columns["source"]):
            return None  # another file whose name hashes alike: not this one
        rows = (dict(zip(self.record_fields, row)) for row in zip(*(columns[name] for name in self.record_fields)))
        return [DocumentRecord(**row) for row in rows]

    def files_under(self, folder: str) -> list[str]:
        """The files of the last run whose names start with `folder` + "/" (a folder that has
        become unreadable), in table order. Reads the source column once: only for such folders."""
        prefix = folder.rstrip(os.sep) + os.sep
        found: dict[str, None] = {}
        for batch in self.document_rows.file.iter_batches(batch_size=65_536, columns=["source"]):
            for source in batch.column("source").to_pylist():
                if source.startswith(prefix):
                    found.setdefault(file_key(source))
        return list(found)

    def facts_of(self, source: str) -> pa.Table:
        """The facts the last run found in a file, read from the old facts.parquet when needed."""
        group = self.index.find(source)
        if group is None:
            raise RuntimeError(f"{source} is not in the previous documents.parquet")
        n_facts = int(self.index.n_facts[group])
        facts = self.fact_rows.table(int(self.index.fact_start[group]), n_facts)
        if facts.num_rows != n_facts or any(file_key(s) != source for s in facts.column("source").unique().to_pylist()):
            raise RuntimeError(f"the previous facts.parquet does not match documents.parquet at {source}: rerun with --full")
        return facts

    def close(self) -> None:
        self.document_rows.file.close()
        self.fact_rows.file.close()


@dataclasses.dataclass
class _FileIndex:
    """Per input file of the last run (a run of consecutive rows with the same file_key): where its
    rows and facts are, whether they can be reused, the first 8 bytes of the hash of its name
    (sorted, to find it) and its content hash."""

    first_row: np.ndarray
    n_rows: np.ndarray
    fact_start: np.ndarray
    n_facts: np.ndarray
    reusable: np.ndarray
    content_hash: np.ndarray  # 16 bytes per file, as a (files, 16) uint8 array
    sorted_names: np.ndarray  # name hashes, sorted
    order: np.ndarray  # the file of each sorted name hash
    total_facts: int

    @classmethod
    def build(cls, documents: pq.ParquetFile) -> _FileIndex:
        first_row, n_rows, fact_start, n_facts = (array.array("q") for _ in range(4))
        reusable, content, names = array.array("b"), bytearray(), array.array("q")
        row = offset = 0
        last_key = group_hash = None
        columns = ["source", "status", "content_hash", "n_facts"]
        for batch in documents.iter_batches(batch_size=65_536, columns=columns):
            for source, status, content_hash, count in zip(*(batch.column(name).to_pylist() for name in columns)):
                key = file_key(source)
                if key != last_key:
                    last_key, group_hash = key, content_hash
                    first_row.append(row)
                    n_rows.append(0)
                    fact_start.append(offset)
                    n_facts.append(0)
                    digest = _content_digest(content_hash)
                    reusable.append(digest is not None)
                    content += digest or bytes(16)
                    names.append(_name_hash(key))
                n_rows[-1] += 1
                n_facts[-1] += count
                reusable[-1] &= status in _REUSABLE and content_hash == group_hash
                offset += count
                row += 1
        name_hashes = np.frombuffer(names, dtype=np.int64)
        order = np.argsort(name_hashes, kind="stable")
        sorted_names = name_hashes[order]
        flags = np.frombuffer(reusable, dtype=np.int8).astype(bool)
        # A name met twice (its rows not together, or two names hashing alike): recompute those files.
        twice = np.flatnonzero(sorted_names[1:] == sorted_names[:-1])
        flags[order[twice]] = flags[order[twice + 1]] = False
        return cls(
            first_row=np.frombuffer(first_row, dtype=np.int64),
            n_rows=np.frombuffer(n_rows, dtype=np.int64),
            fact_start=np.frombuffer(fact_start, dtype=np.int64),
            n_facts=np.frombuffer(n_facts, dtype=np.int64),
            reusable=flags,
            content_hash=np.frombuffer(bytes(content), dtype=np.uint8).reshape(-1, 16),
            sorted_names=sorted_names,
            order=order,
            total_facts=offset,
        )

    def find(self, source: str, content_hash: str | None = None) -> int | None:
        """The file named `source`; with a content hash, only if it is reusable and its content
        is the same."""
        name = _name_hash(source)
        position = int(np.searchsorted(self.sorted_names, name))
        if position == len(self.sorted_names) or self.sorted_names[position] != name:
            return None
        group = int(self.order[position])
        if content_hash is None:
            return group
        digest = _content_digest(content_hash)
        if not self.reusable[group] or digest is None or self.content_hash[group].tobytes() != digest:
            return None
        return group


def _name_hash(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little", signed=True)


def _content_digest(content_hash: str | None) -> bytes | None:
    """The 16 bytes of a content hash as written by content_hash_of, else None."""
    try:
        digest = bytes.fromhex(content_hash or "")
    except ValueError:
        return None
    return digest if len(digest) == 16 else None


class _RowGroups:
    """Rows of a Parquet file by position, reading one row group at a time (the last one read is
    kept: an unchanged corpus is met in the order it was written)."""

    def __init__(self, file: pq.ParquetFile, schema: pa.Schema | None = None):
        self.file = file
        self.schema = schema
        self.starts = []
        start = 0
        for index in range(file.metadata.num_row_groups):
            self.starts.append(start)
            start += file.metadata.row_group(index).num_rows
        self.cached: tuple[int, pa.Table] | None = None
        self.cached_lists: dict[str, list] = {}

    def table(self, start: int, count: int) -> pa.Table:
        """Rows start .. start + count as one Arrow table (in `schema` when given)."""
        pieces = [table.slice(local, length) for table, local, length in self._pieces(start, count)]
        if not pieces:
            return (self.schema or self.file.schema_arrow).empty_table()
        return pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]

    def columns(self, start: int, count: int) -> dict[str, list]:
        """Rows start .. start + count as Python lists, one per column."""
        found: dict[str, list] = {name: [] for name in self.file.schema_arrow.names}
        for table, local, length in self._pieces(start, count):
            if not self.cached_lists:  # once per row group: column by column is much faster than row by row
                self.cached_lists = {name: table.column(name).to_pylist() for name in table.column_names}
            for name, values in self.cached_lists.items():
                found[name].extend(values[local : local + length])
        return found

    def _pieces(self, start: int, count: int):
        position, end = start, start + count
        while position < end:
            group = bisect.bisect_right(self.starts, position) - 1
            table = self._group(group)
            local = position - self.starts[group]
            length = min(end - position, table.num_rows - local)
            if length <= 0:
                break
            yield table, local, length
            position += length

    def _group(self, index: int) -> pa.Table:
        if self.cached is None or self.cached[0] != index:
            table = self.file.read_row_group(index).replace_schema_metadata(None)
            self.cached = (index, _conformed(table, self.schema) if self.schema is not None else table)
            self.cached_lists = {}
        return self.cached[1]


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table in `schema`: a table of an older schema (salvaged from a run of other code) gets
    nulls for the columns it lacks and loses those the schema no longer has."""
    if table.schema.remove_metadata().equals(schema.remove_metadata()):
        return table
    columns = [
        table.column(field.name).cast(field.type) if field.name in table.column_names else pa.nulls(table.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)
