"""The one place the dashboard reads the tables from: DuckDB queries over the Parquet files.

Every query filters in SQL (DuckDB pushes the predicates into the Parquet scan and reads only the
columns it needs) and returns a small pandas frame; results are cached per table version (path and
modification time) and filter, so a page rerun with the same filters costs nothing.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import disk_cache
from dashboard.figures import (
    ARTICLE_ENTRIES_SQL,
    FIGURE_COLUMNS,
    FIGURES_SQL,
    KEY_HASH_SQL,
    alternatives_query,
    figure_numbers_query,
    figures_query,
    numbers_from_entries,
    place_names,
    tidy_alternatives,
    tidy_figures,
)
from etl.tables import committed_tables

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"
FACTS_FILE, DOCUMENTS_FILE = "facts.parquet", "documents.parquet"
TABLE_COLUMNS = [
    "fact_id", "subdistrict", "district", "city", "year", "category", "metric", "value", "unit",
    "qualifier", "is_target", "raw_text", "outlet", "published", "source", "review",
]  # fmt: skip
FILTER_COLUMNS = (
    ("cities", "city"),
    ("districts", "district"),
    ("years", "year"),
    ("categories", "category"),
    ("outlets", "outlet"),
    ("subdistricts", "subdistrict"),
    ("metrics", "metric"),
)


def data_dir() -> Path:
    """The folder holding facts.parquet and documents.parquet: $GOVSTATS_DATA, else data/."""
    return Path(os.environ.get("GOVSTATS_DATA") or DEFAULT_DATA)


@dataclass(frozen=True)
class Table:
    """One version of the fact table: the path and its modification time (the cache key)."""

    path: str
    mtime: float

    @property
    def documents_path(self) -> str:
        return str(Path(self.path).with_name(DOCUMENTS_FILE))


def current_table() -> Table | None:
    tables = committed_tables(data_dir())  # the last committed pair, never a run's half-written one
    if tables is None:
        return None
    path = tables.facts
    return Table(str(path.resolve()), path.stat().st_mtime)


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; an empty tuple means no restriction."""

    cities: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    subdistricts: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    include_targets: bool = False
    include_undated: bool = False  # with a year filter, keep the figures of unknown year too
    exclude_approximate: bool = False
    exclude_conflicts: bool = False  # figures only: a conflict is between articles, not one row
    undated_only: bool = False  # facts only: those of unknown year (a click on 年份不详)
    search: str = ""
    include_rejected: bool = False  # facts an analyst marked "not a fact" (etl/reviews.py); only the Facts page shows them

    def where(self) -> tuple[str, list]:
        """The SQL condition and its parameters.

        >>> Filters(cities=("郑州市",), years=(2012, 2013)).where()
        ('city IN (SELECT unnest(?)) AND year IN (SELECT unnest(?)) AND NOT is_target', [['郑州市'], [2012, 2013]])
        """
        clauses, parameters = [], []
        for attribute, column in FILTER_COLUMNS:
            chosen = getattr(self, attribute)
            if chosen:
                undated = " OR year IS NULL" if column == "year" and self.include_undated else ""
                clauses.append(f"({column} IN (SELECT unnest(?)){undated})" if undated else f"{column} IN (SELECT unnest(?))")
                parameters.append(list(chosen))
        if not self.include_targets:
            clauses.append("NOT is_target")
        if self.exclude_approximate:
            clauses.append("coalesce(qualifier, 'exact') = 'exact'")
        if self.undated_only:
            clauses.append("year IS NULL")
        if self.search.strip():
            clauses.append("contains(sentence, ?)")
            parameters.append(self.search.strip())
        return " AND ".join(clauses) or "TRUE", parameters


