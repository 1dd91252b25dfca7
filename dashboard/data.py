"""The one place the dashboard reads the tables from: DuckDB queries over the Parquet files.

Every query filters in SQL (DuckDB pushes the predicates into the Parquet scan and reads only the
columns it needs) and returns a small pandas frame; results are cached per table version (path and
modification time) and filter, so a page rerun with the same filters costs nothing.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.figures import alternatives_query, figures_query, tidy_alternatives, tidy_figures

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"
FACTS_FILE, DOCUMENTS_FILE = "facts.parquet", "documents.parquet"
TABLE_COLUMNS = [
    "fact_id", "subdistrict", "district", "city", "year", "category", "metric", "value", "unit",
    "qualifier", "is_target", "raw_text", "outlet", "published", "source",
]  # fmt: skip
FILTER_COLUMNS = (
    ("cities", "city"),
    ("districts", "district"),
    ("years", "year"),
    ("categories", "category"),
    ("outlets", "outlet"),
    ("subdistricts", "subdistrict"),
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
    path = data_dir() / FACTS_FILE
    if not path.is_file():
        return None
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
    include_targets: bool = False
    search: str = ""

    def where(self) -> tuple[str, list]:
        """The SQL condition and its parameters.

        >>> Filters(cities=("郑州市",), years=(2012, 2013)).where()
        ('city IN (SELECT unnest(?)) AND year IN (SELECT unnest(?)) AND NOT is_target', [['郑州市'], [2012, 2013]])
        """
        clauses, parameters = [], []
        for attribute, column in FILTER_COLUMNS:
            chosen = getattr(self, attribute)
            if chosen:
                clauses.append(f"{column} IN (SELECT unnest(?))")
                parameters.append(list(chosen))
        if not self.include_targets:
            clauses.append("NOT is_target")
        if self.search.strip():
            clauses.append("contains(sentence, ?)")
            parameters.append(self.search.strip())
        return " AND ".join(clauses) or "TRUE", parameters


@st.cache_resource(show_spinner=False)
def _connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _query(sql: str, parameters: list | None = None) -> pd.DataFrame:
    # A cursor per query: one DuckDB connection is shared by every session's script thread.
    cursor = _connection().cursor()
    try:
        return cursor.execute(sql, parameters or []).df()
    finally:
        cursor.close()


def _scan(table: Table) -> str:
    return "read_parquet('" + table.path.replace("'", "''") + "')"


def _filtered(table: Table, filters: Filters, columns: str = "*") -> tuple[str, list]:
    condition, parameters = filters.where()
    return f"(SELECT {columns} FROM {_scan(table)} WHERE {condition})", parameters


@st.cache_data(show_spinner=False, max_entries=8)
def facets(table: Table) -> dict[str, list]:
    """The values each filter can take, most frequent first (years newest first)."""
    choices = {}
    for column in ("city", "district", "category", "outlet", "subdistrict"):
        frame = _query(
            f"SELECT {column} AS v, count(*) AS n FROM {_scan(table)} WHERE {column} IS NOT NULL "
            "GROUP BY v ORDER BY n DESC, v"
        )
        choices[column] = frame["v"].tolist()
    years = _query(f"SELECT DISTINCT year AS v FROM {_scan(table)} WHERE year IS NOT NULL ORDER BY v DESC")
    choices["year"] = [int(year) for year in years["v"]]
    return choices


@st.cache_data(show_spinner=False, max_entries=64)
def headline(table: Table, filters: Filters) -> dict[str, object]:
    """Counts for the corpus under the filters: articles, facts, subdistricts, first and last year."""
    source, parameters = _filtered(table, filters, "doc_id, subdistrict, year")
    row = _query(
        "SELECT count(DISTINCT doc_id) AS documents, count(*) AS facts, "
        f"count(DISTINCT subdistrict) AS subdistricts, min(year) AS first_year, max(year) AS last_year FROM {source}",
        parameters,
    ).iloc[0]
    return {key: (None if pd.isna(value) else int(value)) for key, value in row.items()}


_FIGURE_INPUT = "subdistrict, metric, unit, year, is_target, category, value, doc_id, qualifier, source"


@st.cache_data(show_spinner=False, max_entries=64)
def figures(table: Table, filters: Filters) -> pd.DataFrame:
    """Reported figures (dashboard/figures.py rules) of the filtered facts."""
    source, parameters = _filtered(table, filters, _FIGURE_INPUT)
    return tidy_figures(_query(figures_query(source), parameters))


@st.cache_data(show_spinner=False, max_entries=64)
def alternatives(table: Table, filters: Filters) -> pd.DataFrame:
    """Every article's total with its sources, per figure: what a conflict shows. Meant for a few
    subdistricts (set filters.subdistricts), as lists of sources are costly on the whole table."""
    source, parameters = _filtered(table, filters, _FIGURE_INPUT)
    return tidy_alternatives(_query(alternatives_query(source), parameters))


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
    facts = _query(f"SELECT * FROM {_scan(table)} WHERE fact_id = ? LIMIT 1", [fact_id])
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
