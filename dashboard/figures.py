"""The counting rules: from fact rows (one per span) to reported figures (one per subdistrict, metric, year).

Every chart and the Compare table count through these rules:

1. A figure repeated in a headline and in the body is two rows of the fact table: each
   (subdistrict, metric, unit, year, is_target, value) counts once.
2. Different values that one article reports for the same subdistrict, metric and year are separate
   items (several projects' investments) and are added, when the unit can be added.
3. When two articles give different totals for the same subdistrict, metric and year, that is a
   conflict: the figure is flagged and never added; its value is the largest total and
   `alternatives` lists every total with its sources. Percentages, percentage points and multiples
   are never added: two different rates for one key are a conflict even within one article.
4. Targets (is_target) are part of the key: a target is never summed with an achieved figure.

The rules are one SQL query (DuckDB), so the same code runs on a test's pandas frame and, in
dashboard/data.py, directly on the Parquet file with a million rows.
"""

from __future__ import annotations

import duckdb
import pandas as pd

NON_ADDITIVE_UNITS = ("percent", "percentage_point", "multiple")
KEY = ("subdistrict", "metric", "unit", "year", "is_target")
FIGURE_COLUMNS = [*KEY, "category", "value", "approximate", "conflict", "alternatives", "n_spans", "sources"]
_KEY_SQL = ", ".join(KEY)
_NON_ADDITIVE_SQL = ", ".join(f"'{unit}'" for unit in NON_ADDITIVE_UNITS)

FIGURES_SQL = f"""
WITH spans AS (
    SELECT {_KEY_SQL}, category, value, doc_id,
           coalesce(qualifier, 'exact') <> 'exact' AS approx,
           regexp_extract(source, '[^/\\\\]*$') AS source_name
    FROM {{source}}
    WHERE subdistrict IS NOT NULL
),
distinct_values AS (  -- rule 1
    SELECT {_KEY_SQL}, value,
           any_value(category) AS category, bool_or(approx) AS approx, count(*) AS n_spans,
           min(doc_id) AS doc_id, list(DISTINCT source_name) AS sources
    FROM spans GROUP BY {_KEY_SQL}, value
),
entries AS (
    SELECT {_KEY_SQL}, doc_id,  -- rule 2: one article's distinct values add up
           any_value(category) AS category, sum(value) AS value, bool_or(approx) AS approx,
           sum(n_spans) AS n_spans, list_distinct(flatten(list(sources))) AS sources
    FROM distinct_values WHERE unit NOT IN ({_NON_ADDITIVE_SQL})
    GROUP BY {_KEY_SQL}, doc_id
    UNION ALL
    SELECT {_KEY_SQL}, doc_id, category, value, approx, n_spans, sources  -- rule 3: rates never add
    FROM distinct_values WHERE unit IN ({_NON_ADDITIVE_SQL})
)
SELECT {_KEY_SQL}, any_value(category) AS category, max(value) AS value,
       bool_or(approx) AS approximate,
       count(DISTINCT value) > 1 AS conflict,  -- rule 3
       CASE WHEN count(DISTINCT value) > 1
            THEN list({{'value': value, 'sources': list_sort(sources)}} ORDER BY value DESC)
            ELSE [] END AS alternatives,
       sum(n_spans)::BIGINT AS n_spans,
       list_sort(list_distinct(flatten(list(sources)))) AS sources
FROM entries
GROUP BY {_KEY_SQL}
"""


def figures_query(source: str) -> str:
    """The counting query over `source`: a table name or a parenthesised SELECT."""
    return FIGURES_SQL.replace("{source}", source)


