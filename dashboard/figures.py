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
KEY = ("city", "district", "subdistrict", "metric", "unit", "year", "is_target")
FIGURE_COLUMNS = [*KEY, "place", "category", "value", "approximate", "conflict", "n_spans", "key_hash"]
ALTERNATIVE_COLUMNS = ["key_hash", "value", "sources"]
_KEY_SQL = ", ".join(KEY)
KEY_HASH_SQL = f"hash({_KEY_SQL})"  # one number per key: grouping on it is much faster than on 7 columns
_NON_ADDITIVE_SQL = ", ".join(f"'{unit}'" for unit in NON_ADDITIVE_UNITS)

_ADDITIVE = f"unit NOT IN ({_NON_ADDITIVE_SQL})"

FIGURES_SQL = f"""
WITH spans AS (
    SELECT {KEY_HASH_SQL} AS key_hash, {_KEY_SQL}, category, value, doc_id,
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
    SELECT key_hash, {", ".join(f'any_value("{column}") AS "{column}"' for column in KEY)},
           any_value(category) AS category
    FROM spans GROUP BY key_hash
)
SELECT names.*, figures.* EXCLUDE (key_hash)
FROM figures JOIN names USING (key_hash)
"""

ALTERNATIVES_SQL = f"""
WITH spans AS (
    SELECT {KEY_HASH_SQL} AS key_hash, unit, value, doc_id,
           regexp_extract(source, '[^/\\\\]*$') AS source_name
    FROM {{source}}
    WHERE subdistrict IS NOT NULL
),
entries AS (
    SELECT key_hash, sum(DISTINCT value) AS value, list(DISTINCT source_name) AS sources
    FROM spans WHERE {_ADDITIVE} GROUP BY key_hash, doc_id
    UNION ALL
    SELECT key_hash, value, list(DISTINCT source_name) FROM spans WHERE NOT {_ADDITIVE}
    GROUP BY key_hash, value
)
SELECT key_hash, value, list_sort(list_distinct(flatten(list(sources)))) AS sources
FROM entries GROUP BY key_hash, value
"""


# The same counting, numbers only (key_hash, value, approximate, conflict, n_spans): used when the
# names of every key are already at hand (dashboard/data.py recounting for an outlet filter).
FIGURE_NUMBERS_SQL = FIGURES_SQL[: FIGURES_SQL.index("names AS (")].rstrip().rstrip(",") + "\nSELECT * FROM figures\n"


# Each article's entry per key (its total, or each rate) with the article's outlet: counting from
# these, after picking outlets, gives what FIGURE_NUMBERS_SQL gives on the outlet-filtered facts.
ARTICLE_ENTRIES_SQL = f"""
WITH spans AS (
    SELECT {KEY_HASH_SQL} AS key_hash, unit, value, doc_id, outlet,
           coalesce(qualifier, 'exact') <> 'exact' AS approx
    FROM {{source}}
    WHERE subdistrict IS NOT NULL
)
SELECT key_hash, outlet, sum(DISTINCT value) AS value, bool_or(approx) AS approx, count(*) AS n_spans
FROM spans WHERE {_ADDITIVE} GROUP BY key_hash, doc_id, outlet
UNION ALL
SELECT key_hash, outlet, value, bool_or(approx), count(*)
FROM spans WHERE NOT {_ADDITIVE} GROUP BY key_hash, doc_id, outlet, value
"""


def numbers_from_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """Rule 3 over article entries: the largest total, a conflict when totals differ."""
    numbers = entries.groupby("key_hash", sort=False).agg(
        value=("value", "max"),
        smallest=("value", "min"),
        approximate=("approx", "any"),
        n_spans=("n_spans", "sum"),
    )
    numbers["conflict"] = numbers["value"] != numbers["smallest"]
    return numbers.drop(columns="smallest").reset_index()


def figure_numbers_query(source: str) -> str:
    return FIGURE_NUMBERS_SQL.replace("{source}", source)


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


def place_names(places: pd.DataFrame) -> pd.Series:
    """How a subdistrict is named on screen: its name, with its district (or city) added when
    another subdistrict in the table has the same name (新城街道 is in many cities).

    >>> place_names(pd.DataFrame({"city": ["商丘市", "郑州市", "郑州市"], "district": ["睢阳区", "中原区", "中原区"],
    ...                           "subdistrict": ["新城街道", "新城街道", "林山寨街道"]})).tolist()
    ['新城街道（睢阳区）', '新城街道（中原区）', '林山寨街道']
    """
    units = places[["city", "district", "subdistrict"]].drop_duplicates()
    shared = units["subdistrict"].duplicated(keep=False)
    shared_names = set(units.loc[shared, "subdistrict"])
    within = places["district"].fillna(places["city"]).fillna("—")
    named = places["subdistrict"].where(
        ~places["subdistrict"].isin(shared_names), places["subdistrict"] + "（" + within + "）"
    )
    return named.astype("str")


