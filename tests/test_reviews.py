"""The analysts' decision log: latest decision wins, undo takes one back, every run (incremental,
--full, Dask) applies the log again, a changed article orphans its decisions, concurrent writers
lose nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.pipeline import run_corpus
from etl.reviews import (
    Decision,
    ReviewBook,
    append_decisions,
    apply_to_tables,
    judged,
    missed_fact,
    orphans_of_tables,
    read_decisions,
    undone,
)
from tests.conftest import ROOT, SEEDS

FACT = {
    "doc_id": "d1",
    "char_start": 3,
    "char_end": 6,
    "raw_text": "19个",
    "source": "a.txt",
    "fact_id": "f1",
}


def decision(action: str) -> Decision:
    return Decision.made(action, FACT, by="ana", new={"category": "welfare"} if action == "correct" else {})


@pytest.mark.parametrize(
    "actions, in_force",
    [
        (["confirm"], "confirm"),
        (["correct", "reject"], "reject"),
        (["reject", "correct"], "correct"),
        (["reject", "undo"], None),
        (["correct", "reject", "undo"], "correct"),
        (["correct", "reject", "undo", "undo"], None),
        (["undo", "confirm"], "confirm"),
        (["undo", "undo"], None),
        (["add", "reject"], None),  # an added fact rejected is gone
        (["add", "confirm"], "add"),
        (["add", "reject", "undo"], "add"),
    ],
)
def test_the_latest_decision_wins_and_an_undo_takes_one_back(actions, in_force):
    book = ReviewBook([decision(action) for action in actions])
    found = book.effective.get(("d1", 3, 6))
    assert (found.action if found else None) == in_force


def test_a_broken_log_line_is_reported_with_its_number_and_the_rest_read(tmp_path):
    append_decisions(tmp_path, [decision("confirm")])
    with (tmp_path / "reviews.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"action": "confirm", "doc_id"\n{"action": "smash"}\n')
    append_decisions(tmp_path, [decision("reject")])
    decisions, problems = read_decisions(tmp_path)
    assert [d.action for d in decisions] == ["confirm", "reject"]
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in problems] == ["2", "3"]


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def facts_by_id(out: Path) -> dict[str, dict]:
    return {row["fact_id"]: row for row in pq.read_table(out / "facts.parquet").to_pylist()}


def a_missed_figure(rows: list[dict], values: dict) -> Decision:
    """The decision adding a figure the extractor did not take, from the first sentence that has
    one: the characters of a span overlapping no fact of its document that parse as a figure."""
    for neighbour in rows:
        if neighbour["sentence_offset"] is None:
            continue
        taken = [(r["char_start"], r["char_end"]) for r in rows if r["doc_id"] == neighbour["doc_id"]]
        base = neighbour["char_start"] - neighbour["sentence_offset"]
        sentence = neighbour["sentence"]
        for start in range(len(sentence)):
            for end in range(start + 2, min(start + 8, len(sentence)) + 1):
                if any(a < base + end and base + start < b for a, b in taken):
                    continue
                try:
                    return missed_fact(neighbour, start, end, values, by="ana")
                except ValueError:
                    continue
    raise AssertionError("no missed figure to add")


def decide(out: Path) -> dict[str, tuple]:
    """A decision of every kind on the seed tables; returns what each fact should say after."""
    rows = list(facts_by_id(out).values())
    first_doc = [r for r in rows if r["doc_id"] == rows[0]["doc_id"]]
    corrected, rejected, confirmed, undone_fact = first_doc[0], first_doc[1], first_doc[2], first_doc[3]
    append_decisions(
        out,
        [
            judged(corrected, {"category": "welfare", "subdistrict": "林山寨街道", "year": 2001}, by="ana"),
            Decision.made("reject", rejected, by="ana"),
            judged(confirmed, {}, by="bo"),
            Decision.made("reject", undone_fact, by="bo"),
            undone(undone_fact, by="bo"),
        ],
    )
    expected = {
        corrected["fact_id"]: ("corrected", "welfare", "林山寨街道", 2001),
        rejected["fact_id"]: ("rejected", rejected["category"], rejected["subdistrict"], rejected["year"]),
        confirmed["fact_id"]: (
            "confirmed",
            confirmed["category"],
            confirmed["subdistrict"],
            confirmed["year"],
        ),
        undone_fact["fact_id"]: (
            "auto",
            undone_fact["category"],
            undone_fact["subdistrict"],
            undone_fact["year"],
        ),
    }
    added = a_missed_figure(
        [r for r in rows if r["doc_id"] != corrected["doc_id"]], {"category": "other", "metric": "people"}
    )
    append_decisions(out, [added])
    expected[added.fact_id] = ("added", "other", added.new["subdistrict"], added.new["year"])
    return expected


def states(out: Path, fact_ids) -> dict[str, tuple]:
    rows = facts_by_id(out)
    return {
        f: (rows[f]["review"], rows[f]["category"], rows[f]["subdistrict"], rows[f]["year"])
        for f in fact_ids
        if f in rows
    }


@pytest.mark.parametrize(
    "rerun",
    [
        {"workers": 1},  # incremental: every document skipped, its facts read back from the last run
        {"workers": 1, "full": True},
        {"workers": 2, "full": True},  # Dask
        {"workers": 2},
    ],
)
def test_every_rerun_keeps_every_decision(corpus, tmp_path, rerun):
    out = tmp_path / "out"
    run_corpus([str(corpus)], out, workers=1, progress="none")
    before = facts_by_id(out)
    expected = decide(out)
    first = run_corpus([str(corpus)], out, workers=1, full=True, progress="none")
    assert states(out, expected) == expected
    again = run_corpus([str(corpus)], out, progress="none", **rerun)
    assert states(out, expected) == expected
    assert first.orphaned_reviews == again.orphaned_reviews == 0
    assert again.counts["skipped"] == (0 if rerun.get("full") else 5)
    after = facts_by_id(out)
    assert len(after) == len(before) + 1  # the added fact, counted in its document's n_facts
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert sum(d["n_facts"] for d in documents) == len(after) == again.n_facts
    corrected = next(f for f, state in expected.items() if state[0] == "corrected")
    assert (after[corrected]["auto_category"], after[corrected]["auto_subdistrict"]) == (
        before[corrected]["category"], before[corrected]["subdistrict"],
    )  # fmt: skip
    assert after[corrected]["admin_code"] == "410102001000" and after[corrected]["level"] == "subdistrict"
    untouched = [f for f in before if f not in expected]
    assert all(after[f]["review"] == "auto" and after[f]["auto_category"] is None for f in untouched)


def test_a_changed_article_reports_its_decisions_as_orphans_and_keeps_the_others(corpus, tmp_path):
    out = tmp_path / "out"
    run_corpus([str(corpus)], out, workers=1, progress="none")
    expected = decide(out)
    rows = facts_by_id(out)
    changed_source = rows[next(iter(expected))]["source"]
    on_changed = {f for f in expected if rows.get(f, {}).get("source") == changed_source}
    path = Path(changed_source)
    path.write_text("（转载）" + path.read_text("utf-8"), encoding="utf-8")  # every span moves by 4
    summary = run_corpus([str(corpus)], out, workers=1, progress="none")
    orphans = orphans_of_tables(out)
    assert (
        summary.orphaned_reviews
        == len(orphans)
        == len(on_changed - {f for f, s in expected.items() if s[0] == "auto"})
    )
    assert {o.reason for o in orphans} == {"the document changed since the decision (its text hash differs)"}
    assert "review decisions orphaned (govstats review --orphans)" in summary.line()
    kept = {f: s for f, s in expected.items() if f not in on_changed}
    assert kept and states(out, kept) == kept


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import pyarrow.parquet as pq
    from etl.reviews import Decision, append_decisions, apply_to_tables
    from etl.tables import committed_tables
    out, start, step = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    with open(committed_tables(out).facts, "rb") as handle:  # one open: the other writer may commit
        rows = pq.read_table(handle).to_pylist()
    for row in rows[start::step][:25]:
        append_decisions(out, [Decision.made("reject", row, by=f"writer{start}")])
        apply_to_tables(out)
    """
)


