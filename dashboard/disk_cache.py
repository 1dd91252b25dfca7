"""Whole-table results kept on disk between server runs, safely on a shared machine.

- The folder is the user's own ($XDG_CACHE_HOME/govstats/dashboard, else ~/.cache/...), made 0700;
  a folder or file that another user owns, or that others may write to, is never read.
- A result is keyed by the SHA-256 of the table's bytes (not its path or time) and of the rules
  that computed it; the key is written into the file, and a file whose key, kind or columns do not
  match what is asked is ignored (and replaced), never trusted.

>>> key = result_key("figures", "0" * 64, "SELECT 1")
>>> len(key), key == result_key("figures", "0" * 64, "SELECT 2")
(64, False)
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMAT = "govstats-dashboard-cache/2"
KEY_FIELD, KIND_FIELD = b"govstats.key", b"govstats.kind"
KEEP_DAYS = 7
log = logging.getLogger(__name__)
_hashes: dict[tuple, str] = {}


def default_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govstats" / "dashboard"


def content_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes; remembered while its size, time and inode stay the same."""
    info = os.stat(path)
    identity = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
    if identity not in _hashes:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        _hashes[identity] = digest.hexdigest()
    return _hashes[identity]


def result_key(kind: str, table_hash: str, rules: str) -> str:
    return hashlib.sha256(f"{FORMAT}|{kind}|{table_hash}|{rules}".encode()).hexdigest()


def _private(path: Path, folder: bool) -> bool:
    """Ours, and nobody else may write to it (a folder: nobody else may even read it)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if info.st_uid != os.getuid() or stat.S_ISLNK(info.st_mode):
        return False
    return not info.st_mode & (0o077 if folder else 0o022)


def _ready(folder: Path) -> bool:
    """The folder exists, is ours and 0700 (made so if we just created it)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    if folder.lstat().st_uid == os.getuid() and not folder.is_symlink():
        folder.chmod(0o700)
    if not _private(folder, folder=True):
        log.warning("%s is not a private folder of this user: results are not cached", folder)
        return False
    return True


def _read(path: Path, key: str, kind: str, columns: Sequence[str]) -> pd.DataFrame | None:
    if not path.is_file() or not _private(path, folder=False):
        return None
    try:
        table = pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException):
        return None
    metadata = table.schema.metadata or {}
    if metadata.get(KEY_FIELD) != key.encode() or metadata.get(KIND_FIELD) != kind.encode():
        return None
    if table.column_names != list(columns):
        return None
    return table.to_pandas()


def kept(folder: Path, kind: str, table_path: str, rules: str, columns: Sequence[str], compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """`compute()`'s result for this table's content and these rules, read from `folder` when a
    valid copy is there, else computed and written there (a cache that cannot be used only costs
    time)."""
    key = result_key(kind, content_hash(table_path), rules)
    path = folder / f"{kind}-{key[:32]}.parquet"
    usable = _ready(folder)
    if usable:
        found = _read(path, key, kind, columns)
        if found is not None:
            return found
    result = compute()
    if usable:
        try:
            _write(result, path, key, kind)
            _forget_old(folder)
        except OSError:
            pass
    return result


def _write(result: pd.DataFrame, path: Path, key: str, kind: str) -> None:
    table = pa.Table.from_pandas(result, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), KEY_FIELD: key.encode(), KIND_FIELD: kind.encode()})
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        pq.write_table(table, handle)
    os.replace(temporary, path)


def _forget_old(folder: Path, days: float = KEEP_DAYS) -> None:
    cutoff = time.time() - days * 86400
    for old in folder.glob("*.parquet"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