def tidy_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Stable order, plain types and on-screen place names for the query's result."""
    figures = figures.assign(year=figures["year"].astype("Int64"))
    figures["place"] = place_names(figures) if len(figures) else pd.Series(dtype="str")
    return figures.sort_values(["place", "metric", "unit", "year", "is_target"]).reset_index(drop=True)[FIGURE_COLUMNS]


def tidy_alternatives(alternatives: pd.DataFrame) -> pd.DataFrame:
    alternatives = alternatives.assign(sources=alternatives["sources"].map(tuple))
    alternatives = alternatives.sort_values(["key_hash", "value"], ascending=[True, False])
    return alternatives.reset_index(drop=True)[ALTERNATIVE_COLUMNS]


def conflicts(figures: pd.DataFrame, alternatives: pd.DataFrame) -> pd.DataFrame:
    """The conflicting figures, one row per disagreeing value with its sources, largest first."""
    keys = figures[figures["conflict"]].drop(columns=["value"])
    return keys.merge(alternatives, on="key_hash", how="inner")


def metric_choices(figures: pd.DataFrame) -> pd.DataFrame:
    """The (metric, unit) pairs the figures hold, as chart choices: the code `metric:unit`, how
    many places report it; most widely reported first."""
    if figures.empty:
        return pd.DataFrame(columns=["code", "metric", "unit", "category", "places"])
    choices = figures.groupby(["metric", "unit"], as_index=False, sort=False).agg(
        category=("category", "first"), places=("place", "nunique")
    )
    choices["code"] = choices["metric"] + ":" + choices["unit"]
    return choices.sort_values(["places", "code"], ascending=[False, True]).reset_index(drop=True)


def split_code(code: str) -> tuple[str, str]:
    """`metric:unit` → (metric, unit).

    >>> split_code("households_relocated:household")
    ('households_relocated', 'household')
    >>> split_code("a:b:CNY")  # a metric name from data may hold a colon; a unit never does
    ('a:b', 'CNY')
    """
    metric, _, unit = code.rpartition(":")
    return metric, unit