@functools.cache
def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process (as st.cache_resource would keep it, but usable outside
    Streamlit too, by `govstats dashboard` before the server starts)."""
    return duckdb.connect()


def _query(sql: str, parameters: list | None = None) -> pd.DataFrame:
    # A cursor per query: one DuckDB connection is shared by every session's script thread.
    cursor = _connection().cursor()
    try:
        return cursor.execute(sql, parameters or []).df()
    finally:
        cursor.close()


def _scan(table: Table, rejected: bool = False) -> str:
    """The facts as a SQL source: without those an analyst rejected, unless `rejected`."""
    scan = "read_parquet('" + table.path.replace("'", "''") + "')"
    if rejected or not has_reviews(table):
        return scan
    return f"(SELECT * FROM {scan} WHERE review IS DISTINCT FROM 'rejected')"


@functools.lru_cache(maxsize=16)
def has_reviews(table: Table) -> bool:
    """Whether the table has the review columns (a table from before reviews has not)."""
    import pyarrow.parquet as pq

    return "review" in pq.read_schema(table.path).names


def _filtered(table: Table, filters: Filters, columns: str = "*") -> tuple[str, list]:
    condition, parameters = filters.where()
    return f"(SELECT {columns} FROM {_scan(table, filters.include_rejected)} WHERE {condition})", parameters


@st.cache_data(show_spinner=False, max_entries=8)
def facets(table: Table) -> dict[str, list]:
    """The values each filter can take, most frequent first (years newest first)."""
    choices = {}
    for column in ("city", "district", "category", "outlet"):
        frame = _query(
            f"SELECT {column} AS v, count(*) AS n FROM {_scan(table)} WHERE {column} IS NOT NULL "
            "GROUP BY v ORDER BY n DESC, v"
        )
        choices[column] = frame["v"].tolist()
    years = _query(f"SELECT DISTINCT year AS v FROM {_scan(table)} WHERE year IS NOT NULL ORDER BY v DESC")
    choices["year"] = [int(year) for year in years["v"]]
    places = _query(
        f"SELECT city, district, subdistrict, count(*) AS n FROM {_scan(table)} WHERE subdistrict IS NOT NULL "
        "GROUP BY ALL ORDER BY n DESC, subdistrict"
    )
    choices["place"] = place_names(places).tolist()
    choices["subdistrict_of"] = dict(zip(choices["place"], places["subdistrict"]))
    return choices


@st.cache_data(show_spinner=False, max_entries=64)
def headline(table: Table, filters: Filters) -> dict[str, object]:
    """Counts for the corpus under the filters: articles, facts, subdistricts, first and last year,
    facts of unknown year."""
    source, parameters = _filtered(table, filters, "doc_id, subdistrict, year")
    row = _query(
        "SELECT count(DISTINCT doc_id) AS documents, count(*) AS facts, "
        f"count(DISTINCT subdistrict) AS subdistricts, min(year) AS first_year, max(year) AS last_year, "
        f"count(*) FILTER (WHERE year IS NULL) AS undated FROM {source}",
        parameters,
    ).iloc[0]
    return {key: (None if pd.isna(value) else int(value)) for key, value in row.items()}


_FIGURE_INPUT = "city, district, subdistrict, metric, unit, year, is_target, category, value, doc_id, qualifier, source"
ENTRY_COLUMNS = ["key_hash", "outlet", "value", "approx", "n_spans"]
CACHE_DIR = disk_cache.default_folder()  # the user's own, 0700 (dashboard/disk_cache.py)


def compute_all_figures(table: Table) -> pd.DataFrame:
    """The figures of the whole table (targets included), read from the cache file when it is there.

    This is the one costly query (a second or two per million facts), so its result is kept on disk,
    keyed by the table's content; `govstats dashboard` builds it before the server starts.
    """
    return disk_cache.kept(
        CACHE_DIR, "figures", table.path, f"{FIGURES_SQL}|rejected left out: {has_reviews(table)}", FIGURE_COLUMNS,
        lambda: tidy_figures(_query(figures_query(f"(SELECT {_FIGURE_INPUT} FROM {_scan(table)})"))),
    )  # fmt: skip


def compute_article_entries(table: Table) -> pd.DataFrame:
    """Every article's entry per figure key, with its outlet (for the outlet filter), kept on disk."""
    return disk_cache.kept(
        CACHE_DIR, "entries", table.path, f"{ARTICLE_ENTRIES_SQL}|rejected left out: {has_reviews(table)}", ENTRY_COLUMNS,
        lambda: _query(ARTICLE_ENTRIES_SQL.replace("{source}", _scan(table)))[ENTRY_COLUMNS],
    )  # fmt: skip


