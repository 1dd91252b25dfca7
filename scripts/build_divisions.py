"""Build etl/data/divisions.csv, the compact gazetteer the fact stage resolves places against.

Reads the shared NBS division table (../shared/data/admin-divisions/divisions.csv, 2023 vintage,
from modood/Administrative-divisions-of-China, WTFPL v2; data © 国家统计局 统计用区划代码) and keeps
four columns: code, name, level, parent (the parent's code). Enclosing names are derivable from the
parent chain, so they are dropped. Run from the project root:

    .venv/bin/python scripts/build_divisions.py [SOURCE_CSV]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "admin-divisions" / "divisions.csv"
DESTINATION = ROOT / "etl" / "data" / "divisions.csv"
HEADER = (
    "# China's divisions down to township level: NBS 统计用区划代码 2023, via"
    " github.com/modood/Administrative-divisions-of-China (commit 57a0aa9c, WTFPL v2)."
    " Built by scripts/build_divisions.py; do not edit by hand.\n"
)


def build(source: Path, destination: Path) -> int:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"code", "name", "level", "parent_code"} - set(rows[0] if rows else ())
    if missing:
        raise SystemExit(f"{source}: missing columns {sorted(missing)}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent"])
        for row in rows:
            writer.writerow([row["code"], row["name"], row["level"], row["parent_code"]])
    return len(rows)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    count = build(source, DESTINATION)
    print(f"{DESTINATION.relative_to(ROOT)}: {count} divisions, {DESTINATION.stat().st_size // 1024} KiB")
