"""Dashboard speed in a real browser: headless Chromium (Debian's, driven by Playwright) against
`govstats dashboard`, timed from navigation (or from the click that changes a filter) until every
chart on screen is drawn and every table shown, on the seed table and on a generated table of
1,000,000 facts.

A filter change is timed from the moment the mouse button goes down on the option (what a user
does), not from when Playwright starts the checks it makes before clicking (about 50 ms). "Drawn"
means: the script run is over (the app's script state is notRunning, nothing is stale), no element
is still loading (no skeleton), every visible Plotly chart has its SVG and every visible table its
grid. Each measure is taken --repeat times (a new server and a new browser profile each time) and the best is printed: other
work on a shared machine only ever adds time. The load average is printed beside the figures.

The browser is one Chromium with a profile on disk, as a user's is, and every page opens in a new
tab of it: the tabs share its HTTP cache (Streamlit serves its script chunks as immutable for a
year, so a second tab transfers none of them: the bytes each tab transferred are printed) and its
V8 code cache. Each round starts with an empty profile, so "fresh server" is also a first visit.

--against REV measures another version of the code (a git revision, checked out into a temporary
worktree) in the same run, its rounds and ours alternating, so that both see the same load.

    .venv/bin/python benchmarks/bench_dashboard.py [--facts 1000000] [--repeat 3] [--against main] [--apptest]

--apptest adds the older measure, Streamlit's AppTest (the script run alone, without a browser).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.schema import DOCUMENT_SCHEMA, FACT_SCHEMA

METRICS = [  # (category, metric, unit, typical value)
    ("investment", "investment_attracted", "CNY", 4e8),
    ("investment", "project_investment", "CNY", 2e9),
    ("investment", "funds_in_place", "CNY", 3e8),
    ("investment", "spending", "CNY", 2e6),
    ("demolition", "illegal_structures_demolished_area", "m2", 15000),
    ("demolition", "demolition_area", "m2", 30000),
    ("demolition", "households_relocated", "household", 300),
    ("case_resolution", "disputes_found", "case", 8000),
    ("case_resolution", "disputes_mediated", "case", 90),
    ("case_resolution", "resolution_rate", "percent", 98),
    ("employment", "jobs_created", "person", 2600),
    ("welfare", "subsistence_households", "household", 120),
    ("urban_management", "ads_removed", "item", 500),
    ("party_building", "volunteers", "person", 300),
    ("profile", "population", "person", 80000),
    ("profile", "area", "m2", 5e6),
    ("other", "merchants", "item", 1200),
]
QUALIFIERS = ["exact"] * 6 + ["more_than", "approx", "nearly"]
OUTLETS = ["郑州日报", "河南商报", "中原网", "商丘日报", "大河报", None]


def generate_tables(folder: Path, n_facts: int, seed: int = 6) -> None:
    """facts.parquet (n_facts rows, FACT_SCHEMA) and documents.parquet with a realistic spread:
    5 cities, 40 districts, 800 subdistricts, 17 metrics, 15 years, one article per 40 facts,
    most figures repeated across articles and some disagreeing (conflicts)."""
    rng = np.random.default_rng(seed)
    n_docs = max(1, n_facts // 40)
    cities = np.array(["郑州市", "商丘市", "洛阳市", "开封市", "新乡市"])
    districts = np.array([f"第{i}区" for i in range(40)])
    subdistricts = np.array([f"示例{i}街道" for i in range(800)])
    sub_district = rng.integers(0, 40, 800)
    doc = rng.integers(0, n_docs, n_facts)
    doc_sub = rng.integers(0, 800, n_docs)  # most facts of an article are about its subdistrict
    sub = np.where(rng.random(n_facts) < 0.8, doc_sub[doc], rng.integers(0, 800, n_facts))
    district = sub_district[sub]
    metric = rng.integers(0, len(METRICS), n_facts)
    typical = np.array([m[3] for m in METRICS])[metric]
    doc_year = rng.integers(2005, 2020, n_docs)
    year = doc_year[doc]
    # Articles repeat a figure (the same value of a subdistrict, metric and year in many reports);
    # one span in five gives another value: an item of its own, or a disagreement between articles.
    key_code = (sub * len(METRICS) + metric) * 100 + (doc_year[doc] - 2000)
    repeated = typical * np.exp((key_code * 2654435761 % 1000) / 1000 * 2 - 1)
    value = np.round(np.where(rng.random(n_facts) < 0.8, repeated, typical * rng.lognormal(0, 0.8, n_facts)), 2)
    doc_ids = np.array([f"{i:016x}" for i in range(n_docs)])
    sources = np.array([f"corpus/{i:07d}.txt" for i in range(n_docs)])
    outlets = np.array(OUTLETS, dtype=object)[rng.integers(0, len(OUTLETS), n_docs)]
    start = rng.integers(0, 20000, n_facts)
    raw = [f"{v:g}" for v in value]
    units = np.array([m[2] for m in METRICS])[metric]
    columns = {
        "fact_id": [f"{i:016x}" for i in range(n_facts)],
        "doc_id": doc_ids[doc],
        "source": sources[doc],
        "outlet": outlets[doc],
        "published": pa.array((doc_year[doc] - 1970) * 365, pa.int32()).cast(pa.date32()),
        "province": ["河南省"] * n_facts,
        "city": cities[district % len(cities)],
        "district": districts[district],
        "subdistrict": subdistricts[sub],
        "admin_code": [None] * n_facts,
        "level": ["subdistrict"] * n_facts,
        "category": np.array([m[0] for m in METRICS])[metric],
        "metric": np.array([m[1] for m in METRICS])[metric],
        "value": value,
        "unit": units,
        "raw_text": raw,
        "qualifier": np.array(QUALIFIERS)[rng.integers(0, len(QUALIFIERS), n_facts)],
        "is_target": rng.random(n_facts) < 0.05,
        "year": year.astype(np.int32),
        "period_text": [f"{y}年" for y in year],
        "sentence": [f"{s}今年以来累计完成{r},较上年有较大提升。" for s, r in zip(subdistricts[sub], raw)],
        "char_start": start,
        "char_end": start + np.array([len(r) for r in raw]),
    }
    facts = _table(columns, FACT_SCHEMA, n_facts)
    pq.write_table(facts, folder / "facts.parquet", row_group_size=128 * 1024)
    documents = _table(
        {
            "source": sources, "doc_id": doc_ids, "size": [5000] * n_docs, "status": ["ok"] * n_docs,
            "error": [None] * n_docs, "n_facts": np.bincount(doc, minlength=n_docs), "encoding": ["utf-8"] * n_docs,
            "content_hash": doc_ids, "title": [f"第{i}篇" for i in range(n_docs)], "outlet": outlets,
            "published": pa.array((doc_year - 1970) * 365, pa.int32()).cast(pa.date32()), "url": [None] * n_docs,
        },  # fmt: skip
        DOCUMENT_SCHEMA,
        n_docs,
    )
    pq.write_table(documents, folder / "documents.parquet")


def _table(columns: dict, schema: pa.Schema, n_rows: int) -> pa.Table:
    """The columns in the schema's order; a column the schema has and we do not generate is null."""
    return pa.Table.from_pydict({name: columns.get(name, [None] * n_rows) for name in schema.names}, schema=schema)


