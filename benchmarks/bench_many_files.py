"""Memory of `govstats etl` on a corpus of very many small files (default 1,000,000): a first run,
then a re-run on the unchanged corpus (every file skipped, its facts copied from the last run).

The pipeline's memory must stay bounded by the batch, not the corpus. The only thing that may grow
with the number of files is the main process's index of the last run, on a re-run (about 60 bytes
per file); this benchmark shows whether anything else does, where the 200 MB benchmark
(bench_pipeline.py, 21,464 files) cannot.

The corpus (benchmarks/.corpus/files-<N>/, gitignored, made once) has N short articles of one
sentence each, with a subdistrict, a year and two figures, each different, in folders of 1,000.
A million files take about 4 GB of disk (a block each) and 3 minutes to write; the two runs take
about 8 minutes on two cores.

Run: .venv/bin/python benchmarks/bench_many_files.py [--files 1000000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import CORPORA, OUTLETS, _subdistrict_names, run_pipeline  # the same runner and names

RECIPE_VERSION = 1


def build_corpus(n_files: int) -> Path:
    corpus = CORPORA / f"files-{n_files}"
    manifest = corpus / "manifest.json"
    recipe = {"version": RECIPE_VERSION, "files": n_files}
    if manifest.exists() and json.loads(manifest.read_text()) == recipe:
        return corpus
    print(f"building a corpus of {n_files:,} files in {corpus} (once) ...", flush=True)
    places = _subdistrict_names()
    rng = random.Random(0)
    for index in range(n_files):
        folder = corpus / f"{index // 1000:04d}"
        if index % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        year = 2010 + index % 14
        text = (
            f"{rng.choice(OUTLETS)} {year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日\n"
            f"{rng.choice(places)}{year}年完成固定资产投资{rng.randint(1, 999)}.{rng.randint(1, 9)}亿元，"
            f"拆除违章建筑{rng.randint(1000, 99999)}平方米。\n"
        )
        (folder / f"{index:07d}.txt").write_text(text, encoding="utf-8")
    manifest.write_text(json.dumps(recipe))
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1_000_000, help="number of files (default 1,000,000)")
    parser.add_argument("--workers", type=int, default=2, help="--workers of both runs (default 2)")
    args = parser.parse_args()
    corpus = build_corpus(args.files)
    print(f"corpus: {args.files:,} files ({corpus.relative_to(CORPORA.parent.parent)}); --workers {args.workers}")
    print(f"{'':26}{'seconds':>9}{'files/s':>9}{'peak MB':>9}{'main MB':>9}{'main B/file':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        for label, full in (("first run (--full)", True), ("re-run, all unchanged", False)):
            run = run_pipeline(args.workers, out, corpus, full=full)
            print(
                f"{label:26}{run['seconds']:9.1f}{run['documents'] / run['seconds']:9.0f}{run['peak_mb']:9.0f}"
                f"{run['peak_main_mb']:9.0f}{run['peak_main_mb'] * 1e6 / run['documents']:13.0f}"
            )
            print(f"  {run['summary']}")
    print("main B/file: the main process's peak (imports and Dask's scheduler included) divided by the files")


if __name__ == "__main__":
    main()
