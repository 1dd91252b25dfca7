"""`govstats etl` under hostile inputs, faults and concurrency (issue 12): nothing lost, nothing hangs.

Each test builds its corpus, reproduces one class of problem, and checks the run's answer: an error
row naming the file and the problem, the last run's facts kept, the exit code, and tables that are
always a committed pair.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl.cli import main
from etl.pipeline import iter_inputs
from etl.tables import committed_tables
from tests.conftest import ROOT, SEEDS

SHORT = "林山寨街道共排查出各类矛盾问题15882起,办结率达99.22%。\n拆除违章建筑15000余平方米。\n"
OTHER = "新城街道新增城镇就业2602人。\n"
ETL = [sys.executable, "-m", "etl", "etl"]
# The capabilities that let root read any file: without them a mode-000 file is unreadable to root too.
UNPRIVILEGED = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    committed = committed_tables(out)
    return pd.read_parquet(committed.documents), pd.read_parquet(committed.facts)


def etl(*args: str, unprivileged: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    command = [*UNPRIVILEGED, *ETL] if unprivileged else ETL
    return subprocess.run([*command, *args, "--progress", "none"], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def can_drop_capabilities() -> bool:
    if shutil.which("setpriv") is None:
        return False
    return subprocess.run([*UNPRIVILEGED, "true"], capture_output=True).returncode == 0


needs_unprivileged = pytest.mark.skipif(
    os.geteuid() == 0 and not can_drop_capabilities(),
    reason="runs as root and cannot drop CAP_DAC_OVERRIDE (setpriv missing or not permitted): root reads mode-000 files",
)


def corpus(folder: Path) -> Path:
    (folder / "archive" / "sub").mkdir(parents=True)
    (folder / "archive" / "a.txt").write_text(SHORT, encoding="utf-8")
    (folder / "archive" / "sub" / "b.txt").write_text(OTHER, encoding="utf-8")
    (folder / "archive" / "sub" / "c.txt").write_text(SHORT + OTHER, encoding="utf-8")
    return folder / "archive"


# -- data loss ---------------------------------------------------------------------------------


@needs_unprivileged
@pytest.mark.parametrize("unreadable", ["sub", "sub/b.txt"], ids=["folder", "file"])
def test_an_unreadable_folder_or_file_gets_an_error_row_and_keeps_its_last_facts(tmp_path, unreadable):
    archive, out = corpus(tmp_path), tmp_path / "out"
    assert etl(str(archive), "--out", str(out)).returncode == 0
    documents_before, facts_before = tables(out)
    (archive / unreadable).chmod(0)
    try:
        result = etl(str(archive), "--out", str(out), unprivileged=True)
    finally:
        (archive / unreadable).chmod(0o755)
    documents, facts = tables(out)
    assert result.returncode == 1, result.stderr
    assert "Permission denied" in result.stderr
    lost = documents_before["source"].str.contains(f"/{unreadable}")
    assert set(documents.loc[documents["source"].isin(documents_before.loc[lost, "source"]), "status"]) == {"error"}
    assert documents[documents["status"] == "error"]["error"].str.contains("facts of the last run are kept").any()
    pd.testing.assert_frame_equal(facts.sort_values("fact_id", ignore_index=True), facts_before.sort_values("fact_id", ignore_index=True))
    assert "kept from the last run" in result.stdout
    # kept again on the next run while it stays unreadable
    (archive / unreadable).chmod(0)
    try:
        again = etl(str(archive), "--out", str(out), unprivileged=True)
    finally:
        (archive / unreadable).chmod(0o755)
    assert again.returncode == 1 and len(tables(out)[1]) == len(facts_before)


@pytest.mark.parametrize("source", ["seedz", "seeds/*.doc", "empty-folder"])
def test_a_source_naming_nothing_stops_the_run_before_anything_is_written(tmp_path, source):
    out = tmp_path / "out"
    assert main(["etl", str(SEEDS), "--out", str(out), "--progress", "none"]) == 0
    before = committed_tables(out)
    (tmp_path / "empty-folder").mkdir()
    result = etl(source if source.startswith("seeds") else str(tmp_path / source), "--out", str(out))
    assert result.returncode == 2
    assert "nothing was written" in result.stderr
    assert committed_tables(out) == before and len(pd.read_parquet(out / "facts.parquet")) == 225


@pytest.mark.parametrize(
    "separator",
    ["\u2028", "\u2029", "\u0085", "\x0b", "\x1c"],
    ids=["line-separator", "paragraph-separator", "next-line", "vertical-tab", "file-separator"],
)
def test_jsonl_is_split_on_line_feeds_only(tmp_path, separator):
    lines = [
        json.dumps({"text": f"拆除违章建筑15000余平方米。{separator}投资68亿元。"}, ensure_ascii=False),
        json.dumps({"text": "新增城镇就业2602人。"}, ensure_ascii=False),
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["etl", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "out"), "--progress", "none"]) == 0
    documents, facts = tables(tmp_path / "out")
    assert [Path(s).name for s in documents["source"]] == ["a.jsonl:1", "a.jsonl:2"]
    assert list(documents["n_facts"]) == [2, 1]


def test_a_nul_in_one_jsonl_line_refuses_that_line_only(tmp_path):
    raw = '{"text": "投资68亿元"}\n{"text": "拆除\x00违章"}\n{"text": "新增城镇就业2602人。"}\n'.encode()
    (tmp_path / "a.jsonl").write_bytes(raw)
    assert main(["etl", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "out"), "--progress", "none"]) == 1
    documents, _ = tables(tmp_path / "out")
    assert list(documents["status"]) == ["ok", "error", "ok"]
    assert documents["error"].iloc[1].endswith("a.jsonl:2: not text: a NUL byte in this line")


def test_a_bad_published_date_in_jsonl_warns_and_keeps_the_article(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "投资68亿元", "published": "yesterday"}\n', encoding="utf-8")
    assert main(["etl", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "out"), "--progress", "none"]) == 0
    documents, facts = tables(tmp_path / "out")
    assert list(documents["status"]) == ["ok"] and len(facts) == 1
    assert "published 'yesterday' is not a date" in documents["warning"].iloc[0]


def big_corpus(folder: Path, n_files: int = 400) -> Path:
    folder.mkdir()
    seeds = [path.read_text("utf-8") for path in sorted(SEEDS.iterdir())]
    for index in range(n_files):
        (folder / f"{index:05d}.txt").write_text(f"第{index}期\n" + seeds[index % 5], encoding="utf-8")
    return folder


def test_two_runs_on_one_out_the_second_fails_or_waits(tmp_path):
    out = tmp_path / "out"
    big = big_corpus(tmp_path / "big")
    first = subprocess.Popen([*ETL, str(big), "--out", str(out), "--workers", "1", "--progress", "none"], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not list(out.glob(".versions/*")) and time.monotonic() < deadline:  # made under the lock
        time.sleep(0.05)
    busy = etl(str(SEEDS), "--out", str(out))
    waiting = subprocess.Popen([*ETL, str(SEEDS), "--out", str(out), "--wait", "--progress", "none"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=300) == 0
    _, waited = waiting.communicate(timeout=300)
    assert busy.returncode == 2 and "another govstats etl" in busy.stderr and "--wait" in busy.stderr
    assert waiting.returncode == 0 and "waiting for the run" in waited
    documents, facts = tables(out)  # the last run's pair, whole: the seeds
    assert len(documents) == 5 and documents["n_facts"].sum() == len(facts) == 225


CRASH_AT_COMMIT = """
import os, sys
import etl.tables
real = etl.tables._switch_link
def crash(path, target):
    if path.name == ".current":
        os._exit(9)  # the process dies here: both files written, the pointer not yet switched
    real(path, target)