def forget_caches() -> None:
    """What a freshly started server has in memory: nothing (the figures file on disk stays)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(folder: Path) -> list[tuple[str, float, float]]:
    from streamlit.testing.v1 import AppTest

    os.environ["GOVSTATS_DATA"] = str(folder)
    app_file = str(ROOT / "dashboard" / "app.py")
    from dashboard import data

    data.CACHE_DIR = folder / "cache"
    shutil.rmtree(data.CACHE_DIR, ignore_errors=True)
    forget_caches()
    # The very first run after the table changed: imports, and the whole table's figures computed
    # (then kept on disk; `govstats dashboard` computes them before the server starts).
    cold = AppTest.from_file(app_file, default_timeout=120)
    results = [("overview, figures uncached", timed(cold.run), float("nan"))]
    pages = [
        ("overview", None, lambda app: app.sidebar.multiselect(key="district").select("第3区")),
        ("overview", None, lambda app: app.sidebar.multiselect(key="outlet").select("中原网")),
        ("compare", {"subs": ["示例1街道", "示例2街道", "示例3街道"]}, lambda app: app.sidebar.multiselect(key="year").select("2012")),
        ("facts", None, lambda app: app.sidebar.multiselect(key="category").select("investment")),
        ("trends", None, lambda app: app.sidebar.multiselect(key="district").select("第3区")),
        ("subdistrict", {"place": "示例1街道"}, lambda app: app.sidebar.multiselect(key="year").select(2012)),
        ("dictionary", None, lambda app: app.sidebar.multiselect(key="city").select("郑州市")),
    ]
    for page, query, change in pages:
        forget_caches()
        app = AppTest.from_file(app_file, default_timeout=120)
        app.query_params.update(query or {})
        if page == "overview":
            first = timed(app.run)
        else:
            app.run()  # the entry page; then the page itself, with cold caches
            forget_caches()
            app.switch_page(f"app_pages/{page}.py")
            first = timed(app.run)
        assert not app.exception, app.exception
        change(app)
        changed = timed(app.run)
        assert not app.exception, app.exception
        results.append((f"{page} ({change.__doc__ or label_of(change)})", first, changed))
    return results


def label_of(change) -> str:
    import inspect

    source = inspect.getsource(change)
    return "filter " + source.split('key="')[1].split('"')[0]


def apptest_report(folder: Path, repeat: int) -> None:
    print(f"AppTest (script runs, no browser)  {'first render':>13} {'filter change':>14}")
    runs = [measure(folder) for _ in range(repeat)]
    for rows in zip(*runs):
        first, changed = min(row[1] for row in rows), min(row[2] for row in rows)
        print(f"  {rows[0][0]:<32} {first:>11.2f} s {changed:>12.2f} s")


# --- in the browser -------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
GOALS = {  # issue 13, on 1,000,000 facts
    "Overview, fresh server": 2.0,
    "Overview, new tab, server warm": 1.5,
    "Overview, district filter": 0.5,
    "Compare, 3 subdistricts": 1.0,
    "Facts, category filter": 0.3,
}
# Counts the app's script runs (a rerun or a fragment's run) as they end: by the value a change
# replaced, as a quick run's start and end can reach the observer together. Notes when the mouse
# button went down, where a user's click starts (Playwright's checks before it clicks are not the app's).
COUNT_RUNS = """
window.__runs = 0;
window.addEventListener('mousedown', () => { window.__pressedAt = performance.now(); }, true);
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.oldValue === 'running') window.__runs += 1;
  }
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ['data-test-script-state']});
"""
# True (and the time noted in window.__drawnAt) once the run is over and everything on screen is drawn.
DRAWN = """(runsBefore) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (window.__runs <= runsBefore) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stStatusWidget"]')) return false;
  const shown = (selector) => [...document.querySelectorAll(selector)].filter((e) => e.getClientRects().length);
  if (!shown('[data-testid="stMain"] h1').length) return false;
  if (!shown('[data-testid="stPlotlyChart"]').every((chart) => chart.querySelector('.main-svg'))) return false;
  if (!shown('[data-testid="stDataFrame"]').every((frame) => frame.querySelector('[data-testid="stDataFrameResizable"]'))) return false;
  window.__drawnAt = performance.now();
  return true;
}"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`govstats dashboard` of the code in `code` (a checkout) on a free port, from start until stopped."""

    def __init__(self, data: Path, log: Path, code: Path = ROOT):
        import subprocess
        import urllib.request

        self.port = free_port()
        command = [sys.executable, "-m", "etl", "dashboard", "--data", str(data), "--headless", "--port", str(self.port)]
        self.log = log.open("w")
        # Run from the checkout, whose etl/ and dashboard/ then come first on the path.
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=code)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"govstats dashboard did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def new_tab(context):
    """A new tab of the browser: a session of its own, the browser's cache shared."""
    page = context.new_page()
    page.set_default_timeout(120_000)
    return page


