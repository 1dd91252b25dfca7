"""How fast etl.quantities.find_quantities reads text, next to two yardsticks measured in the same run.

- floor: reading the same files plus one compiled-regex pass for number-then-unit (the least any
  finder must do);
- JioNLP's money extraction (jionlp.extract_money), a well-known Chinese amount extractor.

find_quantities caches what a match means given the few characters around it, so a repeated corpus
runs warm; the "cold" line reads the five seeds once with empty caches, the worst case per match.

The corpus is the seed articles repeated to about 20 MB (UTF-8), written to temporary files so
every contender reads from disk. JioNLP is slow, so it runs on a 2 MB slice and its rate is scaled.
Run: .venv/bin/python benchmarks/bench_quantities.py [--mb 20]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from etl import quantities
from etl.quantities import find_quantities

ROOT = Path(__file__).resolve().parent.parent
FLOOR = re.compile(
    r"[0-9０-９零一二两三四五六七八九十百千万亿]+(?:[.．][0-9]+)?[余多]?"
    r"(?:亿元|万元|元|平方米|平方公里|亩|㎡|%|户|人次|人|名|个|处|家|起|件|次|场)"
)


def write_corpus(directory: Path, megabytes: float) -> list[Path]:
    seeds = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    block = "\n\n".join(seeds)
    copies = max(1, int(megabytes * 1e6 / len(block.encode("utf-8"))))
    paths = []
    per_file = 50
    for index in range(0, copies, per_file):
        path = directory / f"corpus_{index:05d}.txt"
        path.write_text("\n\n".join([block] * min(per_file, copies - index)), encoding="utf-8")
        paths.append(path)
    return paths


def rate(paths: list[Path], work) -> tuple[float, float, int]:
    """MB/s (UTF-8 bytes on disk), seconds, and how many things `work` found."""
    size = sum(path.stat().st_size for path in paths)
    started = time.perf_counter()
    found = 0
    for path in paths:
        found += work(path.read_text(encoding="utf-8"))
    seconds = time.perf_counter() - started
    return size / 1e6 / seconds, seconds, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (default 20)")
    parser.add_argument("--jionlp-mb", type=float, default=2.0, help="slice JioNLP runs on (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp), args.mb)
        seeds = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
        find_quantities("预热:投资近2亿元")  # load tables and cn2an outside the timing
        quantities._READINGS.clear()
        quantities.read_numeral.cache_clear()
        started = time.perf_counter()
        cold_found = sum(len(find_quantities(text)) for text in seeds)
        cold = sum(len(text.encode("utf-8")) for text in seeds) / 1e6 / (time.perf_counter() - started)
        floor, floor_s, floor_n = rate(paths, lambda text: sum(1 for _ in FLOOR.finditer(text)))
        ours, ours_s, ours_n = rate(paths, lambda text: len(find_quantities(text)))
        (Path(tmp) / "jio").mkdir()
        small = write_corpus(Path(tmp) / "jio", args.jionlp_mb)
        size = sum(path.stat().st_size for path in paths) / 1e6
        try:
            from jionlp.algorithm.ner import extract_money

            extract_money("预热100元")
            jio, jio_s, jio_n = rate(small, lambda text: len(extract_money(text, with_parsing=False)))
        except ImportError:
            jio = jio_s = jio_n = None
    print(f"corpus: seed articles repeated to ~{size:.0f} MB; one process, one core")
    print(f"{'':34}{'MB/s':>9}{'seconds':>10}{'found':>10}")
    print(f"{'floor (read + one regex pass)':34}{floor:9.1f}{floor_s:10.2f}{floor_n:10d}")
    print(f"{'etl.quantities.find_quantities':34}{ours:9.1f}{ours_s:10.2f}{ours_n:10d}")
    print(f"{'find_quantities, 5 seeds, cold':34}{cold:9.1f}{'':10}{cold_found:10d}"
          "  (empty caches: every match read)")
    if jio is not None:
        label = f"jionlp.extract_money ({args.jionlp_mb} MB)"
        print(f"{label:34}{jio:9.1f}{jio_s:10.2f}{jio_n:10d}")
    print(f"find_quantities / floor  = {ours / floor:.2f}  (goal: at least 0.25)")
    if jio is not None:
        print(f"find_quantities / jionlp = {ours / jio:.1f}x")


if __name__ == "__main__":
    main()
