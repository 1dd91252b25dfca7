"""`govstats review`: decisions about facts from a spreadsheet, the orphaned ones, and the reviewed
facts as a gold file (the dashboard's Review page takes the same decisions one at a time).

    govstats review --data data --apply decisions.csv      # columns fact_id,field,value
    govstats review --data data --orphans                   # decisions the tables could not take
    govstats review --data data --export-gold reviewed.jsonl
    govstats eval --gold reviewed.jsonl --docs .            # the extractor scored on them

In --apply, field is one of category, metric, subdistrict, year, is_target, qualifier, reject
(value true) or confirm (value true); several lines about one fact make one decision. Every bad
line is reported with its line number, and a file with any bad line applies nothing. Decisions
are appended to DATA/reviews.jsonl and applied to the tables at once; every later `govstats etl`
applies them again. Exit code: 0 done, 1 bad lines (nothing applied), 2 unusable options.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from etl.reviews import (
    EDITABLE_FIELDS,
    FACTS_FILE,
    Decision,
    append_decisions,
    apply_to_tables,
    default_reviewer,
    district_units,
    gold_line,
    judged,
    orphans_of_tables,
    validate_value,
)
from etl.tables import file_key

CSV_FIELDS = (*EDITABLE_FIELDS, "reject", "confirm")
REVIEWED = ("confirmed", "corrected", "added")


@dataclass(frozen=True)
class CsvLine:
    number: int
    fact_id: str
    field: str
    value: object


def read_facts(data_dir: Path) -> dict[str, dict]:
    """The fact rows of DATA/facts.parquet by fact_id (the first, when one text is in two files)."""
    rows: dict[str, dict] = {}
    for row in pq.read_table(Path(data_dir) / FACTS_FILE).to_pylist():
        rows.setdefault(row["fact_id"], row)
    return rows


def decisions_from_csv(
    path: Path, facts: dict[str, dict], *, allow_new_places: bool = False, by: str | None = None
) -> tuple[list[Decision], list[str]]:
    """The decisions a spreadsheet asks for, and one error per bad line ("FILE:LINE: problem");
    when there are errors the decisions are not to be applied."""
    errors: list[str] = []
    lines: list[CsvLine] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        return [], [f"{path}: cannot read: {error.strerror or error}"]
    with handle:
        reader = csv.DictReader(handle)
        missing = [name for name in ("fact_id", "field", "value") if name not in (reader.fieldnames or ())]
        if missing:
            return [], [f"{path}:1: the header lacks {', '.join(missing)} (columns: fact_id,field,value)"]
        try:
            for row in reader:
                number = reader.line_num
                problem = _line_problem(row, facts, allow_new_places)
                if isinstance(problem, str):
                    errors.append(f"{path}:{number}: {problem}")
                else:
                    lines.append(CsvLine(number, row["fact_id"].strip(), row["field"].strip(), problem[0]))
        except (csv.Error, UnicodeDecodeError) as error:
            errors.append(f"{path}:{reader.line_num}: not CSV text ({error})")
    by_fact: dict[str, list[CsvLine]] = {}
    for line in lines:
        by_fact.setdefault(line.fact_id, []).append(line)
    decisions = []
    for fact_id, fact_lines in by_fact.items():
        fact = facts[fact_id]
        rejects = [line for line in fact_lines if line.field == "reject"]
        changes = {line.field: line.value for line in fact_lines if line.field in EDITABLE_FIELDS}
        if rejects and changes:
            others = ", ".join(str(line.number) for line in fact_lines if line.field in EDITABLE_FIELDS)
            errors.append(
                f"{path}:{rejects[0].number}: fact {fact_id} is rejected here and corrected on line(s) {others}"
            )
        elif rejects:
            decisions.append(Decision.made("reject", fact, by=by))
        else:
            decisions.append(judged(fact, changes, by=by))
    return decisions, errors


def _line_problem(row: dict, facts: dict[str, dict], allow_new_places: bool) -> str | tuple[object]:
    """What is wrong with one CSV row, or (its value,) when nothing is."""
    fact_id, field, value = ((row.get(name) or "").strip() for name in ("fact_id", "field", "value"))
    if None in row:
        return "more cells than the header has columns"
    if fact_id not in facts:
        return f"unknown fact_id {fact_id!r}" if fact_id else "no fact_id"
    if field not in CSV_FIELDS:
        return f"unknown field {field!r} (one of {', '.join(CSV_FIELDS)})"
    try:
        parsed = validate_value(field, value)
    except ValueError as error:
        return str(error)
    fact = facts[fact_id]
    if field == "subdistrict" and parsed is not None and not allow_new_places:
        units = district_units(fact.get("city"), fact.get("district"))
        if parsed not in units:
            where = f"{fact.get('city') or ''}{fact.get('district') or ''}" or "no known district"
            return (
                f"subdistrict {parsed!r} is not in the division table under {where} "
                "(--allow-new-places to accept a unit the table lacks)"
            )
    return (parsed,)


def export_gold(data_dir: Path, out: Path) -> tuple[int, int]:
    """Write the reviewed facts (confirmed, corrected, added) as gold lines; returns (written,
    left out): a line of a .jsonl archive cannot be read back by `govstats eval`."""
    written = left_out = 0
    table = pq.read_table(Path(data_dir) / FACTS_FILE, filters=[("review", "in", list(REVIEWED))])
    with out.open("w", encoding="utf-8") as handle:
        for fact in table.to_pylist():
            if file_key(fact["source"]) != fact["source"]:
                left_out += 1
                continue
            handle.write(json.dumps(gold_line(fact), ensure_ascii=False) + "\n")
            written += 1
    return written, left_out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--data", type=Path, default=Path("data"), metavar="DIR", help="the tables' folder (default: data/)"
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--apply", type=Path, metavar="FILE.csv", help="decisions from a spreadsheet: fact_id,field,value"
    )
    action.add_argument(
        "--orphans", action="store_true", help="list the decisions the tables could not take, and why"
    )
    action.add_argument(
        "--export-gold",
        type=Path,
        metavar="FILE.jsonl",
        help="the reviewed facts in govstats eval's gold format",
    )
    parser.add_argument(
        "--allow-new-places",
        action="store_true",
        help="accept a subdistrict the division table lacks under the fact's district",
    )
    parser.add_argument(
        "--reviewer", metavar="NAME", help=f"who decides (default: the OS user, {default_reviewer()})"
    )


def run(args: argparse.Namespace) -> int:
    data_dir = args.data
    if not (data_dir / FACTS_FILE).is_file():
        print(
            f"govstats review: no {FACTS_FILE} in {data_dir}: run govstats etl --out {data_dir} first",
            file=sys.stderr,
        )
        return 2
    if args.orphans:
        orphans = orphans_of_tables(data_dir)
        for orphan in orphans:
            d = orphan.decision
            print(
                f"{d.source}\t{d.char_start}:{d.char_end}\t{d.raw_text}\t{d.action} by {d.by} at {d.at}\t{orphan.reason}"
            )
        print(f"{len(orphans)} orphaned decisions", file=sys.stderr)
        return 0
    if args.export_gold:
        try:
            written, left_out = export_gold(data_dir, args.export_gold)
        except OSError as error:
            print(f"govstats review: {args.export_gold}: {error.strerror or error}", file=sys.stderr)
            return 2
        note = f" ({left_out} from .jsonl archives left out: govstats eval reads files)" if left_out else ""
        print(
            f"{written} reviewed facts -> {args.export_gold}{note}; score with: govstats eval --gold {args.export_gold} --docs ."
        )
        return 0
    decisions, errors = decisions_from_csv(
        args.apply, read_facts(data_dir), allow_new_places=args.allow_new_places, by=args.reviewer
    )
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"nothing applied: {len(errors)} bad lines in {args.apply}", file=sys.stderr)
        return 1
    append_decisions(data_dir, decisions)
    book = apply_to_tables(data_dir)
    orphans = len(book.orphans())
    note = f"; {orphans} orphaned (govstats review --orphans)" if orphans else ""
    print(
        f"{len(decisions)} decisions from {args.apply} -> {data_dir / 'reviews.jsonl'}, applied to {data_dir / FACTS_FILE}{note}"
    )
    return 0
