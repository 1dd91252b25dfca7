"""Throughput of the fact stage (quantities → facts) on the seed articles, in MB/s of text.

Prints the time per document and the throughput of find_quantities alone and of the whole
extract_facts, after a warm-up that loads the data files once.
"""

from __future__ import annotations

import time
from pathlib import Path

from etl.documents import Document
from etl.facts import extract_facts
from etl.quantities import find_quantities

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
    started = time.perf_counter()
    facts = 0
    for _ in range(ROUNDS):
        for document in documents:
            facts += len(extract_facts(document))
    facts_seconds = time.perf_counter() - started
    per_doc_ms = facts_seconds / (ROUNDS * len(documents)) * 1000
    print(f"fact stage on {len(documents)} seeds x {ROUNDS} ({megabytes:.1f} MB of UTF-8 text, {facts} facts)")
    print(f"  find_quantities alone : {megabytes / quantities_seconds:6.2f} MB/s")
    print(f"  extract_facts (all)   : {megabytes / facts_seconds:6.2f} MB/s, {per_doc_ms:.2f} ms per article")
    print(f"  facts without quantities: {megabytes / max(facts_seconds - quantities_seconds, 1e-9):6.2f} MB/s")


if __name__ == "__main__":
    main()
