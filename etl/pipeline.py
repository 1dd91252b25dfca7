"""`govstats etl`: extract the facts of a corpus into OUT/facts.parquet and OUT/documents.parquet.

Every input file gets a row in documents.parquet saying what happened to it (a .jsonl file, one row
per article): ok, empty, error (with the reason) or skipped (unchanged since the last run, its facts
kept). A broken file never stops the run, and a file or folder that has become unreadable keeps
its facts of the last run (status error, saying so). Both tables are written into a new version and
committed together by one atomic switch at the end, so an interrupted run leaves the previous tables
intact; a lock on OUT keeps two runs from writing it at once. Work is spread over Dask workers:
local processes by default, or an existing cluster with --scheduler; a batch whose worker is lost
or stuck is retried, then a file at a time.
Exit code: 0 when no document has status error, 1 when some do, 2 when the run could not start
(a source naming nothing, unusable options, --out busy or unwritable, no Dask cluster) or could
not write its output, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import errno
import glob
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from etl.documents import (
    ARTICLE_SUFFIXES,
    MAX_FILE_BYTES,
    DocumentError,
    MetadataTable,
    content_hash_of,
    parse_bytes,
    sections,
)
from etl.executors import DaskExecutor, ExecutorError, InProcess
from etl.facts import extract_facts
from etl.provenance import with_stated_provenance
from etl.reviews import ReviewBook
from etl.schema import FACT_SCHEMA, DocumentRecord, Fact, fact_id, records_to_table
from etl.tables import OutputError, OutputLock, PreviousRun, TableWriter, code_fingerprint

DEFAULT_SOURCES = ("seeds",)
DEFAULT_OUT = "data"
# Below this many input bytes a Dask cluster costs more to start (about 3 s) than it saves.
SMALL_CORPUS_BYTES = 16 * 1024 * 1024
BATCH_BYTES = 2 * 1024 * 1024
BATCH_FILES = 200
# A document longer than this is extracted a section at a time (about 100 times a long article).
SECTION_CHARS = 200_000
FACT_ROWS_PER_PIECE = 20_000
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to read: `source` is its name in the tables (a name that is not UTF-8 shown with
    backslash escapes), `relative` its path below the folder it was found in (for metadata
    lookup), `problem` why it cannot even be opened, `is_folder` for an unreadable folder, whose
    files of the last run keep their facts.

    A corpus may have millions of files, so an entry is kept small: the relative path is not
    stored but cut from the path, which starts with the folder's name and a slash.

    >>> InputFile("archive/2013/a.txt", "archive/2013/a.txt", folder_length=8).relative
    '2013/a.txt'
    """

    path: str
    source: str
    folder_length: int | None = None
    problem: str | None = None
    is_folder: bool = False
    origin: int = 0  # which of the sources named it

    @property
    def relative(self) -> str | None:
        return None if self.folder_length is None else self.source[self.folder_length :]


@dataclass(frozen=True, slots=True)
class FileTask:
    source: str
    relative: str | None
    content_hash: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class FileResult:
    """What processing one file gave: its rows in documents.parquet and the number of its facts,
    which are that many consecutive rows of the batch's facts table."""

    records: list[DocumentRecord]
    n_facts: int


@dataclass(frozen=True, slots=True)
class BatchResult:
    files: list[FileResult]
    facts: pa.Table


@dataclass
class RunSummary:
    out_dir: Path
    counts: dict[str, int]
    n_facts: int
    n_bytes: int
    seconds: float
    executor: str
    errors: list[str]
    salvaged: tuple[int, int] = (0, 0)  # (files, facts) kept from the last run although unreadable now
    orphaned_reviews: int = 0

    @property
    def n_documents(self) -> int:
        return sum(self.counts.values())

    @property
    def exit_code(self) -> int:
        return 1 if self.counts["error"] else 0

    def line(self) -> str:
        """The closing summary line.

        >>> RunSummary(Path("out"), {"ok": 3, "empty": 0, "error": 1, "skipped": 2}, 40, 2_000_000, 2.0, "", []).line()
        '6 documents: 3 ok, 0 empty, 1 error, 2 skipped; 40 facts -> out/facts.parquet (2.0 s, 1.0 MB/s)'
        >>> RunSummary(Path("out"), {"ok": 0, "empty": 0, "error": 1, "skipped": 0}, 7, 0, 1.0, "", [], (1, 7)).line()
        '1 documents: 0 ok, 0 empty, 1 error, 0 skipped; 7 facts, of them 7 kept from the last run for 1 unreadable files -> out/facts.parquet (1.0 s, 0.0 MB/s)'
        """
        parts = ", ".join(f"{n} {status}" for status, n in self.counts.items())
        speed = self.n_bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0
        kept = ""
        if self.salvaged[0]:
            kept = f", of them {self.salvaged[1]} kept from the last run for {self.salvaged[0]} unreadable files"
        orphans = (
            f"; {self.orphaned_reviews} review decisions orphaned (govstats review --orphans)" if self.orphaned_reviews else ""
        )
        return (
            f"{self.n_documents} documents: {parts}; {self.n_facts} facts{kept} -> {self.out_dir / 'facts.parquet'} "
            f"({self.seconds:.1f} s, {speed:.1f} MB/s){orphans}"
        )