@st.cache_resource(show_spinner=False, max_entries=4)
def all_figures(table: Table) -> pd.DataFrame:
    """The whole table's figures, shared by every session without a copy: callers only read it."""
    return compute_all_figures(table)


@st.cache_resource(show_spinner=False, max_entries=4)
def article_entries(table: Table) -> pd.DataFrame:
    """Every article's entry per figure key, sorted by key (entries_of finds a key's by bisection)."""
    return compute_article_entries(table).sort_values("key_hash", kind="stable").reset_index(drop=True)


def entries_of(entries: pd.DataFrame, key_hashes) -> pd.DataFrame:
    """The entries (sorted by key_hash) of these figure keys: two bisections per key instead of a
    pass over every entry (a tenth of a second per filter change on a million facts).

    >>> entries = pd.DataFrame({"key_hash": pd.array([3, 5, 5, 9], dtype="uint64"), "value": [1.0, 2.0, 3.0, 4.0]})
    >>> entries_of(entries, (9, 5, 7))["value"].tolist()
    [2.0, 3.0, 4.0]
    """
    import numpy as np

    hashes = entries["key_hash"].to_numpy()
    keys = np.unique(np.asarray(list(key_hashes), dtype=hashes.dtype))
    starts, ends = np.searchsorted(hashes, keys, "left"), np.searchsorted(hashes, keys, "right")
    lengths = ends - starts
    positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return entries.iloc[positions]


def load_counts(table: Table) -> None:
    """Bring the whole table's figures and article entries into memory (once per server), so that
    no filter change waits for them."""
    all_figures(table)
    article_entries(table)


@st.cache_data(show_spinner=False, max_entries=64)
def figures(table: Table, filters: Filters) -> pd.DataFrame:
    """Reported figures (dashboard/figures.py rules) of the filtered facts.

    Filters on what a figure is keyed by (place, year, category, target) select from the whole
    table's figures; filters on articles or sentences (outlet, search) recount from the facts.
    """
    found = all_figures(table)
    if filters.search.strip() or filters.outlets:
        if filters.search.strip():  # a sentence filter: recount from the facts
            source, parameters = _filtered(table, filters, _FIGURE_INPUT)
            numbers = _query(figure_numbers_query(source), parameters)
        else:  # an outlet filter: recount from the outlets' article entries
            entries = article_entries(table)
            numbers = numbers_from_entries(entries[entries["outlet"].isin(list(filters.outlets))])
        found = found[found["key_hash"].isin(numbers["key_hash"])]
        counted = numbers.set_index("key_hash").reindex(found["key_hash"])
        found = found.assign(**{column: counted[column].to_numpy() for column in counted.columns})
    keep = pd.Series(True, index=found.index)
    for attribute, column in FILTER_COLUMNS:
        chosen = getattr(filters, attribute)
        if chosen and column in found.columns:
            selected = found[column].isin(list(chosen))
            if column == "year" and filters.include_undated:
                selected |= found["year"].isna()
            keep &= selected
    if not filters.include_targets:
        keep &= ~found["is_target"]
    if filters.exclude_approximate:
        keep &= ~found["approximate"]
    if filters.exclude_conflicts:
        keep &= ~found["conflict"]
    return found[keep].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def alternatives(table: Table, filters: Filters, key_hashes: tuple[int, ...]) -> pd.DataFrame:
    """Every article's total with its sources, for the figures with these key hashes: what a
    conflict shows."""
    if not key_hashes:
        return tidy_alternatives(pd.DataFrame({"key_hash": [], "value": [], "sources": []}))
    source, parameters = _filtered(table, filters, _FIGURE_INPUT)
    source = f"(SELECT * FROM {source} WHERE {KEY_HASH_SQL} IN (SELECT unnest(?::UBIGINT[])))"
    return tidy_alternatives(_query(alternatives_query(source), [*parameters, [int(k) for k in key_hashes]]))


