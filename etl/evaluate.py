"""Score the extractor against hand-annotated facts (a gold JSONL file, one fact a line).

A predicted fact matches a gold fact of the same document when their spans overlap, their units
are equal and their values agree within 0.5%. Prints precision, recall and F1 (overall and per
category) and, over matched pairs, how often category, metric, subdistrict, year, qualifier and
is_target agree. Each gold line names its document (`doc`, a file name looked up in --docs).

    govstats eval --gold ../shared/gold/seeds.jsonl --docs seeds --show-errors
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from etl.category_model import CategoryModel
from etl.classify import load_lexicon
from etl.documents import DocumentError, MetadataTable, read_document
from etl.facts import extract_facts
from etl.schema import Fact

VALUE_TOLERANCE = 0.005
ATTRIBUTES = ("category", "metric", "subdistrict", "year", "qualifier", "is_target")
EXTRA_ATTRIBUTES = ("district", "level", "period_text")


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
        }


@dataclass
class Report:
    overall: Score = field(default_factory=Score)
    by_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    agreement: Counter = field(default_factory=Counter)
    compared: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def accuracy(self, attribute: str) -> float | None:
        return self.agreement[attribute] / self.compared[attribute] if self.compared[attribute] else None

    def as_dict(self) -> dict:
        return {
            **self.overall.as_dict(),
            "by_category": {name: score.as_dict() for name, score in sorted(self.by_category.items())},
            "accuracy": {
                name: (round(self.accuracy(name), 4) if self.accuracy(name) is not None else None)
                for name in (*ATTRIBUTES, "metric_named", *EXTRA_ATTRIBUTES)
            },
            "matched": self.overall.true_positives,
        }


def load_gold(path: Path) -> dict[str, list[dict]]:
    """Gold facts by document name; a malformed line is an error naming the file and the line."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                for key in ("doc", "char_start", "char_end", "value", "unit"):
                    record[key]
            except (json.JSONDecodeError, KeyError) as error:
                raise ValueError(f"{path}:{number}: not a gold fact ({error})") from error
            by_doc[record["doc"]].append(record)
    return by_doc


def values_agree(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b)) or a == b


def _matches(fact: Fact, gold: dict) -> bool:
    overlap = fact.char_start < gold["char_end"] and gold["char_start"] < fact.char_end
    return overlap and fact.unit == gold["unit"] and values_agree(fact.value, float(gold["value"]))


def match(facts: list[Fact], gold: list[dict]) -> tuple[list[tuple[dict, int | None]], list[int]]:
    """Pair every gold record (in text order) with the index of the fact it matches (None: missed),
    nearest start first; and the indices of the facts no record matched."""
    unmatched = list(range(len(facts)))
    pairs: list[tuple[dict, int | None]] = []
    for record in sorted(gold, key=lambda g: g["char_start"]):
        candidates = [i for i in unmatched if _matches(facts[i], record)]
        best = min(candidates, key=lambda i: abs(facts[i].char_start - record["char_start"]), default=None)
        if best is not None:
            unmatched.remove(best)
        pairs.append((record, best))
    return pairs, unmatched


def score_document(
    name: str, facts: list[Fact], gold: list[dict], report: Report, named: frozenset[str]
) -> None:
    pairs, unmatched = match(facts, gold)
    for record, best in pairs:
        category = record.get("category", "other")
        if best is None:
            report.overall.false_negatives += 1
            report.by_category[category].false_negatives += 1
            report.errors.append(
                f"MISS {name} {record['char_start']}:{record['char_end']} {record.get('raw_text')} ({category})"
            )
            continue
        fact = facts[best]
        report.overall.true_positives += 1
        report.by_category[category].true_positives += 1
        for attribute in (*ATTRIBUTES, *EXTRA_ATTRIBUTES):
            if attribute not in record:
                continue
            report.compared[attribute] += 1
            if getattr(fact, attribute) == record[attribute]:
                report.agreement[attribute] += 1
            elif attribute in ATTRIBUTES:
                report.errors.append(
                    f"DIFF {name} {fact.char_start}:{fact.char_end} {fact.raw_text} {attribute}: "
                    f"got {getattr(fact, attribute)!r}, gold {record[attribute]!r}"
                )
        if record.get("metric") in named:
            report.compared["metric_named"] += 1
            report.agreement["metric_named"] += fact.metric == record["metric"]
    for index in unmatched:
        fact = facts[index]
        report.overall.false_positives += 1
        report.by_category[fact.category].false_positives += 1
        report.errors.append(
            f"EXTRA {name} {fact.char_start}:{fact.char_end} {fact.raw_text} ({fact.category}) in {fact.sentence[:40]}"
        )


def evaluate(
    gold_path: Path,
    docs_dir: Path,
    metadata: MetadataTable | None = None,
    category_model: CategoryModel | None | str = "committed",
) -> Report:
    """Run the extractor on every document the gold file names and score it.

    Metadata (publication date, outlet …) applies exactly as in `govstats etl --meta`: it wins over
    what the article states about itself.
    """
    report = Report()
    named = load_lexicon().named_metrics
    for name, document, gold in gold_documents(gold_path, docs_dir, metadata):
        score_document(name, extract_facts(document, category_model), gold, report, named)
    return report


def gold_documents(gold_path: Path, docs_dir: Path, metadata: MetadataTable | None = None):
    """(name, document with its metadata applied, gold records) for every document the gold names."""
    for name, gold in sorted(load_gold(gold_path).items()):
        path = docs_dir / name
        try:
            document = read_document(path, source=name)
        except DocumentError as error:
            raise ValueError(f"{gold_path}: document {name}: {error}") from error
        found = metadata.lookup(name) if metadata is not None else None
        if found is not None:
            document = found.apply(document)
        yield name, document, gold


def format_report(report: Report) -> str:
    data = report.as_dict()
    lines = [
        (
            f"facts: precision {data['precision']:.3f}  recall {data['recall']:.3f}  F1 {data['f1']:.3f}"
            f"  (matched {data['tp']}, extra {data['fp']}, missed {data['fn']})"
        ),
        "",
        f"{'category':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'gold':>6}",
    ]
    for name, score in data["by_category"].items():
        gold = score["tp"] + score["fn"]
        lines.append(
            f"{name:<18}{score['precision']:>10.3f}{score['recall']:>8.3f}{score['f1']:>7.3f}{gold:>6}"
        )
    lines += ["", "accuracy over matched pairs:"]
    for name, value in data["accuracy"].items():
        label = "metric (FACTS.md names)" if name == "metric_named" else name
        lines.append(f"  {label:<24}{'n/a' if value is None else f'{value:.3f}'}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", type=Path, required=True, help="gold facts, one JSON object a line")
    parser.add_argument(
        "--docs",
        type=Path,
        default=Path("seeds"),
        help="folder of the documents the gold names (default: seeds)",
    )
    parser.add_argument(
        "--meta",
        type=Path,
        metavar="FILE",
        help="CSV or JSONL metadata (source, published, outlet …), applied as `govstats etl --meta` does",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="score the keyword rules alone, without the category model (etl/category_model.py)",
    )
    parser.add_argument(
        "--show-errors", action="store_true", help="list misses, extras and attribute differences"
    )


def run(args: argparse.Namespace) -> int:
    try:
        metadata = MetadataTable.load(args.meta) if args.meta else None
        report = evaluate(args.gold, args.docs, metadata, category_model=None if args.rules_only else "committed")
    except (OSError, ValueError) as error:
        print(f"govstats eval: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json else format_report(report))
    if args.show_errors:
        print("", *report.errors, sep="\n")
    return 0
