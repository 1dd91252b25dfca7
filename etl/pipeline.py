"""`govstats etl`: extract the facts of a corpus into OUT/facts.parquet and OUT/documents.parquet.

Every input file gets a row in documents.parquet saying what happened to it (a .jsonl file, one row
per article): ok, empty, error (with the reason) or skipped (unchanged since the last run, its facts
kept). A broken file never stops the run. Outputs are written to temporary files and renamed into
place at the end, so an interrupted run leaves the previous tables intact. Work is spread over Dask
workers: local processes by default, or an existing cluster with --scheduler.
Exit code: 0 when no document has status error, 1 when some do, 2 for unusable options, 130
when interrupted.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import glob
import os
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
)
from etl.executors import DaskExecutor, InProcess
from etl.facts import extract_facts
from etl.provenance import with_stated_provenance
from etl.reviews import ReviewBook
from etl.schema import FACT_SCHEMA, DocumentRecord, records_to_table
from etl.tables import PreviousRun, TableWriter, code_fingerprint

DEFAULT_SOURCES = ("seeds",)
DEFAULT_OUT = "data"
# Below this many input bytes a Dask cluster costs more to start (about 3 s) than it saves.
SMALL_CORPUS_BYTES = 16 * 1024 * 1024
BATCH_BYTES = 2 * 1024 * 1024
BATCH_FILES = 200
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to read: `source` is its name in the tables, `relative` its path below the folder
    it was found in (for metadata lookup), `problem` why it cannot even be opened.

    A corpus may have millions of files, so an entry is kept small: the relative path is not
    stored but cut from the path, which starts with the folder's name and a slash.

    >>> InputFile("archive/2013/a.txt", "archive/2013/a.txt", folder_length=8).relative
    '2013/a.txt'
    """

    path: str
    source: str
    folder_length: int | None = None
    problem: str | None = None

    @property
    def relative(self) -> str | None:
        return None if self.folder_length is None else self.path[self.folder_length :]


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
        """
        parts = ", ".join(f"{n} {status}" for status, n in self.counts.items())
        speed = self.n_bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0
        orphans = (
            f"; {self.orphaned_reviews} review decisions orphaned (govstats review --orphans)" if self.orphaned_reviews else ""
        )
        return (
            f"{self.n_documents} documents: {parts}; {self.n_facts} facts -> {self.out_dir / 'facts.parquet'} "
            f"({self.seconds:.1f} s, {speed:.1f} MB/s){orphans}"
        )


def iter_inputs(sources: list[str]) -> Iterator[InputFile]:
    """Every file named, every article file below every folder named (recursively, hidden files
    and folders left out), every file matched by a glob; in a stable order, each once. A source
    that names nothing becomes an InputFile with a problem, so that it gets its error row.

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

    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = False
            for file, folder_length in _article_files(path):
                found = True
                if first_time(file):
                    yield InputFile(file, file, folder_length)
            if not found and first_time(source):
                yield InputFile(source, source, problem=f"no article files ({', '.join(ARTICLE_SUFFIXES)}) in this folder")
        elif path.exists():
            if first_time(source):
                yield InputFile(source, source)
        elif glob.has_magic(source):
            matches = sorted(glob.glob(source, recursive=True))
            if not matches and first_time(source):
                yield InputFile(source, source, problem="unreadable: no file matches this pattern")
            for match in matches:
                if Path(match).is_dir():
                    for file, folder_length in _article_files(Path(match)):
                        if first_time(file):
                            yield InputFile(file, file, folder_length)
                elif first_time(match):
                    yield InputFile(match, match)
        elif first_time(source):
            yield InputFile(source, source, problem="unreadable: no such file or folder")


