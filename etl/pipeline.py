"""Run the extractor over a corpus and write facts.parquet and documents.parquet.

One row in documents.parquet per input file, whatever happened to it; a broken file is
reported there and never stops the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.documents import TEXT_SUFFIXES, DocumentError, read_document
from etl.facts import extract_facts
from etl.schema import DOCUMENT_SCHEMA, FACT_SCHEMA, DocumentRecord, records_to_table

DEFAULT_SOURCES = ("seeds",)
DEFAULT_OUT = "data"


def collect_files(sources: list[str]) -> list[Path]:
    """Every file named, and every article file below every folder named, in a stable order."""
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES))
        else:
            files.append(path)
    return files


def write_table_atomically(table: pa.Table, destination: Path) -> None:
    """Write to a temporary file beside the destination, then rename it into place."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(handle)
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_corpus(sources: list[str], out_dir: Path) -> list[DocumentRecord]:
    facts, records = [], []
    for path in collect_files(sources):
        try:
            document = read_document(path)
        except DocumentError as error:
            size = path.stat().st_size if path.is_file() else None
            records.append(DocumentRecord(source=str(path), status="error", size=size, error=str(error)))
            continue
        document_facts = extract_facts(document)
        facts.extend(document_facts)
        records.append(
            DocumentRecord(
                source=document.source,
                status="ok" if document.text.strip() else "empty",
                doc_id=document.doc_id,
                size=path.stat().st_size,
                encoding=document.encoding,
                content_hash=document.content_hash,
                n_facts=len(document_facts),
            )
        )
    write_table_atomically(records_to_table(facts, FACT_SCHEMA), out_dir / "facts.parquet")
    write_table_atomically(records_to_table(records, DOCUMENT_SCHEMA), out_dir / "documents.parquet")
    return records


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SRC",
        help="article files or folders (searched recursively); default: seeds/",
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help="where facts.parquet and documents.parquet go (default: data/)"
    )


def run(args: argparse.Namespace) -> int:
    records = run_corpus(args.sources or list(DEFAULT_SOURCES), Path(args.out))
    counts = {status: sum(r.status == status for r in records) for status in ("ok", "empty", "error")}
    for record in records:
        if record.status == "error":
            print(f"error: {record.error}", file=sys.stderr)
    n_facts = sum(r.n_facts for r in records)
    print(
        f"{len(records)} files: {counts['ok']} ok, {counts['empty']} empty, {counts['error']} error; "
        f"{n_facts} facts -> {Path(args.out) / 'facts.parquet'}"
    )
    return 1 if counts["error"] else 0
