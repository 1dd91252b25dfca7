"""The whole-table figures kept on disk (dashboard/disk_cache.py): per user, keyed by the table's
content, and never trusted on read."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard import disk_cache
from tests.test_dashboard_table import fact_rows, write_tables


@pytest.fixture
def table(tmp_path, monkeypatch):
    from dashboard import data

    monkeypatch.setenv("GOVSTATS_DATA", str(write_tables(tmp_path / "data")))
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache" / "govstats")
    return data.current_table()


def cached_files(folder) -> list:
    return sorted(folder.glob("figures-*.parquet"))


def test_figures_are_kept_in_a_private_folder_for_the_next_server(table):
    from dashboard import data

    first = data.compute_all_figures(table)
    (kept,) = cached_files(data.CACHE_DIR)
    assert os.stat(data.CACHE_DIR).st_mode & 0o777 == 0o700 and os.stat(kept).st_mode & 0o777 == 0o600
    os.utime(kept, (1e9, 1e9))  # read back, not rewritten
    assert data.compute_all_figures(table).equals(first) and os.stat(kept).st_mtime == 1e9


def test_the_key_is_the_tables_content_not_its_name_or_time(table, tmp_path):
    from dashboard import data

    data.compute_all_figures(table)
    copy = tmp_path / "copy" / "facts.parquet"
    copy.parent.mkdir()
    shutil.copy2(table.path, copy)  # same bytes elsewhere: the same result
    assert disk_cache.content_hash(copy) == disk_cache.content_hash(table.path)
    stat = os.stat(table.path)
    changed = [row for row in fact_rows() if row["subdistrict"] != "新城街道"]
    write_tables(tmp_path / "data", changed)
    os.utime(table.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # new content, same time
    figures = data.compute_all_figures(table)
    assert "新城街道" not in set(figures["subdistrict"]) and len(cached_files(data.CACHE_DIR)) == 2


def planted(path, frame: pd.DataFrame, metadata: dict | None) -> None:
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(arrow.replace_schema_metadata({**arrow.schema.metadata, **(metadata or {})}), path)


@pytest.mark.parametrize(
    "tamper",
    [
        "no key",  # a file planted under the right name
        "another table's key",
        "another kind",
        "columns missing",
        "writable by others",
    ],
)
def test_a_planted_or_altered_file_is_never_read(table, tamper):
    from dashboard import data

    honest = data.compute_all_figures(table)
    (kept,) = cached_files(data.CACHE_DIR)
    key = pq.read_schema(kept).metadata[disk_cache.KEY_FIELD]
    forged = honest.assign(value=honest["value"] * 1000)
    metadata = {
        "no key": {},
        "another table's key": {disk_cache.KEY_FIELD: b"0" * 64, disk_cache.KIND_FIELD: b"figures"},
        "another kind": {disk_cache.KEY_FIELD: key, disk_cache.KIND_FIELD: b"entries"},
        "columns missing": {disk_cache.KEY_FIELD: key, disk_cache.KIND_FIELD: b"figures"},
        "writable by others": {disk_cache.KEY_FIELD: key, disk_cache.KIND_FIELD: b"figures"},
    }[tamper]
    planted(kept, forged.drop(columns="conflict") if tamper == "columns missing" else forged, metadata)
    os.chmod(kept, 0o666 if tamper == "writable by others" else 0o600)
    assert data.compute_all_figures(table).equals(honest)


def test_a_folder_others_can_enter_is_not_used(table, tmp_path, monkeypatch):
    from dashboard import data

    data.CACHE_DIR.mkdir(parents=True)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    os.symlink(shared, data.CACHE_DIR / "link")
    monkeypatch.setattr(data, "CACHE_DIR", data.CACHE_DIR / "link")  # a symbolic link to a shared folder
    data.compute_all_figures(table)
    assert list(shared.iterdir()) == []
