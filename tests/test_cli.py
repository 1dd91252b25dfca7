"""The command line end to end on the seed corpus."""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from etl.schema import DOCUMENT_SCHEMA, FACT_SCHEMA
from tests.conftest import ROOT, SEEDS


def test_etl_writes_both_tables_with_the_contract_schema(seed_tables):
    facts = pq.read_table(seed_tables / "facts.parquet")
    documents = pq.read_table(seed_tables / "documents.parquet")
    assert facts.schema.equals(FACT_SCHEMA, check_metadata=False)
    assert documents.schema.equals(DOCUMENT_SCHEMA, check_metadata=False)
    assert facts.num_rows > 0


def test_documents_table_has_one_ok_row_per_seed(seed_tables):
    documents = pq.read_table(seed_tables / "documents.parquet").to_pandas()
    assert sorted(documents["source"].map(lambda s: s.rsplit("/", 1)[-1])) == sorted(p.name for p in SEEDS.iterdir())
    assert set(documents["status"]) == {"ok"}
    facts = pq.read_table(seed_tables / "facts.parquet").to_pandas()
    assert documents["n_facts"].sum() == len(facts)


def test_every_fact_slices_back_to_its_raw_text(seed_tables):
    facts = pq.read_table(seed_tables / "facts.parquet").to_pandas()
    for source, rows in facts.groupby("source"):
        text = (ROOT / source if not source.startswith("/") else __import__("pathlib").Path(source)).read_text("utf-8-sig")
        for row in rows.itertuples():
            assert text[row.char_start : row.char_end] == row.raw_text, (source, row.raw_text)


@pytest.mark.parametrize("argv", [["--help"], ["etl", "--help"], ["dashboard", "--help"]])
def test_help_explains_each_verb(argv):
    result = subprocess.run([sys.executable, "-m", "etl", *argv], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "usage: govstats" in result.stdout


def test_unreadable_file_is_reported_not_fatal(tmp_path):
    from etl.cli import main

    (tmp_path / "good.txt").write_text("拆除违章建筑15000余平方米。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa\x00garbage\x81")
    code = main(["etl", str(tmp_path / "good.txt"), str(tmp_path / "bad.txt"), "--out", str(tmp_path / "out")])
    documents = pq.read_table(tmp_path / "out" / "documents.parquet").to_pandas().set_index("source")
    assert code == 1
    assert documents.loc[str(tmp_path / "bad.txt"), "status"] == "error"
    assert "bad.txt" in documents.loc[str(tmp_path / "bad.txt"), "error"]
    assert documents.loc[str(tmp_path / "good.txt"), "n_facts"] == 1


@pytest.mark.parametrize(
    "seed, outlet, published",
    [
        ("002_da0759cfda38d731.txt", "河南商报", "2019-07-29"),  # 发布日期:2019-07-29 ... 河南商报电子版
        ("000_8b521fe93934ca3b.txt", "郑州日报", None),  # 返回主页 | 郑州日报 | 版面导航, no date
    ],
)
def test_documents_table_carries_the_outlet_and_date_the_text_states(seed_tables, seed, outlet, published):
    documents = pq.read_table(seed_tables / "documents.parquet").to_pandas()
    row = documents[documents["source"].str.endswith(seed)].iloc[0]
    assert row["outlet"] == outlet
    assert (str(row["published"]) if row["published"] is not None else None) == published