def test_two_writers_at_once_lose_nothing(seed_tables, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_tables, out)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(out), str(start), "2"], cwd=ROOT)
        for start in (0, 1)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    decisions, problems = read_decisions(out)
    assert problems == [] and len(decisions) == 50 and len({d.id for d in decisions}) == 50
    reviews = [row["review"] for row in facts_by_id(out).values()]
    assert reviews.count("rejected") == 50
    apply_to_tables(out)  # and a table rebuilt from the log says the same
    assert [row["review"] for row in facts_by_id(out).values()].count("rejected") == 50


def test_a_decision_made_while_a_run_writes_is_kept_and_applied_after_it(seed_tables, tmp_path):
    from etl.tables import OutputLock

    out = tmp_path / "out"
    shutil.copytree(seed_tables, out)
    row = next(iter(facts_by_id(out).values()))
    with OutputLock(out):  # a govstats etl run holds OUT
        append_decisions(out, [Decision.made("reject", row)])
        apply_to_tables(out)
        assert facts_by_id(out)[row["fact_id"]]["review"] != "rejected"  # the run's tables are left alone
    apply_to_tables(out)
    assert facts_by_id(out)[row["fact_id"]]["review"] == "rejected"


def test_an_added_fact_can_be_rejected_and_undone(seed_tables, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_tables, out)
    added = a_missed_figure(list(facts_by_id(out).values()), {"category": "other"})
    states_seen = []
    for step in (added, Decision.made("reject", added.new), undone(added.new), undone(added.new)):
        append_decisions(out, [step])
        apply_to_tables(out)
        now = facts_by_id(out).get(added.fact_id)
        states_seen.append(now["review"] if now else None)
    assert states_seen == ["added", None, "added", None]
    assert orphans_of_tables(out) == []
