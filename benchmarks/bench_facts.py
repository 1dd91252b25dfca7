"""Throughput of the fact stage (quantities → facts) on the seed articles, in MB/s of text.

Prints the throughput of find_quantities (another stage) and of this stage given the quantities
(keep/drop, classify, places, periods), after a warm-up that loads the data files once.
"""

from __future__ import annotations

import time
from pathlib import Path

from etl.documents import Document
from etl.facts import extract_facts, facts_from_quantities
from etl.quantities import find_quantities
from etl.sentences import simplified_view

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 40


def main() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    documents = [Document.from_text(t, source=f"seed{i}") for i, t in enumerate(texts)]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) * ROUNDS / 1e6
    extract_facts(documents[0])  # load the division table, lexicon and rules once
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for text in texts:
            find_quantities(text)
    quantities_seconds = time.perf_counter() - started
    found = [find_quantities(simplified_view(d.text)) for d in documents]
    started = time.perf_counter()
    facts = 0
    for _ in range(ROUNDS):
        for document, quantities in zip(documents, found):
            facts += len(facts_from_quantities(document, quantities))
    facts_seconds = time.perf_counter() - started
    per_doc_ms = facts_seconds / (ROUNDS * len(documents)) * 1000
    print(
        f"fact stage on {len(documents)} seeds x {ROUNDS} ({megabytes:.1f} MB of UTF-8 text, {facts} facts)"
    )
    print(f"  find_quantities (etl.quantities)      : {megabytes / quantities_seconds:6.2f} MB/s")
    print(
        f"  facts from given quantities (this stage): {megabytes / facts_seconds:6.2f} MB/s, {per_doc_ms:.2f} ms per article"
    )
    print(
        f"  both                                   : {megabytes / (facts_seconds + quantities_seconds):6.2f} MB/s"
    )


if __name__ == "__main__":
    main()