def _article_files(folder: Path) -> Iterator[tuple[str, int]]:
    """(path, length of the folder's part of it) of every article file below `folder`, hidden
    files and folders left out, in the order of sorted(folder.rglob("*")): a folder's entries
    sorted by name, a subfolder's files in its place. Symbolic links to folders are not followed.
    Paths are made as strings, a folder at a time: a million Path objects would take half a
    gigabyte.
    """
    base = str(folder)
    prefix = "" if base == "." else base + os.sep
    yield from ((path, len(prefix)) for path in _walk(base, prefix))


def _walk(directory: str, prefix: str) -> Iterator[str]:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path, path + os.sep)
        elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES and entry.is_file():
            yield path


def process_batch(tasks: list[FileTask], metadata: MetadataTable | None) -> BatchResult:
    """Read, decode and extract the facts of a batch of files (this runs on the workers)."""
    files, facts = [], []
    for task in tasks:
        records, file_facts = _process_file(task, metadata)
        files.append(FileResult(records, len(file_facts)))
        facts.extend(file_facts)
    return BatchResult(files, records_to_table(facts, FACT_SCHEMA))


def _process_file(task: FileTask, metadata: MetadataTable | None) -> tuple[list[DocumentRecord], list]:
    records, facts = [], []
    try:
        items = parse_bytes(task.raw, task.source, task.content_hash)
    except Exception as error:  # a reader library tripping on one odd file must not stop the run
        problem = f"{task.source}: reader failed: {type(error).__name__}: {error}"
        return [DocumentRecord(task.source, "error", size=len(task.raw), content_hash=task.content_hash, error=problem)], []
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
            document_facts = extract_facts(document)
        except Exception as error:  # one article that trips the extractor must not stop the run
            records.append(
                dataclasses.replace(
                    record, status="error", error=f"{document.source}: extractor failed: {type(error).__name__}: {error}"
                )
            )
            continue
        records.append(dataclasses.replace(record, n_facts=len(document_facts)))
        facts.extend(document_facts)
    return records, facts


def _line_relative(source: str, task: FileTask) -> str | None:
    if task.relative is None:
        return None
    return task.relative + source[len(task.source) :]


def _error_record(entry: InputFile, problem: str, size: int | None = None) -> DocumentRecord:
    return DocumentRecord(source=entry.source, status="error", size=size, error=f"{entry.source}: {problem}")


@dataclass
class _Slot:
    """One input file's place in a batch: its rows are ready (skipped, unreadable) or come back
    from a worker as the next FileResult of the batch."""

    entry: InputFile
    records: list[DocumentRecord] | None = None
    kept: bool = False  # unchanged since the last run: its facts are read from the old table when written


