"""The counting rules: from fact rows (one per span) to reported figures (one per subdistrict, metric, year).

Every chart and the Compare table count through these rules:

1. A figure repeated in a headline and in the body is two rows of the fact table: within one
   article, each (subdistrict, metric, unit, year, is_target, value) counts once.
2. Different values that one article reports for the same subdistrict, metric and year are separate
   items (several projects' investments) and are added, when the unit can be added: the article's
   total is the sum of its distinct values.
3. Articles that give the same total agree: it counts once. When two articles give different
   totals for the same subdistrict, metric and year, that is a conflict: the figure is flagged and
   never added; its value is the largest total, and the alternatives list every total with its
   sources. Percentages, percentage points and multiples are never added: two different rates for
   one key are a conflict even within one article.
4. Targets (is_target) are part of the key: a target is never summed with an achieved figure.

The rules are one SQL query (DuckDB), so the same code runs on a test's pandas frame and, in
dashboard/data.py, directly on the Parquet file with a million rows.
"""

from __future__ import annotations

import duckdb
import pandas as pd

NON_ADDITIVE_UNITS = ("percent", "percentage_point", "multiple")
KEY = ("subdistrict", "metric", "unit", "year", "is_target")
FIGURE_COLUMNS = [*KEY, "category", "value", "approximate", "conflict", "n_spans"]
ALTERNATIVE_COLUMNS = [*KEY, "value", "sources"]
_KEY_SQL = ", ".join(KEY)
_NON_ADDITIVE_SQL = ", ".join(f"'{unit}'" for unit in NON_ADDITIVE_UNITS)

_ADDITIVE = f"unit NOT IN ({_NON_ADDITIVE_SQL})"

FIGURES_SQL = f"""
WITH spans AS (
    SELECT hash({_KEY_SQL}) AS key_hash, {_KEY_SQL}, category, value, doc_id,
           coalesce(qualifier, 'exact') <> 'exact' AS approx
    FROM {{source}}
    WHERE subdistrict IS NOT NULL
),
entries AS (
    SELECT key_hash, sum(DISTINCT value) AS value,  -- rules 1, 2: an article's distinct values add up
           bool_or(approx) AS approx, count(*) AS n_spans
    FROM spans WHERE {_ADDITIVE} GROUP BY key_hash, doc_id
    UNION ALL
    SELECT key_hash, value, bool_or(approx), count(*)  -- rule 3: rates never add
    FROM spans WHERE NOT {_ADDITIVE} GROUP BY key_hash, value
),
figures AS (
    SELECT key_hash, max(value) AS value, bool_or(approx) AS approximate,
           min(value) <> max(value) AS conflict,  -- rule 3: totals that differ are a conflict
           sum(n_spans)::BIGINT AS n_spans
    FROM entries GROUP BY key_hash
),
names AS (
    SELECT key_hash, any_value(subdistrict) AS subdistrict, any_value(metric) AS metric,
           any_value(unit) AS unit, any_value(year) AS "year", any_value(is_target) AS is_target,
           any_value(category) AS category
    FROM spans GROUP BY key_hash
)
SELECT names.* EXCLUDE (key_hash), figures.* EXCLUDE (key_hash)
FROM figures JOIN names USING (key_hash)
"""

ALTERNATIVES_SQL = f"""
WITH spans AS (
    SELECT {_KEY_SQL}, value, doc_id, regexp_extract(source, '[^/\\\\]*$') AS source_name
    FROM {{source}}
    WHERE subdistrict IS NOT NULL
),
entries AS (
    SELECT {_KEY_SQL}, sum(DISTINCT value) AS value, list(DISTINCT source_name) AS sources
    FROM spans WHERE {_ADDITIVE} GROUP BY {_KEY_SQL}, doc_id
    UNION ALL
    SELECT {_KEY_SQL}, value, list(DISTINCT source_name) FROM spans WHERE NOT {_ADDITIVE}
    GROUP BY {_KEY_SQL}, value
)
SELECT {_KEY_SQL}, value, list_sort(list_distinct(flatten(list(sources)))) AS sources
FROM entries GROUP BY {_KEY_SQL}, value
"""