def metric_totals(
    figures: pd.DataFrame, metric: str, unit: str, include_undated: bool = False, top: int | None = 30
) -> pd.DataFrame:
    """What one bar chart shows: one metric in one unit, one row per (place, is_target).

    Money, areas and counts add up over the selected years; a rate (non-additive unit) shows its
    latest year. Undated figures (year unknown) are left out unless `include_undated`; `undated`
    counts those left out, `has_undated` says a bar includes some. A bar is approximate or in conflict when any figure behind it is. Only
    the `top` places with the largest achieved figure are kept, largest first.
    """
    rows = figures[(figures["metric"] == metric) & (figures["unit"] == unit)]
    columns = [
        "place", "subdistrict", "is_target", "value", "approximate", "conflict", "years", "has_undated", "n_spans", "undated"
    ]  # fmt: skip
    undated = rows[rows["year"].isna()].groupby(["place", "is_target"]).size()
    if not include_undated:
        rows = rows[rows["year"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    keys = ["place", "is_target"]
    if unit in NON_ADDITIVE_UNITS:
        rows = rows.sort_values("year", na_position="first").groupby(keys, sort=False).tail(1)
    totals = rows.groupby(keys, as_index=False, sort=False).agg(
        subdistrict=("subdistrict", "first"),
        value=("value", "sum"),
        approximate=("approximate", "any"),
        conflict=("conflict", "any"),
        first_year=("year", "min"),
        last_year=("year", "max"),
        n_spans=("n_spans", "sum"),
        has_undated=("year", lambda years: bool(years.isna().any())),
    )
    achieved = totals[~totals["is_target"]].groupby("place")["value"].max()
    ranked = achieved.reindex(totals["place"].unique()).fillna(-1).sort_values(ascending=False, kind="stable")
    keep = ranked.index[:top] if top else ranked.index
    order = {name: position for position, name in enumerate(keep)}
    totals = totals[totals["place"].isin(keep)]
    totals = totals.assign(_order=totals["place"].map(order)).sort_values(["_order", "is_target"])
    first, last = totals["first_year"].astype("string"), totals["last_year"].astype("string")
    totals["years"] = first.where(first == last, first + "–" + last).fillna("")
    totals["undated"] = [int(undated.get((p, t), 0)) for p, t in zip(totals["place"], totals["is_target"])]
    return totals.reset_index(drop=True)[columns]


def coverage(figures: pd.DataFrame) -> pd.DataFrame:
    """Per place: the facts behind its figures in each year (None for year unknown), and how many of
    its figures are targets, approximate or in conflict. One row per place, most facts first."""
    if figures.empty:
        return pd.DataFrame(columns=["place", "year", "facts", "figures", "targets", "approximate", "conflicts"])
    rows = figures.assign(year=figures["year"].astype("float"))
    per_year = rows.groupby(["place", "year"], dropna=False, as_index=False).agg(
        facts=("n_spans", "sum"),
        figures=("key_hash", "size"),
        targets=("is_target", "sum"),
        approximate=("approximate", "sum"),
        conflicts=("conflict", "sum"),
    )
    return per_year.sort_values(["place", "year"], na_position="last").reset_index(drop=True)


def trend_rows(figures: pd.DataFrame, metric: str, unit: str, places: list[str]) -> pd.DataFrame:
    """One metric over the years for some places: dated figures only, one row per (place, year, is_target)."""
    rows = figures[
        (figures["metric"] == metric) & (figures["unit"] == unit) & figures["place"].isin(places) & figures["year"].notna()
    ]
    return rows.sort_values(["place", "is_target", "year"]).reset_index(drop=True)


def growth(figures: pd.DataFrame, metric: str, unit: str, places: list[str], first: int, last: int) -> pd.DataFrame:
    """Each place's achieved value of one metric in two years and the change between them: in
    percent for amounts, in percentage points for rates (NaN where a year is not reported)."""
    rows = trend_rows(figures, metric, unit, places)
    rows = rows[~rows["is_target"]]
    values = rows.pivot_table(index="place", columns="year", values="value", aggfunc="first")
    values = values.reindex(index=places, columns=[first, last])
    result = pd.DataFrame({"place": places, "first": values[first].to_numpy(), "last": values[last].to_numpy()})
    if unit in NON_ADDITIVE_UNITS:
        result["change"] = result["last"] - result["first"]
    else:
        result["change"] = (result["last"] / result["first"] - 1) * 100
        result.loc[result["first"] == 0, "change"] = float("nan")
    return result


SCALES = ("absolute", "per_capita", "per_km2")


def compare_figures(
    figures: pd.DataFrame,
    profile: pd.DataFrame,
    places: list[str],
    scale: str = "absolute",
    alternatives: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The Compare view: one row per (subdistrict, category, metric, unit, year, is_target).

    With scale per_capita or per_km2, amounts are divided by the subdistrict's reported population
    or area (its latest reported figure, area in km²; counts per capita are per 10,000 people); rates and profile figures are not scaled;
    where the corpus reports no population or area the value is missing (NaN), never 0. A conflict
    carries its disagreeing values (scaled alike) in `alternatives`.
    """
    rows = figures[figures["place"].isin(places)].copy()
    rows["scaled_unit"] = rows["unit"]
    rows["alternatives"] = [()] * len(rows)
    if alternatives is not None and not rows.empty:
        values = alternatives.groupby("key_hash")["value"].agg(tuple)
        rows["alternatives"] = [
            values.get(key, ()) if conflict else () for key, conflict in zip(rows["key_hash"], rows["conflict"])
        ]
    if scale != "absolute" and not rows.empty:
        metric, divide_by = ("population", 1.0) if scale == "per_capita" else ("area", 1e6)
        latest = (
            profile[profile["metric"] == metric]
            .sort_values("year", na_position="first")
            .groupby("place")["value"]
            .last()
            / divide_by
        )
        scalable = ~rows["unit"].isin(NON_ADDITIVE_UNITS) & (rows["category"] != "profile")
        divisor = rows["place"].map(latest)
        per = "/km2"
        if scale == "per_capita":  # money per person (元/人); anything else per 10,000 people (起/万人)
            money = rows["unit"].isin(["CNY", "USD"])
            divisor = divisor.where(money, divisor / 1e4)
            per = money.map({True: "/person", False: "/10k_person"})
        rows.loc[scalable, "value"] = rows.loc[scalable, "value"] / divisor[scalable]
        rows.loc[scalable, "scaled_unit"] = (rows["unit"] + per)[scalable]
        rows["alternatives"] = [
            tuple(value / d for value in values) if s else values
            for values, s, d in zip(rows["alternatives"], scalable, divisor)
        ]
    return rows.sort_values(["category", "metric", "unit", "year", "is_target", "place"]).reset_index(drop=True)