etl.tables._switch_link = crash
from etl.cli import main
main(sys.argv[1:])
"""


def test_a_crash_at_the_commit_leaves_the_last_committed_pair(tmp_path):
    out = tmp_path / "out"
    assert main(["etl", str(SEEDS), "--out", str(out), "--progress", "none"]) == 0
    documents_before, facts_before = tables(out)
    archive = corpus(tmp_path)
    crashed = subprocess.run([sys.executable, "-c", CRASH_AT_COMMIT, "etl", str(archive), "--out", str(out), "--progress", "none"], cwd=ROOT)
    assert crashed.returncode == 9
    assert len(list((out / ".versions").iterdir())) == 2  # the crashed run's complete files, not committed
    documents, facts = tables(out)
    pd.testing.assert_frame_equal(documents, documents_before)
    pd.testing.assert_frame_equal(facts, facts_before)
    # plain readers of OUT/facts.parquet read the committed version too
    pd.testing.assert_frame_equal(pd.read_parquet(out / "facts.parquet"), facts_before)
    assert main(["etl", str(archive), "--out", str(out), "--progress", "none"]) == 0
    documents, facts = tables(out)
    assert len(documents) == 3 and documents["n_facts"].sum() == len(facts)
    assert len(list((out / ".versions").iterdir())) == 2  # this one and the one before it


def test_a_reposted_article_has_its_own_fact_ids_and_points_to_the_first(tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / "in" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_text(OTHER if name == "b.txt" else SHORT, encoding="utf-8")
    assert main(["etl", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--progress", "none"]) == 0
    documents, facts = tables(tmp_path / "out")
    assert facts["fact_id"].is_unique
    assert [None if pd.isna(d) else Path(d).name for d in documents["duplicate_of"]] == [None, None, "a.txt"]


# -- hangs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "fifo-in-folder", "dangling-link", "link-loop"])
def test_what_is_not_a_regular_file_gets_an_error_row_and_does_not_hang(tmp_path, kind):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(SHORT, encoding="utf-8")
    special = folder / "odd.txt"
    if kind.startswith("fifo"):
        os.mkfifo(special)
    elif kind == "dangling-link":
        special.symlink_to(folder / "gone.txt")
    elif kind == "link-loop":
        special.symlink_to(special)
    sources = {"fifo": [str(special)], "dev-zero": ["/dev/zero"]}.get(kind, [str(folder)])
    result = etl(*sources, "--out", str(tmp_path / "out"), timeout=60)
    documents, _ = tables(tmp_path / "out")
    assert result.returncode == 1, result.stderr
    error = documents.loc[documents["status"] == "error", "error"].iloc[0]
    expected = {"fifo": "a FIFO", "dev-zero": "a character device", "fifo-in-folder": "a FIFO", "dangling-link": "dangling", "link-loop": "loop"}
    assert expected[kind] in error


def test_globs_and_walks_give_each_file_once_through_link_loops(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_text(SHORT, encoding="utf-8")
    (tmp_path / "a" / "b" / "up").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    for follow in (False, True):
        for source in (f"{tmp_path}/a/**/*.txt", f"{tmp_path}/a", f"{tmp_path}/**"):
            assert [entry.source for entry in iter_inputs([source], follow_symlinks=follow)] == [f"{tmp_path}/a/b/x.txt"]


# -- memory ------------------------------------------------------------------------------------


MEASURE = """
import resource, sys
from etl.cli import main
code = main(sys.argv[1:])
print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_a_one_megabyte_sentence_costs_memory_linear_in_its_length(tmp_path):
    (tmp_path / "long.txt").write_text("投资1亿元，" * 58_000, encoding="utf-8")  # 1 MB, one sentence
    (tmp_path / "lines.txt").write_text("新增就业2602人。\n" * 40_000, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, "etl", str(tmp_path), "--out", str(tmp_path / "out"), "--workers", "1", "--progress", "none"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)),
    )  # fmt: skip
    code, peak_mb = map(int, result.stdout.split()[-2:])
    assert code == 0, result.stderr
    assert peak_mb < 900
    documents, facts = tables(tmp_path / "out")
    assert list(documents["n_facts"]) == [40_000, 58_000]
    assert facts["sentence"].str.len().max() <= 400
    assert facts["fact_id"].is_unique


