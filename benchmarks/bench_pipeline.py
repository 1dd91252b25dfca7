"""End-to-end throughput and memory of `govstats etl` on a corpus of at least 200 MB, for
--workers 1 and --workers 2, beside two yardsticks measured in the same run:

- floor: reading the same files plus one compiled-regex pass for number-then-unit (the FLOOR of
  bench_quantities.py), one process;
- JioNLP's money extraction (jionlp.extract_money), which finds only money and classifies nothing,
  on a slice of the corpus, one process;

and each stage of the pipeline timed alone in one process (reading and hashing, parsing into
documents, extracting the facts, converting them to Arrow), to show where the time goes.

The corpus (benchmarks/.corpus/pipeline-200mb/, gitignored, reused while its recipe is unchanged) is
made from the seed articles and our 17 articles of other provinces and styles (tests/data/unseen/):
each document a different draw of their paragraphs, its numbers,
years and subdistrict names varied (names from etl/data/divisions.csv), with a dated header, so no
two documents are identical; 5% are HTML pages with navigation and scripts, 10% GB18030, 2% Big5
in Traditional characters, the rest UTF-8 text. Peak memory is the largest sum over the etl
process and all its children (Dask workers) of their proportional set size (PSS: private pages plus
a fair share of shared ones, so the libraries every process maps count once), sampled 5 times a
second; the sum of resident sizes (RSS, which counts shared libraries once per process) is shown
beside it.

Run: .venv/bin/python benchmarks/bench_pipeline.py [--mb 200] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "benchmarks" / ".corpus"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quantities import FLOOR  # the same floor as the quantities benchmark

RECIPE_VERSION = 2
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")
_SUBDISTRICT = re.compile(r"[\u4e00-\u9fff]{2,4}?(街道办事处|街道|办事处)")
OUTLETS = ("郑州日报", "河南商报", "中原网", "大河报", "郑州晚报")
NAV = (
    '<nav><a href="/">首页</a> | <a href="/zw">政务</a> | <a href="/zt">拆除违章建筑{n}平方米专题</a></nav>'
    '<script>var views = {n}; document.write("浏览次数" + views);</script>'
)


def _subdistrict_names() -> list[str]:
    with open(ROOT / "etl" / "data" / "divisions.csv", encoding="utf-8") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        return sorted({row[1] for row in rows if len(row) > 2 and row[2] == "township" and row[1].endswith("街道")})


def _traditional_table() -> dict[int, int]:
    import opencc

    table = {}
    for line in (Path(opencc.__file__).parent / "dictionary" / "STCharacters.txt").read_text("utf-8").splitlines():
        simplified, _, traditional = line.partition("\t")
        traditional = traditional.split(" ")[0]
        if len(simplified) == 1 and len(traditional) == 1:
            table[ord(simplified)] = ord(traditional)
    return table


def _vary(paragraph: str, rng: random.Random, places: list[str]) -> str:
    def number(match: re.Match) -> str:
        whole, _, decimals = match.group().partition(".")
        value = str(rng.randint(10 ** (len(whole) - 1) if len(whole) > 1 else 1, 10 ** len(whole) - 1))
        return value + ("." + "".join(rng.choice("0123456789") for _ in decimals) if decimals else "")

    paragraph = _YEAR.sub(lambda m: str(rng.randint(2005, 2016)), paragraph)
    paragraph = _NUMBER.sub(lambda m: m.group() if _is_year(m) else number(m), paragraph)
    return _SUBDISTRICT.sub(lambda m: rng.choice(places)[:-2] + m.group(1), paragraph)


def _is_year(match: re.Match) -> bool:
    return match.string[match.end() : match.end() + 1] == "年" and len(match.group()) == 4


def corpus_folder(megabytes: float) -> Path:
    return CORPORA / f"pipeline-{megabytes:g}mb"


def build_corpus(megabytes: float) -> tuple[list[Path], int]:
    """The benchmark corpus, made once and reused while its recipe and size are the same."""
    corpus = corpus_folder(megabytes)
    manifest = corpus / "manifest.json"
    recipe = {"version": RECIPE_VERSION, "megabytes": megabytes}
    if manifest.exists() and json.loads(manifest.read_text())["recipe"] == recipe:
        files = [corpus / name for name in json.loads(manifest.read_text())["files"]]
        return files, sum(path.stat().st_size for path in files)
    print(f"building a {megabytes:.0f} MB corpus in {corpus} (once) ...", flush=True)
    for old in corpus.glob("**/*"):
        if old.is_file():
            old.unlink()
    articles = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "unseen").glob("*.txt"))
    texts = [path.read_text("utf-8") for path in articles]
    paragraphs = [line for text in texts for line in text.splitlines() if len(line.strip()) > 10]
    places = _subdistrict_names()
    traditional = _traditional_table()
    files, total, index = [], 0, 0
    while total < megabytes * 1e6:
        rng = random.Random(index)
        year = rng.randint(2005, 2016)
        header = f"{rng.choice(OUTLETS)} {year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日 第{index + 1}期"
        body = [_vary(paragraph, rng, places) for paragraph in rng.sample(paragraphs, rng.randint(15, 70))]
        folder = corpus / f"{index // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = index % 100
        if kind < 5:
            path = folder / f"{index:06d}.html"
            page = "".join(f"<p>{line}</p>\n" for line in body)
            nav = NAV.format(n=rng.randint(10000, 99999))
            raw = (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{header}</title>'
                f'<meta name="pubdate" content="{year}-06-01"></head><body>{nav}<article><h1>{header}</h1>\n{page}'
                f"</article><footer>版权所有 {rng.choice(OUTLETS)}</footer></body></html>"
            ).encode()
        elif kind < 15:
            path = folder / f"{index:06d}.txt"
            raw = "\n".join([header, *body]).encode("gb18030")
        elif kind < 17:
            path = folder / f"{index:06d}.txt"
            raw = "\n".join([header, *body]).translate(traditional).encode("big5", errors="replace")
        else:
            path = folder / f"{index:06d}.txt"
            raw = "\n".join([header, *body]).encode("utf-8")
        path.write_bytes(raw)
        files.append(path)
        total += len(raw)
        index += 1
    manifest.write_text(json.dumps({"recipe": recipe, "files": [str(p.relative_to(corpus)) for p in files]}))
    return files, total


def floor_rate(files: list[Path]) -> float:
    started = time.perf_counter()
    size = 0
    for path in files:
        raw = path.read_bytes()
        size += len(raw)
        text = raw.decode("utf-8", errors="replace")
        sum(1 for _ in FLOOR.finditer(text))
    return size / 1e6 / (time.perf_counter() - started)


def jionlp_rate(files: list[Path], megabytes: float) -> float | None:
    try:
        from jionlp.algorithm.ner import extract_money
    except ImportError:
        return None
    extract_money("预热100元")
    texts, size = [], 0
    for path in files:
        if path.suffix == ".txt":
            raw = path.read_bytes()
            try:
                texts.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                continue
            size += len(raw)
            if size >= megabytes * 1e6:
                break
    started = time.perf_counter()
    for text in texts:
        extract_money(text, with_parsing=False)
    return size / 1e6 / (time.perf_counter() - started)


def stage_rates(files: list[Path], megabytes: float) -> dict:
    """Each stage of `govstats etl` timed on its own, in this process, on the first `megabytes` of
    the corpus: reading and hashing the files, parsing them into documents (decoding, HTML, stated
    provenance), extracting the facts, and converting the facts to Arrow."""
    from etl.documents import Document, content_hash_of, parse_bytes
    from etl.facts import extract_facts
    from etl.provenance import with_stated_provenance
    from etl.schema import FACT_SCHEMA, records_to_table

    extract_facts(Document("warm-up", "西湖街道2020年投资3亿元。"))  # loads the gazetteer and rules once
    records_to_table([], FACT_SCHEMA)  # pyarrow's first conversion imports pandas
    seconds = dict.fromkeys(("read", "parse", "facts", "arrow"), 0.0)
    size, facts = 0, []
    for path in files:
        started = time.perf_counter()
        raw = path.read_bytes()
        content_hash = content_hash_of(raw)
        parsed = time.perf_counter()
        documents = [with_stated_provenance(d) for d in parse_bytes(raw, str(path), content_hash) if isinstance(d, Document)]
        extracted = time.perf_counter()
        for document in documents:
            facts.extend(extract_facts(document))
        done = time.perf_counter()
        seconds["read"] += parsed - started
        seconds["parse"] += extracted - parsed
        seconds["facts"] += done - extracted
        size += len(raw)
        if size >= megabytes * 1e6:
            break
    started = time.perf_counter()
    records_to_table(facts, FACT_SCHEMA)
    seconds["arrow"] = time.perf_counter() - started
    return {"megabytes": size / 1e6, "facts": len(facts), "seconds": seconds}


def run_pipeline(workers: int, out: Path, corpus: Path, full: bool = True) -> dict:
    """Run `govstats etl [--full] --workers N` in a subprocess; wall time and peak memory of its
    tree, and of the main process alone."""
    command = [sys.executable, "-m", "etl", "etl", str(corpus), "--out", str(out), *(["--full"] if full else []),
               "--workers", str(workers), "--progress", "none"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peak_pss = peak_rss = peak_main = 0
    while process.poll() is None:
        try:
            tree = [p for p in [root, *root.children(recursive=True)] if p.is_running()]
            memory = [p.memory_full_info() for p in tree]
            peak_main = max(peak_main, memory[0].pss)
            peak_pss = max(peak_pss, sum(m.pss for m in memory))
            peak_rss = max(peak_rss, sum(m.rss for m in memory))
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    stdout, stderr = process.communicate()
    if process.returncode not in (0, 1):
        raise SystemExit(f"etl failed ({process.returncode}):\n{stderr[-3000:]}")
    documents = pq.read_table(out / "documents.parquet", columns=["status"]).column("status").to_pylist()
    return {
        "seconds": seconds,
        "documents": len(documents),
        "errors": documents.count("error"),
        "facts": pq.read_metadata(out / "facts.parquet").num_rows,
        "peak_mb": peak_pss / 1e6,
        "peak_rss_mb": peak_rss / 1e6,
        "peak_main_mb": peak_main / 1e6,
        "summary": stdout.strip().splitlines()[-1],
    }


def _print_stages(stages: dict, goal_rate: float | None) -> None:
    seconds, megabytes, facts = stages["seconds"], stages["megabytes"], stages["facts"]
    print(f"stages alone, 1 core, on {megabytes:.0f} MB ({facts} facts):")
    for stage, spent in seconds.items():
        print(f"  {stage:6}{megabytes / spent:8.1f} MB/s  {spent / megabytes * 1e3:7.1f} ms per MB  {spent / facts * 1e6:6.1f} µs per fact")
    if goal_rate is not None:
        budget = 1 / goal_rate / (facts / megabytes) * 1e6
        print(f"  at 5x JioNLP ({goal_rate:.1f} MB/s per core) every stage together may take {budget:.1f} µs per fact")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="corpus size in MB (default 200)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to run (default 1 2)")
    parser.add_argument("--jionlp-mb", type=float, default=2.0, help="slice JioNLP runs on (default 2)")
    parser.add_argument("--stages-mb", type=float, default=10.0, help="slice the stages are timed on (default 10)")
    args = parser.parse_args()
    files, size = build_corpus(args.mb)
    megabytes = size / 1e6
    print(f"corpus: {len(files)} documents, {megabytes:.0f} MB ({corpus_folder(args.mb).relative_to(ROOT)}); {psutil.cpu_count()} cores")
    floor = floor_rate(files)
    jio = jionlp_rate(files, args.jionlp_mb)
    stages = stage_rates(files, args.stages_mb)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            runs[workers] = run_pipeline(workers, Path(tmp) / f"out{workers}", corpus_folder(args.mb))
    print(f"{'':40}{'MB/s':>8}{'docs/s':>9}{'facts/s':>10}{'peak MB':>9}{'(RSS)':>7}{'seconds':>9}")
    print(f"{'floor (read + one regex pass), 1 core':40}{floor:8.1f}")
    if jio is not None:
        print(f"{'jionlp.extract_money (' + str(args.jionlp_mb) + ' MB), 1 core':40}{jio:8.2f}")
    for workers, run in runs.items():
        label = f"govstats etl --workers {workers}"
        print(
            f"{label:40}{megabytes / run['seconds']:8.2f}{run['documents'] / run['seconds']:9.0f}"
            f"{run['facts'] / run['seconds']:10.0f}{run['peak_mb']:9.0f}{run['peak_rss_mb']:7.0f}{run['seconds']:9.1f}"
        )
    for workers, run in runs.items():
        print(f"  --workers {workers}: {run['summary']}")
        if run["errors"]:
            print(f"  --workers {workers}: {run['errors']} documents with status error")
    if jio is not None:
        for workers, run in runs.items():
            per_core = megabytes / run["seconds"] / min(workers, psutil.cpu_count())
            print(f"--workers {workers}: {per_core / jio:.1f}x JioNLP's MB/s per core (goal: at least 5x)")
    _print_stages(stages, 5 * jio if jio is not None else None)
    if 1 in runs and 2 in runs:
        print(f"--workers 2 / --workers 1 = {runs[1]['seconds'] / runs[2]['seconds']:.2f}x (goal: close to 2)")
    print("wall-clock times include start-up (imports, and the Dask cluster for --workers 2);")
    print("the machine's other load shows in the floor: compare it with an idle machine's before trusting ratios")


if __name__ == "__main__":
    main()