def load(page, url: str) -> float:
    """Seconds from navigation to drawn."""
    page.goto(url)
    page.wait_for_function(DRAWN, arg=0, polling="raf")
    return page.evaluate("window.__drawnAt") / 1000


def transferred(page) -> float:
    """Megabytes the tab fetched over the network (a response from the browser's cache counts 0)."""
    return page.evaluate("performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, 0)") / 1e6


def change(page, action) -> float:
    """Seconds from the click of `action` (the mouse button pressed) to drawn again."""
    before = page.evaluate("window.__pressedAt = null; window.__runs")
    action()
    page.wait_for_function(DRAWN, arg=before, polling="raf")
    return page.evaluate("window.__drawnAt - window.__pressedAt") / 1000


def pick_in_sidebar(page, label: str, option: str):
    """Open the sidebar multiselect with this label and type the option; returns the click that picks it."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label)
    box.locator("input").click()
    box.locator("input").fill(option)
    choice = page.get_by_role("option", name=option).first
    choice.wait_for()
    return choice.click


def browser_round(data: Path, choices: dict, log: Path, code: Path = ROOT) -> dict[str, float]:
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    server = Server(data, log, code)
    found = {}
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="govstats-profile-") as profile:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000}, locale="zh-CN",
            )  # fmt: skip
            context.add_init_script(COUNT_RUNS)
            page = new_tab(context)
            found["Overview, fresh server"] = load(page, server.base)
            found["MB fetched, first tab"] = transferred(page)
            page = new_tab(context)
            found["Overview, new tab, server warm"] = load(page, server.base)
            found["MB fetched, new tab"] = transferred(page)
            found["Overview, district filter"] = change(page, pick_in_sidebar(page, "区县", choices["district"]))
            query = urlencode({"subs": choices["subdistricts"]}, doseq=True)
            found["Compare, 3 subdistricts"] = load(new_tab(context), f"{server.base}/compare?{query}")
            page = new_tab(context)
            load(page, f"{server.base}/facts")
            found["Facts, category filter"] = change(page, pick_in_sidebar(page, "类别", choices["category"]))
            context.close()
    finally:
        server.stop()
    return found


def choices_of(data: Path) -> dict:
    """The busiest district, the three busiest subdistricts and the investment category of a table."""
    import duckdb

    scan = "read_parquet('" + str(data / "facts.parquet").replace("'", "''") + "')"
    busiest = lambda column, n: [row[0] for row in duckdb.sql(  # noqa: E731
        f"SELECT {column} FROM {scan} WHERE {column} IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT {n}"
    ).fetchall()]  # fmt: skip
    return {"district": busiest("district", 1)[0], "subdistricts": busiest("subdistrict", 3), "category": "投资"}


def browser_report(name: str, data: Path, repeat: int, goals: bool, against: tuple[str, Path] | None = None) -> None:
    """Best of `repeat` rounds per measure; with `against` (a name and a checkout), that code's
    rounds alternate with ours and both columns are printed."""
    choices = choices_of(data)
    versions = ([against] if against else []) + [("this", ROOT)]
    rounds: dict[str, list[dict]] = {version: [] for version, _ in versions}
    for n in range(repeat):
        for version, code in versions:
            rounds[version].append(browser_round(data, choices, data / f"server-{version}-{n}.log", code))
    columns = "".join(f"{version:>10}" for version, _ in versions)
    print(f"{name}: in Chromium, best of {repeat} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  {'':<34}{columns}   (every round)")
    for measure_name in rounds["this"][0]:
        best = [min(found[measure_name] for found in rounds[version]) for version, _ in versions]
        unit = "" if measure_name.startswith("MB") else " s"
        every = "; ".join(", ".join(f"{found[measure_name]:.2f}" for found in rounds[version]) for version, _ in versions)
        goal = f"   goal < {GOALS[measure_name]:g} s" if goals and measure_name in GOALS else ""
        print(f"  {measure_name:<34}" + "".join(f"{value:>8.2f}{unit:<2}" for value in best) + f"   ({every}){goal}")


@contextlib.contextmanager
def checkout(revision: str):
    """A temporary worktree of `revision` (removed afterwards): the code another version runs."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="govstats-against-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), revision], cwd=ROOT, check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)