NO_SUCH_SOURCE = "unreadable: no such file or folder"


class SourceError(Exception):
    """A source on the command line names nothing: the run does not start."""


def display_name(path: str) -> str:
    """A path as it is shown and stored: bytes that are not UTF-8 (kept by Python as surrogate
    escapes, which Parquet cannot store) written as backslash escapes.

    >>> display_name("archive/a.txt"), display_name(b"caf\\xe9.txt".decode("utf-8", "surrogateescape"))
    ('archive/a.txt', 'caf\\\\xe9.txt')
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def iter_inputs(sources: list[str], follow_symlinks: bool = False, counts: list[int] | None = None) -> Iterator[InputFile]:
    """Every file named, every article file below every folder named (recursively, hidden files
    and folders left out), every file matched by a glob; in a stable order, each once. A folder
    that cannot be read becomes an InputFile with a problem (is_folder), so that it gets its error
    row; so does a source that names nothing (the run refuses to start on those: check_sources).

    Folder walks and globs follow no symbolic link to a folder unless follow_symlinks, and then
    never one that leads back into a folder being walked (a loop gives each file once, and ends).
    `counts`, if given, is increased per source for every file it names (also those named before).
    Files come as they are found, so a corpus is never listed whole: only with several sources
    or a glob, where one file may be met twice, are the paths already given kept in memory.
    """
    seen: set[str] | None = set() if len(sources) > 1 or any(glob.has_magic(s) for s in sources) else None

    def first_time(path: str) -> bool:
        if seen is None:
            return True
        if path in seen:
            return False
        seen.add(path)
        return True

    for origin, source in enumerate(sources):
        path = Path(source)
        if path.is_dir():
            found = _walk_folder(source, follow_symlinks)
        elif os.path.lexists(source):
            found = iter([InputFile(source, display_name(source))])
        elif glob.has_magic(source):
            found = _glob(source, follow_symlinks)
        else:
            found = iter([InputFile(source, display_name(source), problem=NO_SUCH_SOURCE)])
        for entry in found:
            if counts is not None and entry.problem != NO_SUCH_SOURCE:
                counts[origin] += 1
            if first_time(entry.path):
                yield dataclasses.replace(entry, origin=origin) if origin else entry


def check_sources(sources: list[str], follow_symlinks: bool = False) -> tuple[int, int]:
    """(files, bytes) of the inputs; raise SourceError naming every source that gives no input
    (no such file or folder, a glob matching nothing, a folder without article files), before
    anything is written: a mistyped name must not replace the last run's tables with empty ones."""
    given = [0] * len(sources)
    n_files = total_bytes = 0
    for entry in iter_inputs(sources, follow_symlinks, given):
        n_files += 1
        total_bytes += _size(entry)
    problems = []
    for source, count in zip(sources, given):
        if count:
            continue
        if os.path.isdir(source):
            problems.append(f"{display_name(source)}: no article files ({', '.join(ARTICLE_SUFFIXES)}) in this folder")
        elif glob.has_magic(source) and not os.path.lexists(source):
            problems.append(f"{display_name(source)}: no file matches this pattern")
        else:
            problems.append(f"{display_name(source)}: no such file or folder")
    if problems:
        raise SourceError("; ".join(problems))
    return n_files, total_bytes