@st.cache_data(show_spinner=False, max_entries=64)
def alternative_values(table: Table, filters: Filters, key_hashes: tuple[int, ...]) -> pd.DataFrame:
    """Every article's total (or rate) for the figures with these key hashes, without their sources:
    `alternatives` less the file names, read from the article entries in memory (no table scan)."""
    if filters.search.strip():  # a sentence filter: the entries cannot tell
        return alternatives(table, filters, key_hashes)[["key_hash", "value"]]
    chosen = entries_of(article_entries(table), key_hashes)
    if filters.outlets:
        chosen = chosen[chosen["outlet"].isin(list(filters.outlets))]
    values = chosen[["key_hash", "value"]].drop_duplicates().sort_values(["key_hash", "value"], ascending=[True, False])
    return values.reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def profile_figures(table: Table, filters: Filters, subdistricts: tuple[str, ...]) -> pd.DataFrame:
    """Population and area figures of the subdistricts, whatever the category and year filters."""
    scope = replace(filters, categories=("profile",), years=(), subdistricts=subdistricts)
    found = figures(table, scope)
    return found[found["metric"].isin(["population", "area"])]


@st.cache_data(show_spinner=False, max_entries=64)
def fact_rows(table: Table, filters: Filters, offset: int, limit: int) -> tuple[pd.DataFrame, int]:
    """One page of the filtered fact table (in table order) and the number of filtered rows."""
    source, parameters = _filtered(table, filters, ", ".join(TABLE_COLUMNS))
    total = int(_query(f"SELECT count(*) AS n FROM {source}", parameters)["n"].iloc[0])
    rows = _query(f"SELECT * FROM {source} LIMIT {int(limit)} OFFSET {int(offset)}", parameters)
    rows["year"] = rows["year"].astype("Int64")
    return rows, total


def filtered_parquet(table: Table, filters: Filters) -> bytes:
    """The whole filtered table, every column, as Parquet bytes (built only when downloaded)."""
    source, parameters = _filtered(table, filters)
    cursor = _connection().cursor()
    try:
        arrow = cursor.sql(f"SELECT * FROM {source}", params=parameters).to_arrow_table()
    finally:
        cursor.close()
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    return buffer.getvalue()


@st.cache_data(show_spinner=False, max_entries=256)
def fact_detail(table: Table, fact_id: str) -> dict | None:
    """One fact with the record of the article it came from (title, outlet, date, url)."""
    facts = _query(f"SELECT * FROM {_scan(table, rejected=True)} WHERE fact_id = ? LIMIT 1", [fact_id])
    if facts.empty:
        return None
    fact = facts.iloc[0].to_dict()
    article: dict = {}
    if Path(table.documents_path).is_file():
        documents = _query(
            "SELECT title, outlet, published, url, source FROM read_parquet(?) WHERE doc_id = ? LIMIT 1",
            [table.documents_path, fact["doc_id"]],
        )
        if not documents.empty:
            article = {k: v for k, v in documents.iloc[0].to_dict().items() if not _missing(v)}
    return {"fact": fact, "article": article}


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def filtered_csv(table: Table, filters: Filters) -> bytes:
    """The whole filtered table, every column (fact_id and sentence too), as CSV bytes (UTF-8 with
    BOM; built only when downloaded)."""
    from dashboard.tables import csv_bytes

    source, parameters = _filtered(table, filters)
    return csv_bytes(_query(f"SELECT * FROM {source}", parameters))


@st.cache_data(show_spinner=False, max_entries=8)
def metric_usage(table: Table) -> pd.DataFrame:
    """Per metric: how many facts and how many subdistricts report it, and in which units."""
    return _query(
        f"SELECT metric, count(*) AS facts, count(DISTINCT subdistrict) AS subdistricts, "
        f"list_sort(list(DISTINCT unit)) AS units FROM {_scan(table)} GROUP BY metric"
    )


@st.cache_data(show_spinner=False, max_entries=64)
def place_record(table: Table, subdistrict: str, district: str | None) -> dict:
    """Where a subdistrict sits: province, city, district, its division code and level."""
    condition = "subdistrict = ?" + (" AND district = ?" if district else "")
    found = _query(
        "SELECT province, city, district, admin_code, level, count(*) AS n FROM "
        f"{_scan(table)} WHERE {condition} GROUP BY ALL ORDER BY n DESC LIMIT 1",
        [subdistrict, district] if district else [subdistrict],
    )
    return {} if found.empty else {k: v for k, v in found.iloc[0].to_dict().items() if not _missing(v)}


