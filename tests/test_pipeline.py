"""`govstats etl` on a messy archive: every file accounted for, bad files reported, reruns incremental,
outputs atomic."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from etl.cli import main
from etl.pipeline import iter_inputs, run_corpus
from tests.conftest import ROOT, SEEDS

SHORT = "林山寨街道共排查出各类矛盾问题15882起,办结率达99.22%。\n拆除违章建筑15000余平方米。\n"
TRADITIONAL = "林山寨街道共排查出各類矛盾問題15882起,辦結率達99.22%。\n拆除違章建築15000餘平方米。\n"
SEED_TEXT = (SEEDS / "001_3f9c860c84535958.txt").read_text("utf-8")
PAGE = """<html><head><meta charset="utf-8"><title>林山寨街道</title><script>var x = "投资999亿元";</script></head>
<body><nav><a href="/">首页</a> <a href="/z">拆除违章建筑88888平方米专题</a></nav>
<article><h1>林山寨街道</h1>{}</article></body></html>"""

# file name: (bytes, expected status, expected encoding)
ARCHIVE = {
    "utf8.txt": (SHORT.encode("utf-8"), "ok", "utf-8"),
    "utf8-bom.md": (b"\xef\xbb\xbf" + SHORT.encode("utf-8"), "ok", "utf-8"),
    "gbk.txt": (SHORT.encode("gbk"), "ok", "gb18030"),
    "seed-gb18030.txt": (SEED_TEXT.encode("gb18030"), "ok", "gb18030"),
    "big5.txt": (TRADITIONAL.encode("big5"), "ok", "big5"),
    "utf16.txt": (SHORT.encode("utf-16"), "ok", "utf-16"),
    "page.html": (PAGE.format("".join(f"<p>{line}</p>" for line in SHORT.splitlines())).encode(), "ok", "utf-8"),
    "truncated.txt": (SHORT.encode("utf-8")[:-2], "ok", "utf-8"),
    "huge-line.txt": ((("街道工作" * 12_500 + "拆除违章建筑15000余平方米,") * 10 + "\n").encode(), "ok", "utf-8"),
    "blank.txt": (b"\n  \n\t\n", "empty", "utf-8"),
    "zero.txt": (b"", "empty", "utf-8"),
    "scan.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "error", None),
    "binary.txt": (bytes(range(256)) * 32, "error", None),
}


def write_archive(folder: Path) -> Path:
    for name, (raw, _, _) in ARCHIVE.items():
        path = folder / "archive" / ("sub" if name.startswith("seed") else "") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    (folder / "archive" / "notes.docx").write_bytes(b"PK\x03\x04 not an article")  # not an article suffix
    (folder / "archive" / ".hidden").mkdir()
    (folder / "archive" / ".hidden" / "x.txt").write_text("ignored", encoding="utf-8")
    return folder / "archive"


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    documents = pd.read_parquet(out / "documents.parquet")
    facts = pd.read_parquet(out / "facts.parquet")
    return documents, facts


@pytest.fixture(scope="module")
def archive_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pipeline")
    archive = write_archive(folder)
    out = folder / "out"
    code = main(["etl", str(archive), "--out", str(out), "--progress", "none"])
    return archive, out, code


def test_every_file_gets_one_row_with_its_status_and_encoding(archive_run):
    archive, out, code = archive_run
    documents, _ = tables(out)
    by_name = documents.assign(name=documents["source"].map(lambda s: Path(s).name)).set_index("name")
    assert sorted(by_name.index) == sorted(ARCHIVE)
    for name, (_, status, encoding) in ARCHIVE.items():
        assert by_name.loc[name, "status"] == status, (name, by_name.loc[name, "error"])
        if status == "ok":
            assert by_name.loc[name, "encoding"] == encoding, name
    assert code == 1  # two unreadable files


@pytest.mark.parametrize(
    "name, message",
    [
        ("scan.txt", "scan.txt: not text: a PNG image"),
        ("binary.txt", "binary.txt: not text"),
        ("zero.txt", "zero.txt: empty: 0 bytes"),
        ("blank.txt", "blank.txt: empty: no text, only white space"),
    ],
)
def test_errors_and_empty_files_say_why(archive_run, name, message):
    _, out, _ = archive_run
    documents, _ = tables(out)
    row = documents[documents["source"].str.endswith("/" + name)].iloc[0]
    assert message in row["error"]


def test_truncated_file_is_read_and_flagged(archive_run):
    _, out, _ = archive_run
    documents, _ = tables(out)
    row = documents[documents["source"].str.endswith("truncated.txt")].iloc[0]
    assert row["status"] == "ok" and row["warning"].startswith("truncated")


@pytest.mark.parametrize("name", ["utf8.txt", "utf8-bom.md", "gbk.txt", "big5.txt", "utf16.txt", "page.html"])
def test_the_same_article_in_any_encoding_or_script_gives_the_same_figures(archive_run, name):
    _, out, _ = archive_run
    documents, facts = tables(out)
    source = documents.loc[documents["source"].str.endswith("/" + name), "source"].iloc[0]
    reference = documents.loc[documents["source"].str.endswith("/utf8.txt"), "source"].iloc[0]
    columns = ["value", "unit", "category", "metric", "qualifier", "subdistrict"]
    found = facts[facts["source"] == source][columns].reset_index(drop=True)
    expected = facts[facts["source"] == reference][columns].reset_index(drop=True)
    assert {15882.0, 99.22, 15000.0} <= set(expected["value"])
    pd.testing.assert_frame_equal(found, expected)


def test_facts_slice_back_to_their_raw_text_in_the_decoded_file(archive_run):
    archive, out, _ = archive_run
    documents, facts = tables(out)
    for document in documents[(documents["status"] == "ok") & ~documents["source"].str.endswith(".html")].itertuples():
        raw = Path(document.source).read_bytes()
        text = raw.decode(document.encoding.replace("utf-8", "utf-8-sig"), errors="ignore")
        for fact in facts[facts["source"] == document.source].itertuples():
            assert text[fact.char_start : fact.char_end] == fact.raw_text, (document.source, fact.raw_text)
    assert "88888" not in " ".join(facts["raw_text"]) and "999亿元" not in " ".join(facts["raw_text"])


def test_n_facts_adds_up_and_the_huge_line_is_processed(archive_run):
    _, out, _ = archive_run
    documents, facts = tables(out)
    assert documents["n_facts"].sum() == len(facts)
    assert documents.set_index(documents["source"].map(lambda s: Path(s).name)).loc["huge-line.txt", "n_facts"] == 10


def test_rerun_skips_unchanged_files_and_gives_the_identical_table(tmp_path):
    archive = write_archive(tmp_path)
    out = tmp_path / "out"
    run_corpus([str(archive)], out, progress="none")
    first_documents, first_facts = tables(out)
    summary = run_corpus([str(archive)], out, progress="none")
    documents, facts = tables(out)
    assert summary.counts == {"ok": 0, "empty": 2, "error": 2, "skipped": 9}
    pd.testing.assert_frame_equal(facts, first_facts)
    kept = ["source", "doc_id", "n_facts", "encoding", "content_hash"]
    pd.testing.assert_frame_equal(documents[kept], first_documents[kept])
    assert set(documents.loc[first_documents["status"] == "ok", "status"]) == {"skipped"}
    assert set(documents.loc[first_documents["status"] == "empty", "status"]) == {"empty"}  # an empty file stays empty

    (archive / "utf8.txt").write_text(SHORT + "新增城镇就业2602人。\n", encoding="utf-8")
    summary = run_corpus([str(archive)], out, progress="none")
    assert summary.counts == {"ok": 1, "empty": 2, "error": 2, "skipped": 8}
    _, incremental_facts = tables(out)
    run_corpus([str(archive)], tmp_path / "full", full=True, progress="none")
    _, full_facts = tables(tmp_path / "full")
    pd.testing.assert_frame_equal(incremental_facts, full_facts)

    summary = run_corpus([str(archive)], out, full=True, progress="none")
    assert summary.counts["skipped"] == 0


@pytest.mark.parametrize(
    "fact_rows, document_rows",
    [
        (1, 1),  # every row its own row group
        (2, 3),  # a file's rows and facts across row groups
        (65_536, 10_000),  # as shipped: one group
    ],
)
def test_rerun_reads_kept_rows_across_row_groups(tmp_path, monkeypatch, fact_rows, document_rows):
    monkeypatch.setattr("etl.tables.FACT_ROWS_PER_GROUP", fact_rows)
    monkeypatch.setattr("etl.tables.DOCUMENT_ROWS_PER_GROUP", document_rows)
    archive = write_archive(tmp_path)
    (archive / "lines.jsonl").write_text(
        "".join(f'{{"text": "{line}", "published": "2013-04-2{n}"}}\n' for n, line in enumerate(SHORT.splitlines() * 2)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run_corpus([str(archive)], out, progress="none")
    (archive / "gbk.txt").write_bytes((SHORT + "新增城镇就业2602人。\n").encode("gbk"))  # between kept files
    summary = run_corpus([str(archive)], out, progress="none")
    assert summary.counts == {"ok": 1, "empty": 2, "error": 2, "skipped": 12}
    run_corpus([str(archive)], tmp_path / "full", full=True, progress="none")
    (documents, facts), (full_documents, full_facts) = tables(out), tables(tmp_path / "full")
    pd.testing.assert_frame_equal(facts, full_facts)
    unchanged = full_documents["status"] != "error"
    assert list(documents.loc[unchanged, "published"]) == list(full_documents.loc[unchanged, "published"])


def test_metadata_file_attaches_dates_and_outlets(tmp_path):
    archive = write_archive(tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text(
        "source,published,outlet,url\nutf8.txt,2013-04-28,郑州日报,http://zzrb.example/1\nsub/seed-gb18030.txt,2012-12-31,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["etl", str(archive), "--out", str(out), "--meta", str(meta), "--progress", "none"]) == 1
    documents, facts = tables(out)
    row = documents[documents["source"].str.endswith("/utf8.txt")].iloc[0]
    assert (row["published"], row["outlet"], row["url"]) == (dt.date(2013, 4, 28), "郑州日报", "http://zzrb.example/1")
    undated = facts[facts["source"].str.endswith("/utf8.txt")]  # its text names no year
    assert len(undated) > 0 and set(undated["year"]) == {2013}
    seed_facts = facts[facts["source"].str.endswith("seed-gb18030.txt")]
    assert len(seed_facts) > 0 and set(seed_facts["published"]) == {dt.date(2012, 12, 31)}


def test_jsonl_archive_gives_a_row_per_article(tmp_path):
    archive = tmp_path / "archive.jsonl"
    archive.write_text(
        '{"text": "拆除违章建筑15000余平方米。", "published": "2013-04-28", "outlet": "郑州日报"}\n{"text": ""}\nnot json\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["etl", str(archive), "--out", str(out), "--progress", "none"]) == 1
    documents, facts = tables(out)
    assert list(zip(documents["source"].map(lambda s: s.rsplit("/", 1)[-1]), documents["status"])) == [
        ("archive.jsonl:1", "ok"),
        ("archive.jsonl:2", "empty"),
        ("archive.jsonl:3", "error"),
    ]
    assert list(facts["published"]) == [dt.date(2013, 4, 28)]


def test_files_folders_and_globs_each_give_their_files(tmp_path, capsys):
    archive = write_archive(tmp_path)
    out = tmp_path / "out"
    code = main(
        ["etl", str(archive / "utf8.txt"), str(archive / "sub"), str(archive / "gbk.*"), str(archive / "utf8.txt"),
         "--out", str(out), "--progress", "log"]
    )
    documents, _ = tables(out)
    names = [Path(s).name for s in documents["source"]]
    assert names == ["utf8.txt", "seed-gb18030.txt", "gbk.txt"]
    assert code == 0
    captured = capsys.readouterr()
    assert "etl: 3/3 files (100%)" in captured.err  # plain log lines when not on a terminal
    assert captured.out.strip().startswith("3 documents: 3 ok, 0 empty, 0 error, 0 skipped;")


def test_a_folder_is_walked_in_path_order_hidden_files_and_linked_folders_left_out(tmp_path):
    for name in ["a/b.txt", "a/c/x.TXT", "a/z.htm", "a/.draft.txt", "a/notes", "a.b/q.md", ".git/h.txt", "Z/k.jsonl", "top.html"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("投资68亿元", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "linked.txt").symlink_to(tmp_path / "top.html")
    found = [(entry.relative, entry.source == f"{tmp_path}/{entry.relative}") for entry in iter_inputs([str(tmp_path)])]
    assert found == [
        ("Z/k.jsonl", True),
        ("a/b.txt", True),
        ("a/c/x.TXT", True),  # a subfolder's files in its place among the folder's own
        ("a/z.htm", True),
        ("a.b/q.md", True),
        ("linked.txt", True),
        ("top.html", True),
    ]


def big_corpus(folder: Path, n_files: int = 600) -> Path:
    """About 10 MB of seed text, every file different."""
    folder.mkdir()
    seeds = [path.read_text("utf-8") for path in sorted(SEEDS.iterdir())]
    for index in range(n_files):
        (folder / f"{index:05d}.txt").write_text(f"第{index}期\n" + seeds[index % 5], encoding="utf-8")
    return folder


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_run_killed_midway_leaves_the_previous_tables_readable(tmp_path, how):
    out = tmp_path / "out"
    assert main(["etl", str(SEEDS), "--out", str(out), "--progress", "none"]) == 0
    before_documents, before_facts = tables(out)
    corpus = big_corpus(tmp_path / "big")
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "etl", str(corpus), "--out", str(out), "--full", "--workers", "1", "--progress", "log"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    committed = (out / ".current").resolve()
    while (
        not [v for v in out.glob(".versions/*/facts.parquet") if v.parent != committed]
        and time.monotonic() < deadline
        and process.poll() is None
    ):
        time.sleep(0.02)
    time.sleep(0.3)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(how)
    _, stderr = process.communicate(timeout=60)
    documents, facts = tables(out)
    pd.testing.assert_frame_equal(documents, before_documents)
    pd.testing.assert_frame_equal(facts, before_facts)
    if how == signal.SIGINT:
        assert process.returncode == 130 and b"left as it was" in stderr
        assert [v.name for v in out.glob(".versions/*")] == [committed.name]
    else:
        assert process.returncode == -signal.SIGKILL
        assert main(["etl", str(SEEDS), "--out", str(out), "--progress", "none"]) == 0
        # the next run removes what the killed one left; the version before it is kept for readers
        assert sorted(v.name for v in out.glob(".versions/*")) == sorted([committed.name, (out / ".current").resolve().name])


def test_a_file_over_the_size_limit_is_reported_without_being_read(tmp_path, monkeypatch):
    monkeypatch.setattr("etl.pipeline.MAX_FILE_BYTES", 1000)
    (tmp_path / "big.txt").write_text(SHORT * 100, encoding="utf-8")
    (tmp_path / "small.txt").write_text(SHORT, encoding="utf-8")
    summary = run_corpus([str(tmp_path)], tmp_path / "out", progress="none")
    documents, _ = tables(tmp_path / "out")
    assert summary.counts == {"ok": 1, "empty": 0, "error": 1, "skipped": 0}
    assert "big.txt: too large: 11,500 bytes (the limit is 1,000)" in documents["error"].iloc[0]
