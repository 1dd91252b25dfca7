"""Peak memory and time of `govstats etl --workers 1` on hostile corpora, next to a normal corpus of
the same size: one 1 MB sentence (`投资1亿元，` repeated: every figure in one sentence) and 6 MB of
short lines (one figure each), each beside the seed articles repeated to the same number of bytes.

Each run is its own process (`python -m etl etl ... --workers 1`); peak memory is that process's
maximum resident set size (os.wait4), time is wall-clock. Issue 12 measured, before the fix, 3.7 GB
and 15 s for a 160 KB sentence and 1.6 GB for 6 MB of short lines.

    .venv/bin/python benchmarks/bench_adversarial.py [--sentence-mb 1] [--lines-mb 6]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def long_sentence(megabytes: float) -> str:
    unit = "投资1亿元，"
    return unit * int(megabytes * 1e6 / len(unit.encode("utf-8")))


def short_lines(megabytes: float) -> str:
    line = "新增城镇就业2602人。\n"
    return line * int(megabytes * 1e6 / len(line.encode("utf-8")))


def normal_corpus(folder: Path, n_bytes: int) -> None:
    """The seed articles repeated (each copy numbered, so every file differs) to n_bytes."""
    seeds = [path.read_text("utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    written = index = 0
    while written < n_bytes:
        text = f"第{index}期\n" + seeds[index % len(seeds)]
        (folder / f"{index:06d}.txt").write_text(text, encoding="utf-8")
        written += len(text.encode("utf-8"))
        index += 1


def measure(source: Path, out: Path) -> tuple[float, float, str]:
    """(seconds, peak MB, the closing line) of one etl run in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "etl", str(source), "--out", str(out), "--workers", "1", "--full", "--progress", "none"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    line = process.stdout.read().strip().splitlines()[-1] if os.waitstatus_to_exitcode(status) in (0, 1) else "failed"
    return seconds, usage.ru_maxrss / 1024, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentence-mb", type=float, default=1.0)
    parser.add_argument("--lines-mb", type=float, default=6.0)
    args = parser.parse_args()
    print("| corpus | MB | facts | seconds | peak memory (RSS) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for name, text in (
            ("one sentence", long_sentence(args.sentence_mb)),
            ("short lines", short_lines(args.lines_mb)),
        ):
            hostile = folder / f"{name}.txt"
            hostile.write_text(text, encoding="utf-8")
            normal = folder / f"normal-{name}"
            normal.mkdir()
            size = hostile.stat().st_size
            normal_corpus(normal, size)
            for label, source in ((name, hostile), (f"seeds repeated, same size as '{name}'", normal)):
                seconds, peak, line = measure(source, folder / "out")
                facts = line.split("; ")[1].split(" facts")[0] if "; " in line else "?"
                print(f"| {label} | {size / 1e6:.1f} | {facts} | {seconds:.1f} | {peak:.0f} MB |", flush=True)


if __name__ == "__main__":
    main()