def _batches(
    inputs: Iterator[InputFile], previous: PreviousRun | None, batch_bytes_target: int = BATCH_BYTES
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
        elif (size := _size(entry)) > MAX_FILE_BYTES:
            slot.records = [_error_record(entry, f"too large: {size:,} bytes (the limit is {MAX_FILE_BYTES:,})", size)]
        else:
            try:
                raw = Path(entry.path).read_bytes()
            except OSError as error:
                slot.records = [_error_record(entry, f"unreadable: {error.strerror or error}")]
                raw = b""
            if slot.records is None:
                content_hash = content_hash_of(raw)
                batch_bytes += len(raw)
                kept = previous.unchanged(entry.source, content_hash) if previous else None
                if kept is not None:
                    slot.records, slot.kept = kept, True
                else:
                    tasks.append(FileTask(entry.source, entry.relative, content_hash, raw))
        if batch_bytes >= batch_bytes_target or len(slots) >= BATCH_FILES:
            yield slots, tasks, batch_bytes
            slots, tasks, batch_bytes = [], [], 0
    if slots:
        yield slots, tasks, batch_bytes


def run_corpus(
    sources: list[str],
    out_dir: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    metadata: MetadataTable | None = None,
    full: bool = False,
    progress: str = "auto",
) -> RunSummary:
    """Extract the facts of every document in `sources` into out_dir (see the module docstring).

    workers: None = as many local processes as cores (in this process for a small corpus),
    1 = in this process, N = N local Dask worker processes; scheduler: an existing Dask cluster.
    progress: "bar", "log", "none" or "auto" (a bar on a terminal, log lines otherwise).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    n_files = total_bytes = 0
    for entry in iter_inputs(sources):  # counted for the progress and the batch size, not kept
        n_files += 1
        total_bytes += _size(entry)
    fingerprint = code_fingerprint(metadata.fingerprint if metadata else "")
    previous = None if full else PreviousRun.open(out_dir, fingerprint)
    executor = _choose_executor(workers, scheduler, total_bytes)
    counts = {"ok": 0, "empty": 0, "error": 0, "skipped": 0}
    errors: list[str] = []
    n_facts = 0
    done_bytes = 0
    reporter = _progress_reporter(progress, n_files, total_bytes)
    reviews = ReviewBook.open(out_dir)  # the analysts' decisions, applied to every batch below
    errors.extend(reviews.problems)
    try:
        with TableWriter(out_dir, fingerprint) as writer, executor:
            reporter.start(executor.description)
            # Several batches per worker, so that all are busy to the end; none larger than BATCH_BYTES.
            target = max(64 * 1024, min(BATCH_BYTES, total_bytes // (4 * max(1, executor.worker_count))))
            pairs = _with_results(executor, _batches(iter_inputs(sources), previous, target), metadata)
            for slots, batch_bytes, result in pairs:
                records, facts = reviews.apply(*_batch_rows(slots, result, previous))
                writer.write(records, facts)
                for record in records:
                    counts[record.status] += 1
                    n_facts += record.n_facts
                    if record.status == "error":
                        errors.append(record.error)
                done_bytes += batch_bytes
                reporter.update(len(slots), done_bytes)
            writer.commit()
    finally:
        reporter.close()
        if previous is not None:
            previous.close()
    return RunSummary(
        out_dir, counts, n_facts, total_bytes, time.perf_counter() - started, executor.description, errors,
        orphaned_reviews=len(reviews.orphans()),
    )


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
            pieces.append(previous.facts_of(slot.entry.source))
        records.extend(slot.records)
    if computed_to > computed_from:
        pieces.append(result.facts.slice(computed_from, computed_to - computed_from))
    if len(pieces) == 1:
        return records, pieces[0]
    return records, pa.concat_tables(pieces).combine_chunks() if pieces else FACT_SCHEMA.empty_table()


def _with_results(executor, batches, metadata):
    """(slots, bytes, BatchResult or None) per batch, in order. A batch with nothing to compute
    (every file skipped or unreadable) goes through the executor as None, in its place, so that
    no more than the executor's window of batches is ever held here."""
    pending: collections.deque[tuple[list[_Slot], int]] = collections.deque()

    def tasks():
        for slots, batch_tasks, batch_bytes in batches:
            pending.append((slots, batch_bytes))
            yield batch_tasks or None

    for result in executor.map_ordered(process_batch, tasks(), metadata):
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
            print(f"warning: {problem}", file=sys.stderr)
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        summary = run_corpus(
            args.sources or list(DEFAULT_SOURCES),
            Path(args.out),
            workers=args.workers,
            scheduler=args.scheduler,
            metadata=metadata,
            full=args.full,
            progress=args.progress,
        )
    except KeyboardInterrupt:
        print(f"interrupted: {Path(args.out)} is left as it was before this run", file=sys.stderr)
        return 130
    for message in summary.errors[:MAX_REPORTED_ERRORS]:
        print(f"error: {message}", file=sys.stderr)
    if len(summary.errors) > MAX_REPORTED_ERRORS:
        print(
            f"... and {len(summary.errors) - MAX_REPORTED_ERRORS} more errors: see {Path(args.out) / 'documents.parquet'}",
            file=sys.stderr,
        )
    print(summary.line())
    return summary.exit_code