def figures_query(source: str) -> str:
    """The counting query over `source`: a table name or a parenthesised SELECT."""
    return FIGURES_SQL.replace("{source}", source)


def alternatives_query(source: str) -> str:
    """Every article's total (with its sources) behind each figure of `source`; for conflicts."""
    return ALTERNATIVES_SQL.replace("{source}", source)


def _run(query: str, facts: pd.DataFrame) -> pd.DataFrame:
    connection = duckdb.connect()
    connection.register("facts_frame", facts)
    result = connection.execute(query.replace("{source}", "facts_frame")).df()
    connection.close()
    return result


def reported_figures(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (subdistrict, metric, unit, year, is_target) of a frame of fact rows.

    `facts` needs the columns subdistrict, category, metric, unit, year, is_target, value,
    qualifier, doc_id and source. Rows without a subdistrict are left out; a null year is a key of
    its own.
    """
    return tidy_figures(_run(FIGURES_SQL, facts))


def figure_alternatives(facts: pd.DataFrame) -> pd.DataFrame:
    """For each key, every distinct article total (or rate) with its source files (names only)."""
    return tidy_alternatives(_run(ALTERNATIVES_SQL, facts))


def tidy_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Stable order and plain types for the query's result."""
    figures = figures.assign(year=figures["year"].astype("Int64"))
    return figures.sort_values(list(KEY)).reset_index(drop=True)[FIGURE_COLUMNS]


def tidy_alternatives(alternatives: pd.DataFrame) -> pd.DataFrame:
    alternatives = alternatives.assign(
        year=alternatives["year"].astype("Int64"), sources=alternatives["sources"].map(tuple)
    )
    order = [*KEY, "value"]
    alternatives = alternatives.sort_values(order, ascending=[True] * len(KEY) + [False])
    return alternatives.reset_index(drop=True)[ALTERNATIVE_COLUMNS]


def conflicts(figures: pd.DataFrame, alternatives: pd.DataFrame) -> pd.DataFrame:
    """The conflicting figures, one row per disagreeing value with its sources, largest first."""
    keys = figures[figures["conflict"]][[*KEY, "category"]]
    return keys.merge(alternatives, on=list(KEY), how="inner")


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


def charted_conflicts(figures: pd.DataFrame, sections: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """The conflicting figures behind the bars of the charts (sections: (category, unit) → totals)."""
    charted = pd.DataFrame(
        [(category, unit, name) for (category, unit), totals in sections.items() for name in totals["subdistrict"]],
        columns=["category", "unit", "subdistrict"],
    ).drop_duplicates()
    return figures[figures["conflict"]].merge(charted, on=["category", "unit", "subdistrict"], how="inner")


SCALES = ("absolute", "per_capita", "per_km2")


def compare_figures(
    figures: pd.DataFrame,
    profile: pd.DataFrame,
    subdistricts: list[str],
    scale: str = "absolute",
    alternatives: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The Compare view: one row per (subdistrict, category, metric, unit, year, is_target).

    With scale per_capita or per_km2, amounts are divided by the subdistrict's reported population
    or area (its latest reported figure, area in km²); rates and profile figures are not scaled;
    where the corpus reports no population or area the value is missing (NaN), never 0. A conflict
    carries its disagreeing values (scaled alike) in `alternatives`.
    """
    rows = figures[figures["subdistrict"].isin(subdistricts)].copy()
    rows["scaled_unit"] = rows["unit"]
    rows["alternatives"] = [()] * len(rows)
    if alternatives is not None and not rows.empty:
        values = alternatives.groupby(list(KEY), dropna=False)["value"].agg(tuple)
        found = pd.MultiIndex.from_frame(rows[list(KEY)])
        rows["alternatives"] = [
            values.get(key, ()) if conflict else () for key, conflict in zip(found, rows["conflict"])
        ]
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
            tuple(value / d for value in values) if s else values
            for values, s, d in zip(rows["alternatives"], scalable, divisor)
        ]
    return rows.sort_values(["category", "metric", "unit", "year", "is_target", "subdistrict"]).reset_index(drop=True)
