"""What a review decision costs: applying the log to the tables as they are (what the dashboard and
`govstats review --apply` do after each decision) on a generated table of --facts rows, with
--decisions decisions in the log, and what the log adds to one pipeline batch.

Each measure is taken --repeat times and the best is printed (other work on a shared machine only
ever adds time).

    .venv/bin/python benchmarks/bench_reviews.py [--facts 1000000] [--decisions 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dashboard import generate_tables

from etl.reviews import Decision, ReviewBook, append_decisions, apply_to_tables, judged, read_decisions
from etl.schema import DocumentRecord


def best_of(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        generate_tables(data, args.facts)
        facts = pq.read_table(data / "facts.parquet")
        step = max(1, facts.num_rows // args.decisions)
        rows = (
            facts.slice(0, facts.num_rows)
            .take(list(range(0, facts.num_rows, step))[: args.decisions])
            .to_pylist()
        )
        decisions = [
            Decision.made("reject", row) if index % 3 == 0 else judged(row, {"category": "other"})
            for index, row in enumerate(rows)
        ]
        started = time.perf_counter()
        append_decisions(data, decisions)
        print(
            f"append {len(decisions):,} decisions in one locked write: {time.perf_counter() - started:.3f} s"
        )
        read = best_of(args.repeat, lambda: read_decisions(data))
        print(f"read the log ({len(decisions):,} lines): {read:.3f} s")
        applied = best_of(args.repeat, lambda: apply_to_tables(data))
        print(f"apply the log to {facts.num_rows:,} facts (read, apply, write both tables): {applied:.2f} s")
        one_more = best_of(
            args.repeat,
            lambda: (append_decisions(data, [Decision.made("confirm", rows[0])]), apply_to_tables(data)),
        )
        print(f"one more decision from the dashboard (append and apply): {one_more:.2f} s")

        batch = facts.slice(0, 5_000)
        documents = pq.read_table(data / "documents.parquet").to_pylist()
        batch_docs = set(batch.column("doc_id").to_pylist())
        names = DocumentRecord.__dataclass_fields__
        records = [
            DocumentRecord(**{k: v for k, v in d.items() if k in names})
            for d in documents
            if d["doc_id"] in batch_docs
        ]
        book = ReviewBook(read_decisions(data)[0])
        untouched = ReviewBook([])
        with_log = best_of(args.repeat, lambda: book.apply(records, batch))
        without = best_of(args.repeat, lambda: untouched.apply(records, batch))
        print(
            f"one pipeline batch of {batch.num_rows:,} facts: {with_log * 1000:.1f} ms with the log, {without * 1000:.2f} ms with an empty one"
        )


if __name__ == "__main__":
    main()
