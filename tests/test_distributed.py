"""The Dask path gives exactly the single-process tables: on local worker processes started by the
pipeline (--workers 2) and on an existing cluster (--scheduler); a worker lost or stuck costs only
its task, and Ctrl-C stops the run with one line."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import types

import dask.config
import distributed  # noqa: F401  (defines the distributed.* config keys)
import pyarrow.parquet as pq
import pytest
from distributed import Client

from etl.executors import DaskExecutor, ExecutorError, start_local_cluster
from etl.pipeline import run_corpus
from etl.tables import committed_tables
from tests.conftest import ROOT, SEEDS


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


def square_or_fail(numbers: list) -> list:
    """A task for the executor's own tests: "die" ends the worker process (as the kernel's
    out-of-memory killer would), "stop" stops it (SIGSTOP: as a stuck C call would hang it)."""
    if "die" in numbers:
        os._exit(1)
    if "stop" in numbers:
        os.kill(os.getpid(), signal.SIGSTOP)
    return [n * n for n in numbers]


def test_a_lost_or_stuck_worker_costs_only_its_task(monkeypatch):
    monkeypatch.setattr("etl.executors.TASK_DEADLINE_SECONDS", 3.0)
    # A main module that cannot be imported again, as Streamlit's script runner leaves it: the
    # workers started again in place of the lost ones must not need it.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    sys.modules["__main__"].__file__ = "/nonexistent/script.py"
    tasks = [[1, 2], [3, "die", 4], [5], ["stop"], [6]]
    with DaskExecutor(workers=2) as executor:
        results = list(
            executor.map_ordered(
                square_or_fail, iter(tasks), split=lambda task: [[n] for n in task], combine=lambda parts: sum(parts, []),
                failed=lambda task, reason: [f"failed: {reason}"], size=len,
            )
        )
    assert results[0] == [1, 4] and results[2] == [25] and results[4] == [36]
    assert results[1][0] == 9 and results[1][2] == 16 and results[1][1].startswith("failed: its worker died")
    assert results[3] == ["failed: not processed within 3 s (a worker stuck)"]


def test_a_stopped_worker_of_a_cluster_does_not_stall_the_run(corpus, single_process, tmp_path, monkeypatch):
    monkeypatch.setattr("etl.pipeline.BATCH_FILES", 2)
    monkeypatch.setattr("etl.executors.TASK_DEADLINE_SECONDS", 5.0)
    with start_local_cluster(2) as cluster, Client(cluster) as client:
        stopped = next(iter(client.run(os.getpid).values()))
        os.kill(stopped, signal.SIGSTOP)  # before the run: the scheduler still counts it as idle
        try:
            summary = run_corpus([str(corpus)], tmp_path, scheduler=cluster.scheduler_address, progress="none")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(stopped, signal.SIGCONT)
    assert summary.counts == run_corpus([str(corpus)], tmp_path / "again", workers=1, progress="none").counts
    assert_same_tables(single_process, tmp_path)


def test_ctrl_c_on_a_dask_run_prints_one_line(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    seeds = [path.read_text("utf-8") for path in sorted(SEEDS.iterdir())]
    for index in range(300):
        (folder / f"{index:05d}.txt").write_text(f"第{index}期\n" + seeds[index % 5], encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "etl", str(folder), "--out", str(tmp_path / "out"), "--workers", "2", "--progress", "log"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    while not (line := process.stderr.readline()).startswith("etl: ") and line:
        pass  # (a warning that Dask's default web port is taken by another cluster)
    assert "local Dask worker processes" in line
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole process group
    rest = process.communicate(timeout=120)[1]
    assert process.returncode == 130
    lines = [line for line in rest.splitlines() if not line.startswith("etl: ") and "8787" not in line]
    assert lines == [f"interrupted: {tmp_path / 'out'} is left as it was before this run"]


def test_a_cluster_without_workers_fails_in_seconds(tmp_path, monkeypatch):
    monkeypatch.setattr("etl.executors.WORKERS_TIMEOUT_SECONDS", 2)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        started = time.monotonic()
        with pytest.raises(ExecutorError, match="has no workers"):
            run_corpus([str(SEEDS)], tmp_path, scheduler=cluster.scheduler_address, progress="none")
    assert time.monotonic() - started < 15
    assert committed_tables(tmp_path) is None
