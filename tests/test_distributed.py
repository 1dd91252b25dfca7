"""The Dask path gives exactly the single-process tables: on local worker processes started by the
pipeline (--workers 2) and on an existing cluster (--scheduler)."""

from __future__ import annotations

import shutil

import dask.config
import distributed  # noqa: F401  (defines the distributed.* config keys)
import pyarrow.parquet as pq
import pytest

from etl.executors import start_local_cluster
from etl.pipeline import run_corpus
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds, a Traditional copy, a broken file and a .jsonl archive: small, but several batches."""
    folder = tmp_path_factory.mktemp("distributed") / "corpus"
    shutil.copytree(SEEDS, folder)
    for index, seed in enumerate(sorted(SEEDS.iterdir())):
        (folder / f"copy-{index}.txt").write_text(f"第{index}期\n" + seed.read_text("utf-8"), encoding="gb18030")
    (folder / "big5.txt").write_bytes("中原區林山寨街道排查矛盾問題15882起,辦結率達99.22%。\n".encode("big5"))
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "archive.jsonl").write_text('{"text": "拆除违章建筑15000余平方米。"}\n{"text": "投资68亿元"}\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def single_process(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("single")
    run_corpus([str(corpus)], out, workers=1, progress="none")
    return out


def assert_same_tables(left, right):
    for name in ("facts.parquet", "documents.parquet"):
        expected, found = pq.read_table(left / name), pq.read_table(right / name)
        assert found.num_rows == expected.num_rows > 0
        assert found.replace_schema_metadata(None).equals(expected.replace_schema_metadata(None)), name


def test_local_worker_processes_give_the_single_process_tables(corpus, single_process, tmp_path, monkeypatch):
    monkeypatch.setattr("etl.pipeline.BATCH_FILES", 4)  # many small tasks, finishing out of order
    log_length = dask.config.get("distributed.admin.low-level-log-length")
    summary = run_corpus([str(corpus)], tmp_path, workers=2, progress="none")
    assert summary.executor == "on 2 local Dask worker processes"
    assert_same_tables(single_process, tmp_path)
    assert dask.config.get("distributed.admin.low-level-log-length") == log_length  # the caller's config is left as it was


def test_an_existing_cluster_gives_the_single_process_tables(corpus, single_process, tmp_path, monkeypatch):
    monkeypatch.setattr("etl.pipeline.BATCH_FILES", 3)
    with start_local_cluster(2) as cluster:
        summary = run_corpus([str(corpus)], tmp_path, scheduler=cluster.scheduler_address, progress="none")
        assert summary.executor.startswith(f"on the Dask cluster at {cluster.scheduler_address}")
        assert_same_tables(single_process, tmp_path)
        rerun = run_corpus([str(corpus)], tmp_path, scheduler=cluster.scheduler_address, progress="none")
    assert rerun.counts["skipped"] == summary.counts["ok"] + summary.counts["empty"]
    facts = pq.read_table(tmp_path / "facts.parquet")
    assert facts.replace_schema_metadata(None).equals(pq.read_table(single_process / "facts.parquet").replace_schema_metadata(None))