def _walk_folder(folder: str, follow_symlinks: bool) -> Iterator[InputFile]:
    """Every article file below `folder`, hidden files and folders left out, in the order of
    sorted(folder.rglob("*")): a folder's entries sorted by name, a subfolder's files in its
    place. Paths are made as strings, a folder at a time: a million Path objects would take half a
    gigabyte."""
    prefix = "" if folder in (".", "./") else folder.rstrip(os.sep) + os.sep
    for path, problem in _walk(folder, prefix, follow_symlinks, set()):
        if problem is not None:
            yield InputFile(path, display_name(path), problem=problem, is_folder=True)
        else:
            source = display_name(path)
            yield InputFile(path, source, len(display_name(prefix)))


def _walk(directory: str, prefix: str, follow_symlinks: bool, walking: set) -> Iterator[tuple[str, str | None]]:
    """(path, None) per article file (any kind of file with an article suffix: what it is is found
    out when it is read) and (folder, problem) per folder that cannot be listed."""
    try:
        here, entries = _listing(directory)
    except OSError as error:
        yield directory.rstrip(os.sep) or directory, f"unreadable folder: {error.strerror or error}"
        return
    walking.add(here)
    try:
        for entry in entries:
            path = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path, path + os.sep, follow_symlinks, walking)
            elif entry.is_symlink() and _is_folder(path):
                if follow_symlinks and _folder_key(path) not in walking:
                    yield from _walk(path, path + os.sep, follow_symlinks, walking)
            elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES:
                yield path, None
    finally:
        walking.discard(here)


