"""`govstats review`: a spreadsheet of decisions is applied whole or not at all, every bad line named
by its number; orphans are listed; the reviewed facts are a gold file `govstats eval` scores."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from etl.cli import main
from tests.conftest import ROOT


@pytest.fixture()
def data(seed_tables, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(seed_tables, out)
    return out


def rows(data) -> list[dict]:
    return pq.read_table(data / "facts.parquet").to_pylist()


def write_csv(path, lines: list[str]) -> None:
    path.write_text("fact_id,field,value\n" + "".join(line + "\n" for line in lines), encoding="utf-8")


BAD_LINES = [  # (line template, error expected); {f} is a fact of 中原区
    ("nosuchfact,category,welfare", "unknown fact_id 'nosuchfact'"),
    ("{f},colour,red", "unknown field 'colour'"),
    ("{f},category,sports", "category 'sports' is not one of FACTS.md's categories"),
    ("{f},subdistrict,火星街道", "subdistrict '火星街道' is not in the division table under 郑州市中原区"),
    ("{f},year,20x", "year '20x' is not a year"),
    ("{f},year,1800", "year '1800' is not a year"),
    ("{f},is_target,maybe", "is_target 'maybe' is not true or false"),
    ("{f},reject,false", "reject takes the value true"),
    ("{f},qualifier,about", "qualifier 'about' is not one of"),
    ("{f},metric,Jobs Created", "metric 'Jobs Created' is not a snake_case name"),
    ("{f},category,welfare,extra", "more cells than the header has columns"),
]


@pytest.mark.parametrize("bad, message", BAD_LINES)
def test_a_bad_line_is_reported_by_number_and_nothing_is_applied(data, tmp_path, capsys, bad, message):
    fact = next(r for r in rows(data) if r["district"] == "中原区")
    before = pq.read_table(data / "facts.parquet")
    sheet = tmp_path / "decisions.csv"
    write_csv(
        sheet,
        [
            f"{fact['fact_id']},category,welfare",
            bad.format(f=fact["fact_id"]),
            f"{fact['fact_id']},confirm,true",
        ],
    )
    assert main(["review", "--data", str(data), "--apply", str(sheet)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith(f"error: {sheet}:3: ") and message in errors[0]
    assert errors[-1] == f"nothing applied: 1 bad lines in {sheet}"
    assert not (data / "reviews.jsonl").exists()
    assert pq.read_table(data / "facts.parquet").equals(before)


def test_a_good_sheet_is_applied_one_decision_per_fact(data, tmp_path, capsys):
    facts = [r for r in rows(data) if r["district"] == "中原区"][:3]
    sheet = tmp_path / "decisions.csv"
    write_csv(
        sheet,
        [
            f"{facts[0]['fact_id']},category,welfare",
            f"{facts[0]['fact_id']},subdistrict,林山寨街道",
            f"{facts[1]['fact_id']},reject,true",
            f"{facts[2]['fact_id']},confirm,TRUE",
        ],
    )
    assert main(["review", "--data", str(data), "--apply", str(sheet), "--reviewer", "ana"]) == 0
    assert "3 decisions from" in capsys.readouterr().out
    after = {r["fact_id"]: r for r in rows(data)}
    got = [
        (after[f["fact_id"]]["review"], after[f["fact_id"]]["category"], after[f["fact_id"]]["subdistrict"])
        for f in facts
    ]
    assert got == [
        ("corrected", "welfare", "林山寨街道"),
        ("rejected", facts[1]["category"], facts[1]["subdistrict"]),
        ("confirmed", facts[2]["category"], facts[2]["subdistrict"]),
    ]
    assert {after[f["fact_id"]]["reviewed_by"] for f in facts} == {"ana"}
    assert len((data / "reviews.jsonl").read_text("utf-8").splitlines()) == 3


@pytest.mark.parametrize("allow, code", [([], 1), (["--allow-new-places"], 0)])
def test_a_unit_the_table_lacks_needs_allow_new_places(data, tmp_path, allow, code):
    fact = next(r for r in rows(data) if r["district"] == "中原区")
    sheet = tmp_path / "decisions.csv"
    write_csv(sheet, [f"{fact['fact_id']},subdistrict,北片区"])
    assert main(["review", "--data", str(data), "--apply", str(sheet), *allow]) == code
    after = {r["fact_id"]: r for r in rows(data)}[fact["fact_id"]]
    assert after["subdistrict"] == ("北片区" if code == 0 else fact["subdistrict"])


@pytest.mark.parametrize(
    "header, message",
    [("fact,field,value", "the header lacks fact_id"), ("fact_id,value", "the header lacks field")],
)
def test_a_sheet_without_the_columns_is_refused(data, tmp_path, capsys, header, message):
    sheet = tmp_path / "decisions.csv"
    sheet.write_text(header + "\nx,y,z\n", encoding="utf-8")
    assert main(["review", "--data", str(data), "--apply", str(sheet)]) == 1
    assert f"{sheet}:1: {message}" in capsys.readouterr().err


def test_exported_gold_is_what_eval_scores(data, tmp_path, capsys, monkeypatch):
    facts = [r for r in rows(data) if r["source"].endswith("000_8b521fe93934ca3b.txt")]
    sheet = tmp_path / "decisions.csv"
    write_csv(
        sheet,
        [
            f"{facts[0]['fact_id']},category,welfare",
            f"{facts[1]['fact_id']},confirm,true",
            f"{facts[2]['fact_id']},reject,true",
        ],
    )
    assert main(["review", "--data", str(data), "--apply", str(sheet)]) == 0
    gold = tmp_path / "reviewed.jsonl"
    assert main(["review", "--data", str(data), "--export-gold", str(gold)]) == 0
    lines = [json.loads(line) for line in gold.read_text("utf-8").splitlines()]
    assert [(g["char_start"], g["category"]) for g in lines] == [
        (facts[0]["char_start"], "welfare"), (facts[1]["char_start"], facts[1]["category"]),
    ]  # fmt: skip
    capsys.readouterr()
    monkeypatch.chdir(ROOT)  # doc is the source as given to govstats etl, read from where it ran
    assert main(["eval", "--gold", str(gold), "--docs", ".", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tp"] == 2 and report["fn"] == 0
    assert report["accuracy"]["category"] == 0.5  # the extractor had one of the two categories right


def test_orphans_are_listed_with_their_reason(data, tmp_path, capsys):
    fact = rows(data)[0]
    sheet = tmp_path / "decisions.csv"
    write_csv(sheet, [f"{fact['fact_id']},reject,true"])
    assert main(["review", "--data", str(data), "--apply", str(sheet)]) == 0
    assert main(["review", "--data", str(data), "--orphans"]) == 0
    assert capsys.readouterr().err.strip() == "0 orphaned decisions"
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    moved = corpus / fact["source"].rsplit("/", 1)[-1]
    moved.write_text("按：" + moved.read_text("utf-8"), encoding="utf-8")
    main(["etl", str(corpus), "--out", str(data), "--progress", "none"])
    capsys.readouterr()
    assert main(["review", "--data", str(data), "--orphans"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == "1 orphaned decisions"
    source, span, text, decision, reason = captured.out.rstrip("\n").split("\t")
    assert (source, span, text) == (
        fact["source"],
        f"{fact['char_start']}:{fact['char_end']}",
        fact["raw_text"],
    )
    assert decision.startswith("reject by ") and reason == "the document is not among this run's inputs"


def test_a_table_from_before_reviews_takes_decisions(data, tmp_path):
    from etl.reviews import AUTO_COLUMNS

    old = pq.read_table(data / "facts.parquet")
    old = old.drop_columns(["review", "corrected_fields", "reviewed_by", "reviewed_at", *AUTO_COLUMNS])
    pq.write_table(old, data / "facts.parquet")
    fact = old.slice(0, 1).to_pylist()[0]
    sheet = tmp_path / "decisions.csv"
    write_csv(sheet, [f"{fact['fact_id']},reject,true"])
    assert main(["review", "--data", str(data), "--apply", str(sheet)]) == 0
    after = pq.read_table(data / "facts.parquet")
    assert after.num_rows == old.num_rows and after.column("review").to_pylist().count("rejected") == 1
