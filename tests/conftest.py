from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_tables(tmp_path_factory):
    """facts.parquet and documents.parquet built from the seeds by the real CLI, once per session."""
    from etl.cli import main

    out = tmp_path_factory.mktemp("seed-tables")
    assert main(["etl", str(SEEDS), "--out", str(out)]) == 0
    return out