@st.cache_data(show_spinner=False, max_entries=64)
def articles_about(table: Table, filters: Filters) -> pd.DataFrame:
    """The articles behind the filtered facts, newest first: doc_id, source, outlet, date, title, url,
    how many facts, and one fact to open it by."""
    source, parameters = _filtered(table, filters, "doc_id, source, outlet, published, fact_id, char_start")
    articles = _query(
        f"SELECT doc_id, any_value(source) AS source, any_value(outlet) AS outlet, any_value(published) AS published, "
        f"count(*) AS facts, arg_min(fact_id, char_start) AS first_fact FROM {source} GROUP BY doc_id",
        parameters,
    )
    if Path(table.documents_path).is_file() and not articles.empty:
        documents = _query(
            "SELECT doc_id, any_value(title) AS title, any_value(url) AS url FROM read_parquet(?) "
            "WHERE doc_id IN (SELECT unnest(?)) GROUP BY doc_id",
            [table.documents_path, articles["doc_id"].tolist()],
        )
        articles = articles.merge(documents, on="doc_id", how="left")
    else:
        articles = articles.assign(title=None, url=None)
    return articles.sort_values(["published", "source"], ascending=[False, True], na_position="last").reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=32)
def article_text(table: Table, doc_id: str, source: str) -> str | None:
    """The whole text of an article, read again from its source file (a .jsonl line by its number),
    or None when the file is gone or no longer holds this article (its text hash differs). The file
    is looked for as named, then beside the data folder."""
    from etl.documents import Document, parse_bytes

    name = source.rpartition(":")[0] if source.rpartition(":")[2].isdigit() else source  # archive.jsonl:7
    data_folder = Path(table.path).parent
    for candidate in (Path(name), data_folder.parent / name, data_folder / name):
        try:
            raw = candidate.read_bytes() if candidate.is_file() else None
        except OSError:
            raw = None
        if raw is None:
            continue
        for document in parse_bytes(raw, name):
            if isinstance(document, Document) and document.doc_id == doc_id:
                return document.text
    return None


@st.cache_data(show_spinner=False, max_entries=32)
def article_facts(table: Table, doc_id: str) -> pd.DataFrame:
    """Every fact of one article with its span, in text order."""
    return _query(
        f"SELECT fact_id, char_start, char_end, raw_text, metric, sentence FROM {_scan(table)} "
        "WHERE doc_id = ? ORDER BY char_start",
        [doc_id],
    )


REVIEW_STATES = ("confirmed", "corrected", "added", "rejected")
# A category or place taken from these levels (etl's category_evidence / place_evidence, `level:word`),
# or from nothing at all, rests on words far from the figure: those facts are reviewed first.
WEAK_EVIDENCE = ("title", "lead", "heading", "model")


@st.cache_data(show_spinner=False, max_entries=8)
def review_summary(table: Table) -> dict[str, object]:
    """How many facts analysts reviewed, by outcome, and the extractor's accuracy on the facts it
    made that were reviewed: the share confirmed as they were, and per field the share it had right.

    accuracy is None until a machine fact is reviewed.
    """
    counts = dict.fromkeys(REVIEW_STATES, 0)
    if not has_reviews(table):
        return {**counts, "reviewed": 0, "accuracy": None, "field_accuracy": {}}
    found = _query(f"SELECT review, count(*) AS n FROM {_scan(table, rejected=True)} WHERE review IN "
                   "('confirmed', 'corrected', 'added', 'rejected') GROUP BY review")  # fmt: skip
    counts.update({row.review: int(row.n) for row in found.itertuples()})
    judged = counts["confirmed"] + counts["corrected"] + counts["rejected"]
    fields = {}
    if counts["confirmed"] + counts["corrected"]:
        wrong = _query(
            f"SELECT field, count(*) AS n FROM (SELECT unnest(corrected_fields) AS field FROM "
            f"{_scan(table)} WHERE review = 'corrected') GROUP BY field"
        )
        wrong_by = {row.field: int(row.n) for row in wrong.itertuples()}
        kept = counts["confirmed"] + counts["corrected"]
        fields = {name: 1 - wrong_by.get(name, 0) / kept for name in
                  ("category", "metric", "subdistrict", "year", "is_target", "qualifier")}  # fmt: skip
    return {
        **counts,
        "reviewed": sum(counts.values()),
        "accuracy": counts["confirmed"] / judged if judged else None,
        "field_accuracy": fields,
    }