def seed_table(folder: Path) -> Path:
    from etl.cli import main as govstats

    if govstats(["etl", str(ROOT / "seeds"), "--out", str(folder)]) != 0:
        raise RuntimeError("the seed table could not be built")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=1_000_000, help="rows in the generated table")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the best is shown (default 3)")
    parser.add_argument("--apptest", action="store_true", help="also time the script runs with AppTest")
    parser.add_argument("--skip-seeds", action="store_true", help="only the generated table")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision, rounds alternating with ours")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: run scripts/ensure-chromium")
    with tempfile.TemporaryDirectory(prefix="govstats-bench-") as folder, contextlib.ExitStack() as stack:
        against = (args.against, stack.enter_context(checkout(args.against))) if args.against else None
        if not args.skip_seeds:
            seeds = seed_table(Path(folder) / "seeds")
            browser_report("seed table", seeds, args.repeat, goals=False, against=against)
        generated = Path(folder) / "generated"
        generated.mkdir()
        generate_seconds = timed(lambda: generate_tables(generated, args.facts))
        size = (generated / "facts.parquet").stat().st_size / 1e6
        print(f"generated {args.facts:,} facts ({size:.0f} MB Parquet) in {generate_seconds:.1f} s")
        browser_report(f"{args.facts:,} facts", generated, args.repeat, goals=True, against=against)
        if args.apptest:
            apptest_report(generated, args.repeat)


if __name__ == "__main__":
    main()