# -- bad names, links out of the folders -----------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_stored_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w", encoding="utf-8") as file:
        file.write(SHORT)
    assert main(["etl", str(folder), "--out", str(tmp_path / "out"), "--progress", "none"]) == 0
    documents, facts = tables(tmp_path / "out")
    assert [Path(s).name for s in documents["source"]] == ["caf\\xe9.txt"] and len(facts) == 3


@pytest.mark.parametrize("follow, status", [(False, "error"), (True, "ok")])
def test_a_link_out_of_the_folders_given_is_read_only_with_follow_symlinks(tmp_path, follow, status):
    (tmp_path / "secret.txt").write_text(SHORT, encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "inside.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "in" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "in" / "near.txt").symlink_to(tmp_path / "in" / "inside.txt")  # inside: always read
    flags = ["--follow-symlinks"] if follow else []
    main(["etl", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--progress", "none", *flags])
    documents, _ = tables(tmp_path / "out")
    statuses = dict(zip(documents["source"].map(lambda s: Path(s).name), documents["status"]))
    assert statuses == {"inside.txt": "ok", "link.txt": status, "near.txt": "ok"}


# -- clear errors and exit codes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "out, message",
    [("a-file", "is a file"), ("read-only/out", "cannot")],
    ids=["out-is-a-file", "out-not-writable"],
)
def test_an_unusable_out_is_a_clear_error_with_exit_code_2(tmp_path, out, message):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "read-only").mkdir()
    (tmp_path / "read-only").chmod(0o555)
    if out.startswith("read-only") and os.geteuid() == 0 and not can_drop_capabilities():
        pytest.skip("runs as root and cannot drop CAP_DAC_OVERRIDE: root writes into read-only folders")
    result = etl(str(SEEDS), "--out", str(tmp_path / out), unprivileged=out.startswith("read-only"))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
from etl.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_full_disk_is_a_clear_error_and_leaves_the_last_tables(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "a.txt").write_text(SHORT, encoding="utf-8")
    assert main(["etl", str(tmp_path / "small"), "--out", str(out), "--progress", "none"]) == 0
    before = tables(out)
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "etl", str(SEEDS), "--out", str(out), "--progress", "none"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "cannot write the tables" in result.stderr and "Traceback" not in result.stderr
    pd.testing.assert_frame_equal(tables(out)[1], before[1])


def test_an_unreachable_scheduler_fails_in_seconds(tmp_path):
    started = time.monotonic()
    result = etl(str(SEEDS), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9", timeout=60)
    assert result.returncode == 2 and "cannot reach the Dask scheduler" in result.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out" / "facts.parquet").exists()


@pytest.mark.parametrize(
    "meta, code, message",
    [
        ('{"source": "a.txt", "outlet": "郑州日报"}\n["a.txt"]\n', 2, "meta.jsonl:2: not a JSON object"),
        ('{"source": "a.txt", "outlet": "A"}\n{"source": "a.txt", "outlet": "B"}\n', 0, "source 'a.txt' again (line 1)"),
        ('{"source": "a.txt"}\n{"source": "gone.txt"}\n', 0, "1 sources match no input: 'gone.txt'"),
        ('{"source": "a.txt", "published": "2013-13-45"}\n', 0, "2013-13-45"),
    ],
    ids=["line-not-an-object", "source-twice", "source-matching-nothing", "bad-date-quoted"],
)
def test_meta_problems_are_reported(tmp_path, meta, code, message):
    (tmp_path / "a.txt").write_text(SHORT, encoding="utf-8")
    (tmp_path / "meta.jsonl").write_text(meta, encoding="utf-8")
    result = etl(str(tmp_path / "a.txt"), "--meta", str(tmp_path / "meta.jsonl"), "--out", str(tmp_path / "out"))
    assert result.returncode == code and message in result.stderr, result.stderr


def test_an_out_copied_following_links_is_read_and_written_again(tmp_path):
    out = tmp_path / "out"
    assert main(["etl", str(SEEDS), "--out", str(out), "--progress", "none"]) == 0
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)  # follows links: .current and the two tables become plain copies
    assert len(tables(copy)[1]) == 225
    assert main(["etl", str(SEEDS), "--out", str(copy), "--progress", "none"]) == 0
    assert (copy / ".current").is_symlink() and len(tables(copy)[1]) == 225
    assert main(["etl", str(SEEDS), "--out", str(copy), "--full", "--progress", "none"]) == 0
    assert len(pd.read_parquet(copy / "facts.parquet")) == 225
