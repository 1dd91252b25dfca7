"""Build etl/data/divisions.csv, the compact gazetteer the fact stage resolves places against,
and etl/data/former_names.csv, the names of 2016–2022 that the 2023 table no longer holds.

Reads the shared NBS division table (../shared/data/admin-divisions/divisions.csv, 2023 vintage,
from modood/Administrative-divisions-of-China, WTFPL v2; data © 国家统计局 统计用区划代码) and keeps
four columns: code, name, level, parent (the parent's code). Enclosing names are derivable from the
parent chain, so they are dropped.

From former_names.csv beside it (the same source's 2016–2022 vintages) it keeps what an article of
those years may name and the 2023 table cannot find: a township or district whose suffix changed
(侯寨乡 → 侯寨街道, 孟津县 → 孟津区: the current unit), and a township that is gone or whose code now
names another unit (二七区 解放路街道: the old name under its old district). Names that still exist
under another code (moved_code) are found in the 2023 table already. Run from the project root:

    .venv/bin/python scripts/build_divisions.py [SOURCE_DIR]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "admin-divisions"
DESTINATION = ROOT / "etl" / "data" / "divisions.csv"
FORMER_DESTINATION = ROOT / "etl" / "data" / "former_names.csv"
FORMER_HEADER = (
    "# Division names of the NBS 2016-2022 vintages absent from 2023 (same source as divisions.csv)."
    " current: the 2023 unit a renamed-by-suffix name became. Built by scripts/build_divisions.py.\n"
)
_SUFFIX_CHANGED = "type_changed"
_OLD_UNIT = ("gone", "renamed_or_reused")
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


def build_former(source: Path, destination: Path) -> int:
    """Keep the former names the extractor resolves (see the module docstring); returns the count."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = []
    for row in rows:
        if row["status"] == _SUFFIX_CHANGED and row["level"] in ("township", "district") and row["current_match"]:
            current = row["current_match"].split(" ")[0]
        elif row["status"] in _OLD_UNIT and row["level"] == "township" and row["name"].endswith(("街道", "镇", "乡")):
            current = ""
        else:
            continue
        kept.append([row["old_code"], row["name"], row["level"], row["status"], row["last_vintage"],
                     row["old_parent_code"], row["old_parent"], row["old_city"], row["province"], current])  # fmt: skip
    with destination.open("w", encoding="utf-8", newline="") as handle:
        handle.write(FORMER_HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "status", "last_vintage", "parent", "parent_name", "city", "province", "current"])
        writer.writerows(kept)
    return len(kept)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    count = build(source / "divisions.csv", DESTINATION)
    print(f"{DESTINATION.relative_to(ROOT)}: {count} divisions, {DESTINATION.stat().st_size // 1024} KiB")
    count = build_former(source / "former_names.csv", FORMER_DESTINATION)
    print(f"{FORMER_DESTINATION.relative_to(ROOT)}: {count} former names, {FORMER_DESTINATION.stat().st_size // 1024} KiB")
