"""Throughput of the fact stage (quantities → facts) on the seed articles repeated, in MB/s of text.

Prints, per core (this process alone, CPU time):
- find_quantities alone (another stage, for scale);
- the fact stage alone: facts_from_quantities given the quantities and the simplified view, as
  extract_facts calls it (keep/drop, classify, places, periods, Fact rows);
- quantities and facts together: extract_facts (simplified view, quantities, facts);
and how many times find_quantities' time the fact stage takes.

The corpus is the seeds repeated to at least 5 MB. The caches that fill as articles are read (the
place named before a suffix, the rules a keyword admits for a unit) are emptied first, so their
filling is part of the figures; in a repeated corpus they are warm after the first round, as they
are in a real archive where the same places and keywords recur.
"""

from __future__ import annotations

import time
from pathlib import Path

from etl.classify import load_lexicon
from etl.documents import Document
from etl.facts import extract_facts, facts_from_quantities
from etl.places import load_gazetteer
from etl.quantities import find_quantities
from etl.sentences import simplified_view

ROOT = Path(__file__).resolve().parent.parent
MIN_MEGABYTES = 5.0


def main() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    seed_bytes = sum(len(t.encode("utf-8")) for t in texts)
    rounds = int(MIN_MEGABYTES * 1e6 // seed_bytes) + 1
    megabytes = seed_bytes * rounds / 1e6
    documents = [Document.from_text(t, source=f"seed{i}") for i, t in enumerate(texts)]
    extract_facts(documents[0])  # load the division table, lexicon and rules once
    views = [simplified_view(d.text) for d in documents]
    found = [find_quantities(v) for v in views]
    load_gazetteer().suffix_mentions.clear()
    load_lexicon().unit_rules.clear()

    started = time.process_time()
    for _ in range(rounds):
        for view in views:
            find_quantities(view)
    quantities_seconds = time.process_time() - started

    started = time.process_time()
    facts = 0
    for _ in range(rounds):
        for document, quantities, view in zip(documents, found, views):
            facts += len(facts_from_quantities(document, quantities, view))
    facts_seconds = time.process_time() - started

    started = time.process_time()
    for _ in range(rounds):
        for document in documents:
            extract_facts(document)
    both_seconds = time.process_time() - started

    per_doc_ms = facts_seconds / (rounds * len(documents)) * 1000
    print(
        f"fact stage on {len(documents)} seeds x {rounds} "
        f"({megabytes:.1f} MB of UTF-8 text, {facts} facts), per core"
    )
    print(f"  find_quantities alone (etl.quantities) : {megabytes / quantities_seconds:6.2f} MB/s")
    print(
        f"  fact stage alone (facts_from_quantities): {megabytes / facts_seconds:6.2f} MB/s, "
        f"{per_doc_ms:.2f} ms per article"
    )
    print(f"  quantities + facts (extract_facts)     : {megabytes / both_seconds:6.2f} MB/s")
    print(f"  fact stage / find_quantities time      : {facts_seconds / quantities_seconds:6.1f}x")


if __name__ == "__main__":
    main()