def reported_figures(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (subdistrict, metric, unit, year, is_target) of a frame of fact rows.

    `facts` needs the columns subdistrict, category, metric, unit, year, is_target, value,
    qualifier, doc_id and source. Rows without a subdistrict are left out; a null year is a key of
    its own.
    """
    connection = duckdb.connect()
    connection.register("facts_frame", facts)
    figures = connection.execute(figures_query("facts_frame")).df()
    connection.close()
    return tidy_figures(figures)


def tidy_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Stable order and plain types for the query's result."""
    figures = figures.assign(year=figures["year"].astype("Int64"))
    return figures.sort_values(["subdistrict", "metric", "unit", "year", "is_target"]).reset_index(drop=True)[
        FIGURE_COLUMNS
    ]


def section_totals(figures: pd.DataFrame, category: str, unit: str, top: int = 30) -> pd.DataFrame:
    """What one Overview bar chart shows: one row per (subdistrict, metric, is_target).

    Money, areas and counts add up over the selected years; a rate (non-additive unit) shows its
    latest year. A bar is approximate or in conflict when any figure behind it is. Only the `top`
    subdistricts with the largest achieved totals are kept, largest first.
    """
    rows = figures[(figures["category"] == category) & (figures["unit"] == unit)]
    columns = ["subdistrict", "metric", "is_target", "value", "approximate", "conflict", "years", "n_spans"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    keys = ["subdistrict", "metric", "is_target"]
    if unit in NON_ADDITIVE_UNITS:
        rows = rows.sort_values("year", na_position="first").groupby(keys, sort=False).tail(1)
    totals = rows.groupby(keys, as_index=False, sort=False).agg(
        value=("value", "sum"),
        approximate=("approximate", "any"),
        conflict=("conflict", "any"),
        first_year=("year", "min"),
        last_year=("year", "max"),
        n_spans=("n_spans", "sum"),
    )
    first, last = totals["first_year"].astype("string"), totals["last_year"].astype("string")
    totals["years"] = first.where(first == last, first + "–" + last).fillna("?")
    achieved = totals[~totals["is_target"]].groupby("subdistrict")["value"].max()
    ranked = achieved.reindex(totals["subdistrict"].unique()).fillna(-1).sort_values(ascending=False)
    keep = ranked.index[:top]
    order = {name: position for position, name in enumerate(keep)}
    totals = totals[totals["subdistrict"].isin(keep)]
    totals = totals.assign(_order=totals["subdistrict"].map(order)).sort_values(["_order", "metric", "is_target"])
    return totals.drop(columns="_order").reset_index(drop=True)[columns]


SCALES = ("absolute", "per_capita", "per_km2")


def compare_figures(
    figures: pd.DataFrame, profile: pd.DataFrame, subdistricts: list[str], scale: str = "absolute"
) -> pd.DataFrame:
    """The Compare view: one row per (subdistrict, category, metric, unit, year, is_target).

    With scale per_capita or per_km2, amounts are divided by the subdistrict's reported population
    or area (its latest reported figure, area in km²); rates and profile figures are not scaled;
    where the corpus reports no population or area the value is missing (NaN), never 0.
    """
    rows = figures[figures["subdistrict"].isin(subdistricts)].copy()
    rows["scaled_unit"] = rows["unit"]
    if scale != "absolute" and not rows.empty:
        metric, divide_by = ("population", 1.0) if scale == "per_capita" else ("area", 1e6)
        latest = (
            profile[profile["metric"] == metric]
            .sort_values("year", na_position="first")
            .groupby("subdistrict")["value"]
            .last()
            / divide_by
        )
        scalable = ~rows["unit"].isin(NON_ADDITIVE_UNITS) & (rows["category"] != "profile")
        divisor = rows["subdistrict"].map(latest)
        rows.loc[scalable, "value"] = rows.loc[scalable, "value"] / divisor[scalable]
        rows.loc[scalable, "scaled_unit"] = rows.loc[scalable, "unit"] + ("/person" if scale == "per_capita" else "/km2")
        rows["alternatives"] = [
            tuple({**a, "value": a["value"] / d} for a in alts) if s and len(alts) else alts
            for alts, s, d in zip(rows["alternatives"], scalable, divisor)
        ]
    return rows.sort_values(["category", "metric", "unit", "year", "is_target", "subdistrict"]).reset_index(drop=True)