@st.cache_data(show_spinner=False, max_entries=16)
def review_queue(table: Table, filters: Filters, limit: int = 50) -> pd.DataFrame:
    """The facts no analyst has looked at, most worth a look first: a category or place taken from
    weak evidence (the title, lead or a heading, or nothing), a figure in conflict between articles, a value among the
    largest tenth of its unit. `reasons` lists which."""
    columns = set(_query(f"SELECT * FROM {_scan(table)} LIMIT 0").columns)
    levels = ", ".join(f"'{level}'" for level in WEAK_EVIDENCE)
    weak = [  # regexp_extract, not split_part: DuckDB fails to bind that over a column null throughout
        f"coalesce(regexp_extract({name}, '^([^:]*)', 1) IN ({levels}), true)"
        for name in ("category_evidence", "place_evidence") if name in columns
    ]  # fmt: skip
    conflicted = all_figures(table)
    conflict_keys = [int(k) for k in conflicted.loc[conflicted["conflict"], "key_hash"]]
    source, parameters = _filtered(table, replace(filters, include_rejected=False))
    unreviewed = "coalesce(review, 'auto') = 'auto'" if "review" in columns else "TRUE"
    weak_sql = " OR ".join(weak) or "false"
    rows = _query(
        f"""
        SELECT * FROM (
            SELECT *, ({weak_sql}) AS weak_evidence,
                   {KEY_HASH_SQL} IN (SELECT unnest(?::UBIGINT[])) AS in_conflict,
                   percent_rank() OVER (PARTITION BY unit ORDER BY value) >= 0.9 AS large_value
            FROM {source} WHERE {unreviewed}
        )
        ORDER BY weak_evidence::INT * 4 + in_conflict::INT * 2 + large_value::INT DESC, value DESC, fact_id
        LIMIT {int(limit)}
        """,
        [conflict_keys, *parameters],
    )
    rows["year"] = rows["year"].astype("Int64")
    return rows


# Applying the log rewrites facts.parquet: about a second per 100,000 facts (benchmarks/bench_reviews.py).
# Below this size it is done before the page reruns; above, in one background thread per server, so
# that confirm-and-next does not wait (decisions made meanwhile are taken by the next pass).
APPLY_AT_ONCE_BYTES = 16 * 1024 * 1024
_applying = threading.Lock()
_pending: set[str] = set()


def record_decision(decision) -> bool:
    """Append an analyst's decision to DATA/reviews.jsonl and apply the log to the tables; True
    when the tables already show it, False when they will in a moment (a large table)."""
    from etl.reviews import append_decisions, apply_to_tables

    folder = data_dir()
    append_decisions(folder, [decision])
    facts = folder / FACTS_FILE
    if facts.stat().st_size < APPLY_AT_ONCE_BYTES:
        apply_to_tables(folder)
        return True
    with _applying:
        start = str(folder) not in _pending
        _pending.add(str(folder))
    if start:
        threading.Thread(target=_apply_pending, args=(folder,), daemon=True, name="govstats-reviews").start()
    return False


def _apply_pending(folder: Path) -> None:
    """Apply the log until no decision came in during the last pass."""
    from etl.reviews import REVIEWS_FILE, apply_to_tables

    log = folder / REVIEWS_FILE
    try:
        while True:
            seen = log.stat().st_size
            apply_to_tables(folder)
            with _applying:
                if log.stat().st_size == seen:
                    _pending.discard(str(folder))
                    return
    except BaseException:  # the decisions stay in the log: the next decision or run applies them
        with _applying:
            _pending.discard(str(folder))
        raise


def applying_reviews() -> bool:
    """Whether decisions are still being applied to the tables in the background."""
    with _applying:
        return str(data_dir()) in _pending