def _listing(directory: str) -> tuple[tuple[int, int], list[os.DirEntry]]:
    """The folder's identity (device, inode: what a link loop comes back to) and its entries in
    name order, hidden ones left out; OSError when it cannot be listed."""
    info = os.stat(directory)
    with os.scandir(directory) as scan:
        entries = sorted((entry for entry in scan if not entry.name.startswith(".")), key=lambda entry: entry.name)
    return (info.st_dev, info.st_ino), entries


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _folder_key(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def glob_regex(pattern: str) -> re.Pattern:
    """A glob as a regular expression over paths: * and ? within one name, [..] a character class,
    ** any number of folders.

    >>> bool(glob_regex("a/**/*.txt").fullmatch("a/x/y/b.txt")), bool(glob_regex("a/*.txt").fullmatch("a/x/b.txt"))
    (True, False)
    >>> bool(glob_regex("a/**").fullmatch("a/x/y")), bool(glob_regex("a/[!b]?.txt").fullmatch("a/cd.txt"))
    (True, True)
    """
    parts = []
    for index, component in enumerate(pattern.split("/")):
        if component == "**":
            parts.append("(?:[^/]+/)*" if index < pattern.count("/") else "(?:[^/]+(?:/[^/]+)*)?")
            continue
        piece, position = "", 0
        while position < len(component):
            char = component[position]
            if char == "*":
                piece += "[^/]*"
            elif char == "?":
                piece += "[^/]"
            elif char == "[" and (close := component.find("]", position + 2)) != -1:
                inner = component[position + 1 : close]
                piece += "[" + ("^" + re.escape(inner[1:]) if inner.startswith("!") else re.escape(inner)) + "]"
                position = close
            else:
                piece += re.escape(char)
            position += 1
        parts.append(piece + ("/" if index < pattern.count("/") else ""))
    return re.compile("".join(parts))


def _glob(pattern: str, follow_symlinks: bool) -> Iterator[InputFile]:
    """The files a glob matches (a matched folder: its article files), walking from the pattern's
    literal leading folders; like glob.glob(recursive=True), but following no symbolic link to a
    folder (with follow_symlinks, none that loops)."""
    components = pattern.split("/")
    literal = 0
    while literal < len(components) - 1 and not glob.has_magic(components[literal]):
        literal += 1
    root = "/".join(components[:literal]) or ("/" if pattern.startswith("/") else "")
    prefix = root.rstrip("/") + "/" if root else ""
    if root and not os.path.isdir(root):
        return
    regex = glob_regex(pattern)
    max_depth = None if "**" in components else len(components) - literal
    # 'archive/**' or 'archive/*' match every file: only articles are meant; 'x/*.xml' names its files.
    any_name = components[-1] in ("*", "**")

    def walk(directory: str, depth: int, walking: set) -> Iterator[InputFile]:
        try:
            here, entries = _listing(directory or ".")
        except OSError as error:
            yield InputFile(directory, display_name(directory), problem=f"unreadable folder: {error.strerror or error}", is_folder=True)
            return
        walking.add(here)
        try:
            for entry in entries:
                path = (directory.rstrip("/") + "/" if directory else "") + entry.name
                is_link = entry.is_symlink()
                folder = entry.is_dir(follow_symlinks=False) or (is_link and _is_folder(path))
                if folder and is_link and (not follow_symlinks or _folder_key(path) in walking):
                    continue
                if regex.fullmatch(path):
                    if folder:
                        yield from _walk_folder(path, follow_symlinks)
                    elif not any_name or os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES:
                        yield InputFile(path, display_name(path), len(display_name(prefix)))
                elif folder and (max_depth is None or depth + 1 < max_depth):
                    yield from walk(path, depth + 1, walking)
        finally:
            walking.discard(here)

    yield from walk(root, 0, set())


def process_batch(tasks: list[FileTask], metadata: MetadataTable | None) -> BatchResult:
    """Read, decode and extract the facts of a batch of files (this runs on the workers). Facts
    become Arrow tables every FACT_ROWS_PER_PIECE rows, so that a file with a very large number of
    figures holds no more than that many Fact objects at once."""
    files: list[FileResult] = []
    pieces: list[pa.Table] = []
    pending: list[Fact] = []

    def emit(facts: list[Fact]) -> None:
        pending.extend(facts)
        if len(pending) >= FACT_ROWS_PER_PIECE:
            pieces.append(records_to_table(pending, FACT_SCHEMA))
            pending.clear()

    for task in tasks:
        records = _process_file(task, metadata, emit)
        files.append(FileResult(records, sum(record.n_facts for record in records)))
    if pending or not pieces:
        pieces.append(records_to_table(pending, FACT_SCHEMA))
    facts = pieces[0] if len(pieces) == 1 else pa.concat_tables(pieces).combine_chunks()
    return BatchResult(files, facts)


def failed_batch(tasks: list[FileTask], reason: str) -> BatchResult:
    """The result of a batch the workers could not process: an error row per file."""
    files = [
        FileResult([DocumentRecord(task.source, "error", size=len(task.raw), content_hash=task.content_hash, error=f"{task.source}: {reason}")], 0)
        for task in tasks
    ]
    return BatchResult(files, FACT_SCHEMA.empty_table())


def combined_batches(results: list[BatchResult]) -> BatchResult:
    """One batch's result from those of its files processed one at a time."""
    files = [file for result in results for file in result.files]
    return BatchResult(files, pa.concat_tables([result.facts for result in results]).combine_chunks())


def _process_file(task: FileTask, metadata: MetadataTable | None, emit) -> list[DocumentRecord]:
    records = []
    try:
        items = parse_bytes(task.raw, task.source, task.content_hash)
    except Exception as error:  # a reader library tripping on one odd file must not stop the run
        problem = f"{task.source}: reader failed: {type(error).__name__}: {error}"
        return [DocumentRecord(task.source, "error", size=len(task.raw), content_hash=task.content_hash, error=problem)]
    for item in items:
        if isinstance(item, DocumentError):
            records.append(
                DocumentRecord(
                    source=item.source,
                    status="error",
                    size=len(task.raw),
                    content_hash=task.content_hash,
                    error=str(item),
                )
            )
            continue
        document = item
        if metadata is not None:
            found = metadata.lookup(document.source, _line_relative(document.source, task))
            if found is not None:
                document = found.apply(document)
        document = with_stated_provenance(document)
        size = len(task.raw) if document.source == task.source else len(document.text.encode("utf-8"))
        record = DocumentRecord(
            source=document.source,
            status="ok",
            doc_id=document.doc_id,
            size=size,
            encoding=document.encoding,
            content_hash=document.content_hash,
            title=document.title,
            outlet=document.outlet,
            published=document.published,
            url=document.url,
            warning=document.warning,
        )
        if not document.text.strip():
            reason = document.warning or ("0 bytes" if not task.raw else "no text, only white space")
            records.append(dataclasses.replace(record, status="empty", error=f"{document.source}: empty: {reason}", warning=None))
            continue
        try:
            n_facts = _extract_in_sections(document, emit)
        except Exception as error:  # one article that trips the extractor must not stop the run
            records.append(
                dataclasses.replace(
                    record, status="error", error=f"{document.source}: extractor failed: {type(error).__name__}: {error}"
                )
            )
            continue
        records.append(dataclasses.replace(record, n_facts=n_facts))
    return records


def _extract_in_sections(document, emit) -> int:
    """Extract a document's facts and hand them to `emit`; the number of facts. A document longer
    than SECTION_CHARS is extracted a section at a time (cut at line breaks), offsets and ids made
    those of the whole document, so that what one document costs is bounded by the section."""
    if len(document.text) <= SECTION_CHARS:
        facts = extract_facts(document)
        emit(facts)
        return len(facts)
    doc_id, total = document.doc_id, 0
    for start, end in sections(document.text, SECTION_CHARS):
        part = extract_facts(dataclasses.replace(document, text=document.text[start:end]))
        emit(
            [
                dataclasses.replace(
                    fact,
                    doc_id=doc_id,
                    char_start=fact.char_start + start,
                    char_end=fact.char_end + start,
                    fact_id=fact_id(doc_id, fact.char_start + start, fact.char_end + start, document.source),
                )
                for fact in part
            ]
        )
        total += len(part)
    return total


def _line_relative(source: str, task: FileTask) -> str | None:
    if task.relative is None:
        return None
    return task.relative + source[len(task.source) :]


def _error_record(entry: InputFile, problem: str, size: int | None = None) -> DocumentRecord:
    return DocumentRecord(source=entry.source, status="error", size=size, error=f"{entry.source}: {problem}")


def read_input(entry: InputFile, roots: tuple[str, ...], follow_symlinks: bool) -> bytes:
    """The bytes of a regular file, read without blocking; raise OSError-free ValueError naming
    what else it is: a FIFO or device (whose reading would block or never end), a dangling link,
    a link loop, a link out of the folders given (followed only with follow_symlinks)."""
    path = entry.path
    try:
        info = os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ValueError("a symbolic link loop") from None
        if error.errno == errno.ENOENT and os.path.islink(path):
            raise ValueError(f"a dangling symbolic link (to {display_name(os.readlink(path))})") from None
        raise ValueError(f"unreadable: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"not a regular file ({_file_kind(info.st_mode)}): not read")
    if entry.folder_length is not None and not follow_symlinks and os.path.islink(path):
        target = os.path.realpath(path)
        if not any(target.startswith(root) for root in roots):
            raise ValueError("a symbolic link to a file outside the folders given: not read (--follow-symlinks reads it)")
    if info.st_size > MAX_FILE_BYTES:
        raise ValueError(f"too large: {info.st_size:,} bytes (the limit is {MAX_FILE_BYTES:,})")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        raise ValueError(f"unreadable: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # replaced since the stat above
            raise ValueError("not a regular file: not read")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise ValueError(f"too large: over {MAX_FILE_BYTES:,} bytes (the limit)")
        return b"".join(chunks)
    except OSError as error:
        raise ValueError(f"unreadable: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):  # fmt: skip
        if test(mode):
            return name
    return "not a file"


def folder_roots(sources: list[str]) -> tuple[str, ...]:
    """The real paths of the folders given (and of globs' literal folders), each ending in a
    separator: a symbolic link met in a walk may point inside them."""
    roots = []
    for source in sources:
        folder = source
        if glob.has_magic(source) and not os.path.lexists(source):
            components = source.split("/")
            literal = 0
            while literal < len(components) - 1 and not glob.has_magic(components[literal]):
                literal += 1
            folder = "/".join(components[:literal]) or "."
        if os.path.isdir(folder):
            roots.append(os.path.join(os.path.realpath(folder), ""))
    return tuple(roots)


@dataclass
class _Slot:
    """One input file's place in a batch: its rows are ready (skipped, unreadable) or come back
    from a worker as the next FileResult of the batch."""

    entry: InputFile
    records: list[DocumentRecord] | None = None
    kept: tuple[str, ...] = ()  # files whose facts are read from the last run's table when written


def _batches(
    inputs: Iterator[InputFile],
    previous: PreviousRun | None,
    batch_bytes_target: int = BATCH_BYTES,
    roots: tuple[str, ...] = (),
    follow_symlinks: bool = False,
) -> Iterator[tuple[list[_Slot], list[FileTask], int]]:
    """Group the inputs into batches of about `batch_bytes_target`; read each file here (its hash
    decides whether it changed), so that workers need no access to the files."""
    slots: list[_Slot] = []
    tasks: list[FileTask] = []
    batch_bytes = 0
    for entry in inputs:
        slot = _Slot(entry)
        slots.append(slot)
        if entry.problem:
            slot.records = [_error_record(entry, entry.problem)]
            if previous is not None:
                _salvage(slot, previous, entry.problem)
        else:
            try:
                raw = read_input(entry, roots, follow_symlinks)
            except ValueError as problem:
                slot.records = [_error_record(entry, str(problem), _size(entry) or None)]
                if previous is not None and str(problem).startswith("unreadable"):
                    _salvage(slot, previous, str(problem))
                raw = None
            if raw is not None:
                content_hash = content_hash_of(raw)
                batch_bytes += len(raw)
                kept = previous.unchanged(entry.source, content_hash) if previous else None
                if kept is not None:
                    slot.records, slot.kept = kept, (entry.source,)
                else:
                    tasks.append(FileTask(entry.source, entry.relative, content_hash, raw))
        if batch_bytes >= batch_bytes_target or len(slots) >= BATCH_FILES:
            yield slots, tasks, batch_bytes
            slots, tasks, batch_bytes = [], [], 0
    if slots:
        yield slots, tasks, batch_bytes


def _salvage(slot: _Slot, previous: PreviousRun, problem: str) -> None:
    """An unreadable file (or every file of the last run below an unreadable folder) keeps its
    rows and facts of the last run, with status error and the reason."""
    entry = slot.entry
    names = previous.files_under(entry.source) if entry.is_folder else [entry.source]
    kept = []
    for name in names:
        rows = previous.rows_of(name)
        if not rows:
            continue
        n_facts = sum(row.n_facts for row in rows)
        where = f" (its folder {entry.source})" if entry.is_folder else ""
        message = f"{name}: {problem}{where}; its {n_facts} facts of the last run are kept"
        slot.records.extend(dataclasses.replace(row, status="error", error=message) for row in rows)
        kept.append(name)
    if entry.is_folder and kept:
        note = f"; its {len(kept)} files of the last run keep their facts"
        slot.records[0] = dataclasses.replace(slot.records[0], error=slot.records[0].error + note)
    elif kept:
        slot.records = slot.records[1:]  # the file's own rows of the last run say it
    slot.kept = tuple(kept)


def run_corpus(
    sources: list[str],
    out_dir: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    metadata: MetadataTable | None = None,
    full: bool = False,
    progress: str = "auto",
    follow_symlinks: bool = False,
    wait: bool = False,
) -> RunSummary:
    """Extract the facts of every document in `sources` into out_dir (see the module docstring).

    workers: None = as many local processes as cores (in this process for a small corpus),
    1 = in this process, N = N local Dask worker processes; scheduler: an existing Dask cluster.
    progress: "bar", "log", "none" or "auto" (a bar on a terminal, log lines otherwise).
    Raises SourceError when a source names nothing, OutputError when out_dir cannot be used,
    before anything is written.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    # Counted for the progress and the batch size, not kept; a source naming nothing stops here.
    n_files, total_bytes = check_sources(sources, follow_symlinks)
    roots = folder_roots(sources)
    fingerprint = code_fingerprint(metadata.fingerprint if metadata else "")
    counts = {"ok": 0, "empty": 0, "error": 0, "skipped": 0}
    errors: list[str] = []
    n_facts = 0
    done_bytes = 0
    salvaged_files = salvaged_facts = 0
    first_of_text: dict[str, str] = {}
    reporter = _progress_reporter(progress, n_files, total_bytes)
    previous = None
    with OutputLock(out_dir, wait=wait):
        previous = PreviousRun.open(out_dir, fingerprint, reuse=not full)
        executor = _choose_executor(workers, scheduler, total_bytes)
        reviews = ReviewBook.open(out_dir)  # the analysts' decisions, applied to every batch below
        errors.extend(reviews.problems)
        try:
            with TableWriter(out_dir, fingerprint) as writer, executor:
                reporter.start(executor.description)
                # Several batches per worker, so that all are busy to the end; none larger than BATCH_BYTES.
                target = max(64 * 1024, min(BATCH_BYTES, total_bytes // (4 * max(1, executor.worker_count))))
                batches = _batches(iter_inputs(sources, follow_symlinks), previous, target, roots, follow_symlinks)
                for slots, batch_bytes, result in _with_results(executor, batches, metadata):
                    records, facts = reviews.apply(*_batch_rows(slots, result, previous))
                    if metadata is not None:
                        _mark_metadata_used(metadata, slots)
                    for index, record in enumerate(records):
                        if record.doc_id is not None and record.status in ("ok", "skipped"):
                            first = first_of_text.setdefault(record.doc_id, record.source)
                            duplicate_of = first if first != record.source else None
                            if duplicate_of != record.duplicate_of:
                                records[index] = record = dataclasses.replace(record, duplicate_of=duplicate_of)
                        counts[record.status] += 1
                        n_facts += record.n_facts
                        if record.status == "error":
                            errors.append(record.error)
                            if record.n_facts:
                                salvaged_files += 1
                                salvaged_facts += record.n_facts
                    writer.write(records, facts)
                    done_bytes += batch_bytes
                    reporter.update(len(slots), done_bytes)
                writer.commit()
        finally:
            reporter.close()
            if previous is not None:
                previous.close()
    return RunSummary(
        out_dir, counts, n_facts, total_bytes, time.perf_counter() - started, executor.description, errors,
        salvaged=(salvaged_files, salvaged_facts), orphaned_reviews=len(reviews.orphans()),
    )


def _mark_metadata_used(metadata: MetadataTable, slots: list[_Slot]) -> None:
    """Note which rows of --meta describe a document of this batch (the others are reported)."""
    for slot in slots:
        relative = slot.entry.relative
        for record in slot.records or ():
            line = record.source[len(slot.entry.source) :] if record.source.startswith(slot.entry.source) else ""
            metadata.mark_used(record.source, None if relative is None else relative + line)


def _batch_rows(
    slots: list[_Slot], result: BatchResult | None, previous: PreviousRun | None
) -> tuple[list[DocumentRecord], pa.Table]:
    """The document rows of a batch, in input order, and its facts as one table in the same order:
    the worker's facts for the files computed, the last run's for the files kept. One table per
    batch, not one per file: a table has a fixed cost of a few kilobytes, which for a million small
    files would be gigabytes."""
    file_results = iter(result.files) if result else iter(())
    records: list[DocumentRecord] = []
    pieces: list[pa.Table] = []
    computed_from = computed_to = 0  # the worker's facts not yet in pieces
    for slot in slots:
        if slot.records is None:
            file_result = next(file_results)
            slot.records = file_result.records
            computed_to += file_result.n_facts
        elif slot.kept:
            if computed_to > computed_from:
                pieces.append(result.facts.slice(computed_from, computed_to - computed_from))
                computed_from = computed_to
            pieces.extend(previous.facts_of(source) for source in slot.kept)
        records.extend(slot.records)
    if computed_to > computed_from:
        pieces.append(result.facts.slice(computed_from, computed_to - computed_from))
    if len(pieces) == 1:
        return records, pieces[0]
    return records, pa.concat_tables(pieces).combine_chunks() if pieces else FACT_SCHEMA.empty_table()


def _with_results(executor, batches, metadata):
    """(slots, bytes, BatchResult or None) per batch, in order. A batch with nothing to compute
    (every file skipped or unreadable) goes through the executor as None, in its place, so that
    no more than the executor's window of batches is ever held here. A batch the workers cannot
    finish (a worker lost or stuck twice) is retried a file at a time; a file that fails alone
    gets an error row."""
    pending: collections.deque[tuple[list[_Slot], int]] = collections.deque()

    def tasks():
        for slots, batch_tasks, batch_bytes in batches:
            pending.append((slots, batch_bytes))
            yield batch_tasks or None

    results = executor.map_ordered(
        process_batch, tasks(), metadata, split=lambda batch: [[task] for task in batch], combine=combined_batches,
        failed=failed_batch, size=lambda batch: sum(len(task.raw) for task in batch),
    )
    for result in results:
        slots, batch_bytes = pending.popleft()
        yield slots, batch_bytes, result


def _size(entry: InputFile) -> int:
    try:
        return os.stat(entry.path).st_size if not entry.problem else 0
    except OSError:
        return 0


def _choose_executor(workers: int | None, scheduler: str | None, total_bytes: int):
    if scheduler:
        return DaskExecutor(scheduler=scheduler)
    if workers is None:
        cores = os.cpu_count() or 1
        if cores == 1 or total_bytes < SMALL_CORPUS_BYTES:
            return InProcess()
        return DaskExecutor(workers=cores)
    return InProcess() if workers <= 1 else DaskExecutor(workers=workers)


class _Progress:
    """A tqdm bar (documents/s) on a terminal; plain log lines every few seconds otherwise."""

    def __init__(self, mode: str, total_files: int, total_bytes: int, log_every: float = 5.0):
        self.mode = mode
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.log_every = log_every
        self.files = 0
        self.started = time.perf_counter()
        self.last_log = self.started
        self.bar = None

    def start(self, where: str) -> None:
        self.started = self.last_log = time.perf_counter()
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=self.total_files, unit="doc", desc="etl", file=sys.stderr, dynamic_ncols=True)
        elif self.mode == "log":
            print(f"etl: {self.total_files} files, {self.total_bytes / 1e6:.1f} MB, {where}", file=sys.stderr, flush=True)

    def update(self, files: int, done_bytes: int) -> None:
        self.files += files
        now = time.perf_counter()
        elapsed = max(now - self.started, 1e-9)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{done_bytes / 1e6 / elapsed:.1f} MB/s", refresh=False)
            self.bar.update(files)
        elif self.mode == "log" and (now - self.last_log >= self.log_every or self.files == self.total_files):
            self.last_log = now
            print(
                f"etl: {self.files}/{self.total_files} files ({100 * self.files / max(self.total_files, 1):.0f}%), "
                f"{done_bytes / 1e6:.1f} MB, {self.files / elapsed:.0f} docs/s, {done_bytes / 1e6 / elapsed:.1f} MB/s",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress_reporter(mode: str, total_files: int, total_bytes: int) -> _Progress:
    if mode == "auto":
        mode = "bar" if sys.stderr.isatty() else "log"
    return _Progress(mode, total_files, total_bytes)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SRC",
        help="article files, folders (searched recursively for .txt .md .html .htm .jsonl) or globs "
        "(quote them: 'archive/**/*.html'); default: seeds/",
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help="where facts.parquet and documents.parquet go (default: data/)"
    )
    parser.add_argument(
        "--meta",
        metavar="FILE",
        help="CSV or JSONL with a `source` column and any of published, outlet, title, url; "
        "it wins over what is found in the articles",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="1 = in this process; N = N local Dask worker processes "
        "(default: one per core, or this process alone for a corpus under 16 MB)",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster (tcp://host:8786)")
    parser.add_argument("--full", action="store_true", help="reprocess every document, even those unchanged since the last run")
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read symbolic links that lead out of the folders given, and walk linked folders (loops are still cut)",
    )
    parser.add_argument(
        "--wait", action="store_true", help="when another run is writing to --out, wait for it instead of failing"
    )
    parser.add_argument(
        "--progress",
        choices=("auto", "bar", "log", "none"),
        default="auto",
        help="a progress bar (default on a terminal), log lines (default otherwise), or nothing",
    )


def run(args: argparse.Namespace) -> int:
    metadata = None
    if args.meta:
        try:
            metadata = MetadataTable.load(Path(args.meta))
        except ValueError as error:
            print(f"error: --meta {error}", file=sys.stderr)
            return 2
        for problem in metadata.problems:
            print(f"warning: --meta {problem}", file=sys.stderr)
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        summary = run_corpus(
            args.sources or list(DEFAULT_SOURCES),
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            metadata=metadata,
            full=args.full,
            progress=args.progress,
            follow_symlinks=args.follow_symlinks,
            wait=args.wait,
        )
    except KeyboardInterrupt:
        print(f"interrupted: {out} is left as it was before this run", file=sys.stderr)
        return 130
    except SourceError as error:
        print(f"error: {error}; nothing was written", file=sys.stderr)
        return 2
    except (OutputError, ExecutorError) as error:
        print(f"error: {error}; {out} is left as it was before this run", file=sys.stderr)
        return 2
    except OSError as error:  # disk full, a folder made read-only during the run
        where = f" ({error.filename})" if error.filename else ""
        print(f"error: cannot write the tables{where}: {error.strerror or error}; {out} is left as it was before this run", file=sys.stderr)
        return 2
    for message in summary.errors[:MAX_REPORTED_ERRORS]:
        print(f"error: {message}", file=sys.stderr)
    if len(summary.errors) > MAX_REPORTED_ERRORS:
        print(
            f"... and {len(summary.errors) - MAX_REPORTED_ERRORS} more errors: see {out / 'documents.parquet'}",
            file=sys.stderr,
        )
    if metadata is not None and (unused := metadata.unused()):
        shown = ", ".join(repr(source) for source in unused[:5]) + (f" and {len(unused) - 5} more" if len(unused) > 5 else "")
        print(f"warning: --meta {args.meta}: {len(unused)} sources match no input: {shown}", file=sys.stderr)
    print(summary.line())
    return summary.exit_code
